"""The claim registry: what each statement a certificate may name promises, as exact integer checks.

A certificate names a statement by id (``claim.statement``); the verifier
looks it up here and *recomputes* the statement's bound from the instance
(``N``, ``K``, ``d``, ``d_y``, the network's widths and depth) before it
compares: nothing a producer writes about a bound is believed.  An id that is
not in :data:`STATEMENTS` is not verified; a certificate that names no
statement is verified only as "g fits with m neurons" and printed as such.

Bounds with square roots are compared exactly with integers
(``m <= 4 sqrt K`` iff ``m^2 <= 16 K``); the printed value is the floor of the
formula.  Where a paper's printed formula is real-valued and its construction
needs integer widths, both readings have entries: the printed one and the
project's integer one (named ``..._integer`` and described as the project's
reading), so a verdict never confuses the two.

Lower-bound certificates name an architecture; :data:`LIMITS` gives, for each,
the most affine pieces a network with ``m`` ReLUs can have on a line, with the
proof it rests on.

Imports: the standard library only (part of the trusted kernel).
"""

from __future__ import annotations

from fractions import Fraction
from math import isqrt

__all__ = ["STATEMENTS", "RELU_LIKE", "NEEDS_BLOCKS", "LOWER_STATEMENTS", "PIECE_STATEMENTS", "LIMITS", "Instance",
           "statement_checks", "limit", "lower_statement_bound", "three_layer_pieces", "unchanged_runs"]


class Instance:
    """What a statement's bound may depend on, all recomputed by the verifier.

    ``K`` points (``K`` distinct inputs), ``N = |T|``, input dimension ``d``,
    ``dy`` outputs, ``widths`` (hidden layer widths in order; for a residual
    network the hidden widths of its blocks), ``depth`` (affine layers),
    ``kind`` ("feedforward" or "resnet"), ``max_abs_target`` (largest
    ``|z_i|``), ``one_hot`` (every label a one-hot vector), and ``blocks``: a
    function returning the consecutive blocks of unchanged points in the order
    of the network's projection (or raising :class:`ValueError` when that
    order is not defined), used only by [FTC] Theorem 4.4, and ``slopes``: the
    activation's ``(S-, S+)`` (``(0, 1)`` for ReLU).
    """

    def __init__(self, K, N, d, dy, widths, depth, kind, max_abs_target, one_hot, blocks, slopes=(0, 1)):
        self.K, self.N, self.d, self.dy, self.slopes = K, N, d, dy, tuple(slopes)
        self.widths, self.depth, self.kind = list(widths), depth, kind
        self.m = sum(widths)
        self.max_abs_target, self.one_hot, self.blocks = max_abs_target, one_hot, blocks


def unchanged_runs(changed):
    """``(runs, K)``: the lengths of the maximal runs of ``False`` in the sequence ``changed`` (the unchanged
    points, in projection order) and its length, as :class:`Instance` ``blocks`` returns them."""
    runs, run = [], 0
    for c in changed:
        if c and run:
            runs.append(run)
        run = 0 if c else run + 1
    return runs + ([run] if run else []), len(changed)


def _le_sqrt(m, c, n):
    """``m <= c sqrt(n)`` for integers ``m``, ``c >= 0``, ``n >= 0``."""
    return m <= 0 or m * m <= c * c * n


def _floor_sqrt(c, n, plus=0):
    """``floor(c sqrt(n) + plus)`` for non-negative integers ``c``, ``n``, integer ``plus``."""
    return isqrt(c * c * n) + plus


