"""Two-layer fine-tuning networks with ``min{3N, K-2}`` neurons for every ``K >= 5`` (ours).

Theorem (``docs/theorems/two-layer-capacity.md``): any ``K >= 5`` points with
distinct inputs and arbitrary scalar targets are fitted by a one-hidden-layer
ReLU network with at most ``K - 2`` neurons.  With the oriented construction of
``docs/search.md`` §7 (``min{3N, K-2}`` when ``K >= 2N + 2``) and the lower bound
of [FTC] Theorem 4.1 this gives ``m*(N, K) = min{3N, K-2}`` for every ``K >= 5``.

The construction on a line ``t_1 < ... < t_K`` with chords
``s_g = (z_{g+1} - z_g) / (t_{g+1} - t_g)`` (1-based, ``g = 1..K-1``):

* *pair*: two kinks inside the third gap ``(t_3, t_4)``, one facing left and one
  facing right, of opposite signs ``c+ > 0 > c-``, taking the slope from
  ``s_2`` to ``s_4`` (:func:`two_kink_positions`); they replace the slope
  changes at ``t_3`` and ``t_4``;
* *head*: one right-facing kink inside the first gap ``(t_1, t_2)``, taking the
  slope from ``u_0`` to ``s_2`` (:func:`one_kink_position`); it replaces the
  slope change at ``t_2``.  If ``s_1 = s_2`` there is no slope change at ``t_2``
  and the head is a right-facing neuron with its kink at ``t_1 - 1`` (affine on
  the data) that sets the first slope to ``s_1``;
* *tail*: right-facing kinks at ``t_5, ..., t_{K-1}`` with the slope changes of
  the broken line (Lemma 4.5), left out where the change is 0.

Left of every kink only the left-facing kink is active, so the slope there is
``u_0 = -c_L``: the left-facing kink of the pair fixes the first slope.  The
head needs ``u_0`` strictly beyond ``s_1`` as seen from ``s_2``; since ``c_L``
may be as large as we like in the direction of its sign, we choose the pair's
left-facing kink to be the positive one if ``s_2 >= s_1`` and the negative one
otherwise, large enough.  That is ``1 + 2 + (K - 5) = K - 2`` neurons.

For ``K = 3, 4`` the pair and the head do not fit and ``K - 1`` neurons are
needed for some data (refutations in the tests and in ``proofs/open_two_layer.py``);
the construction then delegates to ``two-layer-oriented``.

Vector targets (``d_y > 1``) do not extend: the head and the pair put their
kinks where one coordinate's slopes require, and those places differ from
coordinate to coordinate; and ``K - 2`` neurons are in fact not enough for
some vector data with ``K <= 2N + 1`` (``docs/theorems/two-layer-capacity.md``
§6: ``T = {2, ..., K - 1}`` with targets of rank ``K - 2`` needs ``K - 1``).
The one case that does extend is targets on a line through 0
(``z_i = s_i v`` for one vector ``v``, e.g. a single nonzero coordinate): then
the scalar construction on ``s_i`` with output weights ``c v`` has the same
kinks.  Otherwise, for ``d_y > 1`` the construction is ``two-layer-oriented``
(``min{3N, K - 2}`` when ``K >= 2N + 2``, at most ``K - 1`` otherwise).

References
----------
Sohn et al. 2024, Theorem 4.1 (the bounds closed here), Theorem 4.4 and Lemma 4.5;
Yun et al. 2019, Theorem 3.3 (the memorization bound ``d1 + 2 >= N`` shown tight here).
"""

from __future__ import annotations

from ..kernel.numbers import Q, format_rational
from ..network import Network
from .projection import project_dataset
from .two_layer import oriented_fit, sorted_distinct

__all__ = ["one_kink_position", "two_kink_positions", "tight_units", "units_value", "units_network",
           "tight_fit", "rank_one"]

ZERO, ONE = Q(0), Q(1)


