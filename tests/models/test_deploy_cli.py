"""Deployability report and the convert / export commands (exit 2 and no file on bad input)."""

import json
import os

import numpy as np
import pytest

from ftcexact.cli.main import main
from ftcexact.kernel.numbers import Q, format_rational
from ftcexact.models import load_model, save_model
from ftcexact.models.arrays import rounded_network
from ftcexact.models.deploy import deployability_report, format_report
from ftcexact.models.files import sha256_hex
from ftcexact.network import Network, add, evaluate

DATA = os.path.join(os.path.dirname(__file__), "data")


# ---- report ------------------------------------------------------------------------

def test_report_counts_exact_and_tolerance():
    g = Network.from_lists([([[1], [1]], [0, -1]), ([["1/3", "-2/3"]], [0])])  # 0 at x <= 0, peak 1/3 at x = 1
    pts = [(Q(-1),), (Q(0),), (Q(1),), (Q(2),)]
    z = [(Q(0),), (Q(0),), (Q(1, 3),), (Q(0),)]
    r = rounded_network(g, "float32")
    rep = deployability_report(g, r, pts, z, T=[3], dtype="float32", probes=[(Q(10),), (Q(-10),)])
    assert rep["exact_network_fits"] and rep["max_abs_error"]["exact"] == "0"
    assert rep["changed_labels"] == {"total": 1, "exact": 0, "within_tolerance": 1}
    # x = 2: 2/3 - 2 * 2/3 ... rounded weights no longer cancel exactly
    assert rep["kept_labels"]["total"] == 3 and rep["kept_labels"]["within_tolerance"] == 3
    assert rep["weights"]["total"] == 7 and rep["weights"]["changed"] == 2
    assert 0 < rep["weights"]["max_relative_change"] <= 2**-24
    worst = max(abs(a[0] - b[0]) for a, b in zip(evaluate(r, pts), z))
    assert rep["max_abs_error"]["rounded"] == format_rational(worst) and worst > 0
    assert rep["probes"]["count"] == 2 and rep["probes"]["max_abs_move_exact"] == "8/3"  # |g(10)| = |10/3 - 6|
    text = format_report(rep)
    assert "changed labels (i in T)        0 of 1 exact, 1 of 1 within 0.000244" in text
    assert rep["classification"] is None


def test_report_classification_and_failures():
    # two outputs, labels one-hot through an offset f: deployed prediction f_i + g(x_i)
    g = Network.from_lists([([[1, 0], [0, 1]], [0, 0])])
    pts = [(Q(1), Q(0)), (Q(0), Q(1)), (Q(1, 2), Q(1, 2))]
    f = [(Q(0), Q(0)), (Q(0), Q(0)), (Q(1, 2), Q(-1, 2))]
    targets = [(Q(1), Q(0)), (Q(0), Q(1)), (Q(1, 2), Q(1, 2))]  # labels f + z: one-hot
    wrong = Network.from_lists([([[1, 0], [0, 1]], [0, "1/100"])])
    rep = deployability_report(g, wrong, pts, targets, T=[1, 2, 3], offsets=f, tolerance=Q(1, 1000))
    c = rep["classification"]
    assert c["rule"] == "argmax" and c["holds_exact"] == 3 and c["holds_rounded"] == 3
    assert rep["outside_tolerance"] == 3 and rep["failures"] == [1, 2, 3]
    bad = Network.from_lists([([[1, 0], [0, 1]], ["-1", 0])])
    assert deployability_report(g, bad, pts, targets, T=[1, 2, 3], offsets=f)["classification"]["failures"] == [1, 3]
    # one output: logit > 0
    h = Network.from_lists([([[1]], [0])])
    rep = deployability_report(h, h, [(Q(-1),), (Q(2),)], [(Q(-1),), (Q(2),)], T=[1, 2], classes=True)
    assert rep["classification"]["rule"] == "sign" and rep["classification"]["holds_rounded"] == 2


# ---- command line -----------------------------------------------------------------------

def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_input_error(capsys, argv, message, no_file=None):
    code, out, err = run(capsys, *argv)
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err, err
    if no_file:
        assert not os.path.exists(no_file)


