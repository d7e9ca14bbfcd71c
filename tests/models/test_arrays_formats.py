"""safetensors, npz and JSON readers: exact round trips, layouts, refusals, fuzzing."""

import io
import json
import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftcexact.kernel.numbers import Q
from ftcexact.models import ModelError, load_model, save_model
from ftcexact.models.native import network_document, read_native_bytes
from ftcexact.models.npz import read_npz_bytes
from ftcexact.network import Network

from .helpers import exact_outputs, float_forward, only_model_error, random_arrays, same_values

from ftcexact.models.safetensors_format import read_safetensors_bytes  # noqa: E402  (imports safetensors lazily)


class _LazySafetensors:
    """``safetensors.numpy``, or a skip of the test using it when the package is absent."""

    @staticmethod
    def save(*args, **kwargs):
        return pytest.importorskip("safetensors.numpy").save(*args, **kwargs)


st_numpy = _LazySafetensors()


def sequential(arrays, prefix="", start=0):
    return {f"{prefix}{start + 2 * l}.{k}": a for l, (W, b) in enumerate(arrays) for k, a in (("weight", W),
                                                                                              ("bias", b))}


def raw_safetensors(tensors):
    """Hand-written safetensors bytes: {name: (dtype, shape, raw bytes)} (for BF16 and broken files)."""
    header, blobs, offset = {}, [], 0
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


# ---- safetensors --------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_safetensors_exact_and_matches_float_forward(dtype):
    arrays = random_arrays([4, 6, 5, 2], seed=3, dtype=dtype)
    net = read_safetensors_bytes(st_numpy.save(sequential(arrays)))
    assert same_values(net, arrays)
    x = np.random.default_rng(1).standard_normal((6, 4))
    np.testing.assert_allclose(exact_outputs(net, x), float_forward(arrays, x), rtol=1e-9, atol=1e-12)


def test_safetensors_prefix_flatten_offset_and_bf16():
    arrays = random_arrays([3, 4, 1])
    assert same_values(read_safetensors_bytes(st_numpy.save(sequential(arrays, "model.", 1))), arrays)
    ml = pytest.importorskip("ml_dtypes")
    tensors = {}
    for k, a in sequential(arrays).items():
        tensors[k] = ("BF16", a.shape, a.astype(ml.bfloat16).tobytes())
    net = read_safetensors_bytes(raw_safetensors(tensors))
    assert same_values(net, [(W.astype(ml.bfloat16), b.astype(ml.bfloat16)) for W, b in arrays])


SAFETENSORS_BAD = [
    ({"0.weight": np.ones((2, 2), np.float32)}, "missing tensor '0.bias'"),
    ({"0.weight": np.ones((2, 2), np.float32), "0.bias": np.ones(2, np.float32),
      "1.running_mean": np.ones(2, np.float32)}, "not a Linear weight or bias"),
    ({"fc1.weight": np.ones((2, 2), np.float32), "fc1.bias": np.ones(2, np.float32)}, "not a Linear weight"),
    ({"0.weight": np.ones((2, 2), np.float32), "0.bias": np.ones(3, np.float32)}, r"0.bias has shape \(3,\)"),
    ({"0.weight": np.ones((2, 2), np.float32), "0.bias": np.ones(2, np.float32),
      "2.weight": np.ones((1, 3), np.float32), "2.bias": np.ones(1, np.float32)}, "has 3 columns"),
    ({"0.weight": np.ones((2, 2), np.float32), "0.bias": np.ones(2, np.float32),
      "3.weight": np.ones((1, 2), np.float32), "3.bias": np.ones(1, np.float32)}, "strict=False"),
    ({"0.weight": np.ones((2, 2), np.int32), "0.bias": np.ones(2, np.float32)}, "unsupported dtype 'I32'"),
    ({"0.weight": np.array([[1, np.inf]], np.float32), "0.bias": np.ones(1, np.float32)}, "inf is not a finite"),
    ({"0.weight": np.ones(2, np.float32), "0.bias": np.ones(2, np.float32)}, "must be a matrix"),
    ({"a.weight": np.ones((1, 1), np.float32), "a0.bias": np.ones(1, np.float32), "b0.weight": np.ones((1, 1)),
      "b0.bias": np.ones(1)}, "not a Linear weight|different prefixes"),
]


@pytest.mark.parametrize("tensors, message", SAFETENSORS_BAD)
def test_safetensors_refused(tensors, message):
    with pytest.raises(ModelError, match=message):
        read_safetensors_bytes(st_numpy.save(tensors), "bad.safetensors")


