"""An explicit rational direction with pairwise distinct projections, chosen to survive rounding.

Every construction in both papers first reads the data through ``t = a . x``
with all ``a . x_i`` distinct ([FTC] Theorem 4.4, [YSJ] Theorem 3.1).  The
papers only say such an ``a`` exists.  Any such ``a`` gives an exact
certificate; but a network that is to be *deployed* in float arithmetic
suffers from a bad one: the first layer computes ``a . x`` with an absolute
error of about ``u ||a||_1 max|x|`` (``u`` the unit roundoff), and the later
weights grow like ``1 / gap`` where ``gap`` is the smallest distance between
consecutive projections.  The old default ``(1, s, s^2, ...)`` has entries
``s^(d-1)``: on 64-dimensional data its three-layer patches missed their own
targets by hundreds in float64.

So the direction is chosen by a measured conditioning score,

    score(a) = min gap between consecutive distinct a . x_i  /  (||a||_1 max_i ||x_i||_inf),

the relative separation of the projected points: a few seeded random integer
directions with small entries are tried (entries in [-16, 16], then
[-256, 256]) and the best is kept; if none separates the points (data on a
lattice aligned with every candidate), the search falls back to
``(1, s, s^2, ...)`` for ``s = 0, 1, 2, ...``, which always ends: for two
distinct points ``(x_i - x_j) . a_s`` is a nonzero polynomial in ``s`` of
degree at most ``d - 1``.  Distinctness is always checked exactly.  With more than :data:`SAMPLE`
points the candidates are ranked on evenly spaced points and the best two of a range checked on all.

A caller can fix the direction (``ftcexact certify --direction``, or
:func:`fixed_direction` around a construction); it is then only checked.
"""

from __future__ import annotations

import random
from operator import mul
from contextlib import contextmanager
from contextvars import ContextVar
from itertools import count

from ..dataset import integer_rows
from ..kernel.numbers import Q, as_rational

__all__ = ["distinct_projection_direction", "project", "fixed_direction", "conditioning", "DirectionError",
           "choose_array_direction", "project_dataset"]

_FIXED = ContextVar("ftcexact_fixed_direction", default=None)
#: (entry bound, tries) of the random search, in order (arrays add a last round with entries up to 2^20).
SEARCH = ((16, 6), (256, 4))
#: Points on which candidate directions of an array dataset are ranked.
SAMPLE = 20000


class DirectionError(ValueError):
    """A given direction does not separate the data points."""


def project(direction, points):
    """``[a . x for x in points]``, exactly."""
    return [sum((a * v for a, v in zip(direction, x) if a), Q(0)) for x in points]


@contextmanager
def fixed_direction(direction):
    """Within this block, constructions read the data through ``direction`` (checked, not chosen).

    Examples
    --------
    >>> pts = [(Q(0), Q(1)), (Q(1), Q(0))]
    >>> with fixed_direction([1, 3]):
    ...     [str(v) for v in distinct_projection_direction(pts)[0]]
    ['1', '3']
    """
    token = _FIXED.set(None if direction is None else tuple(as_rational(v) for v in direction))
    try:
        yield
    finally:
        _FIXED.reset(token)


def conditioning(direction, points):
    """The score of the module header (0 when two distinct points share a projection).

    Examples
    --------
    >>> str(conditioning([1, 1], [(Q(0), Q(0)), (Q(1), Q(0)), (Q(0), Q(2))]))  # gaps 1, 1; ||a||_1 = 2, max|x| = 2
    '1/4'
    """
    t = sorted(set(project(direction, points)))
    if len(t) != len(set(points)):
        return Q(0)
    gap = min((b - a for a, b in zip(t, t[1:])), default=Q(1))
    scale = sum(abs(as_rational(v)) for v in direction) * max((abs(v) for p in points for v in p), default=Q(1))
    return gap / scale if scale else Q(0)


