"""proofs/ysj_resnet.py: the ResNet theorem and the leaky rows give verdicts; wrong claims FAIL."""

import sys

import pytest

from ftcexact.proofcheck import CORRECTED, FAILS, HOLDS, load_checks, run_checks

IDS = ["ysj_resnet_thm", "ysj_thm_3_1_leaky", "ysj_prop_3_2_leaky"]


def _module():
    load_checks()
    return sys.modules["ftcexact_proofs.ysj_resnet"]


def test_rows_hold(tmp_path):
    _module()
    results = {st.id: v for st, v, _ in run_checks(IDS, "quick", str(tmp_path), progress=False)}
    assert results["ysj_resnet_thm"].status == HOLDS, results["ysj_resnet_thm"].evidence
    assert "126" in results["ysj_resnet_thm"].evidence and "50 010" in results["ysj_resnet_thm"].evidence
    assert results["ysj_thm_3_1_leaky"].status == CORRECTED
    assert results["ysj_prop_3_2_leaky"].status == HOLDS


@pytest.mark.parametrize("key, wrong, sid", [
    ("cifar_nodes", 125, "ysj_resnet_thm"),
    ("hardt_ma_nodes", 50_000, "ysj_resnet_thm"),
    ("resnet_head_nodes", lambda dy: dy, "ysj_resnet_thm"),
    ("hard_tanh_pair", lambda sm, sp, t: 2 * sm if t <= -1 else (2 * sp if t >= 1 else (sp - sm) * t + 2 * sp),
     "ysj_thm_3_1_leaky"),
    ("hard_tanh_pair", lambda sm, sp, t: 2 * sp if t <= -1 else (2 * sm if t >= 1 else (sp - sm) * t + sp + sm),
     "ysj_prop_3_2_leaky"),
])
def test_a_deliberately_wrong_claim_fails(tmp_path, monkeypatch, key, wrong, sid):
    monkeypatch.setitem(_module().CLAIMS, key, wrong)
    [(st, verdict, _)] = run_checks([sid], "quick", str(tmp_path), progress=False)
    assert verdict.status == FAILS, verdict.evidence
    assert verdict.artefacts and all((tmp_path / p.split("/")[-1]).exists() for p in verdict.artefacts)
