"""The oriented construction (docs/search.md §7) against the oracle: m* = min{3N, K-2} for K >= 2N + 2.

Theorem 4.4 interpolates the kept points J with |J| - 1 neurons.  If two
consecutive kept points have equal targets, kinks left of that flat segment
face left and kinks right of it face right, and |J| - 2 neurons suffice; for
K >= 2N + 2 a block of [K] \\ T with two points always gives such a segment,
and |J| <= min{3N + 2, K} (Lemma 4.7).  The construction is
``ftcexact.constructions.two_layer.oriented_fit`` (``two-layer-oriented``);
here it is checked with the trusted verifier, and the oracle is checked never
to find a dataset needing more.
"""

import io
import random

import pytest

from ftcexact.certificate import write_json_atomic
from ftcexact.constructions import certify
from ftcexact.dataset import random_dataset
from ftcexact.kernel import verify
from ftcexact.search.adversarial import candidate, paper_bounds
from ftcexact.search.oracle import min_width


def test_oriented_construction_meets_the_lower_bound(tmp_path):
    rng = random.Random(4)
    for n in range(300):
        K = rng.randint(3, 30)
        N = rng.randint(0, (K - 2) // 2)      # K >= 2N + 2
        ds = random_dataset(d=rng.randint(1, 3), K=K, N=N, seed=rng.randrange(10**6), denominator=4,
                            magnitude=8)
        cert = certify(ds, "two-layer-oriented")
        assert cert["hints"]["oriented"], "K >= 2N + 2 always leaves a block of two unchanged points"
        assert cert["claim"]["neurons"] <= cert["hints"]["recipe_neurons"] <= paper_bounds(N, K)[0] + (N == 0)
        path = tmp_path / f"o{n}.json"
        write_json_atomic(cert, path)
        assert verify.run(str(path), out=io.StringIO(), err=io.StringIO()) == 0
        if K <= 9 and ds.d == 1:  # the oracle agrees that nothing smaller than its bound is forced
            assert min_width(ds)["min_width"] <= cert["claim"]["neurons"]


@pytest.mark.parametrize("N,K", [(N, K) for K in range(3, 10) for N in range(1, K + 1) if K >= 2 * N + 2])
def test_no_searched_dataset_beats_the_closed_value(N, K):
    """For K >= 2N + 2 the exact width never exceeds min{3N, K-2}, and the paper's dataset attains it."""
    lower = paper_bounds(N, K)[0]
    assert min_width(candidate(N, K, 0, 0)[0])["min_width"] == lower
    for i in range(1, 40):
        assert min_width(candidate(N, K, 0, i)[0])["min_width"] <= lower
