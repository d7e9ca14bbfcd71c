"""Rigorous floating-point filters for affine layers and for signs of affine forms.

A filter computes a float64 approximation together with an upper bound on its
error, so that a sign is *decided* by floats only when the approximation is
farther from zero than the bound; every other entry is left undecided and is
decided by exact arithmetic (:mod:`.rns`).  Nothing here ever decides a sign
on its own: callers must treat undecided entries exactly.

Model of floating-point arithmetic
----------------------------------
IEEE binary64, round to nearest, ``u = 2^-53``, ``eta = 2^-1074`` (the least
positive subnormal).  Without overflow every operation satisfies
``fl(a op b) = (a op b)(1 + d) + e`` with ``|d| <= u``, ``|e| <= eta / 2``, and
``e = 0`` for additions and subtractions (Higham 2002, section 2.1 and the
underflow model of Demmel 1984).  ``gamma_n = n u / (1 - n u)``.

Lemma 1 (sums).  A sum of ``n + 1`` terms ``sum_j x_j y_j + b``, computed in
*any* order by a classical BLAS kernel (with or without fused multiply-add),
differs from the exact value by at most
``gamma_(n+1) (sum_j |x_j y_j| + |b|) + (n + 1) eta``: each term takes part in
at most ``n + 1`` roundings (Higham 2002, Lemma 3.1 and eq. (3.5)); each of the
at most ``n + 1`` operations adds at most ``eta / 2`` in absolute value, later
multiplied by at most ``(1 + u)^(n+1) <= 2``.  A sum of nonnegative terms
computes at least ``(1 - gamma_n)`` times the exact sum (no absolute part:
the products are exact or the absolute part is counted separately).

Lemma 2 (overflow).  If an intermediate result overflows, the computed entry
is ``+-inf`` or NaN: a classical kernel only adds products, ``inf + finite =
inf``, ``inf - inf = NaN``, and products with a zero factor that a BLAS may
skip are exactly zero anyway.  Hence every decision below also requires the
computed value and its bound to be finite.

Affine layers (:class:`AffineFilter`)
------------------------------------
Exact ``z = W h + b`` (``n`` inputs), data ``hf`` with ``|hf_j - h_j| <= eh_j``,
float weights with ``|W_ij - Wf_ij| <= rho |Wf_ij| + eta_W`` and
``|b_i - bf_i| <= rho |bf_i| + eta_W`` (``rho = eta_W = 0`` when the weights
are floats, ``rho = 2u``, ``eta_W = eta`` when they are correctly rounded
rationals).  Write ``z - fl(Wf hf + bf) = (W - Wf) h + Wf (h - hf) + (b - bf)
+ [rounding]`` and use ``|h_j| <= |hf_j| + eh_j`` and Lemma 1:

``|zf_i - z_i| <= sum_j |Wf_ij| v_j + c |bf_i| + eta_W (sum_j (|hf_j| + eh_j) + 1) + (n + 1) eta``

with ``c = gamma_(n+1) + rho`` and ``v_j = c |hf_j| + (1 + rho) eh_j``.  The
filter uses the cheap Hoelder bound ``sum_j |Wf_ij| v_j <= S_i max_j v_j``
(``S_i = sum_j |Wf_ij|``), so that the bound costs ``O(N (n + m))`` instead of
a second matrix product; ``max_j v_j <= c max|hf| + (1 + rho) max eh``.  As
``c >= u``, ``eta_W n (max|hf| + max eh) <= (n 2^-1021) max_j v_j``, which is
absorbed into ``S_i``.  Every constant is rounded upward (``nextafter``
after each operation on the short vectors; ``S_i`` is the computed row sum
times ``K_n >= 1 / (1 - gamma_n)``).  The final ``N x m`` bound
``E = fl(fl(S'_i V_p) + B'_i)`` uses ``S' >= S (1 + 4u)`` and
``B' >= B (1 + 4u) + 2^-1020``: then ``E >= S V + B`` in both the normal and
the underflow case (a product below ``2^-1022`` loses at most ``eta / 2``,
which the ``2^-1020`` absorbs), without a per-entry ``nextafter``.

ReLU is 1-Lipschitz, so ``|relu(zf) - relu(z)| <= E`` propagates the bound; an
entry known (exactly) to be ``<= 0`` becomes an exact zero with bound 0.

References
----------
N. J. Higham. *Accuracy and Stability of Numerical Algorithms*, 2nd ed., SIAM,
2002 (sections 2.1, 3.1).
J. W. Demmel. *Underflow and the reliability of numerical software.* SIAM J.
Sci. Stat. Comput. 5(4), 1984.
H. Broennimann, C. Burnikel, S. Pion. *Interval arithmetic yields efficient
dynamic filters for computational geometry.* Discrete Appl. Math. 109, 2001
(filtered predicates, as in CGAL's filtered kernels).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

__all__ = ["U", "ETA", "up", "gamma", "AffineFilter", "decide"]

U = 2.0 ** -53
ETA = 2.0 ** -1074
_TINY = 2.0 ** -1020
_GROW = 1.0 + 2.0 ** -50  # 1 + 8u >= 1 + 4u, exactly representable


def up(x):
    """A float ``>= x`` for an exact ``Fraction`` or int ``x >= 0`` (one ulp above the rounded value).

    Examples
    --------
    >>> up(Fraction(1, 3)) > 1 / 3
    True
    """
    f = float(x)
    return math.nextafter(f, math.inf) if f != math.inf else f


def gamma(n):
    """``gamma_n = n u / (1 - n u)`` as an exact ``Fraction``.

    Examples
    --------
    >>> gamma(1) == Fraction(1, 2 ** 53 - 1)
    True
    """
    nu = Fraction(n, 1 << 53)
    if nu >= Fraction(1, 2):
        raise ValueError("dimension too large for the floating-point filter")
    return nu / (1 - nu)


def _ru(x):
    """Round an array (or float) computed by one rounding up past the exact value."""
    return np.nextafter(x, np.inf)


class AffineFilter:
    """Error bound of ``fl(hf @ Wf.T + bf)`` for one affine layer (module header).

    Parameters
    ----------
    Wf : ndarray, shape (m, n)
    bf : ndarray, shape (m,)
    rho, eta_w : float
        Conversion error of the weights: ``|W - Wf| <= rho |Wf| + eta_w``.

    Examples
    --------
    >>> F = AffineFilter(np.array([[1.0, -1.0]]), np.array([0.0]))
    >>> zf, E = F.apply(np.array([[1.0, 1.0], [3.0, 1.0]]))
    >>> zf.ravel().tolist(), bool(E[0, 0] < 1e-14), decide(zf, E)[0].ravel().tolist()
    ([0.0, 2.0], True, [False, True])
    """

    def __init__(self, Wf, bf, rho=0.0, eta_w=0.0):
        self.Wf = np.ascontiguousarray(Wf, dtype=np.float64)
        self.WfT = np.ascontiguousarray(self.Wf.T)
        self.bf = np.asarray(bf, dtype=np.float64)
        m, n = self.Wf.shape
        self.n = n
        self.c = up(gamma(n + 1) + Fraction(rho))
        self.one_rho = up(1 + Fraction(rho))
        K = up(1 / (1 - gamma(max(n, 1))))
        with np.errstate(over="ignore", invalid="ignore"):
            S = _ru(K * np.abs(self.Wf).sum(axis=1)) if n else np.zeros(m)
            if eta_w:
                S = _ru(S + n * 2.0 ** -1021)
            self.S = _ru(S * _GROW)
            tail = up(Fraction(eta_w) + (n + 1) * Fraction(ETA))
            B = _ru(_ru(self.c * np.abs(self.bf)) + tail)
            self.B = _ru(_ru(B * _GROW) + _TINY)
            self.B0 = np.full(m, _ru(_ru(tail * _GROW) + _TINY))   # the same without a bias

    def apply(self, hf, eh=None, nonneg=False, bias=True):
        """``(zf, E)``: float pre-activations and bounds with ``|zf - z| <= E`` (or non-finite).

        ``hf`` has shape (N, n); ``eh`` is the bound on ``|hf - h|`` (``None``
        when ``hf`` is exact); ``nonneg`` says ``hf >= 0`` (skips an ``abs``);
        ``bias=False`` computes ``Wf hf`` alone (the linear part of the layer).
        """
        with np.errstate(over="ignore", invalid="ignore"):
            zf = hf @ self.WfT
            if bias:
                zf += self.bf
            if self.n:
                hmax = (hf if nonneg else np.abs(hf)).max(axis=1)
                V = _ru(self.c * hmax)
                if eh is not None:
                    V = _ru(V + _ru(self.one_rho * eh.max(axis=1)))
            else:
                V = np.zeros(len(hf))
            E = np.multiply.outer(V, self.S)
            E += self.B if bias else self.B0
        return zf, E


def decide(zf, E):
    """``(positive, undecided)`` boolean arrays: ``zf > E`` proves ``z > 0``, ``zf < -E`` proves ``z < 0``.

    Entries with a non-finite ``zf`` or ``E`` are undecided (Lemma 2).

    Examples
    --------
    >>> pos, und = decide(np.array([1.0, -1.0, 1e-20, np.inf]), np.array([1e-15, 1e-15, 1e-15, 1.0]))
    >>> pos.tolist(), und.tolist()
    ([True, False, False, False], [False, False, True, True])
    """
    pos = zf > E
    neg = zf < -E
    if not (np.isfinite(zf).all() and np.isfinite(E).all()):
        ok = np.isfinite(zf) & np.isfinite(E)
        pos &= ok
        neg &= ok
    return pos, ~(pos | neg)