def distinct_projection_direction(points):
    """A rational direction ``a`` with ``a . x_i`` distinct for distinct ``x_i``, well conditioned.

    Parameters
    ----------
    points : sequence of tuples of Q
        Repeated points are allowed; they project to the same value.

    Returns
    -------
    (a, t) : tuple of Q, list of Q
        The direction and the projections of ``points``.

    Raises
    ------
    DirectionError
        If a direction fixed with :func:`fixed_direction` maps two distinct points together.

    Examples
    --------
    One-dimensional data are read as they are; otherwise a small integer direction is chosen:

    >>> a, t = distinct_projection_direction([(Q(2),), (Q(-1),)])
    >>> [str(v) for v in a], [str(v) for v in t]
    (['1'], ['2', '-1'])
    >>> a, t = distinct_projection_direction([(Q(0), Q(1)), (Q(0), Q(2)), (Q(1), Q(0))])
    >>> len(set(t)) == 3 and max(abs(v) for v in a) <= 16
    True

    References
    ----------
    Sohn et al. 2024, proof of Theorem 4.4; Yun et al. 2019, proof of Theorem 3.1.
    """
    fixed = _FIXED.get()
    last = _LAST[0]
    if last is not None and last[0] is points and last[1] == fixed:  # certify asks twice for the same data
        return last[2], list(last[3])
    a, t = _direction(points, fixed)
    _LAST[0] = (points, fixed, a, list(t))
    return a, t


#: The last dataset's points, fixed direction and answer (one entry: no growth, no stale ids).
_LAST = [None]


def _integer_dot(X):
    """``(dot, scale)``: ``dot(a, step)`` is the list of exact integers ``a . X[i]`` for ``i = 0, step, ...``
    (``a`` a list of ints), ``scale`` the largest ``|X[i][j]|`` (1 for zero data).

    When ``scale * ||a||_1 < 2^63`` no partial sum of the product can leave int64, so one NumPy int64
    matrix-vector product is exact; otherwise the products are Python integers.
    """
    import numpy as np
    try:
        matrix = np.array(X, dtype=np.int64)
    except OverflowError:
        matrix = None
        scale = max((max(max(row), -min(row)) for row in X), default=1) or 1
    else:
        scale = max(int(matrix.max(initial=0)), -int(matrix.min(initial=0))) or 1

    def dot(a, step=1):
        if matrix is not None and scale * sum(map(abs, a)) < 2**63:
            return (matrix[::step] @ np.array(a, dtype=np.int64)).tolist()
        return [sum(map(mul, a, row)) for row in X[::step]]
    return dot, scale


