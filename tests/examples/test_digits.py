"""The worked example of README: patch a trained MLP on scikit-learn's bundled digits, end to end."""

import json

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("onnxruntime")


def test_digits_patch(tmp_path, capsys):
    from ftcexact.cli.main import main
    assert main(["demo", "--real", "--json", "--outdir", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["K"] == 1200 and report["N"] == 10 and len(report["changed"]) == 10
    rows = {r["construction"]: r for r in report["rows"]}
    assert all(r["verified"] for r in rows.values())
    # neuron counts beside the bounds: two layers meet min{3N, K - 2}; tents use 2N + 1
    assert rows["two-layer-tight"]["neurons"] <= report["bounds"]["Theorem 4.1 lower (worst case) min(3N, K - 2)"]
    assert rows["three-layer-tents"]["neurons"] == 2 * report["N"] + 1
    # float64 exports change the predictions exactly where asked (onnxruntime, all 1200 training images)
    assert rows["two-layer"]["float64"]["changed_exactly_where_asked"]
    assert rows["three-layer-tents"]["float64"]["changed_exactly_where_asked"]
    # held-out accuracy moves by a few points at most
    for r in rows.values():
        assert abs(r["float64"]["test_accuracy_after"] - report["f_accuracy_test"]) < 0.02
