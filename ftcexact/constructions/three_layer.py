"""Three-layer fine-tuning networks of [FTC] §5.2 and Appendix A, with exact weights.

Every construction reads ``t = a . x`` (explicit direction, distinct
projections), works on the distinct points sorted by ``t`` and compiles its
hard-tanh / bump / sL / sT units to ReLUs with :mod:`.gadgets`; the neuron
count is the number of ReLUs present after pruning.  The checked bound is the
integer count of the paper's recipe on this instance (its square roots
rounded up as the recipe needs); the real-valued formula is reported beside it.
Targets are ``z_i = y_i - f_i``; labels outside ``[-1, 1]`` (the range [FTC] §5
assumes) are divided by ``M = max(1, max |z_i|)`` and multiplied back in the
output layer, at no neuron cost.  ``N = 0`` gives the zero network (0 neurons).

Vector targets ``z_i in Q^{d_y}`` (``T`` = points with any nonzero coordinate,
``N = |T|``): the first layer depends only on ``t`` and on the group/slot layout
of T (or J), which is the same for every output coordinate, so it is shared;
the second layer gets per output coordinate what the scalar construction has
(U3, U3-T: the sL units; Appendix A: the sT unit), while U2's bump units are
indicators of their point and take a vector output weight.  A coordinate that
is 0 at every point gets no units.  Counts, with ``c = ceil(sqrt(|J|))``:
U1 ``min {2R + 2 d_y P : RP >= K}``, U2 ``2R + 3N`` (independent of ``d_y``),
U3 built with ``min {2R + 4 d_y U : RU >= |J|}`` <= checked ``(2 + 4 d_y) c``,
U3-T ``min {2R + 4 d_y U : RU >= N}``, Appendix A ``<= 4N + 2 + 2 d_y``; each is
the scalar count at ``d_y = 1`` (proofs: ``docs/constructions.md``).

``three-layer-u1``  ([FTC] m <= 4 sqrt(K)): the [YSJ] Theorem 3.1 network
    memorizing ``z`` on all points (:mod:`.ysj`), at the smallest widths.
``three-layer-u2``  ([FTC] m <= 2 sqrt(K) + 3N): the U1 first layer, plus one
    bump unit (3 ReLUs) per point of T, reading the second-layer row whose slot
    holds the point, re-solved with target ``z_i`` there and 0 at the row's other
    slots (see :func:`three_layer_u2`).
``three-layer-u3``  ([FTC] m <= 6 sqrt(3N + 2)): slots only for the kept set J of
    Theorem 4.4, second layer of ramped sL units (4 ReLUs), every dropped point
    cleared to ``|g| >= 1 + delta`` by an explicit lambda.
``three-layer-4n4`` ([FTC] Appendix A, m <= 4N + 4): one hard-tanh window per
    group ``s_j``, one sT unit.
``three-layer-u3-t`` (not in the papers): U3 with slots for T only,
    ``min {2R + 4U : R U >= N}`` ReLUs, about ``4 sqrt(2N)``.
``three-layer-best``: U1, U2, U3 and Appendix A, each checked exactly; the
    smallest is kept.
"""

from __future__ import annotations

from ..analysis.partitions import kept_indices
from ..kernel.numbers import Q, format_rational, parse_rational
from ..network import Network
from .gadgets import (ConstructionError, Unit, bump, ceil_sqrt, compile_units, ramped_sl, s_t,
                      sqrt_decimal)
from .ysj import (build_groups, label_scales, memorize_prepared, prepare, snake_slot, solve_slot_unit,
                  window_unit, window_value, ysj_layout)

__all__ = ["three_layer_u1", "three_layer_u2", "three_layer_u3", "three_layer_u3_t", "three_layer_4n4", "three_layer_best",
           "fits", "active_coordinates", "app_a_bound",
           "zero_network", "u3_prepared", "appendix_a_groups", "u1_bound", "u3_bound", "theorem_5_1_formulas"]

ZERO, ONE = Q(0), Q(1)


def zero_network(d, dy=1):
    """The constant zero network (one affine layer, no neurons)."""
    return Network(((tuple((ZERO,) * d for _ in range(dy)), (ZERO,) * dy),))


def active_coordinates(zs):
    """Output coordinates with a nonzero target somewhere (the others get no second-layer units)."""
    return [j for j in range(len(zs[0])) if any(z[j] for z in zs)]


def _t_positions(zs):
    return [p + 1 for p, z in enumerate(zs) if any(z)]