def _ysj_layout(K, second=2):
    """The (R, P) of the smallest [YSJ] layout for K points (``ftcexact.constructions.ysj.ysj_layout``)."""
    best = None
    for P in range(1, K + 2):
        R = -(-K // P)
        key = (2 * R + second * P, max(2 * R, second * P), R)
        if best is None or key < best[0]:
            best = (key, (R, P))
        if second * P >= best[0][0]:
            break
    return best[1]


def _min_layout(n, first, second):
    """``min first*R + second*ceil(n / R)`` over ``R >= 1`` (0 if ``n = 0``)."""
    return 0 if n <= 0 else min(first * R + second * -(-n // R) for R in range(1, n + 1))


def _scalar_labels(inst):
    return (inst.dy == 1, "scalar labels (d_y = 1)",
            f"the statement is about scalar labels (d_y = 1); these have d_y = {inst.dy}")


def _labels_in_unit_box(inst):
    return (inst.max_abs_target <= 1, "labels in [-1, 1]",
            f"the statement assumes labels in [-1, 1]; the largest |z_i| is {inst.max_abs_target}")


def _depth(inst, want, name):
    ok = inst.kind == "feedforward" and inst.depth == want
    return ok, f"g is a {name} network", \
        f"the statement is about {name} networks; this one has {inst.depth - 1} hidden layers"


def _neurons_at_most(inst, bound, formula):
    return inst.m <= bound, f"m = {inst.m} <= {formula} = {bound}, recomputed", \
        f"m = {inst.m} exceeds {formula} = {bound}"


# Each entry: id -> (reference, function Instance -> list of (ok, what was checked, why it failed)).
def _thm_4_1_upper(inst):
    return [_depth(inst, 2, "one-hidden-layer"),
            _neurons_at_most(inst, max(0, min(3 * inst.N + 1, inst.K - 1)), "min{3N + 1, K - 1}")]


def _thm_4_4(inst):
    try:
        runs, K = inst.blocks()
    except ValueError as e:
        return [(False, "", f"Theorem 4.4 needs distinct projections a.x_i: {e}")]
    dropped = sum(max(r - 2, 0) for r in runs)
    return [_depth(inst, 2, "one-hidden-layer"),
            _neurons_at_most(inst, max(0, K - 1 - dropped), "K - 1 - sum_P max{|P| - 2, 0}")]


def _lemma_4_5(inst):
    return [_depth(inst, 2, "one-hidden-layer"), _neurons_at_most(inst, max(0, inst.K - 1), "K - 1")]


def _oriented(inst):
    N, K = inst.N, inst.K
    if K >= 2 * N + 2 and K >= 3:
        return [_depth(inst, 2, "one-hidden-layer"), _neurons_at_most(inst, min(3 * N, K - 2), "min{3N, K - 2}")]
    return _thm_4_1_upper(inst)


def _thm_5_1_upper(inst):
    N, K, m = inst.N, inst.K, inst.m
    ok = _le_sqrt(m, 4, K) and _le_sqrt(m - 3 * N, 2, K) and _le_sqrt(m, 6, 3 * N + 2)
    bound = min(_floor_sqrt(4, K), _floor_sqrt(2, K, 3 * N), _floor_sqrt(6, 3 * N + 2))
    formula = "floor(min{4 sqrt K, 2 sqrt K + 3N, 6 sqrt(3N + 2)})"
    return [_depth(inst, 3, "two-hidden-layer"), _scalar_labels(inst),
            (ok, f"m = {m} <= {formula} = {bound}, recomputed", f"m = {m} exceeds {formula} = {bound}")]


def _tight(inst):
    N, K = inst.N, inst.K
    if K >= 5 and inst.dy == 1:  # d_y > 1: K - 2 can fail (two-layer-capacity.md §6), Theorem 4.1/oriented
        return [_depth(inst, 2, "one-hidden-layer"), _neurons_at_most(inst, min(3 * N, K - 2), "min{3N, K - 2}")]
    return _oriented(inst)


def _u1(K, dy=1):
    return _min_layout(K, 2, 2 * dy)


def _u2(K, N):  # one bump per point of T with a vector output weight: independent of d_y
    return 2 * _ysj_layout(K)[0] + 3 * N if K else 0


def _u3(K, N, dy=1):  # the paper's layout R = U = ceil(sqrt|J|), U sL units per output coordinate
    return (2 + 4 * dy) * _ceil_sqrt(min(3 * N + 2, K)) if N else 0


def _app_a(N, dy=1):  # 2N + 1 windows shared by the outputs, one sT unit per output coordinate
    return 4 * N + 2 + 2 * dy if N else 0


def _ceil_sqrt(n):
    r = isqrt(n)
    return r if r * r == n else r + 1


def _three_layer(formula, bound_of, scalar=False):
    """A three-layer count ``bound_of(K, N, d_y)``: it holds for any labels (the output layer is scaled);
    with ``scalar`` the statement is a printed one about d_y = 1."""
    def check(inst):
        return [_depth(inst, 3, "two-hidden-layer")] + ([_scalar_labels(inst)] if scalar else []) + \
            [_neurons_at_most(inst, bound_of(inst.K, inst.N, inst.dy), formula)]
    return check


def _prop_6_1(printed):
    def check(inst):
        L, N, K = inst.depth, inst.N, inst.K
        if inst.kind != "feedforward" or L < 4:
            return [(False, "", f"Proposition 6.1 is about L >= 4 layers; this network has {L}")]
        if inst.dy != 1:
            return [_scalar_labels(inst)]
        P, w = (L - 1) // 2, max(inst.widths, default=0)
        r = Fraction(w - 2, 4)  # w <= 4 min{sqrt(A), sqrt(K)} + 2  iff  r <= 0 or r^2 <= A and r^2 <= K
        if printed:  # A = 3N / sqrt(P) + 5: r^2 - 5 <= 3N / sqrt(P)  iff  lhs <= 0 or lhs^2 P <= 9 N^2
            lhs = r * r - 5
            ok_a = lhs <= 0 or lhs * lhs * P <= 9 * N * N
            formula = "4 min{sqrt(3N / sqrt(floor((L-1)/2)) + 5), sqrt K} + 2"
        else:
            ok_a = r * r <= Fraction(3 * N, P) + 5
            formula = "4 min{sqrt(3N / floor((L-1)/2) + 5), sqrt K} + 2"
        ok = r <= 0 or (ok_a and r * r <= K)
        return [(ok, f"max width {w} <= {formula}, recomputed", f"max width {w} exceeds {formula}")]
    return check


def _ysj_thm_3_1(inst):
    d1, d2 = (inst.widths + [0, 0])[:2]
    need = 4 * inst.K * inst.dy
    return [_depth(inst, 3, "two-hidden-layer"), _labels_in_unit_box(inst),
            (d1 * d2 >= need, f"widths ({d1}, {d2}): d1 d2 = {d1 * d2} >= 4 K d_y = {need}",
             f"widths ({d1}, {d2}) do not meet d1 d2 >= 4 K d_y = {need}")]


def _ysj_prop_3_2(inst):
    d1, d2, d3 = (inst.widths + [0, 0, 0])[:3]
    return [_depth(inst, 4, "three-hidden-layer"),
            (inst.one_hot, "one-hot labels", "the statement is about one-hot labels"),
            (d1 * d2 >= 4 * inst.K and d3 >= 4 * inst.dy,
             f"widths ({d1}, {d2}, {d3}): d1 d2 >= 4K = {4 * inst.K}, d3 >= 4 d_y = {4 * inst.dy}",
             f"widths ({d1}, {d2}, {d3}) do not meet d1 d2 >= 4K = {4 * inst.K} and d3 >= 4 d_y = {4 * inst.dy}")]


def _ysj_resnet(inst):
    res, head, d, dy = inst.widths[:-1], (inst.widths or [0])[-1], inst.d, inst.dy
    need = 4 * inst.K + 4 * dy * d  # sum >= 4K/d_x + 4 d_y, times d_x
    return [(inst.kind == "resnet", "g is a residual network", "the statement is about residual networks"),
            (inst.one_hot, "one-hot labels", "the statement is about one-hot labels"),
            (d * sum(res) >= need and head >= 2 * dy,
             f"residual widths sum to {sum(res)} >= 4K/d_x + 4 d_y (d_x * {sum(res)} >= 4K + 4 d_y d_x = {need}), "
             f"head width {head} >= 2 d_y = {2 * dy}",
             f"widths {inst.widths} do not meet d_x * sum_l d_l >= 4K + 4 d_y d_x = {need} and "
             f"d_L >= 2 d_y = {2 * dy}")]


STATEMENTS = {
    "ftc_thm_4_1_upper": ("Sohn et al. 2024, Theorem 4.1 (upper bound): m <= min{3N + 1, K - 1}", _thm_4_1_upper),
    "ftc_thm_4_4": ("Sohn et al. 2024, Theorem 4.4: m = K - 1 - sum_{P in P([K] \\ T)} max{|P| - 2, 0}",
                    _thm_4_4),
    "ftc_lemma_4_5": ("Sohn et al. 2024, Lemma 4.5: K points are interpolated with K - 1 neurons", _lemma_4_5),
    "ftcexact_two_layer_oriented": ("ftcexact (docs/search.md §7, not in the papers): m <= min{3N, K - 2} "
                                    "when K >= 2N + 2, else Theorem 4.1", _oriented),
    "ftcexact_two_layer_tight": ("ftcexact (docs/theorems/two-layer-capacity.md, not in the papers): "
                                 "m <= min{3N, K - 2} for K >= 5 and d_y = 1; for d_y > 1 the oriented bound",
                                 _tight),
    "ftc_thm_5_1_upper": ("Sohn et al. 2024, Theorem 5.1 part 1, as printed (scalar labels): "
                          "m <= min{2 sqrt K + min{2 sqrt K, 3N}, 6 sqrt(3N + 2)}", _thm_5_1_upper),
    "ftc_thm_5_1_upper_integer": (
        "Sohn et al. 2024, Theorem 5.1 part 1, the project's integer reading: the least of the integer "
        "counts of U1, U2, U3 and Appendix A (for d_y outputs: their generalisations below)",
        _three_layer("min{U1, U2, U3, 4N + 2 + 2 d_y}",
                     lambda K, N, dy: min(_u1(K, dy), _u2(K, N), _u3(K, N, dy), _app_a(N, dy)) if N else 0)),
    "ftc_u1_integer": ("Sohn et al. 2024, §5.2 U1 (printed 4 sqrt K) with integer widths, P second-layer units "
                       "per output: min{2R + 2 d_y P : R P >= K}",
                       _three_layer("min{2R + 2 d_y P : RP >= K}", lambda K, N, dy: _u1(K, dy) if N else 0)),
    "ftc_u2_integer": ("Sohn et al. 2024, §5.2 U2 (printed 2 sqrt K + 3N) with integer widths: 2R + 3N, "
                       "R the windows of U1's layout for d_y = 1 (one bump per point of T, any d_y)",
                       _three_layer("2R + 3N", lambda K, N, dy: _u2(K, N) if N else 0)),
    "ftc_u3_integer": ("Sohn et al. 2024, §5.2 U3 (printed 6 sqrt(3N + 2)) with integer widths, the paper's layout "
                       "with its sL units per output: (2 + 4 d_y) ceil(sqrt(min{3N + 2, K}))",
                       _three_layer("(2 + 4 d_y) ceil(sqrt(min{3N + 2, K}))", _u3)),
    "ftc_app_a": ("Sohn et al. 2024, Appendix A (scalar labels): m <= 4N + 4",
                  _three_layer("4N + 4", lambda K, N, dy: 4 * N + 4 if N else 0, scalar=True)),
    "ftcexact_app_a_vector": ("ftcexact generalisation of Sohn et al. 2024 Appendix A to d_y outputs (not a paper "
                              "statement): shared windows, one sT unit per output, m <= 4N + 2 + 2 d_y",
                              _three_layer("4N + 2 + 2 d_y", lambda K, N, dy: _app_a(N, dy))),
    "ftcexact_u3_t": ("ftcexact variant of U3 with slots on T only (not a paper statement): "
                      "min{2R + 4 d_y U : R U >= N}", _three_layer("min{2R + 4 d_y U : RU >= N}",
                                                                   lambda K, N, dy: _min_layout(N, 2, 4 * dy))),
    "ftcexact_tents": ("ftcexact tents (docs/theorems/three-layer-widths.md, not in the papers): "
                       "m <= 2N + 1, any d_y (the tents are shared)",
                       _three_layer("2N + 1", lambda K, N, dy: 2 * N + 1 if N else 0)),
    "ftc_prop_6_1": ("Sohn et al. 2024, Proposition 6.1 as printed (scalar labels): max width <= "
                     "4 min{sqrt(3N / sqrt(floor((L-1)/2)) + 5), sqrt K} + 2", _prop_6_1(printed=True)),
    "ftc_prop_6_1_proof": ("Sohn et al. 2024, Appendix B eq. 36 (the proof's bound, scalar labels): max width <= "
                           "4 min{sqrt(3N / floor((L-1)/2) + 5), sqrt K} + 2", _prop_6_1(printed=False)),
    "ysj_thm_3_1": ("Yun et al. 2019, Theorem 3.1: two hidden layers with d1 d2 >= 4 K d_y memorize K points "
                    "with labels in [-1, 1]^{d_y}", _ysj_thm_3_1),
    "ysj_prop_3_2": ("Yun et al. 2019, Proposition 3.2: three hidden layers with d1 d2 >= 4K and d3 >= 4 d_y "
                     "classify K points (one-hot outputs)", _ysj_prop_3_2),
    "ysj_resnet": ("Yun et al. 2019, ResNet theorem (slides: Theorem 4): residual blocks with sum d_l >= 4K/d_x + "
                   "4 d_y hidden nodes and a head with d_L >= 2 d_y memorize K points in general position with "
                   "one-hot labels (general position is not checked here)", _ysj_resnet),
}


#: Statements about the ReLU-like family ``max{S+ t, S- t}``, ``S+ > S- >= 0`` (Yun et al. 2019's setting).
#: Every other statement is about ReLU networks: ``S- = 0 < S+`` (``S+ relu``, the factor absorbed by the next layer).
RELU_LIKE = {"ysj_thm_3_1", "ysj_prop_3_2", "ysj_resnet"}


def _activation(statement_id, inst):
    s_neg, s_pos = inst.slopes
    if statement_id in RELU_LIKE:
        return (s_pos > s_neg >= 0, f"activation max{{S+ t, S- t}} with S+ = {s_pos} > S- = {s_neg} >= 0",
                f"the statement covers max{{S+ t, S- t}} with S+ > S- >= 0, not S- = {s_neg}, S+ = {s_pos}")
    return (s_neg == 0 < s_pos, "ReLU activation" if (s_neg, s_pos) == (0, 1) else f"activation {s_pos} relu",
            f"the statement is about ReLU networks; this one has S- = {s_neg}, S+ = {s_pos}")


#: The project's extensions of [FTC] counts to the ReLU-like family (docs/constructions.md; not in the paper):
#: ``ftcexact_leaky_<x>`` has the checks of ``ftc_<x>`` (or ``ftcexact_<x>``), for max{S+ t, S- t}, S+ > S- >= 0.
for _base in ("ftc_thm_4_4", "ftc_lemma_4_5", "ftc_u1_integer", "ftc_u2_integer", "ftc_u3_integer", "ftcexact_u3_t",
              "ftc_prop_6_1"):
    _id = "ftcexact_leaky_" + _base.split("_", 1)[1]
    STATEMENTS[_id] = (f"ftcexact extension (docs/constructions.md, not in the paper): the count of "
                       f"{STATEMENTS[_base][0]}, for the activation max{{S+ t, S- t}}, S+ > S- >= 0",
                       STATEMENTS[_base][1])
    RELU_LIKE.add(_id)

#: Statements whose check needs the runs of unchanged points in the order of g's projection (``Instance.blocks``).
NEEDS_BLOCKS = {"ftc_thm_4_4", "ftcexact_leaky_thm_4_4"}


def statement_checks(statement_id, inst):
    """The checks of a registered statement on an instance: list of ``(ok, checked, failure)``.

    The first check is the activation: the statement's family (:data:`RELU_LIKE`, else ReLU).

    Raises
    ------
    KeyError
        If the statement is not registered.
    """
    return [_activation(statement_id, inst)] + STATEMENTS[statement_id][1](inst)


def three_layer_pieces(d1, d2):
    """The most affine pieces on a line of a network with hidden widths (d1, d2) (attained; proof:
    docs/theorems/three-layer-pieces.md)."""
    if d1 == 0 or d2 == 0:
        return 1
    if d1 <= 2:
        return d1 * (d2 + 1) + 1
    if d2 == 1:
        return d1 + 2 + (d1 + 1) // 2
    return (d1 + 1) * (d2 + 1)


#: architecture -> (most affine pieces on a line of a network with m ReLUs, proof reference).
LIMITS = {
    "two-layer": (lambda m: m + 1, "each neuron adds at most one breakpoint on a line (docs/pieces.md)"),
    "three-layer": (lambda m: max(three_layer_pieces(a, m - a) for a in range(m + 1)),
                    "max over d1 + d2 = m of the proven piece count P(d1, d2) "
                    "(docs/theorems/three-layer-pieces.md)"),
    "three-layer-product": (lambda m: max((a + 1) * (m - a + 1) if 0 < a < m else 1 for a in range(m + 1)),
                            "max over d1 + d2 = m of (d1 + 1)(d2 + 1) (docs/pieces.md)"),
    "three-layer-ysj": (lambda m: max(2 * a * (m - a) + (m - a) + 1 for a in range(m + 1)),
                        "max over d1 + d2 = m of 2 d1 d2 + d2 + 1 (Yun et al. 2019, Theorem 3.3)"),
}

#: Piece-count statements: id -> (reference, the count a network with these hidden widths attains).
PIECE_STATEMENTS = {
    "ftcexact_three_layer_pieces": ("ftcexact (docs/theorems/three-layer-pieces.md): the most pieces on a line of "
                                    "hidden widths (d1, d2) is P(d1, d2), and this network attains it",
                                    lambda widths: three_layer_pieces(*widths) if len(widths) == 2 else None),
}


def limit(arch, m):
    """Most pieces on a line of an ``arch`` network with ``m`` ReLUs (``LIMITS[arch]``)."""
    return LIMITS[arch][0](m)


def _least(predicate, upto):
    return next((m for m in range(upto + 1) if predicate(m)), upto + 1)


#: Lower-bound statements: id -> (reference, architectures it is about, the bound it promises for (N, K)).
#: A lower-bound certificate naming one is verified only if its certified bound reaches that value.
LOWER_STATEMENTS = {
    "ftc_thm_4_1_lower": ("Sohn et al. 2024, Theorem 4.1 part 2 (as a worst case): some T, x, z force "
                          "m >= min{3N, K - 2}", ("two-layer",), lambda N, K: max(0, min(3 * N, K - 2))),
    "ftc_thm_5_1_lower": ("Sohn et al. 2024, Theorem 5.1 part 2 (as a worst case): some x, z force "
                          "m >= sqrt(2 min{3N, K - 2} + 1/4) - 1/2, i.e. m (m + 1) >= 2 min{3N, K - 2}",
                          ("three-layer", "three-layer-product", "three-layer-ysj"),
                          lambda N, K: _least(lambda m: m * (m + 1) >= 2 * max(0, min(3 * N, K - 2)), K)),
    "ysj_thm_3_3": ("Yun et al. 2019, Theorem 3.3: some K points are not memorized by one hidden layer with "
                    "d1 + 2 < K, nor by two with 2 d1 d2 + d2 + 2 < K (d_y = 1)",
                    ("two-layer", "three-layer", "three-layer-product", "three-layer-ysj"), None),
}


def lower_statement_bound(statement_id, arch, N, K):
    """The bound a lower-bound statement promises for this architecture and instance."""
    _, archs, formula = LOWER_STATEMENTS[statement_id]
    if arch not in archs:
        return None
    if formula is None:  # Theorem 3.3 in neurons: d1 >= K - 2, or the least m with 2 d1 d2 + d2 + 2 >= K
        return K - 2 if arch == "two-layer" else _least(lambda m: limit("three-layer-ysj", m) >= K - 1, K)
    return formula(N, K)
