"""Progress lines: shown on a terminal (stderr a TTY), silent when piped; stdout is never touched."""

import io
import json
import sys

import pytest

from ftcexact.cli import progress
from ftcexact.cli.main import main


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def cert(tmp_path):
    data = tmp_path / "d.json"
    data.write_text(json.dumps({"x": [str(i) for i in range(30)], "y": ["1" if i % 5 == 0 else "0" for i in range(30)]}))
    out = tmp_path / "c.json"
    assert main(["certify", str(data), "-o", str(out)]) == 0
    return out


def test_quiet_when_piped(cert, capsys):
    assert not progress.enabled()
    assert isinstance(progress.bar(total=3), progress._Quiet)
    capsys.readouterr()
    assert main(["verify", str(cert)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out.splitlines()[-1] == "s VERIFIED"


def test_shown_on_a_terminal_and_stdout_unchanged(cert, capsys, monkeypatch):
    capsys.readouterr()
    assert main(["verify", str(cert)]) == 0
    plain = capsys.readouterr().out
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert progress.enabled() and not progress.enabled(no_progress=True)
    assert main(["verify", str(cert)]) == 0
    assert capsys.readouterr().out == plain  # the c-lines and the verdict, exactly as when piped
    assert "verify: " in terminal.getvalue()
    data = cert.parent / "d2.json"
    assert main(["generate", "--K", "40", "--N", "3", "-o", str(data)]) == 0
    assert main(["certify", str(data), "-o", str(cert.parent / "c2.json")]) == 0
    assert "certify: building two-layer" in terminal.getvalue()


def test_search_and_check_refutation_bars_on_a_terminal(tmp_path, monkeypatch, capsys):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    out = tmp_path / "r.jsonl"
    assert main(["search", "--N", "1", "--K", "4", "--budget", "3", "--workers", "1", "-o", str(out)]) == 0
    assert "search seed 0" in terminal.getvalue()
    assert main(["search", "--N", "1", "--K", "4", "--budget", "4", "--workers", "1", "-o", str(out),
                 "--no-progress"]) == 0
    before = terminal.getvalue()
    assert main(["check-refutation", str(out)]) == 0
    assert "records" in terminal.getvalue()[len(before):]
    assert capsys.readouterr().out.splitlines()[-1] == "s VERIFIED"


def test_stages_stop_their_clock(monkeypatch):
    import threading
    monkeypatch.setattr(sys, "stderr", Terminal())
    before = threading.active_count()
    with progress.Stages("x") as s:
        s.stage("working")
        assert threading.active_count() == before + 1
    assert threading.active_count() == before