def test_safetensors_strict_false_and_broken_files():
    t = {"0.weight": np.ones((2, 2), np.float32), "0.bias": np.ones(2, np.float32),
         "3.weight": np.ones((1, 2), np.float32), "3.bias": np.ones(1, np.float32)}
    assert read_safetensors_bytes(st_numpy.save(t), strict=False).widths == [2]
    good = st_numpy.save(t)
    for data, message in ((good[:5], "too short"), (good[:40], "exceeds the file"), (good[:-4], "outside the data"),
                          (b"\x02\x00\x00\x00\x00\x00\x00\x00{]", "not valid JSON"),
                          (raw_safetensors({"0.weight": ("F32", (2, 2), b"\x00" * 12)}), "12 bytes for shape"),
                          (raw_safetensors({"0.weight": ("Q9", (1,), b"\x00")}), "unknown dtype"),
                          (good + b"\x00\x00", "bytes after the last tensor")):
        with pytest.raises(ModelError, match=message):
            read_safetensors_bytes(data)
    with pytest.raises(ModelError, match="more than the limit"):
        read_safetensors_bytes(good, strict=False, max_parameters=5)


@given(st.binary(max_size=300))
def test_safetensors_any_bytes(data):
    only_model_error(read_safetensors_bytes, data)


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
                           lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                           max_leaves=12)


@given(json_values, st.binary(max_size=40))
def test_safetensors_any_header(header, tail):
    h = json.dumps(header).encode()
    only_model_error(read_safetensors_bytes, struct.pack("<Q", len(h)) + h + tail)


# ---- npz ----------------------------------------------------------------------

def npz(**arrays):
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def test_npz_out_in_and_transposed_layouts():
    arrays = random_arrays([4, 7, 3], seed=5, dtype=np.float64)
    flat = {f"{k}{l}": a for l, (W, b) in enumerate(arrays) for k, a in (("W", W), ("b", b))}
    assert same_values(read_npz_bytes(npz(**flat)), arrays)
    flipped = {k: (a.T if k.startswith("W") else a) for k, a in flat.items()}
    assert same_values(read_npz_bytes(npz(**flipped)), arrays)  # detected from the shapes
    assert same_values(read_npz_bytes(npz(**flipped), layout="in_out"), arrays)
    with pytest.raises(ModelError, match=r"b0 has shape \(7,\) but W0 has 4 rows"):
        read_npz_bytes(npz(**flipped), layout="out_in")


def test_npz_square_layouts():
    sq = {"W0": np.array([[1.0, 2.0], [3.0, 4.0]]), "b0": np.zeros(2)}
    with pytest.raises(ModelError, match="both fit"):
        read_npz_bytes(npz(**sq))
    assert read_npz_bytes(npz(**sq), layout="out_in").layers[0][0][0] == (1, 2)
    assert read_npz_bytes(npz(**sq), layout="in_out").layers[0][0][0] == (1, 3)
    sym = {"W0": np.array([[1.0, 2.0], [2.0, 4.0]]), "b0": np.zeros(2)}
    assert read_npz_bytes(npz(**sym)).layers[0][0][0] == (1, 2)  # symmetric: both readings agree


NPZ_BAD = [
    (dict(W0=np.ones((2, 2)), b0=np.ones(2), W2=np.ones((2, 2)), b2=np.ones(2)), "missing array W1"),
    (dict(W0=np.ones((2, 2)), b0=np.ones(2), extra=np.ones(1)), "unexpected array 'extra.npy'"),
    (dict(W0=np.ones((2, 3)), b0=np.ones(4)), r"b0 has shape \(4,\)"),
    (dict(W0=np.array([["a"]]), b0=np.ones(1)), "unsupported dtype"),
    (dict(W0=np.array([[np.nan]]), b0=np.ones(1)), r"W0\[0, 0\]: nan"),
    (dict(W0=np.ones((1, 1, 1)), b0=np.ones(1)), "must be a matrix"),
    (dict(), "no arrays"),
]


@pytest.mark.parametrize("arrays, message", NPZ_BAD)
def test_npz_refused(arrays, message):
    with pytest.raises(ModelError, match=message):
        read_npz_bytes(npz(**arrays), "bad.npz")


