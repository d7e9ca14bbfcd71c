"""Benchmark: exact restriction of ACAS Xu-size networks to random lines.

Networks with 5 inputs, 6 hidden layers of 50 ReLUs and 5 outputs (float32 weights, He-normal, small
biases); lines through a random point of the input box [-0.5, 0.5]^5 with a random direction, restricted
on the whole real line.  Compared, in one process per method (peak memory = ru_maxrss of that process):

* walker: a float64 ExactLine-style walker written here with numpy only (vectorised per layer: roots of
  all forms of all pieces at once, one sort, toggled activation masks, one product per layer) -- no
  error bounds, no exact arithmetic; its piece counts are printed next to the exact ones;
* fast: ``ftcexact.numerics.restrict_to_line_fast`` on a network converted once (``IntegerNetwork``);
* reference: ``ftcexact.analysis.pieces.restrict_to_line`` on a few of the lines (its results are
  compared with the fast ones).

Walker and fast version are timed in the same process, alternating line by line (best of ``--repeat``
each), so that the load of other processes affects both alike; peak memory comes from separate processes
that run one method each.  Both run with one BLAS thread (threadpoolctl): their products are small and
extra threads only add synchronisation; ``--threads`` changes this for both.

Usage: python benchmarks/bench_line.py [--nets 3] [--lines 20] [--ref-lines 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import time
from contextlib import nullcontext

from numerics_common import in_fresh_process, machine_facts  # benchmarks/ is on sys.path

WIDTHS = (5, 50, 50, 50, 50, 50, 50, 5)


def make(nets, lines, seed=0):
    import numpy as np
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(nets):
        arrs = [((rng.standard_normal((WIDTHS[i + 1], WIDTHS[i])) * np.sqrt(2.0 / WIDTHS[i])).astype(np.float32),
                 (rng.standard_normal(WIDTHS[i + 1]) * 0.1).astype(np.float32)) for i in range(len(WIDTHS) - 1)]
        ls = [(rng.uniform(-0.5, 0.5, 5), rng.standard_normal(5)) for _ in range(lines)]
        out.append((arrs, ls))
    return out


def float_walker(Ws, bs, p, u):
    """Float64 ExactLine on the whole line: breakpoints and the affine output forms of every piece."""
    import numpy as np
    A = (Ws[0] @ u)[None, :]
    C = (Ws[0] @ p + bs[0])[None, :]
    bps = np.empty(0)
    for W, b in zip(Ws[1:], bs[1:]):
        P, m = A.shape
        left = np.concatenate(([-np.inf], bps))[:, None]
        right = np.concatenate((bps, [np.inf]))[:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            R = -C / A
            zl = np.where(np.isinf(left), -A, A * left + C)        # sign just right of the left end
        base = (zl > 0) | ((zl == 0) & (A > 0))
        pj, kj = np.nonzero((R > left) & (R < right))
        if len(pj):
            r = R[pj, kj]
            o = np.lexsort((r, pj))
            pj, kj, r = pj[o], kj[o], r[o]
            counts = np.bincount(pj, minlength=P)
            start = np.concatenate(([0], np.cumsum(counts + 1)[:-1]))
            parent = np.repeat(np.arange(P), counts + 1)
            local = np.arange(len(pj)) - np.concatenate(([0], np.cumsum(counts)[:-1]))[pj]
            T = np.zeros((len(parent), m), dtype=np.int32)
            T[start[pj] + local + 1, kj] = 1
            S = np.cumsum(T, axis=0)
            offs = np.zeros((P, m), dtype=S.dtype)
            later = start > 0
            offs[later] = S[start[later] - 1]
            mask = base[parent] ^ ((S - offs[parent]) & 1).astype(bool)
            bps = np.sort(np.concatenate((bps, r)))
        else:
            parent, mask = np.arange(P), base
        A = (A[parent] * mask) @ W.T
        C = (C[parent] * mask) @ W.T + b
    return bps, A, C


def _threads(n):
    try:
        from threadpoolctl import threadpool_limits
        return threadpool_limits(limits=n, user_api="blas") if n else nullcontext()
    except ImportError:
        return nullcontext()


def phase_walker(nets, lines, threads, repeat):
    import numpy as np
    data = make(nets, lines)
    times, pieces = [], []
    with _threads(threads):
        for arrs, ls in data:
            Ws = [W.astype(np.float64) for W, _ in arrs]
            bs = [b.astype(np.float64) for _, b in arrs]
            for p, u in ls:
                best = float("inf")
                for _ in range(repeat):
                    t = time.perf_counter()
                    bps, A, C = float_walker(Ws, bs, p, u)
                    best = min(best, time.perf_counter() - t)
                times.append(best)
                same = np.all(A[1:] == A[:-1], axis=1) & np.all(C[1:] == C[:-1], axis=1)
                pieces.append(int(len(A) - same.sum()))
    return times, pieces


def phase_fast(nets, lines, threads, repeat):
    from ftcexact.numerics import IntegerNetwork, restrict_to_line_fast
    from ftcexact.numerics.line import STATS
    data = make(nets, lines)
    times, pieces, conv = [], [], []
    with _threads(threads):
        for arrs, ls in data:
            t = time.perf_counter()
            inet = IntegerNetwork.from_arrays(arrs)
            conv.append(time.perf_counter() - t)
            for p, u in ls:
                best = float("inf")
                for _ in range(repeat):
                    t = time.perf_counter()
                    f = restrict_to_line_fast(inet, p, u)
                    best = min(best, time.perf_counter() - t)
                times.append(best)
                pieces.append(f.pieces)
    return times, pieces, conv, dict(STATS)


def phase_both(nets, lines, threads, repeat):
    """Interleaved timing: per line, best of ``repeat`` walker runs, then best of ``repeat`` fast runs."""
    import numpy as np
    from ftcexact.numerics import IntegerNetwork, restrict_to_line_fast
    from ftcexact.numerics.line import STATS
    data = make(nets, lines)
    tw, tf, pw, pf, conv = [], [], [], [], []
    with _threads(threads):
        for arrs, ls in data:
            Ws = [W.astype(np.float64) for W, _ in arrs]
            bs = [b.astype(np.float64) for _, b in arrs]
            t = time.perf_counter()
            inet = IntegerNetwork.from_arrays(arrs)
            conv.append(time.perf_counter() - t)
            for p, u in ls:
                for _ in range(repeat):
                    t = time.perf_counter()
                    bps, A, C = float_walker(Ws, bs, p, u)
                    t1 = time.perf_counter()
                    f = restrict_to_line_fast(inet, p, u)
                    t2 = time.perf_counter()
                    tw.append(t1 - t)
                    tf.append(t2 - t1)
                same = np.all(A[1:] == A[:-1], axis=1) & np.all(C[1:] == C[:-1], axis=1)
                pw.append(int(len(A) - same.sum()))
                pf.append(f.pieces)
    tw = np.array(tw).reshape(-1, repeat).min(axis=1)
    tf = np.array(tf).reshape(-1, repeat).min(axis=1)
    return tw.tolist(), tf.tolist(), pw, pf, conv, dict(STATS)


def phase_reference(nets, lines, ref_lines):
    from ftcexact.analysis.pieces import restrict_to_line
    from ftcexact.network import Network
    from ftcexact.numerics import IntegerNetwork, restrict_to_line_fast
    data = make(nets, lines)
    times, same = [], []
    for arrs, ls in data:
        net = Network.from_lists([(W.astype(float).tolist(), b.astype(float).tolist()) for W, b in arrs])
        inet = IntegerNetwork.from_arrays(arrs)
        for p, u in ls[:ref_lines]:
            t = time.perf_counter()
            f = restrict_to_line(net, p.tolist(), u.tolist())
            times.append(time.perf_counter() - t)
            same.append(f == restrict_to_line_fast(inet, p, u))
    return times, same


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nets", type=int, default=3)
    ap.add_argument("--lines", type=int, default=20)
    ap.add_argument("--ref-lines", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads for walker and fast (0: default)")
    args = ap.parse_args()
    import numpy as np
    print(machine_facts())
    (tw, tf, pw, pf, conv, stats), _ = in_fresh_process(phase_both, args.nets, args.lines, args.threads, args.repeat)
    _, mem_w = in_fresh_process(phase_walker, args.nets, 2, args.threads, 1)
    _, mem_f = in_fresh_process(phase_fast, args.nets, 2, args.threads, 1)
    (tr, same), mem_r = in_fresh_process(phase_reference, args.nets, args.lines, args.ref_lines)
    tw, tf = np.array(tw), np.array(tf)
    n = len(tf)
    print(f"{args.nets} networks {'-'.join(map(str, WIDTHS))} (float32), {args.lines} random lines each, whole line; "
          f"BLAS threads: {args.threads or 'default'}; times are best of {args.repeat} per line, walker and fast "
          f"alternating in one process")
    print(f"pieces per line: exact mean {np.mean(pf):.0f} (min {min(pf)}, max {max(pf)}); walker's differ on "
          f"{sum(a != b for a, b in zip(pf, pw))} of {n} lines")
    print(f"{'method':<44} {'mean ms':>9} {'median ms':>10} {'max ms':>8} {'/ walker':>9} {'peak MiB':>9}")
    print(f"{'float64 walker (numpy, no bounds)':<44} {tw.mean() * 1e3:9.2f} {np.median(tw) * 1e3:10.2f} "
          f"{tw.max() * 1e3:8.2f} {1.0:9.1f} {mem_w:9.0f}")
    ratio = tf / tw
    print(f"{'restrict_to_line_fast':<44} {tf.mean() * 1e3:9.2f} {np.median(tf) * 1e3:10.2f} {tf.max() * 1e3:8.2f} "
          f"{tf.mean() / tw.mean():9.1f} {mem_f:9.0f}")
    print(f"{'  per-line ratio fast / walker: median, max':<44} {np.median(ratio):9.1f} {ratio.max():10.1f}")
    print(f"{'  one-off: IntegerNetwork.from_arrays':<44} {np.mean(conv) * 1e3:9.2f}")
    print(f"{'restrict_to_line (%d lines per net)' % args.ref_lines:<44} {np.mean(tr) * 1e3:9.0f} "
          f"{np.median(tr) * 1e3:10.0f} {max(tr) * 1e3:8.0f} {np.mean(tr) / tw.mean():9.0f} {mem_r:9.0f}")
    print(f"identical to restrict_to_line on all {len(same)} reference lines: {all(same)}")
    print(f"decisions: {stats}")


if __name__ == "__main__":
    main()
