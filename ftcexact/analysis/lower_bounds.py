"""Lower bounds on the number of neurons by piece counting.

Put the data on a line; every interpolant then needs at least ``p`` affine
pieces (:func:`ftcexact.analysis.interpolation.min_pieces`), while a network
of a given architecture with ``m`` neurons has at most ``limit(m)`` pieces on
any line.  So ``m >= min{m : limit(m) >= p}``.  This module builds the
adversarial datasets of the proofs, the architecture limits, and
lower-bound certificates that :mod:`ftcexact.kernel.verify` re-checks with its
own piece-counting code.
"""

from __future__ import annotations

from ..dataset import Dataset, dataset_to_json
from ..kernel.numbers import Q, format_rational
from ..kernel.claims import LIMITS, LOWER_STATEMENTS
from ..kernel.verify import FORMAT, VERSION
from .interpolation import min_pieces
from .three_layer_pieces import piece_maximum

__all__ = ["ftc_lower_bound_dataset", "ftc_figure_3_dataset", "ysj_theorem_3_3_dataset",
           "two_layer_max_pieces", "three_layer_max_pieces", "three_layer_product_max_pieces",
           "ysj_three_layer_max_pieces", "ARCHITECTURES", "max_pieces", "neurons_needed",
           "lower_bound_certificate"]


def _line_dataset(z):
    return Dataset(tuple((Q(i),) for i in range(1, len(z) + 1)), tuple((Q(v),) for v in z))


def ftc_lower_bound_dataset(N, K):
    """An adversarial dataset on a line needing ``min{3N, K-2} + 1`` pieces.

    For ``K >= 3N + 2`` this is the family of §4.1: ``x_i = i``,
    ``T = {3, 6, ..., 3N}``, ``z_i = 2`` for ``i = 6k``, ``-1`` for
    ``i = 6k - 3``.  For ``N <= K < 3N + 2`` the paper shows only an example;
    the general revision here spreads the ``K - N`` unchanged points from the
    left in runs of at most two between the changed ones, and sets ``z_i = +1``
    at odd and ``-1`` at even changed positions.  Then every interior point is
    a kink and consecutive kinks alternate in sign (an even interior point is
    a strict valley, an odd one a strict peak, because every unchanged interior
    point has a changed neighbour of the right sign), so no breakpoint can be
    shared and ``K - 1`` pieces are needed.  The piece count is not trusted:
    tests recompute it with :func:`min_pieces` for every ``N <= K <= 20``.

    Examples
    --------
    >>> ds = ftc_lower_bound_dataset(2, 8)
    >>> ds.T, [format_rational(z[0]) for z in ds.targets]
    ([3, 6], ['0', '0', '-1', '0', '0', '2', '0', '0'])
    >>> min_pieces([x[0] for x in ds.x], [z[0] for z in ds.targets])[0]
    7

    References
    ----------
    Sohn et al. 2024, §4.1 (proof of Theorem 4.1, lower bound).
    """
    if not 0 <= N <= K:
        raise ValueError(f"need 0 <= N <= K, got N = {N}, K = {K}")
    if K >= 3 * N + 2:
        return _line_dataset([(2 if i % 6 == 0 else -1 if i % 6 == 3 else 0) if i <= 3 * N else 0
                              for i in range(1, K + 1)])
    zeros, z = K - N, []
    for _ in range(N):
        run = min(2, zeros)
        z += [0] * run
        zeros -= run
        z.append(1 if (len(z) + 1) % 2 else -1)
    return _line_dataset(z + [0] * zeros)


def ftc_figure_3_dataset(N):
    """The paper's own example for ``K = 2N + 1`` (§4.1, Figure 3).

    ``x_i = i``, ``T = {2, 4, ..., 2N}``, ``z_i = 2`` for ``i = 4k``, ``-1``
    for ``i = 4k - 2``, 0 elsewhere.  The paper states that it needs
    ``K - 1`` pieces; :func:`min_pieces` computes the true number.

    Examples
    --------
    >>> [format_rational(z[0]) for z in ftc_figure_3_dataset(2).targets]
    ['0', '-1', '0', '2', '0']

    References
    ----------
    Sohn et al. 2024, §4.1 and Figure 3.
    """
    return _line_dataset([2 if i % 4 == 0 else -1 if i % 4 == 2 else 0 for i in range(1, 2 * N + 2)])


