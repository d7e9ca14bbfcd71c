"""Exact outputs of a rational ReLU network at many points, fast.

:func:`evaluate_exact` returns exactly what :func:`ftcexact.network.evaluate`
returns (tuples of ``Q``); :func:`evaluate_integers` returns the lower-level
form, integer numerators over one common denominator.

Method (per block of points)
----------------------------
Denominators are cleared per layer (:mod:`.layers`): with inputs ``X_int /
D_0`` and layer ``l`` equal to ``(num_l x + bnum_l) / den_l``, the
pre-activations of layer ``l`` are integers ``Z_l`` over ``D_l = D_(l-1) den_l``:
``Z_l = num_l H_(l-1) + bnum_l D_(l-1)``, ``H_l = relu(Z_l)``.

1. *Filter.*  A float64 forward pass with the rigorous per-entry error bound
   of :class:`.fpfilter.AffineFilter` decides the sign of (almost) every
   hidden pre-activation; the bound also gives a tight, rigorous bound on
   ``|Z_l|`` (``(|zf| + E) D_l``), which fixes the number of primes.  When the
   float pass overflows, the exact a-priori bound
   ``B_l = row_bound_l B_(l-1) + bias_bound_l D_(l-1)`` is used instead.
2. *Exact products.*  ``Z_l`` is computed in the residue number system of
   :mod:`.rns` (one exact float64 BLAS product per prime), the ReLU is applied
   in residue form with the activation pattern, and residues are carried to
   the next layer, extended to more primes when the next layer needs them.
3. *Exact fallback.*  Entries the filter leaves undecided (pre-activations
   exactly 0, near-ties, overflow) get their exact sign from the residues
   (Garner digits); the filter state is updated with the exact decision.
   ``STATS["exact_signs"]`` counts them.
4. *Outputs* are reconstructed from the residues by Garner/CRT into Python
   ints (or int64 when the product of the primes is below ``2^62``).

Blocks whose magnitudes would need more than ``max_primes`` primes (weights
with many thousands of bits) are evaluated by the exact integer path instead:
object-array products of Python ints with exact signs, as in
:func:`ftcexact.network.evaluate` (``STATS["bigint_blocks"]``).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from . import rns
from .dyadic import exponent_range, limb_count, limbs
from .fpfilter import ETA, decide
from .layers import as_integer_network

__all__ = ["evaluate_exact", "evaluate_integers", "ExactValues", "STATS"]

#: Counters of the decisions taken (``filtered``: signs decided by floats;
#: ``exact_signs``: decided exactly; ``bigint_blocks``: blocks on the Python-int path).
STATS = Counter()

_LIMB_BITS = 26


@dataclass
class ExactValues:
    """Integer numerators ``(N, outputs)`` over one positive denominator ``den``.

    ``numerators`` is an int64 array when every value provably fits, else an
    ``object`` array of Python ints.
    """

    numerators: np.ndarray
    den: int

    def to_rationals(self):
        """List of tuples of ``Q`` (what :func:`ftcexact.network.evaluate` returns)."""
        from ..kernel.numbers import Q
        den = self.den
        return [tuple(Q(int(v), den) for v in row) for row in self.numerators.tolist()]


class _Inputs:
    """Points as exact integers over ``D0`` plus their float images and errors."""

    def __init__(self, X, d):
        if isinstance(X, np.ndarray) and X.dtype != object:
            self._from_array(X, d)
        else:
            self._from_rationals(X, d)

    def _from_array(self, X, d):
        if X.dtype == np.bool_:
            raise TypeError("boolean arrays are not numbers here")
        if X.ndim != 2:
            raise ValueError("points must be a 2-D array, one point per row")
        self.N = len(X)
        rng = exponent_range(X)
        self.e0 = min(rng[0], 0) if rng else 0
        self.D0 = 1 << (-self.e0)
        self.span = (rng[1] - self.e0) if rng else 0
        self.X = X
        self.ints = None
        self.floats_exact = X.dtype.kind == "f" or (rng is None or rng[1] <= 53)
        self.B0 = 1 << self.span

    def _from_rationals(self, X, d):
        from ..kernel.numbers import as_rational
        pts = [[as_rational(v) for v in p] for p in X]
        self.N = len(pts)
        den = math.lcm(1, *{int(v.denominator) for p in pts for v in p})
        ints = np.empty((self.N, len(pts[0]) if pts else 0), dtype=object)
        for i, p in enumerate(pts):
            ints[i] = [int(v.numerator) * (den // int(v.denominator)) for v in p]
        self.D0 = den
        self.ints = ints
        self.X = None
        self.floats_exact = False
        self.B0 = max([abs(int(v)) for v in ints.ravel()] + [0])

    def block(self, s, t):
        """``(hf, eh, ints_or_None)`` for rows ``s:t``."""
        if self.X is not None:
            Xb = self.X[s:t]
            hf = Xb.astype(np.float64)
            return hf, (None if self.floats_exact else _int_float_error(hf)), None
        ints = self.ints[s:t]
        hf = np.empty(ints.shape)
        for idx, v in np.ndenumerate(ints):
            try:
                hf[idx] = v / self.D0  # correctly rounded
            except OverflowError:
                hf[idx] = (math.inf if v > 0 else -math.inf)
        with np.errstate(over="ignore"):
            eh = np.nextafter(np.abs(hf) * 2.0 ** -52, np.inf) + ETA
        return hf, eh, ints

    def residues(self, s, t, basis, k):
        """A callable ``i -> (rows, d)`` loose residues of the integer inputs modulo prime ``i``.

        Float inputs with integers below ``2^52`` are reduced directly; wider ones
        through signed limbs; rational inputs through Python ints.  One buffer is
        reused for all primes.
        """
        if self.ints is not None:
            R = rns.from_ints(self.ints[s:t], basis, k)
            return lambda i: R[i]
        Xb = self.X[s:t]
        buf, tmp = np.empty(Xb.shape), np.empty(Xb.shape)
        if self.span <= 52:
            M = Xb.astype(np.float64)
            if self.e0:
                M *= 2.0 ** -self.e0 if self.e0 >= -1000 else 1.0
                if self.e0 < -1000:
                    M = np.ldexp(M, -self.e0)
            return lambda i: rns.float_int_residue(M, basis, i, buf, tmp)
        nb = limb_count(0, self.span, 0, _LIMB_BITS)
        L = limbs(Xb, self.e0, _LIMB_BITS, nb)
        C = rns.limb_weights(_LIMB_BITS, nb, basis, k)
        return lambda i: rns.limb_residue(L, _LIMB_BITS, basis, i, C, buf, tmp)

    def object_block(self, s, t):
        if self.ints is not None:
            return self.ints[s:t]
        from .dyadic import to_integers
        M, _ = to_integers(self.X[s:t], self.e0)
        return M.astype(object)


def _int_float_error(hf):
    """Rounding error bound of integers above 2^53 converted to float64."""
    with np.errstate(over="ignore"):
        return np.nextafter(np.abs(hf) * 2.0 ** -52, np.inf)


def evaluate_integers(net, X, *, block_rows=2048, max_primes=256):
    """Exact outputs as integer numerators over one common denominator.

    Parameters
    ----------
    net : Network, IntegerNetwork or list of numpy ``(W, b)`` arrays
        Convert once with :func:`.layers.as_integer_network` when evaluating
        the same network many times (residues of the weights are cached there).
    X : ndarray (N, d) of floats or ints, or sequence of rational tuples
    block_rows : int
        Points per block (memory is O(block_rows * width * primes)).
    max_primes : int
        Blocks needing more primes take the exact integer path.

    Returns
    -------
    ExactValues

    Examples
    --------
    >>> from ftcexact.network import Network
    >>> net = Network.from_lists([([[1], [1]], [0, -1]), ([[1, -2]], [0])])
    >>> v = evaluate_integers(net, np.array([[0.0], [1.0], [2.0], [0.5]]))
    >>> v.numerators.ravel().tolist(), v.den
    ([0, 2, 0, 1], 2)
    """
    inet = as_integer_network(net)
    d = inet.layers[0].shape[1]
    if inet.input_dim is None:  # no first-layer rows (a constant network): the inputs are not read
        X = X[:, :0] if isinstance(X, np.ndarray) else [()] * len(X)
    inputs = _Inputs(X, d)
    if inputs.N and (inputs.X.shape[1] if inputs.X is not None else inputs.ints.shape[1]) != d:
        raise ValueError(f"points have the wrong dimension for a network with {d} inputs")
    dens = [inputs.D0]
    for L in inet.layers:
        dens.append(dens[-1] * L.den)
    apriori = [inputs.B0]
    for l, L in enumerate(inet.layers):
        apriori.append(L.row_bound * apriori[-1] + L.bias_bound * dens[l])
    m_out = inet.output_dim
    parts = []
    for s in range(0, inputs.N, block_rows):
        t = min(inputs.N, s + block_rows)
        parts.append(_block(inet, inputs, s, t, dens, apriori, max_primes))
    if not parts:
        return ExactValues(np.zeros((0, m_out), dtype=np.int64), dens[-1])
    if all(p.dtype == np.int64 for p in parts):
        return ExactValues(np.concatenate(parts), dens[-1])
    return ExactValues(np.concatenate([p.astype(object) for p in parts]), dens[-1])


def evaluate_exact(net, X, **kw):
    """Exact ``net(x)`` for every point: a list of tuples of ``Q``, identical to
    :func:`ftcexact.network.evaluate`.

    Examples
    --------
    >>> from ftcexact.network import Network, evaluate
    >>> net = Network.from_lists([([[1], [1]], ["1/3", -1]), ([["1/2", -2]], [0])])
    >>> pts = [[0], ["7/5"], [2]]
    >>> evaluate_exact(net, pts) == evaluate(net, pts)
    True
    >>> evaluate_exact(net, np.array([[0.5]], dtype=np.float32)) == evaluate(net, [[0.5]])
    True

    References
    ----------
    C. Burnikel, S. Funke, M. Seel. *Exact geometric computation using cascading.*
    Int. J. Comput. Geom. Appl. 11(3), 2001 (float filter, then exact fallback).
    """
    return evaluate_integers(net, X, **kw).to_rationals()


def _data_bound(zf, E, D):
    """Exact integer bound ``ceil(max(|zf| + E) D)`` on ``|Z|``, or None if not finite."""
    if zf.size == 0:
        return 0
    with np.errstate(over="ignore", invalid="ignore"):
        top = float(np.max(np.abs(zf) + E))
    if not math.isfinite(top):
        return None
    top = math.nextafter(top, math.inf)  # the sum above was rounded once
    return math.ceil(Fraction(top) * D)


def _block(inet, inputs, s, t, dens, apriori, max_primes):
    basis = inet.basis
    hf, eh, _ = inputs.block(s, t)
    H, k_prev = None, 0
    nonneg = False
    last = len(inet.layers) - 1
    for l, L in enumerate(inet.layers):
        zf, E = L.filter.apply(hf, eh, nonneg=nonneg)
        bound = apriori[l + 1]
        data = _data_bound(zf, E, dens[l + 1])
        if data is not None and data < bound:
            bound = data
        k = basis.count_for(bound)
        if k > max_primes:
            STATS["bigint_blocks"] += 1
            return _bigint_block(inet, inputs, s, t, dens)
        if H is None:
            H = inputs.residues(s, t, basis, k)
        elif k != k_prev:
            H = rns.extend(H, basis, k)
        Wr, br = L.residues(basis, k)
        dmod = rns.canonical(np.array([[dens[l] % p] for p in basis.prime_list(k)], dtype=np.float64), basis)
        bias = rns.canonical(br * dmod, basis)                    # |br dmod| <= ((p-1)/2)^2 < 2^52
        Z = rns.matmul(H, Wr, basis, bias=bias)
        if l == last:
            return rns.to_ints(Z, basis)
        pos, und = decide(zf, E)
        n_und = int(und.sum())
        STATS["filtered"] += zf.size - n_und
        if n_und:
            STATS["exact_signs"] += n_und
            pos[und] = rns.signs(Z[:, und], basis) > 0
        Z *= pos
        H, k_prev = Z, k
        hf = np.where(pos, np.maximum(zf, 0.0), 0.0)   # exact zeros where z <= 0 (also if zf overflowed)
        eh = np.where(pos, E, 0.0)
        nonneg = True
    raise AssertionError("unreachable")


def _bigint_block(inet, inputs, s, t, dens):
    """The exact integer path: Python-int matrix products and exact ReLU."""
    H = inputs.object_block(s, t)
    last = len(inet.layers) - 1
    for l, L in enumerate(inet.layers):
        num, bnum = L.object_numerators()
        Z = H.dot(num.T) if num.size else np.zeros((len(H), num.shape[0]), dtype=object)
        Z = Z + bnum * dens[l]
        if l < last:
            Z = np.where(Z > 0, Z, 0)
        H = Z
    return H.astype(object)
