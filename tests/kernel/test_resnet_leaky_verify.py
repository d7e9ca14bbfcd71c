"""The trusted verifier on residual and leaky networks: acceptance, every mutation, malformed input."""

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftcexact.constructions import certify
from ftcexact.dataset import Dataset
from ftcexact.kernel.numbers import Q
from ftcexact.network import evaluate, network_from_json
from ftcexact.resnet import evaluate_resnet, resnet_from_json

from ..strategies import small
from .test_verify import _mutate_number, run_cert

# six points of the plane in general position (no three on a line), three classes
XS = ((Q(0), Q(0)), (Q(1), Q(0)), (Q(0), Q(1)), (Q(1), Q(3)), (Q(3), Q(1)), (Q(2), Q(7)), (Q(-2), Q(5)))
CLASSES = (0, 1, 2, 1, 0, 2, 1)
ONE_HOT = Dataset(XS, tuple(tuple(Q(int(j == c)) for j in range(3)) for c in CLASSES))


def resnet_cert(activation="relu", layers=4):
    return certify(ONE_HOT, "ysj-resnet", activation=activation, layers=layers)


@pytest.fixture(params=["relu", "leaky:1/10:1"])
def rcert(request):
    return resnet_cert(request.param)


def test_accepts_resnet_certificates(rcert, tmp_path):
    code, out, err = run_cert(rcert, tmp_path)
    assert code == 0 and out.splitlines()[-1] == "s VERIFIED", out + err
    assert "statement ysj_resnet holds" in out and "resnet" in out


@pytest.mark.parametrize("mutation, reason", [
    (lambda c: c["dataset"]["y"][0].__setitem__(0, "0"), "g(x_1)"),
    (lambda c: c["network"]["head"]["c"].__setitem__(0, _mutate_number(c["network"]["head"]["c"][0])), "g(x_"),
    (lambda c: c["claim"].__setitem__("neurons", c["claim"]["neurons"] + 1), "claim.neurons"),
    (lambda c: c["claim"].__setitem__("K", c["claim"]["K"] + 1), "claim.K"),
    (lambda c: c["claim"].__setitem__("statement", "ysj_thm_3_1"), "two-hidden-layer"),
    (lambda c: c["claim"].__setitem__("statement", "ysj_resnet_typo"), "not a registered statement"),
    (lambda c: c["network"].__setitem__("activation", "leaky:1/2:1"), "g(x_"),
])
def test_rejects_resnet_mutations(rcert, tmp_path, mutation, reason):
    bad = copy.deepcopy(rcert)
    mutation(bad)
    code, out, _ = run_cert(bad, tmp_path)
    assert code == 1 and out.splitlines()[-1] == "s NOT VERIFIED"
    assert reason in out.splitlines()[-2], out


def _drop_inert(cert):
    """Remove the units with zero weights: g is unchanged, the widths fall below the theorem's."""
    net = copy.deepcopy(cert["network"])
    for blk in net["blocks"] + [net["head"]]:
        keep = [k for k in range(len(blk["U"])) if any(row[k] != "0" for row in blk["V"])]
        blk["U"] = [blk["U"][k] for k in keep]
        blk["b"] = [blk["b"][k] for k in keep]
        blk["V"] = [[row[k] for k in keep] for row in blk["V"]]
    bad = copy.deepcopy(cert)
    bad["network"] = net
    bad["claim"]["neurons"] = sum(len(b["U"]) for b in net["blocks"] + [net["head"]])
    return bad


def test_widths_below_the_theorem_fit_but_do_not_meet_the_statement(rcert, tmp_path):
    bad = _drop_inert(rcert)
    assert bad["claim"]["neurons"] < rcert["claim"]["neurons"]
    code, out, _ = run_cert(bad, tmp_path)
    assert code == 1 and "do not meet d_x * sum_l d_l >= 4K + 4 d_y d_x" in out.splitlines()[-2], out
    bad["claim"].pop("statement")
    assert run_cert(bad, tmp_path)[0] == 0  # g itself still fits