def test_convert_every_format(tmp_path, capsys):
    pytest.importorskip("onnx")
    out = str(tmp_path / "acas.json")
    code, text, _ = run(capsys, "convert", os.path.join(DATA, "TestNetwork.nnet"), "-o", out)
    assert code == 0 and "5 -> 50 -> 50 -> 50 -> 50 -> 50 -> 50 -> 5, 300 ReLU neurons" in text
    doc = json.loads(open(out).read())
    assert doc["source"] == {"path": "TestNetwork.nnet", "format": "nnet",
                             "sha256": "7ba1fe4f3c1edf5e27ba75b883163400d757df18b952f53efadccdfad34016b4"}
    assert load_model(out) == load_model(os.path.join(DATA, "TestNetwork.nnet"))
    code, text, _ = run(capsys, "convert", os.path.join(DATA, "TestNetwork.nnet"), "-o", out, "--clamp", "--json")
    assert code == 0 and json.loads(text)["neurons"] == 310
    code, text, _ = run(capsys, "convert", os.path.join(DATA, "TestNetwork2.onnx"), "-o", str(tmp_path / "o.json"))
    assert code == 0 and "(onnx, sha256 c7d6fb233c0ec7b6...)" in text
    net = Network.from_lists([([[1, 2]], ["1/4"])])
    for ext in ("npz", "safetensors"):
        if ext == "safetensors":
            pytest.importorskip("safetensors")
        save_model(net, str(tmp_path / f"m.{ext}"))
        assert run(capsys, "convert", str(tmp_path / f"m.{ext}"), "-o", str(tmp_path / f"m_{ext}.json"))[0] == 0
        assert load_model(str(tmp_path / f"m_{ext}.json")) == net


def test_convert_bad_input(tmp_path, capsys):
    pytest.importorskip("onnx")
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07garbage" * 10)
    out = str(tmp_path / "o.json")
    assert_input_error(capsys, ["convert", str(bad), "-o", out], "bad.onnx", no_file=out)
    (tmp_path / "t.nnet").write_text("1,1,1,1\n1,1\n0\n0\n1\n0,0\n1,1\n2\n")
    assert_input_error(capsys, ["convert", str(tmp_path / "t.nnet"), "-o", out], "file ends", no_file=out)
    assert_input_error(capsys, ["convert", str(bad), "-o", str(bad)], "overwrite")
    assert_input_error(capsys, ["convert", str(bad), "-o", str(tmp_path / "o.onnx")], "name the output *.json")
    assert_input_error(capsys, ["convert", str(bad), "-o", out, "--clamp"], "--clamp applies to NNet")
    assert_input_error(capsys, ["convert", str(tmp_path / "nope.npz"), "-o", out], "cannot read", no_file=out)
    assert_input_error(capsys, ["convert", str(tmp_path / "x.pt"), "-o", out], "unknown model format")
    assert set(os.listdir(tmp_path)) == {"bad.onnx", "t.nnet"}  # no output, no temporary file left


@pytest.fixture
def frozen_setup(tmp_path, capsys):
    """A frozen f (from a float32 npz model), a dataset y = f + z with f values, a certificate referencing f."""
    arrays = [(np.array([[0.5, -1.25], [2.0, 0.75], [-0.5, 0.5]], np.float32), np.array([0.1, -0.2, 0.0], np.float32)),
              (np.array([[1.0, -1.0, 0.5]], np.float32), np.array([0.25], np.float32))]
    np.savez(tmp_path / "f.npz", **{f"{k}{l}": a for l, (W, b) in enumerate(arrays) for k, a in (("W", W), ("b", b))})
    assert run(capsys, "convert", str(tmp_path / "f.npz"), "-o", str(tmp_path / "f.json"))[0] == 0
    f = load_model(str(tmp_path / "f.json"))
    xs = [(Q(i, 2), Q(i * i - 3, 4)) for i in range(8)]
    fx = [v[0] for v in evaluate(f, xs)]
    z = [Q(0), Q(3, 2), Q(0), Q(0), Q(-1), Q(0), Q(0), Q(2, 3)]
    ds = {"x": [[format_rational(a) for a in x] for x in xs], "y": [format_rational(a + b) for a, b in zip(fx, z)],
          "f": [format_rational(a) for a in fx]}
    (tmp_path / "d.json").write_text(json.dumps(ds))
    cert = str(tmp_path / "c.json")
    assert run(capsys, "certify", str(tmp_path / "d.json"), "-o", cert)[0] == 0
    assert run(capsys, "verify", cert)[0] == 0
    obj = json.loads(open(cert).read())
    obj["frozen"] = {"path": "f.json", "sha256": sha256_hex((tmp_path / "f.json").read_bytes())}
    (tmp_path / "cf.json").write_text(json.dumps(obj))
    return tmp_path, f, xs, fx, z


def test_export_g_and_f_plus_g(frozen_setup, capsys):
    ort = pytest.importorskip("onnxruntime")
    tmp, f, xs, fx, z = frozen_setup
    np.save(tmp / "probes.npy", np.linspace(-5, 10, 40).reshape(20, 2))
    code, text, _ = run(capsys, "export", str(tmp / "cf.json"), "--part", "f+g", "-o", str(tmp / "fg.onnx"),
                        "--probe", str(tmp / "probes.npy"), "--json")
    assert code == 0
    rep = json.loads(text)["report"]
    assert rep["exact_network_fits"] and rep["K"] == 8 and rep["N"] == 3 and rep["probes"]["count"] == 20
    sess = ort.InferenceSession(str(tmp / "fg.onnx"), providers=["CPUExecutionProvider"])
    x = np.array([[float(a) for a in p] for p in xs], np.float32)
    y = np.array([float(a + b) for a, b in zip(fx, z)])
    np.testing.assert_allclose(sess.run(None, {"input": x})[0][:, 0], y, atol=1e-4)
    # g alone: the report's deployed prediction is f_i + g(x_i)
    code, text, _ = run(capsys, "export", str(tmp / "cf.json"), "--part", "g", "-o", str(tmp / "g.safetensors"),
                        "--dtype", "float64")
    assert code == 0 and "kept labels (i not in T)" in text and "(safetensors, float64)" in text
    code, text, _ = run(capsys, "export", str(tmp / "cf.json"), "--part", "f+g", "-o", str(tmp / "fg.json"))
    g = load_model(str(tmp / "fg.json"))
    assert code == 0 and evaluate(g, xs) == [(a + b,) for a, b in zip(fx, z)]
    assert g == add(f, load_model(json.loads((tmp / "c.json").read_text())["network"]))


