"""ONNX reader: exact weights, agreement with onnxruntime, every supported operator, refusals."""

import os
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftcexact.kernel.numbers import Q
from ftcexact.models import ModelError, load_model
from ftcexact.network import evaluate

from .helpers import exact_outputs, float_forward, only_model_error, random_arrays, same_values

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from ftcexact.models.onnx_format import read_onnx_bytes  # noqa: E402

DATA = os.path.join(os.path.dirname(__file__), "data")


def build(nodes, inits, in_shape, out_shape=None, elem=TensorProto.FLOAT, opset=13, inputs=None):
    graph = helper.make_graph(
        nodes, "test", inputs or [helper.make_tensor_value_info("x", elem, in_shape)],
        [helper.make_tensor_value_info(nodes[-1].output[0], elem, out_shape)],
        [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    return model.SerializeToString()


def ort_run(data, x):
    ort = pytest.importorskip("onnxruntime")
    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    return sess.run(None, {sess.get_inputs()[0].name: x})[0]


def torch_style(arrays):
    """Gemm(transB=1)/Relu chain, weights (out, in), as torch.onnx.export writes Linear layers."""
    nodes, inits, h = [], {}, "x"
    for l, (W, b) in enumerate(arrays):
        inits[f"W{l}"], inits[f"b{l}"] = W, b
        nodes.append(helper.make_node("Gemm", [h, f"W{l}", f"b{l}"], [f"z{l}"], transB=1, name=f"fc{l}"))
        h = f"z{l}"
        if l < len(arrays) - 1:
            nodes.append(helper.make_node("Relu", [h], [f"r{l}"]))
            h = f"r{l}"
    return nodes, inits


def test_real_sisl_model_agrees_with_onnxruntime_and_the_nnet_file():
    with open(os.path.join(DATA, "TestNetwork2.onnx"), "rb") as fh:
        data = fh.read()
    net = read_onnx_bytes(data, "TestNetwork2.onnx")
    assert net.widths == [50] * 6 and net.input_dim == 5
    nnet = load_model(os.path.join(DATA, "TestNetwork.nnet"))
    rng = np.random.default_rng(0)
    for x in (rng.random((4, 5)) * [60000, 6, 6, 1100, 1200] + [0, -3, -3, 100, 0]).astype(np.float32):
        exact = exact_outputs(net, [x])[0]
        np.testing.assert_allclose(ort_run(data, x), exact, rtol=1e-5)
        np.testing.assert_allclose(exact_outputs(nnet, [x])[0], exact, rtol=1e-6)


@pytest.mark.parametrize("widths", [[3, 5, 2], [4, 8, 8, 1], [1, 1]])
def test_gemm_chain_exact_and_agrees_with_onnxruntime(widths):
    arrays = random_arrays(widths, seed=len(widths))
    data = build(*torch_style(arrays), ["N", widths[0]], ["N", widths[-1]])
    net = read_onnx_bytes(data)
    assert same_values(net, arrays)
    x = np.random.default_rng(5).standard_normal((7, widths[0])).astype(np.float32)
    np.testing.assert_allclose(ort_run(data, x), exact_outputs(net, x), rtol=1e-5, atol=1e-5)


def test_gemm_attributes_and_constant_a():
    rng = np.random.default_rng(2)
    W1 = rng.standard_normal((3, 4)).astype(np.float32)  # (in, out): transB = 0
    b1 = rng.standard_normal((1, 4)).astype(np.float32)
    W2 = rng.standard_normal((2, 4)).astype(np.float32)  # A constant, B = h^T (transB = 1)
    b2 = rng.standard_normal((2, 1)).astype(np.float32)
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["z"], alpha=0.1, beta=3.0),
             helper.make_node("Relu", ["z"], ["h"]),
             helper.make_node("Gemm", ["W2", "h", "b2"], ["y"], transB=1, alpha=2.0, beta=0.5)]
    data = build(nodes, {"W1": W1, "b1": b1, "W2": W2, "b2": b2}, [1, 3], [2, 1])
    net = read_onnx_bytes(data)
    alpha = Fraction(float(np.float32(0.1)))
    got = net.layers[0][0][1][2]
    assert Fraction(int(got.numerator), int(got.denominator)) == alpha * Fraction(float(W1[2, 1]))
    assert net.layers[0][1][0] == Q(3) * Q(*float(b1[0, 0]).as_integer_ratio())
    x = rng.standard_normal((1, 3)).astype(np.float32)
    np.testing.assert_allclose(ort_run(data, x).reshape(-1), exact_outputs(net, x)[0], rtol=1e-5, atol=1e-6)
    # transA with the input as a column
    nodes = [helper.make_node("Gemm", ["x", "W1"], ["y"], transA=1)]
    net = read_onnx_bytes(build(nodes, {"W1": W1}, [3, 1], [1, 4]))
    assert net.depth == 1 and net.input_dim == 3 and net.output_dim == 4


