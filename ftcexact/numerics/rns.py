"""Exact integer matrix products in a residue number system on float64 BLAS.

An integer ``H`` with ``|H| <= P / 4``, ``P = p_1 ... p_k``, is represented by
its residues modulo ``k`` odd primes.  Residues are stored as float64 arrays
with a leading prime axis ``(k, ...)``, and every product of residue matrices
is one float64 BLAS call that is exact because all partial sums are integers
below ``2^52`` (a sum of integers whose absolute terms add up to at most
``2^53`` is exact in any order, with or without fused multiply-add).

Invariants (``R(p) = (p - 1) / 2 + 2``)
---------------------------------------
* *loose residues* ``r`` satisfy ``r = H mod p`` and ``|r| <= R(p)``;
* *canonical residues* lie in ``[-(p-1)/2, (p-1)/2]`` (weights, Garner digits);
* a :class:`Basis` built for ``terms`` uses only primes with
  ``terms * R(p)^2 + R(p) <= 2^52``, so a product of a loose residue matrix with
  inner dimension ``<= terms`` by a canonical one, plus one canonical bias,
  stays below ``2^52``.

:func:`reduce` maps any float integer ``|Z| <= 2^52`` to a loose residue:
``q = rint(Z * fl(1/p))`` differs from ``Z / p`` by at most
``1/2 + |Z/p| (2u + u^2) <= 1/2 + 1.0000001 / p`` (``u = 2^-53``), so
``|Z - q p| <= p/2 + 1.0000001``, i.e. at most ``(p-1)/2 + 1`` for odd ``p``;
``q p`` is an integer below ``2^53`` (exactly representable) and ``Z - q p`` is
exact.

Magnitudes and the number of primes
-----------------------------------
:meth:`Basis.count_for` returns the least ``k`` with ``P_k > 4 B`` for an
exact integer bound ``B``: every routine below is exact for ``|H| <= P_k / 4``.
The bound is computed by the caller (from integer row sums or from a rigorous
floating-point filter, see :mod:`.fpfilter`), never guessed.

Base extension (:func:`extend`) and signs
-----------------------------------------
With ``M_i = P / p_i`` and ``y_i = r_i (M_i^-1 mod p_i) mod p_i``,
``H = sum_i y_i M_i - alpha P`` where ``alpha = sum_i y_i / p_i - H / P`` is an
integer; ``|H / P| <= 1/4`` and the float64 evaluation of ``sum_i y_i / p_i``
is off by far less than ``1/4`` (``k`` terms of size ``<= 0.51``, error
``<= k^2 u``), so ``alpha = rint(fl(sum_i y_i / p_i))`` exactly (the method
of Shenoy and Kumaresan, with the correction term read off a float sum).
Residues modulo new primes ``q`` follow from one exact product
``[y | alpha] @ [M_i mod q ; -(P mod q)]``.

Signs and full values use the symmetric mixed-radix (Garner) digits
``H = v_1 + v_2 p_1 + ... + v_k p_1...p_{k-1}`` with ``|v_j| <= (p_j - 1)/2``:
for ``|H| <= (P - 1)/2`` they are unique and ``sign(H)`` is the sign of the
last nonzero digit.  Values are rebuilt as base-``2^32`` word arrays (Horner
in vectorised multi-word arithmetic) and turned into Python ints with one
``int.from_bytes`` per entry.

References
----------
A. P. Shenoy, R. Kumaresan. *Fast base extension using a redundant modulus in
RNS.* IEEE Trans. Computers 38(2), 1989.
H. L. Garner. *The residue number system.* IRE Trans. Electronic Computers
EC-8(2), 1959.
J.-G. Dumas, P. Giorgi, C. Pernet. *Dense linear algebra over word-size prime
fields: the FFLAS and FFPACK packages.* ACM TOMS 35(3), 2008 (exact modular
products on floating-point BLAS).
"""

from __future__ import annotations

import math

import numpy as np

from ._threads import single_blas
from .dyadic import WORD, ints_from_words

__all__ = ["Basis", "basis_for", "reduce", "canonical", "from_float_ints", "from_limbs", "from_ints",
           "matmul", "extend", "mixed_radix", "signs", "to_ints", "SAFE"]

