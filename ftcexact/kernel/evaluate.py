"""Exact networks in the trusted kernel: reading them and evaluating them.

Formats (docs/certificate.md)
-----------------------------
A network is a list of layers ``[{"W": rows, "b": biases}, ...]`` (feed-forward,
ReLU after every layer but the last, which is linear), or an object
``{"kind": "feedforward", "activation": A, "layers": [...]}``, or a residual
network ``{"kind": "resnet", "activation": A, "blocks": [{"U", "b", "V", "c"}, ...],
"head": {"U", "b", "V", "c"}}`` computing ``h_0 = x``,
``h_l = h_{l-1} + V_l s(U_l h_{l-1} + b_l) + c_l`` for the blocks and the output
``V_L s(U_L h_{L-1} + b_L) + c_L`` (Yun et al. 2019, the ResNet definition).  ``A`` is ``"relu"`` or
``"leaky:S-:S+"``: ``s(v) = S+ v`` for ``v > 0`` and ``S- v`` otherwise, the
ReLU-like family ``max{S+ v, S- v}`` of Yun et al. for ``S+ > S- >= 0``.
The neurons are the activation units (the hidden widths, summed).

Exact evaluation, two ways
--------------------------
*Dense* (:func:`evaluate_dense`): points in blocks; each layer is one integer
matrix product after clearing the layer's denominators, the activations stay
integers over one common denominator.  ReLU feed-forward networks whose values
fit the limb path's limits take :func:`ftcexact.kernel.limbs.relu_network` (int64 limbs,
float64 BLAS products, exact by the magnitude argument there: about 9x a
float64 pass on a 784-256-256-10 MLP); the rest, and anything larger, take
FLINT's integer products (:func:`ftcexact.kernel.numbers.int_matmul`, 5 to 8
times slower on that MLP).  Both are exact; tests compare them.

*One direction* (:func:`restrict_to_direction`): if every first-layer row of a
feed-forward network is a multiple ``alpha_k w`` of one vector ``w`` (true of
every construction in both papers, which read ``t = a.x``), then
``g(x) = G(w.x)`` for a one-input network ``G``, computed exactly as a
continuous piecewise-linear function by refining pieces layer by layer: split
each piece at the zeros of its pre-activations, apply the activation's slope
on each side, apply the next affine layer.  Crossing a breakpoint switches
only the neurons whose kink lies there, so the next layer's affine forms are
updated for those columns only.  The test-suite checks that both ways agree.

Caps
----
Before any evaluation, :func:`size_bound` bounds the bits of every value the
evaluation can produce from the bit sizes of the weights and the inputs; more
than :data:`MAX_VALUE_BITS` is refused (``Malformed``) instead of running for
hours.
"""

from __future__ import annotations

from bisect import bisect_right

from .limbs import relu_network
from .numbers import Q, RationalError, int_exact_div, int_lcm, int_matmul, parse_rational, parse_rationals
from .reader import Malformed

__all__ = ["Net", "read_net", "activation_slopes", "evaluate_dense", "restrict_to_direction", "first_layer_direction",
           "rank_one", "size_bound", "check_size", "piece_index", "TooManyPieces", "MAX_PIECES", "MAX_VALUE_BITS",
           "CERT_MAX_DIGITS", "CERT_MAX_EXPONENT", "MAX_AFFINE_MAPS", "SWEEP_WORK", "MAX_FORM_ENTRIES", "number",
           "vector", "input_bits", "sweep_budget", "common_denominator", "clear_denominators", "MAX_CLEARED_BITS"]

#: Digits of one number in a certificate, and the largest decimal exponent (so the size of a number
#: stays within a constant factor of its text).
CERT_MAX_DIGITS, CERT_MAX_EXPONENT = 100_000, 64
#: Largest size, in bits, of any value an evaluation may produce (about 1.26 million digits).
MAX_VALUE_BITS = 2**22
#: Most affine maps of a network (a feed-forward layer is one, a residual block two): depth multiplies the
#: growth of values, so a short file could otherwise ask for hours of big-number arithmetic per point.
MAX_AFFINE_MAPS = 256
ZERO, ONE = Q(0), Q(1)