def theorem_5_1_formulas(K, N):
    """Decimal values of the [FTC] Theorem 5.1 formulas (strings, rounded down to 4 decimals)."""
    out = {"U1 = 4 sqrt(K)": sqrt_decimal(4, K), "U2 = 2 sqrt(K) + 3N": sqrt_decimal(2, K, 3 * N),
           "U3 = 6 sqrt(3N + 2)": sqrt_decimal(6, 3 * N + 2), "Appendix A: 4N + 4": str(4 * N + 4)}
    if K >= 3:
        out["Theorem 5.1 lower: sqrt(2 min(3N, K - 2) + 1/4) - 1/2"] = sqrt_decimal(
            1, 2 * min(3 * N, K - 2) + Q(1, 4), Q(-1, 2))
    return out


def u1_bound(K, dy=1):
    """Neurons of U1 at the smallest [YSJ] widths for K points: ``min 2R + 2 d_y P`` over ``R P >= K``.

    Examples
    --------
    >>> u1_bound(16), u1_bound(1200, dy=10)
    (16, 440)
    """
    R, P = ysj_layout(K, dy)
    return 2 * R + 2 * P * dy


def u3_bound(J, dy=1):
    """Neurons of the paper's U3 recipe on ``|J|`` kept points, its sL units per output coordinate.

    ``R = U = ceil(sqrt(|J|))``: ``(2 + 4 d_y) ceil(sqrt(|J|))``, i.e. ``6 ceil(sqrt(|J|))`` for scalar labels.

    Examples
    --------
    >>> u3_bound(9), u3_bound(32, dy=10)
    (18, 252)
    """
    return (2 + 4 * dy) * ceil_sqrt(J)


def app_a_bound(N, dy=1):
    """Neurons of Appendix A with one sT unit per output coordinate: ``4N + 2 + 2 d_y`` (``4N + 4`` for d_y = 1).

    Examples
    --------
    >>> app_a_bound(2), app_a_bound(10, dy=10)
    (12, 62)
    """
    return 4 * N + 2 + 2 * dy if N else 0


def _scales_hint(scales):
    return format_rational(scales[0]) if len(scales) == 1 else [format_rational(M) for M in scales]


def _common(ds, a, n, extra=None):
    info = {"direction": [format_rational(v) for v in a]}
    if n != ds.K:
        info["distinct_points"] = n
    info.update(extra or {})
    return info


# ---------------------------------------------------------------- U1

def three_layer_u1(ds):
    """[FTC] U1: the [YSJ] memorizer of ``z`` (0 off T) at the smallest widths.

    The checked bound is the count at the smallest widths,
    ``min {2R + 2P : R P >= K}``, which is ``4 sqrt(K)`` when ``sqrt(K)`` is an
    integer and exceeds it by less than 2 otherwise.

    Examples
    --------
    >>> from ftcexact.dataset import random_dataset
    >>> from ftcexact.network import evaluate
    >>> ds = random_dataset(d=2, K=16, N=1, seed=7)
    >>> net, info = three_layer_u1(ds)
    >>> net.neurons, info["bound"], info["paper_bounds"]["U1 = 4 sqrt(K)"], evaluate(net, ds.x) == list(ds.targets)
    (16, 16, '16.0000', True)

    References
    ----------
    Sohn et al. 2024, proof of m <= 4 sqrt(K) (Figure 6); Yun et al. 2019, Theorem 3.1.
    """
    a, ts, zs, _ = prepare(ds)
    n = len(ts)
    formulas = {"U1 = 4 sqrt(K)": sqrt_decimal(4, ds.K)}
    if ds.N == 0:
        return zero_network(ds.d, ds.dy), dict(_common(ds, a, n), statement=_U1, bound=0, paper_bounds=formulas)
    net, info = memorize_prepared(a, ts, zs)
    info.update(_common(ds, a, n))
    info["statement"] = _U1
    info["paper_bounds"] = dict(formulas, **{"d1 + d2 at the smallest widths": info["bound"]})
    return net, info


_U1 = "Sohn et al. 2024, Theorem 5.1: m <= 4 sqrt(K) (U1, Yun et al. 2019 Theorem 3.1 network)"


# ---------------------------------------------------------------- U2

