"""Benchmark: certify and verify at K = 10^6 from a float32 .npz dataset, in bounded memory.

One run per construction (default: two-layer with N = 10^4 and three-layer-u3 with N = 10^3, d = 64):

* data: ``x`` ~ N(0, I_d) as float32, ``y`` 0 except N random points (multiples of 1/4 in [-2, 2]);
* certify: ``ftcexact certify data.npz -o cert.json`` in a fresh process (wall and CPU time, peak RSS);
* verify: ``ftcexact verify cert.json`` in a fresh process (wall and CPU time, peak RSS);
* float64: a numpy forward pass of the same network (weights rounded to float64) on the same points,
  in blocks of rows so that its memory stays bounded too (best of ``--repeat``), measured in this run.

Other processes may share the cores: CPU time is the steadier figure; ratios use the same run.

Usage: python benchmarks/bench_scale.py [--K 1000000] [--d 64] [--runs two-layer:10000,three-layer-u3:1000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

from numerics_common import MEASURE, machine_facts  # benchmarks/ is on sys.path when run as a script



def measured(*argv):
    """Run ``ftcexact ARGV`` in a fresh interpreter; its exit code, wall and CPU seconds, peak RSS (MiB)."""
    proc = subprocess.run([sys.executable, "-c", MEASURE, *argv], capture_output=True, text=True)
    return json.loads(proc.stderr.strip().splitlines()[-1])


def make_data(path, K, d, N, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(K, d)).astype(np.float32)
    y = np.zeros(K, dtype=np.float32)
    idx = rng.choice(K, N, replace=False)
    y[idx] = (rng.integers(1, 9, size=N) / 4 * rng.choice([-1, 1], size=N)).astype(np.float32)
    np.savez(path, x=x, y=y)
    return x


def float_forward(cert, x, repeat=2, block=4096):
    """Best-of-``repeat`` seconds of the float64 forward pass over ``x`` in row blocks, and its peak extra MiB."""
    from fractions import Fraction
    layers = cert["network"] if isinstance(cert["network"], list) else cert["network"]["layers"]
    Ws = [np.array([[float(Fraction(v)) for v in row] for row in layer["W"]], dtype=np.float64) for layer in layers]
    bs = [np.array([float(Fraction(v)) for v in layer["b"]], dtype=np.float64) for layer in layers]
    X = x.astype(np.float64)
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for i in range(0, len(X), block):
            h = X[i:i + block].T
            for l, (W, b) in enumerate(zip(Ws, bs)):
                h = W @ h + b[:, None]
                if l < len(Ws) - 1:
                    np.maximum(h, 0.0, out=h)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--K", type=int, default=1_000_000)
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--runs", default="two-layer:10000,three-layer-u3:1000",
                    help="construction:N pairs (default: two-layer:10000,three-layer-u3:1000)")
    ap.add_argument("--repeat", type=int, default=2, help="float64 repetitions (default 2)")
    args = ap.parse_args()
    print(machine_facts())
    print(f"{'construction':<16} {'K':>8} {'N':>6} {'m':>6} {'cert MB':>8} | {'certify wall/cpu s':>19} "
          f"{'MiB':>6} | {'verify wall/cpu s':>18} {'MiB':>6} | {'float64 s':>9} {'verify cpu/f64':>14}")
    for run in args.runs.split(","):
        construction, N = run.split(":")
        N = int(N)
        with tempfile.TemporaryDirectory() as tmp:
            data, cert_path = os.path.join(tmp, "data.npz"), os.path.join(tmp, "cert.json")
            x = make_data(data, args.K, args.d, N)
            c = measured("certify", data, "--construction", construction, "-o", cert_path)
            if c["code"] != 0:
                print(f"{construction}: certify failed (exit {c['code']})")
                continue
            v = measured("verify", cert_path)
            with open(cert_path) as fh:
                cert = json.load(fh)
            f64 = float_forward(cert, x, args.repeat)
            size = os.path.getsize(cert_path) / 1e6
        print(f"{construction:<16} {args.K:>8} {N:>6} {cert['claim']['neurons']:>6} {size:>8.1f} | "
              f"{c['wall']:>9.1f} /{c['cpu']:>8.1f} {c['rss_mib']:>6.0f} | {v['wall']:>8.1f} /{v['cpu']:>8.1f} "
              f"{v['rss_mib']:>6.0f} | {f64:>9.2f} {v['cpu'] / f64:>14.2f}   verdict exit {v['code']}", flush=True)
    print(f"this process (float64 passes): peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
