"""The public API, used the way a notebook would: NumPy arrays in, Fractions out, only `ftcexact.*` names."""

from fractions import Fraction

import numpy as np
import pytest

import ftcexact as fx


def test_notebook_session(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype(np.float32)
    y = np.zeros(40)
    y[[3, 11, 29]] = [0.5, -1.25, 2.0]
    cert = fx.certify(x, y)
    assert isinstance(cert, fx.Certificate) and cert.neurons <= 3 * 3 + 1
    verdict = fx.verify(cert)
    assert verdict and verdict.code == 0 and verdict.reason == ""
    g = cert.network
    assert all(isinstance(v, Fraction) for W, b in g.layers for row in W for v in row)
    # the same, saved to disk and verified from the file
    path = cert.save(str(tmp_path / "c.json"))
    assert fx.verify(path)
    # pieces of g along the line through the first point, in the first coordinate direction
    p = fx.pieces(cert, point=x[0].tolist(), direction=[1, 0, 0], segment=(-1, 1))
    assert p.count >= 1 and all(isinstance(b, Fraction) for b in p.breakpoints)
    # a lower bound that meets the two-layer construction on the paper's dataset
    lb = fx.lower_bound(3, 11)
    assert fx.verify(lb) and lb.data["claim"]["bound"] == 9
    tight = fx.certify(np.arange(11), [0, 0, -1, 0, 0, 2, 0, 0, -1, 0, 0], construction="two-layer-tight")
    assert fx.verify(tight) and tight.neurons == lb.data["claim"]["bound"]
    # minimum width with proofs both ways
    mw = fx.min_width([1, 2, 3, 4, 5], [1, -1, 1, -1, 1])
    assert mw["min_width"] == 3 and fx.verify(mw["certificate"]) and fx.verify(mw["refutation"])
    # export with a deployability report
    report = fx.export(cert, str(tmp_path / "g.onnx"), part="g", dtype="float32")
    assert report["exact_network_fits"] and (tmp_path / "g.onnx").exists()
    n, witness = fx.min_pieces([0, 1, 2, 3], [0, 1, 0, 1])
    assert n == 3 and witness(Fraction(1, 2)) == (Fraction(1, 2),)
    assert fx.partition(14, [4, 7, 9, 14])["theorem_4_4_neurons"] == 10


def test_tampering_in_memory_is_caught():
    cert = fx.certify([[0, 0], [1, 0], [0, 1]], ["0", "1/3", "0"])
    cert.data["claim"]["neurons"] += 1
    v = fx.verify(cert)
    assert not v and v.code == 1 and "claim.neurons" in v.reason


def test_a_frozen_network_and_keep_markers():
    from ftcexact.network import Network
    f = Network.from_lists([([[1, 1], [1, -1]], [0, 0]), ([[1, 2]], ["1/7"])])
    x = [[0, 0], [1, 0], [2, 1], [3, 3]]
    cert = fx.certify(x, [None, 5, None, None], frozen=f)
    assert cert.files and fx.verify(cert)
    assert cert.data["dataset"]["y"] == [None, "5", None, None] and "f" not in cert.data["dataset"]


def test_inputs_of_every_kind_give_the_same_certificate():
    a = fx.certify([[0], [1], [2]], ["0", "1/2", "0"])
    b = fx.certify(np.array([[0.0], [1.0], [2.0]]), np.array([0.0, 0.5, 0.0]))
    c = fx.certify([[Fraction(0)], [1], ["2"]], [0, Fraction(1, 2), 0])
    assert a.data["network"] == b.data["network"] == c.data["network"]


def test_bad_input_raises_a_value_error():
    with pytest.raises(ValueError):
        fx.certify([[0], [0]], [1, 2])  # one input, two targets
    with pytest.raises(ValueError):
        fx.certify([[0], [1]], [None, 1])  # keep marker without a frozen network