def number(text, where):
    """One exact number from its text (certificates: strings, or JSON literals kept as text)."""
    if not isinstance(text, str):
        raise Malformed(f"{where}: expected a number, got {type(text).__name__}")
    try:
        return parse_rational(text, CERT_MAX_DIGITS, CERT_MAX_EXPONENT)
    except RationalError as e:
        raise Malformed(f"{where}: {e}") from None


def vector(items, where, length=None):
    """A list of exact numbers (optionally of a given length)."""
    if not isinstance(items, list) or (length is not None and len(items) != length):
        raise Malformed(f"{where}: expected " + (f"a list of {length} numbers" if length is not None
                                                 else "a list of numbers"))
    try:
        return parse_rationals(items, CERT_MAX_DIGITS, CERT_MAX_EXPONENT)
    except (RationalError, TypeError):  # parse again, one by one, to name the culprit
        return tuple(number(v, f"{where}[{j}]") for j, v in enumerate(items))


def _matrix(rows, cols, where):
    if not isinstance(rows, list):
        raise Malformed(f"{where}: expected a list of rows")
    return tuple(vector(r, f"{where}[{i}]", cols) for i, r in enumerate(rows))


def _affine(obj, cols, where, w="W", b="b"):
    if not isinstance(obj, dict) or w not in obj or b not in obj:
        raise Malformed(f"{where}: expected an object with {w!r} and {b!r}")
    W = _matrix(obj[w], cols, f"{where}.{w}")
    return W, vector(obj[b], f"{where}.{b}", len(W))


def activation_slopes(spec):
    """``(S-, S+)`` of an activation ``"relu"`` or ``"leaky:S-:S+"`` (Malformed otherwise)."""
    if spec == "relu":
        return ZERO, ONE
    parts = spec.split(":") if isinstance(spec, str) else []
    if len(parts) != 3 or parts[0] != "leaky":
        raise Malformed(f"network.activation must be 'relu' or 'leaky:S-:S+', not {str(spec)[:40]!r}")
    return number(parts[1], "activation S-"), number(parts[2], "activation S+")


class Net:
    """A parsed network: ``kind``, ``slopes`` (S-, S+), ``layers`` or ``blocks`` + ``head``."""

    def __init__(self, kind, slopes, layers=(), blocks=(), head=None, d_in=0):
        self.kind, self.slopes, self.layers, self.blocks, self.head = kind, slopes, layers, blocks, head
        self.d_in = d_in
        if kind == "resnet":
            self.widths = [len(U) for U, _, _, _ in list(blocks) + [head]]
            self.d_out = len(head[2])
            self.depth = len(blocks) + 1
        else:
            self.widths = [len(b) for _, b in layers[:-1]]
            self.d_out = len(layers[-1][0])
            self.depth = len(layers)
        self.neurons = sum(self.widths)
        self._cache = {}

    def cleared(self, l):
        """The ``l``-th affine map (:func:`_affines` order) over one denominator, computed once."""
        if l not in self._cache:
            self._cache[l] = _cleared(*_affines(self)[l])
        return self._cache[l]

    def sizes(self, l):
        """``(bits, dW)`` of the ``l``-th affine map over its common denominator ``dW``: ``bits`` bounds
        every cleared integer ``p dW / q`` (computed without clearing: the sweep never needs the integers)."""
        if ("sizes", l) not in self._cache:
            W, b = _affines(self)[l]
            values = [v for row in W for v in row] + list(b)
            dW = common_denominator(values, "network layer")
            bits = max((abs(int(v.numerator)).bit_length() - int(v.denominator).bit_length() + 1 for v in values),
                       default=0)
            self._cache[("sizes", l)] = bits + dW.bit_length(), dW
        return self._cache[("sizes", l)]

    def activation_name(self):
        s_neg, s_pos = self.slopes
        return "relu" if (s_neg, s_pos) == (ZERO, ONE) else f"leaky ({s_neg}, {s_pos})"