def test_normalisation_sub_div_is_folded_exactly():
    rng = np.random.default_rng(3)
    arrays = random_arrays([2, 4, 1], seed=3)
    nodes, inits = torch_style(arrays)
    nodes[0].input[0] = "v"
    mean, std = np.array([0.5, -1.25], np.float32), np.array([3.0, 0.1], np.float32)
    nodes = [helper.make_node("Sub", ["x", "mean"], ["u"]), helper.make_node("Div", ["u", "std"], ["v"])] + nodes
    data = build(nodes, dict(inits, mean=mean, std=std), ["N", 2], ["N", 1])
    net = read_onnx_bytes(data)
    s0 = Fraction(float(std[0]))
    w = net.layers[0][0][0][0]
    assert Fraction(int(w.numerator), int(w.denominator)) == Fraction(float(arrays[0][0][0, 0])) / s0
    assert w.denominator % 3 == 0  # 1/3 exactly, not the float nearest to it
    x = rng.standard_normal((5, 2)).astype(np.float32)
    np.testing.assert_allclose(ort_run(data, x), exact_outputs(net, x), rtol=1e-4, atol=1e-5)


def test_matmul_add_both_orders_flatten_reshape_identity_constant():
    rng = np.random.default_rng(4)
    W0 = rng.standard_normal((6, 5)).astype(np.float32)  # x @ W0, x flattened from (N, 1, 2, 3)
    b0 = rng.standard_normal(5).astype(np.float32)
    W1 = rng.standard_normal((2, 5)).astype(np.float32)  # W1 @ h (column), h reshaped to (5, 1)
    scale = helper.make_node("Constant", [], ["k"], value_float=0.5)
    bias = helper.make_node("Constant", [], ["c1"], value=numpy_helper.from_array(np.array([[1.0], [-2.0]],
                                                                                            np.float32)))
    nodes = [helper.make_node("Flatten", ["x"], ["f"], axis=1),
             helper.make_node("MatMul", ["f", "W0"], ["m"]), helper.make_node("Add", ["b0", "m"], ["a"]),
             helper.make_node("Identity", ["a"], ["i"]), helper.make_node("Relu", ["i"], ["r"]),
             helper.make_node("Reshape", ["r", "shape"], ["col"]), scale, bias,
             helper.make_node("MatMul", ["W1", "col"], ["m1"]), helper.make_node("Mul", ["m1", "k"], ["s"]),
             helper.make_node("Add", ["s", "c1"], ["y"])]
    data = build(nodes, {"W0": W0, "b0": b0, "W1": W1, "shape": np.array([5, 1], np.int64)}, [1, 1, 2, 3], [2, 1])
    net = read_onnx_bytes(data)
    assert net.widths == [5] and net.input_dim == 6 and net.output_dim == 2
    x = rng.standard_normal((1, 1, 2, 3)).astype(np.float32)
    np.testing.assert_allclose(ort_run(data, x).reshape(-1), exact_outputs(net, x.reshape(1, 6))[0], rtol=1e-5)
    # a 1-D input and MatMul(W, x), as sisl/NNet's converter writes
    nodes = [helper.make_node("MatMul", ["W1", "x"], ["y"])]
    assert read_onnx_bytes(build(nodes, {"W1": W1}, [5], [2])).layers[0][0][1][4] == \
        Q(*float(W1[1, 4]).as_integer_ratio())