@given(st.sampled_from(["relu", "leaky:1/10:1", "leaky:1/3:5/2"]), st.data())
@settings(max_examples=40)
def test_every_resnet_mutation_that_changes_g_is_rejected(tmp_path_factory, activation, data):
    cert = resnet_cert(activation, layers=data.draw(st.integers(2, 6)))
    bad = copy.deepcopy(cert)
    blocks = bad["network"]["blocks"] + [bad["network"]["head"]]
    blk = data.draw(st.sampled_from(blocks))
    field = data.draw(st.sampled_from(["U", "b", "V", "c"]))
    values = blk[field]
    if not values or (isinstance(values[0], list) and not values[0]):
        return
    delta = data.draw(small.filter(bool))
    i = data.draw(st.integers(0, len(values) - 1))
    if isinstance(values[i], list):
        j = data.draw(st.integers(0, len(values[i]) - 1))
        values[i][j] = _mutate_number(values[i][j], delta)
    else:
        values[i] = _mutate_number(values[i], delta)
    before = evaluate_resnet(resnet_from_json(cert["network"]), ONE_HOT.x)
    after = evaluate_resnet(resnet_from_json(bad["network"]), ONE_HOT.x)
    code, out, _ = run_cert(bad, tmp_path_factory.mktemp("m"))
    assert code == (1 if before != after else 0), out


@given(st.sampled_from(["leaky:1/10:1", "leaky:1/2:2"]), st.data())
@settings(max_examples=40)
def test_every_leaky_mutation_that_changes_g_is_rejected(tmp_path_factory, activation, data):
    name = data.draw(st.sampled_from(["ysj-memorizer", "two-layer", "three-layer-u3"]))
    ds = Dataset(tuple((Q(i), Q(i * i % 7)) for i in range(9)), tuple((Q((-1) ** i * (i % 3), 2),) for i in range(9)))
    cert = certify(ds, name, activation=activation)
    bad = copy.deepcopy(cert)
    layers = bad["network"]["layers"]
    layer = layers[data.draw(st.integers(0, len(layers) - 1))]
    r = data.draw(st.integers(0, len(layer["b"]) - 1))
    delta = data.draw(small.filter(bool))
    if data.draw(st.booleans()):
        c = data.draw(st.integers(0, len(layer["W"][r]) - 1))
        layer["W"][r][c] = _mutate_number(layer["W"][r][c], delta)
    else:
        layer["b"][r] = _mutate_number(layer["b"][r], delta)
    changed = evaluate(network_from_json(cert["network"]), ds.x) != evaluate(network_from_json(bad["network"]), ds.x)
    code, out, _ = run_cert(bad, tmp_path_factory.mktemp("l"))
    assert code == (1 if changed else 0), out


def _set_activation(value):
    return lambda c: c["network"].__setitem__("activation", value)


def _block(key, fn):
    return lambda c: fn(c["network"]["blocks"][0] if key == "block" else c["network"]["head"])


@pytest.mark.parametrize("mutation", [
    _set_activation("tanh"), _set_activation("leaky:1"), _set_activation("leaky:a:1"), _set_activation("leaky:1/0:1"),
    _set_activation("leaky:1:1:1"), _set_activation(5), _set_activation("leaky:1e99999:1"),
    lambda c: c["network"].pop("head"),
    lambda c: c["network"].__setitem__("head", []),
    lambda c: c["network"].__setitem__("blocks", {}),
    lambda c: c["network"].pop("blocks"),
    lambda c: c["network"].__setitem__("kind", "residual"),
    _block("block", lambda b: b["V"].pop()),                         # V must map back to d_x rows
    _block("block", lambda b: b["U"][0].append("1")),                # U rows have d_x entries
    _block("block", lambda b: b["b"].pop()),
    _block("block", lambda b: b["c"].append("0")),
    _block("block", lambda b: b["V"][0].append("1")),                # V rows have the block width
    _block("block", lambda b: b.pop("V")),
    _block("head", lambda b: b.pop("c")),
    _block("head", lambda b: b["U"][0].pop()),
    _block("head", lambda b: b.__setitem__("V", [])),                # a head without outputs
    _block("head", lambda b: b["b"].__setitem__(0, "nan")),
])
def test_malformed_resnet_exit_2(tmp_path, mutation):
    cert = resnet_cert("relu", layers=2)
    bad = copy.deepcopy(cert)
    mutation(bad)
    code, out, err = run_cert(bad, tmp_path)
    assert code == 2 and not any(line.startswith("s ") for line in out.splitlines()), out + err
    assert len(err.strip().splitlines()) == 1 and "malformed" in err


@pytest.mark.parametrize("activation", ["tanh", "leaky:1", "leaky:x:1", "leaky:1/0:1", "sigmoid:0:1"])
def test_malformed_feedforward_activation_exit_2(tmp_path, activation):
    ds = Dataset(tuple((Q(i),) for i in range(4)), tuple((Q(i % 2),) for i in range(4)))
    cert = certify(ds, "two-layer")
    cert["network"] = {"kind": "feedforward", "activation": activation, "layers": cert["network"]}
    code, _, err = run_cert(cert, tmp_path)
    assert code == 2 and "activation" in err
