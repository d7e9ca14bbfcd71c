"""Every printed statement of proofs/statements.json is decided by a row of the report, or explicitly pending."""

import copy
from pathlib import Path

from ftcexact.proofcheck import REGISTRY, coverage, load_checks, load_printed, short_source

PROOFS = Path(__file__).resolve().parents[2] / "proofs"


def _entries():
    load_checks()
    return load_printed(PROOFS)


def test_every_entry_is_a_row_or_covered_or_pending():
    entries = _entries()
    assert len(entries) >= 65
    by_entry, by_row = coverage(entries)
    missing = {e: info for e, (kind, info) in by_entry.items() if kind == "missing"}
    assert not missing
    for eid, (kind, info) in by_entry.items():
        if kind == "pending":  # allowed only while the module that will decide it is absent
            assert not (PROOFS / Path(entries[eid]["pending"]["module"]).name).exists(), eid
        else:
            assert all(r in REGISTRY for r in info), eid
    for eid, entry in entries.items():  # an entry with a row of its own name is decided by that row
        if eid in REGISTRY:
            assert by_entry[eid] == ("row", [eid]), eid
            assert by_row[eid][0] == eid


def test_a_dropped_mapping_is_detected():
    entries = copy.deepcopy(_entries())
    entries["ftc_cor_4_2"]["report_id"] = None
    entries["ftc_app_a_layer2"]["report_id"] = "no_such_row"
    by_entry, _ = coverage(entries)
    assert by_entry["ftc_cor_4_2"][0] == "missing" and by_entry["ftc_app_a_layer2"][0] == "missing"


def test_a_pending_module_is_picked_up_when_its_rows_exist():
    from ftcexact.proofcheck import Statement
    entries = copy.deepcopy(_entries())
    entries["ysj_resnet_thm"]["report_id"] = None
    entries["ysj_resnet_thm"]["pending"] = {"module": "proofs/ysj_resnet.py", "prefix": "ysj_resnet"}
    registry = {k: v for k, v in REGISTRY.items() if not k.startswith("ysj_resnet")}
    registry["ysj_resnet_sufficiency"] = Statement("ysj_resnet_sufficiency", "Yun et al. 2019", "claim", None,
                                                   "ftcexact_proofs.ysj_resnet")
    registry["ysj_thm_3_1_leaky"] = Statement("ysj_thm_3_1_leaky", "Yun et al. 2019", "claim", None,
                                              "ftcexact_proofs.ysj_resnet")
    by_entry, by_row = coverage(entries, registry)
    assert by_entry["ysj_resnet_thm"] == ("row", ["ysj_resnet_sufficiency"])  # the prefix keeps the leaky row out
    assert by_row["ysj_thm_3_1_leaky"] == []


def test_sources_are_named_as_printed():
    entries = _entries()
    assert short_source(entries["ftc_def_1_1"]) == "[FTC] PDF p. 2 (PMLR p. 3265)"
    assert short_source(entries["ysj_sgd_thm"]).startswith("[YSJ] seed slides 002")
    assert "describing [YSJ]" in short_source(entries["ysj_lemma_b_1"])
