"""Node-count table of ``ysj-resnet`` at the [YSJ] ResNet theorem's bound over a grid of (K, d_x, d_y).

For each (K, d_x, d_y): random integer points in [-1000, 1000]^{d_x} (general position is checked by the
construction where it relies on it), balanced one-hot labels, residual widths summing to exactly
``ceil(4K/d_x + 4 d_y)`` (one block, and the same total split over 4 blocks) and a head of ``2 d_y``.
Every certificate is verified by the trusted kernel.  Columns: the real formula 4K/d_x + 4 d_y, the
budget, the residual units the construction actually uses (trapezoid, 4 per group; hat, 3 per group), the
head units used (2 per class boundary), the largest weight in bits, build and verification times.

Usage: python benchmarks/resnet_table.py [--cifar]   (``--cifar`` adds K = 3125, d_x = 192, d_y = 10: the
CIFAR-10 ratio N/d_x = 50000/3072 exactly, about 5 minutes)
"""

from __future__ import annotations

import argparse
import io
import os
import random
import tempfile
import time
from fractions import Fraction

from ftcexact.certificate import make_certificate, write_json_atomic
from ftcexact.constructions.ysj_resnet import resnet_bound, ysj_resnet
from ftcexact.dataset import Dataset
from ftcexact.kernel import verify
from ftcexact.kernel.numbers import Q

GRID = [(10, 2, 2), (50, 2, 3), (100, 4, 2), (100, 10, 10), (200, 8, 4), (500, 16, 10), (1000, 32, 10),
        (262, 16, 10), (2000, 64, 10)]


def dataset(K, d, dy, seed=0):
    rng = random.Random(f"{K}:{d}:{dy}:{seed}")
    xs = tuple(tuple(Q(rng.randint(-1000, 1000)) for _ in range(d)) for _ in range(K))
    return Dataset(xs, tuple(tuple(Q(int(j == i % dy)) for j in range(dy)) for i in range(K)))


def row(K, d, dy, blocks):
    ds = dataset(K, d, dy)
    total = resnet_bound(K, d, dy)
    widths = [total // blocks + (1 if i < total % blocks else 0) for i in range(blocks)]
    t = time.perf_counter()
    net, info = ysj_resnet(ds, widths=widths)
    build = time.perf_counter() - t
    hat = ysj_resnet(ds, widths=widths, gadget="hat")[1]["active_units"][0]
    cert = make_certificate(ds, net, construction="ysj-resnet", statement="ysj_resnet")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "c.json")
        write_json_atomic(cert, path)
        t = time.perf_counter()
        code = verify.run(path, out=io.StringIO(), err=io.StringIO())
        check = time.perf_counter() - t
    bits = max(max(abs(v.numerator).bit_length(), v.denominator.bit_length())
               for U, b, V, c in list(net.blocks) + [net.head] for part in (U, V) for r in part for v in r)
    formula = Fraction(4 * K, d) + 4 * dy
    used, head_used = info["active_units"]
    return (f"| {K} | {d} | {dy} | {float(formula):.2f} | {blocks} | {total} | {2 * dy} | {total + 2 * dy} | "
            f"{used} | {hat} | {head_used} | {cert['claim'].get('statement', '-')} "
            f"{'VERIFIED' if code == 0 else 'NOT VERIFIED'} | {bits} | {build:.1f} | {check:.1f} |")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cifar", action="store_true")
    args = p.parse_args()
    print("| K | d_x | d_y | 4K/d_x + 4 d_y | blocks | residual budget | head 2 d_y | total | residual used "
          "(trapezoid) | (hat) | head used | kernel | max weight bits | build s | verify s |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    grid = GRID + ([(3125, 192, 10)] if args.cifar else [])
    for K, d, dy in grid:
        for blocks in ((1,) if (K, d) == (3125, 192) else (1, 4)):
            print(row(K, d, dy, blocks), flush=True)


if __name__ == "__main__":
    main()
