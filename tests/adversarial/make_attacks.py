"""The red-team attacks (/work/shared/red-team, certificate format v1) re-created in format v2.

Format v1 is now refused as malformed, which makes many v1 attack files pass trivially; these are the same
attacks built with the current producers, so each one reaches the check it was aimed at.  Each attack is a
dict: ``name``, ``files`` (relative path -> bytes), ``argv`` (an ftcexact command run in that folder),
``expect`` (the allowed exit codes), and ``fifo`` (names of FIFOs to create first).  An attack whose claim is
true (the evidence the red team gave, e.g. the 5-neuron counterexample) expects 0.

Run ``python tests/adversarial/make_attacks.py OUTDIR`` to write them out (one folder per attack).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import sys


def _dump(obj):
    return json.dumps(obj).encode()


def _sha(data):
    return hashlib.sha256(data).hexdigest()


ALT4 = {"x": [["1"], ["2"], ["3"], ["4"]], "y": ["1", "-1", "1", "-1"]}
ALT9 = {"x": [[str(i)] for i in range(1, 10)], "y": [str((-1) ** (i + 1)) for i in range(1, 10)]}
TINY = {"x": ["0", "1", "2", "3"], "y": ["1", "5/2", "1", "0"], "f": ["1", "1", "1", "0"]}


def _record(dataset, cert, N, K, arch="two-layer", **fields):
    from ftcexact.search.adversarial import GENERATOR, RECORD_FORMAT
    rec = {"format": RECORD_FORMAT, "generator": GENERATOR, "N": N, "K": K, "seed": 777, "index": 0, "arch": arch,
           "description": "forged", "dataset": dataset, "certificate": cert}
    rec.update(fields)
    return rec


def _jsonl(*records):
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def attacks():
    """Every attack, built now (needs ftcexact)."""
    from ftcexact.analysis.lower_bounds import lower_bound_certificate
    from ftcexact.certificate import make_certificate
    from ftcexact.constructions import certify
    from ftcexact.dataset import dataset_from_json
    from ftcexact.search.adversarial import evaluate
    from ftcexact.search.oracle import min_width, refutation
    out = []

    def add(name, files, argv, expect, fifo=()):
        out.append({"name": name, "files": files, "argv": argv, "expect": set(expect), "fifo": list(fifo)})

    def verify(name, doc, expect, extra=None, fifo=()):
        files = {"main.json": doc if isinstance(doc, bytes) else _dump(doc)}
        files.update(extra or {})
        add(name, files, ["verify", "main.json"], expect, fifo)

    def records(name, data, expect, extra=None):
        files = {"main.jsonl": data}
        files.update(extra or {})
        add(name, files, ["check-refutation", "main.jsonl"], expect)

    tiny = json.loads(json.dumps(certify(dataset_from_json(TINY), "two-layer")))

    # ---- forged search records (F1-F5, G*)
    legit3 = evaluate(2, 8, 1, 0, arch="three-layer")
    ft = certify(dataset_from_json(legit3["dataset"]), "two-layer")
    records("F1-three-layer-record-with-fine-tuning-certificate",
            _jsonl(dict(legit3, lower_bound=50, min_pieces=100, certificate=ft)), {1})
    records("F1b-three-layer-record-with-fine-tuning-certificate-honest-numbers",
            _jsonl(dict(legit3, certificate=ft)), {1})
    lb2 = lower_bound_certificate(dataset_from_json(ALT9), "two-layer")
    f2 = _record(lb2["dataset"], lb2, 9, 9, "three-layer", min_pieces=lb2["claim"]["min_pieces"],
                 lower_bound=lb2["claim"]["bound"], paper_lower=4, max_min_pieces=8)
    records("F2-nine-alternating-points-need-7-by-a-two-layer-bound", _jsonl(f2), {1})
    relabelled = copy.deepcopy(lb2)
    relabelled["claim"]["architecture"] = "three-layer"
    records("F2b-the-same-bound-relabelled-three-layer", _jsonl(dict(f2, certificate=relabelled)), {1})
    verify("F2c-lower-bound-relabelled-three-layer", relabelled, {1})
    # the red team's evidence that F2's claim is false: a three-layer network with widths [2, 3] fits
    fold = {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
            "claim": {"construction": "hand-made fold", "N": 9, "K": 9, "d": 1, "neurons": 5},
            "dataset": ALT9, "network": [{"W": [["1"], ["-1"]], "b": ["-5", "5"]},
                                         {"W": [["1", "1"], ["1", "1"], ["-1", "-1"]], "b": ["-1/2", "-11/5", "19/6"]},
                                         {"W": [["8", "-5", "6"]], "b": ["-18"]}]}
    verify("F2-evidence-five-neurons-fit-nine-alternating-points", fold, {0})
    step = {"x": [["1"], ["2"], ["3"], ["4"]], "y": ["0", "0", "1", "0"]}
    c3 = certify(dataset_from_json(step), "two-layer")
    records("F3-min-width-3-without-refutation",
            _jsonl(_record(c3["dataset"], c3, 1, 4, min_width=3, paper_lower=2, paper_upper=3, refutation=None)), {1})
    true_m = min_width(dataset_from_json(step))["min_width"]
    records("F3b-min-width-3-with-the-refutation-of-the-true-width",
            _jsonl(_record(c3["dataset"], c3, 1, 4, min_width=3, paper_lower=2, paper_upper=3,
                           refutation=refutation(dataset_from_json(step), true_m - 1, dataset_json=c3["dataset"]))),
            {1})
    legit = evaluate(2, 4, 1, 0)
    records("F4-record-labelled-N1-whose-data-has-N2", _jsonl(dict(legit, N=1, seed=778)), {1})
    records("F4b-the-honest-record", _jsonl(legit), {0})
    lb = lower_bound_certificate(dataset_from_json(ALT4), "two-layer")
    records("F5-exact-min-width-backed-by-a-lower-bound-certificate",
            _jsonl(_record(lb["dataset"], lb, 4, 4, min_width=lb["claim"]["bound"], paper_lower=2, paper_upper=3,
                           refutation=refutation(dataset_from_json(ALT4), lb["claim"]["bound"] - 1,
                                                 dataset_json=lb["dataset"]))), {1})
    good = _jsonl(legit)
    records("G-corrupt-line-truncated", good[:-40], {1})
    records("G-corrupt-line-non-object", good + b"[1, 2]\n", {1})
    records("G-corrupt-line-blank", good + b"\n", {1})
    records("G-corrupt-line-binary", good + b"\xff\xfe\x00\n", {1})
    records("G-empty-file", b"", {1})
    records("G-no-final-newline", good[:-1], {1})

    # ---- malformed records (C8)
    rec = json.loads(good)
    records("C8a-jsonl-non-object", b"[1, 2]\n", {1})
    records("C8b-jsonl-bad-width", _jsonl(dict(rec, min_width="three")), {1})
    records("C8b2-jsonl-width-superscript", _jsonl(dict(rec, min_width="\u00b2")), {1})
    records("C8b3-jsonl-width-5000-digits", _jsonl(dict(rec, min_width="9" * 5000)), {1})
    records("C8c-jsonl-refutation-list", _jsonl(dict(rec, refutation=[rec["refutation"]])), {1})
    records("C8d-jsonl-certificate-string", _jsonl(dict(rec, certificate="cert.json")), {1})

    # ---- repeated keys (D1-D5)
    one_relu = {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
                "claim": {"construction": "forged", "N": 4, "K": 4, "d": 1, "neurons": 1}, "dataset": ALT4,
                "network": [{"W": [["1"]], "b": ["0"]}, {"W": [["1"]], "b": ["0"]}]}
    ref2 = refutation(dataset_from_json(ALT4), 2, dataset_json=ALT4)
    true3 = json.loads(json.dumps(make_certificate(dataset_from_json(ALT4), min_width(dataset_from_json(ALT4))["network"],
                                                   construction="min-width-oracle")))
    text = json.dumps(one_relu)[:-1] + ", " + json.dumps({"claim": true3["claim"], "network": true3["network"]})[1:]
    verify("D1-duplicate-claim-and-network", text.encode(), {2})
    text = json.dumps(one_relu)[:-1] + ", " + json.dumps({k: v for k, v in ref2.items() if k != "dataset"})[1:]
    verify("D2-false-certificate-then-true-refutation", text.encode(), {2})
    add("D2b-the-same-through-check-refutation", {"main.json": text.encode()},
        ["check-refutation", "main.json"], {2})
    text = json.dumps({k: v for k, v in ref2.items()})[:-1] + ', "format": "ftcexact-certificate"}'
    verify("D2c-true-refutation-then-certificate-format", text.encode(), {2})
    late = {"dataset": ALT4, "padding": "x" * 5000}
    late.update({k: v for k, v in ref2.items() if k != "dataset"})
    verify("D4-true-refutation-format-key-late", late, {0})
    escaped = json.dumps(ref2).replace('"ftcexact-refutation"', '"ftcexact\\u002drefutation"')
    verify("D5-true-refutation-escaped-format", escaped.encode(), {0})
    verify("D3-certificate-statement-naming-the-refutation-format",
           dict(true3, claim=dict(true3["claim"], statement="ftcexact-refutation")), {1})

    # ---- crashes (C1-C7) in v2
    verify("C1-kind-list", dict(tiny, kind=[]), {2})
    verify("C1b-kind-object", dict(tiny, kind={"fine-tuning": 1}), {2})
    verify("C1c-format-list", dict(tiny, format=["ftcexact-certificate"]), {2})
    for where in ("y", "f"):
        bad = copy.deepcopy(tiny)
        bad["dataset"][where][0] = "0,0"
        verify(f"C2-comma-in-number-{where}", bad, {2})
    bad = copy.deepcopy(tiny)
    bad["network"][1]["W"][0][0] = "0,0"
    verify("C2-comma-in-number-weight", bad, {2})
    for label, value, expect in (("C3-plus-5000-digit-zero", "+" + "0" * 5000, {0}),
                                 ("C4-5000-digit-zero-canonical", "0" * 5000, {0}),
                                 ("C4b-5000-digit-zero-over-one", "0" * 5000 + "/" + "0" * 4999 + "1", {0}),
                                 ("C5-reject-message-huge-value", "1" + "0" * 5000, {1}),
                                 ("C5b-huge-value-non-canonical", "+0001" + "0" * 5000, {1}),
                                 ("C5c-huge-fraction", "1" + "0" * 5000 + "/3", {1})):
        bad = copy.deepcopy(tiny)
        bad["dataset"]["y"][0], bad["dataset"]["f"][0] = value, "0"
        if expect == {0}:  # y_1 - f_1 = 0 still: the certificate is true
            bad["dataset"]["y"][0], bad["dataset"]["f"][0] = "1", "1"
            bad["dataset"]["y"][3] = value  # y_4 = 0 written with 5000 digits
        verify(label, bad, expect)
    ref_doc = json.loads(json.dumps(ref2))
    move = next(m for st in ref_doc["oriented"]["stages"] for p in st for m in p["moves"].values() if "to" in m)
    move["to"] = "\u00b2"
    verify("C6-refutation-superscript-index", ref_doc, {2})
    zero_dim = json.loads(json.dumps(ref2))
    zero_dim["dataset"]["x"] = [[], [], [], []]
    verify("C7-refutation-zero-dimensional-x", zero_dim, {2})
    zero_dim = copy.deepcopy(tiny)
    zero_dim["dataset"]["x"] = [[], [], [], []]
    verify("C7b-certificate-zero-dimensional-x", zero_dim, {2})

    # ---- resources
    for name, bound, expect in (("huge", "999999999999999999", {1}), ("3e7-literal", None, {2}),
                                ("30000000", "30000000", {1}), ("K-plus-1", None, {1})):
        lb3 = json.loads(json.dumps(lower_bound_certificate(dataset_from_json(legit3["dataset"]), "three-layer")))
        if name == "K-plus-1":
            lb3["claim"]["bound"] = str(int(lb3["claim"]["K"]) + 1)
        if bound:
            lb3["claim"]["bound"] = bound
        text = json.dumps(lb3)
        if name == "3e7-literal":
            text = text.replace(f'"bound": {json.dumps(lb3["claim"]["bound"])}', '"bound": 3e7')
        verify(f"R-three-layer-lower-bound-{name}", text.encode(), expect)
    for target in ("/dev/zero", "/dev/null", "/dev/stdin", "fifo", ".", "missing.json", "link-to-zero",
                   "a\u0000b", "\udc00"):
        bad = copy.deepcopy(tiny)
        bad["dataset"] = {"path": target, "sha256": "0" * 64}
        name = re.sub(r"[^A-Za-z0-9.-]", "_", target.strip("/").replace("/", "-")) or "dir"
        # /dev/stdin is whatever the test runner gives as standard input: never read as data, or a hash mismatch
        verify(f"R-dataset-reference-{name}", bad, {1, 2} if target == "/dev/stdin" else {2},
               fifo=["fifo"] if target == "fifo" else [])
    bad = copy.deepcopy(tiny)
    del bad["dataset"]["f"]
    bad["frozen"] = {"path": "fifo", "sha256": "0" * 64}
    verify("R-frozen-reference-fifo", bad, {2}, fifo=["fifo"])
    big = "9" * 1000
    chain = [{"W": [[big]], "b": ["0"]}] * 999 + [{"W": [["1"]], "b": ["0"]}]
    verify("R-1000-width-one-layers-of-1000-digit-weights", {
        "format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
        "claim": {"N": 1, "K": 1, "d": 1, "neurons": 999}, "dataset": {"x": ["1"], "y": ["1"]}, "network": chain}, {2})
    chain = [{"W": [[big]], "b": ["0"]}] * 255 + [{"W": [["1"]], "b": ["0"]}]
    verify("R-255-width-one-layers-of-1000-digit-weights-at-the-depth-cap", {
        "format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
        "claim": {"N": 1, "K": 1, "d": 1, "neurons": 255}, "dataset": {"x": ["1"], "y": ["1"]}, "network": chain}, {1})
    exp_rows = json.loads(json.dumps(ref2))
    exp_rows["oriented"]["stages"][1][0]["rows"][0][1] = "1e99999"
    verify("R-refutation-row-1e99999", exp_rows, {2})
    weights = copy.deepcopy(tiny)
    weights["network"][0]["W"] = [["1e99999"]] * 3
    verify("R-weights-1e99999", weights, {2})
    return out


def write_attack(attack, folder):
    """Write one attack's files (and FIFOs, and the symlink to /dev/zero) into ``folder``."""
    os.makedirs(folder, exist_ok=True)
    for rel, data in attack["files"].items():
        with open(os.path.join(folder, rel), "wb") as fh:
            fh.write(data)
    for name in attack["fifo"]:
        os.mkfifo(os.path.join(folder, name))
    if "link-to-zero" in attack["name"]:
        os.symlink("/dev/zero", os.path.join(folder, "link-to-zero"))


if __name__ == "__main__":
    root = sys.argv[1] if len(sys.argv) > 1 else "attacks"
    for a in attacks():
        write_attack(a, os.path.join(root, a["name"]))
        print(a["name"], " ".join(a["argv"]), "expect", sorted(a["expect"]))