def test_npz_objects_and_corruption():
    buf = io.BytesIO()
    np.savez(buf, W0=np.array([[object()]], dtype=object), b0=np.ones(1))
    with pytest.raises(ModelError, match="Python objects"):
        read_npz_bytes(buf.getvalue())
    good = npz(W0=np.ones((3, 2)), b0=np.ones(3))
    with pytest.raises(ModelError, match="not an npz archive|cannot be read"):
        read_npz_bytes(good[: len(good) // 2])
    with pytest.raises(ModelError, match="more than the limit"):
        read_npz_bytes(good, max_parameters=3)


@given(st.binary(max_size=300))
def test_npz_any_bytes(data):
    only_model_error(read_npz_bytes, data)


@given(st.data())
def test_npz_corrupted_no_traceback(data):
    good = bytearray(npz(W0=np.ones((3, 2)), b0=np.ones(3), W1=np.ones((1, 3)), b1=np.ones(1)))
    for _ in range(data.draw(st.integers(1, 3))):
        good[data.draw(st.integers(0, len(good) - 1))] = data.draw(st.integers(0, 255))
    only_model_error(read_npz_bytes, bytes(good))


# ---- JSON (ftcexact-network) ----------------------------------------------------

def test_json_round_trip_and_layer_list(tmp_path):
    net = Network.from_lists([([["1/3", 2], [0, "-7/5"]], ["1/1000000000000000000000", 0]), ([[1, 1]], ["5"])])
    path = tmp_path / "n.json"
    save_model(net, str(path), source={"path": "m.onnx", "sha256": "a" * 64, "format": "onnx"})
    doc = json.loads(path.read_text())
    assert doc["format"] == "ftcexact-network" and doc["version"] == 1 and doc["activation"] == "relu"
    assert doc["layers"][0]["W"][0] == ["1/3", "2"] and doc["source"]["format"] == "onnx"
    assert load_model(str(path)) == net
    assert load_model(doc["layers"]) == net
    assert read_native_bytes(b'[{"W": [[0.1]], "b": [1e-3]}]').layers[0] == (((Q(1, 10),),), (Q(1, 1000),))


JSON_BAD = [
    ('{"format": "ftcexact-network", "version": 1, "activation": "tanh", "layers": []}', "activation"),
    ('{"format": "ftcexact-network", "version": 1, "activation": "relu", "layers": [], "x": 1}', "unknown keys x"),
    ('{"format": "other"}', "format must be"),
    ('[{"W": [["1", "2"]], "b": ["1", "2"]}]', "1 rows but 2 biases"),
    ('[{"W": [["1"]], "b": ["0"]}, {"W": [["1", "1"]], "b": ["0"]}]', "rows of length"),
    ('[{"W": [["nan"]], "b": ["0"]}]', r"layer 0 W\[0\]\[0\]: not an exact rational"),
    ('[{"W": [[true]], "b": ["0"]}]', "expected a number"),
    ('[{"W": [["1"]], "b": ["1/0"]}]', "zero denominator"),
    ('[{"W": [[NaN]], "b": ["0"]}]', "NaN is not a number"),
    ('[{"W": [], "b": []}]', "W is empty"),
    ('[{"W": [["1"]]}]', "exactly the keys W and b"),
    ("[]", "non-empty list"),
    ('{"format": "ftcexact-network", "version": 1, "activation": "relu", "layers": [{"W": [["1"]], "b": ["0"]}], '
     '"source": {"path": "a", "sha256": "xyz", "format": "onnx"}}', "sha256"),
    ("[[[[", "not valid JSON"),
]


@pytest.mark.parametrize("text, message", JSON_BAD)
def test_json_refused(text, message):
    with pytest.raises(ModelError, match=message):
        read_native_bytes(text.encode(), "bad.json")


@given(json_values)
def test_json_any_document(obj):
    only_model_error(read_native_bytes, json.dumps(obj).encode())
    only_model_error(read_native_bytes, json.dumps({"format": "ftcexact-network", "version": 1,
                                                    "activation": "relu", "layers": obj}).encode())


@given(st.binary(max_size=200))
def test_json_any_bytes(data):
    only_model_error(read_native_bytes, data)


def test_deeply_nested_json():
    with pytest.raises(ModelError):
        read_native_bytes(b"[" * 100000)


def test_document_is_canonical():
    net = Network.from_lists([([["2/4"]], ["-0"])])
    assert network_document(net)["layers"] == [{"W": [["1/2"]], "b": ["0"]}]


def test_npz_exact_evaluation_matches_float_forward():
    arrays = random_arrays([5, 9, 3], seed=8)
    flat = {f"{k}{l}": a for l, (W, b) in enumerate(arrays) for k, a in (("W", W), ("b", b))}
    x = np.random.default_rng(2).standard_normal((6, 5)).astype(np.float32)
    np.testing.assert_allclose(exact_outputs(read_npz_bytes(npz(**flat)), x), float_forward(arrays, x), rtol=1e-12)


# ---- probe point files -------------------------------------------------------------

@given(st.binary(max_size=200), st.sampled_from(["p.npy", "p.npz", "p.json"]))
def test_points_any_bytes(tmp_path_factory, data, name):
    from ftcexact.models.points import read_points
    path = tmp_path_factory.mktemp("pts") / name
    path.write_bytes(data)
    only_model_error(read_points, str(path), 2)


@given(json_values)
def test_points_any_json(tmp_path_factory, obj):
    from ftcexact.models.points import read_points
    path = tmp_path_factory.mktemp("pts") / "p.json"
    path.write_text(json.dumps(obj))
    only_model_error(read_points, str(path), 1)


def test_points_formats(tmp_path):
    from ftcexact.models.points import read_points
    np.save(tmp_path / "a.npy", np.array([0.1, 2.0]))
    assert read_points(str(tmp_path / "a.npy"), 1) == [(Q(*0.1.as_integer_ratio()),), (Q(2),)]
    np.savez(tmp_path / "b.npz", x=np.ones((3, 2), np.float32), other=np.zeros(1))
    assert len(read_points(str(tmp_path / "b.npz"), 2)) == 3
    np.savez(tmp_path / "c.npz", u=np.ones((3, 2)), v=np.ones((3, 2)))
    with pytest.raises(ModelError, match="name the points"):
        read_points(str(tmp_path / "c.npz"), 2)
    with pytest.raises(ModelError, match="shape"):
        read_points(str(tmp_path / "a.npy"), 3)
    with pytest.raises(ModelError, match="more than the limit"):
        read_points(str(tmp_path / "b.npz"), 2, max_points=2)
