"""Benchmark: exact projections t_i = a . x_i of 10^6 float32 points in R^64 (``project_exact``).

The hot path of certifying a two-layer network (every construction of [FTC] and [YSJ] first reads the
data through ``t = a . x``).  Directions: ``a = (1, ..., 1)`` (the int64 path), ``a = (1, 2, 4, ...,
2^63)`` (the first ``a_s = (1, s, s^2, ...)`` that the project's direction search can return with
``s = 2``; numerators above 2^63, the Python-int path) and a random rational ``a`` (denominators up to
10^3).  The float64 baseline ``X @ a`` (block-wise float32 -> float64 conversion, same block size) and
``project_exact`` are timed alternately in one process (best of ``--repeat``; the baseline is run with
the default BLAS threads and with one thread, the faster counts); peak memory (ru_maxrss)
of each comes from separate fresh processes.  The first 2000 exact projections are checked against
Fraction arithmetic.

Usage: python benchmarks/bench_projection.py [--points 1000000] [--d 64] [--repeat 2]
"""

from __future__ import annotations

import argparse
import time

from numerics_common import in_fresh_process, machine_facts  # benchmarks/ is on sys.path


def make(points, d, seed=0):
    import numpy as np
    rng = np.random.default_rng(seed)
    X = np.empty((points, d), dtype=np.float32)
    for s in range(0, points, 1 << 16):                       # build without a float64 temporary
        X[s:s + (1 << 16)] = rng.standard_normal((min(1 << 16, points - s), d), dtype=np.float32)
    return X


def directions(d):
    from fractions import Fraction
    import numpy as np
    rng = np.random.default_rng(1)
    return {"ones": [1] * d, "powers of 2": [2 ** j for j in range(d)],
            "random rational": [Fraction(int(rng.integers(-999, 999)), int(rng.integers(1, 1000)))
                                for _ in range(d)]}


def float_projection(X, a, block):
    import numpy as np
    af = np.array([float(v) for v in a])
    out = np.empty(len(X))
    for s in range(0, len(X), block):
        out[s:s + block] = X[s:s + block].astype(np.float64) @ af
    return out


def phase_both(points, d, repeat):
    from fractions import Fraction
    from ftcexact.numerics import project_exact
    from ftcexact.numerics._threads import single_blas
    from ftcexact.numerics.dyadic import BLOCK_ENTRIES
    X = make(points, d)
    block = max(1, BLOCK_ENTRIES // d)
    out = {}
    for name, a in directions(d).items():
        tf, te = [], []
        for _ in range(repeat):
            t0 = time.perf_counter()
            float_projection(X, a, block)
            t1 = time.perf_counter()
            with single_blas():
                float_projection(X, a, block)
            t2 = time.perf_counter()
            num, den = project_exact(X, a)
            t3 = time.perf_counter()
            tf += [t1 - t0, t2 - t1]
            te.append(t3 - t2)
        ok = all(Fraction(int(n), den) == sum(Fraction(*float(x).as_integer_ratio()) * Fraction(v)
                                              for x, v in zip(row, a)) for n, row in zip(num[:2000], X[:2000]))
        out[name] = (min(tf), min(te), str(num.dtype), max(abs(int(v)) for v in num[:1000]).bit_length(),
                     den.bit_length(), ok)
    return out


def phase_memory(points, d, which):
    from ftcexact.numerics import project_exact
    from ftcexact.numerics.dyadic import BLOCK_ENTRIES
    X = make(points, d)
    a = directions(d)["powers of 2"]
    if which == "float":
        float_projection(X, a, max(1, BLOCK_ENTRIES // d))
    elif which == "exact":
        project_exact(X, a)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    print(machine_facts())
    res, _ = in_fresh_process(phase_both, args.points, args.d, args.repeat)
    _, mem_data = in_fresh_process(phase_memory, args.points, args.d, "none")
    _, mem_float = in_fresh_process(phase_memory, args.points, args.d, "float")
    _, mem_exact = in_fresh_process(phase_memory, args.points, args.d, "exact")
    mib = args.points * args.d * 4 / 2 ** 20
    print(f"X: {args.points} x {args.d} float32 ({mib:.0f} MiB), standard normal; best of {args.repeat}, "
          f"float64 and exact alternating in one process")
    print(f"{'direction':<18} {'float64 s':>10} {'exact s':>9} {'/ float64':>10} {'numerators':>11} "
          f"{'bits':>5} {'den bits':>9} {'checked':>8}")
    for name, (tf, te, dtype, bits, dbits, ok) in res.items():
        print(f"{name:<18} {tf:10.3f} {te:9.3f} {te / tf:10.1f} {dtype:>11} {bits:5d} {dbits:9d} {str(ok):>8}")
    print(f"peak MiB (powers of 2): data alone {mem_data:.0f}, float64 projection {mem_float:.0f}, "
          f"project_exact {mem_exact:.0f} (the {args.points} Python-int numerators are part of the output)")


if __name__ == "__main__":
    main()
