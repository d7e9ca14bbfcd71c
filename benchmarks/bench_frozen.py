"""Benchmark: a real frozen network f in the loop.

1. ``certify --frozen`` at K = 10^5, d = 64, with a 64-128-1 float32 f saved as ONNX and N = 10^3 new
   labels (every other label keeps f's value): certify and verify in fresh processes (wall and CPU
   seconds, peak RSS); the verifier recomputes f exactly at the N explicit points.
2. Exact evaluation of a 784-256-256-10 float32 MLP on 10^4 points: the producer's filtered evaluator
   (:func:`ftcexact.numerics.evaluate_exact`), the trusted kernel's dense evaluation
   (:func:`ftcexact.kernel.evaluate.evaluate_dense`, integer products by python-flint), and a numpy
   float64 forward pass, all in this run (best of ``--repeat``).

Usage: python benchmarks/bench_frozen.py [--K 100000] [--N 1000] [--points 10000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np

from bench_scale import measured  # benchmarks/ is on sys.path when run as a script
from numerics_common import machine_facts


def random_mlp(sizes, seed):
    rng = np.random.default_rng(seed)
    return [((rng.standard_normal((o, i)) / np.sqrt(i)).astype(np.float32),
             (rng.standard_normal(o) * 0.1).astype(np.float32)) for i, o in zip(sizes, sizes[1:])]


def to_network(arrays):
    from ftcexact.models.arrays import network_from_arrays
    return network_from_arrays([(f"W{l}", W, f"b{l}", b) for l, (W, b) in enumerate(arrays)], "benchmark")


def frozen_certify(K, d, N):
    from ftcexact.models import save_model
    with tempfile.TemporaryDirectory() as tmp:
        f_path, data, cert = (os.path.join(tmp, n) for n in ("f.onnx", "data.npz", "cert.json"))
        save_model(to_network(random_mlp([d, 128, 1], 0)), f_path, dtype="float32")
        rng = np.random.default_rng(1)
        x = rng.normal(size=(K, d)).astype(np.float32)
        y = np.full(K, np.nan, dtype=np.float32)
        y[rng.choice(K, N, replace=False)] = rng.uniform(-1, 1, size=N).astype(np.float32)
        np.savez(data, x=x, y=y)
        c = measured("certify", data, "--frozen", f_path, "-o", cert)
        v = measured("verify", cert)
    return c, v


def best(fn, repeat):
    t, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        t = min(t, time.perf_counter() - start)
    return t, out


def mnist_eval(points, repeat):
    from ftcexact.kernel.evaluate import evaluate_dense, read_net
    from ftcexact.network import network_to_json
    from ftcexact.numerics import evaluate_integers
    arrays = random_mlp([784, 256, 256, 10], 2)
    X = np.random.default_rng(3).random((points, 784)).astype(np.float32)
    net = to_network(arrays)

    def float64():
        h = X.astype(np.float64)
        for l, (W, b) in enumerate(arrays):
            h = h @ W.astype(np.float64).T + b
            if l < len(arrays) - 1:
                h = np.maximum(h, 0)
        return h
    t_float, _ = best(float64, repeat)
    t_fast, fast = best(lambda: evaluate_integers(net, X), repeat)
    kernel_net = read_net(network_to_json(net), 784)
    from ftcexact.kernel.reader import exact_block
    ints, shift = exact_block(X.ravel().tolist(), 24)  # the kernel's exact reading of float32 inputs
    rows = [ints[i * 784:(i + 1) * 784] for i in range(points)]
    t_kernel, exact = best(lambda: evaluate_dense(kernel_net, rows, 1 << shift), repeat)
    assert exact == fast.to_rationals(), "the kernel and the filtered evaluator disagree"
    return t_float, t_fast, t_kernel


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--K", type=int, default=100_000)
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--N", type=int, default=1000)
    ap.add_argument("--points", type=int, default=10_000, help="points of the 784-256-256-10 evaluation")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(machine_facts())
    c, v = frozen_certify(args.K, args.d, args.N)
    print(f"certify --frozen (64-128-1 ONNX f), K = {args.K}, d = {args.d}, N = {args.N}: "
          f"certify {c['wall']:.1f} s wall / {c['cpu']:.1f} s CPU, {c['rss_mib']:.0f} MiB, exit {c['code']}; "
          f"verify {v['wall']:.1f} s wall / {v['cpu']:.1f} s CPU, {v['rss_mib']:.0f} MiB, exit {v['code']}")
    t_float, t_fast, t_kernel = mnist_eval(args.points, args.repeat)
    print(f"784-256-256-10 on {args.points} points: float64 {t_float:.3f} s; numerics.evaluate_integers "
          f"{t_fast:.2f} s ({t_fast / t_float:.1f}x); kernel evaluate_dense {t_kernel:.2f} s "
          f"({t_kernel / t_float:.0f}x); identical exact outputs")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
