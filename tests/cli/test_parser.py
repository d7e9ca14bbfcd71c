"""The parser: help for every option with its default, --version, negative numbers, and the small commands."""

import argparse
import json
import subprocess
import sys

import pytest

import ftcexact
from ftcexact.cli.main import build_parser, main


def subparsers():
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in action._choices_actions}
    return parser, action.choices, helps


def test_every_command_and_option_has_a_one_line_help_with_its_default():
    parser, commands, helps = subparsers()
    problems = []
    for name, sub in commands.items():
        if not helps.get(name):
            problems.append(f"{name}: no help")
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            label = f"{name} {'/'.join(action.option_strings) or action.dest}"
            text = action.help or ""
            if not text.strip() or "\n" in text:
                problems.append(f"{label}: no one-line help")
            elif action.option_strings and not (("default" in text.lower() or "%(default)" in text)
                                                 or (action.required and "required" in text)):
                problems.append(f"{label}: help does not state the default: {text!r}")
            # %(default)s must expand: argparse raises on a bad format
            sub._get_formatter()._expand_help(action) if action.help else None
    assert problems == []
    assert all(a.help for a in parser._actions if a.option_strings)


def test_the_walk_above_can_fail():
    parser = argparse.ArgumentParser()
    parser.add_argument("--x", type=int, default=3, help="an integer")
    assert not any("default" in (a.help or "") for a in parser._actions if a.dest == "x")


def test_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.strip() == f"ftcexact {ftcexact.__version__}"


def test_certify_help_lists_the_constructions_one_per_line(capsys):
    from ftcexact.constructions import CONSTRUCTIONS
    with pytest.raises(SystemExit):
        main(["certify", "--help"])
    text = capsys.readouterr().out
    listed = [line.split()[0] for line in text.split("constructions:\n", 1)[1].split("\n\n", 1)[0].splitlines()]
    assert listed == sorted(CONSTRUCTIONS)
    assert "default: two-layer" in text


def test_help_states_the_search_default_workers(capsys):
    import os
    with pytest.raises(SystemExit):
        main(["search", "--help"])
    assert f"here {max(1, (os.cpu_count() or 1) - 1)})" in " ".join(capsys.readouterr().out.split())


@pytest.fixture
def hat(tmp_path):
    """g(t) = relu(t) - 2 relu(t - 1) + relu(t - 2) on one input: breakpoints 0, 1, 2."""
    path = tmp_path / "hat.json"
    path.write_text(json.dumps({"network": [{"W": [["1"], ["1"], ["1"]], "b": ["0", "-1", "-2"]},
                                            {"W": [["1", "-2", "1"]], "b": ["0"]}]}))
    return path


@pytest.mark.parametrize("argv, pieces, breakpoints", [
    (["--point", "-1/2", "--direction", "1"], 4, ["1/2", "3/2", "5/2"]),
    (["--point=-1/2", "--direction=1"], 4, ["1/2", "3/2", "5/2"]),
    (["--direction", "-1"], 4, ["-2", "-1", "0"]),
    (["--direction", "-1", "--segment", "-1,2"], 2, ["0"]),
    (["--segment", "-1/2,3/2"], 3, ["0", "1"]),
    (["--segment", "-.5,1.5"], 3, ["0", "1"]),
    (["--point", "-1", "--segment", "-5,-2"], 1, []),
])
def test_negative_numbers_are_values(hat, capsys, argv, pieces, breakpoints):
    assert main(["pieces", str(hat), "--json"] + argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["pieces"], result["breakpoints"]) == (pieces, breakpoints)