def one_kink_position(a, b, u, v, s):
    """The kink ``r`` in ``(a, b)`` of a line with slope ``u`` before and ``v`` after that rises by ``s (b - a)``.

    A continuous function with slope ``u`` on ``[a, r]`` and ``v`` on ``[r, b]``
    has ``f(b) - f(a) = u (b - a) + (v - u)(b - r)``; it equals ``s (b - a)``
    iff ``b - r = (s - u)(b - a) / (v - u)``, which lies in ``(0, b - a)`` iff
    ``s`` is strictly between ``u`` and ``v``.

    Raises
    ------
    ValueError
        If ``s`` is not strictly between ``u`` and ``v``.

    Examples
    --------
    >>> r = one_kink_position(Q(0), Q(2), Q(-1), Q(3), Q(1))
    >>> format_rational(r), format_rational(Q(-1) * r + Q(3) * (2 - r))
    ('1', '2')

    References
    ----------
    docs/theorems/two-layer-capacity.md, Lemma 1; docs/search.md, Lemma 3 (one kink).
    """
    if not (u < s < v or v < s < u):
        raise ValueError("the chord must lie strictly between the slopes on both sides of the kink")
    return b - (s - u) * (b - a) / (v - u)


def two_kink_positions(a, b, u, c_plus, c_minus, s):
    """Kinks ``(r+, r-)`` in ``(a, b)`` of slope changes ``c+ > 0 > c-`` after slope ``u``, rising by ``s (b - a)``.

    ``f(b) - f(a) = u (b - a) + c+ (b - r+) + c- (b - r-)``.  With
    ``lam = (s - u - c-) / (c+ - c-)``, ``b - r+ = lam (b - a)`` and
    ``b - r- = (1 - lam)(b - a)`` give ``c- + lam (c+ - c-) = s - u``, and
    ``lam`` is in ``(0, 1)`` iff ``c- < s - u < c+``.

    Raises
    ------
    ValueError
        Unless ``c+ > 0 > c-`` and ``c- < s - u < c+``.

    Examples
    --------
    >>> rp, rm = two_kink_positions(Q(0), Q(1), Q(0), Q(4), Q(-2), Q(1))
    >>> format_rational(rp), format_rational(rm), format_rational(4 * (1 - rp) - 2 * (1 - rm))
    ('1/2', '1/2', '1')

    References
    ----------
    docs/theorems/two-layer-capacity.md, Lemma 2; docs/search.md, Lemma 3 (two kinks).
    """
    if not (c_plus > 0 > c_minus and c_minus < s - u < c_plus):
        raise ValueError("need c+ > 0 > c- and c- < s - u < c+")
    lam = (s - u - c_minus) / (c_plus - c_minus)
    return b - lam * (b - a), b - (1 - lam) * (b - a)


def units_value(b, units, t):
    """``b + sum c relu(o (t - r))`` for ``units = [(o, r, c), ...]`` (``o = +1`` right-, ``-1`` left-facing).

    Examples
    --------
    >>> units = [(1, Q(1), Q(2)), (-1, Q(0), Q(3))]          # 2 relu(t - 1) + 3 relu(0 - t)
    >>> [format_rational(units_value(Q(1), units, Q(t))) for t in (-1, 0, 2)]
    ['4', '1', '3']

    References
    ----------
    docs/theorems/two-layer-capacity.md, Lemma 3.
    """
    return b + sum((c * max(o * (t - r), ZERO) for o, r, c in units), ZERO)


