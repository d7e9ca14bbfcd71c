"""The trusted verifier: acceptance, rejection of every mutation, malformed input."""

import copy
import hashlib
import io
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftcexact.certificate import write_json_atomic
from ftcexact.constructions import certify
from ftcexact.dataset import dataset_to_json, random_dataset
from ftcexact.kernel import verify
from ftcexact.kernel.evaluate import first_layer_direction
from ftcexact.kernel.numbers import Q, format_rational, parse_rational
from ftcexact.network import evaluate as network_evaluate
from ftcexact.network import network_from_json

from ..strategies import datasets, networks, small


def run_cert(cert, tmp_path, name="cert.json"):
    path = tmp_path / name
    path.write_text(json.dumps(cert))
    out, err = io.StringIO(), io.StringIO()
    code = verify.run(str(path), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cert():
    return certify(random_dataset(d=3, K=20, N=5, seed=3, with_f=True))


def test_accepts_construction(cert, tmp_path):
    code, out, err = run_cert(cert, tmp_path)
    assert code == 0 and out.splitlines()[-1] == "s VERIFIED" and err == ""
    assert all(line.startswith("c ") for line in out.splitlines()[:-1])


def _mutate_number(text, delta=Q(1, 7)):
    return format_rational(parse_rational(text) + delta)


@pytest.mark.parametrize("mutation, reason", [
    (lambda c: c["dataset"]["y"].__setitem__(0, _mutate_number(c["dataset"]["y"][0])), "g(x_1)"),
    (lambda c: c["dataset"]["f"].__setitem__(1, _mutate_number(c["dataset"]["f"][1])), "g(x_2)"),
    (lambda c: c["network"][-1]["b"].__setitem__(0, _mutate_number(c["network"][-1]["b"][0])), "g(x_"),
    (lambda c: c["network"][-1]["W"][0].__setitem__(0, _mutate_number(c["network"][-1]["W"][0][0])), "g(x_"),
    (lambda c: c["claim"].__setitem__("neurons", c["claim"]["neurons"] + 1), "claim.neurons"),
    (lambda c: c["claim"].__setitem__("N", c["claim"]["N"] + 1), "claim.N"),
    (lambda c: c.__setitem__("T", c["T"][1:]), "T differs"),
    (lambda c: c["claim"].__setitem__("statement", "Riemann hypothesis"), "not a registered statement"),
    (lambda c: c["claim"].__setitem__("statement", "ftc_app_a"), "two-hidden-layer"),
])
def test_rejects_mutations(cert, tmp_path, mutation, reason):
    bad = copy.deepcopy(cert)
    mutation(bad)
    code, out, _ = run_cert(bad, tmp_path)
    assert code == 1
    assert out.splitlines()[-1] == "s NOT VERIFIED"
    assert reason in out.splitlines()[-2]


def test_rejects_a_statement_the_network_does_not_meet(tmp_path):
    ds = random_dataset(d=3, K=20, N=3, seed=3)
    cert = certify(ds, "two-layer")
    hidden, output = cert["network"]
    while len(hidden["b"]) < ds.K:  # dead neurons (output weight 0): g is unchanged, m grows to K
        hidden["W"].append(hidden["W"][0])
        hidden["b"].append("0")
        output["W"][0].append("0")
    cert["claim"]["neurons"] = ds.K
    code, out, _ = run_cert(cert, tmp_path)
    assert code == 1 and "exceeds K - 1 - sum_P max{|P| - 2, 0}" in out.splitlines()[-2]


@pytest.mark.parametrize("mutation", [
    lambda c: c.pop("network"),
    lambda c: c.__setitem__("format", "something-else"),
    lambda c: c.__setitem__("version", 1),
    lambda c: c.__setitem__("bound", "3"),
    lambda c: c["claim"].__setitem__("bound", "3"),
    lambda c: c["network"][0]["W"][0].__setitem__(0, True),
    lambda c: c["network"][0]["W"][0].__setitem__(0, "nan"),
    lambda c: c["network"][0]["W"][0].__setitem__(0, "1/0"),
    lambda c: c["network"][0]["W"][0].__setitem__(0, "1e99999"),
    lambda c: c["network"][0]["W"][0].pop(),
    lambda c: c["network"][0]["b"].pop(),
    lambda c: c["network"].__setitem__(-1, {"W": [["1"] * len(c["network"][-1]["W"][0])] * 2, "b": ["0", "0"]}),
    lambda c: c["dataset"]["x"][0].pop(),
    lambda c: c["dataset"].pop("y"),
    lambda c: c["claim"].__setitem__("neurons", "-3"),
    lambda c: c.__setitem__("kind", []),
    lambda c: c.__setitem__("network", {"kind": "convolution", "layers": c["network"]}),
    lambda c: c.__setitem__("network", {"activation": "tanh", "layers": c["network"]}),
    lambda c: c["dataset"]["y"].__setitem__(0, "1" * 200_001),
    lambda c: c["dataset"]["y"].__setitem__(0, "0,0"),
])
def test_malformed_exit_2(cert, tmp_path, mutation):
    bad = copy.deepcopy(cert)
    mutation(bad)
    code, out, err = run_cert(bad, tmp_path)
    assert code == 2 and not any(line.startswith("s ") for line in out.splitlines())
    assert len(err.strip().splitlines()) == 1 and "malformed" in err


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", '{"format": NaN}', '{"a": Infinity}', "\xff"])
def test_unreadable_json(tmp_path, text):
    path = tmp_path / "c.json"
    path.write_bytes(text.encode("latin-1"))
    err = io.StringIO()
    assert verify.run(str(path), out=io.StringIO(), err=err) == 2
    assert len(err.getvalue().strip().splitlines()) == 1


def test_missing_file(tmp_path):
    err = io.StringIO()
    assert verify.run(str(tmp_path / "nope.json"), out=io.StringIO(), err=err) == 2
    assert "cannot read" in err.getvalue()


def test_dataset_by_reference(tmp_path):
    ds = random_dataset(d=2, K=12, N=4, seed=5)
    data = tmp_path / "data.json"
    data.write_text(json.dumps(dataset_to_json(ds)))
    ref = {"path": "data.json", "sha256": hashlib.sha256(data.read_bytes()).hexdigest()}
    cert = certify(ds, dataset_ref=ref)
    assert run_cert(cert, tmp_path)[0] == 0
    obj = json.loads(data.read_text())
    obj["y"][0] = _mutate_number(obj["y"][0])
    data.write_text(json.dumps(obj))
    code, out, _ = run_cert(cert, tmp_path)
    assert code == 1 and "sha256" in out


KERNEL = ["ftcexact", "ftcexact.kernel", "ftcexact.kernel.claims", "ftcexact.kernel.data",
          "ftcexact.kernel.evaluate", "ftcexact.kernel.limbs", "ftcexact.kernel.numbers", "ftcexact.kernel.reader",
          "ftcexact.kernel.refutation", "ftcexact.kernel.sweep", "ftcexact.kernel.verify"]


def test_verifier_imports_only_the_kernel():
    code = "import sys, ftcexact.kernel.verify; print(sorted(m for m in sys.modules if m.startswith('ftcexact')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(KERNEL)
    heavy = "import sys, ftcexact.kernel.verify; print([m for m in ('networkx', 'sympy', 'numpy') if m in sys.modules])"
    assert subprocess.run([sys.executable, "-c", heavy], capture_output=True, text=True).stdout.strip() == "[]"


def _code_lines(module):
    import inspect
    return [line for line in inspect.getsource(module).splitlines() if line.strip() and not line.strip().startswith("#")]


def test_kernel_modules_are_small_and_import_only_the_kernel():
    import ast
    import importlib
    import inspect
    for name in KERNEL[2:] + ["ftcexact.kernel.records"]:
        module = importlib.import_module(name)
        assert len(_code_lines(module)) <= 400, name
        tree = ast.parse(inspect.getsource(module))
        imports = [a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names] + \
            [("." * node.level) + (node.module or "") for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        backend = {".numbers": {"gmpy2", "flint"}, ".limbs": {"numpy"}}.get(name[name.rindex("."):], set())
        assert all(m.startswith(".") or m in STDLIB | backend for m in imports), (name, imports)


STDLIB = {"__future__", "ast", "bisect", "fractions", "hashlib", "io", "itertools", "json", "math", "operator", "os",
          "re", "stat", "sys", "zipfile", "zlib", "array"}


# ------------------------------------------------------------ properties

@given(datasets())
def test_every_built_certificate_verifies(tmp_path_factory, ds):
    tmp = tmp_path_factory.mktemp("v")
    for name in ("two-layer", "two-layer-all"):
        code, out, err = run_cert(certify(ds, name), tmp)
        assert code == 0, out + err


@given(datasets(max_K=10, max_d=3), st.data())
@settings(max_examples=40)
def test_every_mutation_that_changes_g_is_rejected(tmp_path_factory, ds, data):
    """Change one weight, bias or label; the verifier rejects iff g and z no longer agree."""
    cert = certify(ds)
    bad = copy.deepcopy(cert)
    where = data.draw(st.sampled_from(["W", "b", "label"]))
    delta = data.draw(small.filter(bool))
    if where == "label":
        i = data.draw(st.integers(0, ds.K - 1))
        y = bad["dataset"]["y"][i]
        bad["dataset"]["y"][i] = _mutate_number(y, delta) if isinstance(y, str) else \
            [_mutate_number(y[0], delta)] + y[1:]
        expect = 1
    else:
        l = data.draw(st.integers(0, len(bad["network"]) - 1))
        layer = bad["network"][l]
        r = data.draw(st.integers(0, len(layer["b"]) - 1))
        if where == "W":
            c = data.draw(st.integers(0, len(layer["W"][r]) - 1))
            layer["W"][r][c] = _mutate_number(layer["W"][r][c], delta)
        else:
            layer["b"][r] = _mutate_number(layer["b"][r], delta)
        before = network_evaluate(network_from_json(cert["network"]), ds.x)
        after = network_evaluate(network_from_json(bad["network"]), ds.x)
        expect = 1 if before != after else 0
    code, out, _ = run_cert(bad, tmp_path_factory.mktemp("m"))
    if expect == 0 and code == 1:  # g unchanged at the data, but a statement about its size may now fail
        assert "statement" in out.splitlines()[-2], out
    else:
        assert code == expect, out


def _kernel_values(net, points):
    from ftcexact.kernel.evaluate import evaluate_dense, read_net
    from ftcexact.network import network_to_json
    kernel_net = read_net(network_to_json(net), len(points[0]))
    den = 1
    for p in points:
        for v in p:
            den = den * v.denominator // __import__("math").gcd(den, v.denominator)
    ints = [[int(v * den) for v in p] for p in points]
    return kernel_net, evaluate_dense(kernel_net, ints, den)


def _sweep_values(kernel_net, points):
    from ftcexact.kernel.data import Block
    sweep = verify._Sweep(kernel_net, lambda line: None)
    assert sweep.bps is not None
    block = Block([None] * len(points), None, exact=([[int(v) for v in p] for p in points], 1))
    return [v for v, _ in sweep.values(block)]


def test_float_dot_is_exact_or_declines():
    from fractions import Fraction
    from ftcexact.kernel.sweep import FLOAT_DOT_OK, float_dot
    assert FLOAT_DOT_OK
    import random
    rng = random.Random(0)
    import struct
    for _ in range(2000):
        w = [float(rng.randint(-2**28, 2**28)) for _ in range(8)]
        # float32 values of all magnitudes, written through struct to be exactly float32
        row = [struct.unpack("f", struct.pack("f", rng.choice([-1, 1]) * rng.random() * 2.0 ** rng.randint(-140, 120)))[0]
               for _ in range(8)]
        exact = sum(Fraction(a) * Fraction(b) for a, b in zip(w, row))
        got = float_dot(w, row)
        assert got is None or Fraction(got) == exact
    assert float_dot([1.0, 1.0], [2.0**100, 2.0**-100]) is None  # needs 201 bits: declined, never rounded
    assert float_dot([3.0, -1.0], [0.5, 0.25]) == 1.25
    assert float_dot([1.0], [float("inf")]) is None and float_dot([1.0], [float("nan")]) is None


def test_float32_data_verify_by_both_paths(tmp_path, monkeypatch):
    """The fast float32 projection and the exact integer one give the same verdicts (both forced)."""
    import numpy as np
    from ftcexact.cli.main import main
    from ftcexact.kernel import sweep
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 5)).astype(np.float32)
    x[7] = [2.0**100, 2.0**-100, 1.0, -3.0, 0.0]  # a row whose sum float_dot declines
    y = np.zeros(300, dtype=np.float32)
    y[[7, 40, 41, 200]] = [1.5, -2.0, 0.25, 3.0]
    np.savez(tmp_path / "d.npz", x=x, y=y)
    assert main(["certify", str(tmp_path / "d.npz"), "-o", str(tmp_path / "c.json")]) == 0
    for fast in (True, False):
        monkeypatch.setattr(sweep, "FLOAT_DOT_OK", fast)
        assert verify.run(str(tmp_path / "c.json"), out=io.StringIO(), err=io.StringIO()) == 0
        bad = json.loads((tmp_path / "c.json").read_text())
        bad["network"][-1]["b"][0] = "1/1000000"
        assert verify.run(str(tmp_path / "b.json"), out=io.StringIO(), err=io.StringIO(), doc=bad) == 1