def three_layer_u2(ds):
    """[FTC] U2: the U1 first layer plus one bump unit (3 ReLUs) per point of T.

    The paper feeds the bump for ``i in T`` with the [YSJ] second-layer row
    whose slot holds ``x_i`` and centres it at ``z_i`` with
    ``delta < min |z_i - z_j| / 2``.  That row still has its memorizing targets
    at its slots in the other groups, so the bump also fires there when another
    target equals ``z_i`` (and ``delta`` does not exist when targets coincide).
    Here the row keeps its slots (same window values, same neuron) but is
    re-solved with target ``y_i = z_i / M`` at ``x_i`` and 0 at its other slots,
    with clearance 2 at every other point; then with
    ``delta_i = |y_i| / 2`` the bump is 0 at every other point: other slots sit at
    0 (``|0 - y_i| > delta_i``), other points of ``x_i``'s group at
    ``|g - y_i| >= 2``, points of other groups at ``|g| >= 2``, so
    ``|g - y_i| >= 1 > delta_i``.  Same neuron count as the paper.

    Vector targets (``d_y > 1``): the same argument with ``y_i = 1`` shows the
    bump ``sB`` of height 1 is the indicator of ``x_i`` on the data, so it takes
    the output weight ``z_i`` (a vector); the count ``2R + 3N`` does not depend
    on ``d_y``.

    Examples
    --------
    >>> from ftcexact.dataset import Dataset
    >>> from ftcexact.network import evaluate
    >>> z = [0, 1, 0, 1, 0, 0, 1, 0, 0]          # coinciding targets
    >>> ds = Dataset(tuple((Q(i),) for i in range(9)), tuple((Q(v),) for v in z))
    >>> net, info = three_layer_u2(ds)
    >>> net.neurons, info["bound"], evaluate(net, ds.x) == list(ds.targets)
    (15, 15, True)
    >>> onehot = [(Q(0), Q(0), Q(0)), (Q(1), Q(0), Q(-1)), (Q(0), Q(0), Q(0)), (Q(0), Q(5), Q(0))]
    >>> ds = Dataset(tuple((Q(i),) for i in range(4)), tuple(onehot))
    >>> net, info = three_layer_u2(ds)
    >>> net.neurons, info["bound"], evaluate(net, ds.x) == onehot
    (10, 10, True)

    References
    ----------
    Sohn et al. 2024, proof of m <= 2 sqrt(K) + 3N (Figure 7).
    """
    a, ts, zs, _ = prepare(ds)
    n, N, dy = len(ts), ds.N, ds.dy
    formulas = {"U2 = 2 sqrt(K) + 3N": sqrt_decimal(2, ds.K, 3 * N)}
    if N == 0:
        return zero_network(ds.d, dy), dict(_common(ds, a, n), statement=_U2, bound=0, paper_bounds=formulas)
    R, P = ysj_layout(n)
    groups = build_groups(ts, [], R, P)
    (M,) = label_scales(zs) if dy == 1 else (ONE,)
    units, lambdas, deltas, weights = [], [], [], []
    for i, z in enumerate(zs):
        if not any(z):
            continue
        y = z[0] / M if dy == 1 else ONE  # the paper's centre z_i for scalars; an indicator for vectors
        r, k = divmod(i, P)
        p = snake_slot(r, k, P)  # the snake position of slot k (the map is an involution)
        psi, targets, spreads = [], [], []
        for rr in range(R):
            kk = snake_slot(rr, p, P)
            psi.append(groups.psi(rr, kk))
            targets.append(y if rr == r else ZERO)
            spreads.append(groups.spread(rr, kk))
        W, c, lam = solve_slot_unit(psi, targets, spreads, Q(2))
        delta = abs(y) / 2
        units.append(Unit(bump(y, delta), tuple(W), c))
        weights.append((M,) if dy == 1 else z)  # sB(g_i) = y_i at x_i (scalar), 1 at x_i (vector)
        lambdas.append(str(lam))
        deltas.append(format_rational(delta))
    outputs = [(tuple(w[j] for w in weights), ZERO) for j in range(dy)]
    net = compile_units(a, [groups.windows(), units], outputs)
    bound = 2 * R + 3 * len(units)  # len(units) = N, or fewer with repeated inputs
    info = _common(ds, a, n, {"statement": _U2, "bound": bound,
                              "paper_bounds": dict(formulas, **{"2 R + 3N with the U1 windows": bound}),
                              "windows": R, "slots_per_group": P, "scale": format_rational(M),
                              "lambdas": lambdas, "bump_half_widths": deltas})
    return net, info


_U2 = "Sohn et al. 2024, Theorem 5.1: m <= 2 sqrt(K) + 3N (U2, bump units)"


# ---------------------------------------------------------------- U3

SL_RAMP = ONE  # width delta of the ramps of sL


