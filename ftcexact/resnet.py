"""Residual networks ([YSJ]'s definition) with exact rational weights: the producer side.

A residual network on ``R^d`` has residual blocks ``(U_l, b_l, V_l, c_l)`` and a
head ``(U_L, b_L, V_L, c_L)``:

    ``h_0 = x``,  ``h_l = h_{l-1} + V_l s(U_l h_{l-1} + b_l) + c_l``  (blocks),
    ``g(x) = V_L s(U_L h_{L-1} + b_L) + c_L``  (the head, not residual),

with ``U_l`` of shape ``d_l x d``, ``V_l`` of shape ``d x d_l`` (``d_y x d_L`` for the
head) and ``s`` ReLU or ``"leaky:S-:S+"`` (``max{S+ v, S- v}`` for ``S+ > S- >= 0``).
The neurons are the activation units: ``sum_l d_l`` over the blocks and the head.
This is the trusted kernel's ``{"kind": "resnet", ...}`` format
(``docs/certificate.md``); this module is an untrusted producer and evaluates
point by point in plain rational arithmetic, a different method from the
kernel's integer matrix products (the tests compare the two).

References
----------
Yun, Sra, Jadbabaie 2019, the residual network definition (slides: "Finite sample expressivity of ResNets").
"""

from __future__ import annotations

from dataclasses import dataclass

from .kernel.evaluate import activation_slopes
from .kernel.numbers import Q, as_rational, format_rational, parse_rational
from .network import NetworkError

__all__ = ["ResNet", "evaluate_resnet", "resnet_hidden", "resnet_to_json", "resnet_from_json", "activate"]

ZERO = Q(0)


def _matrix(rows):
    return tuple(tuple(as_rational(v) for v in row) for row in rows)


def _vector(values):
    return tuple(as_rational(v) for v in values)


@dataclass(frozen=True)
class ResNet:
    """A residual network: ``blocks`` (tuple of ``(U, b, V, c)``), ``head`` ``(U, b, V, c)``, ``activation``.

    Examples
    --------
    One block of width 1 that moves points with ``x > 0`` right by ``x``, and a head
    of width 1 reading ``relu(h)``:

    >>> net = ResNet.from_lists([([[1]], [0], [[1]], [0])], ([[1]], [0], [[1]], [0]))
    >>> net.widths, net.neurons, net.depth
    ([1, 1], 2, 2)
    >>> [format_rational(v[0]) for v in evaluate_resnet(net, [[-1], [2]])]
    ['0', '4']
    """

    blocks: tuple
    head: tuple
    activation: str = "relu"

    def __post_init__(self):
        activation_slopes(self.activation)  # raises on an unknown activation
        if not self.head or len(self.head) != 4:
            raise NetworkError("a residual network needs a head (U, b, V, c)")
        d = None
        for l, (U, b, V, c) in enumerate(list(self.blocks) + [self.head]):
            at = f"block {l}" if l < len(self.blocks) else "head"
            cols = {len(row) for row in U}
            if len(cols) > 1 or (d is not None and cols - {d}):
                raise NetworkError(f"{at}: U rows must have the input dimension")
            if cols:
                d = cols.pop() if d is None else d
            if len(b) != len(U):
                raise NetworkError(f"{at}: {len(U)} rows of U but {len(b)} biases b")
            if any(len(row) != len(U) for row in V):
                raise NetworkError(f"{at}: V rows must have {len(U)} entries (the block width)")
            if len(c) != len(V):
                raise NetworkError(f"{at}: {len(V)} rows of V but {len(c)} biases c")
            if l < len(self.blocks) and d is not None and len(V) != d:
                raise NetworkError(f"{at}: a residual block maps back to the input dimension {d}, not {len(V)}")
        if not self.head[2]:
            raise NetworkError("head: the output has no rows")

    @classmethod
    def from_lists(cls, blocks, head, activation="relu"):
        """Build from nested lists of anything :func:`as_rational` accepts."""
        conv = lambda blk: (_matrix(blk[0]), _vector(blk[1]), _matrix(blk[2]), _vector(blk[3]))
        return cls(tuple(conv(blk) for blk in blocks), conv(head), activation)

    kind = "resnet"

    @property
    def slopes(self):
        """``(S-, S+)`` of the activation."""
        return activation_slopes(self.activation)

    @property
    def widths(self):
        """Hidden widths: the blocks' ``d_l`` then the head's ``d_L`` (as the kernel reports them)."""
        return [len(blk[0]) for blk in self.blocks] + [len(self.head[0])]

    @property
    def neurons(self):
        return sum(self.widths)

    @property
    def depth(self):
        """Number of blocks including the head (the kernel's ``depth`` of a residual network)."""
        return len(self.blocks) + 1

    @property
    def input_dim(self):
        for U, _, V, _ in list(self.blocks) + [self.head]:
            if U:
                return len(U[0])
        return len(self.blocks[0][2]) if self.blocks else None

    @property
    def output_dim(self):
        return len(self.head[2])


