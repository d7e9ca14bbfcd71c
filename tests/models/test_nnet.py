"""NNet reader: a real ACAS Xu network, exact decimals, normalisation and clamp folds, bad input."""

import os
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftcexact.kernel.numbers import Q, parse_rational
from ftcexact.models import ModelError, load_model
from ftcexact.models.nnet import read_nnet_bytes
from ftcexact.network import evaluate

from .helpers import only_model_error

DATA = os.path.join(os.path.dirname(__file__), "data")
ACAS = os.path.join(DATA, "TestNetwork.nnet")


def acas_bytes():
    with open(ACAS, "rb") as fh:
        return fh.read()


def reference_evaluate(path, x, clamp=True):
    """sisl/NNet's C++ evaluate_network semantics, in float64 (clamp, normalise, layers, de-normalise)."""
    lines = [ln for ln in open(path).read().splitlines() if not ln.startswith("//")]
    nums = [[float(v) for v in ln.strip().rstrip(",").split(",")] for ln in lines]
    L, d = int(nums[0][0]), int(nums[0][1])
    sizes = [int(v) for v in nums[1]]
    mins, maxs, means, ranges = nums[3], nums[4], nums[5], nums[6]
    rows = nums[7:]
    x = np.array(x, dtype=np.float64)
    if clamp:
        x = np.minimum(np.maximum(x, mins), maxs)
    h = (x - np.array(means[:d])) / np.array(ranges[:d])
    for l in range(L):
        W = np.array(rows[:sizes[l + 1]])
        rows = rows[sizes[l + 1]:]
        b = np.array([r[0] for r in rows[:sizes[l + 1]]])
        rows = rows[sizes[l + 1]:]
        h = W @ h + b
        if l < L - 1:
            h = np.maximum(h, 0)
    return h * ranges[d] + means[d]


def test_acas_xu_matches_published_outputs():
    net = load_model(ACAS)
    assert net.widths == [50] * 6 and net.input_dim == 5 and net.output_dim == 5
    out = [float(v) for v in evaluate(net, [[1, 1, 1, 100, 1]])[0]]
    # sisl/NNet test/test_nnet.py, test_evaluate_valid (rtol 1e-5 there)
    want = [270.94961805, 280.8974763, 274.55254776, 288.10071007, 256.18037737]
    np.testing.assert_allclose(out, want, rtol=1e-9)


def test_acas_xu_agrees_with_reference_evaluator_inside_and_outside_the_box():
    plain, clamped = load_model(ACAS), load_model(ACAS, clamp=True)
    assert clamped.widths == [10] + [50] * 6  # the clamp adds 2 * 5 ReLUs
    rng = np.random.default_rng(1)
    lo = np.array([0.0, -3.141593, -3.141593, 100.0, 0.0])
    hi = np.array([60760.0, 3.141593, 3.141593, 1200.0, 1200.0])
    inside = lo + rng.random((6, 5)) * (hi - lo)
    outside = lo - 0.5 * (hi - lo) + rng.random((6, 5)) * 2 * (hi - lo)
    for x in inside:
        e = np.array([float(v) for v in evaluate(plain, [x.tolist()])[0]])
        np.testing.assert_allclose(e, reference_evaluate(ACAS, x), rtol=1e-9, atol=1e-9)
    for x in outside:
        e = np.array([float(v) for v in evaluate(clamped, [x.tolist()])[0]])
        np.testing.assert_allclose(e, reference_evaluate(ACAS, x), rtol=1e-9, atol=1e-9)
        e_plain = np.array([float(v) for v in evaluate(plain, [x.tolist()])[0]])
        np.testing.assert_allclose(e_plain, reference_evaluate(ACAS, x, clamp=False), rtol=1e-9, atol=1e-9)


def test_weights_are_the_decimal_text():
    raw = load_model(ACAS, normalize=False)
    assert raw.layers[0][0][0][0] == parse_rational("5.40062e-02") == Q(540062, 10**7)
    assert raw.layers[0][1][0] == Q(2276300, 10**7)  # 2.27630e-01, the first bias
    net = load_model(ACAS)
    # first layer folded: W diag(1/range); range_1 = 60261.0
    assert net.layers[0][0][0][0] == Q(540062, 10**7) / 60261