@given(st.integers(1, 4).flatmap(lambda d: st.tuples(
    st.just(d), networks(d, one_direction=True), st.lists(st.tuples(*[small.map(int)] * d), min_size=1,
                                                          max_size=12))))
def test_one_direction_sweep_agrees_with_dense_and_integer_evaluation(args):
    d, net, points = args
    points = [tuple(Q(v) for v in p) for p in points]
    kernel_net, dense = _kernel_values(net, points)
    assert network_evaluate(net, points) == dense
    if first_layer_direction(kernel_net) is not None:
        assert _sweep_values(kernel_net, points) == dense


@given(st.integers(1, 3).flatmap(lambda d: st.tuples(
    st.just(d), networks(d), st.lists(st.tuples(*[small] * d), min_size=1, max_size=8))))
def test_general_networks_agree_with_integer_evaluation(args):
    d, net, points = args
    assert _kernel_values(net, points)[1] == network_evaluate(net, points)


def test_written_certificate_round_trips(tmp_path, cert):
    path = tmp_path / "c.json"
    write_json_atomic(cert, str(path))
    assert json.loads(path.read_text()) == json.loads(json.dumps(cert))
    net = network_from_json(cert["network"])
    assert network_from_json(json.loads(path.read_text())["network"]) == net


def test_readme_states_the_kernel_size():
    import re
    from pathlib import Path
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    stated = int(re.search(r"kernel has \*\*(\d+) lines of code", readme).group(1))
    import importlib
    actual = sum(len(_code_lines(importlib.import_module(m))) for m in KERNEL[2:] + ["ftcexact.kernel.records"])
    assert stated == actual