@pytest.mark.parametrize("argv, message", [
    (["--segment", "2,1"], "A <= B"),
    (["--segment", "1"], "A <= B"),
    (["--segment", "-1,x"], "--segment"),
])
def test_bad_segments(hat, capsys, argv, message):
    assert main(["pieces", str(hat)] + argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_pieces_reads_every_model_format(tmp_path, capsys):
    from ftcexact.models import save_model
    from ftcexact.network import Network
    net = Network.from_lists([([[1, 2], [-1, 1], [3, -1]], [0, "1/2", -1]), ([[1, -2, "1/4"]], [1])])
    native = tmp_path / "net.json"
    save_model(net, str(native))
    results = {}
    for path in [native] + [tmp_path / f"net.{ext}" for ext in ("onnx", "npz", "safetensors")]:
        if path != native:
            pytest.importorskip({"onnx": "onnx", "npz": "numpy", "safetensors": "safetensors"}[path.suffix[1:]])
            save_model(net, str(path), dtype="float64")  # these weights are dyadic: float64 holds them exactly
        assert main(["pieces", str(path), "--direction", "1,-1", "--point", "0,-1", "--json"]) == 0
        results[path.suffix] = json.loads(capsys.readouterr().out)
    first = results[".json"]
    assert first["pieces"] >= 2
    for r in results.values():
        assert {k: r[k] for k in ("pieces", "breakpoints", "slopes")} == \
            {k: first[k] for k in ("pieces", "breakpoints", "slopes")}
    nnet = "tests/models/data/TestNetwork.nnet"
    assert main(["pieces", nnet, "--direction", "1,0,0,0,0", "--segment", "-1,1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pieces"] >= 1
    (tmp_path / "other.json").write_text('{"weights": []}')
    assert main(["pieces", str(tmp_path / "other.json")]) == 2
    assert main(["pieces", str(tmp_path / "net.txt")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 2


def test_generate_prints_N_and_the_first_indices_only(tmp_path, capsys):
    out = tmp_path / "g.json"
    assert main(["generate", "--K", "500", "--N", "200", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "N = 200" in text and text.count(",") < 20 and "..." in text and len(text) < 200
    assert main(["generate", "--K", "500", "--N", "200", "-o", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert "T" not in printed and printed["N"] == 200
    data = json.loads(out.read_text())
    assert sum(1 for y in data["y"] if y != "0") == 200  # T is in the file (y != f, f = 0)


def test_verify_json_keeps_exit_codes_and_reports_malformed_input(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "ftcexact-certificate"')
    assert main(["verify", str(bad), "--json"]) == 2
    captured = capsys.readouterr()
    obj = json.loads(captured.out)
    assert obj["verdict"] == "MALFORMED" and obj["exit"] == 2 and obj["lines"] == []
    assert obj["reason"] and len(captured.err.strip().splitlines()) == 1


def test_min_width_z3_timeout(tmp_path, capsys):
    pytest.importorskip("z3")
    data = tmp_path / "z.json"
    data.write_text(json.dumps({"x": [str(i) for i in range(12)], "y": [str((-1) ** i) for i in range(12)]}))
    cert = tmp_path / "c.json"
    assert main(["min-width", str(data), "--method", "z3", "--timeout", "0.001", "-o", str(cert)]) == 4
    assert "unknown" in capsys.readouterr().out and not cert.exists()
    assert main(["min-width", str(data), "--timeout", "5"]) == 2  # the oracle has no timeout
    assert "--timeout applies to --method z3" in capsys.readouterr().err
    small = tmp_path / "s.json"
    small.write_text(json.dumps({"x": ["1", "2", "3"], "y": ["0", "1", "0"]}))
    assert main(["min-width", str(small), "--method", "z3", "--timeout", "60", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["min_width"] == 2


def test_search_file_is_the_same_whatever_the_workers(tmp_path):
    files = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.jsonl"
        assert main(["search", "--N", "1-2", "--K", "5", "--budget", "5", "--seed", "4", "--workers", workers,
                     "-o", str(out)]) == 0
        files.append(out.read_text())
    assert files[0] == files[1] and files[0].count("\n") == 10


def test_plot_m_lists(tmp_path, capsys):
    out = tmp_path / "f.png"
    assert main(["plot", "figure5", "--m", "3-5", "-o", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["m"] == [3, 4, 5] and len(printed["titles"]) == 3
    assert all("A = 0" in t for t in printed["titles"]) and len(printed["notes"]) == 3  # A = -1 drawn at 0
    for m in ("0", "401", "1-13", "x"):
        assert main(["plot", "figure5", "--m", m, "-o", str(out)]) == 2
    assert main(["plot", "somefile.json", "--m", "12", "-o", str(out)]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 5


def test_python_dash_m_help_is_quick_and_clean():
    run = subprocess.run([sys.executable, "-m", "ftcexact", "--help"], capture_output=True, text=True)
    assert run.returncode == 0 and run.stderr == ""
    assert "Exit codes" in run.stdout and "certify" in run.stdout