def u3_prepared(a, ts, zs, slots="J"):
    """U3 on projected, sorted data; returns ``(net, details)``.

    ``slots="J"`` gives slots to the kept set J (the paper); ``slots="T"`` only to
    the points of T (:func:`three_layer_u3_t`).  The windows (groups of ``U``
    slots) are shared by the output coordinates; every coordinate with a nonzero
    target gets its own ``U`` sL units, solved with that coordinate's targets on
    the same slots, and the layout minimizes ``2R + 4 d U`` over ``RU >= |slots|``
    (``d`` those coordinates).
    """
    n = len(ts)
    J = kept_indices(n, _t_positions(zs)) if slots == "J" else _t_positions(zs)
    kept = set(J)
    slot_ts = [ts[j - 1] for j in J]
    extra = [ts[p] for p in range(n) if p + 1 not in kept]
    coords = active_coordinates(zs)
    R, U = ysj_layout(len(J), len(coords), second_cost=4)
    groups = build_groups(slot_ts, extra, R, U)
    scales = label_scales(zs)
    margin = 2 + SL_RAMP  # |g - target| >= 2 + delta gives |g| >= 1 + delta: sL(g) = 0
    units, lambdas, outputs = [], [], []
    for j in range(len(zs[0])):
        if j not in coords:
            outputs.append(None)
            continue
        ys = [zs[i - 1][j] / scales[j] for i in J]
        outputs.append(len(units))
        for p in range(U):
            psi, targets, spreads = [], [], []
            for r in range(R):
                k = snake_slot(r, p, U)
                psi.append(groups.psi(r, k))
                targets.append(ys[r * U + k] if groups.real[r][k] else ZERO)
                spreads.append(groups.spread(r, k))
            W, c, lam = solve_slot_unit(psi, targets, spreads, margin)
            units.append(Unit(ramped_sl(SL_RAMP), tuple(W), c))
            lambdas.append(str(lam))
    rows = []
    for j, first in enumerate(outputs):  # coordinate j sums its own U units, times its scale
        w = [ZERO] * len(units)
        if first is not None:
            w[first:first + U] = [scales[j]] * U
        rows.append((tuple(w), ZERO))
    net = compile_units(a, [groups.windows(), units], rows)
    details = {"J": J, "windows": R, "sl_units": U, "outputs_with_units": len(coords), "scales": scales,
               "lambdas": lambdas}
    return net, details


def three_layer_u3(ds):
    """[FTC] U3: slots for the kept set J only, second layer of ramped sL units.

    J is the kept set of Theorem 4.4 (``|J| <= 3N + 2``, Lemma 4.7).  The
    windows cut J into ``R`` groups of ``U`` consecutive kept points; every
    dropped point falls inside one window's interval (the boundaries are
    midpoints between consecutive *data* points, never on a point).  Unit ``p``
    has one slot per group (snake order) with the kept point's target, and is
    solved with clearance ``2 + delta`` from every other point of each group,
    *including the dropped points*: so every non-slot point has
    ``|g| >= 1 + delta`` where the ramped sL is 0.  The paper argues the dropped
    points instead by monotonicity ("beta(x_6) between beta(x_5) and beta(x_8)"
    and "arbitrarily increase lambda"), which does not clear a dropped point
    next to a kept point that sits on the same unit's ramp; counting the
    dropped points in the clearance does, at no neuron cost.  The layout
    ``(R, U)`` minimizes ``2R + 4U`` with ``R U >= |J|``; the checked bound is the
    paper's recipe ``R = U = ceil(sqrt(|J|))``, i.e. ``6 ceil(sqrt(|J|))``.

    Vector targets: J is the kept set of T (points with any nonzero
    coordinate); the windows are shared and each output coordinate gets its
    own ``U`` sL units on the same slots (a unit carries one value per group),
    built with ``min {2R + 4 d_y U : RU >= |J|}`` ReLUs; the checked bound is
    the paper's layout ``(2 + 4 d_y) ceil(sqrt(|J|))``.

    Examples
    --------
    The instance of [FTC] Figure 8 (K = 16, T = {2, 4, 9}):

    >>> from ftcexact.dataset import Dataset
    >>> from ftcexact.network import evaluate
    >>> z = [0, 1, 0, Q(-1, 2), 0, 0, 0, 0, Q(3, 4), 0, 0, 0, 0, 0, 0, 0]
    >>> ds = Dataset(tuple((Q(i),) for i in range(1, 17)), tuple((Q(v),) for v in z))
    >>> net, info = three_layer_u3(ds)
    >>> info["J"], net.widths, info["bound"], evaluate(net, ds.x) == list(ds.targets)
    ([1, 2, 3, 4, 5, 8, 9, 10, 16], [10, 8], 18, True)

    The same points with two-coordinate targets:

    >>> ds2 = Dataset(ds.x, tuple((v, -2 * v) for (v,) in ds.targets))
    >>> net, info = three_layer_u3(ds2)
    >>> net.widths, info["bound"], evaluate(net, ds2.x) == list(ds2.targets)
    ([10, 16], 30, True)

    References
    ----------
    Sohn et al. 2024, proof of m <= 6 sqrt(3N + 2) (Figure 8), Theorem 4.4, Lemma 4.7.
    """
    a, ts, zs, idx = prepare(ds)
    n, N, dy = len(ts), ds.N, ds.dy
    formulas = {"U3 = 6 sqrt(3N + 2)": sqrt_decimal(6, 3 * N + 2),
                "(2 + 4 d_y) ceil(sqrt(3N + 2))": u3_bound(3 * N + 2, dy)}
    if N == 0:
        return zero_network(ds.d, dy), dict(_common(ds, a, n), statement=_U3, bound=0, paper_bounds=formulas)
    net, details = u3_prepared(a, ts, zs)
    J = details["J"]
    bound = u3_bound(len(J), dy)
    R, U = details["windows"], details["sl_units"]
    info = _common(ds, a, n, {
        "statement": _U3, "bound": bound,
        "paper_bounds": dict(formulas, **{"|J|": len(J), "(2 + 4 d_y) ceil(sqrt(|J|))": bound,
                                          "2R + 4 d_y U, the layout built": 2 * R + 4 * U * details["outputs_with_units"]}),
        "J": sorted(idx[j - 1] for j in J), "windows": R, "sl_units": U, "sl_units_per_output": U,
        "sl_ramp": format_rational(SL_RAMP), "scale": _scales_hint(details["scales"]),
        "lambdas": details["lambdas"]})
    return net, info


