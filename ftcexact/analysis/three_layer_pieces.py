"""The exact maximum number of affine pieces of a two-hidden-layer ReLU network on a line.

A network with hidden widths ``(d1, d2)`` restricted to a line is
``t -> W3 relu(z(t)) + b3`` with second-layer pre-activations
``z_j(t) = sum_i W2[j, i] relu(a_i t + b_i) + b2[j]``.  The theorem proved in
``docs/theorems/three-layer-pieces.md`` (and checked by
``proofs/open_three_layer_pieces.py``) is that the largest number of pieces is

* ``1`` if ``d1 = 0`` or ``d2 = 0``;
* ``d1 (d2 + 1) + 1`` if ``d1`` is 1 or 2;
* ``d1 + 2 + ceil(d1 / 2)`` if ``d1 >= 3`` and ``d2 = 1``;
* ``(d1 + 1)(d2 + 1)`` if ``d1 >= 3`` and ``d2 >= 2``,

for any output dimension.  This module holds the formula
(:func:`piece_maximum`, :func:`piece_maximum_total`), the networks attaining it
(:func:`extremal_network`), the piece-count certificates that record them
(:func:`piece_count_certificate`, :func:`check_piece_count_certificate`), and the
exact quantities the upper-bound proof reasons about, so that its lemmas can be
tested: the first layer's kinks and each ``z_j`` on its pieces
(:func:`preactivations`), the zero crossings of a ``z_j`` inside the open
first-layer pieces (:func:`crossings`), the breakpoint budget of Lemma 1
(:func:`breakpoint_budget`), the sign-sequence count of Lemma 3
(:func:`sign_pattern_score`), and the exact decision of Lemma 2 on which kink
orientations let one ``z_j`` change sign in every piece
(:func:`full_alternation_witness`).

Everything is exact (:data:`ftcexact.kernel.numbers.Q`); nothing here samples.
The piece counts of networks come from :func:`ftcexact.analysis.pieces.count_pieces`;
the lemma quantities are computed independently of it, from the weights.

References
----------
C. Yun, S. Sra, A. Jadbabaie. Small ReLU networks are powerful memorizers. NeurIPS 2019,
Theorem 3.3 (the count ``2 d1 d2 + d2 + 1`` that this replaces).
J. Sohn, D. Kwon, S. An, K. Lee. Memorization capacity for additive fine-tuning with small ReLU
networks. UAI 2024, Theorem 5.1 (its lower bound uses that count).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..kernel.claims import three_layer_pieces
from ..kernel.numbers import Q
from ..kernel.verify import FORMAT
from ..network import Network, network_from_json, network_to_json
from .pieces import count_pieces

__all__ = ["piece_maximum", "piece_maximum_total", "extremal_network", "PIECE_COUNT_VERSION",
           "piece_count_certificate", "check_piece_count_certificate", "certificate_filename",
           "write_certificates", "Preactivations", "preactivations", "crossings", "breakpoint_budget",
           "sign_pattern_score", "sign_pattern_maximum", "full_alternation_witness", "alternating_network",
           "max_crossings"]

#: Version of the ``piece-count`` certificate format (the kernel's checker for it is pending).
PIECE_COUNT_VERSION = 2


# ------------------------------------------------------------------ the theorem


def piece_maximum(d1, d2):
    """The largest number of affine pieces on a line of a ReLU network with hidden widths ``(d1, d2)``.

    Parameters
    ----------
    d1, d2 : int
        Widths of the first and second hidden layer (non-negative).

    Returns
    -------
    int
        ``1`` if ``d1 = 0`` or ``d2 = 0``; ``d1 (d2 + 1) + 1`` if ``d1 <= 2``;
        ``d1 + 2 + ceil(d1 / 2)`` if ``d1 >= 3, d2 = 1``; ``(d1 + 1)(d2 + 1)`` otherwise.

    Examples
    --------
    >>> [piece_maximum(d1, 1) for d1 in range(1, 7)]
    [3, 5, 7, 8, 10, 11]
    >>> piece_maximum(2, 3), piece_maximum(3, 2), piece_maximum(8, 8)
    (9, 12, 81)

    References
    ----------
    docs/theorems/three-layer-pieces.md (upper bound: Lemmas 1-3; attained by :func:`extremal_network`).
    """
    if d1 < 0 or d2 < 0:
        raise ValueError(f"widths must be non-negative, got ({d1}, {d2})")
    return three_layer_pieces(d1, d2)  # the formula the kernel checks certificates against


def piece_maximum_total(m):
    """The largest number of pieces on a line with ``m`` ReLUs in two hidden layers (best split ``d1 + d2 = m``).

    Equal to ``1, 1, 3, 5, 7`` for ``m = 0, ..., 4`` and to ``floor((m + 2)^2 / 4)`` for ``m >= 5``
    (the balanced split ``d1 = ceil(m/2) >= 3``, ``d2 = floor(m/2) >= 2`` attains the product bound
    ``(d1 + 1)(d2 + 1)``, which no split exceeds).

    Examples
    --------
    >>> [piece_maximum_total(m) for m in range(10)]
    [1, 1, 3, 5, 7, 12, 16, 20, 25, 30]
    >>> all(piece_maximum_total(m) == max(piece_maximum(d, m - d) for d in range(m + 1)) for m in range(60))
    True
    """
    if m < 0:
        raise ValueError(f"m must be non-negative, got {m}")
    return (1, 1, 3, 5, 7)[m] if m <= 4 else (m + 2) ** 2 // 4


# ------------------------------------------------------------------ the networks attaining it


def _zigzag_first_layer(d1):
    """Kinks at t = 1..d1, unit 3 left-facing and the others right-facing, and the slope changes
    ``delta`` that make ``z*(t) = sum_k delta_k u_k(t) + 9`` take the value ``(-1)^(k+1)`` at kink k
    with slopes 4, -2, 2, -2, ... (so z* crosses zero once in each of the d1 + 1 pieces)."""
    W1, b1, delta = [], [], []
    for k in range(1, d1 + 1):
        if k == 3:
            W1.append([-1])
            b1.append(3)
        else:
            W1.append([1])
            b1.append(-k)
        delta.append(-6 if k == 1 else 4 * (-1) ** k)
    return W1, b1, delta


def extremal_network(d1, d2):
    """A network with one input, hidden widths ``(d1, d2)``, one output and :func:`piece_maximum` pieces on ``t -> t``.

    Construction (docs/theorems/three-layer-pieces.md, §3):

    * ``d1 <= 2``: first layer ``relu(t)`` (``d1 = 1``) or ``relu(-t), relu(t - 1)`` (``d1 = 2``);
      ``z_j = j - (sum of the first layer)``, ``j = 1..d2``; output ``sum_j relu(z_j)``.
      Each ``z_j`` is positive at every kink and crosses zero ``d1`` times, at distinct points.
    * ``d1 >= 3``: first layer ``relu(t - k)`` for ``k != 3`` and ``relu(3 - t)``; the base
      pre-activation ``z*`` has value ``(-1)^(k+1)`` at kink ``k`` and alternating slopes, so it
      crosses zero in all ``d1 + 1`` pieces; ``z_j = (-1)^(j+1) (z* - e_j)`` with
      ``e_j = (j - 1) / (2 d2)``; output ``sum_j relu(z_j)``.  Odd ``j`` are active at the odd
      (peak) kinks, even ``j`` at the even (valley) kinks, so every kink survives once ``d2 >= 2``.

    Parameters
    ----------
    d1, d2 : int
        Hidden widths, both at least 1.

    Returns
    -------
    Network
        Integer first layer, rational second layer (denominator ``2 d2``), output weights 1.

    Examples
    --------
    >>> net = extremal_network(3, 2)
    >>> net.widths, count_pieces(net), piece_maximum(3, 2)
    ([3, 2], 12, 12)
    >>> all(count_pieces(extremal_network(a, b)) == piece_maximum(a, b) for a in range(1, 5) for b in range(1, 5))
    True
    """
    if d1 < 1 or d2 < 1:
        raise ValueError(f"need d1, d2 >= 1 (a zero width gives a constant network), got ({d1}, {d2})")
    if d1 <= 2:
        W1, b1 = ([[1]], [0]) if d1 == 1 else ([[-1], [1]], [0, -1])
        W2 = [[-1] * d1 for _ in range(d2)]
        b2 = list(range(1, d2 + 1))
    else:
        W1, b1, delta = _zigzag_first_layer(d1)
        W2, b2 = [], []
        for j in range(1, d2 + 1):
            sign, e = (-1) ** (j + 1), Q(j - 1, 2 * d2)
            W2.append([sign * d for d in delta])
            b2.append(sign * (9 - e))
    return Network.from_lists([(W1, b1), (W2, b2), ([[1] * d2], [0])])


# ------------------------------------------------------------------ piece-count certificates


def piece_count_certificate(net, statement=None, note=None):
    """A ``piece-count`` certificate: the exact number of pieces of ``net`` on the line ``t -> t``.

    The count is computed here (:func:`~ftcexact.analysis.pieces.count_pieces`: exact restriction,
    adjacent identical pieces merged), never taken from the caller; the trusted kernel recounts it.

    Parameters
    ----------
    net : Network
        A network with one input.
    statement : str, optional
        A piece-count statement of the claim registry
        (:data:`ftcexact.kernel.claims.PIECE_STATEMENTS`), e.g.
        ``"ftcexact_three_layer_pieces"``: the kernel then also checks that the
        count is the proven maximum for the network's widths.
    note : str, optional
        What the count is evidence for, for humans (kept in the hints).

    Returns
    -------
    dict
        ``{"format": "ftcexact-certificate", "version": 2, "kind": "piece-count",
        "claim": {"pieces": "<p>", ...}, "network": {"activation": "relu", "layers": [...]}}``.

    Examples
    --------
    >>> cert = piece_count_certificate(extremal_network(1, 2), "ftcexact_three_layer_pieces")
    >>> cert["claim"], cert["network"]["layers"][0]
    ({'pieces': '4', 'statement': 'ftcexact_three_layer_pieces'}, {'W': [['1']], 'b': ['0']})
    >>> check_piece_count_certificate(cert)
    4
    """
    from ..kernel.claims import PIECE_STATEMENTS
    if net.input_dim != 1:
        raise ValueError(f"a piece-count certificate needs a network with one input, not {net.input_dim}")
    if statement is not None and statement not in PIECE_STATEMENTS:
        raise ValueError(f"{statement!r} is not a registered piece-count statement")
    claim = {"pieces": str(count_pieces(net))}
    if statement:
        claim["statement"] = statement
    cert = {"format": FORMAT, "version": PIECE_COUNT_VERSION, "kind": "piece-count", "claim": claim,
            "network": {"activation": "relu", "layers": network_to_json(net)}}
    if note:
        cert["hints"] = {"note": note}
    return cert


def check_piece_count_certificate(cert):
    """Re-check a ``piece-count`` certificate with :mod:`ftcexact.analysis.pieces`; return the count.

    An untrusted stand-in until the kernel's own checker exists: it reads the network exactly,
    restricts it to ``t -> t``, merges identical adjacent pieces and compares the count.

    Raises
    ------
    ValueError
        If the certificate is malformed or the count differs from the claim.

    Examples
    --------
    >>> cert = piece_count_certificate(extremal_network(2, 1))
    >>> cert["claim"]["pieces"] = "6"
    >>> check_piece_count_certificate(cert)
    Traceback (most recent call last):
    ...
    ValueError: the network has 5 pieces on t -> t, the claim says 6
    """
    try:
        if (cert["format"], cert["version"], cert["kind"]) != (FORMAT, PIECE_COUNT_VERSION, "piece-count"):
            raise ValueError(f"not a version-{PIECE_COUNT_VERSION} piece-count certificate")
        claimed, network = cert["claim"]["pieces"], cert["network"]
        if network["activation"] != "relu":
            raise ValueError(f"unknown activation {network['activation']!r}")
        net = network_from_json(network["layers"])
    except (KeyError, TypeError) as e:
        raise ValueError(f"malformed piece-count certificate ({e})") from None
    if not isinstance(claimed, str) or not re.fullmatch(r"[1-9][0-9]*", claimed):
        raise ValueError(f"claim.pieces must be a positive decimal string, not {claimed!r}")
    if net.input_dim != 1:
        raise ValueError("the network must have one input")
    actual = count_pieces(net)
    if actual != int(claimed):
        raise ValueError(f"the network has {actual} pieces on t -> t, the claim says {claimed}")
    return actual


def certificate_filename(d1, d2):
    """``three_layer_d1_<d1>_d2_<d2>.json``."""
    return f"three_layer_d1_{d1}_d2_{d2}.json"


def write_certificates(folder, max_width=8):
    """Write the certificate of :func:`extremal_network` for every ``1 <= d1, d2 <= max_width``.

    Returns
    -------
    list of (int, int, str, int)
        ``(d1, d2, path, pieces)``, the pieces being the certificate's own claim.
    """
    from ..certificate import write_json_atomic
    os.makedirs(folder, exist_ok=True)
    out = []
    for d1 in range(1, max_width + 1):
        for d2 in range(1, max_width + 1):
            cert = piece_count_certificate(extremal_network(d1, d2), "ftcexact_three_layer_pieces",
                                           f"three-layer piece maximum, (d1, d2) = ({d1}, {d2})")
            path = os.path.join(folder, certificate_filename(d1, d2))
            write_json_atomic(cert, path, indent=1)
            out.append((d1, d2, path, int(cert["claim"]["pieces"])))
    return out


# ------------------------------------------------------------------ the quantities of the upper-bound proof


@dataclass(frozen=True)
class Preactivations:
    """A two-hidden-layer network with one input, read through its first layer's pieces.

    ``kinks``: the distinct kinks ``q_1 < ... < q_n`` of the first-layer units with ``a_i != 0``.
    ``forms[j][k] = (slope, intercept)`` of ``z_j`` on the open piece ``k`` (``k = 0..n``; piece
    ``k`` lies between ``q_k`` and ``q_{k+1}``).  ``units``: the number of units with ``a_i != 0``.
    """

    kinks: tuple
    forms: tuple
    units: int

    def value(self, j, t):
        """``z_j(t)`` (at a kink both neighbouring forms agree: ``z_j`` is continuous)."""
        k = sum(1 for q in self.kinks if q < t)
        s, c = self.forms[j][k]
        return s * t + c


def preactivations(net):
    """The first layer's kinks and each second-layer pre-activation on every first-layer piece.

    Computed from the weights alone (not with :mod:`ftcexact.analysis.pieces`): on each open piece
    the units that are on are those with ``a_i t + b_i > 0`` at an interior point.

    Examples
    --------
    >>> pre = preactivations(extremal_network(3, 1))
    >>> [str(q) for q in pre.kinks], [str(s) for s, _ in pre.forms[0]]
    (['1', '2', '3'], ['4', '-2', '2', '-2'])
    """
    if net.depth != 3 or net.input_dim != 1:
        raise ValueError("need a network with one input and two hidden layers")
    (W1, b1), (W2, b2) = net.layers[0], net.layers[1]
    a = [row[0] for row in W1]
    kinks = tuple(sorted({-c / s for s, c in zip(a, b1) if s}))
    samples = ([kinks[0] - 1] + [(p + q) / 2 for p, q in zip(kinks, kinks[1:])] + [kinks[-1] + 1]) if kinks \
        else [Q(0)]
    forms = []
    for row, c in zip(W2, b2):
        per_piece = []
        for t in samples:
            on = [s * t + b > 0 for s, b in zip(a, b1)]
            per_piece.append((sum((w * s for w, s, o in zip(row, a, on) if o), Q(0)),
                              sum((w * b for w, b, o in zip(row, b1, on) if o), Q(0)) + c))
        forms.append(tuple(per_piece))
    return Preactivations(kinks, tuple(forms), sum(1 for s in a if s))


def crossings(pre, j):
    """The zeros of ``z_j`` strictly inside the open first-layer pieces where ``z_j`` is not constant.

    These are the only places other than the kinks where ``relu(z_j)`` can bend; there is at most
    one per piece, so at most ``n + 1``.

    Examples
    --------
    >>> pre = preactivations(extremal_network(3, 1))
    >>> [str(t) for t in crossings(pre, 0)]
    ['3/4', '3/2', '5/2', '7/2']
    """
    out = []
    n = len(pre.kinks)
    for k, (s, c) in enumerate(pre.forms[j]):
        if not s:
            continue
        r = -c / s
        if (k == 0 or r > pre.kinks[k - 1]) and (k == n or r < pre.kinks[k]):
            out.append(r)
    return out


def breakpoint_budget(net):
    """Lemma 1's superset of the output's breakpoints, and its size.

    Returns
    -------
    (set, set)
        ``(visible, crossing)``: ``visible`` = kinks ``q`` with ``z_j(q) >= 0`` for some ``j`` whose
        output column is nonzero; ``crossing`` = the union of :func:`crossings` over those ``j``.
        Lemma 1: every breakpoint of the network on ``t -> t`` lies in ``visible | crossing``.

    Examples
    --------
    >>> vis, cross = breakpoint_budget(extremal_network(3, 1))
    >>> sorted(map(str, vis)), len(cross)
    (['1', '3'], 4)
    """
    pre = preactivations(net)
    W3 = net.layers[2][0]
    used = [j for j in range(len(pre.forms)) if any(row[j] for row in W3)]
    visible = {q for q in pre.kinks if any(pre.value(j, q) >= 0 for j in used)}
    crossing = {r for j in used for r in crossings(pre, j)}
    return visible, crossing


def sign_pattern_score(signs):
    """``#{k : signs[k] and signs[k+1] strictly opposite} + #{k : signs[k] >= 0}`` (Lemma 3).

    With ``signs[k]`` the sign of ``z(q_k)`` at the kinks, this bounds the breakpoints of
    ``relu(z)`` at kinks and inside bounded pieces; :func:`sign_pattern_maximum` is its maximum.

    Examples
    --------
    >>> sign_pattern_score([1, -1, 1]), sign_pattern_score([1, 0, -1]), sign_pattern_score([1, 1, 1])
    (4, 2, 3)
    """
    return sum(1 for s, t in zip(signs, signs[1:]) if s * t < 0) + sum(1 for s in signs if s >= 0)


def sign_pattern_maximum(n):
    """``max sign_pattern_score`` over sign sequences of length ``n``: ``n - 1 + ceil(n/2)`` (0 if n = 0).

    Proof: with ``r`` runs of equal strict signs there are at most ``r - 1`` strict changes, at
    least ``floor(r/2)`` runs are negative when runs alternate, and a zero is never better than a
    plus (it counts as non-negative but breaks no tie); so the score is at most
    ``r - 1 + n - floor(r/2) <= n - 1 + ceil(n/2)``, attained by ``+ - + - ...``.

    Examples
    --------
    >>> [sign_pattern_maximum(n) for n in range(7)]
    [0, 1, 2, 4, 5, 7, 8]
    """
    return n - 1 + (n + 1) // 2 if n else 0


def _alternation_coefficients(groups):
    """For groups with one orientation each: the vector ``a`` with ``a . m = 0`` iff slopes
    ``s_k = (-1)^k m_k`` are realisable (``m`` the slope magnitudes, all > 0)."""
    n = len(groups)
    left = [False] + [g == "L" for g in groups] + [False]  # left[k] for kink k = 1..n; left[n + 1] = False
    a = [Q(-1) + (1 if left[1] else 0)]
    for j in range(1, n + 1):
        a.append(Q((-1) ** (j - 1) if left[j] else 0) + Q((-1) ** j if left[j + 1] else 0))
    return a


def full_alternation_witness(groups):
    """Decide exactly whether one ``z_j`` can cross zero in all ``n + 1`` pieces (Lemma 2).

    Parameters
    ----------
    groups : sequence of {"L", "R", "LR"}
        The first-layer units at each distinct kink, left to right: only left-facing units
        (``a_i < 0``), only right-facing ones, or both (several units of one orientation at the
        same kink act as one).

    Returns
    -------
    list of (Q, Q) or None
        Per kink the total slope change ``(lambda_k, rho_k)`` contributed by its left- and
        right-facing units (``W2[j, i] |a_i|`` summed), such that the slopes
        ``s_k = sum_{i <= k} rho_i - sum_{i > k} lambda_i`` strictly alternate, starting positive;
        ``None`` if no such slopes exist.  (A crossing in every piece needs exactly that, and
        given it the kink positions can be placed so that the values alternate:
        :func:`alternating_network`.)

    Notes
    -----
    The slopes determine ``delta_k = s_k - s_{k-1} = lambda_k + rho_k`` and ``s_0 = -sum lambda_k``.
    A group with both orientations can absorb any ``s_0``, so then every alternating choice works.
    Otherwise ``lambda_k = delta_k`` on left-facing kinks and the one condition left is
    ``m_0 = sum_{k left} (-1)^(k-1) (m_{k-1} + m_k)`` for magnitudes ``m > 0``: a linear equation
    ``a . m = 0``, solvable with ``m > 0`` iff ``a`` has entries of both signs (``a != 0`` always).

    Examples
    --------
    >>> full_alternation_witness(["R", "L"]) is None, full_alternation_witness(["L", "R"]) is None
    (True, True)
    >>> [tuple(map(str, g)) for g in full_alternation_witness(["R", "R", "L"])]
    [('0', '-3'), ('0', '2'), ('-2', '0')]
    >>> full_alternation_witness(["LR"]) is not None
    True
    """
    n = len(groups)
    if any(g not in ("L", "R", "LR") for g in groups):
        raise ValueError(f"groups must be 'L', 'R' or 'LR', got {groups!r}")
    if n == 0:
        return None  # no kink: z is constant
    if "LR" in groups:
        m = [Q(1)] * (n + 1)
    else:
        a = _alternation_coefficients(groups)
        pos, neg = sum(v for v in a if v > 0), -sum(v for v in a if v < 0)
        if not pos or not neg:
            return None
        m = [neg if v > 0 else pos if v < 0 else Q(1) for v in a]
    s = [(-1) ** k * m[k] for k in range(n + 1)]
    delta = [s[k] - s[k - 1] for k in range(1, n + 1)]
    out = [(d, Q(0)) if g == "L" else (Q(0), d) for g, d in zip(groups, delta)]
    if "LR" in groups:
        k = groups.index("LR")
        lam = -s[0] - sum(l for l, _ in out)  # the other LR groups contribute rho only
        out[k] = (lam, delta[k] - lam)
    return out


def alternating_network(groups):
    """A network (one input, widths ``(units, 1)``) whose ``z_1`` crosses zero in every piece, if any.

    Kink ``k`` sits at ``q_k`` with gaps ``2 / m_k``, so that ``z_1(q_k) = (-1)^(k+1)``.  Used to
    confirm :func:`full_alternation_witness` by an exact count of :func:`crossings`.

    Examples
    --------
    >>> net = alternating_network(["R", "R", "L"])
    >>> len(crossings(preactivations(net), 0))
    4
    """
    witness = full_alternation_witness(groups)
    if witness is None:
        return None
    s = [Q(0) - sum(l for l, _ in witness)]
    for l, r in witness:
        s.append(s[-1] + l + r)
    q = [Q(0)]
    for k in range(1, len(groups)):
        q.append(q[-1] + 2 / abs(s[k]))
    W1, b1, W2 = [], [], []
    for g, qk, (l, r) in zip(groups, q, witness):
        if "L" in g:  # relu(q_k - t), so W2 |a| = lambda
            W1.append([-1])
            b1.append(qk)
            W2.append(l)
        if "R" in g:  # relu(t - q_k)
            W1.append([1])
            b1.append(-qk)
            W2.append(r)
    value_at_first = sum((w * max(Q(0), Q(row[0]) * q[0] + c) for w, row, c in zip(W2, W1, b1)), Q(0))
    return Network.from_lists([(W1, b1), ([W2], [1 - value_at_first]), ([[1]], [0])])


def max_crossings(units):
    """Lemma 2's bound on the zero crossings in open pieces of one ``z_j`` fed by ``units`` units.

    Computed by exhaustion over every kink-group sequence with at most ``units`` units: ``n + 1``
    if :func:`full_alternation_witness` finds slopes alternating over all ``n + 1`` pieces, else
    at most ``n`` (``n + 1`` crossings force the slopes to alternate over all pieces).  The
    value is ``units`` for ``units <= 2`` and ``units + 1`` for ``units >= 3``, and it is attained
    (:func:`extremal_network`, :func:`alternating_network`).

    Examples
    --------
    >>> [max_crossings(u) for u in range(6)]
    [0, 1, 2, 4, 5, 6]
    """
    from itertools import product
    best = 0
    for n in range(units + 1):
        for groups in product(("L", "R", "LR"), repeat=n):
            if n + groups.count("LR") > units:
                continue
            best = max(best, n + 1 if full_alternation_witness(list(groups)) is not None else n)
    return best
