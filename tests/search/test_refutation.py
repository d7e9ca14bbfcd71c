"""Refutations: produced for every width below the minimum, checked independently, tampering rejected."""

import copy
import io
import json
import subprocess
import sys

import pytest

from ftcexact.kernel import refutation as checker
from ftcexact.kernel import verify
from ftcexact.kernel.numbers import Q
from ftcexact.search.oracle import min_width, refutation

from .cases import line, random_cases, structured


def check(obj, tmp_path, name="r.json"):
    path = tmp_path / name
    path.write_text(json.dumps(obj))
    out, err = io.StringIO(), io.StringIO()
    code = verify.run(str(path), out=out, err=err, expect=checker.FORMAT)
    return code, out.getvalue(), err.getvalue()


def test_refutations_verify_below_the_minimum(tmp_path):
    cases = structured() + random_cases(5, 100, 7)
    checked = 0
    for ds in cases:
        m = min_width(ds)["min_width"]
        for w in range(m):
            code, out, err = check(refutation(ds, w), tmp_path)
            assert code == 0 and out.splitlines()[-1] == "s VERIFIED", out + err
            checked += 1
    assert checked >= 300


def test_cannot_refute_a_feasible_width():
    ds = line([1, -1, 1, -1])
    with pytest.raises(ValueError, match="feasible"):
        refutation(ds, 3)


ORIENTED = line([1, -1, 1, -1])           # min width 3 = n + 1: the oriented walk is needed at width 2
SLOPE = line([1, -1, 1, -1, 1])          # min width 3 = n: the slope lemma suffices at width 2


def first_move(obj, section, kind):
    """(polygon dict, move name) of the first move of the given kind ('empty' or 'to')."""
    stages = obj["oriented"]["stages"] if section == "oriented" else obj["lemmas"][0]["stages"]
    for st in stages:
        for P in st:
            for name, mv in P["moves"].items():
                if kind in mv and any(v != "0" for v in (mv["empty"] if kind == "empty" else mv["proofs"][0])):
                    return P, name
    raise AssertionError("no such move")


def tampered(obj):
    """Named mutations of a refutation, each of which must be rejected."""
    out = {}
    for section in ("oriented", "lemma"):
        if section == "oriented" and "oriented" not in obj:
            continue
        for kind in ("empty", "to"):
            t = copy.deepcopy(obj)
            P, name = first_move(t, section, kind)
            lam = P["moves"][name]["empty"] if kind == "empty" else P["moves"][name]["proofs"][0]
            j = next(i for i, v in enumerate(lam) if v != "0")
            lam[j] = str(Q(lam[j]) + 1)
            out[f"{section} {kind} multiplier"] = t
            t = copy.deepcopy(obj)
            P, name = first_move(t, section, kind)
            del P["moves"][name]
            out[f"{section} dropped case ({kind})"] = t
    # data changes that make the claim false (a change that keeps it true may well still verify)
    t = copy.deepcopy(obj)
    t["dataset"]["y"] = t["dataset"].get("f") or ["0"] * len(t["dataset"]["y"])
    out["changed targets: nothing to fit"] = t
    t = copy.deepcopy(obj)
    t["dataset"]["y"][1] = str(2 * Q(t["dataset"]["y"][0]) - Q(t["dataset"]["y"][2]))  # 1, 2, 3 collinear
    out["changed target"] = t
    t = copy.deepcopy(obj)
    t["claim"]["width"] = obj["claim"]["width"] + 1
    out["changed width"] = t
    t = copy.deepcopy(obj)
    t["lemmas"] = t["lemmas"][1:]
    out["dropped lemma"] = t
    t = copy.deepcopy(obj)
    t["lemmas"][-1]["needs"] += 1
    out["stronger lemma"] = t
    if "oriented" in obj:
        t = copy.deepcopy(obj)
        t["oriented"]["final"][0][0] = str(Q(t["oriented"]["final"][0][0]) + 1)
        out["final multiplier"] = t
        t = copy.deepcopy(obj)
        last = t["oriented"]["stages"][-1]
        last[0]["k"] -= 1
        out["final k"] = t
        t = copy.deepcopy(obj)
        for P in t["oriented"]["stages"][1]:
            P["rows"] = P["rows"][1:]  # claim smaller sets... every image must still fit: it cannot
            break
        out["stage polygon changed"] = t
    t = copy.deepcopy(obj)
    t["points"] = list(range(1, len(obj["dataset"]["x"])))
    out["fewer points"] = t
    return out


@pytest.mark.parametrize("ds", [ORIENTED, SLOPE, line([0, 0, 1, 0, 0, -1, 0, 0, 2], f=[1] * 9)],
                         ids=["oriented", "slope", "paper"])