_U3 = "Sohn et al. 2024, Theorem 5.1: m <= 6 sqrt(3N + 2) (U3, ramped sL on the kept set J)"


def three_layer_u3_t(ds):
    """Variant of U3 (not in the papers): slots for the points of T only.

    The clearance argument of :func:`three_layer_u3` never uses that a point
    without a slot lies between two kept zeros: every point without a slot is
    cleared to ``|g| >= 1 + delta`` directly, where the ramped sL is 0.  So the
    kept zeros of J need no slots either, and ``R`` windows with ``U`` sL units
    fine-tune any ``N <= R U`` points: ``min {2R + 4U : R U >= N}`` ReLUs, about
    ``4 sqrt(2N) = 5.66 sqrt(N)``, against ``6 sqrt(3N + 2) = 10.4 sqrt(N)`` for U3.
    The checked bound is that minimum.  Vector targets: shared windows,
    ``U`` sL units per output coordinate, ``min {2R + 4 d_y U : RU >= N}``.

    Examples
    --------
    >>> from ftcexact.dataset import random_dataset
    >>> from ftcexact.network import evaluate
    >>> ds = random_dataset(d=2, K=200, N=50, seed=3)
    >>> net, info = three_layer_u3_t(ds)
    >>> net.neurons, info["bound"], three_layer_u3(ds)[0].neurons, evaluate(net, ds.x) == list(ds.targets)
    (40, 40, 64, True)

    References
    ----------
    Variant of Sohn et al. 2024, proof of m <= 6 sqrt(3N + 2).
    """
    a, ts, zs, idx = prepare(ds)
    n, dy = len(ts), ds.dy
    N = len(_t_positions(zs))
    formulas = {"4 sqrt(2N)": sqrt_decimal(4, 2 * ds.N), "U3 = 6 sqrt(3N + 2)": sqrt_decimal(6, 3 * ds.N + 2)}
    if N == 0:
        return zero_network(ds.d, dy), dict(_common(ds, a, n), statement=_U3T, bound=0, paper_bounds=formulas)
    net, details = u3_prepared(a, ts, zs, slots="T")
    R, U = ysj_layout(N, dy, second_cost=4)
    bound = 2 * R + 4 * U * dy
    info = _common(ds, a, n, {
        "statement": _U3T, "bound": bound,
        "paper_bounds": dict(formulas, **{"min 2R + 4 d_y U over R U >= N": bound}),
        "windows": details["windows"], "sl_units": details["sl_units"], "sl_units_per_output": details["sl_units"],
        "sl_ramp": format_rational(SL_RAMP), "scale": _scales_hint(details["scales"]),
        "lambdas": details["lambdas"]})
    return net, info


_U3T = ("ftcexact variant of Sohn et al. 2024 U3 with slots on T only (not a paper statement): "
        "m <= min{2R + 4 d_y U : R U >= N}")


# ---------------------------------------------------------------- Appendix A

ST_RAMP = ONE  # width delta of the ramp of sT


