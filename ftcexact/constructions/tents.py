"""A three-layer fine-tuning network with ``2N + 1`` neurons: one "tent" per changed point (ours).

Suggested by the exact least widths of docs/theorems/three-layer-widths.md, where data with a few isolated
changed points are fitted by far fewer neurons than the two-layer ``min{3N, K - 2}``.

Construction (data on a line, sorted ``t_1 < ... < t_K``, changed points ``s_1 < ... < s_N``):

* first layer: ``F = relu(t - t_1 + 1)`` (equal to ``t - t_1 + 1`` on the data) and ``R_j = relu(t - t_{s_j})``,
  ``N + 1`` units;
* second layer, one unit per changed point: the tent
  ``h_j(t) = 1 + (t - t_{s_j}) / dl_j - (1 / dl_j + 1 / dr_j) relu(t - t_{s_j})`` with ``dl_j``, ``dr_j`` the
  distances to the neighbouring data points (1 at an end).  It is 1 at ``t_{s_j}`` and ``<= 0`` at every
  other data point (it falls by 1 over the distance to each neighbour, linearly), and it is a combination of
  ``1``, ``F`` and ``R_j`` on the data;
* output ``g = sum_j z_{s_j} relu(h_j)``.

So ``g(t_{s_j}) = z_{s_j}`` and ``g = 0`` at every unchanged point: ``2N + 1`` neurons for every dataset on a
line with ``N`` changed points (any ``K``), against ``min{3N, K - 2}`` for two layers and ``4N + 4`` for
[FTC] Appendix A.  For ``N >= 27`` the ``O(sqrt N)`` constructions are smaller.
"""

from __future__ import annotations

from ..kernel.numbers import Q
from ..network import Network

__all__ = ["tent_network", "three_layer_tents"]

ZERO, ONE = Q(0), Q(1)


def tent_network(ts, zs):
    """The ``(N + 1, N)`` tent network for sorted distinct ``ts`` and targets ``zs``.

    Examples
    --------
    >>> from ftcexact.network import evaluate
    >>> ts, zs = [Q(i) for i in range(1, 9)], [Q(v) for v in (0, 0, -1, 0, 0, 2, 0, 0)]
    >>> net = tent_network(ts, zs)
    >>> net.widths, [v[0] for v in evaluate(net, [(t,) for t in ts])] == zs
    ([3, 2], True)

    References
    ----------
    Sohn et al. 2024, Theorem 5.1 and Appendix A (the constructions this one is compared with).
    """
    ts, zs = [Q(t) for t in ts], [Q(z) for z in zs]
    if any(b <= a for a, b in zip(ts, ts[1:])):
        raise ValueError("tent_network needs strictly increasing inputs")
    S = [k for k, z in enumerate(zs) if z]
    if not S:
        return Network(((((ZERO,),), (ZERO,)),))
    K, t1 = len(ts), ts[0]
    W1 = [(ONE,)] + [(ONE,) for _ in S]
    b1 = [ONE - t1] + [-ts[k] for k in S]
    W2, b2 = [], []
    for j, k in enumerate(S):
        dl = ts[k] - ts[k - 1] if k > 0 else ONE
        dr = ts[k + 1] - ts[k] if k < K - 1 else ONE
        row = [ONE / dl] + [ZERO] * len(S)
        row[1 + j] = -(ONE / dl + ONE / dr)
        W2.append(tuple(row))
        b2.append(ONE + (t1 - ONE - ts[k]) / dl)  # 1 + (t - t_s)/dl with t - t_s = F - 1 + t_1 - t_s
    W3 = (tuple(zs[k] for k in S),)
    return Network(((tuple(W1), tuple(b1)), (tuple(W2), tuple(b2)), (W3, (ZERO,))))


def three_layer_tents(ds):
    """The tent network on any dataset: read ``t = a . x`` (a conditioned direction), one tent per changed point.

    Vector targets share the tents: tent ``j`` carries the whole vector ``z_{s_j}`` in the output layer.

    Examples
    --------
    >>> from ftcexact.dataset import random_dataset
    >>> from ftcexact.network import evaluate
    >>> ds = random_dataset(d=3, K=30, N=4, seed=2)
    >>> net, info = three_layer_tents(ds)
    >>> net.widths, info["bound"], evaluate(net, ds.x) == list(ds.targets)
    ([5, 4], 9, True)

    References
    ----------
    docs/theorems/three-layer-widths.md (where the construction comes from); Sohn et al. 2024, Appendix A.
    """
    from ..kernel.numbers import format_rational
    from .ysj import prepare
    a, ts, zs, _ = prepare(ds)
    dy = len(zs[0])
    changed = [k for k, z in enumerate(zs) if any(z)]
    info = {"direction": [format_rational(v) for v in a], "bound": 2 * len(changed) + 1 if changed else 0,
            "statement": "ftcexact tents: 2N + 1 neurons (docs/theorems/three-layer-widths.md)"}
    if not changed:
        return Network((((tuple(ZERO for _ in a),) * dy, (ZERO,) * dy),)), dict(info, bound=0)
    net = tent_network(ts, [ONE if any(z) else ZERO for z in zs])  # tents at the changed points, heights 1
    (W1, b1), hidden, (W3, b3) = net.layers
    first = (tuple(tuple(w[0] * v for v in a) for w in W1), b1)  # t = a . x: each row reads the direction
    out = (tuple(tuple(zs[k][i] for k in changed) for i in range(dy)), (ZERO,) * dy)
    return Network((first, hidden, out)), info
