"""Neuron-count table of the three-layer constructions over a grid of (N, K).

For every (N, K) with N <= K the table gives the exact ReLU count of each
construction on the worst case for U3 (|J| = min(3N + 2, K)) next to the
papers' real-valued formulas:

* U1 = [YSJ] memorizer at the smallest widths: min {2R + 2P : R P >= K}  vs 4 sqrt(K)
* U2 = U1 windows + 3 per point of T: 2R + 3N                              vs 2 sqrt(K) + 3N
* U3 = min {2R + 4U : R U >= |J|} on the kept set J                        vs 6 sqrt(3N + 2)
* Appendix A = 2 (2N + 1) + 2 when no group is empty                       vs 4N + 4
* the Theorem 5.1 lower bound sqrt(2 min(3N, K - 2) + 1/4) - 1/2;
* U3-T (not in the papers, ``three-layer-u3-t``): min {2R + 4U : R U >= N}   vs 4 sqrt(2N).

A count marked ``*`` exceeds the real formula (integrality).  For K up to
``--build-max-K`` every construction is also built on the worst-case instance
on a line (T = {3, 6, ..., 3N} when 3N + 2 <= K, else T spread evenly, targets
alternating +-1 and 2 as in [FTC] §4.1), checked exactly with the trusted
kernel's evaluator, and its count compared with the table ("built" column; a
built network can be smaller than the recipe when pruning removes neurons whose
outgoing weights are all zero, e.g. the first Appendix A window when lambda = 0).

Usage: python benchmarks/construction_table.py [--build-max-K 1000]
"""

from __future__ import annotations

import argparse
import time

from common import kernel_evaluate  # benchmarks/ is on sys.path when run as a script

from ftcexact.analysis.partitions import kept_indices
from ftcexact.constructions.gadgets import ceil_sqrt, sqrt_decimal
from ftcexact.constructions.three_layer import CANDIDATES, appendix_a_groups, three_layer_u3_t
from ftcexact.constructions.ysj import ysj_layout
from ftcexact.dataset import Dataset
from ftcexact.kernel.numbers import Q
from ftcexact.network import network_to_json

NS = (1, 10, 100, 1000)
KS = (10, 100, 1000, 10_000, 100_000)


def worst_case_T(N, K):
    if 3 * N + 2 <= K:
        return [3 * k for k in range(1, N + 1)]
    return sorted({-(-k * K // N) for k in range(1, N + 1)})


def counts(N, K):
    T = worst_case_T(N, K)
    J = len(kept_indices(K, T))
    R1, P1 = ysj_layout(K)
    R3, U3 = ysj_layout(J, second_cost=4)
    groups, virtual = appendix_a_groups(K, T)
    windows = sum(1 for _, _, pos in groups if pos) + len(virtual)
    Rt, Ut = ysj_layout(N, second_cost=4)
    return {"U1": 2 * R1 + 2 * P1, "U2": 2 * R1 + 3 * N, "U3": 2 * R3 + 4 * U3, "J": J,
            "4n4": 2 * windows + 2, "U3T": 2 * Rt + 4 * Ut, "T": T}


def exceeds(count, coefficient, radicand, offset=0):
    """Whether count > coefficient * sqrt(radicand) + offset, exactly (integers)."""
    excess = count - offset
    return excess > 0 and excess * excess > coefficient * coefficient * radicand


def built(N, K, T):
    z = [0] * K
    for k, i in enumerate(T):
        z[i - 1] = 2 if k % 2 else -1
    ds = Dataset(tuple((Q(i),) for i in range(1, K + 1)), tuple((Q(v),) for v in z))
    out = {}
    for name, build in dict(CANDIDATES, **{"three-layer-u3-t": three_layer_u3_t}).items():
        net, _ = build(ds)
        assert kernel_evaluate(network_to_json(net), 1, ds.x)[0] == list(ds.targets), name
        out[name] = net.neurons
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-max-K", type=int, default=1000)
    args = ap.parse_args()
    print("| N | K | U1 | 4 sqrt(K) | U2 | 2 sqrt(K) + 3N | U3 | abs(J) | 6 sqrt(3N + 2) | App. A | 4N + 4 "
          "| best | Thm 5.1 lower | U3-T (variant) | 4 sqrt(2N) | built and checked |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| --- |")
    for N in NS:
        for K in KS:
            if N > K:
                continue
            c = counts(N, K)
            a4 = c["4n4"]
            best = min(c["U1"], c["U2"], c["U3"], a4)
            u1 = f"{c['U1']}{'*' if exceeds(c['U1'], 4, K) else ''}"
            u2 = f"{c['U2']}{'*' if exceeds(c['U2'], 2, K, 3 * N) else ''}"
            u3 = f"{c['U3']}{'*' if exceeds(c['U3'], 6, 3 * N + 2) else ''}"
            lower = sqrt_decimal(1, 2 * min(3 * N, K - 2) + Q(1, 4), Q(-1, 2), digits=1)
            check = "-"
            if K <= args.build_max_K:
                start = time.perf_counter()
                got = built(N, K, c["T"])
                table = {"three-layer-u1": c["U1"], "three-layer-u2": c["U2"], "three-layer-u3": c["U3"],
                         "three-layer-4n4": a4, "three-layer-u3-t": c["U3T"]}
                fewer = [f"{name[12:]} = {got[name]}" for name in table if got[name] < table[name]]
                more = [f"{name[12:]} = {got[name]}" for name in table if got[name] > table[name]]
                assert not more, f"built networks larger than the table: {more}"
                check = ("yes" if not fewer else "yes; pruned: " + ", ".join(fewer)) + \
                    f" ({time.perf_counter() - start:.1f} s)"
            print(f"| {N} | {K} | {u1} | {sqrt_decimal(4, K, digits=1)} | {u2} | {sqrt_decimal(2, K, 3 * N, 1)} "
                  f"| {u3} | {c['J']} | {sqrt_decimal(6, 3 * N + 2, digits=1)} | {a4} | {4 * N + 4} | {best} "
                  f"| {lower} | {c['U3T']} | {sqrt_decimal(4, 2 * N, digits=1)} | {check} |", flush=True)
    print()
    print("ceil(2 sqrt(K)) check: U1 = 2 ceil(2 sqrt(K)) on every row:",
          all(counts(N, K)["U1"] == 2 * ceil_sqrt(4 * K) for N in NS for K in KS if N <= K))


if __name__ == "__main__":
    main()
