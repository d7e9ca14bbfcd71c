"""The red-team inputs: the original v1 files, and the same attacks re-created in format v2.

Each hostile input gets NOT VERIFIED (exit 1) or malformed (exit 2) fast; never 0 or 3.  The few inputs whose
claims are true (valid refutations the red team used as material, the 5-neuron counterexample) verify, and
the independent judge of the mutation campaign confirms their claims.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import FAST, ROOT, assert_refused, check_records_file, cli, verify_doc
from .make_attacks import attacks, write_attack

REDTEAM = Path(__file__).parent / "redteam"
sys.path.insert(0, str(ROOT / "benchmarks"))
import independent  # noqa: E402

#: v1 red-team files whose claims are true: valid refutations (width 2 for four alternating points, ...).
VALID_V1 = {"dupkeys/D4_valid_refutation_format_late.json", "dupkeys/D5_valid_refutation_escaped.json",
            "dupkeys/alt4_w.refutation.json", "forged/f3_true_width.refutation.json",
            "forged/g_u_cert.refutation.json"}
V1_FILES = sorted(str(p.relative_to(REDTEAM)) for p in REDTEAM.rglob("*") if p.suffix in (".json", ".jsonl"))


@pytest.fixture
def redteam(tmp_path):
    folder = tmp_path / "redteam"
    shutil.copytree(REDTEAM, folder)
    os.mkfifo(folder / "resource" / "fifo")  # ref_fifo.json references a FIFO named fifo beside it
    return folder


@pytest.mark.parametrize("rel", V1_FILES)
def test_v1_red_team_file(redteam, rel):
    path = redteam / rel
    result = check_records_file(path) if rel.endswith(".jsonl") else verify_doc(path)
    if rel in VALID_V1:
        code, out, err, seconds = result
        assert code == 0 and seconds < FAST, (out[-300:], err)
        ok, why = independent.judge(path.read_text(), str(path.parent))
        assert ok, why
    else:
        assert_refused(result)


@pytest.fixture(scope="module")
def v2_attacks():
    return {a["name"]: a for a in attacks()}


def test_every_v2_attack(tmp_path, v2_attacks):
    """Every attack of make_attacks.py: the expected exit code, fast, one stderr line when malformed."""
    seen = []
    for name, attack in v2_attacks.items():
        folder = tmp_path / name.replace("\\", "_")
        write_attack(attack, str(folder))
        result = cli(attack["argv"], cwd=folder)
        code, out, err, seconds = result
        if attack["expect"] == {0}:
            assert code == 0 and seconds < FAST, (name, out[-300:], err)
            main = folder / attack["argv"][1]
            judge = independent.judge_records if main.suffix == ".jsonl" else independent.judge
            ok, why = judge(main.read_text(), str(folder))
            assert ok, (name, why)
        else:
            assert code in attack["expect"], (name, code, out[-300:], err)
            assert_refused(result)
        seen.append(name)
    assert len(seen) >= 60, len(seen)


def test_number_attacks_do_not_depend_on_the_backend(tmp_path, v2_attacks):
    """5000-digit numbers, canonical and not: the same exit code and output under gmpy2 and fractions."""
    names = [n for n in v2_attacks if n.startswith(("C2", "C3", "C4", "C5", "R-weights", "R-refutation-row"))]
    for n in names:
        write_attack(v2_attacks[n], str(tmp_path / n))
    script = ("import sys, io, json\nfrom ftcexact.kernel.verify import run\nfrom ftcexact.kernel.numbers import BACKEND\n"
              "res = {}\nfor p in sys.argv[1:]:\n    out, err = io.StringIO(), io.StringIO()\n"
              "    res[p] = [run(p, out, err), out.getvalue().splitlines()[-2:], err.getvalue()]\n"
              "print(json.dumps([BACKEND, res]))\n")
    results = {}
    for backend in ("gmpy2", "fractions"):
        env = dict(os.environ, FTCEXACT_BACKEND=backend, PYTHONPATH=str(ROOT))
        p = subprocess.run([sys.executable, "-c", script, *[str(tmp_path / n / "main.json") for n in names]],
                           capture_output=True, text=True, env=env, timeout=300)
        assert p.returncode == 0, p.stderr
        used, res = json.loads(p.stdout)
        assert used == backend
        results[backend] = res
    assert results["gmpy2"] == results["fractions"] and len(results["gmpy2"]) == len(names) >= 10
    codes = {Path(k).parent.name: v[0] for k, v in results["gmpy2"].items()}
    assert codes["C4-5000-digit-zero-canonical"] == codes["C3-plus-5000-digit-zero"] == 0
    assert codes["C5-reject-message-huge-value"] == 1 and codes["C2-comma-in-number-y"] == 2