#: Every intermediate integer handled in float64 stays at or below this.
SAFE = 1 << 52


def _is_prime(n):
    """Deterministic Miller-Rabin for ``n < 3 215 031 751`` (bases 2, 3, 5, 7)."""
    if n < 2:
        return False
    for p in (2, 3, 5, 7):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for a in (2, 3, 5, 7):
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def loose_bound(p):
    """``R(p)``: the largest magnitude of a loose residue modulo ``p``."""
    return (p - 1) // 2 + 2


def prime_limit(terms):
    """Largest odd ``p`` with ``terms * R(p)^2 + R(p) <= 2^52`` (and ``p < 2^31``).

    Examples
    --------
    >>> [prime_limit(n).bit_length() for n in (1, 50, 784)]
    [27, 25, 23]
    """
    R = math.isqrt(SAFE // max(terms, 1))
    while terms * R * R + R > SAFE:
        R -= 1
    return min(2 * (R - 2) + 1, (1 << 31) - 1)


class Basis:
    """Primes ``p_1 > p_2 > ...`` below a limit, with the constants the routines need.

    Parameters
    ----------
    terms : int
        Largest inner dimension of the products (plus nothing: the bias is
        accounted for separately by :func:`prime_limit`).

    Examples
    --------
    >>> B = Basis(784)
    >>> B.limit < 2 ** 23, B.count_for(2 ** 100)
    (True, 5)
    """

    def __init__(self, terms):
        self.terms = max(int(terms), 1)
        self.limit = prime_limit(self.terms)
        self._primes = []
        self._prefix = [1]  # P_0 = 1, P_1 = p_1, ...
        self._cache = {}

    def prime_list(self, k):
        """The first ``k`` primes (Python ints)."""
        n = self._primes[-1] - 2 if self._primes else self.limit - (1 - self.limit % 2)
        while len(self._primes) < k:
            if n < 3:
                raise ValueError("ran out of primes below the limit")
            if _is_prime(n):
                self._primes.append(n)
                self._prefix.append(self._prefix[-1] * n)
            n -= 2
        return self._primes[:k]

    def product(self, k):
        """``P_k = p_1 ... p_k`` (Python int)."""
        self.prime_list(k)
        return self._prefix[k]

    def count_for(self, bound):
        """Least ``k`` with ``P_k > 4 * bound`` (``bound`` an exact integer or ``Fraction`` bound)."""
        target = 4 * bound
        k = 1
        while self.product(k) <= target:
            k += 1
        return k

    def p(self, k):
        """Primes as a float64 column ``(k, 1)`` broadcastable against ``(k, n)`` arrays."""
        return self._const(("p", k), lambda: np.array(self.prime_list(k), dtype=np.float64))

    def pinv(self, k):
        return self._const(("pinv", k), lambda: 1.0 / np.array(self.prime_list(k), dtype=np.float64))

    def _const(self, key, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    def max_terms(self, k):
        """How many loose-by-canonical products may be summed before a reduction."""
        R = loose_bound(self.prime_list(1)[0])  # the first prime is the largest
        return max(1, (SAFE - R) // (R * R))

    def garner_tables(self, k):
        """``(G, inv)``: canonical ``G[j, i] = P_i mod p_j`` (``i < j``, else 0) and ``inv[j] = P_j^-1 mod p_j``.

        ``P_i = p_1 ... p_i`` (0-based: the product of the first ``i`` primes).
        Built once for the largest ``k`` asked so far and sliced.
        """
        have = self._cache.get("garner")
        if have is None or have[0].shape[0] < k:
            kk = max(k, 2 * (have[0].shape[0] if have else 8))
            primes = self.prime_list(kk)
            G = np.zeros((kk, kk))
            inv = np.zeros(kk)
            for j, pj in enumerate(primes):
                acc = 1
                for i in range(j):
                    G[j, i] = _sym(acc, pj)
                    acc = acc * primes[i] % pj
                inv[j] = _sym(pow(acc, -1, pj), pj) if j else 1.0
            self._cache["garner"] = have = (G, inv)
        return have[0][:k, :k], have[1][:k]

    def crt_weights(self, k):
        """``(inv, M, P)``: canonical ``M_i^-1 mod p_i`` (float array), ``M_i = P / p_i`` and ``P`` (Python ints)."""
        key = ("crt", k)
        if key not in self._cache:
            primes = self.prime_list(k)
            P = self.product(k)
            inv = np.array([_sym(pow(P // p, -1, p), p) for p in primes])
            self._cache[key] = (inv, [P // p for p in primes], P)
        return self._cache[key]

    def extension_tables(self, k, k_new):
        """``(inv, T)`` for :func:`extend`: ``inv[i] = M_i^-1 mod p_i``; ``T`` rows ``M_i mod q``, last ``-P mod q``."""
        key = ("ext", k, k_new)
        if key not in self._cache:
            primes = self.prime_list(k_new)
            P = self.product(k)
            inv = np.array([_sym(pow(P // p, -1, p), p) for p in primes[:k]])
            new = primes[k:]
            T = np.array([[_sym((P // p) % q, q) for q in new] for p in primes[:k]] + [[_sym(-P % q, q) for q in new]])
            self._cache[key] = (inv, np.ascontiguousarray(T.T))
        return self._cache[key]


def _sym(x, p):
    """Canonical symmetric representative of ``x mod p`` (a Python float)."""
    x %= p
    return float(x - p if x > p // 2 else x)


_BASES = {}


def basis_for(terms):
    """A shared :class:`Basis` for products with inner dimension up to ``terms``."""
    terms = max(int(terms), 1)
    if terms not in _BASES:
        _BASES[terms] = Basis(terms)
    return _BASES[terms]


def _reduce1(Z, p, pinv, tmp):
    """In place: loose residue modulo one prime ``p`` of float integers ``|Z| <= 2^52``."""
    np.multiply(Z, pinv, out=tmp)
    np.rint(tmp, out=tmp)
    tmp *= p
    Z -= tmp
    return Z


def reduce(Z, basis, out=None):
    """Loose residues of float integers ``|Z| <= 2^52`` (prime axis first).

    With ``out=Z`` the reduction is done in place, one prime at a time.

    Examples
    --------
    >>> B = basis_for(1)
    >>> p = B.prime_list(1)[0]
    >>> r = reduce(np.array([[2.0 ** 52, -5.0]]), B)
    >>> [int(v) % p for v in r[0]] == [2 ** 52 % p, -5 % p], bool(np.abs(r).max() <= loose_bound(p))
    (True, True)
    """
    k = Z.shape[0]
    primes = basis.prime_list(k)
    if Z.size <= 1 << 16 or Z.ndim == 1:                              # small: one broadcast pass
        r = _reduce(Z, primes)
        if out is None:
            return r
        out[...] = r
        return out
    if out is None:
        out = Z.copy()
    elif out is not Z:
        out[...] = Z
    tmp = np.empty(out.shape[1:])
    for i, p in enumerate(primes):
        _reduce1(out[i], float(p), 1.0 / p, tmp)
    return out


def canonical(Z, basis):
    """Canonical symmetric residues in ``[-(p-1)/2, (p-1)/2]`` of float integers ``|Z| <= 2^52``.

    Examples
    --------
    >>> B = basis_for(1)
    >>> p = B.prime_list(1)[0]
    >>> canonical(np.array([[p + 2.0, -1.0, (p + 1) / 2]]), B).tolist() == [[2.0, -1.0, -(p - 1) / 2]]
    True
    """
    return _canon(Z, basis.prime_list(Z.shape[0]))


def from_float_ints(V, basis, k):
    """Canonical residues ``(k,) + V.shape`` of float64 integers ``|V| <= 2^52``."""
    return canonical(np.broadcast_to(V, (k,) + V.shape), basis)


def limb_weights(bits, nb, basis, k):
    """Canonical ``2^(bits b) mod p_i`` as a ``(k, nb)`` array."""
    primes = basis.prime_list(k)
    C = np.array([[pow(2, bits * b, p) for b in range(nb)] for p in primes], dtype=np.float64)
    return _canon(C, primes)


def limb_residue(L, bits, basis, i, C, out, tmp):
    """Loose residue modulo prime ``i`` of ``sum_b L[b] 2^(bits b)`` (signed limbs ``|L[b]| <= 2^(bits-1)``).

    ``C`` comes from :func:`limb_weights`; ``out`` and ``tmp`` have ``L.shape[1:]``.
    Terms are at most ``2^(bits-1) (p-1)/2``; a reduction follows every
    ``2^52 / (2^(bits-1) p)`` of them, so every sum stays below ``2^52``.
    """
    p = basis.prime_list(i + 1)[i]
    per = max(1, SAFE // ((1 << (bits - 1)) * p))
    np.multiply(L[0], C[i, 0], out=out)
    for b in range(1, len(L)):
        if b % per == 0:
            _reduce1(out, float(p), 1.0 / p, tmp)
        np.multiply(L[b], C[i, b], out=tmp)
        out += tmp
    return _reduce1(out, float(p), 1.0 / p, tmp)


def from_limbs(L, bits, basis, k):
    """Loose residues ``(k,) + L.shape[1:]`` of ``sum_b L[b] 2^(bits b)``.

    Examples
    --------
    >>> B = basis_for(1)
    >>> R = from_limbs(np.array([[5.0], [-3.0]]), 26, B, 3)        # 5 - 3 * 2^26
    >>> bool(np.all(canonical(R, B) == from_ints(np.array([5 - 3 * 2 ** 26]), B, 3)))
    True
    """
    C = limb_weights(bits, L.shape[0], basis, k)
    out = np.empty((k,) + L.shape[1:])
    tmp = np.empty(L.shape[1:])
    for i in range(k):
        limb_residue(L, bits, basis, i, C, out[i], tmp)
    return out


def float_int_residue(V, basis, i, out, tmp):
    """Loose residue modulo prime ``i`` of float64 integers ``|V| <= 2^52``, into ``out``."""
    p = basis.prime_list(i + 1)[i]
    out[...] = V
    return _reduce1(out, float(p), 1.0 / p, tmp)


def from_ints(V, basis, k):
    """Canonical residues of an array of Python ints (any size)."""
    V = np.asarray(V, dtype=object)
    out = np.empty((k,) + V.shape)
    for i, p in enumerate(basis.prime_list(k)):
        out[i] = np.remainder(V, p).astype(np.float64)
    return canonical(out, basis)


def matmul(H, W, basis, bias=None, mask=None):
    """Loose residues of ``H @ W (+ bias)``, optionally times a 0/1 ``mask``.

    Parameters
    ----------
    H : ndarray, shape (k, N, n), or callable
        Loose residues (``n <= basis.terms``); a callable ``H(i)`` returning
        the ``(N, n)`` residues modulo prime ``i`` avoids storing all of them.
    W : ndarray, shape (k, n, m)
        Canonical residues.
    bias : ndarray, shape (k, m), optional
        Canonical residues added to every row.
    mask : ndarray of bool, shape (N, m), optional

    Examples
    --------
    >>> B = basis_for(2)
    >>> H = from_float_ints(np.array([[3.0, -4.0]]), B, 2)
    >>> W = from_float_ints(np.array([[2.0], [5.0]]), B, 2)
    >>> Z = matmul(H, W, B)
    >>> int(to_ints(Z, B)[0, 0])
    -14
    """
    k = W.shape[0]
    primes = basis.prime_list(k)
    Hi = H if callable(H) else (lambda i: H[i])
    Z, tmp = None, None
    for i, p in enumerate(primes):
        Hp = Hi(i)
        if Z is None:
            Z = np.empty((k, Hp.shape[0], W.shape[2]))
            tmp = np.empty(Z.shape[1:])
        np.matmul(Hp, W[i], out=Z[i])                                 # exact: n R^2 <= 2^52 - R
        if bias is not None:
            Z[i] += bias[i]
        _reduce1(Z[i], float(p), 1.0 / p, tmp)
        if mask is not None:
            Z[i] *= mask
    return Z


def extend(H, basis, k_new):
    """Residues modulo the first ``k_new`` primes of values given modulo the first ``k``.

    Requires ``|H| <= P_k / 4`` (see the module header).  Returns loose
    residues with shape ``(k_new,) + H.shape[1:]``; the first ``k`` rows are
    ``H`` itself.

    Examples
    --------
    >>> B = basis_for(1)
    >>> H = from_ints(np.array([5, -2 ** 40]), B, 2)
    >>> bool(np.all(canonical(extend(H, B, 4), B) == from_ints(np.array([5, -2 ** 40]), B, 4)))
    True
    """
    k = H.shape[0]
    if k_new <= k:
        return H[:k_new]
    primes = basis.prime_list(k_new)
    inv, TT = basis.extension_tables(k, k_new)                       # TT: (k_new - k, k + 1)
    flat = H.reshape(k, -1)
    E = flat.shape[1]
    out = np.empty((k_new, E))
    Y = np.empty((k + 1, E))
    tmp = np.empty(E)
    for i, p in enumerate(primes[:k]):
        out[i] = flat[i]
        np.multiply(flat[i], inv[i], out=Y[i])                       # |r inv| <= R^2 < 2^52
        _reduce1(Y[i], float(p), 1.0 / p, tmp)
    per = basis.max_terms(k_new)
    acc = out[k:]
    with single_blas():                                              # skinny, memory-bound products
        np.matmul(basis.pinv(k), Y[:k], out=Y[k])
        np.rint(Y[k], out=Y[k])                                      # alpha, exact: see module header
        for s0 in range(0, k + 1, per):
            if s0 == 0:
                np.matmul(TT[:, :per], Y[:per], out=acc)              # exact: below 2^52
            else:
                acc += TT[:, s0:s0 + per] @ Y[s0:s0 + per]
            for j, q in enumerate(primes[k:]):
                _reduce1(acc[j], float(q), 1.0 / q, tmp)
    return out.reshape((k_new,) + H.shape[1:])


def _reduce(Z, primes):
    """Loose residues of ``Z`` (rows modulo ``primes``)."""
    p = np.array(primes, dtype=np.float64).reshape((-1,) + (1,) * (Z.ndim - 1))
    q = np.rint(Z * (1.0 / p))
    return Z - q * p


def _canon(Z, primes):
    """Canonical residues of ``Z`` (rows modulo ``primes``)."""
    p = np.array(primes, dtype=np.float64).reshape((-1,) + (1,) * (Z.ndim - 1))
    r = _reduce(Z, primes)
    half = (p - 1) / 2
    r -= p * (r > half)
    r += p * (r < -half)
    return r


def mixed_radix(H, basis):
    """Symmetric Garner digits ``V`` (shape of ``H``): ``H = sum_j V[j] p_1 ... p_(j-1)``, exactly.

    Step ``j``: ``t = r_j - sum_(i<j) v_i (P_i mod p_j)`` (one matrix-vector
    product, reduced every :meth:`Basis.max_terms` terms), then
    ``v_j = canonical(t (P_j^-1 mod p_j))``.

    Examples
    --------
    >>> B = basis_for(1)
    >>> p1 = B.prime_list(1)[0]
    >>> mixed_radix(from_ints(np.array([3 * p1 - 2]), B, 2), B).ravel().tolist()   # -2 + 3 p_1
    [-2.0, 3.0]
    """
    k = H.shape[0]
    flat = H.reshape(k, -1)
    V = np.empty(flat.shape)
    if k == 0:
        return V.reshape(H.shape)
    primes = basis.prime_list(k)
    G, inv = basis.garner_tables(k)
    per = basis.max_terms(k)
    tmp = np.empty(flat.shape[1])
    with single_blas():                                              # matrix-vector products only
        for j in range(k):
            pj = float(primes[j])
            t = flat[j].copy()
            for s0 in range(0, j, per):
                s1 = min(j, s0 + per)
                t -= G[j, s0:s1] @ V[s0:s1]                          # exact: below 2^52
                _reduce1(t, pj, 1.0 / pj, tmp)
            if j:
                t *= inv[j]                                          # |t inv| <= R (p-1)/2 < 2^52
            _reduce1(t, pj, 1.0 / pj, tmp)                           # |t| <= (p-1)/2 + 1: make it canonical
            half = (pj - 1) / 2
            t -= pj * (t > half)
            t += pj * (t < -half)
            V[j] = t
    return V.reshape(H.shape)


#: Up to this many values, reconstruction uses Python ints directly (:func:`_crt_small`).
SMALL = 256


def _crt_small(H, basis):
    """Python ints ``H = sum_i y_i M_i - alpha P`` with ``alpha = rint(sum_i y_i / p_i)`` (module header).

    Exact for ``|H| <= P / 4``; ``y_i`` are loose residues (``|y_i| <= R``), so the
    float sum is within far less than 1/4 of ``alpha + H / P``.
    """
    k = H.shape[0]
    flat = H.reshape(k, -1)
    inv, Ms, P = basis.crt_weights(k)
    Y = reduce(flat * inv[:, None], basis)                          # |r inv| <= R^2 < 2^52
    alpha = np.rint(basis.pinv(k) @ Y).astype(np.int64).tolist()
    rows = Y.T.astype(np.int64).tolist()
    return [sum(y * M for y, M in zip(row, Ms)) - a * P for row, a in zip(rows, alpha)]


def signs(H, basis):
    """Exact signs (int8, -1/0/1) of the values with residues ``H`` (``|H| <= P/4``).

    Examples
    --------
    >>> B = basis_for(1)
    >>> signs(from_ints(np.array([-7, 0, 2 ** 60]), B, 3), B).tolist()
    [-1, 0, 1]
    """
    k = H.shape[0]
    if H.size <= SMALL * k:
        vals = _crt_small(H, basis)
        return np.array([(v > 0) - (v < 0) for v in vals], dtype=np.int8).reshape(H.shape[1:])
    V = mixed_radix(H, basis).reshape(k, -1)
    s = np.zeros(V.shape[1], dtype=np.int8)
    for j in range(k - 1, -1, -1):
        undecided = s == 0
        s[undecided] = np.sign(V[j, undecided]).astype(np.int8)
    return s.reshape(H.shape[1:])


def to_ints(H, basis):
    """Exact values of residues ``H`` (``|H| <= P/4``): int64 if ``P < 2^62``, else Python ints.

    Examples
    --------
    >>> B = basis_for(1)
    >>> to_ints(from_ints(np.array([-7, 3 ** 60]), B, 5), B).tolist() == [-7, 3 ** 60]
    True
    """
    k = H.shape[0]
    shape = H.shape[1:]
    if 0 < H.size <= SMALL * k and basis.product(k) >= 1 << 62:
        out = np.empty(H.size // k, dtype=object)
        out[:] = _crt_small(H, basis)
        return out.reshape(shape)
    V = mixed_radix(H, basis).reshape(k, -1).astype(np.int64)      # exact: |v| < 2^31
    primes = basis.prime_list(k)
    P = basis.product(k)
    if P < 1 << 62:
        acc = np.zeros(V.shape[1], dtype=np.int64)
        for j in range(k - 1, -1, -1):                              # |acc| <= P / 2 throughout
            acc = acc * np.int64(primes[j]) + V[j]
        return acc.reshape(shape)
    # Horner X <- X p_j + v_j over base-2^32 words.  One parallel carry pass per step (c = W >> 32;
    # W &= 2^32 - 1; W[w+1] += c[w]) keeps every word in [-2^31, 2^33), so a word times p_j (< 2^27,
    # see prime_limit) plus a digit and a carry stays below 2^61; the signed top word holds the small
    # high part of |X| <= P / 2 (three spare words).
    nwords = P.bit_length() // WORD + 3
    Wd = np.zeros((nwords, V.shape[1]), dtype=np.int64)
    mask = np.int64((1 << WORD) - 1)
    shift = np.int64(WORD)
    for j in range(k - 1, -1, -1):
        if j < k - 1:
            Wd *= np.int64(primes[j])
        Wd[0] += V[j]
        c = Wd[:-1] >> shift
        Wd[:-1] &= mask
        Wd[1:] += c
    for w in range(nwords - 1):                                      # full normalisation at the end
        c = Wd[w] >> shift
        Wd[w] &= mask
        Wd[w + 1] += c
    return ints_from_words(Wd.T).reshape(shape)