def read_net(obj, d_in, where="network"):
    """Parse a network object for inputs of dimension ``d_in``, checking every shape."""
    if isinstance(obj, list):
        obj = {"layers": obj}
    if not isinstance(obj, dict):
        raise Malformed(f"{where}: expected a list of layers or a network object")
    kind = obj.get("kind", "feedforward")
    slopes = activation_slopes(obj.get("activation", "relu"))
    if kind == "feedforward":
        layers, width = [], d_in
        if not isinstance(obj.get("layers"), list) or not obj["layers"]:
            raise Malformed(f"{where}.layers: expected a non-empty list of layers")
        _depth_cap(len(obj["layers"]), where)
        for l, layer in enumerate(obj["layers"]):
            W, b = _affine(layer, width, f"{where}.layers[{l}]")
            layers.append((W, b))
            width = len(W)
        if width == 0:
            raise Malformed(f"{where}: the output layer has no rows")
        return Net(kind, slopes, layers=layers, d_in=d_in)
    if kind == "resnet":
        if not isinstance(obj.get("blocks"), list) or not isinstance(obj.get("head"), dict):
            raise Malformed(f"{where}: a resnet needs a list 'blocks' and a 'head' block")
        _depth_cap(2 * len(obj["blocks"]) + 2, where)
        blocks = []
        for l, block in enumerate(obj["blocks"] + [obj["head"]]):
            at = f"{where}.blocks[{l}]" if l < len(obj["blocks"]) else f"{where}.head"
            U, b = _affine(block, d_in, at, "U", "b")
            V, c = _affine(block, len(U), at, "V", "c")
            if l < len(obj["blocks"]) and len(V) != d_in:
                raise Malformed(f"{at}.V: a residual block maps back to {d_in} coordinates")
            if not V:
                raise Malformed(f"{at}.V: the output has no rows")
            blocks.append((U, b, V, c))
        return Net(kind, slopes, blocks=blocks[:-1], head=blocks[-1], d_in=d_in)
    raise Malformed(f"{where}.kind must be 'feedforward' or 'resnet', not {str(kind)[:40]!r}")


# ---------------------------------------------------------------- caps and cleared layers

def _depth_cap(maps, where):
    if maps > MAX_AFFINE_MAPS:
        raise Malformed(f"{where}: {maps} affine maps, more than the cap of {MAX_AFFINE_MAPS}")


def input_bits(X, den):
    """Bits of the largest integer of a block of points ``X / den`` (for :func:`check_size`)."""
    return max((abs(v).bit_length() for row in X for v in row), default=0) + den.bit_length()


#: Common denominators.  When the distinct denominators total at most MAX_VALUE_BITS bits their lcm is
#: computed in a balanced tree, and the factors den / q exactly (numbers.int_lcm, int_exact_div: about a
#: second at the cap with gmpy2).  Past that the lcm is accepted only when they are all powers of two (float
#: weights and data: the lcm is the largest); otherwise the layer is refused.  This is conservative (their lcm
#: may be smaller if they share factors) but check_size refuses an lcm over MAX_VALUE_BITS anyway, and the
#: tree's cost is bounded by the total.  The cleared integers may take at most MAX_CLEARED_BITS.
MAX_CLEARED_BITS = 2**31


def common_denominator(values, where="values"):
    """The lcm of the denominators of ``values`` (caps above)."""
    dens = {int(v.denominator) for v in values} - {1}
    total = sum(q.bit_length() for q in dens)
    if total <= MAX_VALUE_BITS:
        return int_lcm(dens)
    if all(q & (q - 1) == 0 for q in dens):
        return max(dens)
    raise Malformed(f"{where}: {len(dens)} distinct denominators of {total} bits in all, more than "
                    f"{MAX_VALUE_BITS}: their common denominator is not computed")


def clear_denominators(values, where="values"):
    """``(ints, den)`` with ``values[j] == ints[j] / den``, ``den`` the lcm of the denominators (caps above)."""
    den = common_denominator(values, where)
    if len(values) * den.bit_length() > MAX_CLEARED_BITS:
        raise Malformed(f"{where}: over their common denominator the numbers would take more than "
                        f"{MAX_CLEARED_BITS} bits")
    dens = list({int(v.denominator) for v in values})
    factor = dict(zip(dens, int_exact_div(den, dens)))
    return [int(v.numerator) * factor[int(v.denominator)] for v in values], den


