"""Activation gadgets compiled to plain ReLU neurons, and a compiler for gadget networks.

Both papers build their three-layer networks from units with non-ReLU
activations (hard-tanh, bumps, the clipped identities sL and sT) and count
each unit as a few ReLUs.  A :class:`Gadget` is such an activation written
exactly as

    ``sigma(s) = sum_k out[k] * relu(scale[k] * s + shift[k]) + const``,

so a unit with pre-activation ``s`` becomes ``len(rows)`` ReLU neurons whose
rows are ``scale[k]`` times the unit's row (plus ``shift[k]`` in the bias),
and the combination ``out``/``const`` is folded into the next layer's weights
and bias.  The neuron count of a compiled network is the number of ReLUs that
are actually present: :func:`prune_network` removes every neuron whose
outgoing weights are all zero.

:func:`compile_units` turns layers of gadget units that read ``t = a . x``
into a :class:`~ftcexact.network.Network` whose first-layer rows are all
multiples of ``a`` (the form the trusted verifier evaluates fastest).

This module also defines :class:`ConstructionError`, raised by every
construction when a step of a paper does not apply to an instance; the
message names the step.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import lcm

from ..kernel.numbers import Q, as_rational, denominator, numerator
from ..network import Network

__all__ = ["ConstructionError", "Gadget", "Unit", "hard_tanh", "bump", "ramped_sl", "s_t", "shifted_identity",
           "gadget_value", "for_activation", "to_activation", "hard_tanh_reference", "bump_reference",
           "ramped_sl_reference", "s_t_reference",
           "compile_units", "prune_network", "ceil_rational", "sqrt_decimal", "ceil_sqrt"]


class ConstructionError(ValueError):
    """A paper step that does not apply to this instance (one line, names the step)."""


ZERO, ONE = Q(0), Q(1)


@dataclass(frozen=True)
class Gadget:
    """``sigma(s) = sum_k out[k] relu(scale[k] s + shift[k]) + const``.

    ``rows`` is a tuple of ``(scale, shift)`` pairs, one per ReLU.
    """

    name: str
    rows: tuple
    out: tuple
    const: object = ZERO

    @property
    def relus(self):
        """Number of ReLU neurons the gadget costs."""
        return len(self.rows)


def _q(v):
    return as_rational(v)


def hard_tanh():
    """Hard-tanh ``sH(s) = max(-1, min(1, s)) = relu(s + 1) - relu(s - 1) - 1`` (2 ReLUs).

    Examples
    --------
    >>> from ftcexact.kernel.numbers import format_rational
    >>> g = hard_tanh()
    >>> [format_rational(gadget_value(g, Q(v))) for v in (-3, -1, Q(1, 2), 1, 5)]
    ['-1', '-1', '1/2', '1', '1']

    References
    ----------
    Sohn et al. 2024, eq. (23); Yun et al. 2019, Theorem 3.1 (hard-tanh units).
    """
    return Gadget("hard-tanh", ((ONE, ONE), (ONE, -ONE)), (ONE, -ONE), -ONE)


def bump(center, half_width, height=None):
    """Bump ``sB``: 0 outside ``[c - delta, c + delta]``, linear up to ``height`` at ``c`` and down (3 ReLUs).

    ``sB(s) = (h / delta) (relu(s - c + delta) - 2 relu(s - c) + relu(s - c - delta))``.
    The paper's bump has ``height = center = z_i``; that is the default.

    Examples
    --------
    >>> from ftcexact.kernel.numbers import format_rational
    >>> g = bump(Q(1, 2), Q(1, 4))
    >>> [format_rational(gadget_value(g, Q(v, 8))) for v in (1, 2, 3, 4, 5, 6, 7)]
    ['0', '0', '1/4', '1/2', '1/4', '0', '0']

    References
    ----------
    Sohn et al. 2024, proof of m <= 2 sqrt(K) + 3N (activation sigma_B).
    """
    c, delta = _q(center), _q(half_width)
    if delta <= 0:
        raise ConstructionError("bump: the half-width delta must be positive")
    h = c if height is None else _q(height)
    k = h / delta
    return Gadget("bump", ((ONE, delta - c), (ONE, -c), (ONE, -c - delta)), (k, -2 * k, k), ZERO)


def ramped_sl(delta):
    """Continuous ``sL``: ``s`` on ``[-1, 1]``, ramps to 0 on ``[1, 1 + delta]`` and ``[-1 - delta, -1]`` (4 ReLUs).

    The paper's ``sL(t) = t (|t| <= 1), 0 (|t| >= 1)`` jumps at ``|t| = 1`` and is
    no ReLU network; this is the continuous version the 4-ReLU count fits.
    Points that must be sent to 0 have to land at ``|s| >= 1 + delta``.

    ``sL(s) = -(1/delta) relu(s + 1 + delta) + (1 + 1/delta) relu(s + 1)
    - (1 + 1/delta) relu(s - 1) + (1/delta) relu(s - 1 - delta)``.

    Examples
    --------
    >>> from ftcexact.kernel.numbers import format_rational
    >>> g = ramped_sl(Q(1))
    >>> [format_rational(gadget_value(g, Q(v, 2))) for v in (-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5)]
    ['0', '0', '-1/2', '-1', '-1/2', '0', '1/2', '1', '1/2', '0', '0']

    References
    ----------
    Sohn et al. 2024, proof of m <= 6 sqrt(3N + 2) (activation sigma_L).
    """
    delta = _q(delta)
    if delta <= 0:
        raise ConstructionError("ramped sL: the ramp width delta must be positive")
    k = ONE / delta
    return Gadget("ramped-sL", ((ONE, ONE + delta), (ONE, ONE), (ONE, -ONE), (ONE, -ONE - delta)),
                  (-k, ONE + k, -ONE - k, k), ZERO)


def s_t(delta):
    """``sT``: ``s`` for ``s <= 1``, linear down to 0 on ``[1, 1 + delta]``, 0 beyond (2 left-facing ReLUs).

    ``sT(s) = (1/delta) relu(1 + delta - s) - (1 + 1/delta) relu(1 - s)``.  Both
    ReLUs face left (``relu(c - s)``): with right-facing ReLUs the identity part
    for ``s -> -infinity`` would need more neurons.  Points that must be sent to 0
    have to land at ``s >= 1 + delta`` (not merely outside ``[-1, 1]``).

    Examples
    --------
    >>> from ftcexact.kernel.numbers import format_rational
    >>> g = s_t(Q(1))
    >>> [format_rational(gadget_value(g, Q(v, 2))) for v in (-6, 0, 1, 2, 3, 4, 5)]
    ['-3', '0', '1/2', '1', '1/2', '0', '0']

    References
    ----------
    Sohn et al. 2024, Appendix A (activation sigma_T).
    """
    delta = _q(delta)
    if delta <= 0:
        raise ConstructionError("sT: the ramp width delta must be positive")
    k = ONE / delta
    return Gadget("sT", ((-ONE, ONE + delta), (-ONE, ONE)), (k, -ONE - k), ZERO)


def shifted_identity(shift):
    """``relu(s + M) - M``: the identity on ``s >= -M`` with one ReLU (a carry unit).

    Examples
    --------
    >>> from ftcexact.kernel.numbers import format_rational
    >>> format_rational(gadget_value(shifted_identity(Q(3)), Q(-2)))
    '-2'
    """
    m = _q(shift)
    return Gadget("carry", ((ONE, m),), (ONE,), -m)


def gadget_value(gadget, s, slopes=(ZERO, ONE)):
    """Exact value of the compiled gadget at ``s``: ``sum_k out_k act(scale_k s + shift_k) + const``.

    ``slopes = (S-, S+)`` selects the activation ``max{S+ v, S- v}`` the gadget is written for
    (ReLU by default; see :func:`for_activation`).
    """
    s = _q(s)
    s_neg, s_pos = slopes
    total = gadget.const
    for (scale, shift), w in zip(gadget.rows, gadget.out):
        v = scale * s + shift
        total += w * v * (s_pos if v > 0 else s_neg)
    return total


def for_activation(gadget, slopes):
    """The same gadget written with units of ``max{S+ v, S- v}`` (``S+ > S- >= 0``) instead of ReLUs.

    ``relu(v) = (s(v) - S- v) / (S+ - S-)``, so ``sum_k out_k relu(v_k) + const`` equals
    ``sum_k out_k / D * s(v_k) + const - (S- / D) sum_k out_k v_k`` with ``D = S+ - S-``.  The last
    sum is linear in the unit's input ``s`` with slope ``sum_k out_k scale_k``; when that is 0 (the
    gadget has flat tails of equal height: hard-tanh, bump, ramped sL) it is a constant and the
    gadget costs the same number of units.  For hard-tanh this is
    ``sH(t) = [s(t + 1) - s(t - 1) - (S+ + S-)] / (S+ - S-)``: on ``[-1, 1]``,
    ``s(t + 1) - s(t - 1) = (S+ - S-) t + (S+ + S-)``, below ``2 S-``, above ``2 S+``.

    Raises
    ------
    ConstructionError
        If the gadget's tails are not flat (sT: its left tail has slope 1, which 2 units of a leaky
        activation cannot produce; docs/sources/ysj-details.md §(b)).

    Examples
    --------
    >>> from ftcexact.kernel.numbers import format_rational
    >>> slopes = (Q(1, 10), Q(1))
    >>> g = for_activation(hard_tanh(), slopes)
    >>> [format_rational(gadget_value(g, Q(v, 2), slopes)) for v in (-5, -2, -1, 0, 1, 2, 7)]
    ['-1', '-1', '-1/2', '0', '1/2', '1', '1']
    >>> for_activation(s_t(Q(1)), slopes)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ftcexact.constructions.gadgets.ConstructionError: sT: its tails are not flat (slope 1 on the left), ...
    """
    s_neg, s_pos = slopes
    if (s_neg, s_pos) == (ZERO, ONE):
        return gadget
    if not s_pos > s_neg >= 0:
        raise ConstructionError(f"activation slopes must satisfy S+ > S- >= 0, not S- = {s_neg}, S+ = {s_pos}")
    D = s_pos - s_neg
    slope = sum((o * sc for o, (sc, _) in zip(gadget.out, gadget.rows)), ZERO)
    if slope and s_neg:
        raise ConstructionError(f"{gadget.name}: its tails are not flat (slope {slope} on the left), so "
                                f"{gadget.relus} units of max{{S+ t, S- t}} with S- = {s_neg} > 0 cannot replace "
                                f"its {gadget.relus} ReLUs")
    if slope:  # S- = 0: s = S+ relu
        return Gadget(gadget.name, gadget.rows, tuple(o / s_pos for o in gadget.out), gadget.const)
    const = gadget.const - s_neg / D * sum((o * sh for o, (_, sh) in zip(gadget.out, gadget.rows)), ZERO)
    return Gadget(gadget.name, gadget.rows, tuple(o / D for o in gadget.out), const)


def reduced_row_echelon(rows, ncols):
    """Bring the rows (lists of exact numbers) to reduced row echelon form on their first ``ncols``
    columns, in place, by Gauss-Jordan elimination; return the pivot columns."""
    pivots, r = [], 0
    for c in range(ncols):
        if r == len(rows):
            break
        piv = next((i for i in range(r, len(rows)) if rows[i][c]), None)
        if piv is None:
            continue
        rows[r], rows[piv] = rows[piv], rows[r]
        inv = 1 / rows[r][c]
        rows[r] = [v * inv for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][c]:
                f = rows[i][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[r])]
        pivots.append(c)
        r += 1
    return pivots


def _solve_in_span(vectors, target):
    """Coefficients ``c`` with ``sum_p c_p vectors[p] = target`` (exact), or None."""
    n = len(vectors)
    rows = [[vectors[p][i] for p in range(n)] + [target[i]] for i in range(len(target))]
    pivots = reduced_row_echelon(rows, n)
    r = len(pivots)
    if any(row[n] for row in rows[r:]):
        return None
    coeffs = [ZERO] * n
    for i, c in enumerate(pivots):
        coeffs[c] = rows[i][n]
    return coeffs


def _preactivation_signs(net, points):
    """Per hidden layer, per neuron: ``(min, max)`` of the exact pre-activation over the points (ReLU net)."""
    from ..kernel.numbers import int_matmul
    den = lcm(1, *(denominator(v) for p in points for v in p))
    H = [[numerator(v * den) for v in col] for col in zip(*points)]  # coordinate rows, integer over den
    out = []
    for l, (W, b) in enumerate(net.layers[:-1]):
        dW = lcm(1, *(denominator(v) for v in [x for row in W for x in row] + list(b)))
        Wi = [[numerator(x * dW) for x in row] for row in W]
        P = int_matmul(Wi, H) if Wi and Wi[0] else [[0] * len(points) for _ in Wi]
        P = [[v + numerator(c * dW) * den for v in row] for row, c in zip(P, b)]
        den *= dW
        out.append([(min(row), max(row)) for row in P])  # signs only matter (den > 0)
        H = [[v if v > 0 else 0 for v in row] for row in P]
    return out


def to_activation(net, activation, points):
    """A network with activation ``activation`` equal to the ReLU network ``net`` at ``points`` (or a dataset's).

    With ``s = max{S+ v, S- v}`` (``S+ > S- >= 0``, ``D = S+ - S-``), every hidden ReLU is classified
    by its exact pre-activations ``v`` at the points: *non-negative* there (then also
    ``relu(v) = s(v)/S+`` there: the carries of the deep constructions, the first kink of a broken
    line), *non-positive* (then also ``relu(v) = 0``) or *mixed*.  Everywhere,
    ``relu(v) = (s(v) - S- v)/D``.  Each row of the next layer reads ``s`` instead of ``relu`` through
    this identity; the terms ``-(S-/D) W_next v`` are a constant plus a linear form in the previous
    layer, which must vanish (the units of a hard-tanh, bump or sL gadget cancel it exactly) or be a
    combination of the rows of non-negative neurons (whose ``v`` is ``s(v)/S+`` at the points).  If
    that fails with every neuron, the non-positive ones are read as 0 instead (they may then be
    pruned).  So the count never grows.

    Raises
    ------
    ConstructionError
        If a linear term survives (e.g. [FTC] Appendix A's sT unit; two-layer networks whose first
        kink is not at the leftmost point).

    Examples
    --------
    Hard-tanh ``sH(2t)`` read with weight 3, as leaky ReLU units with ``S- = 1/10``:

    >>> from ftcexact.network import evaluate
    >>> from ftcexact.kernel.numbers import format_rational
    >>> relu_net = compile_units((Q(1),), [[Unit(hard_tanh(), (Q(2),), Q(0))]], [((Q(3),), Q(0))])
    >>> pts = [[Q(-1)], [Q(1, 4)], [Q(7)]]
    >>> leaky = to_activation(relu_net, "leaky:1/10:1", pts)
    >>> leaky.activation, leaky.neurons, evaluate(leaky, pts) == evaluate(relu_net, pts)
    ('leaky:1/10:1', 2, True)
    """
    from ..kernel.evaluate import activation_slopes
    s_neg, s_pos = activation_slopes(activation)
    if (s_neg, s_pos) == (ZERO, ONE):
        return net
    if hasattr(points, "targets"):  # a dataset: its inputs (an array dataset's rows, read exactly)
        points = points.x if hasattr(points, "x") else points.rows(range(points.K))
    if net.activation != "relu":
        raise ConstructionError(f"to_activation converts ReLU networks, not {net.activation!r}")
    if not s_pos > s_neg >= 0:
        raise ConstructionError(f"the activation must be max{{S+ t, S- t}} with S+ > S- >= 0, not {activation!r}")
    if net.depth == 1:
        return Network(net.layers, activation)
    D = s_pos - s_neg
    signs = _preactivation_signs(net, [tuple(p) for p in points])
    layers = [net.layers[0]]
    for l in range(net.depth - 1):
        W, b = net.layers[l]
        Wn, bn = net.layers[l + 1]
        kinds = ["neg" if hi <= 0 else ("pos" if lo >= 0 else "mixed") for lo, hi in signs[l]]
        pos = [k for k, c in enumerate(kinds) if c == "pos"]
        rows, biases = [], []
        for j, (row, c) in enumerate(zip(Wn, bn)):
            for M in (range(len(W)), [k for k in range(len(W)) if kinds[k] != "neg"]):
                skip = [sum((row[k] * W[k][i] for k in M if row[k]), ZERO) for i in range(len(W[0]))]
                lam = [ZERO] * len(pos)
                if s_neg and any(skip):
                    lam = _solve_in_span([W[p] for p in pos], skip)
                if lam is not None:
                    break
            else:
                raise ConstructionError(f"{activation}: layer {l + 1} leaves a linear term that its units "
                                        "cannot absorb (this construction needs ReLU)")
            new = [ZERO] * len(row)
            for k in M:
                new[k] = row[k] / D
            for p, lp in zip(pos, lam):
                new[p] -= s_neg / D * lp / s_pos
            const = sum((row[k] * b[k] for k in M), ZERO) - sum((lp * b[p] for p, lp in zip(pos, lam)), ZERO)
            rows.append(tuple(new))
            biases.append(c - s_neg / D * const)
        layers.append((tuple(rows), tuple(biases)))
    return prune_network(Network(tuple(layers), activation))


# Reference definitions, written piece by piece as in the papers (used by the tests).

def hard_tanh_reference(s):
    """``-1 (s <= -1), s (|s| < 1), 1 (s >= 1)``: eq. (23) of [FTC]."""
    return -ONE if s <= -1 else (ONE if s >= 1 else s)


def bump_reference(s, center, delta, height=None):
    """The bump as printed in [FTC] §5.2 (with ``height = center`` by default)."""
    h = center if height is None else height
    if s < center - delta or s > center + delta:
        return ZERO
    if s < center:
        return h / delta * (s - center + delta)
    return -h / delta * (s - center - delta)


def ramped_sl_reference(s, delta):
    """``s`` on ``[-1, 1]``, linear to 0 on the ramps of width ``delta``, 0 beyond."""
    if abs(s) <= 1:
        return s
    if abs(s) >= 1 + delta:
        return ZERO
    sign = ONE if s > 0 else -ONE
    return sign * (1 + delta - abs(s)) / delta


def s_t_reference(s, delta):
    """``sT`` as printed in [FTC] Appendix A."""
    if s < 1:
        return s
    if s < 1 + delta:
        return -(s - 1 - delta) / delta
    return ZERO


@dataclass(frozen=True)
class Unit:
    """A gadget unit: ``gadget(sum_i weights[i] * u_i + bias)``.

    In the first layer ``weights`` is a 1-tuple ``(p,)``: the pre-activation is
    ``p * t + bias`` with ``t = a . x``.  In later layers ``weights`` has one
    entry per unit of the previous layer.
    """

    gadget: Gadget
    weights: tuple
    bias: object


def compile_units(direction, layers, outputs):
    """Compile gadget layers reading ``t = direction . x`` into a ReLU network.

    Parameters
    ----------
    direction : tuple of Q
        The projection ``a``; first-layer ReLU rows are multiples of it.
    layers : list of list of Unit
        Hidden gadget layers (at least one).
    outputs : list of (tuple, Q)
        One ``(weights over the last gadget layer's units, bias)`` per output.

    Returns
    -------
    Network
        The compiled network, pruned with :func:`prune_network`.

    Examples
    --------
    One hard-tanh unit ``sH(2t)`` read by the output with weight 3:

    >>> from ftcexact.network import evaluate
    >>> from ftcexact.kernel.numbers import format_rational
    >>> net = compile_units((Q(1),), [[Unit(hard_tanh(), (Q(2),), Q(0))]], [((Q(3),), Q(0))])
    >>> net.neurons, [format_rational(v[0]) for v in evaluate(net, [[Q(-1)], [Q(1, 4)], [Q(7)]])]
    (2, ['-3', '3/2', '3'])
    """
    a = tuple(direction)
    built = []
    prev = None  # per unit of the previous gadget layer: (first relu index, gadget)
    for l, units in enumerate(layers):
        rows, biases, index = [], [], []
        for unit in units:
            g = unit.gadget
            index.append((len(rows), g))
            if l == 0:
                (p,) = unit.weights
                for scale, shift in g.rows:
                    rows.append(tuple(scale * p * v for v in a))
                    biases.append(scale * unit.bias + shift)
            else:
                lin, const = _expand(unit.weights, unit.bias, prev, n_prev)
                for scale, shift in g.rows:
                    rows.append(tuple(scale * v for v in lin))
                    biases.append(scale * const + shift)
        built.append((tuple(rows), tuple(biases)))
        prev, n_prev = index, len(rows)
    out_rows, out_b = [], []
    for weights, bias in outputs:
        lin, const = _expand(weights, bias, prev, n_prev)
        out_rows.append(tuple(lin))
        out_b.append(const)
    built.append((tuple(out_rows), tuple(out_b)))
    return prune_network(Network(tuple(built)))


def _expand(weights, bias, prev, n_prev):
    """Rewrite ``sum_i w_i sigma_i + bias`` over the ReLUs of the previous layer."""
    lin = [ZERO] * n_prev
    const = _q(bias)
    for w, (start, g) in zip(weights, prev):
        if not w:
            continue
        for k, o in enumerate(g.out):
            lin[start + k] += w * o
        const += w * g.const
    return lin, const


def prune_network(net):
    """Remove hidden neurons that cannot matter, keeping the function exactly.

    * a neuron whose outgoing weights are all zero is deleted;
    * a neuron whose incoming row is all zero is the constant ``s(b)``: its
      contribution is added to the next layer's biases and it is deleted.

    Repeated until nothing changes (deleting a neuron can make earlier ones
    dead).  A hidden layer may become empty only if the output is constant; then
    the network collapses to a single affine layer.

    Examples
    --------
    >>> net = Network.from_lists([([[1], [2]], [0, 1]), ([[3, 0]], [0])])
    >>> prune_network(net).neurons
    1
    """
    layers = [(list(map(list, W)), list(b)) for W, b in net.layers]
    s_neg, s_pos = net.slopes
    changed = True
    while changed:
        changed = False
        for l in range(len(layers) - 1):
            W, b = layers[l]
            Wn, bn = layers[l + 1]
            keep = []
            for k in range(len(b)):
                outgoing = any(row[k] for row in Wn)
                if not outgoing:
                    changed = True
                    continue
                if not any(W[k]):
                    value = b[k] * (s_pos if b[k] > 0 else s_neg)
                    if value:
                        for i, row in enumerate(Wn):
                            bn[i] += row[k] * value
                    changed = True
                    continue
                keep.append(k)
            if len(keep) != len(b):
                layers[l] = ([W[k] for k in keep], [b[k] for k in keep])
                layers[l + 1] = ([[row[k] for k in keep] for row in Wn], bn)
    if any(not b for _, b in layers[:-1]):
        # an empty hidden layer empties every other one and leaves a constant output
        bout = layers[-1][1]
        d = len(net.layers[0][0][0])
        return Network(((tuple((ZERO,) * d for _ in bout), tuple(bout)),), net.activation)
    return Network(tuple((tuple(map(tuple, W)), tuple(b)) for W, b in layers), net.activation)


# ---------------------------------------------------------------- small exact helpers

def ceil_rational(q):
    """The least integer ``>= q`` (a Python int)."""
    q = _q(q)
    return -((-numerator(q)) // denominator(q))


def ceil_sqrt(n):
    """``ceil(sqrt(n))`` for an integer ``n >= 0``."""
    from math import isqrt
    r = isqrt(n)
    return r if r * r == n else r + 1


def sqrt_decimal(coefficient, radicand, offset=0, digits=4):
    """``coefficient * sqrt(radicand) + offset`` rounded down to ``digits`` decimals, as a string.

    Computed with integer square roots, no floats.  ``radicand`` may be a
    rational; ``coefficient`` and ``offset`` are rationals.

    Examples
    --------
    >>> sqrt_decimal(4, 17)
    '16.4924'
    >>> sqrt_decimal(6, 3 * 1000 + 2)
    '328.7430'
    """
    from math import isqrt
    c, r, o = _q(coefficient), _q(radicand), _q(offset)
    scale = 10 ** digits
    # floor(c * sqrt(r) * scale) for c >= 0: isqrt(c^2 r scale^2) over rationals
    num = numerator(c) ** 2 * numerator(r) * scale ** 2
    den = denominator(c) ** 2 * denominator(r)
    root = isqrt(num // den)
    while (root + 1) ** 2 * den <= num:
        root += 1
    while root ** 2 * den > num:
        root -= 1
    total = Q(root, scale) + o
    whole = numerator(total * scale) // denominator(total * scale)
    sign = "-" if whole < 0 else ""
    whole = abs(whole)
    return f"{sign}{whole // scale}.{whole % scale:0{digits}d}"
