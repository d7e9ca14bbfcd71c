"""Benchmark: certify and verify the two-layer construction (Theorem 4.4) at scale.

For K in (10^3, 10^4, 10^5), d = 64, N = K / 100 this times, in one run:

* certify: read the dataset file, build the network, write the certificate (wall and CPU seconds);
* verify: the trusted verifier on that certificate (reads and parses the JSON);
* evaluate: the verifier's exact evaluation alone, on already parsed numbers;
* float64: a numpy forward pass of the same network on the same points.

and prints the ratios of exact verification to the float64 forward pass.

Usage: python benchmarks/bench_two_layer.py [--sizes 1000,10000,100000]
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
from ftcexact.kernel.numbers import BACKEND


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--d", type=int, default=64)
    args = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, exact backend {BACKEND}, numpy {np.__version__}")
    print(f"{'K':>7} {'N':>5} {'m':>5} {'certify s':>10} {'(CPU)':>6} {'verify s':>9} {'(CPU)':>6} {'evaluate s':>10} "
          f"{'float64 s':>10} {'verify/f64':>10} {'eval/f64':>9}")
    for K in (int(v) for v in args.sizes.split(",")):
        N = K // 100
        ds = random_dataset(d=args.d, K=K, N=N, seed=K, denominator=16, magnitude=8)
        with tempfile.TemporaryDirectory() as tmp:
            data, cert_path = write_dataset(ds, tmp)
            start, cpu = time.perf_counter(), time.process_time()
            loaded = load_dataset(data)
            cert = certify(loaded, "two-layer", dataset_ref=dataset_reference(data, cert_path))
            write_json_atomic(cert, cert_path)
            t_cert, c_cert = time.perf_counter() - start, time.process_time() - cpu

            start, cpu = time.perf_counter(), time.process_time()
            code = verify.run(cert_path, out=io.StringIO(), err=io.StringIO())
            t_verify, c_verify = time.perf_counter() - start, time.process_time() - cpu
            assert code == 0, "benchmark certificate did not verify"

            start = time.perf_counter()
            values, layers = kernel_evaluate(cert["network"], args.d, loaded.x)
            t_eval = time.perf_counter() - start
            assert values == list(loaded.targets)
            t_float, _ = float_forward(layers, loaded.x)
        m = cert["claim"]["neurons"]
        print(f"{K:>7} {N:>5} {m:>5} {t_cert:>10.2f} {c_cert:>6.2f} {t_verify:>9.2f} {c_verify:>6.2f} {t_eval:>10.2f} {t_float:>10.4f} "
              f"{t_verify / t_float:>10.0f} {t_eval / t_float:>9.1f}", flush=True)


if __name__ == "__main__":
    main()
