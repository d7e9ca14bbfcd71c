"""Two-layer fine-tuning networks: [FTC] §4, Theorem 4.4 with Lemma 4.5.

The construction reads the data through ``t = a . x`` (an explicit rational
direction with distinct projections), sorts the points by ``t``, keeps the set
J of Theorem 4.4 (all of T and the two ends of every run of unchanged points)
and interpolates the kept targets with the broken line of Lemma 4.5.  A
dropped point lies between the two kept ends of its run, where both targets
are 0 and the broken line is affine, hence 0.  Neurons whose slope change is 0
are not emitted, so the neuron count can be below the paper's formula.

The baseline ``two-layer-all`` interpolates all K points (the classical
K-neuron memorizer, [FTC] Remark 2).

``two-layer-oriented`` (ours, found with the exact min-width oracle, see
``docs/search.md`` §7) saves one more neuron when two consecutive kept points
have equal targets, which always happens when ``K >= 2N + 2``: then every
dataset is fitted with ``min{3N, K - 2}`` neurons, the paper's lower bound.
"""

from __future__ import annotations

from ..analysis.partitions import kept_indices, theorem_4_4_neurons
from ..kernel.numbers import Q, format_rational
from ..network import Network
from .gadgets import to_activation
from .projection import project_dataset

__all__ = ["lemma_4_5_interpolant", "interpolating_network", "sorted_distinct", "two_layer_fit", "oriented_fit"]


def lemma_4_5_interpolant(ts, zs):
    """Kinks and weights of the broken line through ``(t_i, z_i)``.

    Returns ``(b, terms)`` with ``h(t) = b + sum_k c_k relu(t - w_k)`` for
    ``terms = [(w_k, c_k), ...]``: one right-facing kink at every data point
    but the last, ``c_k`` the change of slope there (``c_1`` the first slope).
    Terms with ``c_k = 0`` are left out.  Values ``z_i`` are tuples (one entry
    per output).

    Examples
    --------
    >>> b, terms = lemma_4_5_interpolant([Q(0), Q(1), Q(2), Q(3)], [(Q(0),), (Q(1),), (Q(2),), (Q(0),)])
    >>> format_rational(b[0]), [(format_rational(w), format_rational(c[0])) for w, c in terms]
    ('0', [('0', '1'), ('2', '-3')])

    References
    ----------
    Sohn et al. 2024, Lemma 4.5.
    """
    if any(b <= a for a, b in zip(ts, ts[1:])):
        raise ValueError("Lemma 4.5 needs strictly increasing t")
    dy = len(zs[0])
    slope = (Q(0),) * dy
    terms = []
    for k in range(len(ts) - 1):
        new = tuple((b - a) / (ts[k + 1] - ts[k]) for a, b in zip(zs[k], zs[k + 1]))
        change = tuple(n - s for n, s in zip(new, slope))
        if any(change):
            terms.append((ts[k], change))
        slope = new
    return tuple(zs[0]), terms


def interpolating_network(direction, b, terms):
    """The network ``x -> b + sum_k c_k relu(a . x - w_k)`` (one hidden layer).

    With no terms the result is the constant ``b`` as a single affine layer.
    """
    dy = len(b)
    if not terms:
        return Network((((tuple(Q(0) for _ in direction),) * dy, tuple(b)),))
    hidden = (tuple(tuple(direction) for _ in terms), tuple(-w for w, _ in terms))
    output = (tuple(tuple(c[j] for _, c in terms) for j in range(dy)), tuple(b))
    return Network((hidden, output))


def sorted_distinct(ds, direction_t):
    """Distinct points sorted by projection: list of (t, target, first 1-based index)."""
    targets = ds.targets
    order = ds.sorted_order() if hasattr(ds, "sorted_order") else \
        sorted(range(len(direction_t)), key=direction_t.__getitem__)  # stable: first index of equal t first
    rows, last = [], None
    for i in order:
        t = direction_t[i]
        if rows and t == last:
            continue
        rows.append((t, targets[i], i + 1))
        last = t
    return rows


