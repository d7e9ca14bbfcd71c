"""[YSJ] Theorem 3.1, Proposition 3.2 and deeper chaining, with exact rational weights.

Everything here reads the data through ``t = a . x`` (an explicit direction
with distinct projections, :mod:`ftcexact.constructions.projection`) and is
built from hard-tanh units (2 ReLUs each, :mod:`.gadgets`).  The text of
[YSJ] was not available when this was written; the construction follows the
explicit rational reconstruction of ``docs/theory.md`` §5 (``/work/shared``),
with two changes that are proved below and recorded in ``docs/constructions.md``.

Construction (Theorem 3.1, hard-tanh form)
------------------------------------------
*Windows.*  Sort the ``n`` distinct points by ``t``, pad with dummy ``t``
values beyond the last point up to ``R * P`` and cut into ``R`` consecutive
groups of ``P``.  Window ``r`` is the hard-tanh of the affine map sending
``A_r`` to -1 and ``B_r`` to +1, where ``A_r, B_r`` are the midpoints to the
neighbouring groups (one unit beyond the extreme points at the ends).  So
window ``r`` is -1 on earlier groups, +1 on later ones and strictly increasing
inside ``(-1, 1)`` on group ``r``.

*Second layer.*  Per output coordinate, ``P`` hard-tanh units.  Unit ``p`` owns
one *slot* per group, in snake order: the ``p``-th point of odd groups and the
``p``-th from the end of even groups (this keeps ``psi`` values of consecutive
groups on opposite sides, so the null vector below stays of moderate size).
On group ``r`` the pre-activation is
``g(t) = sum_{r' < r} W_r' - sum_{r' > r} W_r' + W_r phi_r(t) + c``: the slot
equations ``g = target`` form an ``R x (R + 1)`` system of rank ``R`` whose null
vector ``h`` has ``h_{r+1} = -h_r (1 - psi_r) / (1 + psi_{r+1})`` (normalised to 1 in the
middle group: the weights' bits grow with the distance from the normalising group, so this
halves them compared with ``h_1 = 1``).
With a particular solution ``w0`` and the explicit integer
``lambda = ceil(max_r (margin / spread_r + |w0_r|) / |h_r|)``, where
``spread_r`` is the distance of the slot's window value to every other window
value in group ``r``, ``W = w0 + lambda h`` satisfies the slot equations and
``|g - target| >= margin`` at every other point; the signs of ``W`` alternate,
so ``g`` climbs through odd groups and falls through even ones.

*Output.*  Unit ``p`` has target ``s_p y`` at its slot, ``s_p = (-1)^(p-1)``, and
the output is ``sum_p s_p sH(g_p) - C`` with ``C = 1`` for even ``P`` and 0 for
odd ``P``.  At a point in snake position ``q`` units ``p < q`` sit at +1 and
units ``p > q`` at -1, so the output is ``sum_{p<q} s_p - sum_{p>q} s_p + y - C
= y``.  (theory.md pairs the units; alternating signs work for any ``P``, which
lets the widths meet the paper's ``sqrt(K)`` units per layer when ``sqrt(K)`` is odd.)

Counting: ``R`` windows and ``P d_y`` second-layer units memorize ``R P``
points with ``d1 = 2R`` and ``d2 = 2 P d_y`` ReLUs, i.e. the condition
``floor(d1 / 2) floor(d2 / (2 d_y)) >= N``, which is ``d1 d2 >= 4 N d_y`` when
the widths are even multiples.  Labels outside ``[-1, 1]`` are divided by
``M = max(1, max |y|)`` per coordinate and the output layer multiplies back.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from ..kernel.numbers import Q, format_rational
from ..network import Network
from .gadgets import ConstructionError, Unit, ceil_rational, compile_units, hard_tanh, to_activation
from .projection import project_dataset
from .two_layer import sorted_distinct

__all__ = ["prepare", "ysj_condition", "ysj_smallest_widths", "ysj_layout", "window_unit", "window_value",
           "SlotGroups", "build_groups", "solve_slot_unit", "memorizer_units", "ysj_memorizer", "memorize_prepared",
           "ysj_classifier", "ysj_deep", "stack_blocks", "label_scales"]

ZERO, ONE = Q(0), Q(1)


# ---------------------------------------------------------------- data and counting

def prepare(ds):
    """Direction ``a`` and the distinct points sorted by ``t = a . x``.

    Returns ``(a, ts, zs, idx)``: sorted projections, their targets (tuples)
    and the 1-based dataset index of each.
    """
    a, t = project_dataset(ds)
    rows = sorted_distinct(ds, t)
    return a, [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def label_scales(zs):
    """``M_j = max(1, max_i |z_ij|)`` per output coordinate: ``z / M`` lies in ``[-1, 1]``."""
    dy = len(zs[0])
    return [max([ONE] + [abs(z[j]) for z in zs]) for j in range(dy)]


def ysj_condition(d1, d2, N, dy=1):
    """Whether hidden widths ``(d1, d2)`` meet the Theorem 3.1 condition for N points.

    The hard-tanh construction uses ``floor(d1/2)`` windows and
    ``floor(d2/(2 d_y))`` second-layer units per output and memorizes their
    product, so the condition is ``floor(d1/2) floor(d2/(2 d_y)) >= N``
    (``d1 d2 >= 4 N d_y`` for even ``d1`` and ``d2`` a multiple of ``2 d_y``).

    Examples
    --------
    >>> ysj_condition(8, 8, 16), ysj_condition(8, 6, 16), ysj_condition(8, 12, 16, dy=2)
    (True, False, False)

    References
    ----------
    Yun et al. 2019, Theorem 3.1.
    """
    return N <= 0 or (d1 // 2) * (d2 // (2 * dy)) >= N


def ysj_layout(N, dy=1, second_cost=2, chain=False):
    """``(R, P)`` minimizing ``2R + second_cost * P * d_y`` subject to ``R P >= N``.

    Ties go to the smaller maximum width, then to fewer windows.  With
    ``chain`` only layouts with ``R`` or ``P`` even are allowed (then points
    before and after the block give the same output; see :func:`ysj_deep`).
    ``second_cost`` is the ReLU count of one second-layer unit (2 for
    hard-tanh, 4 for the ramped sL of [FTC] U3).

    Examples
    --------
    >>> ysj_layout(16), ysj_layout(17), ysj_layout(9)
    ((4, 4), (4, 5), (3, 3))
    """
    if N <= 0:
        return 0, 0
    best = None
    for P in range(1, N + 2):
        R = -(-N // P)
        if chain and R % 2 and P % 2:
            continue
        key = (2 * R + second_cost * P * dy, max(2 * R, second_cost * P * dy), R)
        if best is None or key < best[0]:
            best = (key, (R, P))
        if best is not None and second_cost * P * dy >= best[0][0]:  # a larger P only costs more
            break
    return best[1]


def ysj_smallest_widths(N, dy=1):
    """The smallest ``(d1, d2)`` (least ``d1 + d2``) satisfying :func:`ysj_condition` for N points.

    Examples
    --------
    >>> ysj_smallest_widths(16), ysj_smallest_widths(1000), ysj_smallest_widths(10, dy=2)
    ((8, 8), (64, 64), (10, 8))

    References
    ----------
    Yun et al. 2019, Theorem 3.1.
    """
    R, P = ysj_layout(N, dy)
    return 2 * R, 2 * P * dy


# ---------------------------------------------------------------- windows and slots

def window_unit(A, B):
    """The hard-tanh window sending ``t = A`` to -1 and ``t = B`` to +1."""
    return Unit(hard_tanh(), (2 / (B - A),), -(A + B) / (B - A))


def window_value(A, B, t):
    """``sH((2t - A - B) / (B - A))``, exactly."""
    v = (2 * t - A - B) / (B - A)
    return -ONE if v <= -1 else (ONE if v >= 1 else v)


@dataclass
class SlotGroups:
    """Groups of slots with their windows.

    ``bounds[r] = (A_r, B_r)``; ``slots[r]`` the ``P`` slot values of ``t`` in
    increasing order (dummies last); ``real[r][k]`` whether slot ``k`` is a data
    point; ``members[r]`` every ``t`` (slots and points without a slot) inside
    ``(A_r, B_r)``; ``phi[r]`` their window values; ``slot_at[r][k]`` the index of
    slot ``k`` in ``members[r]``.
    """

    bounds: list
    slots: list
    real: list
    members: list
    phi: list
    slot_at: list

    @property
    def R(self):
        return len(self.bounds)

    def psi(self, r, k):
        """Window value of slot ``k`` of group ``r``."""
        return self.phi[r][self.slot_at[r][k]]

    def spread(self, r, k, ends=False):
        """Distance from slot ``k``'s window value to every other member's (and to +-1 with ``ends``)."""
        phi, i = self.phi[r], self.slot_at[r][k]
        gaps = []
        if i > 0:
            gaps.append(phi[i] - phi[i - 1])
        if i + 1 < len(phi):
            gaps.append(phi[i + 1] - phi[i])
        if ends:
            gaps += [phi[i] + 1, 1 - phi[i]]
        return min(gaps) if gaps else None

    def windows(self):
        return [window_unit(A, B) for A, B in self.bounds]


def build_groups(slot_ts, extra_ts, R, P, left=None, right=None):
    """Cut sorted slot values into ``R`` groups of ``P`` (padding with dummies) and place windows.

    ``extra_ts`` are points that need no slot but must be cleared by every
    unit (the dropped points of [FTC] U3); each falls in the group whose window
    interval contains it.  ``left``/``right`` are points outside the block (for
    chaining): the outer window ends are placed halfway to them, and dummies
    stay below ``right``.  Group boundaries are midpoints between consecutive
    points, so no point ever sits on a boundary.
    """
    n = len(slot_ts)
    count = R * P - n
    if not 0 <= count < P:
        raise ConstructionError(f"layout {R} x {P} does not fit {n} slots")
    everything = sorted(list(slot_ts) + list(extra_ts))
    top = everything[-1]
    if right is None:
        dummies = [top + k for k in range(1, count + 1)]
    else:
        dummies = [top + (right - top) * Q(k, 2 * (count + 1)) for k in range(1, count + 1)]
    padded = list(slot_ts) + dummies
    everything += dummies
    lo, hi = everything[0], everything[-1]
    slots = [padded[r * P:(r + 1) * P] for r in range(R)]
    real = [[r * P + k < n for k in range(P)] for r in range(R)]
    cuts = []
    for r in range(R - 1):
        last = slots[r][-1]
        nxt = everything[bisect_right(everything, last)]
        cuts.append((last + nxt) / 2)
    A0 = (left + lo) / 2 if left is not None else lo - 1
    Bn = (hi + right) / 2 if right is not None else hi + 1
    edges = [A0] + cuts + [Bn]
    bounds = list(zip(edges, edges[1:]))
    members, phi, slot_at = [], [], []
    for r, (A, B) in enumerate(bounds):
        group = everything[bisect_right(everything, A):bisect_left(everything, B)]
        members.append(group)
        phi.append([window_value(A, B, t) for t in group])
        position = {t: i for i, t in enumerate(group)}
        slot_at.append([position[t] for t in slots[r]])
    return SlotGroups(bounds, slots, real, members, phi, slot_at)


def solve_slot_unit(psi, targets, spreads, margin, sign=1):
    """Second-layer weights hitting ``targets`` at the slots and clearing every other point.

    Parameters
    ----------
    psi : list of Q
        Window value of the unit's slot in each group (all in ``(-1, 1)``).
    targets : list of Q
        Required pre-activation at each slot.
    spreads : list of Q or None
        Distance from ``psi[r]`` to the other window values that must be
        cleared in group ``r`` (None: nothing to clear).
    margin : Q
        Required ``|g - targets[r]|`` at every point to clear.
    sign : +1 or -1
        ``W_r`` gets the sign ``sign * (-1)^r`` (``r`` 0-based) wherever
        something must be cleared: the null vector's signs alternate.

    Returns
    -------
    (W, c, lam)
        Weights on the windows, bias, and the integer ``lambda`` used.

    Examples
    --------
    Two groups, slots at window values 0 and 1/2, targets 1/2 and -1:

    >>> from ftcexact.kernel.numbers import format_rational
    >>> W, c, lam = solve_slot_unit([Q(0), Q(1, 2)], [Q(1, 2), Q(-1)], [Q(1, 4), Q(1, 4)], Q(2))
    >>> [format_rational(v) for v in W], format_rational(c), lam
    (['21/2', '-8'], '-15/2', -8)
    >>> format_rational(-W[1] + W[0] * 0 + c), format_rational(W[0] + W[1] * Q(1, 2) + c)
    ('1/2', '-1')

    References
    ----------
    Yun et al. 2019, proof of Theorem 3.1 (null-space argument, Lemma B.1);
    Sohn et al. 2024, Appendix A, eq. (35).
    """
    R = len(psi)
    # Consecutive slot equations differ by (1 - psi_r) W_r + (1 + psi_{r+1}) W_{r+1} = y_{r+1} - y_r.
    # Both w0 and h are propagated from the middle group outwards: their sizes grow with the
    # distance travelled, so starting in the middle halves the bits of the weights.
    mid = R // 2
    w0, h = [ZERO] * R, [ZERO] * R
    h[mid] = ONE
    for r in range(mid, R - 1):
        w0[r + 1] = (targets[r + 1] - targets[r] - (1 - psi[r]) * w0[r]) / (1 + psi[r + 1])
        h[r + 1] = -h[r] * (1 - psi[r]) / (1 + psi[r + 1])
    for r in range(mid - 1, -1, -1):
        w0[r] = (targets[r + 1] - targets[r] - (1 + psi[r + 1]) * w0[r + 1]) / (1 - psi[r])
        h[r] = -h[r + 1] * (1 + psi[r + 1]) / (1 - psi[r])
    need = ZERO
    for r in range(R):
        if spreads[r] is not None:
            need = max(need, (margin / spreads[r] + abs(w0[r])) / abs(h[r]))
    lam = ceil_rational(need) * sign * (-1) ** mid  # h_r has the sign (-1)^(r - mid)
    W = [w + lam * v for w, v in zip(w0, h)]
    c = targets[0] - psi[0] * W[0] + sum(W[1:], ZERO)
    return W, c, lam


def snake_slot(r, p, P):
    """Index (in increasing t) of snake position ``p`` in group ``r`` (both 0-based)."""
    return p if r % 2 == 0 else P - 1 - p


# ---------------------------------------------------------------- Theorem 3.1

def memorizer_units(groups, ys, P, ends=False, margin=Q(2)):
    """Second-layer hard-tanh units and outputs memorizing ``ys`` at the real slots.

    ``ys[i]`` is the (normalized, in ``[-1, 1]``) label tuple of the ``i``-th
    slot in increasing ``t``.  Returns ``(units, outputs, lambdas)``; ``outputs``
    are ``(weights over units, bias)`` per coordinate, before scaling back.
    """
    dy = len(ys[0])
    R = groups.R
    units, outputs, lambdas = [], [], []
    C = ONE if P % 2 == 0 else ZERO
    for j in range(dy):
        first = len(units)
        for p in range(P):
            s = ONE if p % 2 == 0 else -ONE
            psi, targets, spreads = [], [], []
            for r in range(R):
                k = snake_slot(r, p, P)
                i = r * P + k
                psi.append(groups.psi(r, k))
                targets.append(s * ys[i][j] if groups.real[r][k] else ZERO)
                spreads.append(groups.spread(r, k, ends))
            W, c, lam = solve_slot_unit(psi, targets, spreads, margin)
            units.append(Unit(hard_tanh(), tuple(W), c))
            lambdas.append(lam)
        weights = [ZERO] * first + [ONE if p % 2 == 0 else -ONE for p in range(P)]
        outputs.append((weights, -C))
    width = len(units)
    outputs = [(tuple(w) + (ZERO,) * (width - len(w)), b) for w, b in outputs]
    return units, outputs, lambdas


def _scaled(outputs, scales, extra=None):
    extra = extra or [ZERO] * len(scales)
    return [(tuple(M * w for w in weights), M * b + e) for (weights, b), M, e in zip(outputs, scales, extra)]


def _memorizer_network(a, ts, zs, R, P, left=None, right=None, ends=False, scales=None, shift=None):
    scales = scales or label_scales(zs)
    ys = [tuple(v / M for v, M in zip(z, scales)) for z in zs]
    groups = build_groups(ts, [], R, P, left, right)
    units, outputs, lambdas = memorizer_units(groups, ys, P, ends)
    net = compile_units(a, [groups.windows(), units], _scaled(outputs, scales, shift))
    return net, lambdas


def ysj_memorizer(ds, d1=None, d2=None, statement=None, activation="relu"):
    """Memorize every target ``z_i`` with two hidden layers of hard-tanh units.

    Parameters
    ----------
    ds : Dataset
        Any input dimension, any number of outputs ``d_y``, any rational labels.
    d1, d2 : int, optional
        Hidden widths (ReLUs) satisfying :func:`ysj_condition` for the number
        of distinct points; default :func:`ysj_smallest_widths`.
    activation : str
        ``"relu"`` or ``"leaky:S-:S+"`` with ``S+ > S- >= 0``: every hard-tanh unit is then two
        units of ``max{S+ t, S- t}``, ``sH(t) = [s(t + 1) - s(t - 1) - (S+ + S-)] / (S+ - S-)``
        (:func:`~ftcexact.constructions.gadgets.to_activation`), same widths.

    Returns
    -------
    (Network, dict)
        The network (hidden widths at most ``d1, d2``) and certificate info;
        the checked bound is ``d1 + d2``.

    Raises
    ------
    ConstructionError
        If ``(d1, d2)`` violates the theorem's condition.

    Examples
    --------
    >>> from ftcexact.dataset import random_dataset
    >>> from ftcexact.network import evaluate
    >>> ds = random_dataset(d=3, K=20, N=20, seed=3)
    >>> net, info = ysj_memorizer(ds)
    >>> net.widths, info["bound"], evaluate(net, ds.x) == list(ds.targets)
    ([8, 10], 18, True)

    References
    ----------
    Yun et al. 2019, Theorem 3.1; Sohn et al. 2024, proof of m <= 4 sqrt(K).
    """
    a, ts, zs, _ = prepare(ds)
    n = len(ts)
    net, info = memorize_prepared(a, ts, zs, d1, d2)
    net = to_activation(net, activation, ds)
    info.update({"statement": statement or "Yun et al. 2019, Theorem 3.1 (hard-tanh construction)"})
    if n != ds.K:
        info["distinct_points"] = n
    return net, info


def memorize_prepared(a, ts, zs, d1=None, d2=None):
    """:func:`ysj_memorizer` on already projected and sorted data (see :func:`prepare`)."""
    n, dy = len(ts), len(zs[0])
    if d1 is None and d2 is None:
        d1, d2 = ysj_smallest_widths(n, dy)
    elif d1 is None or d2 is None:
        raise ConstructionError("Theorem 3.1: give both widths d1 and d2, or neither")
    if not ysj_condition(d1, d2, n, dy):
        raise ConstructionError(f"Theorem 3.1: widths d1 = {d1}, d2 = {d2} violate "
                                f"floor(d1/2) floor(d2/(2 d_y)) >= N for N = {n} points, d_y = {dy}")
    P = min(d2 // (2 * dy), n)
    R = -(-n // P)
    net, lambdas = _memorizer_network(a, ts, zs, R, P)
    info = {
        "bound": d1 + d2,
        "paper_bounds": {"d1 d2 >= 4 N d_y": f"{d1} * {d2} >= 4 * {n} * {dy}"},
        "direction": [format_rational(v) for v in a],
        "widths": [d1, d2],
        "windows": R, "units_per_output": P,
        "scales": [format_rational(M) for M in label_scales(zs)],
        "lambdas": [str(v) for v in lambdas],
    }
    return net, info


# ---------------------------------------------------------------- Proposition 3.2

def _class_of(z):
    ones = [j for j, v in enumerate(z) if v]
    if len(ones) != 1 or z[ones[0]] != 1:
        return None
    return ones[0]


def ysj_classifier(ds, d1=None, d2=None, activation="relu"):
    """Classification with exact one-hot outputs (three hidden layers).

    Every target must be a one-hot vector of length ``C = d_y``.  Class ``j``
    gets the code ``s_j = -1 + 2 (j - 1) / (C - 1)`` (0 when ``C = 1``); a
    Theorem 3.1 network memorizes the codes (``d1 d2 >= 4N``), and a third
    layer of two hard-tanh units per class computes
    ``(sH(kappa (F - s_j) + 1) - sH(kappa (F - s_j) - 1)) / 2`` with
    ``kappa = C - 1``: it is 1 at ``F = s_j`` and 0 at every other code, because
    the codes are ``2 / (C - 1)`` apart and ``kappa * 2 / (C - 1) = 2``.
    So ``d3 = 4 d_y``.  With ``activation="leaky:S-:S+"`` (``S+ > S- >= 0``) every hard-tanh unit is
    two units of ``max{S+ t, S- t}`` (:func:`~ftcexact.constructions.gadgets.to_activation`).

    Examples
    --------
    >>> from ftcexact.dataset import Dataset
    >>> from ftcexact.network import evaluate
    >>> onehot = [(Q(1), Q(0), Q(0)), (Q(0), Q(0), Q(1)), (Q(0), Q(1), Q(0)), (Q(1), Q(0), Q(0))]
    >>> ds = Dataset(tuple((Q(i),) for i in range(4)), tuple(onehot))
    >>> net, info = ysj_classifier(ds)
    >>> net.widths, evaluate(net, ds.x) == onehot
    ([4, 4, 12], True)

    References
    ----------
    Yun et al. 2019, Proposition 3.2.
    """
    a, ts, zs, _ = prepare(ds)
    n, C = len(ts), ds.dy
    classes = [_class_of(z) for z in zs]
    if None in classes:
        bad = classes.index(None)
        raise ConstructionError(f"Proposition 3.2: target of point {bad + 1} (in sorted order) is not one-hot")
    if d1 is None and d2 is None:
        d1, d2 = ysj_smallest_widths(n, 1)
    if d1 is None or d2 is None or not ysj_condition(d1, d2, n, 1):
        raise ConstructionError(f"Proposition 3.2: widths d1 = {d1}, d2 = {d2} violate "
                                f"floor(d1/2) floor(d2/2) >= N for N = {n}")
    codes = [Q(-1) + Q(2 * j, C - 1) for j in range(C)] if C > 1 else [ZERO]
    kappa = Q(C - 1)
    P = min(d2 // 2, n)
    R = -(-n // P)
    groups = build_groups(ts, [], R, P)
    units, outputs, lambdas = memorizer_units(groups, [(codes[c],) for c in classes], P)
    (F_weights, F_bias), = outputs
    third = []
    for j in range(C):
        for offset in (ONE, -ONE):
            third.append(Unit(hard_tanh(), tuple(kappa * w for w in F_weights), kappa * (F_bias - codes[j]) + offset))
    outs = []
    for j in range(C):
        weights = [ZERO] * (2 * C)
        weights[2 * j], weights[2 * j + 1] = Q(1, 2), Q(-1, 2)
        outs.append((tuple(weights), ZERO))
    net = to_activation(compile_units(a, [groups.windows(), units, third], outs), activation, ds)
    info = {
        "statement": "Yun et al. 2019, Proposition 3.2 (classification, one-hot outputs)",
        "bound": d1 + d2 + 4 * C,
        "paper_bounds": {"d1 d2 >= 4N, d3 >= 4 d_y": f"{d1} * {d2} >= 4 * {n}, d3 = {4 * C}"},
        "direction": [format_rational(v) for v in a],
        "widths": [d1, d2, 4 * C],
        "codes": [format_rational(s) for s in codes],
        "kappa": format_rational(kappa),
        "lambdas": [str(v) for v in lambdas],
    }
    return net, info


# ---------------------------------------------------------------- deeper networks

def stack_blocks(direction, blocks, layers, ts, extra_bias=None, sum_shift=ZERO):
    """``sum_k block_k(x) + extra_bias`` as one network with exactly ``layers`` affine layers.

    Each block is a network with two hidden layers whose first-layer rows are
    multiples of ``direction``.  Block ``k`` occupies hidden layers ``2k - 1``
    and ``2k``.  Carry units ([YSJ] Figure 2 idea) pass ``t = a . x`` forward as
    ``relu(t - min t)`` (1 ReLU, needed until the last block starts) and the
    running sum as ``relu(S + sum_shift)`` (``d_y`` ReLUs, from the third hidden
    layer on); both are exact at the data because ``t >= min t`` there and
    ``sum_shift`` is at least minus every partial sum at the data (the caller
    guarantees it).  Remaining layers carry the sum only.

    Returns the network; its neuron count is the blocks' plus
    ``2 (len(blocks) - 1) + d_y (layers - 3)`` carries.
    """
    a = tuple(direction)
    j0 = next(j for j, v in enumerate(a) if v)
    dy = blocks[0].output_dim
    extra_bias = list(extra_bias or [ZERO] * dy)
    for block in blocks:  # a block that pruning reduced to a constant is just a bias
        if block.depth == 1:
            extra_bias = [e + v for e, v in zip(extra_bias, block.layers[0][1])]
    blocks = [block for block in blocks if block.depth > 1]
    if not blocks:
        return Network(((tuple((ZERO,) * len(a) for _ in range(dy)), tuple(extra_bias)),))
    nb = len(blocks)
    if any(block.depth != 3 for block in blocks):
        raise ConstructionError("stacking: every block must have exactly two hidden layers")
    if layers < 2 * nb + 1:
        raise ConstructionError(f"{nb} blocks of two hidden layers need at least {2 * nb + 1} layers, not {layers}")
    t_shift = -min(ts)
    hidden = []  # each: list of (incoming: dict prev_index -> weight, or x-row tuple), bias
    S_idx = None
    t_idx = None
    prev_block = None  # (block, indices of its second-layer neurons in the previous layer)
    for k, block in enumerate(blocks):
        (W1, b1), (W2, b2), _ = block.layers
        layer = []
        if k == 0:
            for row, bias in zip(W1, b1):
                layer.append((tuple(row), bias))
        else:
            for row, bias in zip(W1, b1):
                alpha = row[j0] / a[j0]
                layer.append(({t_idx: alpha}, bias - alpha * t_shift))
        first_block = list(range(len(layer)))
        new_t = None
        if k < nb - 1:
            new_t = len(layer)
            layer.append((a, t_shift) if k == 0 else ({t_idx: ONE}, ZERO))
        new_S = None
        if k > 0:
            new_S = list(range(len(layer), len(layer) + dy))
            layer += _sum_rows(prev_block, S_idx, sum_shift, dy)
        hidden.append(layer)
        t_idx, S_idx = new_t, new_S
        # second hidden layer of block k
        layer = []
        for row, bias in zip(W2, b2):
            layer.append(({first_block[i]: w for i, w in enumerate(row) if w}, bias))
        second_block = list(range(len(layer)))
        new_t = None
        if k < nb - 1:
            new_t = len(layer)
            layer.append(({t_idx: ONE}, ZERO))
        new_S = None
        if S_idx is not None:
            new_S = list(range(len(layer), len(layer) + dy))
            layer += [({S_idx[j]: ONE}, ZERO) for j in range(dy)]
        hidden.append(layer)
        t_idx, S_idx = new_t, new_S
        prev_block = (block, second_block)
    while len(hidden) < layers - 1:
        if prev_block is not None:
            layer = _sum_rows(prev_block, S_idx, sum_shift, dy)
            prev_block = None
        else:
            layer = [({S_idx[j]: ONE}, ZERO) for j in range(dy)]
        S_idx = list(range(dy))
        hidden.append(layer)
    # output layer: the running sum (minus its shift) plus the last block's output, if not yet absorbed
    out = []
    for j in range(dy):
        inc, bias = {}, extra_bias[j]
        if S_idx is not None:
            inc[S_idx[j]] = ONE
            bias -= sum_shift
        if prev_block is not None:
            block, indices = prev_block
            W3, b3 = block.layers[2]
            for i, w in enumerate(W3[j]):
                if w:
                    inc[indices[i]] = inc.get(indices[i], ZERO) + w
            bias += b3[j]
        out.append((inc, bias))
    hidden.append(out)
    return _dense(hidden, len(a))


def _sum_rows(prev_block, S_idx, sum_shift, dy):
    """Rows computing ``S_prev + block output + sum_shift`` (``S_prev`` already carries the shift)."""
    block, indices = prev_block
    W3, b3 = block.layers[2]
    rows = []
    for j in range(dy):
        inc = {indices[i]: w for i, w in enumerate(W3[j]) if w}
        bias = b3[j]
        if S_idx is None:
            bias += sum_shift
        else:
            inc[S_idx[j]] = inc.get(S_idx[j], ZERO) + ONE
        rows.append((inc, bias))
    return rows


def _dense(hidden, d):
    layers, width = [], d
    for l, layer in enumerate(hidden):
        W, b = [], []
        for inc, bias in layer:
            if isinstance(inc, tuple):
                W.append(inc)
            else:
                row = [ZERO] * width
                for i, w in inc.items():
                    row[i] += w
                W.append(tuple(row))
            b.append(bias)
        layers.append((tuple(W), tuple(b)))
        width = len(layer)
    return Network(tuple(layers))


def _balanced_chunks(n, parts):
    """Split ``range(n)`` into ``parts`` consecutive chunks whose sizes differ by at most one."""
    base, extra = divmod(n, parts)
    out, start = [], 0
    for k in range(parts):
        size = base + (1 if k < extra else 0)
        out.append(range(start, start + size))
        start += size
    return [c for c in out if len(c)]


def ysj_deep(ds, layers, activation="relu"):
    """See :func:`_ysj_deep`; with a leaky activation whose exact conversion fails on the chosen order of the
    points, the same construction is tried once on the reversed order (direction ``-a``)."""
    try:
        return _ysj_deep(ds, layers, activation)
    except ConstructionError:
        if activation == "relu":
            raise
        from .projection import _FIXED, fixed_direction
        a = _FIXED.get() or prepare(ds)[0]
        with fixed_direction([-v for v in a]):
            return _ysj_deep(ds, layers, activation)


def _ysj_deep(ds, layers, activation="relu"):
    """Memorize every target with an L-layer network: chained Theorem 3.1 blocks.

    The sorted points are cut into ``floor((L - 1) / 2)`` consecutive chunks of
    balanced size; block ``k`` is a Theorem 3.1 network on chunk ``k`` only,
    with its outer windows placed halfway to the neighbouring chunks.  Points
    before the chunk saturate every window at -1, points after it at +1; with
    the clearance taken to +-1 as well (``spread`` with ``ends``) every
    second-layer unit is saturated there, and with ``R`` or ``P`` even the block
    outputs ``-M`` (``M`` the label scale) both before and after its chunk.
    So ``block_k + M`` is ``z + M`` on chunk ``k`` and 0 elsewhere, and the sum of
    these minus ``M`` memorizes every point.  Blocks are stacked with
    :func:`stack_blocks` (carries ``t`` and the running sum, which is
    ``>= 0`` at the data, so no shift is needed).  With ``activation="leaky:S-:S+"`` the carries use
    ``s(v) = S+ v`` for ``v >= 0`` and the hard-tanh units two units each
    (:func:`~ftcexact.constructions.gadgets.to_activation`).

    Examples
    --------
    >>> from ftcexact.dataset import random_dataset
    >>> from ftcexact.network import evaluate
    >>> ds = random_dataset(d=2, K=30, N=30, seed=5)
    >>> net, info = ysj_deep(ds, layers=7)
    >>> net.depth, max(net.widths) <= info["max_width_bound"], evaluate(net, ds.x) == list(ds.targets)
    (7, True, True)

    References
    ----------
    Yun et al. 2019, Figure 2 and Section 4 (deeper networks).
    """
    if layers is None or layers < 3:
        raise ConstructionError("deep [YSJ] chaining: need --layers L >= 3 (one block = two hidden layers)")
    a, ts, zs, _ = prepare(ds)
    n, dy = len(ts), ds.dy
    scales = label_scales(zs)
    parts = _balanced_chunks(n, (layers - 1) // 2)
    blocks, bound, lambdas, layouts = [], 0, [], []
    for k, chunk in enumerate(parts):
        R, P = ysj_layout(len(chunk), dy, chain=True)
        left = ts[chunk[0] - 1] if chunk[0] > 0 else None
        right = ts[chunk[-1] + 1] if chunk[-1] + 1 < n else None
        net, lam = _memorizer_network(a, ts[chunk[0]:chunk[-1] + 1], zs[chunk[0]:chunk[-1] + 1], R, P,
                                      left, right, ends=True, scales=scales, shift=scales)
        blocks.append(net)
        lambdas.append([str(v) for v in lam])
        layouts.append([R, P])
        bound += 2 * R + 2 * P * dy
    carries = 2 * (len(blocks) - 1) + dy * (layers - 3)
    net = to_activation(stack_blocks(a, blocks, layers, ts, extra_bias=[-M for M in scales]), activation, ds)
    max_width = max(max(2 * R, 2 * P * dy) for R, P in layouts) + 1 + dy
    info = {
        "statement": f"Yun et al. 2019, Theorem 3.1 blocks chained in depth (Figure 2 idea), L = {layers}",
        "bound": bound + carries,
        "paper_bounds": {"blocks": len(blocks), "carry neurons": carries},
        "direction": [format_rational(v) for v in a],
        "layouts": layouts,
        "max_width_bound": max_width,
        "scales": [format_rational(M) for M in scales],
        "lambdas": lambdas,
    }
    return net, info