def _direction(points, fixed):
    d = len(points[0])
    if fixed is not None:
        if len(fixed) != d:
            raise DirectionError(f"the direction has {len(fixed)} coordinates, the data {d}")
        t = project(fixed, points)
        if len(set(t)) != len(set(points)):
            raise DirectionError("the given direction maps two distinct points to the same a . x")
        return fixed, t
    if d == 1:
        return (Q(1),), [p[0] for p in points]
    cleared = integer_rows(points)
    X, den = cleared.rows, cleared.den
    distinct = len(set(X))  # equal points are equal integer rows (cheaper to hash than rationals)
    dot, scale = _integer_dot(X)
    # rank on evenly spaced rows when there are many (as for arrays), then check the best on all of them
    step = 1 if len(X) <= SAMPLE else -(-len(X) // SAMPLE)
    want = distinct if step == 1 else len(set(X[::step]))
    rng = random.Random(f"ftcexact-direction:{d}")
    for bound, tries in SEARCH:
        ranked = []
        for _ in range(tries):
            a = [rng.choice([-1, 1]) * rng.randint(1, bound) for _ in range(d)]
            s = sorted(set(dot(a, step)))
            if len(s) != want:
                continue
            gap = min((b2 - b1 for b1, b2 in zip(s, s[1:])), default=1)
            ranked.append((-Q(gap, sum(map(abs, a)) * scale), len(ranked), a))
        for _, _, a in sorted(ranked)[:2]:  # best score first (ties: the earlier); a sample can hide collisions
            t = dot(a)  # of data on a lattice: check two, then try larger entries
            if step == 1 or len(set(t)) == distinct:  # the projections from the integer rows
                return tuple(Q(v) for v in a), [Q(v, den) for v in t]
    for s in count(0):
        a = tuple(Q(s) ** j for j in range(d))
        t = project(a, points)
        if len(set(t)) == distinct:
            return a, t


def project_dataset(ds):
    """``(a, t)`` for a dataset: :meth:`ftcexact.dataset.ArrayDataset.project` for inputs held as an
    array, :func:`distinct_projection_direction` otherwise."""
    if hasattr(ds, "project"):
        return ds.project()
    return distinct_projection_direction(ds.x)


def choose_array_direction(X, targets=None):
    """The direction search of the module header on a NumPy array of inputs, with exact projections.

    Projections are computed by :func:`ftcexact.numerics.project_exact` (exact
    integer numerators over one denominator; a few BLAS products per
    candidate; candidates are ranked on a sample of :data:`SAMPLE` points and
    the best is checked on all), so a 10^6 x 64 float32 array is handled in
    seconds and without a rational per entry.

    At that size two distinct float32 points *will* share a projection under
    a small integer direction (the projections lie on a grid of about 2^31
    values, and 10^6 points give some birthday collisions), so a direction is
    accepted when points sharing a projection share their target too (given
    ``targets``): a network reading ``t = a . x`` gives them one value, which
    is then right for both; the verifier checks every point anyway.  Without
    ``targets`` all projections must be distinct.

    Returns ``(a, t, numerators)``: ``t`` a list of Q and the integer
    numerators of ``t`` over one denominator (a NumPy array, for sorting).

    Raises
    ------
    DirectionError
        If two points with different targets coincide (no function fits them),
        or a fixed direction maps two points with different targets together.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [0.0, 2.0], [1.0, 0.0]], dtype=np.float32)
    >>> a, t, _ = choose_array_direction(X)
    >>> len(set(t)) == 3 and max(abs(v) for v in a) <= 16
    True
    """
    import numpy as np
    from ..numerics import project_exact
    K, d = X.shape
    rng = np.random.default_rng(0)
    chosen = None if K <= SAMPLE else np.sort(rng.choice(K, SAMPLE, replace=False))
    sample = X if chosen is None else X[chosen]
    sample_targets = None if targets is None else (targets if chosen is None else [targets[i] for i in chosen])

    def accepted(a, points, labels):
        """(numerators, den, min gap) if points sharing a projection share a label, else None."""
        num, den = project_exact(points, a)
        if num.dtype == object:
            order = sorted(range(len(num)), key=num.__getitem__)
            s = [num[i] for i in order]
            same = [j for j in range(len(s) - 1) if s[j] == s[j + 1]]
            gaps = [b - c for c, b in zip(s, s[1:]) if b != c]
        else:
            order = np.argsort(num, kind="stable")
            s = num[order]
            diff = np.diff(s)
            same = np.nonzero(diff == 0)[0].tolist()
            gaps = diff[diff > 0]
        if same and (labels is None or any(labels[int(order[j])] != labels[int(order[j + 1])] for j in same)):
            return None
        return num, den, (int(min(gaps)) if len(gaps) else 1)

    def result(a, found):
        return tuple(Q(v) for v in a), [Q(int(v), found[1]) for v in found[0].tolist()], found[0]
    fixed = _FIXED.get()
    if fixed is not None:
        if len(fixed) != d:
            raise DirectionError(f"the direction has {len(fixed)} coordinates, the data {d}")
        found = accepted(fixed, X, targets)
        if found is None:
            raise DirectionError("the given direction maps two points with different targets to the same a . x")
        return result(fixed, found)
    if d == 1:
        found = accepted([1], X, targets)
        if found is None:
            raise DirectionError("two points with one input have different targets: no function fits them")
        return result([1], found)
    scale = float(np.abs(X).max()) or 1.0
    rng_a = random.Random(f"ftcexact-direction:{d}")
    for bound, tries in SEARCH + ((2**20, 4),):  # rank on the sample, then check the best on every point
        ranked = []
        for _ in range(tries):
            a = [rng_a.choice([-1, 1]) * rng_a.randint(1, bound) for _ in range(d)]
            found = accepted(a, sample, sample_targets)
            if found is not None:
                _, den, gap = found
                ranked.append((gap / den / (sum(map(abs, a)) * scale), a))  # float: only ranks candidates
        for _, a in sorted(ranked, key=lambda r: -r[0]):
            found = accepted(a, X, targets)
            if found is not None:
                return result(a, found)
    raise DirectionError("no direction found that separates the points with different targets "
                         "(two points with different targets coincide?)")
