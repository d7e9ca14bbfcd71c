"""The limb evaluation (kernel.limbs) against plain Python integers and FLINT: identical, at the extremes too."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftcexact.kernel import evaluate, limbs
from ftcexact.kernel.numbers import Q, int_matmul

np = pytest.importorskip("numpy")


def python_network(maps, X, den):
    """The reference: Python integers, column by column."""
    out = []
    for x in X:
        h, d = list(x), den
        for l, (rows, bias, dW) in enumerate(maps):
            h = [sum(w * v for w, v in zip(row, h)) + c * d for row, c in zip(rows, bias)]
            d *= dW
            if l < len(maps) - 1:
                h = [max(v, 0) for v in h]
        out.append(h)
    return out, d


def integer_matrix(draw_bits, rows, cols, rng, signed=True):
    return [[rng.randrange(-2**draw_bits, 2**draw_bits) if signed else rng.randrange(2**draw_bits)
             for _ in range(cols)] for _ in range(rows)]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.lists(st.integers(1, 6), min_size=1, max_size=4), st.integers(1, 6),
       st.sampled_from([3, 20, 40, 62, 64, 90, 300]), st.sampled_from([1, 5, 30, 63, 200]))
def test_relu_network_equals_python_integers(seed, widths, points, weight_bits, input_bits):
    rng = random.Random(seed)
    d = rng.randint(1, 7)
    X = integer_matrix(input_bits, points, d, rng)
    maps, k = [], d
    for n in widths:
        maps.append((integer_matrix(weight_bits, n, k, rng), [rng.randrange(-2**weight_bits, 2**weight_bits)
                                                               for _ in range(n)], rng.randint(1, 2**20)))
        k = n
    den = rng.randint(1, 2**30)
    out = limbs.relu_network(maps, X, den)
    assert out == python_network(maps, X, den) or (out is None and weight_bits >= 300)  # None: FLINT's turn


def test_products_at_the_exactness_bound():
    """k 2^(2B) = 2^53 exactly: every limb at -2^B, the most negative normalized top limb."""
    k = 2048
    B = limbs.layer_widths(60, 60, k)[0]
    assert limbs.layer_widths(60, 60, k) == (B, B) and k * 2**(2 * B) == 2**53
    X = [[-2**B] * k, [2**B - 1] * k]
    maps = [([[-2**B] * k, [2**B - 1] * k], [1, -1], 1)]
    assert limbs.relu_network(maps, X, 1) == python_network(maps, X, 1)
    assert limbs.relu_network(maps, X, 1)[0][0][0] == 2**53 + 1  # past the last exactly representable float


def test_relu_at_zero_and_at_limb_boundaries():
    B = limbs.WIDTH
    values = [0, 1, -1, 2**B, -2**B, 2**B - 1, -2**B - 1, 2**(3 * B), -2**(3 * B), -2**(3 * B) + 1,
              2**(5 * B) - 1, -(2**(5 * B)), 2**63, -2**63 - 1, 2**200 + 3, -(2**200)]
    X = [[v, 1] for v in values]
    maps = [([[1, 0], [-1, 0], [1, -1]], [0, 0, 0], 1), ([[1, 1, 1]], [0], 1)]
    assert limbs.relu_network(maps, X, 1) == python_network(maps, X, 1)


@pytest.mark.parametrize("value", [0, 1, -1, 2**62, -2**63, 2**63 - 1, 2**63, -2**63 - 1, 2**500, -(2**500) + 7])
def test_limbs_round_trip(value):
    for B in (3, 7, 21, 30):
        L = limbs.to_limbs([[value, -value]], (1, 2), B)
        if abs(value).bit_length() > B * limbs.MAX_LIMBS:
            assert L is None
            continue
        assert limbs.from_limbs(L, B) == [[value, -value]]
        assert all(0 <= v < 2**B for limb in L[:-1] for v in limb.ravel())
        assert all(-2**B <= v < 2**B for v in L[-1].ravel())
        assert abs(value) < 2**limbs.bits(L, B)
        for B2 in (5, 17, 30):
            assert limbs.from_limbs(limbs.rebase(L, B, B2), B2) == [[value, -value]]


def test_int64_extremes_in_one_array():
    """-2^63 has no int64 absolute value: its bit count must still be 64."""
    for B in (7, 30):
        L = limbs.to_limbs([[-2**63, 2**63 - 1, 0]], (1, 3), B)
        assert limbs.bits(L, B) == 64 and limbs.from_limbs(L, B) == [[-2**63, 2**63 - 1, 0]]


@pytest.mark.parametrize("a_bits, b_bits", [(70, 50), (20, 50), (50, 12), (8, 8), (62, 1)])
def test_limb_matmul_equals_flint(a_bits, b_bits):
    rng = random.Random(a_bits)
    A, Bm = integer_matrix(a_bits, 9, 300, rng), integer_matrix(b_bits, 300, 11, rng)
    b_a, b_b = limbs.layer_widths(a_bits, b_bits, 300)
    assert b_a + b_b + 9 <= 53 and max(b_a, b_b) <= limbs.WIDTH
    parts, out = limbs.limb_matmul(limbs.rebase(limbs.to_limbs(A, (9, 300)), limbs.WIDTH, b_a),
                                   limbs.rebase(limbs.to_limbs(Bm, (300, 11)), limbs.WIDTH, b_b), b_a, b_b)
    C = limbs._normalize(parts, out)
    assert limbs.from_limbs(C, out) == [list(r) for r in int_matmul(A, Bm)]


def test_too_many_limbs_falls_back():
    maps = [([[2**(30 * limbs.MAX_LIMBS)]], [0], 1)]
    assert limbs.relu_network(maps, [[1]], 1) is None
    net = evaluate.read_net([{"W": [[str(2**(30 * limbs.MAX_LIMBS))]], "b": ["0"]}], 1)
    assert evaluate.evaluate_dense(net, [[3]]) == [(Q(3 * 2**(30 * limbs.MAX_LIMBS)),)]


def test_evaluate_dense_agrees_with_and_without_limbs(monkeypatch):
    rng = random.Random(9)
    layers = [{"W": [[f"{rng.randint(-999, 999)}/{rng.choice([1, 2, 3, 1024, 7 ** 9])}" for _ in range(k)]
                     for _ in range(n)], "b": [f"{rng.randint(-99, 99)}/{rng.randint(1, 50)}" for _ in range(n)]}
              for k, n in ((5, 8), (8, 8), (8, 3))]
    net = evaluate.read_net(layers, 5)
    X = integer_matrix(40, 50, 5, rng)
    with_limbs = evaluate.evaluate_dense(net, X, 3**5)
    monkeypatch.setattr(evaluate, "relu_network", lambda *a: None)
    assert evaluate.evaluate_dense(net, X, 3**5) == with_limbs


def test_wide_networks_are_evaluated_in_chunks_of_points(monkeypatch):
    """Points x widest layer stays within DENSE_VALUES: a wide layer is evaluated on fewer points at a time."""
    sizes = []
    real = evaluate.relu_network
    monkeypatch.setattr(evaluate, "relu_network", lambda maps, X, den, cache=None: sizes.append(len(X)) or
                        real(maps, X, den, cache))
    monkeypatch.setattr(evaluate, "DENSE_VALUES", 64)
    net = evaluate.read_net([{"W": [[str(i - 8)] for i in range(16)], "b": ["1"] * 16},
                             {"W": [["1"] * 16], "b": ["0"]}], 1)
    X = [[v] for v in range(-10, 11)]
    assert evaluate.evaluate_dense(net, X) == [(Q(sum(max((i - 8) * v + 1, 0) for i in range(16))),) for v in
                                                range(-10, 11)]
    assert sizes == [4] * 5 + [1]
