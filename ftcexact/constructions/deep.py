"""[FTC] Proposition 6.1: an L-layer fine-tuning network of small width.

Split T (in the sorted order) into ``P = floor((L - 1) / 2)`` consecutive parts
``T_1, ..., T_P`` of balanced size (``|T_i| <= ceil(N / P) <= N / P + 1``), build
a three-layer block ``g_i`` that fine-tunes ``T_i`` alone (targets ``z`` on
``T_i``, 0 everywhere else), and stack the blocks in depth with the [YSJ]
Figure 2 carries (:func:`ftcexact.constructions.ysj.stack_blocks`): one
carry for ``t`` and one for the running sum.  Since every block is 0 off its
part, the sum fine-tunes all of T.

Block ``i`` is the U3 network on ``T_i`` (width ``max(2R, 4U)``), or the U1
network when that is narrower (the paper's ``min{sqrt(3|T_i| + 2), sqrt(K)}``).
Fewer than P blocks are used when ``N < P`` (empty parts have no block); the
remaining layers carry the sum.  The running sum at the data lies in
``{0} u {z_i}``, so the shift ``max(0, -min z)`` keeps its carry exact.

Vector targets (``d_y > 1``): T is the set of points with any nonzero
coordinate; each block is the vector U3 (shared windows, sL units per output
coordinate) or the vector U1, and the sum carry has ``d_y`` units (shift
``max(0, -min_{i,j} z_ij)``), so the carries are ``2 (blocks - 1) + d_y (L - 3)``.

The recipe's total (blocks' recipe counts plus carries) is reported as
``bound``; the registry statement of Proposition 6.1 checks the maximum width
against the printed formula, which is about scalar labels: for ``d_y > 1`` the
certificate names no statement and claims only that g fits with its neurons.
"""

from __future__ import annotations

from decimal import Decimal, getcontext

from ..kernel.numbers import Q, format_rational
from .gadgets import ConstructionError
from .three_layer import u1_bound, u3_bound, u3_prepared, zero_network
from .ysj import _balanced_chunks, memorize_prepared, prepare, stack_blocks, ysj_layout

__all__ = ["deep_network", "proposition_6_1_width"]

ZERO = Q(0)


def proposition_6_1_width(N, K, L):
    """The width bound of Proposition 6.1 as printed and as its proof (eq. 36) gives, as decimals.

    As printed: ``4 min{sqrt(3N / sqrt(floor((L-1)/2)) + 5), sqrt(K)} + 2``;
    proof: ``4 min{sqrt(3N / floor((L-1)/2) + 5), sqrt(K)} + 2``.  Report only.

    Examples
    --------
    >>> proposition_6_1_width(100, 1000, 5)
    ('60.9416', '51.7995')
    """
    getcontext().prec = 40
    P = Decimal((L - 1) // 2)
    printed = 4 * min((3 * Decimal(N) / P.sqrt() + 5).sqrt(), Decimal(K).sqrt()) + 2
    proof = 4 * min((3 * Decimal(N) / P + 5).sqrt(), Decimal(K).sqrt()) + 2
    return tuple(str(v.quantize(Decimal("0.0001"), rounding="ROUND_FLOOR")) for v in (printed, proof))


def deep_network(ds, layers=None):
    """Proposition 6.1: an ``L``-layer network fine-tuning T, built from U3 (or U1) blocks.

    Parameters
    ----------
    ds : Dataset
        Any number of output coordinates ``d_y``.
    layers : int
        ``L >= 3`` affine layers (Proposition 6.1 is stated for ``L >= 4``;
        ``L = 3`` is a single U3/U1 block).

    Examples
    --------
    >>> from ftcexact.dataset import random_dataset
    >>> from ftcexact.network import evaluate
    >>> ds = random_dataset(d=3, K=60, N=12, seed=2)
    >>> net, info = deep_network(ds, layers=7)
    >>> net.depth, net.neurons <= info["bound"], evaluate(net, ds.x) == list(ds.targets)
    (7, True, True)
    >>> from ftcexact.dataset import Dataset
    >>> ds2 = Dataset(ds.x, tuple((v, 1 - 2 * v if v else v) for (v,) in ds.targets))   # d_y = 2
    >>> net, info = deep_network(ds2, layers=7)
    >>> net.depth, net.neurons <= info["bound"], info["paper_bounds"]["carry neurons"], evaluate(net, ds2.x) == list(ds2.targets)
    (7, True, 12, True)

    References
    ----------
    Sohn et al. 2024, Proposition 6.1 and Appendix B (eq. 36); Yun et al. 2019, Figure 2.
    """
    if layers is None or layers < 3:
        raise ConstructionError("Proposition 6.1: give --layers L with L >= 3 (each block needs two hidden layers)")
    a, ts, zs, _ = prepare(ds)
    n, N, dy = len(ts), ds.N, ds.dy
    P = (layers - 1) // 2
    printed, proof = proposition_6_1_width(N, ds.K, layers)
    paper = {"Prop. 6.1 width, as printed": printed, "Prop. 6.1 width, proof (eq. 36)": proof}
    statement = f"Sohn et al. 2024, Proposition 6.1 (L = {layers} layers, {P} blocks)"
    if N == 0:
        return zero_network(ds.d, dy), {"statement": statement, "bound": 0, "paper_bounds": paper,
                                        "direction": [format_rational(v) for v in a]}
    zero = (ZERO,) * dy
    Tpos = [p for p, z in enumerate(zs) if any(z)]
    parts = [[Tpos[i] for i in chunk] for chunk in _balanced_chunks(len(Tpos), P)]
    blocks, kinds, bound, widths = [], [], 0, []
    for part in parts:
        inside = set(part)
        zpart = [z if p in inside else zero for p, z in enumerate(zs)]
        net3, details = u3_prepared(a, ts, zpart)
        w3 = max(2 * details["windows"], 4 * details["sl_units"] * details["outputs_with_units"])
        R, Pu = ysj_layout(n, dy)
        w1 = max(2 * R, 2 * Pu * dy)
        if w1 < w3:
            net1, _ = memorize_prepared(a, ts, zpart)
            blocks.append(net1)
            kinds.append("U1")
            bound += u1_bound(n, dy)
            widths.append(w1)
        else:
            blocks.append(net3)
            kinds.append("U3")
            bound += u3_bound(len(details["J"]), dy)
            widths.append(w3)
    shift = max(ZERO, -min(v for z in zs for v in z))
    net = stack_blocks(a, blocks, layers, ts, sum_shift=shift)
    carries = 2 * (len(blocks) - 1) + dy * (layers - 3)
    info = {
        "statement": statement, "bound": bound + carries,
        "paper_bounds": dict(paper, **{"blocks' recipe neurons": bound, "carry neurons": carries}),
        "direction": [format_rational(v) for v in a],
        "parts": [len(p) for p in parts], "blocks": kinds,
        "max_width": max(net.widths, default=0), "sum_shift": format_rational(shift),
    }
    return net, info
