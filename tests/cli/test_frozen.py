"""A real frozen network f: certify against it, verify recomputes f, exports run in onnxruntime."""

import json

import numpy as np
import pytest

from ftcexact.cli.main import main

sklearn = pytest.importorskip("sklearn")
pytest.importorskip("onnx")


@pytest.fixture(scope="module")
def regressor_files(tmp_path_factory):
    """A small trained MLPRegressor saved as float32 ONNX, and data with 3 new labels (NaN: keep f)."""
    from sklearn.neural_network import MLPRegressor
    from ftcexact.models import load_model, save_model
    folder = tmp_path_factory.mktemp("frozen")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 5)).astype(np.float32)
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=200, random_state=0).fit(X, X.sum(axis=1))
    save_model(load_model(reg), str(folder / "f.onnx"), dtype="float32")
    y = np.full(60, np.nan)
    y[[4, 17, 41]] = [1.5, -2.0, 0.25]
    np.savez(folder / "data.npz", x=X, y=y)
    return folder


def _certify(folder, *extra):
    return main(["certify", str(folder / "data.npz"), "--frozen", str(folder / "f.onnx"), "--reference",
                 "-o", str(folder / "cert.json"), *extra])


def test_certify_against_a_frozen_onnx_model_verifies(regressor_files, capsys):
    assert _certify(regressor_files, "--json") == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["K"], info["N"], info["keeps"]) == (60, 3, 57)
    assert info["frozen"]["source"]["path"] == "f.onnx"
    assert main(["verify", str(regressor_files / "cert.json")]) == 0
    out = capsys.readouterr().out
    assert "recomputed exactly at the 3 points with explicit labels; 57 points keep f's value" in out
    assert out.splitlines()[-1] == "s VERIFIED"


def test_changing_one_weight_of_the_frozen_model_fails_verification(regressor_files, tmp_path, capsys):
    import shutil
    import onnx
    from onnx import numpy_helper
    for name in ("data.npz", "f.onnx"):
        shutil.copy(regressor_files / name, tmp_path / name)
    assert _certify(tmp_path) == 0
    model = onnx.load(str(tmp_path / "f.onnx"))
    init = model.graph.initializer[0]
    arr = numpy_helper.to_array(init).copy()
    arr.flat[0] = np.nextafter(arr.flat[0], np.float32(np.inf))  # the smallest possible change
    init.CopyFrom(numpy_helper.from_array(arr, init.name))
    onnx.save(model, str(tmp_path / "f.onnx"))
    capsys.readouterr()
    assert main(["verify", str(tmp_path / "cert.json")]) == 1
    assert "f.onnx does not match the recorded sha256" in capsys.readouterr().out


def test_changing_the_exact_frozen_network_fails_verification(regressor_files, tmp_path, capsys):
    import shutil
    for name in ("data.npz", "f.onnx"):
        shutil.copy(regressor_files / name, tmp_path / name)
    assert _certify(tmp_path) == 0
    doc = json.loads((tmp_path / "cert.frozen.json").read_text())
    doc["layers"][-1]["b"][0] = "1/3"
    (tmp_path / "cert.frozen.json").write_text(json.dumps(doc))
    capsys.readouterr()
    assert main(["verify", str(tmp_path / "cert.json")]) == 1


def test_keep_markers_need_a_frozen_network(regressor_files, capsys):
    assert main(["certify", str(regressor_files / "data.npz"), "-o", str(regressor_files / "c2.json")]) == 2
    assert "--frozen" in capsys.readouterr().err


def test_output_may_not_overwrite_an_input(regressor_files, capsys):
    assert main(["certify", str(regressor_files / "data.npz"), "--frozen", str(regressor_files / "f.onnx"),
                 "-o", str(regressor_files / "f.onnx")]) == 2


def test_class_labels_and_an_onnxruntime_export_change_exactly_the_asked_predictions(tmp_path, capsys):
    ort = pytest.importorskip("onnxruntime")
    from sklearn.neural_network import MLPClassifier
    from ftcexact.models import load_model, save_model
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 4)).astype(np.float32)
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)  # 3 classes
    clf = MLPClassifier(hidden_layer_sizes=(12,), max_iter=400, random_state=0).fit(X, labels)
    save_model(load_model(clf), str(tmp_path / "f.onnx"), dtype="float32")
    before = clf.predict(X)
    wanted = np.full(80, -1)
    changed = [2, 30, 55]
    wanted[changed] = (before[changed] + 1) % 3
    np.savez(tmp_path / "d.npz", x=X, y=wanted)
    assert main(["certify", str(tmp_path / "d.npz"), "--classes", "3", "--frozen", str(tmp_path / "f.onnx"),
                 "-o", str(tmp_path / "c.json")]) == 0
    assert main(["verify", str(tmp_path / "c.json")]) == 0
    assert main(["export", str(tmp_path / "c.json"), "--part", "f+g", "--dtype", "float32", "--classes",
                 "-o", str(tmp_path / "patched.onnx")]) == 0
    session = ort.InferenceSession(str(tmp_path / "patched.onnx"))
    logits = session.run(None, {session.get_inputs()[0].name: X})[0]
    after = logits.argmax(axis=1)
    expected = before.copy()
    expected[changed] = wanted[changed]
    assert (after == expected).all()