def test_docs_worked_example_verifies(tmp_path):
    import re
    from pathlib import Path
    doc = (Path(__file__).parents[2] / "docs" / "certificate.md").read_text()
    blocks = re.findall(r"```json\n(.*?)```", doc, re.S)
    cert = json.loads(blocks[1])
    assert run_cert(cert, tmp_path)[0] == 0
    cert["network"][1]["W"][0][1] = "-2"
    assert run_cert(cert, tmp_path)[0] == 1



def test_docs_list_every_registered_statement():
    """docs/certificate.md's registry tables name every statement the kernel can check, and no other."""
    import re
    from pathlib import Path
    from ftcexact.kernel.claims import LOWER_STATEMENTS, PIECE_STATEMENTS, STATEMENTS
    doc = (Path(__file__).parents[2] / "docs" / "certificate.md").read_text()
    rows = {name for line in doc.splitlines() if line.startswith("| `")
            for name in re.findall(r"`([a-z0-9_]+)`", line.split("|")[1])}
    registered = set(STATEMENTS) | set(LOWER_STATEMENTS) | set(PIECE_STATEMENTS)
    assert registered - rows == set()
    assert {r for r in rows if r.startswith(("ftc_", "ysj_", "ftcexact_"))} - registered == set()


# ------------------------------------------------------------ activations and statements