def test_normalisation_fold_is_exact_on_a_small_file(tmp_path):
    text = "//c\n1,2,1,2,\n2,1,\n0,\n-1,-1,\n1,1,\n0.5,0.25,10,\n2,4,3,\n1.5,-0.1,\n0.1,\n"
    net = read_nnet_bytes(text.encode())
    x = (Q(1, 3), Q(-2, 7))
    u = [(x[0] - Q(1, 2)) / 2, (x[1] - Q(1, 4)) / 4]
    want = (Q(3, 2) * u[0] - Q(1, 10) * u[1] + Q(1, 10)) * 3 + 10
    assert evaluate(net, [x])[0] == (want,)


BAD = [
    ("", "file ends before the header"),
    ("// only comments\n", "file ends before the header"),
    ("1,1,1,1\n", "file ends before the layer sizes"),
    ("1,1,1\n", "needs 4 number"),
    ("a,1,1,1\n", "must be integers"),
    ("0,1,1,1\n1\n", "must be positive"),
    ("1,1,1,1\n1,1,1\n", "1 layers need 2 layer sizes"),
    ("1,1,1,1\n1,2\n", "do not match"),
    ("1,1,1,1\n1,1\n0\n0\n1\n0,0\n1,1\n2\n", "file ends before the biases of layer 1"),
    ("1,1,1,1\n1,1\n0\n0\n1\n0,0\n1,1\nnan\n1\n", "not an exact rational number"),
    ("1,1,1,1\n1,1\n0\n0\n1\n0,0\n1,1\n2,3\n1\n", "needs 1 number"),
    ("1,1,1,1\n1,1\n0\n0\n1\n0,0\n1,1\n2\n1\n7\n", "unexpected data after the last layer"),
    ("1,1,1,1\n1,1\n0\n0\n1\n0,0\n0,1\n2\n1\n", "input range 1 is 0"),
    ("1,1,1,1\n1,1\n0\n0\n1\n0,,0\n1,1\n2\n1\n", "empty field"),
]


@pytest.mark.parametrize("text, message", BAD)
def test_bad_files(text, message):
    with pytest.raises(ModelError, match=message):
        read_nnet_bytes(text.encode(), "bad.nnet")


def test_clamp_needs_consistent_bounds_and_normalisation():
    text = "1,1,1,1\n1,1\n0\n5\n1\n0,0\n1,1\n2\n1\n"
    with pytest.raises(ModelError, match="minimum > maximum"):
        read_nnet_bytes(text.encode(), clamp=True)
    with pytest.raises(ModelError, match="needs normalize=True"):
        read_nnet_bytes(text.encode(), clamp=True, normalize=False)
    with pytest.raises(ModelError, match="not a text file"):
        read_nnet_bytes(b"\xff\xfe", "x.nnet")
    with pytest.raises(ModelError, match="parameters, more than the limit"):
        read_nnet_bytes(b"2,1,1,100000\n1,100000,1\n", max_parameters=1000)


@given(st.binary(max_size=300))
def test_any_bytes_no_traceback(data):
    only_model_error(read_nnet_bytes, data)


@given(st.data())
def test_mutated_real_file_no_traceback(data):
    lines = acas_bytes().decode().splitlines(keepends=True)[:40]  # header and the first weight rows
    i = data.draw(st.integers(0, len(lines) - 1))
    junk = data.draw(st.sampled_from(["", "\n", "1e999999,\n", "-0,\n", ",\n", "0x10,\n", "1/0,\n", "7,7,7,7,\n"]))
    lines[i] = junk
    only_model_error(read_nnet_bytes, "".join(lines).encode())
    only_model_error(read_nnet_bytes, acas_bytes()[:data.draw(st.integers(0, 5000))])


def test_fractions_are_exact():
    net = load_model(ACAS)
    ranges = [Fraction("60261.0"), Fraction("6.28318530718")]
    assert Fraction(int(net.layers[0][0][0][1].numerator), int(net.layers[0][0][0][1].denominator)) == \
        Fraction("-2.61092e+00") / ranges[1]
