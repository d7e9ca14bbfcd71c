"""NNet text files (the ACAS Xu format of Julian et al.), read exactly.

Layout of a ``.nnet`` file, after any number of header lines starting with ``//``::

    numLayers,inputSize,outputSize,maxLayerSize,
    inputSize,size_1,...,outputSize,          (numLayers + 1 layer sizes)
    0,                                        (an unused flag)
    min_1,...,min_d,                          (input minimums)
    max_1,...,max_d,                          (input maximums)
    mean_1,...,mean_d,mean_out,               (input means, then one output mean)
    range_1,...,range_d,range_out,            (input ranges, then one output range)

then for every layer its weight rows (one line per output neuron, one number
per input) followed by its biases (one per line).  Trailing commas are
optional; blank lines are skipped.

Exact reading
-------------
The numbers are decimal text, and the text is the file's meaning: ``0.1`` is
read as exactly 1/10 (:func:`ftcexact.kernel.numbers.parse_rational`), not as
the binary float nearest to it.  (NNet evaluators parse the text into doubles;
their results differ from the exact network by the double rounding of each
weight.)

Normalisation
-------------
NNet evaluators feed the network ``u_i = (x_i - mean_i) / range_i`` and
return ``y * range_out + mean_out``.  With ``normalize=True`` (the default)
both maps are folded exactly into the first and last layer, so the network
returned takes inputs in the file's raw units and returns raw outputs:
``W_1' = W_1 diag(1/range)``, ``b_1' = b_1 - W_1 (mean/range)``,
``W_L' = range_out W_L``, ``b_L' = range_out b_L + mean_out``.  No neuron is
added.  ``normalize=False`` returns the stored network, which expects
normalised inputs.

Input clamp
-----------
Evaluators also clamp every raw input to ``[min_i, max_i]`` before
normalising (``sisl/NNet``'s C++ ``evaluate_network``).  This is not affine;
``clamp=True`` composes it in front exactly, using
``clamp(x, lo, hi) = lo + relu(x - lo) - relu(x - hi)`` (valid for
``lo <= hi``).  It adds one hidden layer of ``2 * inputSize`` ReLU neurons
(10 for ACAS Xu) and no approximation; the affine part is folded into the
first layer.  Without ``clamp`` the network is the unclamped function, which
agrees with the evaluators on the box ``[min, max]``.

Examples
--------
>>> text = '''// a tiny example
... 2,1,1,2,
... 1,2,1,
... 0,
... -1.0,
... 3.0,
... 1.0,0.5,
... 2.0,4.0,
... 1.0,
... -1.0,
... 0.0,
... 0.0,
... 1.0,1.0,
... 0.25,
... '''
>>> from ftcexact.network import evaluate
>>> from ftcexact.kernel.numbers import format_rational
>>> net = read_nnet_bytes(text.encode())
>>> net.widths
[2]
>>> [format_rational(v[0]) for v in evaluate(net, [[0], [5]])]      # 4 * (|x - 1| / 2 + 1/4) + 1/2
['7/2', '19/2']
>>> clamped = read_nnet_bytes(text.encode(), clamp=True)
>>> clamped.widths
[2, 2]
>>> [format_rational(v[0]) for v in evaluate(clamped, [[0], [5]])]   # x clamped to [-1, 3]
['7/2', '11/2']

References
----------
K. D. Julian, *NNet file format*, https://github.com/sisl/NNet (README,
``utils/readNNet.py``, ``cpp/nnet.cpp``).  G. Katz, C. Barrett, D. Dill,
K. Julian, M. Kochenderfer, *Reluplex*, CAV 2017 (the ACAS Xu networks).
"""

from __future__ import annotations

import re

from ..kernel.numbers import Q, RationalError, parse_rational
from ..network import Network, compose
from .errors import MAX_PARAMETERS, ModelError, check_parameters, one_line

__all__ = ["read_nnet_bytes", "clamp_network"]

_INT = re.compile(r"[+-]?[0-9]{1,12}")


class _Lines:
    """Data lines of the file (header comments and blank lines skipped), with line numbers."""

    def __init__(self, text, name):
        self.name = name
        self.items = [(n, line) for n, line in enumerate(text.splitlines(), start=1)]
        self.pos = 0
        while self.pos < len(self.items) and (self.items[self.pos][1].lstrip().startswith("//")
                                              or not self.items[self.pos][1].strip()):
            self.pos += 1

    def fields(self, what, count=None):
        while self.pos < len(self.items) and not self.items[self.pos][1].strip():
            self.pos += 1
        if self.pos >= len(self.items):
            raise ModelError(f"{self.name}: file ends before the {what}")
        n, line = self.items[self.pos]
        self.pos += 1
        cells = [c.strip() for c in line.split(",")]
        if cells and cells[-1] == "":
            cells.pop()  # the usual trailing comma
        if any(c == "" for c in cells):
            raise ModelError(f"{self.name}: line {n}: empty field in the {what}")
        if count is not None and len(cells) != count:
            raise ModelError(f"{self.name}: line {n}: the {what} needs {count} number(s), found {len(cells)}")
        return n, cells

    def ints(self, what, count=None):
        n, cells = self.fields(what, count)
        if not all(_INT.fullmatch(c) for c in cells):
            raise ModelError(f"{self.name}: line {n}: the {what} must be integers")
        return n, [int(c) for c in cells]

    def numbers(self, what, count):
        n, cells = self.fields(what, count)
        try:
            return tuple(parse_rational(c) for c in cells)
        except RationalError as e:
            raise ModelError(f"{self.name}: line {n}: {what}: {one_line(e)}") from None

    def rest(self):
        for n, line in self.items[self.pos:]:
            if line.strip():
                raise ModelError(f"{self.name}: line {n}: unexpected data after the last layer")


