"""The row of [FTC] §7 / Figure 9: its verdict on the committed numbers, and what makes it change."""

import copy
import sys

import pytest

from ftcexact.proofcheck import CORRECTED, NOT_CHECKED, load_checks, run_checks

pytest.importorskip("sklearn")


def _module():
    load_checks()
    return sys.modules["ftcexact_proofs.ftc_section7"]


def test_the_row_holds_with_correction_and_names_its_rechecks(tmp_path):
    load_checks()
    [(st, verdict, _)] = run_checks(["ftc_sec_7_experiment"], "quick", str(tmp_path), progress=False)
    assert verdict.status == CORRECTED, verdict.evidence
    assert "coincide" in verdict.correction and "recomputed" in verdict.evidence
    assert any(c.startswith("ftcexact verify ") for c in verdict.commands())
    assert "ftcexact prove --only ftc_sec_7_experiment" in verdict.commands()
    assert all((tmp_path / a.split("/")[-1]).exists() for a in verdict.artefacts)


def test_a_linear_rate_claim_is_not_supported(monkeypatch):
    mod = _module()
    results = mod.load_results()
    monkeypatch.setitem(mod.CLAIMS, "rate_exponent", 1.0)
    monkeypatch.setitem(mod.CLAIMS, "alternatives", (0.0, 0.5))
    verdict = mod.decide(results, mod.summarize(results), [], ["no recheck"])
    assert verdict.status == NOT_CHECKED and "does not show" in verdict.evidence


def test_numbers_that_do_not_recheck_are_not_a_verdict():
    mod = _module()
    results = mod.load_results()
    verdict = mod.decide(results, mod.summarize(results), ["N = 100, m = 40: on the other side"], [])
    assert verdict.status == NOT_CHECKED and "did not re-check" in verdict.evidence
    other = copy.deepcopy(results)
    other["setup"]["threshold"] = 0.05
    assert mod.decide(other, mod.summarize(other), [], []).status == NOT_CHECKED


def test_refused_certificates_are_not_counted():
    """A construction the kernel refused is named as refused and never enters the exact side's numbers."""
    mod = _module()
    results = copy.deepcopy(mod.load_results())
    for row in results["rows"]:
        ex = row.get("exact", {})
        if row["N"] > 0 and "least" in ex:
            refused = ex["least"]["construction"]
            ex[refused]["verified"] = False
            ex[refused]["kernel"] = "ftcexact verify: malformed input: a test refusal"
            ok = [(e["neurons"], k) for k, e in ex.items() if k != "least" and e["verified"]]
            if ok:
                ex["least"] = dict(zip(("neurons", "construction"), min(ok)))
            else:
                del ex["least"]
    summary = mod.summarize(results)
    assert summary["refused"] and all(name != "least" for _, name, _ in summary["refused"])
    verdict = mod.decide(results, summary, [], ["no recheck"], artefacts=["a"], command="true")
    assert "a test refusal" in verdict.evidence and "not counted" in verdict.evidence


def test_a_loss_rising_with_m_is_not_supported():
    mod = _module()
    results = copy.deepcopy(mod.load_results())
    grid = results["m_grid"]
    for row in results["rows"]:  # the loss now rises by 0.05 at every grid step
        for c in row["cells"]:
            if c["m"] in grid:
                c["loss"] = 0.1 + 0.05 * grid.index(c["m"])
    verdict = mod.decide(results, mod.summarize(results), [], ["no recheck"])
    assert verdict.status == NOT_CHECKED and "decreasing" in verdict.evidence