def _leaky_cert(activation, statement):
    """g(t) = s(t) on three points, s = max{S+ t, S- t}: one neuron fits them for S- = 1/2, S+ = 1."""
    return {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
            "claim": {"construction": "hand", "N": 3, "K": 3, "d": 1, "neurons": 1, "statement": statement},
            "dataset": {"x": [["-2"], ["1"], ["2"]], "y": ["-1", "1", "2"]},
            "network": {"kind": "feedforward", "activation": activation,
                        "layers": [{"W": [["1"]], "b": ["0"]}, {"W": [["1"]], "b": ["0"]}]}}


@pytest.mark.parametrize("activation, y1", [("leaky:1/2:1", "-1"), ("leaky:1:1", "-2"), ("leaky:-1:1", "2")])
def test_a_relu_statement_refuses_other_activations(tmp_path, activation, y1):
    """[FTC] statements are about ReLU networks: a leaky (or linear, or |t|) network is no evidence for them."""
    cert = _leaky_cert(activation, "ftc_thm_4_4")
    cert["dataset"]["y"][0] = y1  # g(-2) = s(-2)
    code, out, _ = run_cert(cert, tmp_path)
    assert code == 1 and "about ReLU networks" in out.splitlines()[-2], out
    cert["claim"].pop("statement")
    assert run_cert(cert, tmp_path)[0] == 0  # g itself fits


