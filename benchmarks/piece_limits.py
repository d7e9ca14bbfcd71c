"""Largest exact piece counts found by hill climbing, beside the architecture limits.

Writes the table used in docs/pieces.md: for every small (d1, d2) the largest number of affine
pieces on a line found for a network with hidden widths (d1, d2), the proven exact maximum
(docs/theorems/three-layer-pieces.md), the product count (d1+1)(d2+1) and Yun et al.'s 2 d1 d2 + d2 + 1; and for one hidden layer of m neurons the largest found
beside m + 1.

Usage: python benchmarks/piece_limits.py [--steps 600] [--restarts 6] [--max 4]
"""

import argparse
import time

from ftcexact.analysis.lower_bounds import (three_layer_max_pieces, three_layer_product_max_pieces, two_layer_max_pieces,
                                            ysj_three_layer_max_pieces)
from ftcexact.search.max_pieces import climb_max_pieces


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--restarts", type=int, default=6)
    ap.add_argument("--max", type=int, default=4)
    args = ap.parse_args()
    start = time.perf_counter()
    print("| m | largest found | m + 1 |")
    print("| ---: | ---: | ---: |")
    for m in range(1, 2 * args.max + 1):
        found, _ = climb_max_pieces([m], args.steps, args.restarts, seed=m)
        print(f"| {m} | {found} | {two_layer_max_pieces(m)} |", flush=True)
    print()
    print("| d1 | d2 | largest found | exact maximum P | (d1+1)(d2+1) | 2 d1 d2 + d2 + 1 (YSJ) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for d1 in range(1, args.max + 1):
        for d2 in range(1, args.max + 1):
            found, _ = climb_max_pieces([d1, d2], args.steps, args.restarts, seed=100 * d1 + d2)
            print(f"| {d1} | {d2} | {found} | {three_layer_max_pieces(d1, d2)} | "
                  f"{three_layer_product_max_pieces(d1, d2)} | {ysj_three_layer_max_pieces(d1, d2)} |", flush=True)
    print(f"\n{args.steps} steps x {args.restarts} restarts per row, {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
