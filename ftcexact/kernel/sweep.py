"""Exact values of a network at many points: restrictions to lines, chained at rank-one layers.

If every first-layer row of a feed-forward network ``g`` is a multiple of ``w``,
``g(x) = G(w.x)`` with ``G`` from :func:`.evaluate.restrict_to_direction`.  If
every row of a later hidden layer ``l`` is a multiple ``beta_k v`` of one
vector ``v`` (:func:`.evaluate.rank_one`, recomputed and checked entry by entry,
never read), its pre-activation is ``beta_k u + b_k`` with the scalar
``u = v . h``, so ``g = G2(G1(w.x))``: ``G1`` restricts the layers before ``l``
followed by the linear row ``v``; ``G2`` restricts layers ``l, l+1, ...`` with
first-layer scalars ``beta`` (split again at its own rank-one layers).  Each
stage has the caps and work budget of one restriction.  [YSJ] Proposition 3.2
is the case in point: its third hidden layer reads only the memorizer's
output, so ``G1`` has one form on each of about ``N`` pieces and ``G2`` at most
``4 d_y + 1`` pieces of ``d_y`` forms, of which a piece keeps the nonzero ones.

*Sizes.*  :func:`.evaluate.check_size` needs each layer over one common denominator (for [YSJ]'s
second layer, whose rows have unrelated denominators, it refuses, though the sweep's values stay
small).  The sweep measures instead: its budget charges the forms' bits before each layer and the
arithmetic of the affine maps as it is done, and with ``M_k`` the largest bits (numerator plus
denominator) of stage ``k``'s forms, the values of stage ``k`` have at most ``B_k = 3 M_k + 2 B_{k-1} + 1``
bits from inputs of ``B_0 = 64`` bits, which must stay within ``MAX_VALUE_BITS`` (the bound that
``check_size(g, 64)`` gives the dense path).  Why: for ``a = p/q``, ``c = r/t``, ``s = u/v``,
``a s + c = (p u t + r q v) / (q v t)``; the numerator has at most ``max(p + u + t, r + q + v) + 1`` bits
and the denominator ``q + v + t``, so the sum is at most ``3 M + 2 B + 1`` (each of ``p + q``, ``r + t``
is at most ``M``, ``u + v`` at most ``B``).
"""

from __future__ import annotations

import sys
from bisect import bisect_right
from math import fsum
from operator import mul

from .evaluate import TooManyPieces, check_size, clear_denominators, evaluate_dense, first_layer_direction, \
    input_bits, MAX_VALUE_BITS, rank_one, restrict_to_direction, sweep_budget
from .numbers import Q

__all__ = ["Sweep", "stages", "float_dot", "FLOAT_DOT_OK"]
ZERO = Q(0)


def _float_dot_self_test():
    """CPython's fsum must round correctly in IEEE binary64 (no x87 double rounding) for :func:`float_dot`."""
    return sys.float_info.mant_dig == 53 and sys.float_info.radix == 2 and fsum([1e16, 1.0, -1e16]) == 1.0 \
        and 1e16 + 2.9999 == 1.0000000000000002e16 and fsum([2.0**-149, 1.0, -1.0]) == 2.0**-149


FLOAT_DOT_OK = _float_dot_self_test()


def float_dot(w, row):
    """The exact ``sum_j w_j x_j`` as a float, or None when this cannot be shown; integer ``w_j`` (as floats)
    with ``|w_j| < 2^29`` and float32 values ``x_j`` (as Python floats).

    Why it is exact.  A float32 value is ``m 2^e`` with ``|m| < 2^24`` and
    ``e >= -149``; times an integer below ``2^29`` it is ``m' 2^e`` with
    ``|m'| < 2^53``, a float64 with no rounding (and far from over- or
    underflow: ``2^-149 <= |p| < 2^157``).  So every product ``p_j`` is exact
    and a multiple of ``2^-149``.  ``S = fsum(p)`` is ``sum p`` rounded to
    nearest (CPython's fsum keeps exact partial sums with error-free
    transformations and rounds once, given IEEE binary64 arithmetic, which
    :data:`FLOAT_DOT_OK` checks at import).  Then ``fsum(p + [-S])`` is
    ``sum p - S`` rounded; it is ``0.0`` only if ``sum p = S``: otherwise
    either ``|S| >= 2^-97``, so ``S`` is a multiple of ``2^-149`` too and the
    difference is a nonzero multiple of ``2^-149``, which rounds to nonzero;
    or ``|sum p| < 2^-96`` is ``k 2^-149`` with ``|k| < 2^53``, a float64, so
    ``S = sum p`` already.  Any non-finite value fails the check.  A caller
    falls back to exact integers whenever None comes back (or the premises
    do not hold), so this only makes the common case fast.
    """
    p = list(map(mul, w, row))
    try:
        total = fsum(p)
        p.append(-total)
        return total if fsum(p) == 0.0 else None
    except (ValueError, OverflowError):  # infinities in the data: the exact path reports them
        return None


