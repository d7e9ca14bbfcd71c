"""Feed-forward ReLU networks with exact rational weights.

A network is a list of layers ``(W, b)``: an activation after every layer but
the last, which is linear.  The activation is ReLU unless ``activation`` says
``"leaky:S-:S+"`` (``v -> S+ v`` for ``v > 0``, ``S- v`` otherwise: the
ReLU-like family ``max{S+ v, S- v}`` of Yun et al. 2019).  ``W`` is a tuple of rows (each a tuple of ``Q``), ``b`` a
tuple of ``Q``.  The neuron count ``m`` is the number of ReLUs, i.e. the sum of
the hidden widths.  A network with a single layer is affine and has ``m = 0``.

Evaluation here clears denominators once per layer and multiplies integer
matrices, which is a different method from the trusted verifier's; the
test-suite checks that the two agree.  This module is an untrusted producer:
it is never consulted for a verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import lcm

from .kernel.evaluate import activation_slopes
from .kernel.numbers import Q, as_rational, denominator, format_rational, numerator, parse_rational

__all__ = [
    "Network", "evaluate", "compose", "parallel", "add", "scale_output",
    "network_to_json", "network_from_json", "NetworkError",
]


class NetworkError(ValueError):
    """Shapes that do not fit together."""


@dataclass(frozen=True)
class Network:
    """A ReLU network ``x -> L_n(relu(... relu(L_1 x)))`` with rational weights.

    Examples
    --------
    >>> net = Network.from_lists([([[1], [1]], [0, -1]), ([[1, -2]], [0])])
    >>> net.neurons, net.input_dim, net.output_dim
    (2, 1, 1)
    >>> [format_rational(v[0]) for v in evaluate(net, [[0], [1], [2]])]
    ['0', '1', '0']
    """

    layers: tuple
    activation: str = "relu"

    def __post_init__(self):
        activation_slopes(self.activation)  # raises on an unknown activation
        if not self.layers:
            raise NetworkError("a network needs at least one layer")
        width = None
        for l, (W, b) in enumerate(self.layers):
            if len(W) != len(b):
                raise NetworkError(f"layer {l}: {len(W)} rows but {len(b)} biases")
            cols = {len(row) for row in W}
            if width is not None and cols - {width}:
                raise NetworkError(f"layer {l}: rows of length {sorted(cols)} after a layer of width {width}")
            if width is None and len(cols) > 1:
                raise NetworkError("layer 0: rows of different lengths")
            width = len(W)
        if width == 0:
            raise NetworkError("the output layer has no rows")

    @classmethod
    def from_lists(cls, layers, activation="relu"):
        """Build from nested lists of anything :func:`as_rational` accepts."""
        return cls(tuple((tuple(tuple(as_rational(v) for v in row) for row in W),
                          tuple(as_rational(v) for v in b)) for W, b in layers), activation)

    @property
    def slopes(self):
        """``(S-, S+)``: the activation's slopes below and above 0 (``(0, 1)`` for ReLU)."""
        return activation_slopes(self.activation)

    kind = "feedforward"

    @property
    def input_dim(self):
        W = self.layers[0][0]
        return len(W[0]) if W else None

    @property
    def output_dim(self):
        return len(self.layers[-1][1])

    @property
    def widths(self):
        """Hidden widths (the ReLU layers)."""
        return [len(b) for _, b in self.layers[:-1]]

    @property
    def neurons(self):
        """Number of ReLU neurons, the size ``m`` used by both papers."""
        return sum(self.widths)

    @property
    def depth(self):
        """Number of affine layers (2 = one hidden layer)."""
        return len(self.layers)


def affine(W, b):
    """A one-layer (affine, neuron-free) network."""
    return Network.from_lists([(W, b)])


def _common_denominator(values):
    return lcm(1, *(denominator(v) for v in values))


