"""Commands min-width, search and check-refutation: outputs, resumption after a kill, bad input."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ftcexact.cli.main import main
from ftcexact.search.adversarial import candidate, check_records, read_records, search


def write(tmp_path, name, obj):
    path = tmp_path / name
    path.write_text(json.dumps(obj))
    return str(path)


def test_min_width_writes_certificate_and_refutation(tmp_path, capsys):
    data = write(tmp_path, "d.json", {"x": ["1", "2", "3", "4"], "y": ["1", "-1", "1", "-1"], "f": ["0"] * 4})
    cert = str(tmp_path / "c.json")
    assert main(["min-width", data, "--arch", "two-layer", "--json", "-o", cert]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["min_width"] == 3 and report["decided"] and report["refutation"].endswith("c.refutation.json")
    assert main(["verify", cert]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "s VERIFIED"
    assert main(["check-refutation", report["refutation"]]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "s VERIFIED"


def test_min_width_zero_and_not_on_a_line(tmp_path, capsys):
    data = write(tmp_path, "z.json", {"x": ["1", "2"], "y": ["3", "3"]})
    cert = str(tmp_path / "z.cert.json")
    assert main(["min-width", data, "--json", "-o", cert]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["min_width"] == 0 and report["refutation"] is None
    assert not os.path.exists(str(tmp_path / "z.cert.refutation.json"))
    data = write(tmp_path, "sq.json", {"x": [["0", "0"], ["1", "0"], ["0", "1"], ["1", "1"]], "y": ["0", "1", "1", "0"]})
    cert = str(tmp_path / "sq.cert.json")
    assert main(["min-width", data, "--json", "-o", cert]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["decided"] is False and report["min_width"] is None
    assert (report["lower"], report["upper"]) == (1, 2)
    assert main(["verify", cert]) == 0 and main(["check-refutation", report["refutation"]]) == 0
    capsys.readouterr()
    pytest.importorskip("z3")
    assert main(["min-width", data, "--method", "z3", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["min_width"] == 2


@pytest.mark.parametrize("argv", [["min-width", "missing.json"], ["min-width", "VEC", "--json"],
                                  ["search", "--N", "3", "--K", "2", "--budget", "2", "-o", "OUT"],
                                  ["search", "--N", "1", "--K", "3", "--budget", "0", "-o", "OUT"],
                                  ["search", "--N", "x", "--K", "3", "--budget", "2", "-o", "OUT"]])
def test_bad_input_exit_2(argv, tmp_path, capsys):
    vec = write(tmp_path, "v.json", {"x": ["0", "1"], "y": [["0", "1"], ["1", "0"]]})
    argv = [vec if a == "VEC" else str(tmp_path / "o.jsonl") if a == "OUT" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not os.path.exists(tmp_path / "o.jsonl") or os.path.getsize(tmp_path / "o.jsonl") == 0


def test_dask_missing_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails as if not installed
    out = str(tmp_path / "r.jsonl")
    assert main(["search", "--N", "1", "--K", "3", "--budget", "2", "-o", out, "--scheduler",
                 "tcp://127.0.0.1:1", "--no-progress"]) == 2
    assert "ftcexact[dask]" in capsys.readouterr().err


def test_search_on_a_dask_cluster(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                       dashboard_address=None)
    try:
        out = str(tmp_path / "d.jsonl")
        summary = search([(2, 5)], 6, 0, out, scheduler=cluster.scheduler_address, progress=False)
        assert summary[(2, 5)]["count"] == 6 and check_records(out) == (6, [])
    finally:
        cluster.close()


def test_search_records_are_checkable_and_resume(tmp_path, capsys):
    out = str(tmp_path / "r.jsonl")
    assert main(["search", "--N", "1-2", "--K", "4", "--budget", "6", "--seed", "3", "-o", out,
                 "--workers", "2", "--no-progress", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert {(r["N"], r["K"]) for r in rows} == {(1, 4), (2, 4)}
    records = read_records(out)
    assert len(records) == 12 and all(r["refutation"] for r in records if r["min_width"] > 0)
    assert check_records(out) == (12, [])
    # a killed writer leaves a partial line: it is cut, nothing is repeated, the rest is done
    with open(out, "a") as fh:
        fh.write('{"format": "ftcexact-search-rec')
    summary = search([(1, 4), (2, 4)], 9, 3, out, workers=1, progress=False)
    records = read_records(out)
    keys = [(r["N"], r["K"], r["index"]) for r in records]
    assert len(keys) == len(set(keys)) == 18 and summary[(2, 4)]["count"] == 9
    assert main(["check-refutation", out]) == 0
    # a record whose refutation was tampered with is reported
    lines = open(out).read().splitlines()
    rec = json.loads(lines[1])
    rec["refutation"]["claim"]["width"] = rec["min_width"]
    lines[1] = json.dumps(rec)
    open(out, "w").write("\n".join(lines) + "\n")
    assert check_records(out)[1] and main(["check-refutation", out]) == 1


def test_search_survives_kill(tmp_path):
    """SIGKILL a running search, restart it: every candidate appears exactly once."""
    out = str(tmp_path / "k.jsonl")
    # 400 candidates take about 2 s: long enough that the kill lands mid-run (60 once finished between polls)
    cmd = [sys.executable, "-m", "ftcexact", "search", "--N", "2", "--K", "7", "--budget", "400", "--seed", "1",
           "-o", out, "--workers", "1", "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and len(read_records(out)) < 5:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = len(read_records(out))
    assert 5 <= before < 400
    assert subprocess.run(cmd, capture_output=True).returncode == 0
    keys = [r["index"] for r in read_records(out)]
    assert sorted(keys) == list(range(400))


def test_three_layer_search(tmp_path, capsys):
    out = str(tmp_path / "t.jsonl")
    assert main(["search", "--arch", "three-layer", "--N", "2", "--K", "4-8", "--budget", "5", "-o", out,
                 "--workers", "1", "--no-progress", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    for r in rows:  # candidate 0 is the paper's dataset: it attains the largest possible piece count
        assert r["best_min_pieces"] == r["max_possible"] == min(3 * 2 + 1, r["K"] - 1)
        assert r["certified_lower_bound"] >= r["paper_lower"]
    assert check_records(out) == (25, [])
    # two- and three-layer records can share a file without mixing
    search([(2, 5)], 3, 0, out, workers=1, progress=False)
    assert len(read_records(out)) == 28 and check_records(out)[1] == []


def test_candidates_are_reproducible():
    a, b = candidate(3, 8, 5, 17), candidate(3, 8, 5, 17)
    assert a == b and a[0].N == 3 and a[0].K == 8
    assert candidate(3, 8, 5, 0)[1] == "the paper's §4.1 dataset"


def test_verify_dispatches_refutations_to_their_checker(tmp_path, capsys):
    from ftcexact.cli.main import main
    data = tmp_path / "d.json"
    data.write_text('{"x": ["1", "2", "3", "4", "5"], "y": ["1", "-1", "1", "-1", "1"]}')
    cert = tmp_path / "c.json"
    assert main(["min-width", str(data), "--arch", "two-layer", "-o", str(cert)]) == 0
    refutation = tmp_path / "c.refutation.json"
    assert main(["verify", str(cert)]) == 0
    assert main(["verify", str(refutation)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "s VERIFIED"
    text = refutation.read_text().replace('"width": 2', '"width": 3')
    refutation.write_text(text)
    assert main(["verify", str(refutation)]) != 0  # rejected (1) or unreadable as a width-3 proof (2)
