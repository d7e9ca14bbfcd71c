"""The proof check ``open_three_layer_pieces``: HOLDS as stated, FAILS for a claimed maximum that is too small."""

import shlex
import sys

import pytest

from ftcexact.cli.main import main
from ftcexact.proofcheck import FAILS, HOLDS, NOT_CHECKED, load_checks, run_checks


def _module():
    load_checks()
    return sys.modules["ftcexact_proofs.open_three_layer_pieces"]


def test_holds_and_writes_the_certificates(tmp_path):
    _module()
    [(st, verdict, _)] = run_checks(["open_three_layer_pieces"], "quick", str(tmp_path), progress=False)
    assert verdict.status == HOLDS, verdict.evidence
    assert len(list((tmp_path / "pieces").glob("three_layer_d1_*_d2_*.json"))) == 64


@pytest.mark.parametrize("wrong, status", [
    (lambda d1, d2: d1 * d2 + d1 + 1 if d1 and d2 else 1, FAILS),  # the hill climb's guess: (3, 2) has 12 > 10
    (lambda d1, d2: (d1 + 1) * (d2 + 1) if d1 and d2 else 1, NOT_CHECKED),  # the product count is not attained
])
def test_a_wrong_maximum_is_caught(tmp_path, monkeypatch, wrong, status):
    monkeypatch.setitem(_module().CLAIMS, "maximum", wrong)
    [(st, verdict, _)] = run_checks(["open_three_layer_pieces"], "quick", str(tmp_path), progress=False)
    assert verdict.status == status, verdict.evidence
    if status == FAILS:
        assert verdict.artefacts and (tmp_path / verdict.artefacts[0].split("/")[-1]).exists()
        argv = shlex.split(verdict.command)
        assert argv[:2] == ["ftcexact", "pieces"] and main(argv[1:]) == 0


def test_a_wrong_lemma_value_is_caught(tmp_path, monkeypatch):
    monkeypatch.setitem(_module().CLAIMS, "crossings", lambda u: u)  # the hand check's "at most d1"
    [(st, verdict, _)] = run_checks(["open_three_layer_pieces"], "quick", str(tmp_path), progress=False)
    assert verdict.status == NOT_CHECKED and "Lemma 2" in verdict.evidence