def evaluate(net, points, method="auto"):
    """Exact outputs of ``net`` at every point (tuples of ``Q``).

    ``method="integer"`` clears denominators once per layer: the activations
    of all points are an integer matrix over one common denominator, so each
    layer is one integer matrix product.  ``"fast"`` is
    :func:`ftcexact.numerics.evaluate_exact` (a float filter decides the ReLU
    pattern, exact residue arithmetic computes the values: identical results,
    tested); ``"auto"`` takes it for ReLU networks when numpy is installed.

    Examples
    --------
    >>> net = Network.from_lists([([["1/2"]], ["1/3"])])
    >>> evaluate(net, [["1"]])[0] == (Q(5, 6),)
    True
    >>> evaluate(net, [["1"]], method="integer") == evaluate(net, [["1"]], method="fast")
    True
    """
    if hasattr(points, "dtype"):  # a NumPy array: its floats are exact dyadic rationals
        if method != "integer" and net.activation == "relu":
            return _numerics().evaluate_exact(net, points) if len(points) else []
        points = points.tolist()
    if method == "fast" or (method == "auto" and net.activation == "relu" and _numerics() is not None):
        return _numerics().evaluate_exact(net, [tuple(as_rational(v) for v in p) for p in points]) if points else []
    if method not in ("auto", "integer"):
        raise ValueError(f"method must be 'auto', 'fast' or 'integer', not {method!r}")
    pts = [tuple(as_rational(v) for v in p) for p in points]
    if not pts:
        return []
    den = _common_denominator(v for p in pts for v in p)
    H = [[numerator(v * den) for v in p] for p in pts]  # activations = H / den
    for l, (W, b) in enumerate(net.layers):
        dW = _common_denominator([v for row in W for v in row] + list(b))
        Wi = [[numerator(v * dW) for v in row] for row in W]
        bi = [numerator(v * dW) * den for v in b]  # b = bi / (dW * den)
        H = [[sum(w * h for w, h in zip(row, hp)) + c for row, c in zip(Wi, bi)] for hp in H]
        den *= dW
        if l < len(net.layers) - 1:
            s_neg, s_pos = net.slopes
            if (s_neg, s_pos) == (0, 1):
                H = [[v if v > 0 else 0 for v in hp] for hp in H]
            else:  # v s with s = p/q: scale everything by q- q+ to stay integral
                pn, qn, pp, qp = numerator(s_neg), denominator(s_neg), numerator(s_pos), denominator(s_pos)
                H = [[v * pp * qn if v > 0 else v * pn * qp for v in hp] for hp in H]
                den *= qn * qp
    return [tuple(Q(v, den) for v in hp) for hp in H]


def _numerics():
    try:
        from . import numerics
    except ImportError:  # numpy missing: the integer method only
        return None
    return numerics


def compose(outer, inner):
    """``outer(inner(x))``: the last affine layer of ``inner`` is folded into
    the first layer of ``outer``, so the neuron count is the sum of both."""
    if outer.input_dim is not None and outer.input_dim != inner.output_dim:
        raise NetworkError(f"cannot feed {inner.output_dim} outputs into {outer.input_dim} inputs")
    activation = _common_activation(outer, inner)
    (W2, b2), (W1, b1) = outer.layers[0], inner.layers[-1]
    W = tuple(tuple(sum((r[k] * W1[k][j] for k in range(len(W1))), Q(0)) for j in range(len(W1[0])))
              for r in W2)
    b = tuple(sum((r[k] * b1[k] for k in range(len(b1))), Q(0)) + c for r, c in zip(W2, b2))
    return Network(inner.layers[:-1] + ((W, b),) + outer.layers[1:], activation)


def _common_activation(a, b):
    """The activation two networks share (a network without hidden layers takes the other's)."""
    if a.depth == 1 or a.activation == b.activation:
        return b.activation
    if b.depth == 1:
        return a.activation
    raise NetworkError(f"cannot combine networks with activations {a.activation!r} and {b.activation!r}")


def _block_diag(A, B, cols_a, cols_b):
    zero = Q(0)
    return tuple(tuple(row) + (zero,) * cols_b for row in A) + tuple((zero,) * cols_a + tuple(row) for row in B)


