"""Exact least widths of three-layer ReLU networks (two hidden layers) on data on a line.

Question: does some network ``g(t) = W3 relu(W2 relu(w1 t + b1) + b2) + b3``
with hidden widths ``(d1, d2)`` satisfy ``g(t_k) = z_k`` for ``k = 1..K``?  And
what is the least ``d1 + d2``?  Every YES comes with rational weights that the
trusted verifier (:mod:`ftcexact.kernel.verify`) accepts.  A NO is either
*proved* (piece counting, see below) or a *solver result* (z3, exact rational
arithmetic, encoding below); the two are never mixed up in the output.

The reduction (proofs in ``docs/theorems/three-layer-widths.md``)
----------------------------------------------------------------
Sort the data, ``t_1 < ... < t_K``.  ReLU is positively homogeneous, so every
first-layer unit with ``w1_i != 0`` can be scaled to ``|w1_i| = 1`` and every
second-layer unit to ``|W3_j| = 1`` (the factors move into ``W2``, ``b2``).

*Lemma A (only the span of the first layer matters).*  With
``phi_i(t) = relu(w1_i t + b1_i)`` and ``h_j = b2_j + sum_i W2_ji phi_i``, the
vectors ``(h_j(t_k))_k`` are exactly the vectors of the space
``span{1, phi_1|data, ..., phi_d1|data}``, each ``h_j`` chosen freely in it.
So a first layer is described by a set of at most ``d1`` *features* (vectors on
the data), and every feature is, on the data, one of:

* ``t`` (kink at or outside an end: affine on the data; a unit that is zero on
  the data is useless);
* ``R_p = relu(t - t_p)`` or ``L_p = relu(t_p - t)`` for an interior point ``p``;
* an *in-gap* feature: a kink ``r`` in ``[t_g, t_{g+1}]``, facing right or
  left, whose values are ``lam * F(t_g) + (1 - lam) * F(t_{g+1})`` with
  ``r = lam t_g + (1 - lam) t_{g+1}``, ``lam in [0, 1]`` (on the data a ReLU is
  affine in its kink while the kink stays in one gap).  Right-facing in the
  last gap and left-facing in the first gap are multiples of ``R_{K-1}``,
  ``L_2`` and are dropped.

*Lemma B (what is linear).*  For fixed features the conditions are linear in
``W2, b2, b3`` once the activation pattern of the second layer (which ``h_j``
is ``>= 0`` at which ``t_k``) and the signs ``W3_j = +-1`` are fixed.  An
in-gap feature contributes ``W2_jf * lam_f`` to every ``h_j``: a product of two
unknowns.  This is the only non-linearity, and it is genuine when one in-gap
kink feeds two or more second-layer units (the normalisation ``|w1| = 1`` does
*not* make the problem linear in general, contrary to first appearances).

*The relaxation and the branch and bound.*  Replace ``mu_jf = lam_f W2_jf`` by
"``mu_jf`` lies between ``lo_f W2_jf`` and ``hi_f W2_jf``" (a disjunction on the
sign of ``W2_jf``) for a box ``[lo_f, hi_f]``: each second-layer unit may then see
its own kink inside the box.  This is a QF_LRA formula with Booleans (feature
selection with at most ``d1`` features, second-layer activations, signs),
handed to z3.  If z3 says *unsat* for the box, no network has ``lam`` in the box;
if it returns a model whose ratios ``mu_jf / W2_jf`` agree for every feature, the
model is a network; otherwise we try to repair it (fix the Booleans and one
common ``lam_f`` per feature, solve the remaining linear problem) and else split
the box of the feature with the largest disagreement at the midpoint of its
ratios.  Boxes that z3 refutes cover ``[0, 1]^F`` exactly when the search ends,
so the NO is sound if z3 is.  The search is capped (nodes, seconds); a capped
search reports ``unknown``.

*Proved NO (piece counting).*  A network with widths ``(d1, d2)`` has at most
``(d1 + 1)(d2 + 1)`` affine pieces on a line ([YSJ] Theorem 3.3 argument,
:func:`ftcexact.analysis.lower_bounds.three_layer_max_pieces`), and at most
``d2 + 2`` when ``d1 = 1`` (docs/pieces.md §4); widths 0 give constants.  If
the data need more pieces (:func:`ftcexact.kernel.verify.min_pieces_dp`, the
trusted count) the answer is a proved NO.

*Proved YES shortcut.*  If the exact two-layer width ``w`` (the oracle,
:mod:`ftcexact.search.oracle`) is at most ``d1`` and ``d2 >= 1``, the two-layer
network ``h`` is emulated as ``relu(h + C) - C`` with ``C = max(0, -min_k h(t_k))``.

References
----------
Yun, Sra, Jadbabaie 2019, Theorem 3.3 (pieces of a two-hidden-layer network on
a line); Sohn et al. 2024, Theorem 5.1 and §4.1 (the adversarial datasets);
de Moura and Bjorner, *Z3: an efficient SMT solver* (TACAS 2008).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from ..kernel.numbers import Q, format_rational
from ..kernel.verify import min_pieces_dp
from ..network import Network, evaluate

__all__ = ["Feature", "features", "Decision", "piece_limit", "decide", "least_width", "emulate_two_layer",
           "network_from_features", "certificate_for", "verify_network", "nra_fits"]

ZERO, ONE = Q(0), Q(1)


# ---------------------------------------------------------------- features (Lemma A)

@dataclass(frozen=True)
class Feature:
    """A first-layer feature on sorted data ``ts``.

    ``kind`` is ``"t"``, ``"R"``, ``"L"`` (kink on the interior point ``p``,
    0-based) or ``"Rgap"``, ``"Lgap"`` (kink in ``[t_p, t_{p+1}]``).  ``base`` and
    ``delta`` are value vectors: the feature is ``base + lam * delta``
    (``delta`` is None unless in-gap).
    """

    kind: str
    p: int
    base: tuple
    delta: tuple | None

    def kink(self, ts, lam=None):
        """``(w1, b1)`` of a unit with this feature (``lam`` for in-gap ones)."""
        if self.kind == "t":
            return ONE, -ts[0]
        if self.kind in ("R", "L"):
            r = ts[self.p]
        else:
            r = lam * ts[self.p] + (ONE - lam) * ts[self.p + 1]
        return (ONE, -r) if self.kind[0] == "R" else (-ONE, r)

    def name(self):
        return {"t": "t", "R": "R@{}", "L": "L@{}", "Rgap": "R(gap {})", "Lgap": "L(gap {})"}[self.kind].format(
            self.p + 1)


def features(ts):
    """Every first-layer feature that matters on sorted data ``ts`` (Lemma A).

    Examples
    --------
    >>> [f.name() for f in features([Q(1), Q(2), Q(3)])]
    ['t', 'R@2', 'L@2', 'R(gap 1)', 'L(gap 2)']
    """
    K = len(ts)

    def R(r):
        return tuple(t - r if t > r else ZERO for t in ts)

    def L(r):
        return tuple(r - t if t < r else ZERO for t in ts)
    out = [Feature("t", 0, R(ts[0]), None)] if K >= 2 else []
    for p in range(1, K - 1):
        out += [Feature("R", p, R(ts[p]), None), Feature("L", p, L(ts[p]), None)]
    for p in range(0, K - 2):
        a, b = R(ts[p]), R(ts[p + 1])
        out.append(Feature("Rgap", p, b, tuple(x - y for x, y in zip(a, b))))
    for p in range(1, K - 1):
        a, b = L(ts[p]), L(ts[p + 1])
        out.append(Feature("Lgap", p, b, tuple(x - y for x, y in zip(a, b))))
    return out


# ---------------------------------------------------------------- decisions

@dataclass
class Decision:
    """The answer for one width pair.

    ``status`` is ``"yes"``, ``"no"`` or ``"unknown"``; ``method`` says how it
    was obtained; ``proved`` is True for YES (a verified network) and for NO by
    piece counting, False for solver NOs.
    """

    d1: int
    d2: int
    status: str
    method: str
    proved: bool
    network: Network | None = None
    nodes: int = 0
    seconds: float = 0.0
    detail: dict = field(default_factory=dict)

    def to_json(self):
        return {"d1": self.d1, "d2": self.d2, "status": self.status, "method": self.method,
                "proved": self.proved, "nodes": self.nodes, "seconds": round(self.seconds, 3), **self.detail}


def piece_limit(d1, d2):
    """Most affine pieces of a ``(d1, d2)`` network on a line (proved bounds).

    ``(d1 + 1)(d2 + 1)`` in general, ``d2 + 2`` for ``d1 = 1``, 1 if a width is 0.

    Examples
    --------
    >>> piece_limit(2, 2), piece_limit(1, 3), piece_limit(0, 5)
    (9, 5, 1)
    """
    if d1 == 0 or d2 == 0:
        return 1
    if d1 == 1:
        return d2 + 2
    return (d1 + 1) * (d2 + 1)


def _sorted_data(ts, zs):
    pairs = sorted(zip(map(Q, ts), map(Q, zs)))
    out_t, out_z = [], []
    for t, z in pairs:
        if out_t and t == out_t[-1]:
            if z != out_z[-1]:
                raise ValueError("two points share an input but not a target")
            continue
        out_t.append(t)
        out_z.append(z)
    return out_t, out_z


def network_from_features(ts, feats, lams, W, c, sigma, b3, d1, d2):
    """The network of a solution, padded with dead units to exactly ``(d1, d2)``."""
    rows, biases = [], []
    for f, lam in zip(feats, lams):
        a, b = f.kink(ts, lam)
        rows.append((a,))
        biases.append(b)
    while len(rows) < d1:  # a dead first-layer unit (its W2 column is zero)
        rows.append((ONE,))
        biases.append(ZERO)
    W2 = [list(r) + [ZERO] * (d1 - len(r)) for r in W]
    c = list(c)
    sigma = list(sigma)
    while len(W2) < d2:  # a dead second-layer unit
        W2.append([ZERO] * d1)
        c.append(-ONE)
        sigma.append(ZERO)
    return Network(((tuple(rows), tuple(biases)), (tuple(map(tuple, W2)), tuple(c)),
                    ((tuple(sigma),), (b3,))))


def emulate_two_layer(net2, ts):
    """A ``(w, 1)`` three-layer network equal to the two-layer ``net2`` on ``ts``.

    Examples
    --------
    >>> two = Network.from_lists([([[1], [1]], [0, -1]), ([[1, -2]], [0])])
    >>> three = emulate_two_layer(two, [Q(0), Q(1), Q(2)])
    >>> three.widths, evaluate(three, [[0], [1], [2]]) == evaluate(two, [[0], [1], [2]])
    ([2, 1], True)
    """
    (W1, b1), (W2, b2) = net2.layers
    vals = [v[0] for v in evaluate(net2, [(t,) for t in ts])]
    C = max(ZERO, -min(vals))
    return Network(((W1, b1), (W2, (b2[0] + C,)), (((ONE,),), (-C,))))


def verify_network(ts, zs, net):
    """Exact check that ``net(t_k) = z_k`` (untrusted; certificates go through the kernel).

    Examples
    --------
    >>> verify_network([Q(0), Q(1)], [Q(0), Q(1)], Network.from_lists([([[1]], [0]), ([[1]], [0])]))
    True
    """
    return [v[0] for v in evaluate(net, [(t,) for t in ts])] == list(zs)


# ---------------------------------------------------------------- z3 relaxation (Lemma B)

def _z3():
    try:
        import z3
    except ImportError:
        raise RuntimeError("three-layer widths need the optional dependency z3-solver: "
                           "pip install 'ftcexact[z3]'") from None
    if hasattr(sys, "set_int_max_str_digits"):
        sys.set_int_max_str_digits(0)  # z3 models may carry long rationals
    return z3


def _rv(z3, q):
    q = Q(q)
    return z3.RealVal(f"{int(q.numerator)}/{int(q.denominator)}")


def _single_feature_possible(ts, zs, f, d2):
    """Necessary conditions for ``d1 = 1`` with feature ``f`` (proved in the docs, Lemma C).

    The points where ``f`` vanishes for every kink in its range all get one output value; on the
    other points the network is a two-layer network with ``d2`` units of ``t`` (the feature is a
    translate of ``t`` there), so their exact two-layer width is at most ``d2``.
    """
    dead = [k for k in range(len(ts)) if not f.base[k] and (f.delta is None or not f.delta[k])]
    if len({zs[k] for k in dead}) > 1:
        return False
    live = [k for k in range(len(ts)) if k not in dead]
    if len(live) < 2:
        return True
    return _two_layer_width([ts[k] for k in live], [zs[k] for k in live]) <= d2


class _Encoding:
    """The QF_LRA relaxation for one dataset and width pair (see the module header)."""

    def __init__(self, ts, zs, d1, d2):
        z3 = self.z3 = _z3()
        self.ts, self.zs, self.d1, self.d2 = ts, zs, d1, d2
        self.feats = features(ts)
        if d1 == 1:
            self.feats = [f for f in self.feats if _single_feature_possible(ts, zs, f, d2)]
        F, K = len(self.feats), len(ts)
        s = self.solver = z3.SolverFor("QF_LRA")
        self.sel = [z3.Bool(f"sel_{f}") for f in range(F)]
        s.add(z3.AtMost(*self.sel, d1))
        self.W = [[z3.Real(f"W_{j}_{f}") for f in range(F)] for j in range(d2)]
        self.gap = [f for f, ft in enumerate(self.feats) if ft.delta is not None]
        self.mu = {(j, f): z3.Real(f"mu_{j}_{f}") for j in range(d2) for f in self.gap}
        self.pos = {(j, f): z3.Bool(f"pos_{j}_{f}") for j in range(d2) for f in self.gap}
        self.c = [z3.Real(f"c_{j}") for j in range(d2)]
        self.sg = [z3.Bool(f"sg_{j}") for j in range(d2)]
        self.b3 = z3.Real("b3")
        for j in range(d2):
            for f in range(F):
                s.add(z3.Implies(z3.Not(self.sel[f]), self.W[j][f] == 0))
            for f in self.gap:
                W, p = self.W[j][f], self.pos[j, f]
                s.add(z3.Implies(p, W >= 0), z3.Implies(z3.Not(p), W <= 0))
        for j in range(d2 - 1):  # units are unordered: positive output weights first
            s.add(z3.Implies(self.sg[j + 1], self.sg[j]))
        self.y = [[z3.Bool(f"y_{j}_{k}") for k in range(K)] for j in range(d2)]
        out = [self.b3] * K
        for j in range(d2):
            for k in range(K):
                terms = [self.c[j]]
                for f, ft in enumerate(self.feats):
                    if ft.base[k]:
                        terms.append(self.W[j][f] * _rv(z3, ft.base[k]))
                    if ft.delta is not None and ft.delta[k]:
                        terms.append(self.mu[j, f] * _rv(z3, ft.delta[k]))
                h = z3.Sum(terms)
                y = self.y[j][k]
                s.add(z3.Implies(y, h >= 0), z3.Implies(z3.Not(y), h <= 0))
                out[k] = out[k] + z3.If(y, z3.If(self.sg[j], h, -h), 0)
        for k in range(K):
            s.add(out[k] == _rv(z3, zs[k]))
        self.add_box({f: ZERO for f in self.gap}, {f: ONE for f in self.gap})  # lam in [0, 1] always

    def add_box(self, lo, hi):
        z3, s = self.z3, self.solver
        for f in self.gap:
            l, h = _rv(z3, lo[f]), _rv(z3, hi[f])
            for j in range(self.d2):
                W, m, p = self.W[j][f], self.mu[j, f], self.pos[j, f]
                s.add(z3.Implies(p, z3.And(l * W <= m, m <= h * W)))
                s.add(z3.Implies(z3.Not(p), z3.And(h * W <= m, m <= l * W)))

    def value(self, model, e):
        v = model.eval(e, model_completion=True)
        if self.z3.is_bool(v):
            return self.z3.is_true(v)
        fr = v.as_fraction()
        return Q(fr.numerator, fr.denominator)

    def ratios(self, model):
        """``{f: [mu_jf / W_jf for W_jf != 0]}`` for the selected in-gap features."""
        out = {}
        for f in self.gap:
            if self.value(model, self.sel[f]):
                lams = []
                for j in range(self.d2):
                    w = self.value(model, self.W[j][f])
                    if w:
                        lams.append(self.value(model, self.mu[j, f]) / w)
                out[f] = lams
        return out

    def network(self, model, lams):
        chosen = [f for f in range(len(self.feats)) if self.value(model, self.sel[f])]
        W = [[self.value(model, self.W[j][f]) for f in chosen] for j in range(self.d2)]
        c = [self.value(model, x) for x in self.c]
        sigma = [ONE if self.value(model, x) else -ONE for x in self.sg]
        return network_from_features(self.ts, [self.feats[f] for f in chosen],
                                     [lams.get(f, Q(1, 2)) for f in chosen], W, c, sigma,
                                     self.value(model, self.b3), self.d1, self.d2)

    def repair(self, model, ratios, timeout_ms):
        """Fix the Booleans of ``model`` and one ``lam`` per feature; solve the rest (linear)."""
        z3, s = self.z3, self.solver
        fixed = [b == self.value(model, b) for b in self.sel + self.sg + [y for row in self.y for y in row]]
        candidates = [sorted(set(v)) for v in ratios.values()]
        keys = list(ratios)
        combos = [[]]
        for cand in candidates:
            pick = cand if len(cand) <= 3 else [cand[0], cand[len(cand) // 2], cand[-1]]
            combos = [c + [v] for c in combos for v in pick][:27]
        for combo in combos:
            s.push()
            s.add(*fixed)
            for f, lam in zip(keys, combo):
                for j in range(self.d2):
                    s.add(self.mu[j, f] == _rv(z3, lam) * self.W[j][f])
            s.set("timeout", max(1, int(timeout_ms)))
            r = s.check()
            m2 = s.model() if r == z3.sat else None
            s.pop()
            if m2 is not None:
                return m2, dict(zip(keys, combo))
        return None, None


def _relaxed_search(ts, zs, d1, d2, time_limit, max_nodes):
    """Branch and bound over in-gap kink boxes; returns ``(status, network, nodes)``."""
    enc = _Encoding(ts, zs, d1, d2)
    z3 = enc.z3
    start = time.perf_counter()
    stack = [({f: ZERO for f in enc.gap}, {f: ONE for f in enc.gap})]
    nodes = 0
    while stack:
        left = time_limit - (time.perf_counter() - start)
        if nodes >= max_nodes or left <= 0:
            return "unknown", None, nodes
        lo, hi = stack.pop()
        nodes += 1
        enc.solver.push()
        enc.add_box(lo, hi)
        enc.solver.set("timeout", max(1, int(left * 1000)))
        r = enc.solver.check()
        model = enc.solver.model() if r == z3.sat else None
        enc.solver.pop()
        if r == z3.unknown:
            return "unknown", None, nodes
        if model is None:
            continue
        ratios = enc.ratios(model)
        spread = {f: max(v) - min(v) for f, v in ratios.items() if v}
        if not any(spread.values()):
            return "yes", enc.network(model, {f: v[0] for f, v in ratios.items() if v}), nodes
        left = time_limit - (time.perf_counter() - start)
        m2, lams = enc.repair(model, {f: v for f, v in ratios.items() if v}, min(left, 20) * 1000)
        if m2 is not None:
            return "yes", enc.network(m2, lams), nodes
        f = max(spread, key=spread.get)
        mid = (min(ratios[f]) + max(ratios[f])) / 2
        a_hi, b_lo = dict(hi), dict(lo)
        a_hi[f] = mid
        b_lo[f] = mid
        stack += [(lo, a_hi), (b_lo, hi)]
    return "no", None, nodes


SOLVER_METHOD = ("z3 QF_LRA, exact rational arithmetic: feature selection (Lemma A), second-layer "
                 "activation Booleans, in-gap kinks relaxed to boxes and refined by branch and bound (Lemma B)")


def decide(ts, zs, d1, d2, time_limit=60.0, max_nodes=400, two_layer_width=None):
    """Does a three-layer network with hidden widths ``(d1, d2)`` fit ``(t_k, z_k)``?

    Parameters
    ----------
    ts, zs : sequences of rationals
        The data (any order, repeated inputs with equal targets allowed).
    d1, d2 : int
        Hidden widths.
    time_limit : float
        Seconds for the z3 search (then ``unknown``).
    max_nodes : int
        Boxes of the branch and bound (then ``unknown``).
    two_layer_width : int, optional
        The exact two-layer width, if known (computed by the oracle otherwise).

    Returns
    -------
    Decision

    Examples
    --------
    >>> ts, zs = [Q(1), Q(2), Q(3), Q(4)], [Q(1), Q(-1), Q(1), Q(-1)]
    >>> decide(ts, zs, 1, 1).status, decide(ts, zs, 1, 1).method
    ('no', 'monotone')
    >>> decide(ts, zs, 2, 1).status, decide(ts, zs, 2, 1).proved
    ('no', False)
    >>> d = decide(ts, zs, 2, 2)
    >>> d.status, d.proved, verify_network(ts, zs, d.network), d.network.widths
    ('yes', True, True, [2, 2])

    References
    ----------
    Yun et al. 2019, Theorem 3.3 (the piece count); docs/theorems/three-layer-widths.md (the procedure).
    """
    start = time.perf_counter()
    ts, zs = _sorted_data(ts, zs)
    pieces = min_pieces_dp(ts, zs)

    def done(status, method, proved, net=None, nodes=0, **detail):
        if net is not None:
            assert verify_network(ts, zs, net), "internal error: the network does not fit"
        return Decision(d1, d2, status, method, proved, net, nodes, time.perf_counter() - start,
                        dict(detail, pieces=pieces))
    if pieces > piece_limit(d1, d2):
        return done("no", "pieces", True, limit=piece_limit(d1, d2))
    if all(z == zs[0] for z in zs):
        net = network_from_features(ts, [], [], [[] for _ in range(d2)], [-ONE] * d2, [ZERO] * d2, zs[0], d1, d2) \
            if d1 and d2 else Network(((((ZERO,),), (zs[0],)),))
        return done("yes", "constant", True, net)
    if two_layer_width is None:
        two_layer_width = _two_layer_width(ts, zs)
    if two_layer_width <= d1 and d2 >= 1:
        net = _pad(emulate_two_layer(_two_layer_network(ts, zs), ts), d1, d2)
        return done("yes", "two-layer emulation (first layer)", True, net)
    if two_layer_width <= d2 and d1 >= 1:
        net = _pad(emulate_two_layer_second(_two_layer_network(ts, zs), ts), d1, d2)
        return done("yes", "two-layer emulation (second layer)", True, net)
    if d1 == 1 and d2 == 1 and not _monotone(zs):
        return done("no", "monotone", True)
    if d1 == 1:
        status, net, proved = _one_feature(ts, zs, d2, time_limit)
        if status == "yes":
            return done("yes", "one feature: two-layer oracle", True, _pad(net, d1, d2))
        return done(status, "one feature: two-layer oracle" + ("" if proved else " + z3 QF_LRA (free point)"),
                    proved and status == "no")
    status, net, nodes = _relaxed_search(ts, zs, d1, d2, time_limit, max_nodes)
    if status == "yes":
        return done("yes", "z3 model, exact", True, net, nodes)
    return done(status, "z3 relaxation + branch and bound" if status == "no" else "capped", False, None, nodes)


def _pad(net, d1, d2):
    (W1, b1), (W2, b2), (W3, b3) = net.layers
    W1, b1 = list(W1), list(b1)
    W2 = [list(r) for r in W2]
    b2, W3 = list(b2), [list(W3[0])]
    while len(W1) < d1:
        W1.append((ONE,))
        b1.append(ZERO)
        for r in W2:
            r.append(ZERO)
    while len(W2) < d2:
        W2.append([ZERO] * len(W1))
        b2.append(-ONE)
        W3[0].append(ZERO)
    return Network(((tuple(W1), tuple(b1)), (tuple(map(tuple, W2)), tuple(b2)), ((tuple(W3[0]),), b3)))


def _one_feature(ts, zs, d2, time_limit):
    """Exact ``(1, d2)`` decision (Lemma C): ``(status, network, proved)``.

    With one first-layer feature the network is ``G(max(t, r))`` (right-facing kink ``r``) or
    ``G(min(t, r))`` (left-facing), ``G`` a two-layer network with ``d2`` units: the points on the
    dead side share the value ``G(r)`` and the others are fitted by ``G``.  A kink on a data point
    (or at an end) is decided by the two-layer oracle on the live points.  A kink inside a gap adds
    the point ``(r, c)``; since a two-layer width depends on the chords only (docs/search.md,
    Lemma 3), that point may be put at ``t_{p+1} - 1`` with a free value whose chord ranges over the
    chords reachable from the gap; that is a linear problem (z3, as in the two-layer baseline).
    """
    K = len(ts)
    if _two_layer_width(ts, zs) <= d2:
        return "yes", emulate_two_layer_second(_two_layer_network(ts, zs), ts), True
    for flip in (False, True):
        tt, zz = ([-t for t in reversed(ts)], list(reversed(zs))) if flip else (ts, zs)
        for p in range(1, K - 1):  # right-facing kink on the interior point p
            if len(set(zz[:p + 1])) == 1 and _two_layer_width(tt[p:], zz[p:]) <= d2:
                return "yes", _right_kink_network(_two_layer_network(tt[p:], zz[p:]), tt[p], flip), True
    proved, unknown = True, False
    for flip in (False, True):
        tt, zz = ([-t for t in reversed(ts)], list(reversed(zs))) if flip else (ts, zs)
        for p in range(0, K - 2):  # right-facing kink strictly inside (t_p, t_{p+1})
            if len(set(zz[:p + 1])) > 1 or _two_layer_width(tt[p + 1:], zz[p + 1:]) > d2:
                continue
            proved = False
            r = _free_point(tt, zz, p, d2, time_limit)
            if r is None:
                unknown = True
            elif r is not False:
                E_t, E_z = [r] + tt[p + 1:], [zz[0]] + zz[p + 1:]
                assert _two_layer_width(E_t, E_z) <= d2, "internal error: chord lemma"
                return "yes", _right_kink_network(_two_layer_network(E_t, E_z), r, flip), True
    return ("unknown" if unknown else "no"), None, proved


def _right_kink_network(G, r, flip):
    """``t -> G(max(t, r))`` as a (1, w) network; with ``flip`` the data were reflected (``t -> -t``)."""
    if len(G.layers) == 1:  # constant
        G = Network(((((ONE,),), (ZERO,)), (((ZERO,),), G.layers[0][1])))
    (W1, b1), (W2, b2) = G.layers
    a0 = -ONE if flip else ONE
    first = (((a0,),), (-r,))  # relu(t' - r) with t' = -t when flipped
    second = (tuple((row[0],) for row in W1), tuple(row[0] * r + b for row, b in zip(W1, b1)))
    return Network((first, second, (W2, b2)))


def _free_point(ts, zs, p, d2, time_limit):
    """A kink ``r`` in the open gap ``(t_p, t_{p+1})`` for which ``{(r, z_1)} + points > p`` has two-layer
    width ``<= d2``; False if none; None on a timeout.  (z3, QF_LRA, exact.)"""
    z3 = _z3()
    c, t1, z1 = zs[0], ts[p + 1], zs[p + 1]
    dz, dt = z1 - c, ts[p + 1] - ts[p]
    xs = [t1 - 1] + ts[p + 1:]
    s = z3.SolverFor("QF_LRA")
    s.set("timeout", max(1, int(time_limit * 1000)))
    v = z3.Real("v")  # value at t1 - 1, chord z1 - v
    if dz == 0:
        s.add(v == _rv(z3, z1))
    elif dz > 0:
        s.add(z1 - v > _rv(z3, dz / dt))
    else:
        s.add(z1 - v < _rv(z3, dz / dt))
    b = z3.Real("b")
    g = [b for _ in xs]
    for k in range(d2):
        pos, q, pp = z3.Bool(f"pos_{k}"), z3.Real(f"q_{k}"), z3.Real(f"p_{k}")
        for i, x in enumerate(xs):
            h = z3.Bool(f"h_{k}_{i}")
            pre = q * _rv(z3, x) + pp
            s.add(z3.Implies(h, z3.If(pos, pre >= 0, pre <= 0)), z3.Implies(z3.Not(h), z3.If(pos, pre <= 0, pre >= 0)))
            g[i] = g[i] + z3.If(h, pre, 0)
    s.add(g[0] == v, *[g[i] == _rv(z3, z) for i, z in enumerate(zs[p + 1:], start=1)])
    res = s.check()
    if res == z3.unknown:
        return None
    if res != z3.sat:
        return False
    fr = s.model().eval(v, model_completion=True).as_fraction()
    chord = z1 - Q(fr.numerator, fr.denominator)
    r = (ts[p] + ts[p + 1]) / 2 if dz == 0 else t1 - dz / chord
    assert ts[p] < r < ts[p + 1], "internal error: the chord is not reachable"
    return r


def _monotone(zs):
    return all(a <= b for a, b in zip(zs, zs[1:])) or all(a >= b for a, b in zip(zs, zs[1:]))


def _two_layer_network(ts, zs):
    from ..dataset import Dataset
    from ..search import oracle
    return oracle.min_width(Dataset(tuple((t,) for t in ts), tuple((z,) for z in zs)))["network"]


def emulate_two_layer_second(net2, ts):
    """A ``(1, w)`` three-layer network equal to the two-layer ``net2`` on ``ts``.

    The first layer is ``relu(t - t_1)``, which is ``t - t_1`` on the data.

    Examples
    --------
    >>> two = Network.from_lists([([[1], [1]], [0, -1]), ([[1, -2]], [0])])
    >>> three = emulate_two_layer_second(two, [Q(0), Q(1), Q(2)])
    >>> three.widths, evaluate(three, [[0], [1], [2]]) == evaluate(two, [[0], [1], [2]])
    ([1, 2], True)
    """
    (W1, b1), (W2, b2) = net2.layers
    t1 = min(ts)
    return Network(((((ONE,),), (-t1,)), (tuple((r[0],) for r in W1), tuple(r[0] * t1 + b for r, b in zip(W1, b1))),
                    (W2, b2)))


def _two_layer_width(ts, zs):
    from ..dataset import Dataset
    from ..search import oracle
    return oracle.min_width(Dataset(tuple((t,) for t in ts), tuple((z,) for z in zs)))["min_width"]


def least_width(ts, zs, max_width=7, time_limit=60.0, max_nodes=400):
    """Least ``d1 + d2`` of a fitting three-layer network, deciding every pair up to it.

    For ``m = 2, 3, ...`` every pair ``d1 + d2 = m`` with ``d1, d2 >= 1`` is decided.
    Widths are monotone (a smaller network is padded with dead units), so a row
    of NOs at ``m`` rules out every smaller sum, and the least width lies in
    ``[lower, upper]``: ``lower`` is one more than the largest all-NO row,
    ``upper`` the first row with a YES.  ``least`` is set when they meet.

    Returns a dict with ``least`` (None if capped searches leave a gap), ``lower``,
    ``upper``, ``pairs`` (the YES pairs at ``upper``), ``proved`` (True if every NO
    of the all-NO row ``lower - 1`` is a piece-count proof), ``decisions``,
    ``two_layer_width`` and ``pieces``.

    Examples
    --------
    >>> r = least_width([Q(1), Q(2), Q(3), Q(4)], [Q(1), Q(-1), Q(2), Q(3)])
    >>> r["least"], r["pairs"], r["proved"]
    (3, [(1, 2), (2, 1)], True)

    References
    ----------
    Sohn et al. 2024, Theorem 5.1 (the bounds the least width is compared with).
    """
    ts, zs = _sorted_data(ts, zs)
    pieces = min_pieces_dp(ts, zs)
    w2 = _two_layer_width(ts, zs)
    if all(z == zs[0] for z in zs):
        return {"least": 0, "lower": 0, "upper": 0, "pairs": [(0, 0)], "proved": True, "decisions": [],
                "two_layer_width": w2, "pieces": pieces}
    decisions, rows, lower, upper, winners = [], {}, 2, None, []
    for m in range(2, max_width + 1):
        row = [decide(ts, zs, d1, m - d1, time_limit, max_nodes, two_layer_width=w2) for d1 in range(1, m)]
        decisions += row
        rows[m] = row
        if all(d.status == "no" for d in row):
            lower = m + 1
        yes = [(d.d1, d.d2) for d in row if d.status == "yes"]
        if yes:
            upper, winners = m, yes
            break
    proved = lower - 1 in rows and all(d.proved for d in rows[lower - 1]) if lower > 2 else True
    return {"least": upper if upper == lower else None, "lower": lower, "upper": upper, "pairs": winners,
            "proved": proved, "decisions": decisions, "two_layer_width": w2, "pieces": pieces}


def nra_fits(ts, zs, d1, d2, timeout_ms=10000):
    """Second method for tests: the direct z3 encoding (QF_NRA, weights unnormalised but ``|w1_i| = 1``).

    Variables: orientation and bias per first-layer unit, ``W2``, ``b2``, sign of ``W3``, ``b3`` and
    one activation Boolean per unit and point; the products ``W2_ji * b1_i`` make it non-linear.
    Returns True, False or None (timeout).  Slow beyond a handful of points; used only as a cross-check.

    Examples
    --------
    >>> nra_fits([Q(1), Q(2), Q(3)], [Q(1), Q(-1), Q(1)], 1, 1)
    False
    """
    z3 = _z3()
    ts, zs = _sorted_data(ts, zs)
    s = z3.SolverFor("QF_NRA")
    s.set("timeout", int(timeout_ms))
    K = len(ts)
    u = [[None] * K for _ in range(d1)]
    for i in range(d1):
        pos, b = z3.Bool(f"pos{i}"), z3.Real(f"b{i}")
        for k, t in enumerate(ts):
            pre = z3.If(pos, _rv(z3, t), _rv(z3, -t)) + b
            x = z3.Bool(f"x{i}_{k}")
            s.add(z3.Implies(x, pre >= 0), z3.Implies(z3.Not(x), pre <= 0))
            u[i][k] = z3.If(x, pre, 0)
    out = [z3.Real("b3")] * K
    for j in range(d2):
        W = [z3.Real(f"W{j}_{i}") for i in range(d1)]
        c, sg = z3.Real(f"c{j}"), z3.Bool(f"sg{j}")
        for k in range(K):
            h = c + z3.Sum([W[i] * u[i][k] for i in range(d1)]) if d1 else c
            y = z3.Bool(f"y{j}_{k}")
            s.add(z3.Implies(y, h >= 0), z3.Implies(z3.Not(y), h <= 0))
            out[k] = out[k] + z3.If(y, z3.If(sg, h, -h), 0)
    for k in range(K):
        s.add(out[k] == _rv(z3, zs[k]))
    r = s.check()
    return None if r == z3.unknown else r == z3.sat


def certificate_for(ds, net, d1, d2, method):
    """A fine-tuning certificate for a YES network on a 1-D dataset (checked by the trusted verifier)."""
    from ..certificate import make_certificate
    return make_certificate(ds, net, construction="three-layer-width-search",
                            hints={"widths": [d1, d2], "method": method,
                                   "note": f"a three-layer network with hidden widths ({d1}, {d2}) fits "
                                           f"(ftcexact.search.three_layer_width)"})


def _fmt(q):
    return format_rational(q)