def test_final_relu_becomes_a_hidden_layer():
    arrays = random_arrays([2, 3], seed=9)
    nodes, inits = torch_style(arrays)
    nodes.append(helper.make_node("Relu", ["z0"], ["y"]))
    net = read_onnx_bytes(build(nodes, inits, ["N", 2], ["N", 3]))
    assert net.widths == [3] and net.layers[1][0] == ((1, 0, 0), (0, 1, 0), (0, 0, 1))
    pts = [(Q(1), Q(-2)), (Q(0), Q(3, 7))]
    assert evaluate(net, pts) == [tuple(max(v, 0) for v in row) for row in evaluate(
        load_model([{"W": [[str(Fraction(float(v))) for v in r] for r in arrays[0][0]],
                     "b": [str(Fraction(float(v))) for v in arrays[0][1]]}]), pts)]


def test_float64_and_float16_models():
    for dtype, elem in ((np.float64, TensorProto.DOUBLE), (np.float16, TensorProto.FLOAT16)):
        arrays = random_arrays([3, 4, 2], seed=1, dtype=dtype)
        data = build(*torch_style(arrays), ["N", 3], ["N", 2], elem=elem)
        net = read_onnx_bytes(data)
        assert same_values(net, arrays)
        np.testing.assert_allclose(exact_outputs(net, np.eye(3)), float_forward(arrays, np.eye(3)), rtol=1e-12)


def graph_with(node, inits=None, in_shape=("N", 2), elem=TensorProto.FLOAT):
    return build([node], inits or {}, list(in_shape), None, elem=elem)


REFUSED = [
    (lambda: graph_with(helper.make_node("Sigmoid", ["x"], ["y"], name="act")),
     r"unsupported operator Sigmoid \(node 'act'\)"),
    (lambda: graph_with(helper.make_node("Conv", ["x", "W"], ["y"], name="c1"), {"W": np.ones((1, 1, 1))}),
     r"unsupported operator Conv \(node 'c1'\)"),
    (lambda: graph_with(helper.make_node("Relu", ["x"], ["y"], domain="com.microsoft", name="r")),
     "unsupported operator com.microsoft.Relu"),
    (lambda: graph_with(helper.make_node("Add", ["x", "x"], ["y"], name="res")), "residual"),
    (lambda: graph_with(helper.make_node("Div", ["c", "x"], ["y"]), {"c": np.ones(2, np.float32)}),
     "input-dependent value"),
    (lambda: graph_with(helper.make_node("Div", ["x", "c"], ["y"]), {"c": np.array([1, 0], np.float32)}),
     "division by zero"),
    (lambda: graph_with(helper.make_node("MatMul", ["x", "W"], ["y"], name="mm"), {"W": np.ones((3, 2), np.float32)}),
     r"cannot multiply a value of shape \(1, 2\) by a weight of shape \(3, 2\) \(MatMul node 'mm'\)"),
    (lambda: graph_with(helper.make_node("Add", ["x", "c"], ["y"]), {"c": np.ones(3, np.float32)}),
     "cannot broadcast"),
    (lambda: graph_with(helper.make_node("Add", ["x", "c"], ["y"]), {"c": np.ones((4, 2), np.float32)}),
     "would broadcast"),
    (lambda: graph_with(helper.make_node("Gemm", ["x", "W"], ["y"]), {"W": np.array([[np.nan], [1]], np.float32)}),
     r"tensor 'W'\[0, 0\]: nan is not a finite number"),
    (lambda: graph_with(helper.make_node("Gemm", ["W", "W"], ["y"]), {"W": np.ones((2, 2), np.float32)}),
     "exactly one constant"),
    (lambda: graph_with(helper.make_node("Reshape", ["x", "s"], ["y"]), {"s": np.array([2, -1], np.int64)}),
     "would mix the batch axis"),
    (lambda: graph_with(helper.make_node("Reshape", ["x", "s"], ["y"]), {"s": np.array([0, 3], np.int64)}),
     "cannot reshape"),
    (lambda: graph_with(helper.make_node("Flatten", ["x"], ["y"], axis=0)), "merge the batch axis"),
    (lambda: graph_with(helper.make_node("Relu", ["nope"], ["y"])), "not produced by an earlier node"),
    (lambda: graph_with(helper.make_node("Relu", ["x"], ["y"]), in_shape=("N", "M")), "more than one symbolic"),
    (lambda: graph_with(helper.make_node("Relu", ["x"], ["y"]), elem=TensorProto.INT64), "must be a float tensor"),
    (lambda: graph_with(helper.make_node("Identity", ["c"], ["y"]), {"c": np.ones(2, np.float32)}),
     "does not depend on the input"),
]


