"""[YSJ] ResNet theorem (slides: Theorem 4) with exact rational weights: construction ``ysj-resnet``.

Statement (printed on the slides; the paper's text and proof were not reachable, see
``docs/sources/ysj-details.md`` §(a)): data in general position (no ``d_x + 1`` points on one
affine hyperplane), one-hot labels ``y_i in {0,1}^{d_y}``; a residual network with
``sum_{l<L} d_l >= 4N/d_x + 4 d_y`` hidden nodes in its residual blocks and ``d_L >= 2 d_y`` in
its head memorizes the data.

Construction (**reconstruction**, ysj-details.md §(a), with the choices made explicit)
------------------------------------------------------------------------------------
*Class order.*  The present classes are put in an order ``k = 0, 1, ..., r - 1``; class
``k`` will end with ``w . h`` in the interval ``[lo + T_k, hi + T_k + 1)``, where ``w`` is a
direction (``e_1`` first), ``[lo, hi]`` the range of ``w . x`` on the data and
``T_k = k (hi - lo + 2)``: consecutive intervals are 1 apart.  Class 0 is the class with the
most groups; its points never move (shift 0), so its slabs are never built.

*Groups and slabs.*  The points of every other class are cut into groups of at most ``d_x``
points (``sum_j ceil(N_j / d_x) <= N/d_x + d_y`` groups in all).  A group ``G`` gets an
affine hyperplane ``u . h = beta`` through its points that contains no other point (for
``|G| = d_x`` the unique one; for a smaller group a seeded choice among those through ``G``), so
``s = u . h - beta`` is 0 on ``G`` and ``|s| >= 2 eps`` at every other point, with
``eps = min |s| / 2`` (exact).

*Gadget.*  ``trapezoid`` (the reconstruction, 4 units): weights ``(1, -1, -1, 1)`` at offsets
``(2 eps, eps, -eps, -2 eps)``; ``sum_k a_k s(s + o_k)`` equals ``(S+ - S-) eps`` on ``[-eps, eps]``
and 0 for ``|s| >= 2 eps``, for every activation ``max{S+ t, S- t}`` (the ``S-`` parts cancel
because ``sum a_k = sum a_k o_k = 0``).  ``hat`` (ours, 3 units): weights ``(1, -2, 1)`` at
``(eps, 0, -eps)`` with ``eps = min |s|``: ``(S+ - S-) (eps - |s|)`` on ``[-eps, eps]``, 0
outside; exact because the group's points lie exactly on the hyperplane.  The units of ``G``
write ``rho v`` (``rho = m / ((S+ - S-) eps)``, ``w . v = 1``): ``G``'s points move by ``m v``, so
``w . h`` grows by the group's shift ``m = T_k + tau`` (``tau`` a seeded rational in ``[0, 1)``),
and every other point stays.

*Blocks.*  The units are laid out in order over the residual blocks of the given widths.  All
units of a group in one block read the same ``h``.  A group split over several blocks reads
``h`` at several depths; it stays exact if (i) its own direction ``v`` is orthogonal to its
normal ``u`` (its partial sums, which move many points, then never change its own ``s``), and
(ii) every group that completes in the block where a split group ``G+`` starts moves along a
``v`` orthogonal to ``u_{G+}``.  A group whose units share a block with the end of a split group
reads positions displaced along that group's ``v``: its hyperplane is computed through the
displaced points.  Each group carries at most 2 orthogonality constraints, so any split of the
widths works for ``d_x >= 3``; for ``d_x = 2`` a split group may not be followed by another split
in its last block, and for ``d_x = 1`` no group is split (the scheduler then skips the rest of a
block, and refuses if the widths no longer hold all groups).  Positions where a moved point would
land exactly on a later hyperplane are avoided by a retry with other seeded ``tau`` (and ``w``).

*Head (2 units per step).*  ``step_k = (s(w.h - theta_k) - s(w.h - theta_k - 1) - S-)/(S+ - S-)``
is 0 up to ``theta_k = hi + T_{k-1} + 1`` and 1 from ``theta_k + 1``; the output of class
``order[k]`` is ``step_k - step_{k+1}`` (``1 - step_1`` for ``k = 0``, ``step_{r-1}`` for the last).
So ``2 (r - 1) <= 2 d_y - 2`` head units are used.

*Counts.*  Active residual units ``n_u (G - G_0)`` (``n_u`` = 4 or 3, ``G_0`` the groups of class 0)
``<= 4 (N/d_x + d_y)``.  The network has exactly the requested widths (default: the theorem's
bound ``4 d_y + ceil(4K/d_x)`` in ``L - 1`` blocks and ``2 d_y`` in the head); units the
construction does not need have zero weights (the statement is about networks of these widths).

General position: what is checked
---------------------------------
The printed condition quantifies over all ``C(N, d_x + 1)`` subsets.  The construction relies on
fewer: for every group it moves, that the group's points are affinely independent and that no
other data point lies on its hyperplane (``|G| = d_x``) or in its affine hull (``|G| < d_x``).
These are checked exactly before building (an exact nullspace and one dot product per point);
a failure names ``d_x + 1`` points on one affine hyperplane (a violation of the printed
condition) or, when ``N <= d_x`` (where the printed condition is vacuous), the affinely
dependent points.  :func:`general_position_violation` checks the full condition exhaustively
(small instances, tests).

References
----------
Yun, Sra, Jadbabaie 2019, the ResNet theorem (slides: Theorem 4); docs/sources/ysj-details.md §(a).
"""

