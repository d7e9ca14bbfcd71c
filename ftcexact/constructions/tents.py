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

__all__ = ["tent_network"]

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
