"""The proof-check suite: every statement gets a verdict, evidence re-checks, wrong claims FAIL."""

import shlex
import sys

import pytest

from ftcexact.cli.main import main
from ftcexact.proofcheck import CORRECTED, FAILS, NOT_CHECKED, REGISTRY, load_checks, run_checks

REQUIRED = ["ftc_remark_1", "ftc_thm_4_1_upper", "ftc_thm_4_1_lower", "ftc_cor_4_2", "ftc_remark_2", "ftc_thm_4_4",
            "ftc_remark_3", "ftc_remark_4", "ftc_lemma_4_5", "ftc_lemma_4_6", "ftc_lemma_4_7", "ftc_sec_4_1_family",
            "ftc_sec_4_1_example", "ftc_thm_5_1_lower", "ftc_remark_5", "ftc_cor_5_2", "ftc_def_3_1_3_3",
            "ftc_thm_5_1_upper", "ftc_u1", "ftc_u2", "ftc_u3", "ftc_app_a", "ftc_prop_6_1", "ysj_thm_3_1",
            "ysj_prop_3_2", "ysj_thm_3_3", "ftc_sec_5_1_max", "ftc_eq_9", "ftc_def_4_3"]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("prove")
    report = tmp / "report.md"
    code = main(["prove", "--quick", "--no-progress", "--report", str(report), "--artefacts", str(tmp / "art"),
                 "--json", str(tmp / "verdicts.json")])
    return code, report.read_text(), tmp


def test_quick_run_gives_every_statement_a_verdict(quick_run):
    code, report, _ = quick_run
    assert code == 0
    for sid in REQUIRED + list(REGISTRY):
        assert f"| {sid} |" in report, sid
    assert "the check raised" not in report
    assert "## Tightness: two-layer networks" in report


def test_fails_and_corrections_name_artefacts_whose_commands_recheck(quick_run, capsys):
    load_checks()
    results = run_checks(mode="quick", artefacts_dir=str(quick_run[2] / "again"), progress=False)
    flagged = [(st, v) for st, v, _ in results if v.status in (FAILS, CORRECTED)]
    assert flagged
    for st, v in flagged:
        for path in v.artefacts:
            assert (quick_run[2] / "again").exists()
        for command in v.command.split(" && "):
            argv = shlex.split(command)
            assert argv[0] == "ftcexact", command
            if argv[1] == "prove":  # keep the re-run's report and artefacts out of the repository
                argv += ["--no-progress", "--report", str(quick_run[2] / "re.md"), "--artefacts",
                         str(quick_run[2] / "re")]
            assert main(argv[1:]) == 0, (st.id, command)


def _module(name):
    load_checks()
    return sys.modules[f"ftcexact_proofs.{name}"]


@pytest.mark.parametrize("module, key, wrong, sid", [
    ("ftc_section4", "lemma_4_7", lambda K, N: max(K - 3 * N - 1, 0), "ftc_lemma_4_7"),
    ("ftc_section4", "lemma_4_6", lambda K, I: min(len(I), K - len(I)), "ftc_lemma_4_6"),
    ("ftc_section4", "cor_4_2", lambda m, K: ((m - 1) // 3 + 1, m // 3 + 1) if K >= m + 2 else (K, K), "ftc_cor_4_2"),
    ("ftc_section4", "remark_3", lambda N: N, "ftc_remark_3"),
    ("ftc_section5", "sec_5_1_max", lambda m: (m * m + m) // 2 - 1, "ftc_sec_5_1_max"),
    ("open_three_layer_widths", "least", {("ftc", 3, 4): 3, ("ysj", 4, 4): 4}, "open_three_layer_widths"),
])
def test_a_deliberately_wrong_claim_fails(tmp_path, monkeypatch, module, key, wrong, sid):
    mod = _module(module)
    monkeypatch.setitem(mod.CLAIMS, key, wrong)
    [(st, verdict, _)] = run_checks([sid], "quick", str(tmp_path), progress=False)
    assert verdict.status == FAILS, verdict.evidence
    assert verdict.artefacts and all((tmp_path / p.split("/")[-1]).exists() for p in verdict.artefacts)


def test_unknown_id_is_an_input_error(capsys):
    assert main(["prove", "--only", "no_such_statement"]) == 2
    assert "unknown statement" in capsys.readouterr().err


def test_not_checked_is_allowed_but_explained(quick_run):
    for line in quick_run[1].splitlines():
        if f"**{NOT_CHECKED}**" in line:
            assert line.split("|")[5].strip(), line
