"""A ReLU network in the integer form the fast exact routines work on.

Layer ``l`` of a :class:`ftcexact.network.Network` is stored as integer
numerators over one positive common denominator, ``W = num / den`` and
``b = bnum / den`` (the same clearing of denominators as
:func:`ftcexact.network.evaluate`), together with

* float64 images ``Wf, bf`` and their conversion error (exact for float
  models, correctly rounded otherwise) and the :class:`.fpfilter.AffineFilter`
  built from them;
* exact a-priori magnitude data: ``row_bound = max_i sum_j |num_ij|`` and
  ``bias_bound = max_i |bnum_i|`` (Python ints), from which the number of
  primes of an exact product is computed when the float filter cannot give a
  tighter bound;
* residues of ``num`` and ``bnum`` modulo the primes of a :class:`.rns.Basis`,
  computed on first use and cached.

Numerators are kept as float64 arrays when every one is at most ``2^52`` in
magnitude (so the residue code can reduce them directly), else as ``object``
arrays of Python ints (constructions with thousands of bits).

:meth:`IntegerNetwork.from_network` converts exact ``Q`` weights;
:meth:`IntegerNetwork.from_arrays` takes numpy float (or integer) arrays
directly, vectorised, which is how float models should be passed.

References
----------
Sohn et al. 2024 and Yun et al. 2019 (the networks whose values are certified);
the per-layer clearing of denominators follows :func:`ftcexact.network.evaluate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import rns
from .dyadic import exponent_range, to_integers
from .fpfilter import ETA, AffineFilter

__all__ = ["IntegerLayer", "IntegerNetwork", "as_integer_network"]

_FIT = 1 << 52


def _abs_row_max(num):
    """``max_i sum_j |num_ij|`` and ``max |num|`` exactly (Python ints)."""
    if num.size == 0:
        return 0, 0
    if num.dtype == object:
        rows = [sum(abs(int(v)) for v in row) for row in num]
        return max(rows) if rows else 0, max(abs(int(v)) for v in num.ravel())
    A = np.abs(num).astype(np.int64)  # exact: |num| <= 2^52
    if num.shape[1] < 1 << 10:
        return int(A.sum(axis=1).max()), int(A.max())
    return max(sum(int(v) for v in row) for row in A.astype(object)), int(A.max())


def _store(ints):
    """float64 if every entry fits ``2^52``, else an object array of Python ints."""
    if ints.dtype != object:
        if ints.size == 0 or int(np.abs(ints).max()) <= _FIT:
            return ints.astype(np.float64)
        return ints.astype(object)
    if ints.size == 0 or max(abs(int(v)) for v in ints.ravel()) <= _FIT:
        return np.array([float(int(v)) for v in ints.ravel()], dtype=np.float64).reshape(ints.shape)
    return ints


@dataclass(eq=False)
class IntegerLayer:
    """One affine layer ``x -> (num x + bnum) / den`` with its float image and residue cache."""

    num: np.ndarray
    bnum: np.ndarray
    den: int
    Wf: np.ndarray
    bf: np.ndarray
    rho: float = 0.0
    eta_w: float = 0.0
    filter: AffineFilter = field(init=False)
    row_bound: int = field(init=False)
    bias_bound: int = field(init=False)
    _res: dict = field(init=False, default_factory=dict)

    def __post_init__(self):
        self.filter = AffineFilter(self.Wf, self.bf, self.rho, self.eta_w)
        self.row_bound, _ = _abs_row_max(self.num)
        self.bias_bound = _abs_row_max(self.bnum.reshape(-1, 1))[1] if self.bnum.size else 0

    @property
    def shape(self):
        return self.num.shape

    def residues(self, basis, k):
        """Canonical residues ``(W^T (k, n, m), b (k, m))`` of the numerators modulo ``k`` primes."""
        key = (id(basis), k)
        if key not in self._res:
            have = [kk for (bid, kk) in self._res if bid == id(basis) and kk >= k]
            if have:
                W, b = self._res[(id(basis), min(have))]
                self._res[key] = (W[:k], b[:k])
            else:
                self._res[key] = (self._residues(self.num.T, basis, k), self._residues(self.bnum, basis, k))
        return self._res[key]

    @staticmethod
    def _residues(V, basis, k):
        V = np.ascontiguousarray(V) if V.dtype != object else V
        if V.dtype == object:
            return np.ascontiguousarray(rns.from_ints(V, basis, k))
        return np.ascontiguousarray(rns.from_float_ints(V, basis, k))

    def object_numerators(self):
        """``(num, bnum)`` as object arrays of Python ints (the exact integer path)."""
        def obj(a):
            return a if a.dtype == object else a.astype(np.int64).astype(object)
        return obj(self.num), obj(self.bnum)


def _float_images(nums, den):
    """Float64 images of ``nums / den`` and ``(rho, eta_w)`` (exact when that is provable)."""
    if nums.dtype != object and den & (den - 1) == 0:
        s = den.bit_length() - 1
        if s <= 1074:  # integers below 2^52 times 2^-s: representable (lowest bit >= 2^-1074)
            return np.ldexp(nums, -s), 0.0, 0.0
    flat = [int(v) for v in nums.ravel()]
    out = np.empty(len(flat))
    for i, v in enumerate(flat):
        try:
            out[i] = v / den  # correctly rounded (CPython int true division)
        except OverflowError:
            out[i] = (math.inf if v > 0 else -math.inf)
    return out.reshape(nums.shape), 2.0 ** -52, ETA


def _layer_from_ints(num, bnum, den):
    num, bnum = _store(num), _store(bnum)
    both = np.concatenate([num.ravel(), bnum.ravel()]) if num.dtype == bnum.dtype else None
    if both is not None:
        imgs, rho, eta = _float_images(both, den)
        Wf, bf = imgs[:num.size].reshape(num.shape), imgs[num.size:]
    else:
        Wf, rho1, eta1 = _float_images(num, den)
        bf, rho2, eta2 = _float_images(bnum, den)
        rho, eta = max(rho1, rho2), max(eta1, eta2)
    return IntegerLayer(num, bnum, den, Wf, bf, rho, eta)


class IntegerNetwork:
    """All layers of a network in integer form (see the module header).

    Examples
    --------
    >>> from ftcexact.network import Network
    >>> net = Network.from_lists([([["1/2", 1]], ["1/3"])])
    >>> L = IntegerNetwork.from_network(net).layers[0]
    >>> L.num.tolist(), L.bnum.tolist(), L.den
    ([[3.0, 6.0]], [2.0], 6)
    """

    def __init__(self, layers, input_dim):
        self.layers = list(layers)
        self.input_dim = input_dim
        widths = [input_dim or 0] + [L.shape[0] for L in self.layers]
        self.basis = rns.basis_for(max([1] + [L.shape[1] for L in self.layers]))
        self.widths = widths

    @property
    def depth(self):
        return len(self.layers)

    @property
    def output_dim(self):
        return self.layers[-1].shape[0]

    @classmethod
    def from_network(cls, net):
        """From a :class:`ftcexact.network.Network` with exact ``Q`` weights."""
        layers = []
        n_in = net.input_dim if net.input_dim is not None else 0
        for W, b in net.layers:
            m = len(W)
            vals = [v for row in W for v in row] + list(b)
            nums = [int(v.numerator) for v in vals]
            dens = [int(v.denominator) for v in vals]
            den = math.lcm(1, *set(dens))
            ints = [p if q == den else p * (den // q) for p, q in zip(nums, dens)]
            arr = np.empty(len(ints), dtype=object)
            arr[:] = ints
            num = arr[:m * n_in].reshape(m, n_in)
            layers.append(_layer_from_ints(num, arr[m * n_in:], den))
            n_in = m
        return cls(layers, net.input_dim)

    @classmethod
    def from_arrays(cls, arrays):
        """From numpy arrays ``[(W, b), ...]`` (float16/32/64 or integer), exactly and vectorised.

        Examples
        --------
        >>> W, b = np.array([[0.5, -1.0]], dtype=np.float32), np.array([0.25], dtype=np.float32)
        >>> L = IntegerNetwork.from_arrays([(W, b)]).layers[0]
        >>> L.num.tolist(), L.bnum.tolist(), L.den
        ([[2.0, -4.0]], [1.0], 4)
        """
        layers = []
        n_in = None
        for W, b in arrays:
            W, b = np.asarray(W), np.asarray(b)
            if W.ndim != 2 or b.shape != (W.shape[0],):
                raise ValueError(f"layer shapes {W.shape} and {b.shape} do not fit")
            if n_in is not None and W.shape[1] != n_in:
                raise ValueError(f"a layer with {W.shape[1]} inputs after a layer of width {n_in}")
            lo = [r[0] for r in (exponent_range(W), exponent_range(b)) if r is not None]
            e = min(lo + [0])
            num, _ = to_integers(W, e)
            bnum, _ = to_integers(b, e)
            layers.append(_layer_from_ints(num, bnum, 1 << (-e)))
            n_in = W.shape[0]
        return cls(layers, arrays[0][0].shape[1] if len(arrays) else None)

    def to_network(self):
        """The exact :class:`ftcexact.network.Network` (for tests and for the slow reference code)."""
        from ..kernel.numbers import Q
        from ..network import Network
        out = []
        for L in self.layers:
            num, bnum = L.object_numerators()
            out.append((tuple(tuple(Q(int(v), L.den) for v in row) for row in num),
                        tuple(Q(int(v), L.den) for v in bnum)))
        return Network(tuple(out))


def as_integer_network(net):
    """``net`` if already an :class:`IntegerNetwork`, else converted (``Network`` or array list).

    Convert once and reuse the result: the residues of the weights are cached on it.

    Examples
    --------
    >>> inet = as_integer_network([(np.eye(2, dtype=np.float32), np.zeros(2, dtype=np.float32))])
    >>> as_integer_network(inet) is inet, inet.output_dim
    (True, 2)
    """
    if isinstance(net, IntegerNetwork):
        return net
    if hasattr(net, "layers") and hasattr(net, "input_dim"):
        return IntegerNetwork.from_network(net)
    return IntegerNetwork.from_arrays(net)