from __future__ import annotations

import random
from itertools import combinations
from math import gcd, lcm

from ..kernel.evaluate import activation_slopes
from ..kernel.numbers import Q, _flint, denominator, format_rational, int_matmul, numerator
from ..resnet import ResNet
from .gadgets import ConstructionError, reduced_row_echelon

__all__ = ["ysj_resnet", "resnet_bound", "resnet_condition", "affine_nullspace", "general_position_violation",
           "GADGETS", "schedule_units"]

ZERO, ONE = Q(0), Q(1)

#: gadget -> (weights a_k, offsets o_k in units of eps, clearance c: other points need |s| >= c eps)
GADGETS = {"trapezoid": ((1, -1, -1, 1), (2, 1, -1, -2), 2), "hat": ((1, -2, 1), (1, 0, -1), 1)}
MAX_ATTEMPTS = 20


def _decimal(q, digits=4):
    """``q >= 0`` rounded down to ``digits`` decimals."""
    whole = numerator(q * 10 ** digits) // denominator(q * 10 ** digits)
    return f"{whole // 10 ** digits}.{whole % 10 ** digits:0{digits}d}"


class _Degenerate(Exception):
    """A position that a different seeded choice avoids (never a property of the data)."""


# ---------------------------------------------------------------- counting

def resnet_bound(K, d, dy):
    """The least integer ``S`` with ``S >= 4K/d + 4 d_y``, i.e. ``4 d_y + ceil(4K/d)``.

    Examples
    --------
    The slides' CIFAR-10 arithmetic (N = 50 000, d_x = 3072, d_y = 10): 106 residual nodes and
    ``2 d_y = 20`` in the head, 126 in all.

    >>> resnet_bound(50_000, 3072, 10), resnet_bound(50_000, 3072, 10) + 2 * 10
    (106, 126)
    """
    return 4 * dy + -(-4 * K // d)


def resnet_condition(widths, head, K, d, dy):
    """The theorem's condition: ``d * sum(widths) >= 4K + 4 d_y d`` and ``head >= 2 d_y`` (exact integers)."""
    return d * sum(widths) >= 4 * K + 4 * dy * d and head >= 2 * dy


# ---------------------------------------------------------------- exact linear algebra

def _int_rows(rows):
    out = []
    for row in rows:
        m = lcm(1, *(denominator(v) for v in row))
        out.append([numerator(v * m) for v in row])
    return out


def affine_nullspace(rows, d):
    """An integer basis of ``{n in Q^d : r . n = 0 for every row r}`` (rows of rationals).

    Examples
    --------
    >>> [[abs(v) for v in b] for b in affine_nullspace([[Q(1), Q(1), Q(0)]], 3)]
    [[1, 1, 0], [0, 0, 1]]
    """
    if not rows:
        return [[int(i == j) for j in range(d)] for i in range(d)]
    A = _int_rows(rows)
    if _flint is not None:  # FLINT's exact integer nullspace (optional dependency), primitive vectors
        X, nullity = _flint.fmpz_mat(len(A), d, [v for row in A for v in row]).nullspace()
        basis = [[int(X[i, j]) for i in range(d)] for j in range(nullity)]
        return [[v // g for v in b] for b in basis for g in [gcd(*b) or 1]]
    # reduced row echelon form over Q, then one basis vector per free column
    M = [[Q(v) for v in row] for row in A]
    pivots = reduced_row_echelon(M, d)
    basis = []
    for free in (c for c in range(d) if c not in pivots):
        vec = [ZERO] * d
        vec[free] = ONE
        for i, c in enumerate(pivots):
            vec[c] = -M[i][free]
        basis.append(_int_rows([vec])[0])
    return basis


def _affine_dim(points):
    """Dimension of the affine hull of the points."""
    d = len(points[0])
    return d - len(affine_nullspace([[a - b for a, b in zip(p, points[0])] for p in points[1:]], d))


def _dot(u, x):
    return sum((a * b for a, b in zip(u, x) if a), ZERO)


_INT_ROWS = {}  # id(row) -> (row, denominator, integer row); rows of positions are never changed in place


def _int_row(q):
    hit = _INT_ROWS.get(id(q))
    if hit is None or hit[0] is not q:
        m = lcm(1, *(v.denominator for v in q))
        hit = _INT_ROWS[id(q)] = (q, m, [int(v.numerator) * (m // int(v.denominator)) for v in q])
    return hit[1], hit[2]


def _dots(u, points):
    """``[u . q for q in points]`` for an integer vector ``u``: one integer matrix product."""
    if not points:
        return []
    rows = [_int_row(q) for q in points]
    cols = [list(col) for col in zip(*(r for _, r in rows))]
    return [Q(t, m) for t, (m, _) in zip(int_matmul([list(u)], cols)[0], rows)]


class _Flat(Exception):
    def __init__(self, other=None):
        self.other = other  # index into the 'others' list lying in the group's affine hull; None: group dependent


def _plane(pts, others, rng):
    """``(u, beta, s)``: ``u . p = beta`` on ``pts``, ``s[j] = u . others[j] - beta`` all nonzero.

    Raises :class:`_Flat` when the points are affinely dependent or another point is in their
    affine hull (no such hyperplane exists).
    """
    d = len(pts[0])
    p0 = pts[0]
    basis = affine_nullspace([[a - b for a, b in zip(p, p0)] for p in pts[1:]], d)
    if len(basis) != d - len(pts) + 1:
        raise _Flat(None)
    for attempt in range(64):
        if len(basis) == 1:
            u = basis[0]
        else:  # a seeded combination; each other point rules out a hyperplane of combinations
            coeffs = [1] + [rng.randint(-(2 ** (attempt // 4 + 3)), 2 ** (attempt // 4 + 3)) for _ in basis[1:]]
            u = [sum(c * b[j] for c, b in zip(coeffs, basis)) for j in range(d)]
        beta = _dot(u, p0)
        s = [t - beta for t in _dots(u, others)]
        zero = [j for j, v in enumerate(s) if not v]
        if not zero:
            return u, beta, s
        for j in zero:  # in the affine hull iff orthogonal to the whole normal space
            if all(not (_dot(b, others[j]) - _dot(b, p0)) for b in basis):
                raise _Flat(j)
        if len(basis) == 1:
            raise _Flat(zero[0])
    raise _Degenerate("no hyperplane through the group found in 64 seeded tries")


def general_position_violation(points):
    """``d + 1`` of the points on one affine hyperplane (indices, 0-based), or None; exhaustive.

    For fewer than ``d + 1`` points the printed condition is vacuous; then the points are checked
    for affine independence (None if independent, else all their indices).  Cost ``C(N, d + 1)``
    rank computations: for small instances.

    Examples
    --------
    >>> general_position_violation([(Q(0), Q(0)), (Q(1), Q(0)), (Q(0), Q(1)), (Q(2), Q(-1))])
    (1, 2, 3)
    """
    d = len(points[0])
    if len(points) <= d:
        return None if _affine_dim(points) == len(points) - 1 else tuple(range(len(points)))
    for combo in combinations(range(len(points)), d + 1):
        if _affine_dim([points[i] for i in combo]) < d:
            return combo
    return None


def _violation(group, extra, n_points, d, pts, order):
    """A named violation: ``group`` (+ ``extra``) is affinely dependent; pad to ``d + 1`` points."""
    chosen = list(group) + ([extra] if extra is not None else [])
    if n_points < d + 1:
        dim = _affine_dim([pts[i] for i in chosen])
        names = ", ".join(f"x_{order[i]}" for i in chosen)
        return (f"ysj-resnet: {names} lie on an affine subspace of dimension {dim} < {len(chosen) - 1}; with "
                f"N = {n_points} <= d_x = {d} the printed general-position condition is vacuous, but this "
                f"construction needs the points it moves affinely independent")
    for i in range(n_points):  # each added point raises the dimension by at most one
        if len(chosen) == d + 1:
            break
        if i not in chosen:
            chosen.append(i)
    names = ", ".join(f"x_{order[i]}" for i in sorted(chosen))
    return (f"ysj-resnet: the data are not in general position: {names} (d_x + 1 = {d + 1} points) lie on one "
            f"affine hyperplane")


# ---------------------------------------------------------------- layout over the blocks

def schedule_units(n_groups, n_u, widths, d):
    """Lay ``n_groups`` groups of ``n_u`` units out over blocks of the given widths.

    Returns ``(placement, start, end, gplus)``: ``placement[l]`` the ``(group, unit)`` pairs of
    block ``l``; ``start[g]``, ``end[g]`` the first and last block of group ``g``; ``gplus[g]``
    the split group that starts in block ``end[g]`` (or None).  A group that does not fit in the
    rest of a block is split over blocks only if the later blocks cannot hold all remaining groups
    whole (splits cost weight size: the split group moves orthogonally to its own normal, and the
    groups sharing its last block read displaced positions) and every group then carries at most
    ``d - 1`` orthogonality constraints (see the module docstring); otherwise the rest of the block
    is left unused.

    Raises
    ------
    ConstructionError
        If the widths do not hold all groups.

    Examples
    --------
    >>> placement, start, end, gplus = schedule_units(2, 4, [3, 3, 3], d=3)
    >>> start, end, gplus
    ([0, 1], [1, 2], [1, None])
    >>> schedule_units(2, 4, [6, 4], d=3)[1:3]  # no split needed: two units of block 0 stay unused
    ([0, 1], [0, 1])
    >>> schedule_units(2, 4, [3, 3, 3], d=1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ftcexact.constructions.gadgets.ConstructionError: ysj-resnet: residual widths [3, 3, 3] hold only 0 of 2 ...
    """
    placement = [[] for _ in widths]
    start, end, gplus, cons = [], [], [None] * n_groups, [0] * n_groups
    completing = {}
    l, used = 0, 0

    def fail(g):
        return ConstructionError(f"ysj-resnet: residual widths {list(widths)} hold only {g} of {n_groups} groups "
                                 f"of {n_u} units (a group is split over blocks only when d_x >= 2)")
    for g in range(n_groups):
        while True:
            if l >= len(widths):
                raise fail(g)
            room = widths[l] - used
            if room <= 0:
                l, used = l + 1, 0
                continue
            if room >= n_u:
                placement[l] += [(g, k) for k in range(n_u)]
                used += n_u
                start.append(l)
                end.append(l)
                break
            whole_later = sum(w // n_u for w in widths[l + 1:])
            if d - 1 < 1 or any(cons[y] + 1 > d - 1 for y in completing.get(l, [])) or \
                    whole_later >= n_groups - g:
                l, used = l + 1, 0  # leave the rest of the block: splitting would over-constrain or is not needed
                continue
            if sum(widths[l:]) - used < n_u:
                raise fail(g)
            start.append(l)
            k = 0
            while k < n_u:
                take = min(n_u - k, widths[l] - used)
                placement[l] += [(g, k + i) for i in range(take)]
                k, used = k + take, used + take
                if k < n_u:
                    l, used = l + 1, 0
            end.append(l)
            for y in completing.get(start[g], []):
                cons[y] += 1
                gplus[y] = g
            cons[g] = 1
            break
        completing.setdefault(end[g], []).append(g)
    return placement, start, end, gplus


# ---------------------------------------------------------------- the construction

def _one_hot(ds):
    classes = []
    for i, z in enumerate(ds.targets):
        ones = [j for j, v in enumerate(z) if v]
        if len(ones) != 1 or z[ones[0]] != 1:
            raise ConstructionError(f"ysj-resnet: the target of point {i + 1} is not one-hot (the theorem is about "
                                    "one-hot labels y_i in {0,1}^{d_y})")
        classes.append(ones[0])
    return classes


def _default_widths(K, d, dy, layers):
    L = 2 if layers is None else layers
    if L < 1:
        raise ConstructionError(f"ysj-resnet: --layers L counts the residual blocks plus the head, L >= 1, not {L}")
    total = resnet_bound(K, d, dy)
    if L == 1:
        return []
    base, extra = divmod(total, L - 1)
    return [base + (1 if i < extra else 0) for i in range(L - 1)]


def ysj_resnet(ds, widths=None, head=None, layers=None, gadget="trapezoid", activation="relu", seed=0):
    """A residual network memorizing one-hot labels: the [YSJ] ResNet theorem.

    Parameters
    ----------
    ds : Dataset
        One-hot targets ``z_i`` (``z = y - f``), inputs in general position.
    widths : list of int, optional
        Residual block widths ``d_1, ..., d_{L-1}``; default: the theorem's bound
        :func:`resnet_bound` split as evenly as possible over ``layers - 1`` blocks.
    head : int, optional
        Head width ``d_L``; default ``2 d_y``.
    layers : int, optional
        ``L`` (residual blocks plus the head), default 2; ignored when ``widths`` is given.
    gadget : {"trapezoid", "hat"}
        4 units per group (the reconstruction) or 3 (ours).
    activation : str
        ``"relu"`` or ``"leaky:S-:S+"`` with ``S+ > S- >= 0``.
    seed : int
        Seed of the generic choices (shifts ``tau``, combinations for small groups).

    Returns
    -------
    (ResNet, dict)
        The network, with exactly the requested widths, and certificate info.

    Raises
    ------
    ConstructionError
        Labels not one-hot, data not in general position (names the points), an activation
        outside the family, or widths that do not hold the groups.

    Examples
    --------
    >>> from ftcexact.dataset import Dataset
    >>> from ftcexact.resnet import evaluate_resnet
    >>> xs = [(Q(0), Q(0)), (Q(1), Q(0)), (Q(0), Q(1)), (Q(1), Q(3)), (Q(3), Q(1)), (Q(2), Q(7))]
    >>> ys = [tuple(Q(int(j == c)) for j in range(3)) for c in (0, 1, 2, 1, 0, 2)]
    >>> ds = Dataset(tuple(xs), tuple(ys))
    >>> net, info = ysj_resnet(ds)
    >>> net.widths, info["active_units"], evaluate_resnet(net, ds.x) == list(ds.targets)
    ([24, 6], [8, 4], True)
    >>> net, info = ysj_resnet(ds, widths=[1] * 24, activation="leaky:1/10:1")
    >>> net.depth, evaluate_resnet(net, ds.x) == list(ds.targets)
    (25, True)

    References
    ----------
    Yun, Sra, Jadbabaie 2019, the ResNet theorem (slides: Theorem 4); docs/sources/ysj-details.md §(a).
    """
    try:
        return _ysj_resnet(ds, widths, head, layers, gadget, activation, seed)
    finally:
        _INT_ROWS.clear()


def _ysj_resnet(ds, widths, head, layers, gadget, activation, seed):
    if gadget not in GADGETS:
        raise ConstructionError(f"ysj-resnet: gadget must be one of {', '.join(GADGETS)}, not {gadget!r}")
    s_neg, s_pos = activation_slopes(activation)
    if not s_pos > s_neg >= 0:
        raise ConstructionError(f"ysj-resnet: the activation must be max{{S+ t, S- t}} with S+ > S- >= 0, not "
                                f"{activation!r}")
    K, d, dy = ds.K, ds.d, ds.dy
    classes_all = _one_hot(ds)
    first = {}
    for i, x in enumerate(ds.x):
        first.setdefault(x, i)
    order_idx = sorted(first.values())  # distinct points, by first occurrence
    pts = [ds.x[i] for i in order_idx]
    cls = [classes_all[i] for i in order_idx]
    n = len(pts)
    widths = list(widths) if widths is not None else _default_widths(K, d, dy, layers)
    head = 2 * dy if head is None else head
    if any(w < 0 for w in widths) or head < 0:
        raise ConstructionError("ysj-resnet: widths must be non-negative")
    weights, offsets, clear = GADGETS[gadget]
    n_u = len(weights)

    members = {}
    for i, c in enumerate(cls):
        members.setdefault(c, []).append(i)
    present = sorted(members)
    n_groups = {c: -(-len(members[c]) // d) for c in present}
    c0 = max(present, key=lambda c: (n_groups[c], -c))
    order = [c0] + [c for c in present if c != c0]
    rank = {c: k for k, c in enumerate(order)}
    groups = []  # (class, member indices)
    for c in order[1:]:
        m = members[c]
        groups += [(c, m[i:i + d]) for i in range(0, len(m), d)]

    # general position, as far as the construction relies on it (original positions)
    rng0 = random.Random(f"{seed}:plane-check")
    names = [i + 1 for i in order_idx]
    for _, g in groups:
        inside = set(g)
        others = [i for i in range(n) if i not in inside]
        try:
            _plane([pts[i] for i in g], [pts[i] for i in others], rng0)
        except _Flat as e:
            raise ConstructionError(_violation(g, None if e.other is None else others[e.other], n, d, pts, names)) \
                from None
        except _Degenerate as e:
            raise ConstructionError(f"ysj-resnet: {e}") from None
    placement, start, end, gplus = schedule_units(len(groups), n_u, widths, d)

    for attempt in range(MAX_ATTEMPTS):
        try:
            blocks, head_block, report = _build(pts, cls, groups, rank, order, placement, start, end, gplus,
                                                widths, head, (s_neg, s_pos), weights, offsets, clear, d, dy,
                                                random.Random(f"{seed}:{attempt}"), attempt)
            break
        except _Degenerate:
            continue
    else:
        raise AssertionError(f"ysj-resnet: degenerate positions in {MAX_ATTEMPTS} seeded attempts")
    net = ResNet(blocks, head_block, activation)
    active = [n_u * len(groups), 2 * (len(order) - 1)]
    info = {
        "statement": "Yun et al. 2019, ResNet theorem (slides: Theorem 4), reconstructed construction",
        "bound": sum(widths) + head,
        "widths": widths + [head],
        "active_units": active,
        "paper_bounds": {"4N/d_x + 4 d_y": _decimal(Q(4 * K, d) + 4 * dy),
                         "residual widths sum": sum(widths), "2 d_y": 2 * dy, "head width": head,
                         "theorem's condition met": resnet_condition(widths, head, K, d, dy)},
        "gadget": gadget,
        "groups": len(groups), "class_order": order, "unmoved_class": c0,
        "general_position": "checked the subsets the construction relies on: for each of the "
                            f"{len(groups)} moved groups, affine independence and no other point on its hyperplane "
                            "(or in its affine hull, for groups of fewer than d_x points)",
        **report,
    }
    if n != K:
        info["distinct_points"] = n
    return net, info


def _solve_direction(normals, w):
    """``v`` with ``u . v = 0`` for the normals and ``w . v = 1`` (a nullspace vector, scaled)."""
    d = len(w)
    for b in affine_nullspace([list(map(Q, u)) for u in normals], d):
        t = _dot(b, w)
        if t:
            return [Q(v) / t for v in b]
    raise _Degenerate("the direction w is orthogonal to every allowed move")


def _build(pts, cls, groups, rank, order, placement, start, end, gplus, widths, head, slopes, weights,
           offsets, clear, d, dy, rng, attempt):
    s_neg, s_pos = slopes
    D = s_pos - s_neg
    n = len(pts)
    w = [ONE] + [ZERO] * (d - 1) if attempt == 0 else [Q(rng.randint(-9, 9)) for _ in range(d)]
    if not any(w):
        w[0] = ONE
    proj = [_dot(w, p) for p in pts]
    lo, hi = min(proj), max(proj)
    span = hi - lo + 2
    eff = [list(p) for p in pts]   # original + moves of completed groups
    plane, v, rho, shift = {}, {}, {}, {}
    pending = None  # (group, [partial coefficient per point]) of the group open across the block boundary

    def act(t):
        return t * (s_pos if t > 0 else s_neg)

    def make_plane(g, positions):
        inside = set(groups[g][1])
        others = [i for i in range(n) if i not in inside]
        try:
            u, beta, s = _plane([positions[i] for i in groups[g][1]], [positions[i] for i in others], rng)
        except _Flat:
            raise _Degenerate("moved points on a group's affine hull") from None
        eps = min(abs(t) for t in s) / clear if s else ONE
        svals = [ZERO] * n
        for j, i in enumerate(others):
            svals[i] = s[j]
        plane[g] = (u, beta, eps, svals)

    def completed_moves(positions, gs):
        out = list(positions)  # rows are never changed in place: moved rows are new lists
        for g in gs:
            for i in groups[g][1]:
                out[i] = [a + shift[g] * b for a, b in zip(out[i], v[g])]
        return out

    blocks = []
    for l, units in enumerate(placement):
        def actual():
            if pending is None:
                return eff
            return [[a + c * b for a, b in zip(p, v[pending[0]])] if c else p for p, c in zip(eff, pending[1])]
        starting = [g for g in dict.fromkeys(g for g, _ in units) if start[g] == l]
        finishing = [g for g in dict.fromkeys(g for g, _ in units) if end[g] == l]
        for g in starting:  # W-type groups read the actual (possibly displaced) positions
            if g not in plane:
                make_plane(g, eff if end[g] != l else actual())
        for g in starting:
            normals = ([plane[g][0]] if end[g] != l else [])
            if gplus[g] is not None:
                nxt = gplus[g]
                if nxt not in plane:  # its start: effective positions after this block's completions
                    make_plane(nxt, completed_moves(eff, [y for y in finishing if y != g]))
                normals.append(plane[nxt][0])
            v[g] = _solve_direction(normals, w)
            c = groups[g][0]
            shift[g] = rank[c] * span + Q(rng.randrange(0, 997), 997)
            rho[g] = shift[g] / (D * plane[g][2])
        # the block's weights
        U, b, V = [], [], []
        for g, k in units:
            u, beta, eps, _ = plane[g]
            U.append([Q(x) for x in u])
            b.append(-beta + offsets[k] * eps)
            V.append([weights[k] * rho[g] * x for x in v[g]])
        pad = widths[l] - len(units)
        U += [[ZERO] * d] * pad
        b += [ZERO] * pad
        V += [[ZERO] * d] * pad
        blocks.append((tuple(map(tuple, U)), tuple(b), tuple(tuple(V[k][i] for k in range(len(V))) for i in range(d)),
                       (ZERO,) * d))
        # positions after the block: completed groups move their members; the open one's partial sum
        open_g = next((g for g, _ in units if end[g] > l), None)
        if pending is not None and end[pending[0]] == l:
            pending = None
        eff = completed_moves(eff, finishing)
        if open_g is not None:
            _, beta, eps, svals = plane[open_g]
            placed = [k for gg, k in (p for blk in placement[:l + 1] for p in blk) if gg == open_g]
            coef = [sum((weights[k] * rho[open_g] * act(svals[i] + offsets[k] * eps) for k in placed), ZERO)
                    for i in range(n)]
            pending = (open_g, coef)
    # the head
    steps = len(order) - 1
    theta = [hi + (k - 1) * span + 1 for k in range(1, steps + 1)]
    HU, Hb = [], []
    for t in theta:
        HU += [list(w), list(w)]
        Hb += [-t, -t - 1]
    pad = head - len(HU)
    if pad < 0:
        raise ConstructionError(f"ysj-resnet: the head needs {len(HU)} units for {len(order)} classes, not {head}")
    HU += [[ZERO] * d] * pad
    Hb += [ZERO] * pad
    HV = [[ZERO] * head for _ in range(dy)]
    Hc = [ZERO] * dy

    def add_step(row, k, sign):  # sign * step_k, k = 1..steps
        HV[row][2 * (k - 1)] += sign / D
        HV[row][2 * (k - 1) + 1] -= sign / D
        Hc[row] -= sign * s_neg / D
    for k, c in enumerate(order):
        if k == 0:
            Hc[c] += ONE
        else:
            add_step(c, k, ONE)
        if k + 1 < len(order):
            add_step(c, k + 1, -ONE)
    head_block = (tuple(map(tuple, HU)), tuple(Hb), tuple(map(tuple, HV)), tuple(Hc))
    # exact check of the final positions against the class intervals (the kernel re-checks everything)
    for i in range(n):
        k = rank[cls[i]]
        t = _dot(w, eff[i])
        if not (lo + k * span <= t < hi + k * span + 1):
            raise AssertionError(f"ysj-resnet: point {i} ends outside its class interval")
    report = {"direction_w": [format_rational(x) for x in w], "thresholds": [format_rational(t) for t in theta],
              "shifts": [format_rational(shift[g]) for g in range(len(groups))],
              "eps": [format_rational(plane[g][2]) for g in range(len(groups))],
              "split_groups": sum(1 for g in range(len(groups)) if start[g] != end[g]), "attempt": attempt}
    return tuple(blocks), head_block, report
