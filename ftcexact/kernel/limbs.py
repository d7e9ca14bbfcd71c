"""Exact integer ReLU layers on many points at once: integers held in limbs, products by float64 BLAS.

Why this exists.  The dense evaluation of a frozen network (784-256-256-10 on
10^4 points) multiplies integer matrices whose entries have 24 to 100 bits.
FLINT's ``fmpz_mat`` does it exactly but at about 25x the time of a float64
matrix product, and the conversions between Python integers and FLINT double
that.  Here an integer matrix lives in numpy arrays of *limbs*, the products
run in float64 BLAS, and every step is exact integer arithmetic: no rounding
happens anywhere, so there is no filter and no fallback to argue.

Representation.  With a limb width ``B <= 30``, an integer array ``A`` is a
list ``L[0], ..., L[T-1]`` of int64 arrays with ``A = sum_t L[t] 2^(B t)``,
*normalized*: ``0 <= L[t] < 2^B`` for ``t < T - 1`` and
``-2^B <= L[T-1] < 2^B``.  Then ``A < 0`` exactly when ``L[T-1] < 0`` (the
lower limbs add less than ``2^(B (T-1))``), so ReLU zeroes the limbs where the
top limb is negative.  Every normalized limb has ``|l| <= 2^B``.

Why the products are exact.  A layer ``W h`` with inner dimension
``k <= 2^c`` takes ``h`` in limbs of width ``b_h`` and ``W`` in limbs of width
``b_w`` with ``b_h + b_w + c <= 53`` (:func:`layer_widths`: equal widths, or
one side in a single limb, whichever needs fewer products).  One limb
product is a float64 matrix product whose every entry is a sum of ``k``
products of integers; every product, partial sum and fused multiply-add of
them is an integer of magnitude at most ``k 2^(b_h + b_w) <= 2^53``, hence a
float64 exactly, so each floating-point operation returns its exact result,
in whatever order and blocking the BLAS uses.  (This assumes a ``dgemm`` that
forms each entry from the entries' products by additions, as the reference
BLAS and OpenBLAS do, not a Strassen-type scheme; the test-suite checks the
products against FLINT and Python integers at the extreme limbs.)  The
results are converted to int64 exactly; the product of limbs ``i`` and ``j``
sits at bit ``b_h i + b_w j``, a multiple of the output width (``b_w`` if
``h`` is one limb, ``b_h`` if ``W`` is, else ``b_h = b_w``).

Why int64 never overflows.  One output limb sums at most ``MAX_PRODUCTS = 256``
products of at most ``2^53`` (below ``2^61``) plus a bias limb below ``2^30``;
normalizing adds a carry below ``2^62 / 2^B``.  Changing the width from
``B_s`` to ``B_t`` (:func:`rebase`) adds ``L[t] << r`` with ``r < B_t``: the
terms landing on one limb total below ``2^(B_s + B_t + 1) <= 2^61``.  Values
with more than :data:`MAX_LIMBS` limbs, and layers needing more than
:data:`MAX_PRODUCTS` limb products, are not handled here: :func:`relu_network`
returns None and the caller takes the FLINT path.

numpy is imported when first needed (the verifier's other paths never load
it); without numpy :func:`relu_network` returns None.
"""

from __future__ import annotations

__all__ = ["relu_network", "layer_widths", "to_limbs", "from_limbs", "limb_matmul", "rebase", "bits", "MAX_LIMBS",
           "MAX_PRODUCTS", "WIDTH"]

#: Most limbs of one operand (keeps every int64 sum below 2^62, see the header).
MAX_LIMBS = 64
#: Most limb products of one layer: past this (values of hundreds of bits, where each limb product is a
#: whole BLAS call and numbers of thousands of bits are better multiplied whole) FLINT takes over.
MAX_PRODUCTS = 256
#: The widest limb, and the width values are stored in between layers.
WIDTH = 30

_np = None


