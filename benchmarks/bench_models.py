"""Benchmark: exact conversion and export of a 784-256-256-10 float32 MLP.

Builds the network with random float32 weights (He initialisation), writes it
as ONNX (Gemm/Relu), safetensors and npz, and measures: reading each file
into an exact network, writing the exact ftcexact-network JSON, reading that
JSON back, rounding the exact network to float32 for export, and one exact
evaluation of the network at a float32 input.  Prints times and file sizes.

Usage: python benchmarks/bench_models.py
"""

import os
import tempfile
import time

import numpy as np


def main():
    from ftcexact.models import load_model, save_model
    from ftcexact.models.arrays import network_to_arrays
    from ftcexact.network import evaluate

    rng = np.random.default_rng(0)
    widths = [784, 256, 256, 10]
    arrays = [((rng.standard_normal((b, a)) * np.sqrt(2 / a)).astype(np.float32),
               (rng.standard_normal(b) * 0.01).astype(np.float32)) for a, b in zip(widths, widths[1:])]
    params = sum(W.size + b.size for W, b in arrays)
    folder = tempfile.mkdtemp()
    from ftcexact.models import arrays_bytes
    rows = []
    for fmt in ("onnx", "safetensors", "npz"):
        path = os.path.join(folder, f"m.{fmt}")
        with open(path, "wb") as fh:
            fh.write(arrays_bytes(arrays, fmt))
        t = time.perf_counter()
        net = load_model(path)
        rows.append((f"read {fmt} -> exact", time.perf_counter() - t, os.path.getsize(path)))
    path = os.path.join(folder, "m.json")
    t = time.perf_counter()
    save_model(net, path)
    rows.append(("write exact JSON", time.perf_counter() - t, os.path.getsize(path)))
    t = time.perf_counter()
    back = load_model(path)
    rows.append(("read exact JSON", time.perf_counter() - t, None))
    assert back == net
    t = time.perf_counter()
    network_to_arrays(net, "float32")
    rows.append(("round to float32 (export)", time.perf_counter() - t, None))
    x = rng.standard_normal(784).astype(np.float32).tolist()
    t = time.perf_counter()
    evaluate(net, [x])
    rows.append(("exact evaluation, 1 point", time.perf_counter() - t, None))
    t = time.perf_counter()
    evaluate(net, [rng.standard_normal(784).astype(np.float32).tolist() for _ in range(10)])
    rows.append(("exact evaluation, 10 points", time.perf_counter() - t, None))
    print(f"784-256-256-10 float32 MLP, {params} parameters")
    print(f"{'step':<30} {'seconds':>8} {'file bytes':>12}")
    for name, sec, size in rows:
        print(f"{name:<30} {sec:>8.2f} {size if size is not None else '':>12}")


if __name__ == "__main__":
    main()
