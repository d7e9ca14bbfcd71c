"""The check open_two_layer_capacity: HOLDS as stated, FAILS for a wrong formula, its commands re-check."""

import shlex
import sys

import pytest

from ftcexact.cli.main import main
from ftcexact.proofcheck import FAILS, HOLDS, load_checks, run_checks


def _module():
    load_checks()
    return sys.modules["ftcexact_proofs.open_two_layer"]


def test_holds_and_its_command_rechecks(tmp_path):
    _module()
    [(st, verdict, _)] = run_checks(["open_two_layer_capacity"], "quick", str(tmp_path), progress=False)
    assert verdict.status == HOLDS, verdict.evidence
    assert len(verdict.artefacts) == 7  # the K = 9 certificate and six refutations (K = 3, N = 1..3; K = 4, N = 2..4)
    for command in verdict.command.split(" && "):
        argv = shlex.split(command)
        assert argv[0] == "ftcexact" and main(argv[1:]) == 0, command


@pytest.mark.parametrize("wrong", [
    lambda N, K: min(3 * N, K - 2) - (K >= 5),                                  # one below the truth for K >= 5
    lambda N, K: min(3 * N, K - 2) if K >= 5 or K >= 2 * N + 2 else K - 2,    # K = 3, 4 at the lower bound
])
def test_a_wrong_formula_fails_with_a_rechecked_artefact(tmp_path, monkeypatch, wrong):
    monkeypatch.setitem(_module().CLAIMS, "m_star", wrong)
    [(st, verdict, _)] = run_checks(["open_two_layer_capacity"], "quick", str(tmp_path), progress=False)
    assert verdict.status == FAILS, verdict.evidence
    assert verdict.artefacts
    for command in verdict.command.split(" && "):
        assert main(shlex.split(command)[1:]) == 0, command


def test_a_formula_above_the_evidence_is_not_supported(tmp_path, monkeypatch):
    """K - 1 for every K (Theorem 4.1's upper bound) is not what the certified lower bounds show."""
    monkeypatch.setitem(_module().CLAIMS, "m_star", lambda N, K: min(3 * N + 1, K - 1))
    [(st, verdict, _)] = run_checks(["open_two_layer_capacity"], "quick", str(tmp_path), progress=False)
    assert verdict.status not in (HOLDS, FAILS) and "below the claim" in verdict.evidence