def ysj_theorem_3_3_dataset(N):
    """``N`` points ``x_i = i`` with alternating labels ``(-1)^i``: every interpolant needs ``N - 1`` pieces.

    Examples
    --------
    >>> ds = ysj_theorem_3_3_dataset(5)
    >>> min_pieces([x[0] for x in ds.x], [z[0] for z in ds.targets])[0]
    4

    References
    ----------
    Yun et al. 2019, Theorem 3.3.
    """
    return _line_dataset([(-1) ** i for i in range(1, N + 1)])


def two_layer_max_pieces(m):
    """At most ``m + 1`` pieces on a line for one hidden layer of ``m`` ReLUs.

    On a line ``t -> W2 relu(W1 (p + t u) + b1) + b2`` is a sum of ``m``
    functions ``c_k relu(a_k t + beta_k)`` plus a constant; each has at most
    one breakpoint (at ``-beta_k / a_k``, none if ``a_k = 0``), so the sum has
    at most ``m`` breakpoints and ``m + 1`` pieces.

    References
    ----------
    Sohn et al. 2024, proof of Theorem 4.1; Yun et al. 2019, Theorem 3.3.
    """
    return m + 1


def three_layer_max_pieces(d1, d2):
    """The exact maximum number of pieces on a line for hidden widths ``(d1, d2)`` (proven).

    ``1`` if ``d1`` or ``d2`` is 0; ``d1 (d2 + 1) + 1`` if ``d1 <= 2``; ``d1 + 2 + ceil(d1/2)`` if
    ``d1 >= 3`` and ``d2 = 1``; ``(d1 + 1)(d2 + 1)`` if ``d1 >= 3`` and ``d2 >= 2``.  No network
    exceeds it and a certified network attains it (docs/theorems/three-layer-pieces.md;
    :func:`ftcexact.analysis.three_layer_pieces.piece_maximum`).  It never exceeds the product
    count :func:`three_layer_product_max_pieces` (equal to it when ``d1 >= 3, d2 >= 2``), and is
    below [YSJ]'s ``2 d1 d2 + d2 + 1`` whenever ``d1, d2 >= 1``.

    Examples
    --------
    >>> three_layer_max_pieces(3, 3), three_layer_product_max_pieces(3, 3), ysj_three_layer_max_pieces(3, 3)
    (16, 16, 22)
    >>> three_layer_max_pieces(2, 2), three_layer_product_max_pieces(2, 2), ysj_three_layer_max_pieces(2, 2)
    (7, 9, 11)

    References
    ----------
    docs/theorems/three-layer-pieces.md; Yun et al. 2019, Theorem 3.3 (for the weaker count).
    """
    return piece_maximum(d1, d2)


def three_layer_product_max_pieces(d1, d2):
    """The product count ``(d1 + 1)(d2 + 1)`` (1 if ``d1`` or ``d2`` is 0): a valid, simpler upper bound.

    The first hidden layer is affine on each of at most ``d1 + 1`` intervals.
    On each interval a second-layer pre-activation is affine, so it changes
    sign at most once inside it and its ReLU adds at most one breakpoint there:
    at most ``d1 + 1`` per second-layer neuron.  The output is linear in the
    second layer, so its breakpoints are among these: at most
    ``d1 + d2 (d1 + 1)`` breakpoints, ``(d1 + 1)(d2 + 1)`` pieces.  This is the
    limit the kernel's ``LIMITS["three-layer"]`` uses (until it adopts
    :func:`three_layer_max_pieces`); it is exact for ``d1 >= 3, d2 >= 2`` only.

    Examples
    --------
    >>> three_layer_product_max_pieces(1, 1), three_layer_max_pieces(1, 1)
    (4, 3)
    """
    return (d1 + 1) * (d2 + 1) if d1 and d2 else 1


def ysj_three_layer_max_pieces(d1, d2):
    """[YSJ]'s bound ``2 d1 d2 + d2 + 1`` on the pieces of a two-hidden-layer network on a line.

    Taken from the paper as stated; a valid upper bound, but never attained when ``d1, d2 >= 1``
    (:func:`three_layer_max_pieces` is the exact maximum).

    References
    ----------
    Yun et al. 2019, proof of Theorem 3.3; used by Sohn et al. 2024, Theorem 5.1.
    """
    return 2 * d1 * d2 + d2 + 1


