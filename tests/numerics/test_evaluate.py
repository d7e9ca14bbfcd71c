"""evaluate_exact is identical to ftcexact.network.evaluate, and its exact fallback really runs."""

import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftcexact.kernel.numbers import Q
from ftcexact.network import Network, evaluate
from ftcexact.numerics import evaluate as ev
from ftcexact.numerics.evaluate import evaluate_exact, evaluate_integers
from ftcexact.numerics.layers import IntegerNetwork

from ..strategies import networks, small


def float_points(X):
    return [[float(v) for v in row] for row in X]


def random_net(rnd, d, widths, make):
    layers, n = [], d
    for w in widths:
        layers.append((tuple(tuple(make() for _ in range(n)) for _ in range(w)), tuple(make() for _ in range(w))))
        n = w
    return Network(tuple(layers))


def float_net(rng, sizes, dtype=np.float32, scale=1.0):
    arrs = [((rng.standard_normal((sizes[i + 1], sizes[i])) * scale / np.sqrt(sizes[i])).astype(dtype),
             (rng.standard_normal(sizes[i + 1]) * 0.1).astype(dtype)) for i in range(len(sizes) - 1)]
    return arrs, Network.from_lists([(W.astype(float).tolist(), b.astype(float).tolist()) for W, b in arrs])


@pytest.mark.parametrize("seed", range(20))
def test_random_rational_networks(seed):
    rnd = random.Random(seed)
    d = rnd.randint(1, 4)
    widths = [rnd.randint(0 if l else 1, 6) for l in range(rnd.randint(0, 3))] + [rnd.randint(1, 3)]
    net = random_net(rnd, d, widths, lambda: Q(rnd.randint(-9, 9), rnd.randint(1, 5)))
    pts = [tuple(Q(rnd.randint(-9, 9), rnd.randint(1, 4)) for _ in range(d)) for _ in range(rnd.randint(0, 12))]
    assert evaluate_exact(net, pts) == evaluate(net, pts)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("seed", range(4))
def test_random_float_networks(dtype, seed):
    rng = np.random.default_rng(seed)
    sizes = [int(rng.integers(1, 12))] + [int(rng.integers(1, 20)) for _ in range(int(rng.integers(1, 4)))] + [3]
    arrs, net = float_net(rng, sizes, dtype)
    X = rng.standard_normal((50, sizes[0])).astype(dtype)
    ref = evaluate(net, float_points(X))
    assert evaluate_exact(net, X, block_rows=17) == ref
    assert evaluate_exact(IntegerNetwork.from_arrays(arrs), X) == ref
    v = evaluate_integers(arrs, X)
    assert [tuple(Q(int(n), v.den) for n in row) for row in v.numerators] == ref


def test_exact_zero_pre_activations_force_the_fallback():
    """Points on the kinks: z = x1 - x2 = 0 exactly (and a neuron exactly at its bias)."""
    net = Network.from_lists([([[1, -1], [1, 1], [2, 0]], [0, -1, "-1/2"]), ([[1, -3, 2]], [0])])
    X = np.array([[0.3, 0.3], [0.5, 0.5], [1e-300, 1e-300], [0.25, 0.75], [0.25, 0.25]], dtype=np.float64)
    ev.STATS.clear()
    assert evaluate_exact(net, X) == evaluate(net, float_points(X))
    assert ev.STATS["exact_signs"] >= 5


def test_near_ties_force_the_fallback():
    """Pre-activations of relative size 2^-52 .. 2^-60, huge and subnormal magnitudes."""
    eps = 2.0 ** -52
    rows = [[1 + eps, 1.0], [1.0, 1 + eps], [1 + 2 * eps, 1 + eps], [2.0 ** 600, 2.0 ** 600 * (1 - eps)],
            [5e-324, 0.0], [0.0, 5e-324], [1e-310, 1e-310 * (1 + 2 ** -20)], [2.0 ** -60, 0.0]]
    X = np.array(rows)
    net = Network.from_lists([([[1, -1], [-1, 1], [1, 0]], [0, 0, -1]), ([[1, 1, 0], [1, -1, 1]], [0, 0]),
                              ([[1, "1/3"]], [0])])
    ev.STATS.clear()
    assert evaluate_exact(net, X) == evaluate(net, float_points(X))
    assert ev.STATS["exact_signs"] >= len(rows)


def test_cancelling_neurons_in_deep_layers():
    """Duplicate neurons with opposite output weights: later pre-activations are exactly 0 after cancellation."""
    rng = np.random.default_rng(3)
    W1 = rng.standard_normal((4, 3)).astype(np.float32)
    W1 = np.concatenate([W1, W1])
    b1 = np.zeros(8, dtype=np.float32)
    W2 = np.concatenate([np.eye(4), -np.eye(4)], axis=1).astype(np.float32)   # relu(v) - relu(v) = 0
    b2 = np.zeros(4, dtype=np.float32)
    W3 = rng.standard_normal((2, 4)).astype(np.float32)
    arrs = [(W1, b1), (W2, b2), (W3, np.zeros(2, dtype=np.float32))]
    net = Network.from_lists([(W.astype(float).tolist(), b.astype(float).tolist()) for W, b in arrs])
    X = rng.standard_normal((30, 3)).astype(np.float32)
    ev.STATS.clear()
    assert evaluate_exact(arrs, X) == evaluate(net, float_points(X))
    assert ev.STATS["exact_signs"] >= 30 * 4