def two_layer_fit(ds, keep="kept", activation="relu"):
    """Fit a one-hidden-layer network g with g(x_i) = z_i for every i.

    Parameters
    ----------
    ds : Dataset
    keep : {"kept", "all"}
        ``"kept"`` interpolates only the kept set J of Theorem 4.4;
        ``"all"`` is the K-point baseline.
    activation : str
        ``"relu"`` or ``"leaky:S-:S+"`` (``S+ > S- >= 0``).  A unit ``s(t - w)`` of the
        leaky family changes the slope by ``S+ - S-`` at ``w`` like a ReLU but adds the linear
        term ``S- (t - w)``; the linear terms are absorbed by the unit at the leftmost kept point
        ``t_1``, which is exact on the data (``s(t - t_1) = S+ (t - t_1)`` there).  That unit is
        added when the first slope is 0 (then the ReLU network omits it), so the count stays
        within Theorem 4.4's (:func:`~ftcexact.constructions.gadgets.to_activation`).

    Returns
    -------
    (Network, dict)
        The network and a dict with the direction, the kept indices (1-based,
        in the dataset's order), the paper's bounds and the chosen bound.

    Examples
    --------
    >>> from ftcexact.dataset import Dataset
    >>> z = [0, 0, 0, 1, 0, 0, 2, 0, -1, 0, 0, 0, 0, 3]     # K = 14, T = {4, 7, 9, 14}
    >>> ds = Dataset(tuple((Q(i),) for i in range(1, 15)), tuple((Q(v),) for v in z))
    >>> net, info = two_layer_fit(ds)
    >>> info["kept"], net.neurons, info["bound"]
    ([1, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14], 9, 10)

    References
    ----------
    Sohn et al. 2024, Theorem 4.4, Lemma 4.5 and Theorem 4.1 (upper bound).
    """
    a, t = project_dataset(ds)
    rows = sorted_distinct(ds, t)
    K = len(rows)
    T_sorted = [p + 1 for p, (_, z, _) in enumerate(rows) if any(z)]
    N = len(T_sorted)
    if keep == "kept":
        positions = kept_indices(K, T_sorted)
        bound = theorem_4_4_neurons(K, T_sorted)
    elif keep == "all":
        positions = list(range(1, K + 1))
        bound = K - 1
    else:
        raise ValueError(f"keep must be 'kept' or 'all', not {keep!r}")
    chosen = [rows[p - 1] for p in positions]
    b, terms = lemma_4_5_interpolant([r[0] for r in chosen], [r[1] for r in chosen])
    if activation != "relu" and terms and terms[0][0] != chosen[0][0]:
        terms = [(chosen[0][0], (Q(0),) * len(b))] + terms  # the unit that absorbs the linear terms
    net = to_activation(interpolating_network(a, b, terms), activation, ds)
    info = {
        "direction": [format_rational(v) for v in a],
        "kept": sorted(r[2] for r in chosen),
        "bound": bound,
        "paper_bounds": {"Theorem 4.4: K - 1 - sum max(|P| - 2, 0)": theorem_4_4_neurons(K, T_sorted),
                         "Theorem 4.1: min(3N + 1, K - 1)": min(3 * N + 1, K - 1)},
    }
    if K != ds.K:
        info["distinct_points"] = K
    return net, info


def oriented_fit(ds):
    """Theorem 4.4's broken line with kink orientations chosen so a flat kept segment costs nothing.

    Let ``h`` be the broken line through the kept points ``j_0 < ... < j_n``
    (Theorem 4.4) and suppose ``z_{j_a} = z_{j_{a+1}}`` (a horizontal
    segment).  Put a neuron at every interior kept point with nonzero slope
    change ``c``: facing left, ``c relu(t_j - t)``, at ``j_a`` and before;
    facing right, ``c relu(t - t_j)``, after; output bias ``z_{j_a}``.  On the
    flat segment every neuron is off, so ``g = z_{j_a} = h`` there; left of it
    only left-facing neurons act and ``g - z_{j_a}`` is the broken line that is
    0 on the segment and changes slope by ``c`` at each ``t_j``, exactly as
    ``h - z_{j_a}`` does; the right side is symmetric.  So ``g = h`` on all kept
    points, hence on all points (Theorem 4.4), with at most ``|J| - 2``
    neurons: no neuron is needed for the constant term or the end slopes.  If
    ``K >= 2N + 2`` the ``K - N >= N + 2`` unchanged points fill at most
    ``N + 1`` blocks, so some block has two points, whose ends are consecutive
    in J with target 0; with ``|J| <= min{3N + 2, K}`` (Lemma 4.7) the width is
    at most ``min{3N, K - 2}``.  Without a flat kept segment this is Theorem
    4.4's network.

    Returns
    -------
    (Network, dict)
        As :func:`two_layer_fit`; ``info["bound"]`` is ``|J| - 2`` when a flat
        kept segment exists, ``|J| - 1`` otherwise.

    Examples
    --------
    >>> from ftcexact.dataset import Dataset
    >>> z = [0, 2, 0, 0, 0, -1, 1, 0]              # N = 3, K = 8: kept points 3 and 5 are both 0
    >>> ds = Dataset(tuple((Q(i),) for i in range(8)), tuple((Q(v),) for v in z))
    >>> two_layer_fit(ds)[0].neurons, oriented_fit(ds)[0].neurons
    (6, 5)

    References
    ----------
    Sohn et al. 2024, Theorem 4.4 (the kept set and broken line); docs/search.md §7 (the orientation).
    """
    net, info = two_layer_fit(ds)
    a, t = project_dataset(ds)
    rows = sorted_distinct(ds, t)
    T_sorted = [p + 1 for p, (_, z, _) in enumerate(rows) if any(z)]
    kept = [rows[p - 1] for p in kept_indices(len(rows), T_sorted)]
    ts, zs = [r[0] for r in kept], [r[1] for r in kept]
    flat = next((j for j in range(len(ts) - 1) if zs[j] == zs[j + 1]), None)
    if flat is None:
        return net, dict(info, oriented=False)
    dy = len(zs[0])
    slopes = [tuple((b - c) / (ts[j + 1] - ts[j]) for b, c in zip(zs[j + 1], zs[j])) for j in range(len(ts) - 1)]
    units = []  # (orientation, kink, slope change)
    for j in range(1, len(ts) - 1):
        change = tuple(u - v for u, v in zip(slopes[j], slopes[j - 1]))
        if any(change):
            units.append((-1 if j <= flat else 1, ts[j], change))
    bias = tuple(zs[flat])
    if not units:
        return Network((((tuple(Q(0) for _ in a),) * dy, bias),)), dict(info, bound=max(len(ts) - 2, 0),
                                                                          oriented=True)
    hidden = (tuple(tuple(s * v for v in a) for s, _, _ in units), tuple(-s * w for s, w, _ in units))
    output = (tuple(tuple(c[i] for _, _, c in units) for i in range(dy)), bias)
    return Network((hidden, output)), dict(info, bound=len(ts) - 2, oriented=True)