def _cleared(W, b):
    """A layer over one denominator: integer rows, integer biases and ``dW`` with ``W = rows / dW``."""
    ints, dW = clear_denominators([v for row in W for v in row] + list(b), "network layer")
    k = len(W[0]) if W else 0
    return [ints[i * k:(i + 1) * k] for i in range(len(W))], ints[len(W) * k:], dW


def _affines(net):
    """The affine maps in evaluation order (a residual network: U then V of each block and of the head)."""
    if net.kind == "feedforward":
        return list(net.layers)
    return [m for U, b, V, c in list(net.blocks) + [net.head] for m in ((U, b), (V, c))]


def size_bound(net, input_bits):
    """Bits that bound every integer (numerator plus common denominator) of the dense evaluation,
    for inputs of at most ``input_bits`` bits; the one-direction forms are products of the same factors."""
    num = den = input_bits
    s_neg, s_pos = net.slopes
    act = 0 if (s_neg, s_pos) == (ZERO, ONE) else \
        2 * max(abs(v.numerator).bit_length() + v.denominator.bit_length() for v in net.slopes)
    for l, (W, b) in enumerate(_affines(net)):
        wb, dW = net.sizes(l)
        num = max(num + wb + (len(W[0]) if W else 0).bit_length(), wb + den) + 2 + act
        den += dW.bit_length() + act
        if num + den > MAX_VALUE_BITS:
            break
    return num + den


def check_size(net, input_bits):
    """Refuse (``Malformed``) an evaluation whose values could exceed :data:`MAX_VALUE_BITS`."""
    bound = size_bound(net, input_bits)
    if bound > MAX_VALUE_BITS:
        raise Malformed(f"values could grow to more than {MAX_VALUE_BITS} bits through the layers "
                        f"(at least {bound}); refused before evaluating")


# ---------------------------------------------------------------- dense evaluation

def _layer(cleared, H, den, n):
    """``W h + b`` for the ``n`` columns ``h = H / den``: integer rows over the returned denominator."""
    rows, bias, dW = cleared
    P = int_matmul(rows, H) if rows and rows[0] else [[0] * n for _ in rows]
    return [[v + c * den for v in row] for row, c in zip(P, bias)], den * dW


def _activate(H, den, slopes):
    s_neg, s_pos = slopes
    if (s_neg, s_pos) == (ZERO, ONE):
        return [[v if v > 0 else 0 for v in row] for row in H], den
    pn, qn, pp, qp = int(s_neg.numerator), int(s_neg.denominator), int(s_pos.numerator), int(s_pos.denominator)
    return [[v * pp * qn if v > 0 else v * pn * qp for v in row] for row in H], den * qn * qp


#: Values of one layer that the dense evaluation holds at once (points x widest layer): a wide network is
#: evaluated on fewer points at a time, so its memory does not grow with the block of points.
DENSE_VALUES = 2**22


