"""Exact restriction of a ReLU network to a line, walked with filtered floats.

:func:`restrict_to_line_fast` returns a :class:`~ftcexact.analysis.pieces.PiecewiseLinear`
identical to :func:`ftcexact.analysis.pieces.restrict_to_line` (and, with
``segment=(A, B)``, the restriction to ``A <= t <= B``).

The walk (ExactLine, layer by layer)
------------------------------------
On the line ``x(t) = p + t u`` the pre-activations of layer ``l`` on a piece
are affine forms ``z(t) = (A t + C) / D_l`` with *integer* ``A, C`` (per-layer
denominators are cleared as in :mod:`.layers`; ``p`` and ``u`` are put over one
denominator): the first layer gives ``A = num_1 U``, ``C = num_1 P + bnum_1 D_0``,
and on a piece with activation mask ``m`` the next layer gives
``A' = num (m * A)``, ``C' = num (m * C) + bnum D_l``.  No division ever
occurs, so forms are exact integers; they are carried in residue form
(:mod:`.rns`, one exact BLAS product per prime) next to float images with
rigorous error bounds (:mod:`.fpfilter`).  The number of primes of each layer
comes from the rigorous float bound ``(|af| + ea) D_l`` (or, if that
overflows, from the integer row bounds); residues are base-extended when it
grows.  Pieces are delimited by *nodes*:
``-inf``/``+inf`` or the segment ends, and breakpoints ``t = N / M`` (``M > 0``)
that are roots ``-C / A`` of earlier forms, stored as exact Python ints.

Every decision of a hidden layer is a sign:

* ``s_lo``, ``s_hi``: the sign of each neuron's form at the two nodes of its
  piece, ``sign(A N + C M)`` at a breakpoint, ``-+sign(A)`` (or ``sign(C)`` if
  ``A = 0``) at ``-+inf``.  Filter: forms satisfy ``|a - af| <= ea``,
  ``|c - cf| <= ec`` (:mod:`.fpfilter`), a node ``|t - tf| <= et`` where ``tf``
  is the correctly rounded ``N / M``, so ``et = 2^-52 |tf| + eta``; then
  ``|a t + c - fl(fl(af tf) + cf)| <= ea (|tf| + et) + |af| et + ec
  + gamma_2 (|af tf| + |cf|) + eta``.  This bound is evaluated in round to
  nearest (eight operations on nonnegative numbers, so the exact bound is at
  most ``E_f (1 + 9u) + 9 eta``) and inflated once, ``fl(fl(E_f (1 + 2^-48))
  + 2^-1019)``, which exceeds it (the inflation lemma of :mod:`.fpfilter`).
  A sign at ``+-inf`` is filtered by ``|af| > ea``.  Undecided signs are
  computed exactly from the residues (``STATS["exact_signs"]``).
* a neuron crosses zero strictly inside its piece iff ``s_lo s_hi < 0``; its
  root is reconstructed exactly (it becomes a node);
* roots inside one piece are ordered by their floats when the rounded
  intervals ``[tf - et, tf + et]`` are disjoint, otherwise by exact
  cross-multiplication, and equal roots become one node
  (``STATS["exact_orders"]``);
* on the first sub-piece a neuron is on iff ``s_lo > 0`` or
  (``s_lo = 0`` and ``s_hi > 0``) -- i.e. iff its form is positive inside --
  and it toggles at its root.

This is exactly the refinement of :func:`ftcexact.kernel.verify.restrict_to_direction`
(split at the zeros strictly inside each piece, the pattern being the sign
inside), so the pieces and forms agree with it; adjacent pieces whose
*output* forms are identical (equal canonical residues) are merged, which
yields the unique minimal description that :func:`restrict_to_line` returns.

The products of the walk are small, so BLAS threads only add
synchronisation: when threadpoolctl is installed (optional) the walk runs
with one BLAS thread.

References
----------
M. Sotoudeh, A. V. Thakur. *Computing linear restrictions of neural networks.*
NeurIPS 2019 (ExactLine).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from . import rns
from ._threads import single_blas
from .fpfilter import ETA, gamma, up
from .layers import as_integer_network

__all__ = ["restrict_to_line_fast", "STATS"]

#: ``exact_signs``: node signs decided exactly; ``exact_orders``: root comparisons decided exactly;
#: ``filtered``: node signs decided by the float filter.
STATS = Counter()

_G2 = up(gamma(2))
_INFLATE = 1.0 + 2.0 ** -48


def _ru(x):
    return np.nextafter(x, np.inf)


def _rd(x):
    return np.nextafter(x, -np.inf)


def _fdiv(n, m):
    """Correctly rounded ``n / m`` (``m > 0``), infinite on overflow."""
    try:
        return n / m
    except OverflowError:
        return math.inf if n > 0 else -math.inf


class _Nodes:
    """Piece boundaries: kinds (-1: -inf, 0: finite, 1: +inf), exact ``N / M`` (object arrays) and floats."""

    def __init__(self, kind, N, M, tf=None):
        self.kind = np.asarray(kind, dtype=np.int8)
        self.N, self.M = _objects(N), _objects(M)
        if tf is None:
            tf = np.array([_fdiv(int(n), int(m)) if k == 0 else (math.inf if k > 0 else -math.inf)
                           for k, n, m in zip(self.kind, self.N, self.M)], dtype=np.float64)
        self.tf = tf
        with np.errstate(over="ignore", invalid="ignore"):
            et = _ru(np.abs(tf) * 2.0 ** -52) + ETA
        self.et = np.where(np.isfinite(tf), et, np.inf)

    def splice(self, at, kind, N, M, tf):
        """Nodes with new finite ones inserted: ``at`` are their positions in the result (sorted)."""
        n = len(self.kind) + len(at)
        old = np.ones(n, dtype=bool)
        old[at] = False
        K = np.empty(n, dtype=np.int8)
        NN, MM = np.empty(n, dtype=object), np.empty(n, dtype=object)
        T = np.empty(n)
        K[old], NN[old], MM[old], T[old] = self.kind, self.N, self.M, self.tf
        K[at], NN[at], MM[at], T[at] = kind, _objects(N), _objects(M), tf
        return _Nodes(K, NN, MM, T)


def _objects(v):
    if isinstance(v, np.ndarray) and v.dtype == object:
        return v
    out = np.empty(len(v), dtype=object)
    out[:] = list(v)
    return out


class _Forms:
    """Forms ``(A t + C) / D`` of one layer on ``P`` pieces: floats with bounds, and residues."""

    def __init__(self, af, ea, cf, ec, R, D):
        self.af, self.ea, self.cf, self.ec, self.R, self.D = af, ea, cf, ec, R, D

    @property
    def P(self):
        return self.af.shape[0]


def _as_vector(v):
    from ..kernel.numbers import as_rational
    if isinstance(v, np.ndarray):
        v = v.tolist()
    return [as_rational(x) for x in v]


def restrict_to_line_fast(net, point=None, direction=None, segment=None):
    """The exact restriction ``t -> net(point + t * direction)``, fast.

    Parameters
    ----------
    net : Network, IntegerNetwork or list of numpy ``(W, b)`` arrays
    point, direction : sequences of rationals (or numpy float arrays), optional
        As in :func:`ftcexact.analysis.pieces.restrict_to_line`.
    segment : pair of rationals ``(A, B)`` with ``A < B``, optional
        Restrict to ``A <= t <= B``: only breakpoints strictly inside, the
        first and last pieces clipped.

    Returns
    -------
    PiecewiseLinear
        Identical to :func:`ftcexact.analysis.pieces.restrict_to_line` (restricted
        to the segment when one is given).

    Examples
    --------
    >>> from ftcexact.network import Network
    >>> from ftcexact.analysis.pieces import restrict_to_line
    >>> hat = Network.from_lists([([[1], [1], [1]], [0, -1, -2]), ([[1, -2, 1]], [0])])
    >>> restrict_to_line_fast(hat) == restrict_to_line(hat)
    True
    >>> [str(b) for b in restrict_to_line_fast(hat, segment=(0, "3/2")).breakpoints]
    ['1']
    """
    from ..analysis.pieces import PiecewiseLinear
    from ..kernel.numbers import Q
    inet = as_integer_network(net)
    d = inet.input_dim
    if direction is None:
        if d != 1:
            raise ValueError(f"the network has {d} inputs: give a direction for the line")
        direction = [1]
    u = _as_vector(direction)
    p = [Q(0)] * len(u) if point is None else _as_vector(point)
    if d is not None and (len(u) != d or len(p) != d):
        raise ValueError(f"the line must live in R^{d}: point has {len(p)}, direction {len(u)} coordinates")
    if not any(u):
        raise ValueError("the direction of the line must be nonzero")
    if segment is not None:
        lo, hi = _as_vector(segment)
        if not lo < hi:
            raise ValueError("a segment (A, B) needs A < B")
        nodes = _Nodes([0, 0], [int(lo.numerator), int(hi.numerator)], [int(lo.denominator), int(hi.denominator)])
    else:
        nodes = _Nodes([-1, 1], [0, 0], [1, 1])
    with single_blas():
        walk = _Walk(inet, p, u)
        forms = walk.first_layer()
        for l in range(1, inet.depth):
            nodes, parent, mask = walk.split(forms, nodes)
            forms = walk.next_layer(l, forms, parent, mask)
        return walk.result(forms, nodes, PiecewiseLinear, Q)


class _Walk:
    def __init__(self, inet, p, u):
        self.inet = inet
        self.basis = inet.basis
        D0 = math.lcm(1, *(int(v.denominator) for v in p + u))
        self.P0 = [int(v.numerator) * (D0 // int(v.denominator)) for v in p]
        self.U0 = [int(v.numerator) * (D0 // int(v.denominator)) for v in u]
        self.D0 = D0

    # ------------------------------------------------------------------ layers

    def first_layer(self):
        L = self.inet.layers[0]
        num, bnum = L.object_numerators()
        if num.shape[1] != len(self.U0):
            num = np.zeros((num.shape[0], len(self.U0)), dtype=object)
        A = [sum(int(w) * v for w, v in zip(row, self.U0)) for row in num]
        C = [sum(int(w) * v for w, v in zip(row, self.P0)) + int(b) * self.D0 for row, b in zip(num, bnum)]
        D = self.D0 * L.den
        m = len(A)
        af = np.array([[_fdiv(a, D) for a in A]]).reshape(1, m)
        cf = np.array([[_fdiv(c, D) for c in C]]).reshape(1, m)
        with np.errstate(over="ignore", invalid="ignore"):
            ea = _ru(np.abs(af) * 2.0 ** -52) + ETA
            ec = _ru(np.abs(cf) * 2.0 ** -52) + ETA
        k = self.basis.count_for(max([abs(v) for v in A + C] + [0]))
        R = rns.from_ints(np.array([A, C], dtype=object).reshape(2, m), self.basis, k)
        return _Forms(af, ea, cf, ec, R, D)

    def next_layer(self, l, forms, parent, mask):
        """Forms of layer ``l`` on the pieces after the ReLU of layer ``l - 1`` (``parent``, ``mask``)."""
        L = self.inet.layers[l]
        P2 = len(parent)
        hf_a = np.where(mask, forms.af[parent], 0.0)
        eh_a = np.where(mask, forms.ea[parent], 0.0)
        hf_c = np.where(mask, forms.cf[parent], 0.0)
        eh_c = np.where(mask, forms.ec[parent], 0.0)
        af, ea = L.filter.apply(hf_a, eh_a, bias=False)
        cf, ec = L.filter.apply(hf_c, eh_c)
        D = forms.D * L.den
        k = self.basis.count_for(self._bound(l, forms, af, ea, cf, ec, D))
        R = forms.R
        if k > R.shape[0]:
            R = rns.extend(R, self.basis, k)                           # needs |A|, |C| <= P_k_old / 4: true
        R = R[:k]
        P = forms.P
        rows = np.concatenate([parent, P + parent])
        H = np.take(R, rows, axis=1)
        H *= np.concatenate([mask, mask])                                 # masked loose residues (k, 2 P2, m)
        Wr, br = L.residues(self.basis, k)
        Z = np.matmul(H, Wr)                                             # exact (see rns)
        dmod = rns.canonical(np.array([[forms.D % q] for q in self.basis.prime_list(k)], dtype=np.float64),
                             self.basis)
        Z[:, P2:, :] += rns.canonical(br * dmod, self.basis)[:, None, :]
        rns.reduce(Z, self.basis, out=Z)
        return _Forms(af, ea, cf, ec, Z, D)

    def _bound(self, l, forms, af, ea, cf, ec, D):
        """Exact integer bound on ``|A|, |C|`` of layer ``l``: from the floats, else a-priori."""
        from fractions import Fraction
        with np.errstate(over="ignore", invalid="ignore"):
            tops = [float(np.max(np.abs(af) + ea, initial=0.0)), float(np.max(np.abs(cf) + ec, initial=0.0))]
        if all(math.isfinite(t) for t in tops):      # (NaN included: Python's max would ignore it)
            return math.ceil(Fraction(math.nextafter(max(tops), math.inf)) * D)
        L = self.inet.layers[l]
        prev = self.basis.product(forms.R.shape[0]) // 4   # |A|, |C| of the previous layer are below this
        return L.row_bound * prev + L.bias_bound * forms.D

    # ------------------------------------------------------------------ exact helpers

    def _ints(self, forms, rows, cols):
        """Python ints of the residues ``forms.R[:, rows, cols]``."""
        if len(rows) == 0:
            return []
        v = rns.to_ints(forms.R[:, rows, cols], self.basis)
        return [int(x) for x in v]

    # ------------------------------------------------------------------ signs at nodes

    def _node_signs(self, forms, nodes, which):
        """Exact signs ``(P, m)`` of every form of piece ``j`` at node ``which[j]``."""
        af, ea, cf, ec = forms.af, forms.ea, forms.cf, forms.ec
        kind = nodes.kind[which][:, None]
        tf = nodes.tf[which][:, None]
        et = nodes.et[which][:, None]
        with np.errstate(over="ignore", invalid="ignore"):
            prod = af * tf
            zf = prod + cf
            # E_f: eight roundings of sums and products of nonnegative numbers, so the exact bound is at most
            # E_f (1 + 9u) + 9 eta; the final fl(fl(E_f (1 + 2^-48)) + 2^-1019) covers it (fpfilter header).
            E = ea * (np.abs(tf) + et) + np.abs(af) * et + ec + _G2 * (np.abs(prod) + np.abs(cf))
            E = E * _INFLATE + 2.0 ** -1019
            fin = np.where(zf > E, 1, np.where(zf < -E, -1, 0)).astype(np.int8)
            fin_ok = (fin != 0) & np.isfinite(zf) & np.isfinite(E)
            slope = np.where(af > ea, 1, np.where(af < -ea, -1, 0)).astype(np.int8)
            slope_ok = (slope != 0) & np.isfinite(af) & np.isfinite(ea)
        s = np.where(kind == 0, fin, np.where(kind < 0, -slope, slope)).astype(np.int8)
        ok = np.where(kind == 0, fin_ok, slope_ok)
        und = ~ok
        n_und = int(und.sum())
        STATS["filtered"] += s.size - n_und
        if n_und:
            STATS["exact_signs"] += n_und
            pj, kj = np.nonzero(und)
            AC = self._ints(forms, np.concatenate([pj, forms.P + pj]), np.concatenate([kj, kj]))
            A, C = AC[:len(pj)], AC[len(pj):]
            out = []
            for j, a, c in zip(pj, A, C):
                v = which[j]
                kd = int(nodes.kind[v])
                if kd == 0:
                    x = a * int(nodes.N[v]) + c * int(nodes.M[v])
                else:
                    x = kd * a if a else c
                out.append((x > 0) - (x < 0))
            s[pj, kj] = out
        return s

    # ------------------------------------------------------------------ one ReLU layer

    def split(self, forms, nodes):
        """Refine the pieces at the zeros of the forms; return ``(nodes, parent, mask)`` of the new pieces."""
        P = forms.P
        m = forms.af.shape[1]
        if m == 0:
            return nodes, np.arange(P), np.zeros((P, 0), dtype=bool)
        s_lo = self._node_signs(forms, nodes, np.arange(P))
        s_hi = self._node_signs(forms, nodes, np.arange(1, P + 1))
        base = (s_lo > 0) | ((s_lo == 0) & (s_hi > 0))
        pj, kj = np.nonzero((s_lo.astype(np.int16) * s_hi) < 0)
        if len(pj) == 0:
            return nodes, np.arange(P), base
        AC = self._ints(forms, np.concatenate([pj, P + pj]), np.concatenate([kj, kj]))
        A, C = AC[:len(pj)], AC[len(pj):]
        N = [-c if a > 0 else c for a, c in zip(A, C)]
        M = [abs(a) for a in A]
        tf = np.array([_fdiv(n, mm) for n, mm in zip(N, M)])
        with np.errstate(over="ignore", invalid="ignore"):
            et = _ru(np.abs(tf) * 2.0 ** -52) + ETA
        order = np.lexsort((tf, pj))                                       # by piece, then by float root
        perm, new = self._exact_order(pj[order], tf[order], et[order], [N[i] for i in order], [M[i] for i in order])
        order = order[perm]
        pj, kj, tf = pj[order], kj[order], tf[order]
        N = [N[i] for i in order]
        M = [M[i] for i in order]
        new[0] = True
        new[1:] |= pj[1:] != pj[:-1]
        counts = np.bincount(pj[new], minlength=P)                          # distinct roots inside each piece
        start = np.concatenate([[0], np.cumsum(counts + 1)[:-1]])           # first new piece of each old piece
        parent = np.repeat(np.arange(P), counts + 1)
        P2 = len(parent)
        distinct = np.cumsum(new) - 1                                       # index of the distinct root
        first_of_piece = np.concatenate([[0], np.cumsum(counts)[:-1]])
        local = distinct - first_of_piece[pj]                               # 0-based rank inside the piece
        at = (start[pj] + local + 1)[new]                                   # node index of each distinct root
        keep = np.nonzero(new)[0]
        new_nodes = nodes.splice(at, 0, [N[i] for i in keep], [M[i] for i in keep], tf[new])
        # masks: the parent's first-sub-piece pattern, toggled at every root passed inside the parent
        T = np.zeros((P2, m), dtype=np.int32)
        np.add.at(T, (start[pj] + local + 1, kj), 1)
        S = np.cumsum(T, axis=0)
        offs = np.zeros((P, m), dtype=S.dtype)
        later = start > 0
        offs[later] = S[start[later] - 1]
        mask = base[parent] ^ ((S - offs[parent]) % 2).astype(bool)
        return new_nodes, parent, mask

    def _exact_order(self, pj, tf, et, N, M):
        """Exact order of roots sorted by piece and float value.

        Returns ``(perm, new)``: ``perm`` reorders them exactly, ``new[i]`` says
        that position ``i`` holds a root different from position ``i - 1``.
        Root ``i`` is surely after root ``i - 1`` (same piece) when
        ``RD(tf_i - et_i) > RU(tf_(i-1) + et_(i-1))``; ``t -> RU(t + et(t))`` and
        ``t -> RD(t - et(t))`` are nondecreasing, so a sure step also separates
        the root from every earlier one and only runs of unsure neighbours need
        exact sorting (cross-multiplication of the exact ``N / M``).
        """
        n = len(pj)
        with np.errstate(over="ignore", invalid="ignore"):
            hi = _ru(tf + et)
            lo = _rd(tf - et)
        sure = np.ones(n, dtype=bool)
        sure[1:] = (pj[1:] != pj[:-1]) | (lo[1:] > hi[:-1])
        perm = np.arange(n)
        new = sure.copy()
        if sure.all():
            return perm, new
        from functools import cmp_to_key
        key = cmp_to_key(lambda x, y: _cmp(N[x], M[x], N[y], M[y]))
        starts = np.nonzero(sure)[0].tolist() + [n]
        for a, b in zip(starts, starts[1:]):
            if b - a < 2:
                continue
            STATS["exact_orders"] += b - a - 1
            idx = sorted(range(a, b), key=key)
            perm[a:b] = idx
            for pos in range(a + 1, b):
                new[pos] = _cmp(N[idx[pos - a - 1]], M[idx[pos - a - 1]], N[idx[pos - a]], M[idx[pos - a]]) != 0
        return perm, new

    # ------------------------------------------------------------------ output

    def result(self, forms, nodes, PiecewiseLinear, Q):
        P, m = forms.af.shape
        k = forms.R.shape[0]
        Rc = rns.canonical(forms.R, self.basis).reshape(k, 2, P, m)
        keep = np.ones(P, dtype=bool)
        if P > 1:
            same = np.all(Rc[:, :, 1:, :] == Rc[:, :, :-1, :], axis=(0, 1, 3))
            keep[1:] = ~same
        pieces = np.nonzero(keep)[0]
        rows = np.repeat(pieces, m)
        cols = np.tile(np.arange(m), len(pieces))
        AC = self._ints(forms, np.concatenate([rows, P + rows]), np.concatenate([cols, cols]))
        A, C = AC[:len(rows)], AC[len(rows):]
        D = forms.D
        slopes = tuple(tuple(Q(a, D) for a in A[i * m:(i + 1) * m]) for i in range(len(pieces)))
        intercepts = tuple(tuple(Q(c, D) for c in C[i * m:(i + 1) * m]) for i in range(len(pieces)))
        bps = tuple(Q(int(nodes.N[j]), int(nodes.M[j])) for j in pieces[1:])  # node j starts piece j
        return PiecewiseLinear(bps, slopes, intercepts)


def _cmp(n1, m1, n2, m2):
    """Sign of ``n1/m1 - n2/m2`` (``m1, m2 > 0``)."""
    x = n1 * m2 - n2 * m1
    return (x > 0) - (x < 0)