def test_huge_rational_weights_and_the_integer_path():
    rnd = random.Random(4)
    net = random_net(rnd, 2, [4, 3, 1], lambda: Q(rnd.randint(-10 ** 60, 10 ** 60), rnd.randint(1, 10 ** 40)))
    pts = [tuple(Q(rnd.randint(-99, 99), rnd.randint(1, 9)) for _ in range(2)) for _ in range(6)]
    ref = evaluate(net, pts)
    ev.STATS.clear()
    assert evaluate_exact(net, pts) == ref                # RNS with many primes
    assert ev.STATS["bigint_blocks"] == 0
    assert evaluate_exact(net, pts, max_primes=8) == ref  # forced onto the exact integer path
    assert ev.STATS["bigint_blocks"] == 1
    X = np.array([[0.5, -2.25], [1e-300, 1e300]])
    assert evaluate_exact(net, X) == evaluate(net, float_points(X))
    huge = random_net(rnd, 2, [3, 1], lambda: Q(rnd.randint(-10 ** 900, 10 ** 900), rnd.randint(1, 10 ** 700)))
    assert evaluate_exact(huge, pts) == evaluate(huge, pts)   # thousands of bits: the integer path


def test_weights_beyond_the_float_range():
    """Weights of size 2^2000 overflow float64: every sign is decided exactly."""
    net = Network.from_lists([([[2 ** 2000, -(2 ** 2000)], [1, 1]], [1, Fraction(-1, 2 ** 1100)]),
                              ([[2 ** -2000, 3]], [0])])
    X = np.array([[1.0, 1.0], [1.0, 0.5], [0.0, 0.0], [2.0 ** -1074, 0.0]])
    ev.STATS.clear()
    assert evaluate_exact(net, X) == evaluate(net, float_points(X))
    assert ev.STATS["exact_signs"] > 0


def test_wide_float64_inputs_and_integer_arrays():
    net = Network.from_lists([([[1, -1, 2]], [0])])
    X = np.array([[1.7976931348623157e308, 5e-324, -3.0], [2.0 ** 1000, 2.0 ** 999, 0.0]])
    assert evaluate_exact(net, X) == evaluate(net, float_points(X))
    Xi = np.array([[2 ** 62, -(2 ** 62), 7], [1, 2, 3]], dtype=np.int64)
    assert evaluate_exact(net, Xi) == evaluate(net, Xi.tolist())


def test_errors():
    net = Network.from_lists([([[1, 2]], [0])])
    with pytest.raises(ValueError):
        evaluate_exact(net, np.array([[np.nan, 1.0]]))
    with pytest.raises(TypeError):
        evaluate_exact(net, np.array([[True, False]]))
    with pytest.raises(ValueError):
        evaluate_exact(net, np.ones((2, 3)))
    assert evaluate_exact(net, np.zeros((0, 2))) == []


@given(st.integers(1, 3).flatmap(lambda d: st.tuples(networks(d, max_depth=4, max_width=5),
                                                     st.lists(st.tuples(*[small] * d), max_size=8))))
def test_property_identical_to_network_evaluate(args):
    net, pts = args
    assert evaluate_exact(net, pts) == evaluate(net, pts)


def test_the_filter_decides_almost_everything_on_generic_data():
    rng = np.random.default_rng(8)
    arrs, net = float_net(rng, [20, 30, 30, 4], np.float32)
    X = rng.standard_normal((200, 20)).astype(np.float32)
    ev.STATS.clear()
    assert evaluate_exact(arrs, X, block_rows=64) == evaluate(net, float_points(X))
    assert ev.STATS["filtered"] > 0.999 * (ev.STATS["filtered"] + ev.STATS["exact_signs"])


def test_deep_network_with_ties_propagating_through_layers():
    """Ten layers of x -> relu(x) - relu(-x) style carries with exact zeros at every depth."""
    eye = [[1, 0], [0, 1]]
    layers = [([[1, -1], [-1, 1]], [0, 0])] + [(eye, [0, 0])] * 9 + [([[1, -1]], ["1/3"])]
    net = Network.from_lists(layers)
    X = np.array([[0.1, 0.1], [0.1, 0.1 + 2 ** -56], [1e-300, 0.0], [0.0, 0.0], [3.0, -3.0]])
    ev.STATS.clear()
    assert evaluate_exact(net, X, block_rows=2) == evaluate(net, float_points(X))
    assert ev.STATS["exact_signs"] >= 10


def test_integer_network_round_trip():
    rng = np.random.default_rng(2)
    arrs, net = float_net(rng, [3, 4, 2], np.float32)
    assert IntegerNetwork.from_arrays(arrs).to_network() == net
    assert IntegerNetwork.from_network(net).to_network() == net
