"""The producer-side residual network and leaky activations against the trusted kernel's evaluator."""

from math import lcm

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftcexact.kernel.evaluate import evaluate_dense, read_net
from ftcexact.kernel.numbers import Q
from ftcexact.network import Network, NetworkError, evaluate, network_from_json, network_to_json
from ftcexact.resnet import ResNet, evaluate_resnet, resnet_from_json, resnet_hidden, resnet_to_json

from .strategies import networks, small

#: activations of the family max{S+ v, S- v}, S+ > S- >= 0, and two outside it (the kernel evaluates any slopes)
ACTIVATIONS = st.sampled_from(["relu", "leaky:1/10:1", "leaky:0:2", "leaky:1/3:5/2", "leaky:1:1", "leaky:-1:1"])


@st.composite
def resnets(draw, d, max_blocks=3, max_width=4, dy=None):
    """Random residual networks with input dimension d (blocks of width 0 included)."""
    mat = lambda r, c: tuple(tuple(draw(small) for _ in range(c)) for _ in range(r))
    vec = lambda n: tuple(draw(small) for _ in range(n))
    blocks = []
    for _ in range(draw(st.integers(0, max_blocks))):
        w = draw(st.integers(0, max_width))
        blocks.append((mat(w, d), vec(w), mat(d, w), vec(d)))
    w = draw(st.integers(0, max_width))
    dy = dy or draw(st.integers(1, 3))
    return ResNet(tuple(blocks), (mat(w, d), vec(w), mat(dy, w), vec(dy)), draw(ACTIVATIONS))


def kernel_values(obj, points):
    """The kernel's dense evaluation of a network JSON object at rational points."""
    net = read_net(obj, len(points[0]))
    den = lcm(1, *(v.denominator for p in points for v in p))
    return evaluate_dense(net, [[int(v * den) for v in p] for p in points], den)


points_and_dim = st.integers(1, 3).flatmap(lambda d: st.tuples(
    st.just(d), st.lists(st.tuples(*[small] * d), min_size=1, max_size=8)))


@given(points_and_dim, st.data())
def test_resnet_evaluator_agrees_with_the_kernel(args, data):
    d, points = args
    net = data.draw(resnets(d))
    assert evaluate_resnet(net, points) == kernel_values(resnet_to_json(net), points)


@given(points_and_dim, st.data())
def test_leaky_feedforward_evaluators_agree_with_the_kernel(args, data):
    d, points = args
    relu = data.draw(networks(d))
    net = Network(relu.layers, data.draw(ACTIVATIONS))
    assert evaluate(net, points) == kernel_values(network_to_json(net), points)


@given(points_and_dim, st.data())
@settings(max_examples=30)
def test_resnet_by_hand(args, data):
    """The definition, written out once more: h <- h + V s(U h + b) + c, then the head."""
    d, points = args
    net = data.draw(resnets(d))
    s_neg, s_pos = net.slopes
    act = lambda v: v * (s_pos if v > 0 else s_neg)
    for p in points:
        h = list(p)
        for U, b, V, c in net.blocks:
            a = [act(sum((u * x for u, x in zip(row, h)), Q(0)) + bi) for row, bi in zip(U, b)]
            h = [x + sum((v * ai for v, ai in zip(row, a)), Q(0)) + ci for x, row, ci in zip(h, V, c)]
        assert resnet_hidden(net, p) == h
        U, b, V, c = net.head
        a = [act(sum((u * x for u, x in zip(row, h)), Q(0)) + bi) for row, bi in zip(U, b)]
        assert evaluate_resnet(net, [p])[0] == tuple(sum((v * ai for v, ai in zip(row, a)), Q(0)) + ci
                                                     for row, ci in zip(V, c))


@given(st.integers(1, 3).flatmap(resnets))
def test_json_round_trip(net):
    assert resnet_from_json(resnet_to_json(net)) == net
    assert network_from_json(network_to_json(net)) == net
    assert net.neurons == sum(net.widths) and net.depth == len(net.blocks) + 1


def test_counts_and_kind():
    net = ResNet.from_lists([([[1, 0], [0, 1]], [0, 0], [[1, 0], [0, 1]], [0, 0]), ([], [], [[], []], [1, 1])],
                            ([[1, 1]], [0], [[1], [2]], [0, 0]), "leaky:1/10:1")
    assert (net.kind, net.widths, net.neurons, net.depth, net.input_dim, net.output_dim) == \
        ("resnet", [2, 0, 1], 3, 3, 2, 2)
    # h_1 = (1, -1) + (s(1), s(-1)) = (2, -11/10); h_2 = h_1 + (1, 1); head: s(3 - 1/10) = 29/10, times (1, 2)
    assert evaluate_resnet(net, [[Q(1), Q(-1)]]) == [(Q(29, 10), Q(29, 5))]


@pytest.mark.parametrize("blocks, head, why", [
    ([([[1, 2]], [0], [[1]], [0])], ([[1, 2]], [0], [[1]], [0]), "maps back"),        # V has 1 row, d = 2
    ([([[1, 2]], [0, 1], [[1], [1]], [0, 0])], ([[1, 2]], [0], [[1]], [0]), "biases b"),
    ([([[1, 2]], [0], [[1, 1], [1, 1]], [0, 0])], ([[1, 2]], [0], [[1]], [0]), "block width"),
    ([([[1, 2]], [0], [[1], [1]], [0])], ([[1, 2]], [0], [[1]], [0]), "biases c"),
    ([([[1, 2]], [0], [[1], [1]], [0, 0])], ([[1, 2, 3]], [0], [[1]], [0]), "input dimension"),
    ([], ([[1]], [0], [], []), "no rows"),
])
def test_bad_shapes_are_refused(blocks, head, why):
    with pytest.raises(NetworkError, match=why):
        ResNet.from_lists(blocks, head)


def test_bad_activation_and_json():
    from ftcexact.kernel.reader import Malformed
    with pytest.raises(Malformed):
        ResNet.from_lists([], ([[1]], [0], [[1]], [0]), "tanh")
    with pytest.raises(NetworkError):
        resnet_from_json({"kind": "resnet", "blocks": [], "head": {"U": [["1"]], "b": ["0"], "V": [["1"]]}})
    with pytest.raises(NetworkError):
        resnet_from_json({"kind": "feedforward", "layers": []})
