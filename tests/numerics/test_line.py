"""restrict_to_line_fast is identical to ftcexact.analysis.pieces.restrict_to_line; its exact fallback runs."""

import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftcexact.analysis.pieces import PiecewiseLinear, restrict_to_line
from ftcexact.kernel.numbers import Q
from ftcexact.network import Network
from ftcexact.numerics import line as ln
from ftcexact.numerics.layers import IntegerNetwork
from ftcexact.numerics.line import restrict_to_line_fast

from ..strategies import networks, small


def clip(f, a, b):
    """The restriction of a canonical PiecewiseLinear to a <= t <= b."""
    a, b = Q(a), Q(b)
    bps = list(f.breakpoints)
    keep = [j for j in range(f.pieces)
            if (j == 0 or bps[j - 1] < b) and (j == f.pieces - 1 or bps[j] > a)]
    return PiecewiseLinear(tuple(x for x in bps if a < x < b), tuple(f.slopes[j] for j in keep),
                           tuple(f.intercepts[j] for j in keep))


def random_net(rnd, d, widths, make):
    layers, n = [], d
    for w in widths:
        layers.append((tuple(tuple(make() for _ in range(n)) for _ in range(w)), tuple(make() for _ in range(w))))
        n = w
    return Network(tuple(layers))


@pytest.mark.parametrize("seed", range(40))
def test_random_rational_networks_and_segments(seed):
    rnd = random.Random(seed)
    d = rnd.randint(1, 3)
    widths = [rnd.randint(0 if l else 1, 6) for l in range(rnd.randint(0, 3))] + [rnd.randint(1, 2)]
    mk = lambda: Q(rnd.randint(-6, 6), rnd.randint(1, 3))
    net = random_net(rnd, d, widths, mk)
    p, u = [mk() for _ in range(d)], [mk() for _ in range(d)]
    if not any(u):
        u[0] = Q(1)
    ref = restrict_to_line(net, p, u)
    assert restrict_to_line_fast(net, p, u) == ref
    a = Q(rnd.randint(-8, 8), rnd.randint(1, 3))
    b = a + Q(rnd.randint(1, 9), rnd.randint(1, 3))
    segs = [(a, b)] + ([(ref.breakpoints[0], ref.breakpoints[-1])] if ref.breakpoints else [])
    for seg in segs:
        if seg[0] < seg[1]:
            assert restrict_to_line_fast(net, p, u, segment=seg) == clip(ref, *seg)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_networks(dtype):
    rng = np.random.default_rng(11)
    sizes = [5, 16, 16, 16, 3]
    arrs = [((rng.standard_normal((sizes[i + 1], sizes[i])) / np.sqrt(sizes[i])).astype(dtype),
             (rng.standard_normal(sizes[i + 1]) * 0.1).astype(dtype)) for i in range(len(sizes) - 1)]
    net = Network.from_lists([(W.astype(float).tolist(), b.astype(float).tolist()) for W, b in arrs])
    inet = IntegerNetwork.from_arrays(arrs)
    for _ in range(3):
        p, u = rng.uniform(-1, 1, 5), rng.standard_normal(5)
        ref = restrict_to_line(net, p.tolist(), u.tolist())
        assert restrict_to_line_fast(inet, p, u) == ref
        assert restrict_to_line_fast(net, p.astype(np.float32), u) == restrict_to_line(
            net, p.astype(np.float32).tolist(), u.tolist())
        assert restrict_to_line_fast(inet, p, u, segment=(-1, 0.75)) == clip(ref, -1, Fraction(3, 4))


def test_equal_roots_and_duplicate_neurons():
    """Duplicated and scaled neurons cross at exactly the same t: one breakpoint, exact ordering."""
    net = Network.from_lists([([[1], [2], [3], [-1], [1]], [-1, -2, -3, 1, "-1/3"]),
                              ([[1, 1, -1, 2, 1], [1, -1, 0, 0, 1]], [0, "1/7"]),
                              ([[1, -1]], [0])])
    ln.STATS.clear()
    assert restrict_to_line_fast(net) == restrict_to_line(net)
    assert ln.STATS["exact_orders"] >= 3


def test_breakpoints_1e15_apart_and_at_nodes():
    eps = 2.0 ** -50
    net = Network.from_lists([([[1], [1], [1], [1]], [-1, -(1 + eps), -(1 + 2 * eps), -(1 - eps)]),
                              ([[1, -1, 1, -1], [0, 1, -2, 1]], [0, 0]),
                              ([[1, 1]], [0])])
    ln.STATS.clear()
    f = restrict_to_line(net)
    assert restrict_to_line_fast(net) == f
    assert ln.STATS["exact_orders"] >= 1
    # segment ends exactly on breakpoints, and a breakpoint 2^-60 inside the segment
    assert restrict_to_line_fast(net, segment=(1, 1 + eps)) == clip(f, 1, 1 + eps)
    assert restrict_to_line_fast(net, segment=(Q(1) - Q(1, 2 ** 60), 1)) == clip(f, Q(1) - Q(1, 2 ** 60), 1)