@pytest.mark.parametrize("make, message", REFUSED)
def test_refused(make, message):
    with pytest.raises(ModelError, match=message):
        read_onnx_bytes(make(), "bad.onnx")


def test_not_a_chain_and_graph_level_refusals():
    W = np.ones((2, 2), np.float32)
    nodes = [helper.make_node("Gemm", ["x", "W"], ["z"]), helper.make_node("Relu", ["z"], ["h"]),
             helper.make_node("Gemm", ["h", "W"], ["z2"]), helper.make_node("Add", ["z2", "z"], ["y"])]
    with pytest.raises(ModelError, match="residual|not a chain"):
        read_onnx_bytes(build(nodes, {"W": W}, ["N", 2]))
    nodes = [helper.make_node("Gemm", ["x", "W"], ["z"]), helper.make_node("Relu", ["z"], ["h"]),
             helper.make_node("Gemm", ["z", "W"], ["y"])]
    with pytest.raises(ModelError, match="not a chain"):
        read_onnx_bytes(build(nodes, {"W": W}, ["N", 2]))
    two_inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["N", 2]) for n in ("x", "x2")]
    with pytest.raises(ModelError, match="exactly one input"):
        read_onnx_bytes(build([helper.make_node("Relu", ["x"], ["y"])], {}, None, inputs=two_inputs))
    tensor = numpy_helper.from_array(W, "W")
    tensor.data_location = TensorProto.EXTERNAL
    tensor.ClearField("raw_data")
    graph = helper.make_graph([helper.make_node("Gemm", ["x", "W"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [tensor])
    with pytest.raises(ModelError, match="external file"):
        read_onnx_bytes(helper.make_model(graph).SerializeToString())
    with pytest.raises(ModelError, match="parameters, more than the limit"):
        read_onnx_bytes(build(*torch_style(random_arrays([30, 30, 1])), ["N", 30]), max_parameters=100)


def test_large_folds_refused_not_hanging():
    import ftcexact.models.onnx_format as of
    W = np.ones((40, 40), np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W"], ["a"]), helper.make_node("MatMul", ["a", "W"], ["y"])]
    data = build(nodes, {"W": W}, ["N", 40])
    assert read_onnx_bytes(data).depth == 1  # two stacked linear maps are folded exactly...
    old, of.MAX_FOLD_WORK = of.MAX_FOLD_WORK, 1000
    try:
        with pytest.raises(ModelError, match="too large to fold"):  # ...unless that is too much work
            read_onnx_bytes(data)
    finally:
        of.MAX_FOLD_WORK = old


@given(st.binary(max_size=400))
def test_any_bytes_no_traceback(data):
    only_model_error(read_onnx_bytes, data)


@given(st.data())
def test_corrupted_model_no_traceback(data):
    good = bytearray(build(*torch_style(random_arrays([3, 4, 2])), ["N", 3], ["N", 2]))
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(good) - 1))
        good[i] = data.draw(st.integers(0, 255))
    only_model_error(read_onnx_bytes, bytes(good[:data.draw(st.integers(0, len(good)))]))


def test_identity_stages_count_against_the_limit():
    data = build([helper.make_node("Relu", ["x"], ["y"])], {}, ["N", 3000])
    with pytest.raises(ModelError, match="more than the limit"):
        read_onnx_bytes(data, max_parameters=10**6)  # Relu(x) needs a 3000 x 3000 identity layer
    with pytest.raises(ModelError, match="input 'x' has 9000000 values"):
        read_onnx_bytes(build([helper.make_node("Relu", ["x"], ["y"])], {}, [3000, 3000]))
    assert read_onnx_bytes(build([helper.make_node("Relu", ["x"], ["y"])], {}, ["N", 3])).widths == [3]
