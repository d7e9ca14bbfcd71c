"""Consecutive partitions P(I), the kept set J, and Lemmas 4.6-4.7 of [FTC].

Indices are 1-based, as in the paper: ``[K] = {1, ..., K}``.  The consecutive
partition of ``I`` is the set of connected components of the path graph on
``I`` (``i`` joined to ``i + 1`` when both are in ``I``), computed with
networkx so the combinatorics of the proofs are explicit graphs.
"""

from __future__ import annotations

import networkx as nx

__all__ = ["path_graph_on", "consecutive_partition", "kept_indices", "dropped_indices",
           "theorem_4_4_neurons", "lemma_4_6_holds", "lemma_4_7_holds", "lemma_4_7_bound"]


def path_graph_on(indices):
    """The path graph on ``indices``: an edge ``(i, i+1)`` whenever both lie in it.

    Examples
    --------
    >>> sorted(path_graph_on({1, 2, 4}).edges())
    [(1, 2)]
    """
    nodes = set(indices)
    G = nx.Graph()
    G.add_nodes_from(nodes)
    G.add_edges_from((i, i + 1) for i in nodes if i + 1 in nodes)
    return G


def consecutive_partition(indices):
    """The consecutive partition P(I): maximal runs of consecutive integers.

    Parameters
    ----------
    indices : iterable of int

    Returns
    -------
    list of list of int
        The blocks, each sorted, ordered by their smallest element.

    Examples
    --------
    Example 1 of the paper:

    >>> consecutive_partition({1, 2, 3, 5, 6, 8, 10, 11, 12, 13})
    [[1, 2, 3], [5, 6], [8], [10, 11, 12, 13]]

    References
    ----------
    Sohn et al. 2024, Definition 4.3 and Example 1.
    """
    blocks = [sorted(c) for c in nx.connected_components(path_graph_on(indices))]
    return sorted(blocks)


def _complement(K, T):
    T = set(T)
    if not T <= set(range(1, K + 1)):
        raise ValueError(f"T must be a subset of [K] = {{1..{K}}}")
    return [i for i in range(1, K + 1) if i not in T]


def unchanged_runs(K, T):
    """The blocks of P([K] \\ T) as ``(first, last)`` pairs, by one scan of ``1..K``.

    The same blocks as :func:`consecutive_partition` (a test compares them);
    this is the form the constructions use, because it costs ``O(K)`` and no
    graph, which matters at ``K = 10^6``.

    Examples
    --------
    >>> unchanged_runs(14, {4, 7, 9, 14})
    [(1, 3), (5, 6), (8, 8), (10, 13)]
    """
    changed = set(T)
    if not changed <= set(range(1, K + 1)):
        raise ValueError(f"T must be a subset of [K] = {{1..{K}}}")
    runs, start = [], None
    for i in range(1, K + 2):
        if i <= K and i not in changed:
            start = i if start is None else start
        elif start is not None:
            runs.append((start, i - 1))
            start = None
    return runs


def kept_indices(K, T):
    """The kept set J of Theorem 4.4: T plus the two ends of every block of [K] \\ T.

    Examples
    --------
    The instance of Figure 4:

    >>> kept_indices(14, {4, 7, 9, 14})
    [1, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14]

    References
    ----------
    Sohn et al. 2024, Theorem 4.4 (proof).
    """
    J = set(T)
    for first, last in unchanged_runs(K, T):
        J.update((first, last))
    return sorted(J)


def dropped_indices(K, T):
    """Interior points of the blocks of [K] \\ T, which Theorem 4.4 drops.

    Examples
    --------
    >>> dropped_indices(14, {4, 7, 9, 14})
    [2, 11, 12]
    """
    return sorted(set(range(1, K + 1)) - set(kept_indices(K, T)))


def theorem_4_4_neurons(K, T):
    """``K - 1 - sum_{P in P([K] \\ T)} max{|P| - 2, 0}``, the width in Theorem 4.4.

    Examples
    --------
    >>> theorem_4_4_neurons(14, {4, 7, 9, 14})
    10

    References
    ----------
    Sohn et al. 2024, Theorem 4.4.
    """
    return K - 1 - sum(max(last - first - 1, 0) for first, last in unchanged_runs(K, T))


def lemma_4_6_holds(K, indices):
    """Whether ``|P(I)| <= min{|I|, |[K] \\ I| + 1}`` for this I (Lemma 4.6).

    Examples
    --------
    >>> lemma_4_6_holds(14, {1, 2, 3, 5, 6, 8, 10, 11, 12, 13})
    True
    """
    blocks = consecutive_partition(indices)
    return len(blocks) <= min(len(set(indices)), K - len(set(indices)) + 1)


def lemma_4_7_bound(K, N):
    """The right-hand side ``max{K - 3N - 2, 0}`` of Lemma 4.7."""
    return max(K - 3 * N - 2, 0)


def lemma_4_7_holds(K, T):
    """Whether ``sum_{P in P([K]\\T)} max{|P|-2, 0} >= max{K-3N-2, 0}`` and hence
    ``|J| <= min{3N+2, K}`` for this T (Lemma 4.7).

    Examples
    --------
    >>> lemma_4_7_holds(14, {4, 7, 9, 14})
    True
    """
    drop = sum(max(len(P) - 2, 0) for P in consecutive_partition(_complement(K, T)))
    N = len(set(T))
    return drop >= lemma_4_7_bound(K, N) and len(kept_indices(K, T)) <= min(3 * N + 2, K)
