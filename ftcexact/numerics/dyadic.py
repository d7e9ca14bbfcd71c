"""Binary floating-point arrays as exact integer blocks.

Every finite binary float is a dyadic rational ``m * 2^e``.  This module turns
whole numpy arrays into exact integers over one common power of two, without a
Python object per entry wherever the integers fit a machine word:

* :func:`exponent_range` scans an array once (block by block, reading the bit
  fields of the IEEE encoding) and returns ``(lo, hi)``: every entry is an
  integer multiple of ``2^lo`` and smaller than ``2^hi`` in magnitude.  It is
  also the NaN/inf detector (:class:`NonFiniteError` carries the positions).
* :func:`to_integers` gives ``M`` with ``X == M * 2^e`` exactly: ``int64`` when
  ``|M| < 2^63`` is guaranteed by the scan, an ``object`` array of Python ints
  otherwise (built from limbs, not from per-entry float conversions).
* :func:`limbs` splits ``X * 2^-e`` into signed ``bits``-bit limbs stored as
  float64, ``X * 2^-e == sum_b L_b 2^(bits b)`` with ``|L_b| <= 2^(bits-1)``.
  Limbs are what the residue-number-system code (:mod:`.rns`) and
  :func:`project_exact` multiply with floating-point BLAS, exactly.
* :func:`project_exact` computes ``t_i = a . x_i`` exactly for a rational
  direction ``a`` (the first step of every construction of both papers).

Why the limb arithmetic is exact
--------------------------------
All limb operations act on float64 values that are integers times a power of
two, and each result is representable, so IEEE arithmetic returns it exactly:

* scaling by a power of two (``np.ldexp``) is exact unless the result leaves
  the normal range; limbs are extracted from the top, so a scaled value is at
  most ``2^bits`` and a scaled value below ``2^-1022`` has ``rint`` equal to 0,
  which is also the exact answer;
* ``q = rint(r 2^-s)`` is an integer of at most ``bits`` bits, ``q 2^s`` is
  representable, and ``r - q 2^s`` is a multiple of the lowest bit of ``r`` of
  magnitude at most ``2^(s-1)``: its significant bits are a subset of those of
  ``r``, so the subtraction is exact (the exact result is representable);
* a dot product of integers whose absolute terms sum to at most ``2^53`` is
  exact in any summation order, with or without fused multiply-add: every
  partial sum is an integer of magnitude at most ``2^53``.

:func:`project_exact` chooses limb sizes ``beta_X + beta_a <= 55 - ceil(log2 d)``
so that each limb product ``L_b . alpha_c`` satisfies the last condition
(``d 2^(beta_X - 1) 2^(beta_a - 1) <= 2^53``).

References
----------
IEEE 754-2019, sections 3.4 (binary encodings) and 5.3.1 (``scaleB``).
S. M. Rump, T. Ogita, S. Oishi. *Accurate floating-point summation part I:
faithful rounding.* SIAM J. Sci. Comput. 31(1), 2008 (error-free splitting of
floats into aligned parts, which :func:`limbs` does with ``rint``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from ._threads import single_blas

__all__ = ["NonFiniteError", "exponent_range", "nonfinite_positions", "to_integers", "limbs",
           "limb_count", "project_exact", "rational_vector"]

#: Entries handled at once by the block-wise scans (memory stays O(block); small blocks stay in cache).
BLOCK_ENTRIES = 1 << 16

_LAYOUT = {  # dtype -> (unsigned view, fraction bits, exponent bias)
    np.dtype(np.float32): (np.uint32, 23, 127),
    np.dtype(np.float64): (np.uint64, 52, 1023),
}


class NonFiniteError(ValueError):
    """An array holds NaN or infinity; ``positions`` lists where (index tuples)."""

    def __init__(self, positions, count):
        self.positions = positions
        self.count = count
        shown = ", ".join(str(tuple(int(i) for i in p)) for p in positions[:5])
        more = f" and {count - 5} more" if count > 5 else ""
        super().__init__(f"{count} non-finite entries (NaN or infinity) at {shown}{more}")


def _as_array(X):
    X = np.asarray(X)
    if X.dtype == np.bool_:
        raise TypeError("boolean arrays are not numbers here")
    if X.dtype == np.float16:
        X = X.astype(np.float32)  # exact
    if X.dtype.kind not in "fiu":
        raise TypeError(f"expected a numeric array, got dtype {X.dtype}")
    return X


class _Scanner:
    """Block scan of IEEE bit fields: least lowest-set-bit exponent, largest magnitude, finiteness.

    For a nonzero entry with magnitude bits ``u``, exponent field ``E`` and
    mantissa ``m = (fraction | 2^f)``, the lowest set bit of ``m`` is the power
    of two ``m & -m = 2^t``; converting it to the same float type gives the bit
    pattern ``(t + bias) << f``, and adding ``u & exponent_mask = E << f`` gives
    the key ``(E + t + bias) << f``, monotone in the exponent ``E - bias - f + t``
    of the entry's lowest set bit.  Zeros get the largest key.  (For
    subnormals the implicit bit is absent and the true exponent field is 1, so
    their key is at most one too small: a valid, slightly smaller exponent.)
    """

    def __init__(self, dtype):
        self.utype, self.f, self.bias = _LAYOUT[dtype]
        self.ftype = dtype.type
        bits = 8 * np.dtype(self.utype).itemsize
        U = self.utype
        self.sign_off = U((1 << (bits - 1)) - 1)
        self.exp_mask = U(((1 << (bits - 1)) - 1) ^ ((1 << self.f) - 1))
        self.frac_mask = U((1 << self.f) - 1)
        self.implicit = U(1 << self.f)
        self.inf_bits = self.exp_mask  # all-ones exponent, zero fraction
        self.big = U((1 << bits) - 1)
        self.bufs = None

    def scan(self, block):
        n = block.size
        if self.bufs is None or self.bufs[0].size < n:
            self.bufs = [np.empty(n, dtype=self.utype) for _ in range(3)]
        u, m, k = (b[:n] for b in self.bufs)
        np.bitwise_and(block.view(self.utype), self.sign_off, out=u)
        top = u.max()
        if top >= self.inf_bits:
            return None, None, True
        np.bitwise_and(u, self.frac_mask, out=m)
        np.bitwise_or(m, self.implicit, out=m)
        np.negative(m, out=k)
        np.bitwise_and(m, k, out=m)                    # lowest set bit of the mantissa
        k[...] = m.astype(self.ftype).view(self.utype)  # (t + bias) << f
        np.bitwise_and(u, self.exp_mask, out=m)
        np.add(k, m, out=k)
        k[u == 0] = self.big
        key = int(k.min())
        if key == int(self.big):
            return None, 0.0, False
        lo = (key >> self.f) - 2 * self.bias - self.f
        return lo, float(top.view(self.ftype)), False


def exponent_range(X):
    """Exponents ``(lo, hi)`` with every entry in ``2^lo Z`` and ``|x| < 2^hi``.

    Parameters
    ----------
    X : array_like
        float16/32/64 or integer array (booleans are refused).

    Returns
    -------
    (int, int) or None
        ``None`` if every entry is zero.  For integer arrays ``lo = 0``.
        ``lo`` is the exponent of the lowest set bit over all entries (one
        less when the lowest bits sit in subnormals, which is still valid).

    Raises
    ------
    NonFiniteError
        If some entry is NaN or infinite (with the positions).

    Examples
    --------
    >>> exponent_range(np.array([0.75, -2.0, 0.0]))
    (-2, 2)
    >>> exponent_range(np.array([3, -8], dtype=np.int64))
    (0, 4)
    >>> try:
    ...     exponent_range(np.array([1.0, np.nan]))
    ... except NonFiniteError as e:
    ...     print(e.positions.tolist(), e)
    [[1]] 1 non-finite entries (NaN or infinity) at (1,)
    """
    X = _as_array(X)
    if X.dtype.kind in "iu":
        if X.size == 0:
            return None
        big = max(abs(int(X.max())), abs(int(X.min())))
        return None if big == 0 else (0, big.bit_length())
    scanner = _Scanner(X.dtype)
    flat = np.ascontiguousarray(X).reshape(-1)
    lo, top = None, 0.0
    for start in range(0, flat.size, BLOCK_ENTRIES):
        blo, btop, bad = scanner.scan(flat[start:start + BLOCK_ENTRIES])
        if bad:
            positions = nonfinite_positions(X)
            raise NonFiniteError(positions, len(positions))
        if blo is not None:
            lo = blo if lo is None else min(lo, blo)
            top = max(top, btop)
    if lo is None:
        return None
    return lo, math.frexp(top)[1]


def nonfinite_positions(X):
    """Index tuples (an ``(k, ndim)`` int array) of the NaN and infinite entries.

    Examples
    --------
    >>> nonfinite_positions(np.array([[1.0, np.inf], [np.nan, 2.0]])).tolist()
    [[0, 1], [1, 0]]
    """
    X = _as_array(X)
    if X.dtype.kind in "iu":
        return np.empty((0, X.ndim), dtype=np.int64)
    return np.argwhere(~np.isfinite(X))


def limb_count(lo, hi, exponent, bits):
    """Number of signed ``bits``-bit limbs :func:`limbs` needs for a range ``(lo, hi)``.

    ``count * bits >= span + 2``: signed digits in ``[-2^(bits-1), 2^(bits-1))``
    then reach at least ``3/7 * 2^(count bits) > 2^span`` in magnitude.

    Examples
    --------
    >>> limb_count(-24, 1, -24, 26)      # integers below 2^25 need 27 bits of signed digits: 2 limbs
    2
    """
    span = hi - exponent
    return max(1, -(-(span + 2) // bits))


def _scale(r, k):
    """``r * 2^k`` exactly (callers guarantee the result is an integer or tiny, see module header)."""
    if -1000 <= k <= 1000:
        return r * (2.0 ** k)
    return np.ldexp(r, k)


def limbs(X, exponent, bits, count):
    """Signed limbs of the integers ``X * 2^-exponent``, as float64.

    Parameters
    ----------
    X : array_like
        Finite floats (or integers) that are multiples of ``2^exponent``.
    exponent : int
    bits : int
        Limb size, ``1 <= bits <= 52``.
    count : int
        Number of limbs; at least :func:`limb_count` of the array's range.

    Returns
    -------
    numpy.ndarray
        Shape ``(count,) + X.shape``; ``X * 2^-exponent == sum_b L[b] * 2^(bits*b)``
        exactly, with ``|L[b]| <= 2^(bits-1)``.

    Examples
    --------
    >>> L = limbs(np.array([5.25, -3.0]), -2, 3, 3)
    >>> bool(np.abs(L).max() <= 4)
    True
    >>> (L * np.array([1, 8, 64])[:, None]).sum(axis=0).tolist()   # 21 = 5.25 * 4, -12 = -3.0 * 4
    [21.0, -12.0]
    """
    X = _as_array(X)
    if X.dtype.kind in "iu":
        return _int_limbs(X, exponent, bits, count)
    r, exponent = _widened(X, exponent)
    if r is None:
        return _int_limbs(_python_ints(X, exponent), 0, bits, count)
    out = np.empty((count,) + r.shape)
    _split_into(r, np.empty_like(r), out, exponent, bits)
    return out


_TOP = 2.0 ** 960


def _widened(X, exponent):
    """A float64 copy of ``X`` and an exponent, scaled so that limb arithmetic cannot overflow.

    A rounded limb ``q 2^s`` may exceed the largest float only when entries lie
    within ``2^64`` of it; such arrays are scaled by ``2^-64`` first (exact
    when no entry has bits below ``2^-1010``).  ``(None, exponent)`` means the
    array spans almost the whole float range: use Python ints.
    """
    r = X.astype(np.float64)  # exact, and a copy (destroyed by the limb split)
    if X.dtype == np.float64 and r.size and max(float(r.max()), -float(r.min())) >= _TOP:
        if exponent - 64 < -1074:
            return None, exponent
        r = np.ldexp(r, -64)
        exponent -= 64
    return r, exponent


def _python_ints(X, exponent):
    """``X * 2^-exponent`` as an object array of Python ints (slow, exact, for any floats)."""
    out = np.empty(X.shape, dtype=object)
    for idx, x in np.ndenumerate(X):
        p, q = float(x).as_integer_ratio()
        out[idx] = (p << -exponent) // q if exponent <= 0 else p // (q << exponent)
    return out


def _int_limbs(X, exponent, bits, count):
    if exponent > 0:
        raise ValueError("integer arrays have exponent <= 0")
    obj = X.astype(object) << (-exponent) if exponent else X.astype(object)
    out = np.empty((count,) + X.shape)
    half = 1 << (bits - 1)
    for b in range(count):
        low = ((obj + half) & ((1 << bits) - 1)) - half  # signed remainder in [-2^(bits-1), 2^(bits-1))
        out[b] = low.astype(np.float64)
        obj = (obj - low) >> bits
    if np.any(obj != 0):
        raise ValueError("limb count too small for these integers")
    return out


def to_integers(X, exponent=None):
    """Exact integers ``M`` and exponent ``e`` with ``X == M * 2^e``.

    Parameters
    ----------
    X : array_like
        float16/32/64 or integer array.
    exponent : int, optional
        Common exponent to use (at most the array's ``lo``); by default the
        largest one that works, capped at 0 so that ``2^-e`` is an integer
        denominator.

    Returns
    -------
    (numpy.ndarray, int)
        ``M`` is ``int64`` when ``|M| < 2^63`` is guaranteed, else an ``object``
        array of Python ints.

    Examples
    --------
    >>> M, e = to_integers(np.array([0.5, 1.25], dtype=np.float32))
    >>> M.tolist(), e, M.dtype.name
    ([2, 5], -2, 'int64')
    >>> M, e = to_integers(np.array([2.0 ** 70, 2.0 ** -3]))
    >>> M.tolist() == [2 ** 73, 1], e, M.dtype.name
    (True, -3, 'object')
    """
    X = _as_array(X)
    rng = exponent_range(X)
    if exponent is None:
        exponent = min(rng[0], 0) if rng else 0
    if rng is None:
        return np.zeros(X.shape, dtype=np.int64), exponent
    lo, hi = rng
    if lo < exponent:
        raise ValueError(f"entries are not multiples of 2^{exponent}")
    if X.dtype.kind in "iu":
        if hi - exponent <= 63 and X.dtype != np.uint64:
            return X.astype(np.int64) << np.int64(-exponent), exponent
        return X.astype(object) << (-exponent), exponent
    if hi - exponent <= 63:
        return _scale(X.astype(np.float64), -exponent).astype(np.int64), exponent
    bits = 52
    count = limb_count(lo, hi, exponent, bits)
    L = limbs(X, exponent, bits, count)
    out = L[count - 1].astype(np.int64).astype(object)
    for b in range(count - 2, -1, -1):
        out = (out << bits) + L[b].astype(np.int64).astype(object)
    return out, exponent


# ---------------------------------------------------------------------------- projection

def rational_vector(a):
    """Integer numerators and one positive common denominator of a rational vector.

    Accepts ints, floats (exactly), ``Fraction`` and ``gmpy2.mpq`` entries.

    Examples
    --------
    >>> rational_vector([Fraction(1, 2), 3, 0.25])
    ([2, 12, 1], 4)
    """
    fr = []
    for v in a:
        if isinstance(v, (bool, np.bool_)):
            raise TypeError("booleans are not numbers here")
        if isinstance(v, (float, np.floating)):
            if not math.isfinite(v):
                raise ValueError(f"direction entry is not finite: {v!r}")
            fr.append(Fraction(*float(v).as_integer_ratio()))
        elif isinstance(v, (int, np.integer)):
            fr.append(Fraction(int(v)))
        else:
            fr.append(Fraction(int(v.numerator), int(v.denominator)))
    den = math.lcm(1, *(f.denominator for f in fr))
    return [int(f.numerator) * (den // f.denominator) for f in fr], den


def _signed_split(values, bits, count):
    """Signed ``bits``-bit digits of Python ints: ``v = sum_c digit_c 2^(bits c)``."""
    half, mask = 1 << (bits - 1), (1 << bits) - 1
    out = np.zeros((count, len(values)))
    for j, v in enumerate(values):
        for c in range(count):
            low = ((v + half) & mask) - half
            out[c, j] = low
            v = (v - low) >> bits
        assert v == 0
    return out


def _projection_plan(d, a_bits, span):
    """Limb sizes ``(beta_x, n_x, beta_a, n_a)`` with ``d 2^(beta_x-1) 2^(beta_a-1) <= 2^53``."""
    budget = 55 - max(1, (d - 1).bit_length())  # beta_x + beta_a <= budget
    best = None
    for n_a in range(1, a_bits + 2):
        beta_a = max(2, -(-(a_bits + 2) // n_a))
        beta_x = min(52, budget - beta_a)
        if beta_x < 1:
            continue
        n_x = max(1, -(-(span + 2) // beta_x))
        cost = n_x * (4 + n_a)
        if best is None or cost < best[0]:
            best = (cost, beta_x, n_x, beta_a, n_a)
        if beta_a == 2:
            break
    return best[1:]


def project_exact(X, a, block_rows=None):
    """Exact projections ``t_i = a . x_i`` of the rows of a float array.

    Parameters
    ----------
    X : array_like, shape (K, d)
        float16/32/64 or integer array (NaN/inf raise :class:`NonFiniteError`).
    a : sequence of rationals, length d
        The direction (ints, floats, ``Fraction`` or ``Q``).
    block_rows : int, optional
        Rows per block; memory is O(block_rows * d).

    Returns
    -------
    (numpy.ndarray, int)
        Numerators (``int64`` when ``|t_i * den| < 2^63`` is guaranteed by the
        bounds, else an ``object`` array of Python ints) and the common positive
        denominator ``den``: ``t_i = numerators[i] / den`` (not reduced).

    Notes
    -----
    With ``X = M 2^e`` and ``a = A / D`` the numerators are ``sum_j A_j M_ij``
    (times ``2^e`` if ``e > 0``).  When ``sum_j |A_j| max |M| <= 2^53`` one
    float64 matrix-vector product is exact; otherwise ``M`` and ``A`` are split
    into signed limbs (module header) and every limb product is one exact
    float64 BLAS product; limb results are combined in int64 when the worst case
    provably fits, else in Python ints.

    Examples
    --------
    >>> X = np.array([[0.5, 1.0], [0.25, -3.0]], dtype=np.float32)
    >>> num, den = project_exact(X, [1, Fraction(1, 3)])
    >>> num.tolist(), den
    ([10, -9], 12)

    References
    ----------
    Sohn et al. 2024, proof of Theorem 4.4 (the projection ``t = a . x``).
    """
    X = _as_array(X)
    if X.ndim != 2:
        raise ValueError("X must be a 2-D array (one point per row)")
    K, d = X.shape
    A, D = rational_vector(a)
    if len(A) != d:
        raise ValueError(f"direction has {len(A)} entries, points have {d}")
    rng = exponent_range(X)
    if rng is None or not any(A):
        return np.zeros(K, dtype=np.int64), D
    lo, hi = rng
    e = min(lo, 0)
    span = hi - e                              # |M| < 2^span
    a_abs = sum(abs(v) for v in A)
    bound = a_abs << span                      # |sum_j A_j M_ij| < bound
    den = D << (-e) if e < 0 else D
    if block_rows is None:
        block_rows = max(1, BLOCK_ENTRIES // max(d, 1))
    a_bits = max(v.bit_length() for v in A)
    if bound <= 1 << 53 and all(abs(v) <= 1 << 53 for v in A):
        plan = None
    else:
        plan = _projection_plan(d, a_bits, span)
    wide = X.dtype.kind != "f" or (X.dtype == np.float64 and hi > 960)  # see _widened
    with single_blas():
        return _project_blocks(X, A, e, den, bound, plan, block_rows, d, wide, a_abs, span)


def _project_blocks(X, A, e, den, bound, plan, block_rows, d, wide, a_abs, span):
    """The block loop of :func:`project_exact` (one BLAS thread: the products are small)."""
    K = len(X)
    as_int64 = bound < 1 << 63
    out = np.empty(K, dtype=np.int64 if as_int64 else object)
    if plan is None:
        Af = np.array(A, dtype=np.float64)
        for start in range(0, K, block_rows):
            Mb = _scale(X[start:start + block_rows].astype(np.float64), -e)
            s = Mb @ Af  # exact: every partial sum is an integer of magnitude below 2^53
            out[start:start + len(Mb)] = s.astype(np.int64) if as_int64 else s.astype(np.int64).astype(object)
        return out, den
    beta_x, n_x, beta_a, n_a = plan
    La = _signed_split(A, beta_a, n_a).T.copy()                   # (d, n_a)
    rows = min(block_rows, K)
    r, tmp = np.empty((rows, d)), np.empty((rows, d))
    Lx = np.empty((n_x, rows, d))
    for start in range(0, K, block_rows):
        Xb = X[start:start + block_rows]
        n = len(Xb)
        rb, tb, Lb = r[:n], tmp[:n], Lx[:, :n]
        if wide:
            Lb[...] = limbs(Xb, e, beta_x, n_x)
        else:
            rb[...] = Xb                                          # exact widening
            _split_into(rb, tb, Lb, e, beta_x)
        S = (Lb.reshape(-1, d) @ La).reshape(n_x, n, n_a)         # exact limb products
        out[start:start + n] = _combine(S, beta_x, beta_a, as_int64, d, a_abs, span)
    return out, den


def _split_into(r, tmp, L, e, bits):
    """In place: ``L[b] = `` signed limbs of ``r * 2^-e`` (``r`` is destroyed); see module header."""
    for b in range(len(L) - 1, 0, -1):
        s = e + bits * b
        q = L[b]
        _scale_to(r, -s, q)
        np.rint(q, out=q)
        _scale_to(q, s, tmp)
        np.subtract(r, tmp, out=r)
    _scale_to(r, -e, L[0])  # the remainder is already an integer multiple of 2^e below 2^(e+bits-1)


def _scale_to(src, k, out):
    if -1000 <= k <= 1000:
        np.multiply(src, 2.0 ** k, out=out)
    else:
        np.ldexp(src, k, out=out)


def _combine(S, beta_x, beta_a, as_int64, d, a_abs=None, span=None):
    """``sum_{b,c} S[b, :, c] 2^(beta_x b + beta_a c)`` exactly.

    int64 accumulation is used only when nothing can overflow: with one limb of
    ``a`` (``n_a = 1``), adding the terms from the top limb down gives partial
    sums ``sum_j A_j (M_ij rounded to a multiple of 2^(beta_x b))`` (top-down
    ``rint`` limbs round the remaining value to nearest), at most
    ``|A|_1 (2^span + 2^(beta_x b - 1)) < |A|_1 2^(span+2)`` since
    ``beta_x (n_x - 1) < span + 2``; each term is a difference of two of them,
    below ``|A|_1 2^(span+3)``, which must be below ``2^63``.  Otherwise the
    crude sum of the largest possible terms must fit.
    """
    n_x, rows, n_a = S.shape
    Si = S.astype(np.int64)  # exact: |S| <= 2^53
    terms = [(beta_x * b + beta_a * c, Si[b, :, c]) for b in range(n_x) for c in range(n_a)]
    if as_int64:
        if n_a == 1 and a_abs is not None and a_abs << (span + 3) < 1 << 63:
            safe = True
        else:
            safe = sum(d << (beta_x + beta_a - 2 + sh) for sh, _ in terms) < 1 << 63
        if safe:
            acc = np.zeros(rows, dtype=np.int64)
            for sh, v in sorted(terms, key=lambda t: -t[0]):         # from the top limb down
                acc += v << np.int64(sh)
            return acc
        return ints_from_words(words_from_terms(terms, rows)).astype(np.int64)
    return ints_from_words(words_from_terms(terms, rows))


# ---------------------------------------------------------------------------- multi-word integers

WORD = 32
_WMASK = (1 << WORD) - 1


def words_from_terms(terms, rows):
    """Exact ``sum_t v_t 2^(s_t)`` as base-``2^32`` words (int64 array, shape ``(rows, n)``).

    ``terms`` are pairs ``(s_t >= 0, v_t)`` with ``v_t`` int64 arrays, ``|v_t| <= 2^53``.
    Words ``0 .. n-2`` end in ``[0, 2^32)``; the top word carries the sign.
    Each term is split as ``v = hi 2^32 + lo`` with ``0 <= lo < 2^32``; ``lo << r``
    and ``hi << r`` (``r = s mod 32``) stay below ``2^63`` and are spread over
    three words, and carries are propagated after every 128 terms, so no
    word exceeds ``2^63``.

    Examples
    --------
    >>> words_from_terms([(0, np.array([-1])), (33, np.array([3]))], 1).tolist()
    [[4294967295, 5, 0, 0, 0]]
    """
    n = max(s for s, _ in terms) // WORD + 4
    W = np.zeros((n, rows), dtype=np.int64)
    mask = np.int64(_WMASK)
    for count, (s, v) in enumerate(terms):
        if count and count % 128 == 0:
            _carry(W)
        q, r = divmod(s, WORD)
        lo, hi = v & mask, v >> np.int64(WORD)
        t = lo << np.int64(r)                       # < 2^63
        W[q] += t & mask
        W[q + 1] += t >> np.int64(WORD)
        t = hi << np.int64(r)                       # |t| < 2^52
        W[q + 1] += t & mask
        W[q + 2] += t >> np.int64(WORD)
    return _carry(W).T


def _carry(W):
    for k in range(len(W) - 1):
        c = W[k] >> np.int64(WORD)
        W[k] &= np.int64(_WMASK)
        W[k + 1] += c
    return W


def ints_from_words(W):
    """Python ints (``object`` array) from base-``2^32`` words (see :func:`words_from_terms`).

    One ``int.from_bytes`` per row on the two's-complement little-endian bytes.

    Examples
    --------
    >>> W = words_from_terms([(0, np.array([5, -1])), (40, np.array([1, 1]))], 2)
    >>> ints_from_words(W).tolist() == [5 + 2 ** 40, 2 ** 40 - 1]
    True
    """
    rows, n = W.shape
    if rows == 0:
        return np.empty(0, dtype=object)
    top = W[:, -1]
    if np.any((top >= 1 << 31) | (top < -(1 << 31))):  # keep the sign word in 32 bits
        W = np.concatenate([W, np.zeros((rows, 1), dtype=np.int64)], axis=1)
        W[:, -2:] = _carry(W[:, -2:].T.copy()).T
        return ints_from_words(W)
    data = W.astype(np.uint32).tobytes()  # low 32 bits of each word; top word in two's complement
    nb = 4 * n
    from_bytes = int.from_bytes
    out = np.empty(rows, dtype=object)
    out[:] = [from_bytes(data[i:i + nb], "little", signed=True) for i in range(0, rows * nb, nb)]
    return out