def test_relu_like_statements_check_the_family(tmp_path):
    from ftcexact.kernel.claims import RELU_LIKE, Instance, statement_checks
    inst = lambda slopes: Instance(4, 4, 1, 1, [4, 4], 3, "feedforward", Q(1), False, None, slopes)
    assert "ysj_thm_3_1" in RELU_LIKE
    for slopes, ok in [((Q(0), Q(1)), True), ((Q(1, 10), Q(1)), True), ((Q(1), Q(1)), False),
                       ((Q(-1, 2), Q(1)), False), ((Q(2), Q(1)), False)]:
        assert statement_checks("ysj_thm_3_1", inst(slopes))[0][0] is ok
        assert statement_checks("ftc_u1_integer", inst(slopes))[0][0] is (slopes[0] == 0)


def test_piece_count_statement_is_about_relu(tmp_path):
    from ftcexact.analysis.three_layer_pieces import extremal_network, piece_count_certificate
    cert = piece_count_certificate(extremal_network(2, 2), "ftcexact_three_layer_pieces")
    assert run_cert(cert, tmp_path)[0] == 0
    net = cert["network"]
    cert["network"] = {"kind": "feedforward", "activation": "leaky:0:1",
                       "layers": net if isinstance(net, list) else net["layers"]}
    assert run_cert(cert, tmp_path)[0] == 0  # leaky:0:1 is ReLU
    cert["network"]["activation"] = "leaky:1/1000:1"
    code, out, _ = run_cert(cert, tmp_path)
    assert code == 1 and "about ReLU networks" in out.splitlines()[-2], out