def test_export_bad_input(frozen_setup, capsys):
    tmp, *_ = frozen_setup
    out = str(tmp / "o.onnx")
    assert_input_error(capsys, ["export", str(tmp / "c.json"), "--part", "f+g", "-o", out],
                       "needs the frozen network f", no_file=out)
    obj = json.loads((tmp / "cf.json").read_text())
    obj["frozen"]["sha256"] = "0" * 64
    (tmp / "cbad.json").write_text(json.dumps(obj))
    assert_input_error(capsys, ["export", str(tmp / "cbad.json"), "--part", "f+g", "-o", out],
                       "does not match the sha256", no_file=out)
    assert_input_error(capsys, ["export", str(tmp / "cf.json"), "--part", "g", "-o", str(tmp / "o.json"),
                                "--dtype", "float32"], "exact", no_file=str(tmp / "o.json"))
    assert_input_error(capsys, ["export", str(tmp / "cf.json"), "--part", "g", "-o", str(tmp / "cf.json")],
                       "overwrite")
    assert_input_error(capsys, ["export", str(tmp / "cf.json"), "--part", "g", "-o", str(tmp / "f.json")],
                       "would overwrite an input")
    (tmp / "p.json").write_text('[["1", "nan"]]')
    assert_input_error(capsys, ["export", str(tmp / "cf.json"), "--part", "g", "-o", out, "--probe",
                                str(tmp / "p.json")], "p.json: point 1", no_file=out)
    (tmp / "p.npy").write_bytes(b"\x93NUMPY garbage")
    assert_input_error(capsys, ["export", str(tmp / "cf.json"), "--part", "g", "-o", out, "--probe",
                                str(tmp / "p.npy")], "p.npy", no_file=out)
    (tmp / "junk.json").write_text("{not json")
    assert_input_error(capsys, ["export", str(tmp / "junk.json"), "--part", "g", "-o", out], "not valid JSON")
    obj = json.loads((tmp / "cf.json").read_text())
    obj["network"][0]["W"][0][0] = "1/0"
    (tmp / "cw.json").write_text(json.dumps(obj))
    assert_input_error(capsys, ["export", str(tmp / "cw.json"), "--part", "g", "-o", out], "zero denominator")


def test_export_f_plus_g_without_f_is_g(tmp_path, capsys):
    (tmp_path / "d.json").write_text(json.dumps({"x": ["0", "1", "2", "3"], "y": ["0", "1/3", "0", "0"]}))
    assert run(capsys, "certify", str(tmp_path / "d.json"), "-o", str(tmp_path / "c.json"))[0] == 0
    code, text, _ = run(capsys, "export", str(tmp_path / "c.json"), "--part", "f+g", "-o", str(tmp_path / "o.npz"),
                        "--tolerance", "1/10")
    assert code == 0 and "within 0.1" in text


def test_export_with_referenced_dataset_and_missing_frozen(frozen_setup, capsys):
    tmp, *_ = frozen_setup
    cert = str(tmp / "cref.json")
    assert run(capsys, "certify", str(tmp / "d.json"), "--reference", "-o", cert)[0] == 0
    obj = json.loads(open(cert).read())
    obj["frozen"] = {"path": "f.json", "sha256": sha256_hex((tmp / "f.json").read_bytes())}
    (tmp / "cref.json").write_text(json.dumps(obj))
    code, text, _ = run(capsys, "export", cert, "--part", "f+g", "-o", str(tmp / "p.npz"), "--json")
    assert code == 0 and json.loads(text)["report"]["exact_network_fits"]
    (tmp / "d.json").write_text((tmp / "d.json").read_text().replace('"x"', ' "x"'))
    assert_input_error(capsys, ["export", cert, "--part", "g", "-o", str(tmp / "q.npz")],
                       "dataset d.json does not match the sha256", no_file=str(tmp / "q.npz"))
    obj["frozen"]["path"] = "missing.json"
    (tmp / "cmiss.json").write_text(json.dumps(obj))
    assert_input_error(capsys, ["export", str(tmp / "cmiss.json"), "--part", "f+g", "-o", str(tmp / "q.npz")],
                       "cannot read", no_file=str(tmp / "q.npz"))
