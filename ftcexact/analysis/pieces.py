"""Exact linear pieces of a ReLU network along a line.

For a line ``x(t) = p + t u`` the first layer's pre-activations are affine in
``t`` (``W1 u`` times ``t`` plus ``W1 p + b1``), so ``t -> g(x(t))`` is the
one-input network that :func:`ftcexact.kernel.evaluate.restrict_to_direction`
refines exactly, layer by layer: split every piece at the zeros of its
pre-activations, switch the neurons off where they are negative, apply the
next affine layer.  Here adjacent pieces with identical affine forms are then
merged, so every remaining breakpoint is a genuine kink of ``g`` on the line.
No sampling is involved anywhere.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from ..kernel.numbers import Q, as_rational, format_rational
from ..kernel.evaluate import restrict_to_direction

__all__ = ["PiecewiseLinear", "restrict_to_line", "count_pieces", "from_vertices", "clip"]


@dataclass(frozen=True)
class PiecewiseLinear:
    """A continuous piecewise-linear map ``R -> R^k`` with rational data.

    ``breakpoints`` are strictly increasing; piece ``j`` lies between
    ``breakpoints[j-1]`` and ``breakpoints[j]`` (unbounded at both ends) and
    is ``t -> slopes[j] * t + intercepts[j]`` (tuples, one entry per output).

    Examples
    --------
    >>> f = from_vertices([Q(0), Q(1)], [Q(0), Q(1)], Q(0), Q(0))   # clamp t to [0, 1]
    >>> f.pieces, [format_rational(v[0]) for v in map(f, [Q(-1), Q(1, 2), Q(3)])]
    (3, ['0', '1/2', '1'])
    """

    breakpoints: tuple
    slopes: tuple
    intercepts: tuple

    @property
    def pieces(self):
        return len(self.slopes)

    def __call__(self, t):
        j = bisect_right(self.breakpoints, t)
        return tuple(a * t + c for a, c in zip(self.slopes[j], self.intercepts[j]))

    def to_json(self):
        """``{"pieces": n, "breakpoints": ["p/q", ...], "slopes": [...], "intercepts": [...]}``."""
        def vec(v):
            return format_rational(v[0]) if len(v) == 1 else [format_rational(a) for a in v]
        return {"pieces": self.pieces, "breakpoints": [format_rational(b) for b in self.breakpoints],
                "slopes": [vec(s) for s in self.slopes], "intercepts": [vec(c) for c in self.intercepts]}


#: Widest hidden layer for which ``method="auto"`` takes the fast restriction.
FAST_WIDTH = 1000


def _merged(bps, forms):
    """Drop breakpoints between pieces with identical affine forms."""
    out_bps, out_forms = [], [forms[0]]
    for b, form in zip(bps, forms[1:]):
        if form != out_forms[-1]:
            out_bps.append(b)
            out_forms.append(form)
    return PiecewiseLinear(tuple(out_bps), tuple(tuple(f[0]) for f in out_forms),
                           tuple(tuple(f[1]) for f in out_forms))


def restrict_to_line(net, point=None, direction=None, segment=None, method="auto"):
    """The exact restriction ``t -> net(point + t * direction)``.

    ``method="exact"`` refines the pieces layer by layer in exact rationals
    (the kernel's :func:`~ftcexact.kernel.evaluate.restrict_to_direction`);
    ``"fast"`` is :func:`ftcexact.numerics.restrict_to_line_fast` (float forms
    with rigorous error bounds decide, exact integers decide the rest: an
    identical result, tested, about 60x faster on ACAS Xu-size networks);
    ``"auto"`` takes it for ReLU networks of width at most :data:`FAST_WIDTH`
    when numpy is installed (its float forms are pieces x width arrays; the
    exact method keeps only the neurons that switch, which suits wide shallow
    networks such as a 30 000-neuron two-layer patch).  With
    ``segment=(a, b)`` only ``a <= t <= b`` is kept (:func:`clip`).

    Parameters
    ----------
    net : Network
    point, direction : sequences of rationals, optional
        The line; for a network with one input they default to ``0`` and
        ``1`` (the line ``t -> t``).  ``direction`` must be nonzero.

    Returns
    -------
    PiecewiseLinear
        With adjacent identical pieces merged.

    Examples
    --------
    >>> from ftcexact.network import Network
    >>> hat = Network.from_lists([([[1], [1], [1]], [0, -1, -2]), ([[1, -2, 1]], [0])])
    >>> f = restrict_to_line(hat)
    >>> f.pieces, [format_rational(b) for b in f.breakpoints]
    (4, ['0', '1', '2'])

    References
    ----------
    Yun et al. 2019, proof of Theorem 3.3; Sohn et al. 2024, proof of Theorem 4.1 (the
    restriction of a network to a line is piecewise linear).
    """
    if method not in ("auto", "exact", "fast"):
        raise ValueError(f"method must be 'auto', 'exact' or 'fast', not {method!r}")
    if method == "fast" or (method == "auto" and net.activation == "relu" and max(net.widths, default=0) <= FAST_WIDTH):
        try:
            from ..numerics import restrict_to_line_fast
        except ImportError:
            restrict_to_line_fast = None
        if restrict_to_line_fast is not None or method == "fast":
            if segment is not None and as_rational(segment[0]) == as_rational(segment[1]):
                return clip(restrict_to_line(net, point, direction, method="exact"), *segment)
            return restrict_to_line_fast(net, point, direction, segment)
    f = _restrict_exact(net, point, direction)
    return f if segment is None else clip(f, *segment)


def _restrict_exact(net, point, direction):
    d = net.input_dim
    if direction is None:
        if d != 1:
            raise ValueError(f"the network has {d} inputs: give a direction for the line")
        direction = [1]
    point = [0] * len(direction) if point is None else point
    u, p = [as_rational(v) for v in direction], [as_rational(v) for v in point]
    if d is not None and (len(u) != d or len(p) != d):
        raise ValueError(f"the line must live in R^{d}: point has {len(p)}, direction {len(u)} coordinates")
    if not any(u):
        raise ValueError("the direction of the line must be nonzero")
    W1, b1 = net.layers[0]
    slopes = [sum((w * v for w, v in zip(row, u)), Q(0)) for row in W1]
    shifted = [sum((w * v for w, v in zip(row, p)), Q(0)) + c for row, c in zip(W1, b1)]
    if net.depth == 1:
        return PiecewiseLinear((), (tuple(slopes),), (tuple(shifted),))
    bps, forms = restrict_to_direction([(W1, shifted)] + list(net.layers[1:]), slopes, net.slopes)
    return _merged(bps, forms)


def count_pieces(net, point=None, direction=None):
    """Number of affine pieces of ``net`` along the line (see :func:`restrict_to_line`).

    Examples
    --------
    >>> from ftcexact.network import Network
    >>> count_pieces(Network.from_lists([([[1, 0], [0, 1]], [0, 0]), ([[1, 1]], [0])]), direction=[1, 1])
    2
    """
    return restrict_to_line(net, point, direction).pieces


def from_vertices(ts, values, left_slope, right_slope):
    """The continuous piecewise-linear function through vertices ``(ts[j], values[j])``.

    Left of ``ts[0]`` it has slope ``left_slope``, right of ``ts[-1]`` slope
    ``right_slope``; vertices where the slope does not change are merged away.
    Scalar values only.
    """
    ts = [as_rational(t) for t in ts]
    vs = [as_rational(v) for v in values]
    if any(b <= a for a, b in zip(ts, ts[1:])):
        raise ValueError("vertices must have strictly increasing t")
    slopes = [as_rational(left_slope)] + [(vs[j + 1] - vs[j]) / (ts[j + 1] - ts[j])
                                          for j in range(len(ts) - 1)] + [as_rational(right_slope)]
    anchors = [0] + list(range(len(ts)))  # piece j passes through vertex anchors[j]
    forms = [((s,), (vs[a] - s * ts[a],)) for s, a in zip(slopes, anchors)]
    return _merged(ts, forms)


def clip(f, a, b):
    """The restriction of ``f`` to the segment ``a <= t <= b``: breakpoints strictly inside, the pieces met.

    Examples
    --------
    >>> f = from_vertices([Q(0), Q(1), Q(2)], [Q(0), Q(1), Q(0)], Q(0), Q(0))
    >>> g = clip(f, Q(1, 2), Q(2))
    >>> g.pieces, [format_rational(b) for b in g.breakpoints]
    (2, ['1'])
    """
    a, b = as_rational(a), as_rational(b)
    if b < a:
        raise ValueError("a segment [a, b] needs a <= b")
    lo, hi = bisect_right(f.breakpoints, a), bisect_left(f.breakpoints, b)
    hi = max(hi, lo)
    return PiecewiseLinear(f.breakpoints[lo:hi], f.slopes[lo:hi + 1], f.intercepts[lo:hi + 1])