def test_tampering_is_rejected(ds, tmp_path):
    m = min_width(ds)["min_width"]
    obj = refutation(ds, m - 1)
    assert check(obj, tmp_path)[0] == 0
    assert ("oriented" in obj) == (ds is ORIENTED)
    for name, t in tampered(obj).items():
        if name == "changed target":  # make sure the claim is really false for the new data
            from ftcexact.dataset import dataset_from_json
            if min_width(dataset_from_json(t["dataset"]))["min_width"] > obj["claim"]["width"]:
                continue
        code, out, err = check(t, tmp_path, "t.json")
        assert code != 0, name
        assert out.splitlines()[-1] == "s NOT VERIFIED" if code == 1 else err.count("\n") == 1, name


def test_checker_is_sound_under_random_data_changes(tmp_path):
    """Whatever the change, VERIFIED implies the oracle also finds the width infeasible."""
    import random
    from ftcexact.dataset import dataset_from_json
    rng = random.Random(7)
    for ds in [ORIENTED, SLOPE] + random_cases(11, 12, 6):
        m = min_width(ds)["min_width"]
        if m == 0:
            continue
        obj = refutation(ds, m - 1)
        for _ in range(6):
            t = copy.deepcopy(obj)
            key = rng.choice(["x", "y"])
            i = rng.randrange(len(t["dataset"][key]))
            v = t["dataset"][key][i]
            new = str(Q(v[0] if isinstance(v, list) else v) + rng.choice([Q(1), Q(-1, 2), Q(3)]))
            t["dataset"][key][i] = [new] if isinstance(v, list) else new
            try:
                changed = dataset_from_json(t["dataset"])
            except ValueError:
                continue
            code = check(t, tmp_path, "t.json")[0]
            try:
                truth = min_width(changed)["min_width"]
            except ValueError:
                continue  # no longer on a line
            assert code in (0, 1)
            assert code == 1 or truth > m - 1


def test_stage_count_and_start_checked(tmp_path):
    obj = refutation(ORIENTED, 2)
    t = copy.deepcopy(obj)
    t["oriented"]["stages"] = t["oriented"]["stages"][:-1]
    assert check(t, tmp_path)[0] == 2
    t = copy.deepcopy(obj)
    t["oriented"]["stages"][0][0]["rows"] = []   # start from all (alpha, beta), not beta = 0
    assert check(t, tmp_path)[0] == 1


def test_collinear_subset_refutation(tmp_path):
    # points 1, 2, 4, 5 lie on a line in the plane; point 3 does not
    ds = line([1, -1, 7, 1, -1], direction=(1, 1))
    x = list(ds.x)
    x[2] = (x[2][0], x[2][1] + 1)
    from ftcexact.dataset import Dataset
    ds = Dataset(tuple(x), ds.y)
    obj = refutation(ds, 2, indices=[1, 2, 4, 5])
    assert check(obj, tmp_path)[0] == 0
    t = copy.deepcopy(obj)
    t["points"] = [1, 2, 3, 4, 5]
    code, out, _ = check(t, tmp_path)
    assert code == 1 and "not on one line" in out


@pytest.mark.parametrize("text", ["{", '{"format": "ftcexact-refutation"}', "[1, 2]",
                                  '{"format": "ftcexact-refutation", "version": 1, "kind": "two-layer-width", '
                                  '"claim": {"width": 1}, "dataset": {"x": [0, 1], "y": [0, 1]}, "lemmas": []}',
                                  '{"format": "ftcexact-refutation", "version": 1, "kind": "two-layer-width", '
                                  '"claim": {"width": 0}, "dataset": {"x": ["0", "1"], "y": [["0", "1"], '
                                  '["1", "0"]]}, "lemmas": []}'])
def test_malformed_input(text, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(text)
    out, err = io.StringIO(), io.StringIO()
    assert verify.run(str(path), out=out, err=err, expect=checker.FORMAT) == 2
    assert err.getvalue().count("\n") == 1 and "s VERIFIED" not in out.getvalue()


def test_runs_as_a_script(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(refutation(ORIENTED, 2)))
    proc = subprocess.run([sys.executable, "-m", "ftcexact.kernel.refutation", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.splitlines()[-1] == "s VERIFIED"


def test_checker_is_small_and_independent():
    src = open(checker.__file__).read()
    imports = [ln for ln in src.splitlines() if ln.startswith(("import ", "from "))]
    assert all(ln.split()[1] in ("__future__", "sys", ".numbers", ".evaluate", ".reader") for ln in imports), imports
    code = [ln for ln in src.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    doc_end = src.index('"""', 3) + 3
    assert len([ln for ln in src[doc_end:].splitlines() if ln.strip() and not ln.strip().startswith("#")]) <= 250
    assert code