def activate(v, slopes):
    """``s(v)``: ``S+ v`` for ``v > 0``, ``S- v`` otherwise."""
    s_neg, s_pos = slopes
    return v * (s_pos if v > 0 else s_neg)


def _apply(block, h, slopes):
    U, b, V, c = block
    a = [activate(sum((u * x for u, x in zip(row, h)), ZERO) + bi, slopes) for row, bi in zip(U, b)]
    return [sum((v * ai for v, ai in zip(row, a)), ZERO) + ci for row, ci in zip(V, c)]


def resnet_hidden(net, point, upto=None):
    """``h_l(x)`` after the first ``upto`` blocks (all blocks by default), a list of Q."""
    h = [as_rational(v) for v in point]
    slopes = net.slopes
    for block in net.blocks[:upto]:
        h = [x + r for x, r in zip(h, _apply(block, h, slopes))]
    return h


def evaluate_resnet(net, points):
    """Exact outputs ``g(x)`` at every point (tuples of Q), point by point in rational arithmetic."""
    slopes = net.slopes
    return [tuple(_apply(net.head, resnet_hidden(net, p), slopes)) for p in points]


def _block_json(block):
    U, b, V, c = block
    return {"U": [[format_rational(v) for v in row] for row in U], "b": [format_rational(v) for v in b],
            "V": [[format_rational(v) for v in row] for row in V], "c": [format_rational(v) for v in c]}


def resnet_to_json(net):
    """The kernel's format ``{"kind": "resnet", "activation", "blocks", "head"}``."""
    return {"kind": "resnet", "activation": net.activation, "blocks": [_block_json(b) for b in net.blocks],
            "head": _block_json(net.head)}


def resnet_from_json(obj):
    """Inverse of :func:`resnet_to_json`, exact.

    Examples
    --------
    >>> net = ResNet.from_lists([([[1, 2]], ["1/3"], [[1], [0]], [0, 0])], ([[1, 0]], [0], [[2]], [1]), "leaky:1/10:1")
    >>> resnet_from_json(resnet_to_json(net)) == net
    True
    """
    try:
        if obj.get("kind") != "resnet":
            raise NetworkError(f"network: kind {obj.get('kind')!r} is not 'resnet'")

        def block(o):
            num = lambda v: parse_rational(v, 100_000)
            return (tuple(tuple(map(num, row)) for row in o["U"]), tuple(map(num, o["b"])),
                    tuple(tuple(map(num, row)) for row in o["V"]), tuple(map(num, o["c"])))
        return ResNet(tuple(block(b) for b in obj["blocks"]), block(obj["head"]), obj.get("activation", "relu"))
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        if isinstance(e, NetworkError):
            raise
        raise NetworkError(f"network: not in the residual format ({str(e)[:80]})") from None