def _identity_layers(net, depth):
    """Pad ``net`` to ``depth`` layers, carrying its outputs ``v`` as ``s^e(v) - s^e(-v) = (S+^e + S-^e) v``
    through ``e`` activations (``relu(v) - relu(-v) = v`` for ReLU)."""
    extra = depth - net.depth
    if extra <= 0:
        return net
    n = net.output_dim
    one, zero = Q(1), Q(0)
    s_neg, s_pos = net.slopes
    split = tuple(tuple(one if j == i else zero for j in range(n)) for i in range(n)) + \
        tuple(tuple(-one if j == i else zero for j in range(n)) for i in range(n))
    carry = tuple(tuple(one if j == i else zero for j in range(2 * n)) for i in range(2 * n))
    scaled = 1 / (s_pos ** extra + s_neg ** extra)
    merge = tuple(tuple(scaled if j == i else (-scaled if j == i + n else zero) for j in range(2 * n))
                  for i in range(n))
    layers = [(split, (zero,) * (2 * n))] + [(carry, (zero,) * (2 * n))] * (extra - 1) + [(merge, (zero,) * n)]
    return compose(Network(tuple(layers), net.activation), net)


def parallel(a, b):
    """Same input, outputs of ``a`` then ``b``; the shallower one is padded."""
    if a.input_dim != b.input_dim and None not in (a.input_dim, b.input_dim):
        raise NetworkError("parallel networks need the same input dimension")
    activation = _common_activation(a, b)
    a, b = Network(a.layers, activation), Network(b.layers, activation)
    depth = max(a.depth, b.depth)
    a, b = _identity_layers(a, depth), _identity_layers(b, depth)
    layers = []
    for l, ((Wa, ba), (Wb, bb)) in enumerate(zip(a.layers, b.layers)):
        if l == 0:
            layers.append((tuple(Wa) + tuple(Wb), ba + bb))
        else:
            layers.append((_block_diag(Wa, Wb, len(a.layers[l - 1][1]), len(b.layers[l - 1][1])), ba + bb))
    return Network(tuple(layers), activation)


def add(a, b):
    """``x -> a(x) + b(x)`` (same input and output dimension)."""
    if a.output_dim != b.output_dim:
        raise NetworkError("added networks need the same output dimension")
    n = a.output_dim
    one, zero = Q(1), Q(0)
    summing = tuple(tuple(one if j in (i, i + n) else zero for j in range(2 * n)) for i in range(n))
    return compose(Network(((summing, (zero,) * n),), a.activation), parallel(a, b))


def scale_output(net, factor):
    """``x -> factor * net(x)``, folded into the last layer."""
    factor = as_rational(factor)
    W, b = net.layers[-1]
    return Network(net.layers[:-1] + ((tuple(tuple(factor * v for v in row) for row in W),
                                       tuple(factor * v for v in b)),), net.activation)


def network_to_json(net):
    """Certificate format: ``[{"W": [["p/q", ...], ...], "b": [...]}, ...]`` for ReLU networks,
    ``{"activation": ..., "layers": [...]}`` otherwise (a residual network: :func:`ftcexact.resnet.resnet_to_json`)."""
    if getattr(net, "kind", "feedforward") == "resnet":
        from .resnet import resnet_to_json
        return resnet_to_json(net)
    layers = [{"W": [[format_rational(v) for v in row] for row in W], "b": [format_rational(v) for v in b]}
              for W, b in net.layers]
    return layers if net.activation == "relu" else {"kind": "feedforward", "activation": net.activation,
                                                    "layers": layers}


def network_from_json(obj):
    """Inverse of :func:`network_to_json` (a layer list, a feed-forward or a residual network object), exact."""
    activation = "relu"
    if isinstance(obj, dict) and obj.get("kind") == "resnet":
        from .resnet import resnet_from_json
        return resnet_from_json(obj)
    if isinstance(obj, dict):
        if obj.get("kind", "feedforward") != "feedforward":
            raise NetworkError(f"network: kind {obj.get('kind')!r} is not a feed-forward network")
        activation, obj = obj.get("activation", "relu"), obj.get("layers")
    try:
        return Network(tuple((tuple(tuple(parse_rational(v, 100_000) for v in row) for row in layer["W"]),
                              tuple(parse_rational(v, 100_000) for v in layer["b"])) for layer in obj), activation)
    except (KeyError, TypeError, ValueError) as e:
        raise NetworkError(f"network: not in the certificate's layer format ({str(e)[:80]})") from None