def clamp_network(lows, highs):
    """The exact ReLU network ``x -> clamp(x, lows, highs)`` (2 d neurons, one hidden layer).

    Examples
    --------
    >>> from ftcexact.network import evaluate
    >>> net = clamp_network([Q(0)], [Q(1)])
    >>> [v[0] for v in evaluate(net, [[-2], [Q(1, 2)], [7]])] == [0, Q(1, 2), 1]
    True
    """
    d = len(lows)
    one, zero = Q(1), Q(0)
    unit = [tuple(one if j == i else zero for j in range(d)) for i in range(d)]
    hidden = (tuple(unit) + tuple(unit), tuple(-v for v in lows) + tuple(-v for v in highs))
    out = (tuple(tuple(one if j == i else (-one if j == i + d else zero) for j in range(2 * d)) for i in range(d)),
           tuple(lows))
    return Network((hidden, out))


def read_nnet_bytes(data, name="model.nnet", normalize=True, clamp=False, max_parameters=MAX_PARAMETERS):
    """Exact :class:`~ftcexact.network.Network` from the bytes of a ``.nnet`` file (see the module text)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelError(f"{name}: not a text file") from None
    if "\x00" in text:
        raise ModelError(f"{name}: not a text file")
    lines = _Lines(text, name)
    n, head = lines.ints("header numLayers,inputSize,outputSize,maxLayerSize", 4)
    layers, d, k, widest = head
    if layers < 1 or d < 1 or k < 1:
        raise ModelError(f"{name}: line {n}: numLayers, inputSize and outputSize must be positive")
    n, sizes = lines.fields("layer sizes")
    if len(sizes) != layers + 1:
        raise ModelError(f"{name}: line {n}: {layers} layers need {layers + 1} layer sizes, found {len(sizes)}")
    if not all(_INT.fullmatch(c) for c in sizes):
        raise ModelError(f"{name}: line {n}: the layer sizes must be integers")
    sizes = [int(c) for c in sizes]
    if min(sizes) < 1 or sizes[0] != d or sizes[-1] != k or max(sizes) != widest:
        raise ModelError(f"{name}: line {n}: layer sizes {sizes[:8]}{'...' if len(sizes) > 8 else ''} do not "
                         f"match inputSize {d}, outputSize {k}, maxLayerSize {widest}")
    check_parameters(sum(a * b + b for a, b in zip(sizes, sizes[1:])), max_parameters, name)
    lines.ints("unused flag line", 1)
    mins = lines.numbers("input minimums", d)
    maxs = lines.numbers("input maximums", d)
    means = lines.numbers("means", d + 1)
    ranges = lines.numbers("ranges", d + 1)
    net = []
    for l in range(layers):
        W = tuple(lines.numbers(f"weights of layer {l + 1}", sizes[l]) for _ in range(sizes[l + 1]))
        b = tuple(lines.numbers(f"biases of layer {l + 1}", 1)[0] for _ in range(sizes[l + 1]))
        net.append((W, b))
    lines.rest()
    if normalize:
        if not all(ranges[:d]):
            raise ModelError(f"{name}: input range {ranges.index(0) + 1} is 0 (cannot normalise)")
        W, b = net[0]
        scale = [1 / r for r in ranges[:d]]
        shift = [m / r for m, r in zip(means, ranges)]
        net[0] = (tuple(tuple(w * s for w, s in zip(row, scale)) for row in W),
                  tuple(c - sum((w * s for w, s in zip(row, shift)), Q(0)) for row, c in zip(W, b)))
        W, b = net[-1]
        r, m = ranges[d], means[d]
        net[-1] = (tuple(tuple(r * w for w in row) for row in W), tuple(r * c + m for c in b))
    result = Network(tuple(net))
    if clamp:
        if not normalize:
            raise ModelError(f"{name}: clamp=True clamps raw inputs and needs normalize=True")
        bad = [i + 1 for i in range(d) if mins[i] > maxs[i]]
        if bad:
            raise ModelError(f"{name}: input {bad[0]} has minimum > maximum; cannot clamp")
        result = compose(result, clamp_network(mins, maxs))
    return result