def tight_units(ts, zs):
    """The ``K - 2``-neuron interpolant of ``K >= 5`` points on a line.

    Parameters
    ----------
    ts : list of Q
        Strictly increasing.
    zs : list of Q
        Scalar targets.

    Returns
    -------
    (b, units)
        ``units = [(o, r, c), ...]``, each the neuron ``c relu(o (t - r))``
        (``o = +1`` faces right, ``-1`` left), in this order: the head, the
        pair (left-facing first), the tail.  Neurons with ``c = 0`` are left
        out, so ``len(units) <= K - 2``; equality holds unless some slope
        change at ``t_5, ..., t_{K-1}`` is 0.

    Examples
    --------
    Five alternating labels (they need ``K - 2 = 3`` neurons, not fewer):

    >>> ts, zs = [Q(i) for i in range(1, 6)], [Q((-1) ** (i + 1)) for i in range(1, 6)]
    >>> b, units = tight_units(ts, zs)
    >>> len(units), [format_rational(units_value(b, units, t)) for t in ts]
    (3, ['1', '-1', '1', '-1', '1'])
    >>> [(o, format_rational(r), format_rational(c)) for o, r, c in units]
    [(1, '11/7', '7'), (-1, '39/10', '5'), (1, '31/10', '-5')]

    References
    ----------
    docs/theorems/two-layer-capacity.md, Theorem 1.
    """
    K = len(ts)
    if K < 5:
        raise ValueError(f"the K - 2 construction needs K >= 5 points, got {K}")
    if any(b <= a for a, b in zip(ts, ts[1:])):
        raise ValueError("need strictly increasing t")
    s = [(zs[g + 1] - zs[g]) / (ts[g + 1] - ts[g]) for g in range(K - 1)]  # s[0] = s_1
    s1, s2, s3, s4 = s[:4]
    # The pair in gap 3 takes the slope from s_2 to s_4: c+ + c- = s_4 - s_2, c- < s_3 - s_2 < c+.
    rising = s2 >= s1
    if rising:  # u_0 = -c+ must be < s_1 (or = s_1 via the head at t_1 - 1 when s_2 = s_1)
        c_plus = max(ZERO, s3 - s2, s4 - s2, s4 - s3, -s1) + 1
        c_minus = (s4 - s2) - c_plus
        c_left = c_plus
    else:  # u_0 = -c- must be > s_1
        c_minus = min(ZERO, s3 - s2, s4 - s2, s4 - s3, -s1) - 1
        c_plus = (s4 - s2) - c_minus
        c_left = c_minus
    r_plus, r_minus = two_kink_positions(ts[2], ts[3], s2, c_plus, c_minus, s3)
    u0 = -c_left  # slope left of every kink: only the left-facing kink is active there
    units = []
    if s2 != s1:
        units.append((1, one_kink_position(ts[0], ts[1], u0, s2, s1), s2 - u0))
    else:  # affine on the data: slope c0 - c_L = s_1 from t_1 on
        units.append((1, ts[0] - 1, s1 + c_left))
    if rising:  # the left-facing kink of the pair carries c_L
        units += [(-1, r_plus, c_plus), (1, r_minus, c_minus)]
    else:
        units += [(-1, r_minus, c_minus), (1, r_plus, c_plus)]
    for j in range(4, K - 1):  # 0-based point j = t_{j+1}, points 5..K-1
        change = s[j] - s[j - 1]
        if change:
            units.append((1, ts[j], change))
    b = zs[0] - units_value(ZERO, units, ts[0])
    return b, units


def units_network(direction, b, units, v=(ONE,)):
    """The network ``x -> (b + sum c relu(o (a . x - r))) v`` reading ``t = a . x`` (same number of neurons).

    ``v`` is the output vector (default: one output).

    Examples
    --------
    >>> from ftcexact.network import evaluate
    >>> net = units_network((Q(1), Q(2)), Q(1), [(1, Q(1), Q(2)), (-1, Q(0), Q(3))])
    >>> net.neurons, [format_rational(v[0]) for v in evaluate(net, [(Q(-1), Q(0)), (Q(0), Q(1))])]
    (2, ['4', '3'])

    References
    ----------
    docs/theorems/two-layer-capacity.md, Lemma 0.
    """
    if not units:
        return Network((((((ZERO,) * len(direction),) * len(v)), tuple(b * w for w in v)),))
    hidden = (tuple(tuple(o * x for x in direction) for o, _, _ in units), tuple(-o * r for o, r, _ in units))
    output = (tuple(tuple(c * w for _, _, c in units) for w in v), tuple(b * w for w in v))
    return Network((hidden, output))


