"""docs/tutorial.md and README.md's Python section run as doctests: every output they show is checked."""

import doctest
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_doctests(path, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the pages' tempfile.mkdtemp() land in tmp_path
    result = doctest.testfile(str(path), module_relative=False, verbose=False,
                              report=True)
    return result


@pytest.mark.parametrize("page, least", [("docs/tutorial.md", 30), ("README.md", 4)])
def test_page_runs_and_shows_what_it_prints(page, least, tmp_path, monkeypatch):
    pytest.importorskip("onnx")
    result = run_doctests(ROOT / page, tmp_path, monkeypatch)
    assert result.attempted >= least, f"{page}: only {result.attempted} examples found"
    assert result.failed == 0, f"{page}: {result.failed} of {result.attempted} examples failed (see above)"


def test_the_tutorial_draws_its_figures(tmp_path, monkeypatch):
    pytest.importorskip("onnx")
    run_doctests(ROOT / "docs/tutorial.md", tmp_path, monkeypatch)
    pictures = sorted(p.name for p in tmp_path.rglob("*.png"))
    assert pictures == ["figure5.png", "g.png"]
    assert all(p.stat().st_size > 10_000 for p in tmp_path.rglob("*.png"))


def test_a_wrong_output_fails(tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    page.write_text("```python\n>>> 1 + 1\n3\n\n```\n")
    result = run_doctests(page, tmp_path, monkeypatch)
    assert (result.attempted, result.failed) == (1, 1)
