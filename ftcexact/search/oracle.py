"""Exact minimum width of a one-hidden-layer ReLU network on data that lies on a line.

Given targets ``z_i`` at points on a line ``x_i = p + t_i u`` (``t_1 < ... < t_K``
after sorting), the oracle finds the least ``m`` such that some
``g(x) = b + sum_k c_k relu(w_k . x + beta_k)`` with ``m`` neurons satisfies
``g(x_i) = z_i`` ([FTC] eq. 3), with a certificate the trusted verifier checks,
and a refutation for ``m - 1`` that :mod:`ftcexact.kernel.refutation` checks.

The reduction (proofs in ``docs/search.md``)
---------------------------------------------
Restricted to the line, ``g(t) = b + sum_k c_k relu(a_k t + beta_k)``.  A neuron
with ``a_k = 0`` or ``c_k = 0`` is a constant; a neuron whose kink
``r_k = -beta_k / a_k`` is at or outside ``[t_1, t_K]`` is affine (or zero) on
the data.  Any other neuron is an *interior kink*: ``r_k`` lies in an open gap
``(t_g, t_{g+1})`` or on an interior data point, faces right (R, ``a_k > 0``)
or left (L), and changes the slope of ``g`` by ``c_k`` (after scaling ``|a_k|``
to 1).  On the data a network of width ``w`` is therefore one of

(A) an affine function plus at most ``w - 1`` interior kinks (some neuron is
    not an interior kink), or
(B) a constant plus exactly ``w`` interior kinks, where, writing ``alpha`` for
    the slope of the left-facing part and ``beta`` for that of the
    right-facing part, ``beta = 0`` left of every kink and ``alpha = 0`` right
    of every kink.  (Two kinks on one data point, or two kinks of one sign in
    one gap, merge into one, which puts the network in case (A).)

The data are matched iff each gap's chord ``s_g = (z_{g+1} - z_g) / (t_{g+1} - t_g)``
is consistent with the slopes around it: with no kink in the gap the slope is
``s_g``; with one kink the slope crosses ``s_g`` strictly (from below for a
positive ``c``, from above for a negative one); two kinks of opposite signs
allow any pair of slopes.  So the slope process, read from left to right, is
a walk through *stages* (leaving ``t_1``, arriving at ``t_2``, leaving
``t_2``, ..., arriving at ``t_K``) with one of a few *moves* per stage, each
a set of linear constraints linking the state before and after.

* In the *slope* model the state is the slope ``u``; the least number of
  interior kinks of any interpolant, ``n``, is computed by a tiny dynamic
  programme over the sets ``{u = s}, {u < s}, {u > s}, R``.  Then
  ``p = n + 1`` is the least number of affine pieces of any interpolant on
  ``[t_1, t_K]`` and the minimum width is ``n`` or ``n + 1 = p`` (case (A) with
  ``n`` kinks always works, neither case works below ``n``).
* In the *oriented* model the state is ``(alpha, beta)``; case (B) with ``n``
  kinks holds iff a walk from ``{beta = 0}`` ends in a polygon meeting
  ``{alpha = 0}``.  The polygons are computed exactly by Fourier-Motzkin
  elimination (:mod:`ftcexact.search.lp`), which also records the Farkas
  multipliers that the refutation needs.

Symmetry breaking and pruning: neurons are unordered (the walk visits kinks in
position order, one move per location), equal states reached along different
walks are merged, a state contained in another reached with no more kinks is
dropped, and so is a state whose remaining data provably need more kinks than
the budget allows (suffix lower bounds from the slope model).  The decision
runs on interval states ("hexagons", :func:`fast_walk`), after a shortcut: a
least-kink interpolant starting with slope 0 is case (B) with every kink facing
right.  The Fourier-Motzkin walk (:func:`walk`) computes the same states as
polygons with multipliers, for refutations.

Data not on a line are not decided here: :func:`min_width_bounds` returns an
upper bound (the exact 1-D minimum along a projection direction, with a
certificate) and a lower bound (the exact minimum of the largest collinear
subset found, with a refutation); ``--method z3`` decides them without a
checkable refutation.

References
----------
Sohn et al. 2024, Theorem 4.1 and §4.1 (piece counting); Yun et al. 2019,
Theorem 3.3 (a one-hidden-layer network has at most m + 1 pieces on a line).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..dataset import Dataset
from ..kernel.numbers import Q, format_rational
from ..network import Network
from . import lp

__all__ = ["LineData", "NotOnALine", "line_data", "chords", "free_kinks", "suffix_free_kinks",
           "oriented_walk", "min_width", "fit_network", "refutation", "min_width_bounds",
           "GAP_MOVES", "POINT_MOVES", "move_cost", "move_rows"]

ZERO, ONE = Q(0), Q(1)


class NotOnALine(ValueError):
    """The data points are not collinear (the 1-D oracle does not apply)."""


# ---------------------------------------------------------------- the line

@dataclass
class LineData:
    """Distinct points ``t_1 < ... < t_K`` on a line with targets ``z``.

    ``groups[i]`` lists the 1-based dataset indices that sit at ``t_{i+1}``
    (repeated inputs share a point); ``point`` and ``direction`` give the
    parametrisation ``x = point + t * direction``.
    """

    ts: list
    zs: list
    groups: list
    point: tuple
    direction: tuple

    @property
    def K(self):
        return len(self.ts)


def line_parametrisation(xs):
    """``(point, direction, ts)``: the canonical parametrisation used by refutations.

    ``d = 1``: ``t = x``.  Otherwise ``point = x_1``, ``direction = x_j - x_1`` for
    the first ``x_j != x_1`` and ``t_i = (x_i - x_1) . u / (u . u)``; raises
    :class:`NotOnALine` unless every ``x_i = point + t_i u`` exactly.
    """
    d = len(xs[0])
    if d == 1:
        return (ZERO,), (ONE,), [x[0] for x in xs]
    p = xs[0]
    other = next((x for x in xs if x != p), None)
    if other is None:
        return p, tuple(ONE for _ in p), [ZERO] * len(xs)
    u = tuple(a - b for a, b in zip(other, p))
    uu = sum(v * v for v in u)
    ts = []
    for i, x in enumerate(xs):
        t = sum((a - b) * v for a, b, v in zip(x, p, u)) / uu
        if any(a != b + t * v for a, b, v in zip(x, p, u)):
            raise NotOnALine(f"x_{i + 1} is not on the line through x_1 and the first other point")
        ts.append(t)
    return p, u, ts


def line_data(ds, indices=None):
    """Sort the (scalar-target) data along their line; merge repeated inputs.

    Parameters
    ----------
    ds : Dataset
    indices : list of int, optional
        1-based indices of a subset to use (default: all points).

    Examples
    --------
    >>> from ftcexact.dataset import dataset_from_json
    >>> L = line_data(dataset_from_json({"x": [["2", "4"], ["0", "0"], ["1", "2"]], "y": ["1", "0", "0"]}))
    >>> [format_rational(t) for t in L.ts], [format_rational(z) for z in L.zs], L.groups
    (['0', '1/2', '1'], ['1', '0', '0'], [[1], [3], [2]])
    """
    if ds.dy != 1:
        raise ValueError("the minimum-width oracle handles scalar targets (d_y = 1) only")
    idx = list(range(1, ds.K + 1)) if indices is None else list(indices)
    xs = [ds.x[i - 1] for i in idx]
    zs_all = [ds.targets[i - 1][0] for i in idx]
    p, u, ts = line_parametrisation(xs)
    order = sorted(range(len(idx)), key=lambda i: ts[i])
    out_t, out_z, groups = [], [], []
    for i in order:
        if out_t and ts[i] == out_t[-1]:
            groups[-1].append(idx[i])  # Dataset guarantees equal targets for equal inputs
            continue
        out_t.append(ts[i])
        out_z.append(zs_all[i])
        groups.append([idx[i]])
    return LineData(out_t, out_z, groups, tuple(p), tuple(u))


def chords(ts, zs):
    """Slopes ``s_g`` of the segments between consecutive points."""
    return [(zs[g + 1] - zs[g]) / (ts[g + 1] - ts[g]) for g in range(len(ts) - 1)]


# ---------------------------------------------------------------- slope model: counting kinks

def free_kinks(ts, zs):
    """Least number of interior kinks of a continuous piecewise-linear interpolant.

    ``free_kinks + 1`` is the least number of affine pieces on ``[t_1, t_K]``;
    the minimum width of a one-hidden-layer network is ``free_kinks`` or
    ``free_kinks + 1``.

    Examples
    --------
    >>> free_kinks([Q(1), Q(2), Q(3), Q(4)], [Q(1), Q(-1), Q(1), Q(-1)])
    2
    >>> free_kinks([Q(1), Q(2), Q(3)], [Q(0), Q(1), Q(2)])
    0
    """
    return suffix_free_kinks(ts, zs)[0]


def suffix_free_kinks(ts, zs):
    """``q[a]`` (0-based ``a``): least interior kinks for the points ``a..K-1`` alone.

    Each is the least ``k`` of a final state of the slope walk on those points
    (two kinks per gap always suffice, so the budget ``2K`` never binds).
    """
    K = len(ts)
    q = [0] * K
    for a in range(K - 1):
        final = fast_walk(ts[a:], zs[a:], "slope", 2 * K)[-1]
        q[a] = min(k for k, _ in final.values())
    return q


# ---------------------------------------------------------------- moves (shared with the docs and the checker)

#: Moves at a gap and at an interior data point, per model.  In the oriented model
#: 'L'/'R' is the orientation of the kink; '+'/'-' the sign of its slope change.
GAP_MOVES = {"slope": ("0", "+", "-", "+-"),
             "oriented": ("0", "+L", "+R", "-L", "-R", "+-LL", "+-RR", "+L-R", "-L+R")}
POINT_MOVES = {"slope": (".", "*"), "oriented": (".", "*L", "*R")}


def move_cost(move):
    """Number of kinks a move places."""
    if move in ("0", "."):
        return 0
    return 2 if move in ("+-", "+-LL", "+-RR", "+L-R", "-L+R") else 1


def move_rows(model, move, s=None):
    """Constraints of a move over ``(old state, new state)``.

    Slope model: variables ``(u, u')``.  Oriented model: ``(alpha, beta,
    alpha', beta')``, the slope being ``alpha + beta``.  ``s`` is the gap's chord.
    """
    def r(coeffs, const, kind):
        return lp.row(coeffs, const, kind)
    if model == "slope":
        if move in (".", "*", "+-"):
            return [r([-1, 1], 0, "=")] if move == "." else []
        return {"0": [r([-1, 1], 0, "="), r([1, 0], -s, "=")],
                "+": [r([-1, 0], s, ">"), r([0, 1], -s, ">")],
                "-": [r([1, 0], -s, ">"), r([0, -1], s, ">")]}[move]
    keep_a, keep_b = r([-1, 0, 1, 0], 0, "="), r([0, -1, 0, 1], 0, "=")
    if move in (".", "*L", "*R", "+-LL", "+-RR"):
        return {".": [keep_a, keep_b], "*L": [keep_b], "*R": [keep_a], "+-LL": [keep_b], "+-RR": [keep_a]}[move]
    below, above = r([-1, -1, 0, 0], s, ">"), r([1, 1, 0, 0], -s, ">")          # u < s, u > s
    new_above, new_below = r([0, 0, 1, 1], -s, ">"), r([0, 0, -1, -1], s, ">")  # u' > s, u' < s
    return {"0": [keep_a, keep_b, r([1, 1, 0, 0], -s, "=")],
            "+L": [keep_b, below, new_above], "+R": [keep_a, below, new_above],
            "-L": [keep_b, above, new_below], "-R": [keep_a, above, new_below],
            # c+ > 0 in L, c- < 0 in R, c- < s - u < c+ (the chord lies between them)
            "+L-R": [r([-1, 0, 1, 0], 0, ">"), r([0, 1, 1, 0], -s, ">"),
                     r([0, 1, 0, -1], 0, ">"), r([-1, 0, 0, -1], s, ">")],
            "-L+R": [r([1, 0, -1, 0], 0, ">"), r([0, -1, -1, 0], s, ">"),
                     r([0, -1, 0, 1], 0, ">"), r([1, 0, 0, 1], -s, ">")]}[move]


def stage_moves(model, K, stage):
    """``(moves, chord index or None)`` leaving stage ``stage`` (0-based).

    Stages: 0 = leaving t_1, 1 = arriving at t_2, 2 = leaving t_2, ...,
    2K - 3 = arriving at t_K (final).  Even stages cross gap ``stage // 2``
    (0-based); odd stages cross the interior point ``t_{(stage + 3) // 2}``.
    """
    if stage % 2 == 0:
        return GAP_MOVES[model], stage // 2
    return POINT_MOVES[model], None


def stage_point(stage):
    """0-based index of the data point a stage sits at."""
    return (stage + 1) // 2


# ---------------------------------------------------------------- fast decision: hexagons
#
# Every state of the oriented walk is a relatively open convex set
#     {alpha in A, beta in B, alpha + beta in U}
# with A, B, U open intervals or single points (a "hexagon"); stored with tight
# intervals (each one the exact projection) it is canonical.  Every move maps a
# hexagon to a hexagon; the images are computed with interval arithmetic only
# (derivations in docs/search.md).  The Fourier-Motzkin walk below computes the
# same sets and is used when multipliers are needed; the tests compare the two.
# An interval is ("pt", v) or ("open", lo, hi) with None for an infinite end.

ALL = ("open", None, None)


def _iv_open(lo, hi):
    if lo is not None and hi is not None and lo >= hi:
        return None
    return ("open", lo, hi)


def _iv_meet(I, J):
    if I is None or J is None:
        return None
    if I[0] == "pt" and J[0] == "pt":
        return I if I[1] == J[1] else None
    if I[0] == "pt" or J[0] == "pt":
        p, o = (I, J) if I[0] == "pt" else (J, I)
        v = p[1]
        return p if (o[1] is None or v > o[1]) and (o[2] is None or v < o[2]) else None
    lo = I[1] if J[1] is None else (J[1] if I[1] is None else max(I[1], J[1]))
    hi = I[2] if J[2] is None else (J[2] if I[2] is None else min(I[2], J[2]))
    return _iv_open(lo, hi)


def _iv_add(I, J):
    if I[0] == "pt" and J[0] == "pt":
        return ("pt", I[1] + J[1])
    lo_i, hi_i = I[1], (I[2] if I[0] == "open" else I[1])
    lo_j, hi_j = J[1], (J[2] if J[0] == "open" else J[1])
    lo = None if lo_i is None or lo_j is None else lo_i + lo_j
    hi = None if hi_i is None or hi_j is None else hi_i + hi_j
    return ("open", lo, hi)


def _iv_neg(I):
    if I[0] == "pt":
        return ("pt", -I[1])
    return ("open", None if I[2] is None else -I[2], None if I[1] is None else -I[1])


def _iv_lo(I):
    return I[1]


def _iv_hi(I):
    return I[1] if I[0] == "pt" else I[2]


def _hex(A, B, U):
    """Tighten ``(A, B, U)``; None if the set is empty."""
    if A is None or B is None or U is None:
        return None
    A2 = _iv_meet(A, _iv_add(U, _iv_neg(B)))
    B2 = _iv_meet(B, _iv_add(U, _iv_neg(A)))
    U2 = _iv_meet(U, _iv_add(A, B))
    if A2 is None or B2 is None or U2 is None:
        return None
    return (A2, B2, U2)


def _below(s):
    return ("open", None, s)


def _above(s):
    return ("open", s, None)


def _min(a, b):  # None = +infinity here
    return b if a is None else (a if b is None else min(a, b))


def _max(a, b):  # None = -infinity here
    return b if a is None else (a if b is None else max(a, b))


def _hex_move(P, move, s):
    """Image of the hexagon ``P`` under a move of the oriented model (or None)."""
    A, B, U = P
    if move == ".":
        return P
    if move in ("*L", "+-LL"):
        return (ALL, B, ALL)
    if move in ("*R", "+-RR"):
        return (A, ALL, ALL)
    if move == "0":
        return _hex(A, B, _iv_meet(U, ("pt", s)))
    if move in ("+L", "+R", "-L", "-R"):
        Q = _hex(A, B, _iv_meet(U, _below(s) if move[0] == "+" else _above(s)))
        if Q is None:
            return None
        after = _above(s) if move[0] == "+" else _below(s)
        return _hex(ALL, Q[1], after) if move[1] == "L" else _hex(Q[0], ALL, after)
    if move == "+L-R":   # some x in P with x0 < min(y0, s - y1) and x1 > max(y1, s - y0)
        a0 = _iv_lo(A)
        H = _iv_hi(B)
        if _iv_hi(U) is not None and a0 is not None:
            H = _min(H, _iv_hi(U) - a0)
        lo0 = a0 if H is None else _max(a0, s - H)
        hi1 = H if a0 is None else _min(s - a0, H)
        return _hex(("open", lo0, None), ("open", None, hi1), ALL)
    if move == "-L+R":   # some x in P with x0 > max(y0, s - y1) and x1 < min(y1, s - y0)
        a1 = _iv_hi(A)
        G = _iv_lo(B)
        if _iv_lo(U) is not None and a1 is not None:
            G = _max(G, _iv_lo(U) - a1)
        hi0 = a1 if G is None else _min(a1, s - G)
        lo1 = G if a1 is None else _max(s - a1, G)
        return _hex(("open", None, hi0), ("open", lo1, None), ALL)
    raise ValueError(move)


def _slope_move(U, move, s):
    """Image of the slope interval ``U`` under a move of the slope model (or None)."""
    if move == ".":
        return U
    if move in ("*", "+-"):
        return ALL
    if move == "0":
        return _iv_meet(U, ("pt", s))
    if move == "+":
        return _above(s) if _iv_meet(U, _below(s)) is not None else None
    return _below(s) if _iv_meet(U, _above(s)) is not None else None


def fast_walk(ts, zs, model, budget, lower=None, prune=True, start=None):
    """Like :func:`walk` with interval states; returns stages of dicts state -> (k, parent).

    With ``prune`` (default) states contained in another are dropped; without
    it the stages are exactly the sets :func:`walk` computes.  ``start``
    replaces the start state (default: any slope, resp. ``beta = 0``).
    """
    K = len(ts)
    s = chords(ts, zs)
    init = start if start is not None else (ALL if model == "slope" else (ALL, ("pt", ZERO), ALL))
    step = _slope_move if model == "slope" else _hex_move
    stages = [{init: (0, None)}]
    for st in range(2 * K - 3):
        moves, g = stage_moves(model, K, st)
        bound = lower[stage_point(st + 1)] if lower else 0
        nxt = {}
        for P, (k0, _) in stages[-1].items():
            for mv in moves:
                k = k0 + move_cost(mv)
                if k + bound > budget:
                    continue
                Q = step(P, mv, s[g] if g is not None else None)
                if Q is None:
                    continue
                old = nxt.get(Q)
                if old is None or k < old[0]:
                    nxt[Q] = (k, (P, mv))
        stages.append(_undominated(nxt, model) if prune else nxt)
    return stages


def _iv_within(I, J):
    """Whether the interval I lies inside J."""
    if J[0] == "pt":
        return I == J
    if I[0] == "pt":  # a point must be strictly inside an open interval
        return _iv_meet(I, J) is not None
    lo, hi = I[1], I[2]
    return (J[1] is None or (lo is not None and lo >= J[1])) and (J[2] is None or (hi is not None and hi <= J[2]))


def _size(I):
    """A rough size of an interval, for ordering: unbounded ends first, points last."""
    return -1 if I[0] == "pt" else (I[1] is None) + (I[2] is None)


def _undominated(states, model):
    """Drop states contained in a kept state reached with no more kinks.

    Moves are monotone (a smaller state has smaller images), so nothing the
    walk can reach is lost.  States are compared with the kept ones only,
    fewest kinks and largest first, which finds almost every containment.
    """
    if len(states) < 2:
        return states
    if model == "slope":
        def inside(P, Q):
            return _iv_within(P, Q)
        order = sorted(states.items(), key=lambda kv: (kv[1][0], -_size(kv[0])))
    else:
        def inside(P, Q):
            return _iv_within(P[0], Q[0]) and _iv_within(P[1], Q[1]) and _iv_within(P[2], Q[2])
        order = sorted(states.items(), key=lambda kv: (kv[1][0], -sum(map(_size, kv[0]))))
    kept = {}
    for P, v in order:
        if not any(inside(P, Q) for Q in kept):
            kept[P] = v
    return kept


def _fast_path(stages, state):
    moves = []
    for st in range(len(stages) - 1, 0, -1):
        P, mv = stages[st][state][1]
        moves.append((st - 1, mv))
        state = P
    return moves[::-1]


def oriented_feasible(ts, zs, budget, lower=None):
    """A walk (list of ``(stage, move)``) realising case (B) with ``budget`` kinks, or None."""
    stages = fast_walk(ts, zs, "oriented", budget, lower)
    for state, (k, _) in stages[-1].items():
        if k == budget and _iv_meet(state[0], ("pt", ZERO)) is not None:
            return _fast_path(stages, state)
    return None


# ---------------------------------------------------------------- polygon walks

@dataclass
class Polygon:
    rows: tuple          # canonical rows over the state variables
    k: int               # least number of kinks on a walk reaching it
    parent: tuple = None  # (index in previous stage, move) on a least-kink walk
    moves: dict = field(default_factory=dict)  # move -> ("empty", lam) | ("to", index, proofs)


def _lift(rows, n, offset):
    """Rows over n variables placed at positions offset.. of a 2n-variable system."""
    out = []
    for a, c, kind in rows:
        coeffs = [ZERO] * (2 * n)
        coeffs[offset:offset + n] = a
        out.append((tuple(coeffs), c, kind))
    return out


def _canonical(derived, n):
    """Canonical rows (and their provenance) of a projected polygon over n variables."""
    rows = [(a[n:], c, kind, prov) for a, c, kind, prov in derived]
    eqs = [r for r in rows if r[2] == "="]
    ineqs = [r for r in rows if r[2] != "="]
    # reduced echelon form of the equalities, then substitute into the inequalities
    basis = []
    for e in eqs:
        for piv, b in basis:
            if e[0][piv]:
                e = lp._combine(e, ONE, b, -e[0][piv])
        piv = next((j for j, v in enumerate(e[0]) if v), None)
        if piv is None:
            continue  # 0 = 0 (a contradiction would have been caught by Fourier-Motzkin)
        e = lp._combine(e, ONE / e[0][piv], e, ZERO)
        basis = [(p, lp._combine(b, ONE, e, -b[0][piv]) if b[0][piv] else b) for p, b in basis]
        basis.append((piv, e))
    for piv, b in basis:
        ineqs = [lp._combine(r, ONE, b, -r[0][piv]) if r[0][piv] else r for r in ineqs]
    tidy, bad = lp._tidy([(a, c, k, p) for a, c, k, p in ineqs])
    assert bad is None, "internal error: contradiction after projection"
    context = [b[:3] for _, b in basis]
    keep = []
    for i, r in enumerate(tidy):
        others = context + [t[:3] for t in keep] + [t[:3] for t in tidy[i + 1:]]
        neg = (tuple(-v for v in r[0]), -r[1], ">=" if r[2] == ">" else ">")
        if others and lp.fm_feasible(others + [neg])[0] == "infeasible":
            continue
        keep.append(r)
    out = sorted([b for _, b in basis] + keep, key=lambda r: (r[2] != "=", r[0], r[1], r[2]))
    return tuple(r[:3] for r in out), [r[3] for r in out]


def _image(poly_rows, n, model, move, s):
    """Project ``polygon x move`` onto the new state.

    Returns ``("empty", lam)`` or ``("image", rows, proofs)`` with proofs as
    multiplier dicts over the premises ``polygon rows + move rows``.
    """
    premises = _lift(poly_rows, n, 0) + move_rows(model, move, s)
    status, result = lp.fourier_motzkin(premises, list(range(2 * n)))
    if status == "infeasible":
        return "empty", premises, result
    status, result = lp.fourier_motzkin(premises, list(range(n)))
    rows, provs = _canonical(result, n)
    return "image", premises, rows, provs


def walk(ts, zs, model, budget, lower=None, record=False):
    """All polygons reachable within ``budget`` kinks, stage by stage.

    Parameters
    ----------
    model : {"slope", "oriented"}
    budget : int
    lower : list of int, optional
        ``lower[i]``: kinks the points ``i..K-1`` need at least (suffix bounds);
        a state at stage of point ``i`` with ``k + lower[i] > budget`` is dropped.
    record : bool
        Keep the multipliers of every move (for refutations).

    Returns
    -------
    list of list of Polygon
    """
    K = len(ts)
    n = 1 if model == "slope" else 2
    s = chords(ts, zs)
    init = () if model == "slope" else (lp.row([0, 1], 0, "="),)
    stages = [[Polygon(init, 0)]]
    for st in range(2 * K - 3):
        moves, g = stage_moves(model, K, st)
        nxt, index = [], {}
        bound = lower[stage_point(st + 1)] if lower else 0
        for pi, P in enumerate(stages[-1]):
            for mv in moves:
                k = P.k + move_cost(mv)
                if k + bound > budget:
                    continue
                res = _image(P.rows, n, model, mv, s[g] if g is not None else None)
                if res[0] == "empty":
                    if record:
                        P.moves[mv] = ("empty", res[2])
                    continue
                _, premises, rows, provs = res
                j = index.get(rows)
                if j is None:
                    j = index[rows] = len(nxt)
                    nxt.append(Polygon(rows, k, (pi, mv)))
                elif k < nxt[j].k:
                    nxt[j].k, nxt[j].parent = k, (pi, mv)
                if record:
                    P.moves[mv] = ("to", j, [[prov.get(i, ZERO) for i in range(len(premises))] for prov in provs])
        stages.append(nxt)
    return stages


def _meets_alpha_zero(rows):
    status, lam = lp.fm_feasible(list(rows) + [lp.row([1, 0], 0, "=")])
    return status, lam


def oriented_walk(ts, zs, budget, lower=None, record=False):
    """The oriented walk with ``budget`` kinks; returns ``(stages, final_index or None)``.

    ``final_index`` is a final polygon with ``k == budget`` meeting ``alpha = 0``
    (so case (B) holds with ``budget`` neurons), or None.
    """
    stages = walk(ts, zs, "oriented", budget, lower, record)
    for j, P in enumerate(stages[-1]):
        if P.k == budget and _meets_alpha_zero(P.rows)[0] == "feasible":
            return stages, j
    return stages, None


# ---------------------------------------------------------------- networks from walks

def _kinks(path):
    """Kinks ``(location, sign, orientation)`` of a walk: location ('gap', g) or ('point', j), 0-based."""
    out = []
    for st, mv in path:
        if st % 2 == 0:
            g = st // 2
            if mv in ("+", "-"):
                out.append((("gap", g), mv, "R"))
            elif mv == "+-":
                out += [(("gap", g), "+", "R"), (("gap", g), "-", "R")]
            elif mv in ("+L", "+R", "-L", "-R"):
                out.append((("gap", g), mv[0], mv[1]))
            elif mv in ("+-LL", "+-RR"):
                out += [(("gap", g), "+", mv[2]), (("gap", g), "-", mv[3])]
            elif mv in ("+L-R", "-L+R"):
                out += [(("gap", g), mv[0], mv[1]), (("gap", g), mv[2], mv[3])]
        elif mv != ".":
            out.append((("point", stage_point(st)), None, mv[1] if len(mv) > 1 else "R"))
    return out


def fit_network(ts, zs, kinks, affine):
    """Solve the exact LP of one case and return the 1-D network ``(b, neurons)``.

    ``neurons`` is a list of ``(a, beta, c)`` meaning ``c * relu(a t + beta)``.
    With ``affine`` the slope left of the data is free (one extra neuron with its
    kink left of ``t_1``); otherwise it is ``-sum of c over left-facing kinks``.
    Returns None if the case is infeasible.
    """
    K, w = len(ts), len(kinks)
    nv = 2 + 2 * w  # b, B, then (c_k, e_k)
    rows = []
    for j in range(K):
        a = [ZERO] * nv
        a[0], a[1] = ONE, ts[j]
        for k, ((kind, loc), _, _) in enumerate(kinks):
            left = loc + 1 <= j if kind == "gap" else loc < j
            if left:
                a[2 + 2 * k], a[3 + 2 * k] = ts[j], -ONE
        rows.append((tuple(a), -zs[j], "="))
    for k, ((kind, loc), sign, orient) in enumerate(kinks):
        a = [ZERO] * nv
        if kind == "point":
            a[2 + 2 * k], a[3 + 2 * k] = -ts[loc], ONE
            rows.append((tuple(a), ZERO, "="))
            continue
        sg = ONE if sign == "+" else -ONE
        lo, hi = list(a), list(a)
        lo[2 + 2 * k], lo[3 + 2 * k] = -sg * ts[loc], sg          # sg (e - t_g c) > 0
        hi[2 + 2 * k], hi[3 + 2 * k] = sg * ts[loc + 1], -sg      # sg (t_{g+1} c - e) > 0
        rows += [(tuple(lo), ZERO, ">"), (tuple(hi), ZERO, ">")]
    if not affine:  # B + sum_L c = 0
        a = [ZERO] * nv
        a[1] = ONE
        for k, (_, _, orient) in enumerate(kinks):
            if orient == "L":
                a[2 + 2 * k] = ONE
        rows.append((tuple(a), ZERO, "="))
    status, x = lp.simplex_feasible(rows)
    if status != "feasible":
        return None
    neurons = []
    for k, ((kind, loc), _, orient) in enumerate(kinks):
        c, e = x[2 + 2 * k], x[3 + 2 * k]
        r = ts[loc] if kind == "point" else e / c
        neurons.append((ONE, -r, c) if orient == "R" else (-ONE, r, c))
    B = x[1]
    if affine and B:
        neurons.append((ONE, ONE - ts[0], B))  # relu(t - (t_1 - 1)) = t - t_1 + 1 on the data
    value = sum((c * max(a * ts[0] + beta, ZERO) for a, beta, c in neurons), ZERO)
    return zs[0] - value, neurons


def _lift_network(L, b, neurons):
    """The d-dimensional network reading ``t = (x - point) . u / (u . u)``."""
    u, p = L.direction, L.point
    uu = sum(v * v for v in u)
    pu = sum(a * v for a, v in zip(p, u))
    if not neurons:  # one hidden layer of width 0: a constant (a record of width 0 is checked as such)
        return Network((((), ()), (((),), (b,))))
    W1 = tuple(tuple(a * v / uu for v in u) for a, _, _ in neurons)
    b1 = tuple(beta - a * pu / uu for a, beta, _ in neurons)
    W2 = (tuple(c for _, _, c in neurons),)
    return Network(((W1, b1), (W2, (b,))))


# ---------------------------------------------------------------- the oracle

def _decide(ts, zs):
    """``(min width, n, case)`` with ``case = ("B", path)`` or ``("A", path)``."""
    K = len(ts)
    if K <= 1 or all(z == zs[0] for z in zs):
        return 0, 0, ("B", [])
    lower = suffix_free_kinks(ts, zs)
    n = lower[0]
    # shortcut: a least-kink interpolant starting with slope 0 is case (B) with every kink facing right
    stages = fast_walk(ts, zs, "slope", n, lower, start=("pt", ZERO))
    if stages[-1]:
        return n, n, ("B", _fast_path(stages, next(iter(stages[-1]))))
    path = oriented_feasible(ts, zs, n, lower)
    if path is not None:
        return n, n, ("B", path)
    stages = fast_walk(ts, zs, "slope", n, lower)
    final = min(stages[-1], key=lambda Q: stages[-1][Q][0])
    return n + 1, n, ("A", _fast_path(stages, final))


def min_width(ds, indices=None):
    """Exact minimum width of a one-hidden-layer ReLU network fitting ``ds`` (collinear data).

    Returns a dict with ``min_width``, ``free_kinks`` (``n``), ``pieces``
    (``n + 1``, the least number of pieces of an interpolant), ``case``
    ("B": all neurons are interior kinks; "A": one neuron is affine on the
    data), ``network`` (a :class:`~ftcexact.network.Network` of that width) and
    ``line`` (the :class:`LineData`).

    Examples
    --------
    Four alternating labels need three neurons; five need only three too.

    >>> from ftcexact.dataset import dataset_from_json
    >>> min_width(dataset_from_json({"x": ["1", "2", "3", "4"], "y": ["1", "-1", "1", "-1"]}))["min_width"]
    3
    >>> min_width(dataset_from_json({"x": ["1", "2", "3", "4", "5"], "y": ["1", "-1", "1", "-1", "1"]}))["min_width"]
    3

    References
    ----------
    Sohn et al. 2024, Theorem 4.1 (the bounds this value is compared with).
    """
    L = line_data(ds, indices)
    m, n, (case, path) = _decide(L.ts, L.zs)
    if m == 0:
        net = _lift_network(L, L.zs[0] if L.zs else ZERO, [])
    else:
        fitted = fit_network(L.ts, L.zs, _kinks(path), affine=(case == "A"))
        assert fitted is not None, "internal error: the chosen case has no solution"
        net = _lift_network(L, *fitted)
        assert net.neurons == m or (case == "A" and net.neurons == m - 1), "internal error: width"
    return {"min_width": m, "free_kinks": n, "pieces": n + 1, "case": case, "network": net, "line": L}


# ---------------------------------------------------------------- refutations

REFUTATION_FORMAT = "ftcexact-refutation"


def _js(q):
    return format_rational(q)


def _rows_json(rows):
    return [[[_js(v) for v in a], _js(c), kind] for a, c, kind in rows]


def _stages_json(stages, model):
    out = []
    for polys in stages:
        items = []
        for P in polys:
            moves = {}
            for mv, res in P.moves.items():
                if res[0] == "empty":
                    moves[mv] = {"empty": [_js(v) for v in res[1]]}
                else:
                    moves[mv] = {"to": res[1], "proofs": [[_js(v) for v in lam] for lam in res[2]]}
            items.append({"k": P.k, "rows": _rows_json(P.rows), "moves": moves})
        out.append(items)
    return out


def refutation(ds, width, indices=None, dataset_json=None):
    """A refutation object proving that no network of ``width`` neurons fits ``ds``.

    Raises ValueError if ``width`` is feasible.  The object is checked by
    :mod:`ftcexact.kernel.refutation` (format in ``docs/search.md``).
    """
    from ..dataset import dataset_to_json
    L = line_data(ds, indices)
    ts, zs = L.ts, L.zs
    m, n, _ = _decide(ts, zs)
    if width >= m:
        raise ValueError(f"width {width} is feasible (the minimum is {m}); nothing to refute")
    lower = suffix_free_kinks(ts, zs)
    K = len(ts)
    # lemmas: suffix bounds, each proved by a slope walk that may use later lemmas
    lemmas = []
    need = {}
    top = width + 1 if width < n else n  # what the main argument needs from the lemma at point 1
    for a in range(K - 2, -1 if width < n else 0, -1):
        q = lower[a]
        if a == 0:
            q = min(q, top)
        if q <= 0:
            continue
        bounds = [0] * (K - a)
        for b2, qq in need.items():
            bounds[b2 - a] = qq
        sub = walk(ts[a:], zs[a:], "slope", q - 1, bounds, record=True)
        assert not sub[-1], "internal error: lemma walk has survivors"
        need[a] = q
        lemmas.append({"point": a + 1, "needs": q, "stages": _stages_json(sub, "slope")})
    obj = {"format": REFUTATION_FORMAT, "version": 1, "kind": "two-layer-width",
           "claim": {"width": width, "statement": "no one-hidden-layer ReLU network with this many neurons "
                                                  "satisfies g(x_i) = y_i - f(x_i) for all i"},
           "dataset": dataset_json or dataset_to_json(ds)}
    if indices is not None:
        obj["points"] = list(indices)
    obj["lemmas"] = lemmas
    if width >= n:  # width == n: case (B) must fail for every orientation
        bounds = [need.get(i, 0) for i in range(K)]
        stages, j = oriented_walk(ts, zs, width, bounds, record=True)
        assert j is None, "internal error: oriented walk succeeded"
        final = []
        for P in stages[-1]:
            status, lam = _meets_alpha_zero(P.rows)
            assert status == "infeasible"
            final.append([_js(v) for v in lam])
        obj["oriented"] = {"stages": _stages_json(stages, "oriented"), "final": final}
    return obj


def _lines(xs):
    """Maximal collinear subsets (1-based indices) with at least two distinct points."""
    distinct = sorted(set(xs))
    found = set()
    for i in range(len(distinct)):
        for j in range(i + 1, len(distinct)):
            p, q = distinct[i], distinct[j]
            u = tuple(b - a for a, b in zip(p, q))
            on = []
            for idx, x in enumerate(xs):
                v = tuple(b - a for a, b in zip(p, x))
                # x is on the line iff v is parallel to u: all 2x2 minors vanish
                if all(v[a] * u[b] == v[b] * u[a] for a in range(len(u)) for b in range(a + 1, len(u))):
                    on.append(idx + 1)
            found.add(tuple(on))
    return sorted(found, key=lambda line: (-len(line), line))


def min_width_bounds(ds, directions=4, max_lines=200):
    """Bounds on the minimum width for data that need not lie on a line.

    *Upper bound*: the data read along a direction ``a`` with distinct
    projections is a 1-D dataset; its exact minimum width, with its network
    (which reads only ``a . x``), bounds the true one.  The best of
    ``directions`` directions ``(1, s, s^2, ...)`` is kept.
    *Lower bound*: a network restricted to the points of a line is a 1-D
    network, so the exact minimum width of any collinear subset is a lower
    bound, with its refutation (``refutation(ds, m - 1, indices=subset)``).
    Every maximal collinear subset with at least two distinct points is tried
    (at most ``max_lines``, largest first).  The two meet when the data are
    collinear; otherwise the gap is undecided here (``ftcexact min-width
    --method z3`` decides it without a checkable refutation).

    Returns
    -------
    dict
        ``lower``, ``lower_points`` (1-based subset or None), ``upper``,
        ``upper_network``, ``upper_direction``, ``decided``.

    Examples
    --------
    >>> from ftcexact.dataset import dataset_from_json
    >>> ds = dataset_from_json({"x": [["0", "0"], ["1", "0"], ["0", "1"], ["1", "1"]], "y": ["0", "1", "1", "0"]})
    >>> b = min_width_bounds(ds)
    >>> b["lower"], b["upper"], b["decided"]
    (1, 2, False)
    """
    from ..constructions.projection import project
    best = None
    d = ds.d
    count, s = 0, 0
    while count < directions:
        a = tuple(Q(s) ** j for j in range(d))
        s += 1
        t = project(a, ds.x)
        if len(set(t)) != len(set(ds.x)):
            continue
        count += 1
        line_ds = Dataset(tuple((v,) for v in t), ds.targets)
        r = min_width(line_ds)
        if best is None or r["min_width"] < best[0]:
            best = (r["min_width"], a, r)
    m_up, a, r = best
    net = r["network"]
    W1, b1 = net.layers[0]
    lifted = Network(((tuple(tuple(row[0] * v for v in a) for row in W1), b1),) + net.layers[1:]) \
        if net.depth > 1 else Network(((tuple(tuple(ZERO for _ in a) for _ in W1), b1),))
    lower, lower_pts = 0, None
    for line in _lines(list(ds.x))[:max_lines]:
        try:
            m = min_width(ds, indices=list(line))["min_width"]
        except NotOnALine:  # cannot happen for a computed line; keep the bound sound anyway
            continue
        if m > lower:
            lower, lower_pts = m, list(line)
        if lower == m_up:
            break
    return {"lower": lower, "lower_points": lower_pts, "upper": m_up, "upper_network": lifted,
            "upper_direction": [format_rational(v) for v in a], "decided": lower == m_up}