def evaluate_dense(net, X, den=1):
    """Exact outputs at the points ``X[i] / den`` (``X`` integer rows): a list of tuples of Q."""
    n, step = len(X), max(1, DENSE_VALUES // max(net.widths + [net.d_in, net.d_out]))
    if n > step:
        return [v for start in range(0, n, step) for v in evaluate_dense(net, X[start:start + step], den)]
    if not n:
        return []
    if net.kind == "feedforward" and net.slopes == (ZERO, ONE):
        limbs = relu_network([net.cleared(l) for l in range(len(net.layers))], X, den, net._cache)
        if limbs is not None:
            return [tuple(Q(v, limbs[1]) for v in row) for row in limbs[0]]
    H = [list(col) for col in zip(*X)]  # one row per coordinate, one column per point
    if net.kind == "feedforward":
        for l in range(len(net.layers)):
            H, den = _layer(net.cleared(l), H, den, n)
            if l < len(net.layers) - 1:
                H, den = _activate(H, den, net.slopes)
    else:
        for l in range(len(net.blocks) + 1):
            A, dA = _activate(*_layer(net.cleared(2 * l), H, den, n), net.slopes)
            R, dR = _layer(net.cleared(2 * l + 1), A, dA, n)
            if l == len(net.blocks):  # the head is not residual
                H, den = R, dR
            else:
                scale = dR // den  # dR is a multiple of den: h + r over the denominator dR
                H, den = [[h * scale + r for h, r in zip(hr, rr)] for hr, rr in zip(H, R)], dR
    return [tuple(Q(v, den) for v in col) for col in zip(*H)]


# ---------------------------------------------------------------- one direction

def first_layer_direction(net):
    """``(w, alphas)`` with first-layer row ``k`` equal to ``alphas[k] * w``, or None."""
    if net.kind != "feedforward" or len(net.layers) < 2:
        return None
    return rank_one(net.layers[0][0])


def rank_one(W):
    """``(w, alphas)`` with row ``k`` of ``W`` equal to ``alphas[k] * w`` (``w`` its first nonzero row), or None."""
    w = next((row for row in W if any(row)), None)
    if w is None:
        return None
    j = next(j for j, v in enumerate(w) if v)
    alphas = []
    for row in W:
        alpha = row[j] / w[j]
        if any(r != alpha * v for r, v in zip(row, w)):
            return None
        alphas.append(alpha)
    return w, alphas


class TooManyPieces(Malformed):
    """The restriction to a line would have more than the allowed number of pieces."""


#: Default cap on the pieces of a restriction to a line.
MAX_PIECES = 2_000_000
#: Work of a restriction to a line, in units (one neuron on one piece, per 512 bits of the values there):
#: this fixed part plus 8 units per network entry and per 512 bits of it (see :func:`sweep_budget`).
SWEEP_WORK = 50_000


def sweep_budget(layers):
    """The work allowed to restrict these layers to a line past the first hidden layer (whose single piece
    is split at most once per neuron, whatever the budget): two hidden layers need about 2 units per entry,
    times 1 + (bits of the values) // 512.  Charging each entry's own bits keeps the budget linear in the
    size of the file, and lets a file whose weights are long pay for sweeping them."""
    return SWEEP_WORK + 8 * sum(len(b) * (1 if W else 2) + sum(
        1 + (v.numerator.bit_length() + v.denominator.bit_length()) // 512 for row in (W or ()) for v in row)
        for W, b in layers)


def restrict_to_direction(layers, alphas, slopes=(ZERO, ONE), max_pieces=MAX_PIECES, max_work=None):
    """The one-input network ``s -> g(s w)`` as sorted breakpoints and affine pieces.

    ``layers`` are the network's layers with the first layer's rows replaced
    by the scalars ``alphas``.  Returns ``(bps, forms)``: piece ``p`` is the
    interval between ``bps[p-1]`` and ``bps[p]`` (unbounded at the ends) and
    ``forms[p] = (slopes, intercepts)`` gives each output there.  Adjacent
    pieces are not merged.  Memory is the affine forms kept between layers
    (one full list per piece of the previous layer, then only the neurons
    that switch); more than ``max_pieces`` pieces, more than
    :data:`MAX_FORM_ENTRIES` stored entries, or more than ``max_work`` units
    of work (charged before each layer but the first: pieces x neurons x
    (1 + next rows) x (1 + the largest value's bits // 512)), or, separately,
    more than ``max_work`` units of arithmetic in the affine maps (measured as
    it is done, :func:`_affine_pieces`) raise :class:`TooManyPieces`.
    """
    bps, forms, work = [], [(list(alphas), list(layers[0][1]))], 0
    budget = None if max_work is None else [max_work]  # the arithmetic of the affine maps, measured
    for W, b in layers[1:]:
        if max_work is not None and len(forms) > 1:
            bits = max((v.numerator.bit_length() + v.denominator.bit_length() for A, B in forms for v in A + B),
                       default=0)
            work += len(forms) * len(forms[0][0]) * (1 + len(W)) * (1 + bits // 512)
            if work > max_work:
                raise TooManyPieces(f"the restriction to a line needs more than {max_work} units of work")
        bps, segments = _split_pieces(bps, forms, slopes, max_pieces)
        forms = _affine_pieces(W, b, segments, budget)
    return bps, forms


#: Cap on the affine-form entries a restriction keeps at once (about a gigabyte of rationals).
MAX_FORM_ENTRIES = 10_000_000


def _split_pieces(bps, forms, slopes, max_pieces):
    """Apply the activation: split each piece at the zeros of its pre-activations.

    Returns the new breakpoints and one segment per new piece: ``(A, B)``, the
    full post-activation forms, for the first sub-piece of each old piece, and
    ``[(k, a, c), ...]``, the neurons whose side changed and their new forms,
    for every later one (crossing a kink switches only the neurons there).
    """
    s_neg, s_pos = slopes
    relu = (s_neg, s_pos) == (ZERO, ONE)

    def side(a, c, positive):
        if relu:
            return (a, c) if positive else (ZERO, ZERO)
        s = s_pos if positive else s_neg
        return a * s, c * s
    new_bps, segments, stored = [], [], 0
    for p, (A, B) in enumerate(forms):
        lo = bps[p - 1] if p else None
        hi = bps[p] if p < len(bps) else None
        kinks = {}
        for k, (a, c) in enumerate(zip(A, B)):
            if a:
                r = -c / a
                if (lo is None or r > lo) and (hi is None or r < hi):
                    kinks.setdefault(r, []).append(k)
        cuts = sorted(kinks)
        t = _interior(lo, cuts[0] if cuts else hi)
        on = [side(a, c, a * t + c > 0) for a, c in zip(A, B)]
        if p:
            new_bps.append(lo)
        segments.append(([v[0] for v in on], [v[1] for v in on]))
        for r in cuts:  # right of its kink a neuron is positive iff its slope is
            new_bps.append(r)
            segments.append([(k, *side(A[k], B[k], A[k] > 0)) for k in kinks[r]])
        stored += len(A) + sum(len(v) for v in kinks.values())
        if len(segments) > max_pieces or stored > MAX_FORM_ENTRIES:
            raise TooManyPieces(f"the restriction to a line has more than {min(len(segments), max_pieces)} pieces "
                                f"or {MAX_FORM_ENTRIES} stored forms")
    return new_bps, segments


def _affine_pieces(W, b, segments, budget=None):
    """The next layer's forms on every piece, updated only for the switched neurons.  ``budget`` (a one-item
    list, or None) is charged one unit per product added and per 512 bits of the sum it is added to, as each
    is added: sums of many unrelated denominators grow, and are stopped before they get expensive."""
    out, cur, stored = [], None, 0

    def add(total, w, x):
        total += w * x
        if budget is not None:
            budget[0] -= 1 + (total.numerator.bit_length() + total.denominator.bit_length()) // 512
            if budget[0] < 0:
                raise TooManyPieces("the restriction to a line needs more than its budget of units of work")
        return total
    for segment in segments:
        if isinstance(segment, tuple):  # full forms: compute densely
            cur = segment
            oA, oB = [ZERO] * len(W), list(b)
            for i, row in enumerate(W):
                for w, a, c in zip(row, cur[0], cur[1]):
                    if w and (a or c):
                        oA[i], oB[i] = add(oA[i], w, a), add(oB[i], w, c)
        else:
            oA, oB = oA[:], oB[:]
            for k, a, c in segment:
                da, dc = a - cur[0][k], c - cur[1][k]
                cur[0][k], cur[1][k] = a, c
                for i, row in enumerate(W):
                    if row[k]:
                        oA[i], oB[i] = add(oA[i], row[k], da), add(oB[i], row[k], dc)
        out.append((oA, oB))
        stored += len(oA)
        if stored > MAX_FORM_ENTRIES:
            raise TooManyPieces(f"the restriction to a line keeps more than {MAX_FORM_ENTRIES} forms")
    return out


def _interior(lo, hi):
    if lo is None and hi is None:
        return ZERO
    if lo is None:
        return hi - 1
    if hi is None:
        return lo + 1
    return (lo + hi) / 2


def piece_index(bps, s):
    """The piece of ``restrict_to_direction`` that contains ``s``."""
    return bisect_right(bps, s)
