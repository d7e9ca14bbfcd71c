"""Benchmark: exact evaluation of a float32 MLP (784-256-256-10) at 10^4 points.

Times:

* float64: numpy forward pass on float64 copies of the weights and points;
* exact: ``ftcexact.numerics.evaluate_integers`` (integer numerators over one denominator) on a network
  converted once with ``IntegerNetwork.from_arrays`` (the conversion is timed separately);
  also ``evaluate_exact`` (tuples of Q);
* reference: ``ftcexact.network.evaluate`` (Python ints) on a subsample, extrapolated linearly (labelled).

float64 and exact are timed in one process, alternating (best of ``--repeat`` each), so that the load of
other processes affects both alike.  Peak memory (ru_maxrss) comes from separate fresh processes that
run one method each.

The exact outputs of the subsample are checked to be identical to the reference.

Usage: python benchmarks/bench_frozen_eval.py [--points 10000] [--sub 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time

from numerics_common import best_of, in_fresh_process, machine_facts  # benchmarks/ is on sys.path

SIZES = (784, 256, 256, 10)


def make(points, seed=0):
    import numpy as np
    rng = np.random.default_rng(seed)
    arrs = [((rng.standard_normal((SIZES[i + 1], SIZES[i])) * np.sqrt(2.0 / SIZES[i])).astype(np.float32),
             (rng.standard_normal(SIZES[i + 1]) * 0.01).astype(np.float32)) for i in range(len(SIZES) - 1)]
    X = rng.random((points, SIZES[0])).astype(np.float32)   # pixel-like inputs in [0, 1)
    return arrs, X


def float64_pass(arrs, X):
    """The baseline: a function running the numpy float64 forward pass of the network on the points."""
    import numpy as np
    Ws = [(W.astype(np.float64), b.astype(np.float64)) for W, b in arrs]
    X64 = X.astype(np.float64)

    def run():
        h = X64
        for l, (W, b) in enumerate(Ws):
            h = h @ W.T + b
            if l < len(Ws) - 1:
                h = np.maximum(h, 0.0)
        return h
    return run


def phase_float(points, repeat):
    return best_of(float64_pass(*make(points)), repeat)[0]


def phase_exact(points, repeat):
    from ftcexact.numerics import IntegerNetwork, evaluate_exact, evaluate_integers
    from ftcexact.numerics.evaluate import STATS
    arrs, X = make(points)
    t = time.perf_counter()
    inet = IntegerNetwork.from_arrays(arrs)
    t_conv = time.perf_counter() - t
    t_int, v = best_of(lambda: evaluate_integers(inet, X), repeat)
    t = time.perf_counter()
    evaluate_exact(inet, X)
    t_q = time.perf_counter() - t
    bits = max(abs(int(x)).bit_length() for x in v.numerators.ravel()[:1000])
    return t_conv, t_int, t_q, bits, v.den.bit_length(), dict(STATS)


def phase_both(points, repeat):
    """Alternating timing of the float64 pass and the exact evaluation (best of ``repeat`` each)."""
    from ftcexact.numerics import IntegerNetwork, evaluate_exact, evaluate_integers
    from ftcexact.numerics.evaluate import STATS
    arrs, X = make(points)
    run_float = float64_pass(arrs, X)
    t = time.perf_counter()
    inet = IntegerNetwork.from_arrays(arrs)
    t_conv = time.perf_counter() - t
    tf, ti, tq = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run_float()
        t1 = time.perf_counter()
        v = evaluate_integers(inet, X)
        t2 = time.perf_counter()
        tf.append(t1 - t0)
        ti.append(t2 - t1)
    for _ in range(max(1, repeat - 1)):
        t0 = time.perf_counter()
        evaluate_exact(inet, X)
        tq.append(time.perf_counter() - t0)
    bits = max(abs(int(x)).bit_length() for x in v.numerators.ravel()[:1000])
    return min(tf), min(ti), min(tq), t_conv, bits, v.den.bit_length(), dict(STATS)


def phase_reference(points, sub):
    from ftcexact.kernel.numbers import Q
    from ftcexact.network import Network, evaluate
    from ftcexact.numerics import evaluate_integers
    arrs, X = make(points)
    t = time.perf_counter()
    net = Network.from_lists([(W.astype(float).tolist(), b.astype(float).tolist()) for W, b in arrs])
    t_conv = time.perf_counter() - t
    pts = X[:sub].astype(float).tolist()
    t = time.perf_counter()
    ref = evaluate(net, pts)
    t_ref = time.perf_counter() - t
    v = evaluate_integers(arrs, X[:sub])
    same = [tuple(Q(int(n), v.den) for n in row) for row in v.numerators] == ref
    return t_conv, t_ref, same


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=10_000)
    ap.add_argument("--sub", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(machine_facts())
    (t_float, t_int, t_q, t_conv, bits, den_bits, stats), _ = in_fresh_process(phase_both, args.points, args.repeat)
    _, mem_float = in_fresh_process(phase_float, args.points, 1)
    _, mem_exact = in_fresh_process(phase_exact, args.points, 1)
    (t_net, t_ref, same), mem_ref = in_fresh_process(phase_reference, args.points, args.sub)
    extrap = t_ref * args.points / args.sub
    print(f"MLP {'-'.join(map(str, SIZES))}, float32 weights, {args.points} float32 points in [0, 1); "
          f"best of {args.repeat}, float64 and exact alternating in one process")
    print(f"{'method':<52} {'time s':>9} {'/ float64':>10} {'peak MiB':>9}")
    print(f"{'float64 forward pass':<52} {t_float:9.3f} {1.0:10.1f} {mem_float:9.0f}")
    print(f"{'exact, integer numerators (evaluate_integers)':<52} {t_int:9.3f} {t_int / t_float:10.1f} "
          f"{mem_exact:9.0f}")
    print(f"{'exact, tuples of Q (evaluate_exact)':<52} {t_q:9.3f} {t_q / t_float:10.1f} {'':>9}")
    print(f"{'  one-off: IntegerNetwork.from_arrays':<52} {t_conv:9.3f}")
    print(f"{'ftcexact.network.evaluate, %d points' % args.sub:<52} {t_ref:9.3f} {'':>10} {mem_ref:9.0f}")
    print(f"{'  extrapolated to %d points (linear, not run)' % args.points:<52} {extrap:9.1f} "
          f"{extrap / t_float:10.0f}")
    print(f"{'  one-off: Network.from_lists':<52} {t_net:9.3f}")
    print(f"exact outputs identical to ftcexact.network.evaluate on the subsample: {same}")
    print(f"outputs have ~{bits} bits over a denominator of {den_bits} bits; decisions: {stats}")


if __name__ == "__main__":
    main()
