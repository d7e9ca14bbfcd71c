import json

import pytest

from ftcexact.cli.main import main


@pytest.fixture
def cert(tmp_path):
    data = tmp_path / "d.json"
    data.write_text(json.dumps({"x": [["0", "1"], ["1", "0"], ["2", "2"], ["3", "1/2"]], "y": ["0", "1", "-1", "0"]}))
    out = tmp_path / "c.json"
    assert main(["certify", str(data), "-o", str(out)]) == 0
    return out


def test_pieces_of_a_certificate(cert, capsys):
    capsys.readouterr()
    assert main(["pieces", str(cert), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["pieces"] == len(result["breakpoints"]) + 1 <= json.loads(cert.read_text())["claim"]["neurons"] + 1


def test_pieces_of_a_bare_network(tmp_path, capsys):
    net = tmp_path / "n.json"
    net.write_text(json.dumps({"network": [{"W": [["1"], ["1"]], "b": ["0", "-1"]}, {"W": [["1", "-1"]], "b": ["0"]}]}))
    assert main(["pieces", str(net), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"pieces": 3, "breakpoints": ["0", "1"], "slopes": ["0", "1", "0"],
                                                   "intercepts": ["0", "0", "1"], "file": str(net), "point": None,
                                                   "direction": None, "segment": None}


@pytest.mark.parametrize("args, message", [
    (["--direction", "0,0"], "nonzero"),
    (["--direction", "1,x"], "--direction"),
    (["--direction", "1,2,3"], "R^2"),
])
def test_pieces_bad_line(cert, capsys, args, message):
    assert main(["pieces", str(cert)] + args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_pieces_bad_network(tmp_path, capsys):
    net = tmp_path / "n.json"
    net.write_text(json.dumps({"network": [{"W": [["1"]], "b": ["0"]}, {"W": [["1", "2"]], "b": ["0"]}]}))
    assert main(["pieces", str(net)]) == 2
    net.write_text(json.dumps({"weights": []}))
    assert main(["pieces", str(net)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 2


def test_min_pieces(tmp_path, capsys):
    data = tmp_path / "d.json"
    data.write_text(json.dumps({"x": ["0", "1", "2", "3"], "y": ["0", "0", "1", "3"]}))
    assert main(["min-pieces", str(data), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["min_pieces"] == 2
    data.write_text(json.dumps({"x": [["0", "0"], ["1", "0"], ["0", "1"]], "y": ["0", "1", "2"]}))
    assert main(["min-pieces", str(data)]) == 2
    assert main(["min-pieces", str(data), "--direction", "1,1"]) == 2  # two points project to 1
    assert main(["min-pieces", str(data), "--direction", "1,2"]) == 0


def test_lower_bound_writes_a_verifiable_certificate(tmp_path, capsys):
    out = tmp_path / "lb.json"
    assert main(["lower-bound", "--N", "4", "--K", "14", "--arch", "two-layer", "--json", "-o", str(out)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["bound"], result["min_pieces"]) == (12, 13)
    assert main(["verify", str(out)]) == 0
    assert main(["lower-bound", "--N", "5", "--K", "3"]) == 2
    assert main(["lower-bound", "--family", "ysj", "--N", "9", "--arch", "three-layer-ysj", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["min_pieces"] == 8
    assert main(["lower-bound", "--family", "figure3", "--N", "4", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["min_pieces"] == 6
    assert main(["lower-bound", "--dataset", str(tmp_path / "missing.json")]) == 2


def test_plot(cert, tmp_path, capsys):
    lb = tmp_path / "lb.json"
    assert main(["lower-bound", "--N", "2", "--K", "9", "-o", str(lb)]) == 0
    for target, name in ((cert, "a.png"), (lb, "b.svg")):
        assert main(["plot", str(target), "-o", str(tmp_path / name)]) == 0
        assert (tmp_path / name).stat().st_size > 1000
    assert main(["plot", str(cert), "-o", str(tmp_path / "c.pdf")]) == 2
    assert not (tmp_path / "c.pdf").exists()
    assert main(["plot", "figure5", "--m", "12", "-o", str(tmp_path / "f5.png")]) == 0
    assert main(["plot", "figure5", "--m", "0", "-o", str(tmp_path / "f6.png")]) == 2


def test_figure5_overlay_is_consistent():
    """Certified N* bounds never cross: what a construction achieves is at most what piece counting allows."""
    from ftcexact.plot import certified_n_star, figure_5_regions
    for m in (6, 12, 20):
        for K in range(3, 60, 7):
            lo, hi = certified_n_star(m, K)
            assert 0 <= lo <= hi <= K
        K1, K2, A, B = figure_5_regions(m)
        from fractions import Fraction
        from math import floor
        assert K1 == m * m // 16 and A == floor(Fraction(m * m, 108) - Fraction(2, 3))
