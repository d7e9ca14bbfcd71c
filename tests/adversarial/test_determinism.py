"""ftcexact search writes the same file for a given seed whatever the worker count, run after run."""

import pytest

from .helpers import check_records_file, cli


def _search(tmp_path, name, workers, refutations, arch="two-layer", budget="5"):
    out = tmp_path / name
    argv = ["search", "--N", "0-3", "--K", "2-5", "--budget", budget, "--seed", "11", "--arch", arch,
            "--refutations", refutations, "--workers", str(workers), "--no-progress", "-o", out]
    code, _, err, _ = cli(argv)
    assert code == 0, err
    return out.read_bytes()


@pytest.mark.parametrize("refutations, arch", [("all", "two-layer"), ("best", "two-layer"), ("none", "two-layer"),
                                               ("all", "three-layer")])
def test_search_output_does_not_depend_on_workers_or_run(tmp_path, refutations, arch):
    one = _search(tmp_path, "one.jsonl", 1, refutations, arch)
    again = _search(tmp_path, "again.jsonl", 1, refutations, arch)
    two = _search(tmp_path, "two.jsonl", 2, refutations, arch)
    assert one == again == two
    pairs = sum(1 for K in range(2, 6) for N in range(0, 4) if N <= K)
    assert one.count(b"\n") == pairs * 5
    assert check_records_file(tmp_path / "two.jsonl")[0] == 0


def test_resumed_search_equals_one_run(tmp_path):
    """A run stopped after a smaller budget and resumed with the full one writes the same records
    (--refutations best decides with the records already in the file)."""
    whole = _search(tmp_path, "whole.jsonl", 2, "best", budget="6")
    _search(tmp_path, "parts.jsonl", 1, "best", budget="2")
    parts = _search(tmp_path, "parts.jsonl", 2, "best", budget="6")
    assert sorted(whole.splitlines()) == sorted(parts.splitlines())


def test_width_zero_records_verify(tmp_path):
    """Records of width 0 (constant targets) carried a network without a hidden layer, which check-refutation
    refused ('needs a one-hidden-layer certificate'): the oracle now writes one hidden layer of width 0."""
    out = tmp_path / "z.jsonl"
    code, _, err, _ = cli(["search", "--N", "0", "--K", "1-4", "--budget", "2", "--workers", "1", "--no-progress",
                           "-o", out])
    assert code == 0, err
    assert b'"min_width": 0' in out.read_bytes()
    assert check_records_file(out)[0] == 0


@pytest.mark.parametrize("refutations", ["all", "best", "none"])
def test_markdown_table_with_any_refutations(tmp_path, refutations):
    """search --markdown --refutations none exited 3 (KeyError 'min_width': without refutations records
    state only width_upper); found by the hypothesis fuzzing."""
    code, out, err, _ = cli(["search", "--N", "1", "--K", "1-4", "--budget", "1", "--workers", "1", "--no-progress",
                             "--refutations", refutations, "--markdown", "-o", tmp_path / "m.jsonl"])
    assert code == 0, err
    assert out.count("\n| 1 |") == 4