def _numpy():
    global _np
    if _np is None:
        try:
            import numpy
        except ImportError:
            return None
        _np = numpy
    return _np


def layer_widths(h_bits, w_bits, k):
    """Limb widths ``(b_h, b_w)`` for a product with inner dimension ``k`` of integers below ``2^h_bits``
    and ``2^w_bits``: ``b_h + b_w + ceil(log2 k) <= 53``, each at most 30, fewest limb products."""
    room = 53 - (max(k, 1) - 1).bit_length()
    h_bits, w_bits, b = max(h_bits, 1), max(w_bits, 1), min(WIDTH, room // 2)
    options = [(b, b)] + [(h_bits, min(WIDTH, room - h_bits))] * (h_bits <= WIDTH and h_bits < room) + \
        [(min(WIDTH, room - w_bits), w_bits)] * (w_bits <= WIDTH and w_bits < room)
    return min(options, key=lambda o: _count(h_bits, o[0]) * _count(w_bits, o[1]))


def _count(bits, width):
    """Limbs of width ``width`` for integers below ``2^bits``."""
    return max(1, -(-bits // width))


def _normalize(parts, B):
    """Normalized limbs (header) of ``sum_t parts[t] 2^(B t)``: int64 arrays below 2^62 in size that this
    function may overwrite (the first an array, the others arrays or 0)."""
    mask, out, carry = (1 << B) - 1, [], 0
    for v in parts:
        if isinstance(v, int):
            v = carry
        elif not isinstance(carry, int):
            v += carry
        carry = v >> B
        v &= mask
        out.append(v)
    while carry.max() >= 1 << B or carry.min() < -(1 << B):
        out.append(carry & mask)
        carry >>= B
    out.append(carry)
    while len(out) > 1 and out[-1].min() >= -1 and out[-1].max() <= 0:  # the fewest limbs: fold a top of 0, -1
        top = out.pop()
        out[-1] += top << B
    return out


def rebase(L, B_from, B_to):
    """The normalized limbs of width ``B_to`` of the value held in limbs ``L`` of width ``B_from``."""
    if B_from == B_to or (len(L) == 1 and bits(L, B_from) <= B_to):
        return L  # a single limb below 2^B_to is normalized at that width
    parts = [0] * ((B_from * (len(L) - 1)) // B_to + 1)
    for t, limb in enumerate(L):
        s, r = divmod(B_from * t, B_to)
        parts[s] = parts[s] + (limb << r)
    return _normalize(parts, B_to)


def bits(L, B):
    """``b`` with every value of the limbs ``L`` (width ``B``) below ``2^b`` in magnitude."""
    top = L[-1]  # max and min as Python ints: abs(-2^63) overflows in int64
    return B * (len(L) - 1) + max(int(top.max()).bit_length(), int(top.min()).bit_length())


def to_limbs(values, shape, B=None):
    """Normalized limbs of width ``B`` (default :data:`WIDTH`) of the integers ``values`` (nested lists)
    as arrays of ``shape``; None if they need more than :data:`MAX_LIMBS` limbs."""
    np, B = _np, B or WIDTH
    try:
        A = np.array(values, dtype=np.int64).reshape(shape)
        return [A] if bits([A], B) <= B else _normalize([A], B)
    except (OverflowError, TypeError):  # integers beyond int64: split them in Python
        pass
    flat = [int(v) for row in values for v in row]
    T = _count(max(abs(v).bit_length() for v in flat), B)
    if T > MAX_LIMBS:
        return None
    mask = (1 << B) - 1
    limbs = [[(v >> (B * t)) & mask for v in flat] for t in range(T - 1)] + [[v >> (B * (T - 1)) for v in flat]]
    return [np.array(limb, dtype=np.int64).reshape(shape) for limb in limbs]


def from_limbs(L, B):
    """The integers of normalized limbs ``L`` as nested lists of Python ints."""
    acc = L[-1].astype(object)  # Horner's rule on Python integers
    for t in range(len(L) - 2, -1, -1):
        acc = (acc << B) + L[t].astype(object)
    return acc.tolist()


def limb_matmul(W, H, b_w, b_h):
    """Limbs of ``W @ H`` (of the output width, header) for limbs ``W`` (``n x k``, width ``b_w``) and ``H``
    (``k x P``, width ``b_h``); returns ``(parts, width)``, the parts not normalized."""
    np = _np
    n = W[0].shape[0]
    out = b_w if len(H) == 1 else b_h
    Wcat = np.concatenate([w.astype(np.float64) for w in W])  # (T_W n) x k: one BLAS call per limb of H
    parts = [0] * ((b_w * (len(W) - 1) + b_h * (len(H) - 1)) // out + 1)
    for j, h in enumerate(H):
        prod = (Wcat @ h.astype(np.float64)).astype(np.int64)  # exact: header
        for i in range(len(W)):
            s = (b_w * i + b_h * j) // out
            block = prod[i * n:(i + 1) * n]
            parts[s] = block if isinstance(parts[s], int) else parts[s] + block
    return parts, out


def relu_network(maps, X, den, cache=None):
    """Exact outputs of ``h -> W h + b`` layers with ReLU between them at the points ``X / den``.

    Parameters
    ----------
    maps : list of (rows, bias, dW)
        Each layer over one denominator: integer ``rows`` (``n x k``), integer
        ``bias`` and ``dW`` with ``W = rows / dW``, ``b = bias / dW``.
    X : list of lists of int
        One row of integer coordinates per point.
    den : int
        The points' common denominator.
    cache : dict, optional
        Keeps the weights' limbs between calls (one per block of points).

    Returns
    -------
    (outputs, den) or None
        ``outputs[i][o] / den`` is output ``o`` at point ``i``; None when
        numpy is missing, a layer is empty, or the values are too long
        (:data:`MAX_LIMBS`, :data:`MAX_PRODUCTS`).

    Examples
    --------
    >>> relu_network([([[1, -2]], [3], 1), ([[5]], [0], 2)], [[1, 1], [4, 0]], 1)
    ([[10], [35]], 2)
    """
    np = _numpy()
    if np is None or not X or not X[0] or not all(rows and rows[0] for rows, _, _ in maps):
        return None  # no points, or an empty layer: nothing to gain
    cache = {} if cache is None else cache
    H, B = to_limbs(X, (len(X), len(X[0]))), WIDTH
    if H is None:
        return None
    H = [h.T for h in H]  # one column per point
    for l, (rows, bias, dW) in enumerate(maps):
        n, k = len(rows), len(rows[0])
        if ("limbs", l) not in cache:
            W = to_limbs(rows, (n, k))
            cache["limbs", l] = W, W and bits(W, WIDTH)
        W, w_bits = cache["limbs", l]
        if W is None:
            return None
        h_bits = bits(H, B)
        b_h, b_w = layer_widths(h_bits, w_bits, k)
        if _count(h_bits, b_h) * _count(w_bits, b_w) > MAX_PRODUCTS:
            return None
        if ("limbs", l, b_w) not in cache:
            cache["limbs", l, b_w] = rebase(W, WIDTH, b_w)
        W, H = cache["limbs", l, b_w], rebase(H, B, b_h)
        parts, B = limb_matmul(W, H, b_w, b_h)
        c = to_limbs([[v * den] for v in bias], (n, 1), B)
        if c is None:
            return None
        parts += [np.zeros_like(parts[0]) for _ in range(len(c) - len(parts))]
        for t, limb in enumerate(c):
            parts[t] = parts[t] + limb
        H, den = _normalize(parts, B), den * dW
        if l < len(maps) - 1:
            negative = H[-1] < 0
            for limb in H:
                np.copyto(limb, 0, where=negative)
            while len(H) > 1 and not H[-1].any():  # limbs that held only negative values
                H.pop()
    return from_limbs([h.T for h in H], B), den  # one row per point
