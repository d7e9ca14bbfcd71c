"""Leaky activations max{S+ t, S- t}, S+ > S- >= 0: the gadget identities, the exact conversion, the constructions."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftcexact.cli.main import main
from ftcexact.constructions import CONSTRUCTIONS, LEAKY_STATEMENT, RELU_ONLY, certify
from ftcexact.constructions.gadgets import (ConstructionError, bump, bump_reference, for_activation, gadget_value,
                                            hard_tanh, hard_tanh_reference, ramped_sl, ramped_sl_reference, s_t,
                                            s_t_reference, to_activation)
from ftcexact.constructions.two_layer import two_layer_fit
from ftcexact.dataset import Dataset, dataset_to_json
from ftcexact.kernel.numbers import Q
from ftcexact.network import Network, evaluate

from ..kernel.test_verify import run_cert
from ..strategies import datasets, small

slopes = st.tuples(st.integers(0, 5), st.integers(1, 6), st.integers(1, 5)).map(
    lambda t: (Q(t[0], t[2] * 3), Q(t[0], t[2] * 3) + Q(t[1], 4)))  # S- >= 0, S+ > S-


def act(v, s):
    return v * (s[1] if v > 0 else s[0])


@given(slopes, st.lists(small, min_size=1, max_size=20))
def test_two_units_make_an_affine_image_of_hard_tanh(s, ts):
    """s(t + 1) - s(t - 1) = (S+ - S-) t + (S+ + S-) on [-1, 1], 2 S- below, 2 S+ above ([YSJ] family)."""
    s_neg, s_pos = s
    for t in ts + [Q(-1), Q(1), Q(0)]:
        lhs = act(t + 1, s) - act(t - 1, s)
        expected = 2 * s_neg if t <= -1 else (2 * s_pos if t >= 1 else (s_pos - s_neg) * t + s_pos + s_neg)
        assert lhs == expected
        assert (lhs - (s_pos + s_neg)) / (s_pos - s_neg) == hard_tanh_reference(t)
        assert gadget_value(for_activation(hard_tanh(), s), t, s) == hard_tanh_reference(t)


@given(slopes, st.lists(small, min_size=1, max_size=20))
def test_bump_and_ramped_sl_keep_their_unit_counts(s, ts):
    c, delta = Q(1, 2), Q(1, 4)
    B, L = for_activation(bump(c, delta), s), for_activation(ramped_sl(Q(1)), s)
    assert (B.relus, L.relus) == (3, 4)
    for t in ts + [c - delta, c, c + delta, Q(1), Q(2), Q(-1), Q(-2)]:
        assert gadget_value(B, t, s) == bump_reference(t, c, delta)
        assert gadget_value(L, t, s) == ramped_sl_reference(t, Q(1))


@given(slopes, st.lists(small, min_size=1, max_size=10))
def test_s_t_needs_relu(s, ts):
    if s[0] == 0:  # S+ relu: still 2 units
        for t in ts:
            assert gadget_value(for_activation(s_t(Q(1)), s), t, s) == s_t_reference(t, Q(1))
    else:
        with pytest.raises(ConstructionError, match="sT: its tails are not flat"):
            for_activation(s_t(Q(1)), s)


LEAKY_OK = sorted(set(CONSTRUCTIONS) - set(RELU_ONLY) - {"ysj-classifier", "ysj-resnet"})


@given(datasets(max_K=12, max_d=3), st.sampled_from(LEAKY_OK), st.sampled_from(["leaky:1/10:1", "leaky:1/3:5/2"]))
@settings(max_examples=30)
def test_leaky_certificates_verify_with_the_relu_count(tmp_path_factory, ds, name, activation):
    """Same count as the pruned ReLU network, except the two-layer unit at t_1 (still within the recipe)."""
    options = {"layers": 5} if name in ("deep", "ysj-deep") else {}
    relu = certify(ds, name, **options)
    cert = certify(ds, name, activation=activation, **options)
    code, out, err = run_cert(cert, tmp_path_factory.mktemp("c"))
    assert code == 0, out + err
    extra = 1 if name.startswith("two-layer") else 0
    assert cert["claim"]["neurons"] <= min(relu["claim"]["neurons"] + extra, cert["hints"]["recipe_neurons"])
    if "statement" in relu["claim"]:
        assert cert["claim"].get("statement") == LEAKY_STATEMENT[name], cert["hints"]


def test_two_layer_absorbs_the_linear_terms_in_the_first_unit():
    """First slope 0: the ReLU network has no unit at t_1; the leaky one adds it, within Theorem 4.4's count.

    The linear terms sum to ``S- (last slope - first slope) t / D``: nothing to absorb when the broken line ends
    flat as it starts."""
    for z, extra in (([0, 0, 0, 1, 0, -2, 1], 1), ([0, 0, 0, 1, 0, -2, 0, 0], 0)):
        ds = Dataset(tuple((Q(i),) for i in range(len(z))), tuple((Q(v),) for v in z))
        relu, info = two_layer_fit(ds)
        leaky, _ = two_layer_fit(ds, activation="leaky:1/10:1")
        assert evaluate(leaky, ds.x) == list(ds.targets)
        assert leaky.neurons == relu.neurons + extra <= info["bound"]


def test_to_activation_refuses_what_it_cannot_absorb():
    # one unit relu(t) read by the output on points where it is mixed: the linear term t cannot be absorbed
    net = Network.from_lists([([[1]], [0]), ([[1]], [0])])
    pts = [[Q(-1)], [Q(1)]]
    with pytest.raises(ConstructionError, match="cannot absorb"):
        to_activation(net, "leaky:1/10:1", pts)
    assert evaluate(to_activation(net, "leaky:0:5", pts), pts) == evaluate(net, pts)  # S- = 0: S+ relu
    assert evaluate(to_activation(net, "leaky:1/10:1", [[Q(1)], [Q(2)]]), [[Q(1)], [Q(2)]]) == [(Q(1),), (Q(2),)]


@pytest.mark.parametrize("name", sorted(RELU_ONLY))
def test_relu_only_constructions_refuse_one_line(name):
    ds = Dataset(tuple((Q(i),) for i in range(8)), tuple((Q(i % 3 - 1),) for i in range(8)))
    with pytest.raises(ConstructionError, match="takes ReLU only"):
        certify(ds, name, activation="leaky:1/10:1")
    certify(ds, name, activation="leaky:0:1")  # that is ReLU


@pytest.mark.parametrize("activation", ["leaky:1:1", "leaky:2:1", "leaky:-1:1", "tanh", "leaky:1", "leaky:a:b"])
def test_activations_outside_the_family_are_refused(activation):
    ds = Dataset(tuple((Q(i),) for i in range(4)), tuple((Q(i % 2),) for i in range(4)))
    with pytest.raises(ConstructionError):
        certify(ds, "ysj-memorizer", activation=activation)


def test_cli_activation(tmp_path, capsys):
    ds = Dataset(tuple((Q(i), Q(i * i)) for i in range(6)),
                 tuple(tuple(Q(int(j == i % 3)) for j in range(3)) for i in range(6)))
    data = tmp_path / "d.json"
    data.write_text(json.dumps(dataset_to_json(ds)))
    for name, extra in [("ysj-classifier", []), ("ysj-resnet", ["--layers", "3"]), ("ysj-memorizer", [])]:
        cert = str(tmp_path / f"{name}.json")
        assert main(["certify", str(data), "--construction", name, "--activation", "leaky:1/10:1", "-o", cert]
                    + extra) == 0
        assert main(["verify", cert]) == 0
        assert json.loads(open(cert).read())["network"]["activation"] == "leaky:1/10:1"
    capsys.readouterr()
    for args in (["--activation", "leaky:2:1"], ["--activation", "tanh"],
                 ["--construction", "three-layer-4n4", "--activation", "leaky:1/10:1"]):
        out = str(tmp_path / "bad.json")
        assert main(["certify", str(data), "-o", out] + args) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and not (tmp_path / "bad.json").exists()