def three_layer_4n4(ds):
    """[FTC] Appendix A: ``2N + 1`` hard-tanh windows on the groups ``s_j`` and one sT unit.

    Groups: ``s_1 = {1..T_1 - 1}``, ``s_2 = {T_1}``, ``s_3 = {T_1 + 1..T_2 - 1}``, ...,
    ``s_{2N+1} = {T_N + 1..K}`` in the sorted order.  Window ``j`` maps its group
    into ``(-1, 1)`` (ends at midpoints, ``eps = 1`` beyond the extreme points).
    The sT unit hits ``z`` at the minimum of every group (0 for the odd groups)
    and is pushed to ``>= 1 + delta`` at every other point by an explicit lambda
    along the null vector.  Empty groups, which the paper leaves open:

    * ``s_1`` empty (``T_1 = 1``) or ``s_{2N+1}`` empty (``T_N = K``): no window
      (saves 2 ReLUs).  The remaining groups keep their order.
    * an interior odd group empty (adjacent indices ``T_k + 1 = T_{k+1}``): the
      null vector's signs alternate from group to group, and every group with
      more than one point needs the same sign.  Between two such groups the
      number of windows must therefore be odd; if an odd number of empty groups
      lies between them, one *virtual* window is placed in the gap between two
      adjacent T points (no data point on its ramp; 2 ReLUs, the paper's count
      for that group); other empty groups get no window.

    The sign pattern actually needed is checked exactly; the count is
    ``2 (#windows) + 2 <= 4N + 4``.

    Vector targets (not in the paper): the groups, the windows, the window
    values, the spreads and the sign pattern depend on T only, so they are
    shared; the sT unit's output is a scalar, so each output coordinate with a
    nonzero target gets its own sT unit, solved with that coordinate's targets
    at the group minima (its own lambda along the same null vector).  Count
    ``2 (#windows) + 2 d_y <= 4N + 2 + 2 d_y``.

    Examples
    --------
    The instance of [FTC] Figure 10 (K = 16, T = {4, 7}):

    >>> from ftcexact.dataset import Dataset
    >>> from ftcexact.network import evaluate
    >>> z = [0, 0, 0, Q(1, 2), 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    >>> ds = Dataset(tuple((Q(i),) for i in range(1, 17)), tuple((Q(v),) for v in z))
    >>> net, info = three_layer_4n4(ds)
    >>> net.widths, info["bound"], info["paper_null_vector_one_sign"], evaluate(net, ds.x) == list(ds.targets)
    ([10, 2], 12, True, True)
    >>> ds3 = Dataset(ds.x, tuple((v, Q(0), 3 * v) for (v,) in ds.targets))   # d_y = 3, one coordinate 0
    >>> net, info = three_layer_4n4(ds3)
    >>> net.widths, info["bound"], evaluate(net, ds3.x) == list(ds3.targets)
    ([10, 4], 16, True)

    References
    ----------
    Sohn et al. 2024, Appendix A (eqs. 28-35, Figure 10).
    """
    a, ts, zs, idx = prepare(ds)
    n, N, dy = len(ts), ds.N, ds.dy
    formulas = {"Appendix A: 4N + 4": 4 * N + 4}
    if dy > 1:
        formulas["4N + 2 + 2 d_y (one sT unit per output)"] = app_a_bound(N, dy)
    if N == 0:
        return zero_network(ds.d, dy), dict(_common(ds, a, n), statement=_4N4, bound=0, paper_bounds=formulas)
    Tpos = _t_positions(zs)
    paper, virtual = appendix_a_groups(n, Tpos)
    edges = [0] + Tpos + [n + 1]
    groups = []  # (paper index, list of t, target tuples (normalized), is_virtual)
    scales = label_scales(zs)
    for j, kind, pos in paper:
        if pos:
            groups.append((j, [ts[p - 1] for p in pos],
                           [tuple(v / M for v, M in zip(zs[p - 1], scales)) for p in pos], False))
        elif j in virtual:
            left = ts[edges[(j - 1) // 2] - 1]  # T_k, whose right neighbour is T_{k+1}
            right = ts[edges[(j - 1) // 2]]
            groups.append((j, [(left + right) / 2], [(ZERO,) * dy], True))
    everything = [t for _, g, _, _ in groups for t in g]
    edges_t = [everything[0] - Q(1, 2)]
    for (_, g1, _, _), (_, g2, _, _) in zip(groups, groups[1:]):
        edges_t.append((g1[-1] + g2[0]) / 2)
    edges_t.append(everything[-1] + Q(1, 2))
    windows, psi, spreads, multi = [], [], [], []
    for r, (j, g, zt, _) in enumerate(groups):
        A, B = edges_t[r], edges_t[r + 1]
        windows.append(window_unit(A, B))
        phi = [window_value(A, B, t) for t in g]
        psi.append(phi[0])
        if len(g) >= 2:
            spreads.append(phi[1] - phi[0])
            multi.append(r)
        else:
            spreads.append(None)
    parities = {r % 2 for r in multi}
    if len(parities) > 1:  # cannot happen after the virtual windows; checked, not assumed
        raise ConstructionError("Appendix A, eq. (35): no null vector with one sign on all groups with "
                                "more than one point")
    sign = 1 if not multi or multi[0] % 2 == 0 else -1  # h_r has sign (-1)^r
    margin = 1 + ST_RAMP
    units, lambdas, rows = [], [], []
    for coord in range(dy):
        if coord not in active_coordinates(zs):
            rows.append(None)
            continue
        # the minimum of each group: z for T points, 0 for runs and virtual windows
        targets = [zt[0][coord] for _, _, zt, _ in groups]
        W, c, lam = solve_slot_unit(psi, targets, spreads, margin, sign)
        if any(W[r] <= 0 or W[r] * spreads[r] < margin for r in multi):
            raise ConstructionError("Appendix A, eq. (31): lambda did not push every non-minimum point to sT's "
                                    "zero part")
        rows.append(len(units))
        units.append(Unit(s_t(ST_RAMP), tuple(W), c))
        lambdas.append(str(lam))
    # the paper's orientation: window j has slope sign (-1)^(j-1), so its coefficient is (-1)^(j-1) h
    h_signs = {((-1) ** r) * ((-1) ** (j - 1)) for r, (j, _, _, virt) in enumerate(groups) if not virt}
    outputs = [(tuple(scales[coord] if u == k else ZERO for u in range(len(units))), ZERO)
               for coord, k in enumerate(rows)]
    net = compile_units(a, [windows, units], outputs)
    info = _common(ds, a, n, {
        "statement": _4N4, "bound": app_a_bound(N, dy),
        "paper_bounds": dict(formulas, **{"windows": len(groups), "sT units": len(units),
                                          "2 windows + 2 sT units": 2 * len(groups) + 2 * len(units)}),
        "groups": [[j, "virtual" if virt else len(g)] for j, g, _, virt in groups],
        "virtual_windows": sorted(virtual), "lambda": lambdas[0] if dy == 1 else lambdas,
        "st_ramp": format_rational(ST_RAMP), "eps": "1", "scale": _scales_hint(scales),
        "paper_null_vector_one_sign": len(h_signs) == 1})
    return net, info


def appendix_a_groups(K, T):
    """The groups ``s_1, ..., s_{2N+1}`` of Appendix A and the empty ones that get a virtual window.

    Returns ``(groups, virtual)``: ``groups`` lists ``(j, kind, positions)`` with
    paper index ``j`` (1-based), kind ``"run"`` (odd ``j``) or ``"T"`` and the
    1-based sorted positions; ``virtual`` is the set of indices ``j`` of empty
    interior groups that need a window to fix the null vector's sign parity
    (one per odd-sized stretch of empty groups between two groups of two or more
    points).  The construction has ``2 (#nonempty + #virtual) + 2`` ReLUs.

    Examples
    --------
    >>> groups, virtual = appendix_a_groups(6, [1, 3, 4])
    >>> [(j, len(p)) for j, _, p in groups], sorted(virtual)
    ([(1, 0), (2, 1), (3, 1), (4, 1), (5, 0), (6, 1), (7, 2)], [])
    >>> appendix_a_groups(6, [3, 4])[1]
    {3}
    """
    N = len(T)
    edges = [0] + list(T) + [K + 1]
    groups = []
    for k in range(N + 1):
        groups.append((2 * k + 1, "run", list(range(edges[k] + 1, edges[k + 1]))))
        if k < N:
            groups.append((2 * k + 2, "T", [T[k]]))
    virtual, pending, seen_multi = set(), [], False
    for j, kind, pos in groups:
        if kind == "run" and not pos and 1 < j < 2 * N + 1:
            pending.append(j)
        elif kind == "run" and len(pos) >= 2:
            if seen_multi and len(pending) % 2 == 1:
                virtual.add(pending[0])
            pending, seen_multi = [], True
    return groups, virtual


_4N4 = ("Sohn et al. 2024, Appendix A: m <= 4N + 4 (hard-tanh windows on the groups s_j, one sT unit; "
        "for d_y outputs one sT unit each, m <= 4N + 2 + 2 d_y)")


# ---------------------------------------------------------------- best

def three_layer_best(ds):
    """Build U1, U2, U3 and Appendix A, check each exactly, keep the smallest (any d_y).

    Each candidate is evaluated exactly at every data point (:func:`fits`:
    through its exact restriction to the line of its direction, which is much
    faster than evaluating at every point when the weights are large, e.g. U1
    with ``d_y = 10`` on a thousand points); a candidate that refuses
    (:class:`ConstructionError`) or fails the check is skipped and reported in
    ``candidates``.  The checked
    bound is the smallest bound among the candidates that passed (so it is at
    most each paper bound that applies, and the kept network meets it).

    Examples
    --------
    >>> from ftcexact.dataset import random_dataset
    >>> net, info = three_layer_best(random_dataset(d=2, K=40, N=2, seed=1))
    >>> info["chosen"], net.neurons <= info["bound"]
    ('three-layer-4n4', True)
    >>> from ftcexact.dataset import Dataset
    >>> xs = random_dataset(d=2, K=200, N=0, seed=1).x
    >>> onehot = [tuple(Q(int(i % 37 == 0 and j == i % 10)) for j in range(10)) for i in range(200)]
    >>> net, info = three_layer_best(Dataset(xs, tuple(onehot)))       # N = 6 one-hot patches, d_y = 10
    >>> info["chosen"], net.neurons, info["candidates"]["three-layer-u1"]
    ('three-layer-4n4', 38, 180)

    References
    ----------
    Sohn et al. 2024, Theorem 5.1 (upper bound) and Appendix A.
    """
    best, report, bounds = None, {}, []
    for name, build in CANDIDATES.items():
        try:
            net, info = build(ds)
        except ConstructionError as e:
            report[name] = f"refused: {e}"
            continue
        if not fits(net, ds, [parse_rational(v) for v in info["direction"]]):
            report[name] = "failed the exact check"
            continue
        report[name] = net.neurons
        bounds.append(info["bound"])
        if best is None or net.neurons < best[1].neurons:
            best = (name, net, info)
    if best is None:
        raise ConstructionError("three-layer-best: no three-layer construction applies: " +
                                "; ".join(f"{k}: {v}" for k, v in report.items()))
    name, net, info = best
    out = {k: v for k, v in info.items() if k not in ("statement", "bound", "paper_bounds")}
    out.update({"statement": "Sohn et al. 2024, Theorem 5.1 (upper bound): smallest of U1, U2, U3, Appendix A",
                "bound": min(bounds), "chosen": name, "candidates": report,
                "paper_bounds": theorem_5_1_formulas(ds.K, ds.N)})
    return net, out


def fits(net, ds, direction):
    """Whether ``net(x_i) = z_i`` at every point, exactly (untrusted; the verifier judges certificates).

    When every first-layer row is a multiple of ``direction`` (so the network
    reads only ``t = a . x``), it restricts the network to the line
    ``s -> s a`` once and evaluates that piecewise-linear map at
    ``s_i = a . x_i / a . a``; otherwise it evaluates at every point.

    Examples
    --------
    >>> from ftcexact.dataset import random_dataset
    >>> ds = random_dataset(d=3, K=30, N=4, seed=2)
    >>> net, info = three_layer_u3(ds)
    >>> a = [parse_rational(v) for v in info["direction"]]
    >>> fits(net, ds, a), fits(net, random_dataset(d=3, K=30, N=5, seed=2), a)
    (True, False)
    """
    from ..analysis.pieces import restrict_to_line
    from ..network import evaluate
    a = tuple(direction)
    j0 = next((j for j, v in enumerate(a) if v), None)
    W1 = net.layers[0][0]
    inputs = ds.array if hasattr(ds, "array") else list(ds.x)  # an array dataset keeps its inputs as an array
    if net.depth < 2 or j0 is None or any(tuple(row[j0] / a[j0] * v for v in a) != tuple(row) for row in W1):
        return evaluate(net, inputs) == list(ds.targets)
    f = restrict_to_line(net, direction=a, method="exact")  # the float-filtered path stalls on huge weights
    aa = sum((v * v for v in a), ZERO)
    s = ds.projections(a) if hasattr(ds, "projections") else [sum((u * v for u, v in zip(a, x)), ZERO) for x in inputs]
    return all(f(t / aa) == tuple(z) for t, z in zip(s, ds.targets))


CANDIDATES = {"three-layer-u1": three_layer_u1, "three-layer-u2": three_layer_u2,
              "three-layer-u3": three_layer_u3, "three-layer-4n4": three_layer_4n4}