def test_exact_zero_forms_force_exact_signs():
    """Dead neurons with zero bias (forms identically 0) and a second layer exactly 0 at a first-layer kink."""
    net = Network.from_lists([([[1, 0], [0, 0], [1, -1]], [0, 0, 0]),
                              ([[1, 0, 0], [0, 5, 0], [-1, 0, 1]], [0, 0, 0]),
                              ([[1, 2, 3]], [0])])
    ln.STATS.clear()
    for p, u in [([0, 0], [1, 1]), ([1, 1], [1, 0]), ([0, 0], [0, 1])]:
        assert restrict_to_line_fast(net, p, u) == restrict_to_line(net, p, u)
    assert ln.STATS["exact_signs"] > 0


def test_huge_tiny_lines_and_big_rational_weights():
    rnd = random.Random(2)
    net = random_net(rnd, 2, [4, 4, 2], lambda: Q(rnd.randint(-10 ** 40, 10 ** 40), rnd.randint(1, 10 ** 30)))
    for p, u in [([Q(10) ** 300, 1], [1, Q(1, 10 ** 300)]), ([Q(1, 3), Q(-2, 7)], [Q(1, 10 ** 320), 1]),
                 ([2.0 ** -1074, 0.0], [1.7976931348623157e308, 1.0])]:
        assert restrict_to_line_fast(net, p, u) == restrict_to_line(net, p, u)
    big = Network.from_lists([([[2 ** 3000, -1], [1, 2 ** -3000]], [1, -1]), ([[1, Fraction(1, 3 ** 900)]], [0])])
    assert restrict_to_line_fast(big, [1, 2], [Fraction(-1, 2 ** 3000), 1]) == \
        restrict_to_line(big, [1, 2], [Fraction(-1, 2 ** 3000), 1])


def test_errors_match():
    net = Network.from_lists([([[1, 2]], [0]), ([[1]], [0])])
    for args in [dict(), dict(direction=[0, 0]), dict(direction=[1, 2, 3])]:
        with pytest.raises(ValueError):
            restrict_to_line(net, **args)
        with pytest.raises(ValueError):
            restrict_to_line_fast(net, **args)
    with pytest.raises(ValueError):
        restrict_to_line_fast(net, direction=[1, 1], segment=(1, 1))


@given(st.integers(1, 3).flatmap(lambda d: st.tuples(networks(d, max_depth=4, max_width=5),
                                                     st.tuples(*[small] * d), st.tuples(*[small] * d),
                                                     small, small)))
def test_property_identical_to_restrict_to_line(args):
    net, point, direction, a, w = args
    if not any(direction):
        return
    ref = restrict_to_line(net, point, direction)
    assert restrict_to_line_fast(net, point, direction) == ref
    if w > 0:
        assert restrict_to_line_fast(net, point, direction, segment=(a, a + w)) == clip(ref, a, a + w)


@st.composite
def tied_networks(draw):
    """Networks whose neurons are duplicated or rescaled copies: roots coincide exactly."""
    d = draw(st.integers(1, 2))
    base = draw(st.lists(st.tuples(st.tuples(*[small] * d), small), min_size=1, max_size=3))
    rows, bias = [], []
    for w, b in base:
        for s in draw(st.lists(st.sampled_from([1, 2, 3, "1/2"]), min_size=1, max_size=3)):
            rows.append([Q(s) * v for v in w])
            bias.append(Q(s) * b)
    m = len(rows)
    W2 = [[draw(small) for _ in range(m)] for _ in range(draw(st.integers(1, 3)))]
    out = [[draw(small) for _ in range(len(W2))]]
    return Network.from_lists([(rows, bias), (W2, [draw(small) for _ in W2]), (out, [0])])


@given(tied_networks(), st.tuples(small, small), st.tuples(small, small))
def test_property_exact_ties(net, point, direction):
    d = net.input_dim
    point, direction = point[:d], direction[:d]
    if not any(direction):
        return
    assert restrict_to_line_fast(net, point, direction) == restrict_to_line(net, point, direction)


def test_depth_one_and_zero_direction_components():
    net = Network.from_lists([([[1, 2, 3], [0, 0, 1]], [1, -1])])
    assert restrict_to_line_fast(net, [1, 2, 3], [0, 1, 0]) == restrict_to_line(net, [1, 2, 3], [0, 1, 0])
    assert restrict_to_line_fast(net, [1, 2, 3], [0, 1, 0], segment=(0, 1)) == \
        restrict_to_line(net, [1, 2, 3], [0, 1, 0])