def tight_fit(ds):
    """Fit ``g(x_i) = z_i`` with at most ``min{3N, K-2}`` neurons when ``K >= 5``.

    ``K`` and ``N`` are counted on distinct inputs (repeated inputs share their
    target).  If ``K >= 2N + 2`` this is ``two-layer-oriented`` (flat kept
    segment, ``docs/search.md`` §7); if ``5 <= K <= 2N + 1`` (then
    ``min{3N, K-2} = K - 2``) it is :func:`tight_units` along a direction with
    distinct projections.  For ``K <= 4`` it is ``two-layer-oriented`` with that
    construction's bound (``m*`` is ``K - 1`` there except for ``N = 1, K = 4``).

    Returns
    -------
    (Network, dict)
        ``info`` has ``bound``, ``method`` ("zigzag pair", "oriented"),
        ``direction`` and ``paper_bounds``.

    Examples
    --------
    >>> from ftcexact.dataset import Dataset
    >>> from ftcexact.network import evaluate
    >>> ds = Dataset(tuple((Q(i),) for i in range(1, 8)), tuple((Q(v),) for v in [1, -1, 1, -1, 1, -1, 1]))
    >>> net, info = tight_fit(ds)
    >>> net.neurons, info["bound"], info["method"], evaluate(net, ds.x) == list(ds.targets)
    (5, 5, 'zigzag pair', True)
    >>> ds2 = Dataset(ds.x, tuple((v, -3 * v) for (v,) in ds.targets))        # d_y = 2, rank 1
    >>> net, info = tight_fit(ds2)
    >>> net.neurons, info["bound"], info["method"], evaluate(net, ds2.x) == list(ds2.targets)
    (5, 5, 'zigzag pair', True)
    >>> ds3 = Dataset(ds.x, tuple((v, Q(i % 3)) for i, (v,) in enumerate(ds.targets)))   # rank 2
    >>> net, info = tight_fit(ds3)
    >>> net.neurons, info["bound"], info["method"], evaluate(net, ds3.x) == list(ds3.targets)
    (6, 6, 'oriented', True)

    References
    ----------
    docs/theorems/two-layer-capacity.md, Theorem 1 and Corollary 2; Sohn et al. 2024, Theorem 4.1.
    """
    a, t = project_dataset(ds)
    rows = sorted_distinct(ds, t)
    K = len(rows)
    N = sum(1 for _, z, _ in rows if any(z))
    paper = {"Theorem 4.1 lower: min(3N, K - 2)": min(3 * N, K - 2),
             "Theorem 4.1 upper: min(3N + 1, K - 1)": min(3 * N + 1, K - 1)} if K >= 3 else None
    v, scalars = rank_one([r[1] for r in rows])
    if K <= 4 or K >= 2 * N + 2 or v is None:
        net, info = oriented_fit(ds)
        bound = min(3 * N, K - 2) if K >= 5 and K >= 2 * N + 2 else info["bound"]
        if net.neurons > bound:
            raise AssertionError(f"internal error: oriented construction used {net.neurons} > {bound} neurons")
        return net, {"direction": info["direction"], "bound": bound, "method": "oriented",
                     "paper_bounds": paper, "distinct_points": K}
    b, units = tight_units([r[0] for r in rows], scalars)
    return units_network(a, b, units, v), {"direction": [format_rational(w) for w in a], "bound": K - 2,
                                           "method": "zigzag pair", "paper_bounds": paper, "distinct_points": K}


def rank_one(zs):
    """``(v, s)`` with ``z_i = s_i v`` for every i (``v = (1,)`` for scalars), or ``(None, None)``.

    Examples
    --------
    >>> v, s = rank_one([(Q(0), Q(0)), (Q(2), Q(-4)), (Q(-1), Q(2))])
    >>> [format_rational(w) for w in v], [format_rational(w) for w in s]
    (['1', '-2'], ['0', '2', '-1'])
    >>> rank_one([(Q(1), Q(0)), (Q(0), Q(1))])
    (None, None)
    """
    if len(zs[0]) == 1:
        return (ONE,), [z[0] for z in zs]
    base = next((z for z in zs if any(z)), None)
    if base is None:
        return None, None
    j = next(k for k, w in enumerate(base) if w)
    v = tuple(w / base[j] for w in base)
    s = [z[j] for z in zs]
    if any(tuple(si * w for w in v) != tuple(z) for si, z in zip(s, zs)):
        return None, None
    return v, s
