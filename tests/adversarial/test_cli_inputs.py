"""Command line against hostile input: one line on stderr and exit 2, never exit 3, never a traceback."""

import json
import shutil
from pathlib import Path

import pytest

from .helpers import assert_refused, cli

REDTEAM = Path(__file__).parent / "redteam"


@pytest.mark.parametrize("name", ["C10a_plot_latin1.json", "C10b_plot_network_only.json"])
def test_plot_red_team_files(tmp_path, name):
    """Exit 3 before the fix: a Latin-1 file (UnicodeDecodeError), {"network": []} (KeyError 'dataset')."""
    shutil.copy(REDTEAM / "crash" / name, tmp_path / name)
    code, _, err, _ = assert_refused(cli(["plot", tmp_path / name, "-o", tmp_path / "x.png"]), codes=(2,))
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("content", [
    '{"network": [], "dataset": []}', '{"network": [{"W": 1}], "dataset": {"x": ["1"], "y": ["1"]}}',
    '{"kind": "lower-bound", "dataset": {"x": ["1"], "y": ["1"]}, "witness": []}',
    '{"kind": "lower-bound"}', '{"network": [{"W": [["1"]], "b": ["0"]}], "dataset": {"x": ["1"], "y": ["1"]},'
    ' "hints": [1]}', '{"network": [{"W": [["1"]], "b": ["0"]}], "dataset": {"x": ["1"], "y": ["1"]},'
    ' "hints": {"kept": ["x"]}}', '{"network": [{"W": [["1"]], "b": ["0"]}], "dataset": {"x": ["' + "9" * 400 +
    '"], "y": ["1"]}}', "[]", "1", '"x"', "\xff",
])
def test_plot_malformed_inputs(tmp_path, content):
    path = tmp_path / "in.json"
    path.write_bytes(content.encode("latin-1") if content == "\xff" else content.encode())
    assert_refused(cli(["plot", path, "-o", tmp_path / "x.png"]), codes=(2,))
