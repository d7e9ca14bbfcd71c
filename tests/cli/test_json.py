"""Every command with --json prints one object that matches its schema in ftcexact/cli/schemas.py (docs/cli.md)."""

import json
from pathlib import Path

import pytest

from ftcexact.cli.main import build_parser, main
from ftcexact.cli.schemas import SCHEMAS, markdown, update_document, validate

ROOT = Path(__file__).resolve().parents[2]
LINE = {"x": ["0", "1", "2", "3", "4", "5"], "y": ["0", "1", "0", "-1", "0", "0"]}
PLANE = {"x": [["0", "0"], ["1", "0"], ["0", "1"], ["1", "1"], ["2", "3"]], "y": ["0", "1", "0", "-1", "2"]}
#: Alternating labels on 12 points: the least width is large, so z3 cannot finish within a millisecond.
ZIGZAG = {"x": [str(i) for i in range(12)], "y": [str((-1) ** i) for i in range(12)]}


def subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices


def test_every_command_has_exactly_one_schema():
    assert set(SCHEMAS) == set(subcommands())


def test_docs_tables_are_generated_from_the_schemas():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert update_document(text) == text, "run: python -m ftcexact.cli.schemas docs/cli.md"
    assert markdown() in text


def test_validate_reports_every_kind_of_problem():
    problems = validate("search", {"arch": "two-layer", "output": 1, "rows": [{"N": 1}], "extra": None})
    assert "extra: not documented" in problems and "output: int is not str" in problems
    assert "rows[0].K: missing" in problems
    assert validate("plot", []) == ["output: expected an object"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Inputs shared by the runs below: datasets, a certificate, a lower bound, a refutation, a search file."""
    tmp = tmp_path_factory.mktemp("json")
    paths = {}
    for name, obj in (("line", LINE), ("plane", PLANE), ("zigzag", ZIGZAG)):
        paths[name] = str(tmp / f"{name}.json")
        Path(paths[name]).write_text(json.dumps(obj))
    paths["tmp"] = tmp
    paths["cert"] = str(tmp / "c.json")
    assert main(["certify", paths["line"], "-o", paths["cert"]]) == 0
    paths["mw"] = str(tmp / "mw.json")
    assert main(["min-width", paths["line"], "-o", paths["mw"]]) == 0
    paths["jsonl"] = str(tmp / "s.jsonl")
    assert main(["search", "--N", "1", "--K", "4", "--budget", "2", "--workers", "1", "-o", paths["jsonl"]]) == 0
    paths["npz"] = str(tmp / "g.npz")
    assert main(["export", paths["cert"], "--part", "g", "-o", paths["npz"]]) == 0
    paths["t3"] = str(tmp / "t.jsonl")
    assert main(["three-layer-table", "--K-max", "3", "--random", "0", "--only", "ysj", "-o", paths["t3"]]) == 0
    bad = tmp / "tampered.json"
    cert = json.loads(Path(paths["cert"]).read_text())
    cert["network"][-1]["b"][0] = "1/2"
    bad.write_text(json.dumps(cert))
    paths["tampered"] = str(bad)
    (tmp / "malformed.json").write_text("{")
    paths["malformed"] = str(tmp / "malformed.json")
    return paths


def out(tmp, name):
    return str(tmp / name)


#: (command, argv with placeholders {name} for the files above, expected exit code)
RUNS = [
    ("certify", ["certify", "{plane}", "-o", "{tmp}/c2.json", "--construction", "three-layer-best"], 0),
    ("verify", ["verify", "{cert}"], 0),
    ("verify", ["verify", "{tampered}"], 1),
    ("verify", ["verify", "{malformed}"], 2),
    ("generate", ["generate", "--K", "30", "--N", "20", "-o", "{tmp}/gen.json"], 0),
    ("demo", ["demo"], 0),
    ("check-refutation", ["check-refutation", "{mw_refutation}"], 0),
    ("check-refutation", ["check-refutation", "{jsonl}"], 0),
    ("partition", ["partition", "--K", "14", "--T", "4,7,9,14"], 0),
    ("pieces", ["pieces", "{cert}"], 0),
    ("pieces", ["pieces", "{npz}", "--point", "-1/2", "--direction", "-1", "--segment", "-1,2"], 0),
    ("min-pieces", ["min-pieces", "{plane}", "--direction", "1,3"], 0),
    ("lower-bound", ["lower-bound", "--N", "2", "--K", "8", "-o", "{tmp}/lb.json"], 0),
    ("lower-bound", ["lower-bound", "--N", "3", "--family", "ysj"], 0),
    ("min-width", ["min-width", "{line}", "-o", "{tmp}/mw2.json"], 0),
    ("min-width", ["min-width", "{plane}"], 0),
    ("min-width", ["min-width", "{line}", "--method", "z3"], 0),
    ("min-width", ["min-width", "{zigzag}", "--method", "z3", "--timeout", "0.001"], 4),
    ("search", ["search", "--N", "1-2", "--K", "5", "--budget", "2", "--workers", "1", "-o", "{tmp}/s2.jsonl"], 0),
    ("search", ["search", "--arch", "three-layer", "--N", "1", "--K", "5", "--budget", "2", "--workers", "1",
                "-o", "{tmp}/s3.jsonl"], 0),
    ("prove", ["prove", "--only", "ftc_lemma_4_6"], 0),
    ("convert", ["convert", "{npz}", "-o", "{tmp}/net.json"], 0),
    ("export", ["export", "{cert}", "--part", "g", "-o", "{tmp}/g.onnx"], 0),
    ("three-layer-width", ["three-layer-width", "{line}", "--max-width", "4", "--time-limit", "5"], 0),
    ("three-layer-table", ["three-layer-table", "--K-max", "3", "--random", "0", "--only", "ysj", "-o", "{t3}"], 0),
    ("three-layer-table", ["three-layer-table", "--markdown", "{t3}", "--no-constructions"], 0),
    ("plot", ["plot", "{cert}", "-o", "{tmp}/p.png"], 0),
    ("plot", ["plot", "{tmp}/lb.json", "-o", "{tmp}/lb.svg"], 0),
    ("plot", ["plot", "figure5", "--m", "4,12", "-o", "{tmp}/f5.png"], 0),
]


@pytest.mark.parametrize("command, argv, code", RUNS, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(RUNS)])
def test_json_output_matches_the_schema(command, argv, code, files, capsys, monkeypatch):
    if "z3" in argv:
        pytest.importorskip("z3")
    monkeypatch.chdir(files["tmp"])  # prove writes nothing with --only; the rest writes under tmp
    values = dict(files, mw_refutation=files["mw"][:-5] + ".refutation.json")
    argv = [a.format(**values) for a in argv] + ["--json"]
    capsys.readouterr()
    assert main(argv) == code
    printed = capsys.readouterr().out
    obj = json.loads(printed)  # exactly one JSON value, nothing else on stdout
    assert isinstance(obj, dict)
    assert validate(command, obj) == []
    if command in ("verify", "check-refutation"):
        assert obj["exit"] == code
        assert obj["verdict"] == {0: "VERIFIED", 1: "NOT VERIFIED", 2: "MALFORMED"}[code]
        assert (obj["reason"] == "") == (code == 0)


def test_demo_real_json_matches_the_schema(capsys, tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("onnxruntime")
    from ftcexact.cli.demo_real import run_real_demo
    assert run_real_demo(str(tmp_path), N=3, as_json=True, constructions=("two-layer",)) == 0
    assert validate("demo", json.loads(capsys.readouterr().out)) == []
