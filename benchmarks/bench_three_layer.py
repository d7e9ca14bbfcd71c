"""Benchmark: certify and verify the three-layer construction U3 at scale.

For K = 10^5 points in d = 64 with N = 10^3 changed labels (random rational
data, denominators <= 16, T random) this times, in one run:

* certify: read the dataset file, build ``three-layer-u3``, write the
  certificate (dataset by reference);
* verify: the trusted verifier on that certificate, end to end;
* evaluate: the verifier's exact evaluation alone, on parsed numbers;
* wall and CPU (``time.process_time``) seconds for certify and verify;
* float64: a numpy forward pass of the same network on the same points (best
  of 3), and its largest error at the data,

and reports the network's size and its weights' sizes in bits (``bits(|p|) +
bits(q)`` per entry).  Targets: certify and verify each under 60 s.

Usage: python benchmarks/bench_three_layer.py [--K 100000] [--N 1000] [--d 64] [--construction three-layer-u3]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import tempfile
import time

import numpy as np

from common import float_forward, kernel_evaluate, write_dataset  # benchmarks/ is on sys.path when run as a script

from ftcexact.certificate import dataset_reference, write_json_atomic
from ftcexact.constructions import certify
from ftcexact.dataset import load_dataset, random_dataset
from ftcexact.kernel import verify
from ftcexact.kernel.numbers import BACKEND, bit_size


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--K", type=int, default=100_000)
    ap.add_argument("--N", type=int, default=1000)
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--construction", default="three-layer-u3")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"exact backend {BACKEND}, numpy {np.__version__}")
    ds = random_dataset(d=args.d, K=args.K, N=args.N, seed=args.K, denominator=16, magnitude=8)
    with tempfile.TemporaryDirectory() as tmp:
        data, cert_path = write_dataset(ds, tmp)
        start, cpu = time.perf_counter(), time.process_time()
        loaded = load_dataset(data)
        t_load = time.perf_counter() - start
        cert = certify(loaded, args.construction, dataset_ref=dataset_reference(data, cert_path))
        t_build = time.perf_counter() - start - t_load
        write_json_atomic(cert, cert_path)
        t_cert, c_cert = time.perf_counter() - start, time.process_time() - cpu
        size = os.path.getsize(cert_path)

        start, cpu = time.perf_counter(), time.process_time()
        out = io.StringIO()
        code = verify.run(cert_path, out=out, err=io.StringIO())
        t_verify, c_verify = time.perf_counter() - start, time.process_time() - cpu
        assert code == 0, "benchmark certificate did not verify:\n" + out.getvalue()

        start = time.perf_counter()
        values, layers = kernel_evaluate(cert["network"], args.d, loaded.x)
        t_eval = time.perf_counter() - start
        assert values == list(loaded.targets)
        t_float, h = float_forward(layers, loaded.x)
        z = np.array([float(t[0]) for t in loaded.targets])
        err = float(np.max(np.abs(h[0] - z)))
    bits = [bit_size(v) for W, b in layers for row in W for v in row] + [bit_size(v) for _, b in layers for v in b]
    claim = cert["claim"]
    print(f"{args.construction}: K = {claim['K']}, d = {claim['d']}, N = {claim['N']}, "
          f"hidden widths {[len(b) for _, b in layers[:-1]]}, neurons = {claim['neurons']}, "
          f"statement {claim['statement']}")
    print("verifier:", "; ".join(line for line in out.getvalue().splitlines() if line.startswith("c ")))
    print(f"weights: {len(bits)} entries, max {max(bits)} bits, mean {sum(bits) / len(bits):.0f} bits, "
          f"total {sum(bits) / 8e6:.1f} MB; certificate file {size / 1e6:.1f} MB (dataset by reference)")
    print(f"certify {t_cert:.2f} s, CPU {c_cert:.2f} s (read dataset {t_load:.2f} s, build {t_build:.2f} s, write "
          f"{t_cert - t_load - t_build:.2f} s)")
    print(f"verify {t_verify:.2f} s, CPU {c_verify:.2f} s; evaluate {t_eval:.2f} s; float64 forward {t_float:.4f} s")
    print(f"verify / float64 = {t_verify / t_float:.0f}; evaluate / float64 = {t_eval / t_float:.1f}; "
          f"float64 max |g(x_i) - z_i| = {err:.3g}")


if __name__ == "__main__":
    main()
