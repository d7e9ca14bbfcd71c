"""scikit-learn MLPs, the float writers (ONNX, npz, safetensors) and the top-level dispatch."""

import os
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftcexact.kernel.numbers import Q
from ftcexact.models import ModelError, load_model, model_bytes, read_model_file, save_model
from ftcexact.models.arrays import network_to_arrays, rounded_network
from ftcexact.network import Network, evaluate

from .helpers import exact_outputs, only_model_error, random_arrays, same_values


def fitted(kind, y, hidden=(6, 5), seed=0):
    nn = pytest.importorskip("sklearn.neural_network")
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((40, 3))
    model = getattr(nn, kind)(hidden_layer_sizes=hidden, max_iter=300, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y(X))
    return model, X


def test_sklearn_regressor_exact_and_predicts_the_same():
    model, X = fitted("MLPRegressor", lambda X: X[:, 0] - 2 * X[:, 1] ** 2)
    net = load_model(model)
    assert same_values(net, [(W.T, b) for W, b in zip(model.coefs_, model.intercepts_)])
    np.testing.assert_allclose(exact_outputs(net, X)[:, 0], model.predict(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("classes", [2, 3])
def test_sklearn_classifier_logits_argmax(classes):
    model, X = fitted("MLPClassifier", lambda X: (X[:, 0] > 0).astype(int) + (classes == 3) * (X[:, 1] > 0.5))
    net = load_model(model)
    logits = exact_outputs(net, X)
    if classes == 2:
        assert net.output_dim == 1
        assert ((logits[:, 0] > 0).astype(int) == model.predict(X)).all()
        np.testing.assert_allclose(1 / (1 + np.exp(-logits[:, 0])), model.predict_proba(X)[:, 1], rtol=1e-9)
    else:
        assert net.output_dim == 3
        assert (model.classes_[logits.argmax(axis=1)] == model.predict(X)).all()
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        np.testing.assert_allclose(p / p.sum(axis=1, keepdims=True), model.predict_proba(X), rtol=1e-9)


def test_sklearn_refusals():
    nn = pytest.importorskip("sklearn.neural_network")
    with pytest.raises(ModelError, match="not fitted"):
        load_model(nn.MLPRegressor())
    with pytest.raises(ModelError, match="activation 'logistic'"):
        load_model(nn.MLPClassifier(activation="logistic"))
    model, _ = fitted("MLPRegressor", lambda X: X[:, 0])
    model.coefs_[0] = np.full_like(model.coefs_[0], np.nan)
    with pytest.raises(ModelError, match="coefs_.*not a finite number"):
        load_model(model)
    model.coefs_ = "junk"
    with pytest.raises(ModelError, match="lists of the same positive length"):
        load_model(model)
    with pytest.raises(ModelError, match="cannot read a model from a object"):
        load_model(object())


@given(st.lists(st.tuples(st.lists(st.integers(0, 3), max_size=3), st.lists(st.integers(0, 3), max_size=2),
                          st.sampled_from([np.float32, np.float64, np.int8, object, str])), max_size=3),
       st.sampled_from(["relu", "tanh", None]))
def test_sklearn_any_attributes(layers, activation):
    nn = pytest.importorskip("sklearn.neural_network")
    model = nn.MLPRegressor(activation=activation or "relu")
    model.coefs_ = [np.zeros(tuple(w), dtype=dt) if dt not in (object, str) else np.full(tuple(w), "x", dtype=dt)
                    for w, _, dt in layers]
    model.intercepts_ = [np.zeros(tuple(b)) for _, b, _ in layers]
    only_model_error(load_model, model)


# ---- writers ---------------------------------------------------------------------

def exact_net(seed=0, widths=(3, 5, 4, 2)):
    rng = np.random.default_rng(seed)
    layers = [([[Q(int(v), 7) for v in rng.integers(-20, 20, b)] for _ in range(a)],
               [Q(int(v), 3) for v in rng.integers(-9, 9, a)]) for b, a in zip(widths, widths[1:])]
    return Network.from_lists(layers)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_onnx_export_runs_in_onnxruntime(tmp_path, dtype):
    ort = pytest.importorskip("onnxruntime")
    net = exact_net()
    path = str(tmp_path / "g.onnx")
    save_model(net, path, dtype=dtype)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(dtype)
    rounded = rounded_network(net, dtype)
    np.testing.assert_allclose(sess.run(None, {"input": x})[0], exact_outputs(rounded, x),
                               rtol=1e-5 if dtype == "float32" else 1e-12, atol=1e-6 if dtype == "float32" else 0)
    assert load_model(path) == rounded  # reading the export gives exactly the rounded network


@pytest.mark.parametrize("ext", ["npz", "safetensors"])
def test_array_exports_round_trip(tmp_path, ext):
    if ext == "safetensors":
        pytest.importorskip("safetensors")
    net = exact_net(2)
    for dtype in ("float32", "float64"):
        path = str(tmp_path / f"g.{ext}")
        save_model(net, path, dtype=dtype)
        assert load_model(path) == rounded_network(net, dtype)
    if ext == "safetensors":
        from safetensors.numpy import load_file
        t = load_file(path)
        assert sorted(t) == ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]
        assert t["0.weight"].shape == (5, 3) and t["4.weight"].shape == (2, 4)


def test_rounding_is_correct_per_weight():
    net = Network.from_lists([([[Q(1) + Q(1, 2**24) + Q(1, 2**60), "1/3"]], ["-2/3"])])
    (W, b), = network_to_arrays(net, "float32")
    assert W.dtype == np.float32 and float(W[0, 0]) == 1 + 2**-23  # not 1.0 (double rounding)
    assert W[0, 1] == np.float32(1 / 3) and b[0] == np.float32(-2 / 3)


def test_overflow_names_the_weight_and_writes_nothing(tmp_path):
    net = Network.from_lists([([[1, 10**39]], [0])])
    path = tmp_path / "big.onnx"
    with pytest.raises(ModelError, match=r"layer 0 W\[0\]\[1\] = 1e\+39 overflows float32"):
        save_model(net, str(path), dtype="float32")
    assert not path.exists() and not [p for p in os.listdir(tmp_path)]
    save_model(net, str(tmp_path / "big64.npz"), dtype="float64")  # fits in float64


def test_dispatch_and_options(tmp_path):
    net = exact_net(3, (2, 3, 1))
    with pytest.raises(ModelError, match="exact: dtype must be None"):
        save_model(net, str(tmp_path / "g.json"), dtype="float32")
    with pytest.raises(ModelError, match="writing NNet files is not supported"):
        save_model(net, str(tmp_path / "g.nnet"))
    with pytest.raises(ModelError, match="dtype must be float32 or float64"):
        model_bytes(net, "npz", "float16")
    save_model(net, str(tmp_path / "g.npz"))
    with pytest.raises(ModelError, match="option clamp does not apply to npz"):
        load_model(str(tmp_path / "g.npz"), clamp=True)
    with pytest.raises(ModelError, match="cannot read .*missing"):
        load_model(str(tmp_path / "missing.onnx"))
    with pytest.raises(ModelError, match="more than the limit of 10 \\(max_bytes"):
        load_model(str(tmp_path / "g.npz"), max_bytes=10)
    data = (tmp_path / "g.npz").read_bytes()
    assert load_model(data, format="npz") == rounded_network(net, "float32")
    with pytest.raises(ModelError, match="needs format="):
        load_model(data)
    net2, source = read_model_file(str(tmp_path / "g.npz"))
    assert source["format"] == "npz" and len(source["sha256"]) == 64 and source["path"] == "g.npz"
    assert load_model(net) is net
    (tmp_path / "g.weird").write_bytes(data)
    assert load_model(str(tmp_path / "g.weird"), format="npz") == net2


def test_decimal_text_is_not_the_float():
    # text means its decimal value; a float array means the float's binary value: they differ
    arrays = random_arrays([20, 30, 10], seed=11)
    text = [{"W": [[repr(float(v)) for v in row] for row in W], "b": [repr(float(v)) for v in b]} for W, b in arrays]
    from_text, from_floats = load_model(text), load_model([{"W": [[str(Q(*float(v).as_integer_ratio())) for v in row]
                                                                  for row in W],
                                                            "b": [str(Q(*float(v).as_integer_ratio())) for v in b]}
                                                           for W, b in arrays])
    assert same_values(from_floats, arrays) and not same_values(from_text, arrays)
    assert from_text.layers[0][0][0][0] == Q(341927669942379, 10**16)  # repr '0.0341927669942379'