def stages(layers, alphas, slopes):
    """The restrictions ``[(bps, sparse forms, outputs, largest bits), ...]`` of ``layers`` (first layer: the scalars
    ``alphas`` and its biases), split at every rank-one hidden layer; raises TooManyPieces past a cap."""
    cut = next((l for l in range(1, len(layers) - 1) if rank_one(layers[l][0])), None)
    if cut is None:
        head, rest = layers, None
    else:
        v, betas = rank_one(layers[cut][0])
        head, rest = layers[:cut] + [((tuple(v),), (ZERO,))], [(None, layers[cut][1])] + layers[cut + 1:]
    bps, forms = restrict_to_direction(head, alphas, slopes, max_work=sweep_budget(head))
    bits = max((v.numerator.bit_length() + v.denominator.bit_length() for A, B in forms for v in A + B), default=0)
    sparse = [[(j, a, c) for j, (a, c) in enumerate(zip(A, B)) if a or c] for A, B in forms]
    return [(bps, sparse, len(head[-1][1]), bits)] + (stages(rest, betas, slopes) if rest else [])


class Sweep:
    """Exact values of g at blocks of points: the one-direction stages when they apply, else dense."""

    def __init__(self, g, say):
        self.g, self.bps, self.wf = g, None, None
        one = first_layer_direction(g)
        if one:
            w, alphas = one
            self.w, c = clear_denominators(w, "network.layers[0]")  # read t = (c w).x with integer weights
            self.wf = [float(v) for v in self.w] if FLOAT_DOT_OK and max(map(abs, self.w)) < 2**29 else None
            try:
                self.stages = stages([(None, g.layers[0][1])] + list(g.layers[1:]), [a / c for a in alphas],
                                     g.slopes)
                bits = 64  # as check_size(g, 64): inputs of 64 bits
                for st in self.stages:
                    bits = 3 * st[3] + 2 * bits + 1  # bits(a s + c) <= 3 M + 2 bits(s) + 1 (see the header)
                if bits > MAX_VALUE_BITS:
                    raise TooManyPieces("the stages' values could exceed the cap")
                self.bps = self.stages[0][0]
                say("evaluation: one direction (every first-layer row reads w.x), "
                    + " then ".join(f"{len(s[1])} pieces" for s in self.stages)
                    + (" (split at rank-one layers)" if len(self.stages) > 1 else ""))
            except TooManyPieces:
                say("evaluation: dense (the one-direction restriction needs too much work)")
        else:
            say("evaluation: dense, exact integer products layer by layer")
        if self.bps is None:
            check_size(g, 64)

    def values(self, block):
        """g at every point of a block: a list of ``(values, (S, den))`` with ``w . x = S / den`` (one
        direction), or of values (dense)."""
        if self.bps is None:
            X, den = block.exact()
            check_size(self.g, input_bits(X, den))
            return evaluate_dense(self.g, X, den)
        out, w = [], self.w
        raw = block.float32 if self.wf is not None else None
        for i in range(len(block)):
            total = float_dot(self.wf, raw[i]) if raw is not None else None
            if total is not None:  # the exact sum, a float (float_dot's argument)
                S, den = total.as_integer_ratio()
            else:
                row, den = block.exact_row(i)
                S = sum(map(mul, w, row))  # s = w . x = S / den, integers (map keeps the loop in C)
            v = [Q(S, den)]
            for bps, sparse, n, _ in self.stages:  # each stage reads the first (only) value of the previous one
                s, v = v[0], [ZERO] * n
                for j, a, c in sparse[bisect_right(bps, s)]:
                    v[j] = a * s + c
            out.append((tuple(v), (S, den)))
        return out