#: Architectures of lower-bound certificates (the names the kernel's LIMITS knows) -> description.
ARCHITECTURES = {
    "two-layer": "one hidden layer, at most m + 1 pieces",
    "three-layer": "two hidden layers d1 + d2 = m, at most the proven maximum P(d1, d2) pieces "
                   "(docs/theorems/three-layer-pieces.md)",
    "three-layer-product": "two hidden layers d1 + d2 = m, at most max (d1 + 1)(d2 + 1) pieces",
    "three-layer-ysj": "two hidden layers d1 + d2 = m, at most max 2 d1 d2 + d2 + 1 pieces (Yun et al.)",
}

_SPLIT_LIMITS = {"three-layer": three_layer_max_pieces, "three-layer-product": three_layer_product_max_pieces,
                 "three-layer-ysj": ysj_three_layer_max_pieces}


def max_pieces(architecture, m):
    """Most pieces on a line of any network with ``m`` neurons of the architecture (all splits).

    ``"three-layer"`` is the proven exact maximum (:func:`three_layer_max_pieces`);
    ``"three-layer-product"`` the older product count and ``"three-layer-ysj"`` [YSJ]'s count,
    both kept for comparison.

    Examples
    --------
    >>> [max_pieces("three-layer", m) for m in range(7)]
    [1, 1, 3, 5, 7, 12, 16]
    >>> max_pieces("two-layer", 5), max_pieces("three-layer-product", 4), max_pieces("three-layer-ysj", 4)
    (6, 9, 11)
    """
    if architecture == "two-layer":
        return two_layer_max_pieces(m)
    limit = _SPLIT_LIMITS[architecture]
    return max(limit(d1, m - d1) for d1 in range(m + 1))


def neurons_needed(architecture, pieces):
    """Least ``m`` whose architecture limit reaches ``pieces`` (a lower bound on the width).

    Examples
    --------
    >>> neurons_needed("two-layer", 13), neurons_needed("three-layer", 13), neurons_needed("three-layer-ysj", 13)
    (12, 6, 5)
    >>> neurons_needed("three-layer", 4), neurons_needed("three-layer-product", 4)
    (3, 2)
    """
    m = 0
    while max_pieces(architecture, m) < pieces:
        m += 1
    return m


def witness_json(f, ts):
    """A piecewise-linear witness as vertices and end slopes (the certificate's form)."""
    vertices = list(f.breakpoints) or [ts[0]]
    return {"vertices": [format_rational(t) for t in vertices],
            "values": [format_rational(f(t)[0]) for t in vertices],
            "left_slope": format_rational(f.slopes[0][0]), "right_slope": format_rational(f.slopes[-1][0])}


def lower_bound_certificate(ds, architecture, statement=None):
    """A lower-bound certificate for a dataset on a line (1-D inputs, scalar labels).

    ``statement`` is a lower-bound statement id of the claim registry
    (:data:`ftcexact.kernel.claims.LOWER_STATEMENTS`), claimed only when the
    certified bound reaches what it promises; any other text is kept as a
    note in the hints.

    Examples
    --------
    >>> cert = lower_bound_certificate(ftc_lower_bound_dataset(4, 14), "two-layer", "ftc_thm_4_1_lower")
    >>> cert["claim"]["bound"], cert["claim"]["statement"]
    (12, 'ftc_thm_4_1_lower')
    """
    from ..kernel.claims import lower_statement_bound
    if ds.d != 1 or ds.dy != 1:
        raise ValueError("lower bounds by piece counting need 1-D inputs and scalar labels")
    ts, vs = [x[0] for x in ds.x], [z[0] for z in ds.targets]
    p, f = min_pieces(ts, vs)
    bound = neurons_needed(architecture, p)
    claim = {"architecture": architecture, "N": ds.N, "K": ds.K, "min_pieces": p, "bound": bound}
    hints = {"limit": LIMITS[architecture][1]}
    if statement in LOWER_STATEMENTS:
        promised = lower_statement_bound(statement, architecture, ds.N, ds.K)
        if promised is not None and bound >= promised:
            claim["statement"] = statement
        else:
            hints["statement_not_claimed"] = f"{statement}: needs {promised}, this dataset certifies {bound}"
    elif statement:
        hints["note"] = statement
    return {"format": FORMAT, "version": VERSION, "kind": "lower-bound", "claim": claim,
            "dataset": dataset_to_json(ds), "witness": witness_json(f, sorted(ts)), "hints": hints}
