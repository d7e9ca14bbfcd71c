"""``ftcexact demo``: certify and verify built-in examples, print a table with a legend."""

from __future__ import annotations

import io
import json
import os
import tempfile
import time

from ..certificate import write_json_atomic
from ..constructions import certify
from ..dataset import Dataset, random_dataset
from ..kernel.numbers import Q
from ..kernel.verify import run

#: [FTC] Figure 4: K = 14 points on a line, labels changed on T = {4, 7, 9, 14}.
FIGURE_4_TARGETS = [0, 0, 0, 1, 0, 0, -1, 0, 1, 0, 0, 0, 0, -1]

LEGEND = """\
Columns: m = ReLU neurons of g; layers = hidden layers of g; statement = the claim-registry statement the
certificate names, with its bound recomputed for this instance (each row's own statement: a two-layer
bound is never shown beside a three-layer network); verdict = the trusted verifier's answer on the
written certificate; time = certify + verify."""


def figure_4_dataset():
    """The Figure 4 instance: x_i = i, z_i = +-1 on T = {4, 7, 9, 14}, 0 elsewhere."""
    return Dataset(tuple((Q(i),) for i in range(1, 15)), tuple((Q(v),) for v in FIGURE_4_TARGETS))


def _checked_bound(verifier_output, statement):
    """The bound the verifier recomputed, read off its ``c statement ...: m = .. <= formula = v`` line."""
    if statement is None:
        return "none (checked: g fits)"
    for line in verifier_output.splitlines():
        if line.startswith(f"c statement {statement}: ") and line.endswith(", recomputed") and " <= " in line:
            return f"{statement}: " + line.split(" <= ", 1)[1][:-len(", recomputed")]
    return f"{statement}: (not checked)"


def run_demo(outdir=None, as_json=False):
    examples = [("FTC Figure 4 (K=14, T={4,7,9,14})", figure_4_dataset()),
                ("random d=5, K=60, N=7, seed 0", random_dataset(d=5, K=60, N=7, seed=0, with_f=True))]
    rows, worst = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = outdir or tmp
        os.makedirs(folder, exist_ok=True)
        for e, (name, ds) in enumerate(examples):
            for construction in ("two-layer", "two-layer-oriented", "two-layer-all", "three-layer-best"):
                start = time.perf_counter()
                cert = certify(ds, construction)
                path = os.path.join(folder, f"demo{e + 1}-{construction}.json")
                write_json_atomic(cert, path)
                out = io.StringIO()
                code = run(path, out=out)
                worst = max(worst, code)
                statement = cert["claim"].get("statement")
                rows.append({"instance": name, "construction": construction, "layers": len(cert["network"]) - 1,
                             "neurons": cert["claim"]["neurons"], "statement": statement,
                             "bound": _checked_bound(out.getvalue(), statement),
                             "verdict": out.getvalue().strip().splitlines()[-1][2:],
                             "seconds": round(time.perf_counter() - start, 3),
                             "certificate": path if outdir else None})
    if as_json:
        print(json.dumps({"rows": rows, "exit": worst}))
        return worst
    header = f"{'instance':<36} {'construction':<19} {'layers':>6} {'m':>4}  {'statement: bound (recomputed)':<48} verdict"
    print(header)
    print("-" * (len(header) + 14))
    for r in rows:
        print(f"{r['instance']:<36} {r['construction']:<19} {r['layers']:>6} {r['neurons']:>4}  "
              f"{r['bound']:<48} {r['verdict']:<13} {r['seconds']:5.2f}s")
    print()
    print(LEGEND)
    if outdir:
        print(f"certificates in {outdir}; re-check one with: ftcexact verify {rows[-1]['certificate']}")
    return worst
