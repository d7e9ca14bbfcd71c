"""Open question (issue 13, part 3): exact least widths of three-layer networks on small 1-D instances."""

ORDER = 11  # position in the report: after the papers' statements

import tempfile

from ftcexact.analysis.lower_bounds import ftc_lower_bound_dataset, lower_bound_certificate, ysj_theorem_3_3_dataset
from ftcexact.proofcheck import FAILS, HOLDS, NOT_CHECKED, Verdict, statement

#: The least d1 + d2 found by ``ftcexact three-layer-table`` (docs/theorems/three-layer-widths.md), for the
#: [FTC] §4.1 family (revised) ("ftc", N, K) and the [YSJ] alternating data ("ysj", K, K).  A test swaps one.
CLAIMS = {
    "least": {
        ("ftc", 1, 3): 2, ("ftc", 2, 3): 3, ("ftc", 3, 3): 3, ("ysj", 3, 3): 3,
        ("ftc", 1, 4): 3, ("ftc", 2, 4): 3, ("ftc", 3, 4): 4, ("ftc", 4, 4): 4, ("ysj", 4, 4): 4,
        ("ftc", 1, 5): 3, ("ftc", 2, 5): 4, ("ftc", 3, 5): 4, ("ftc", 4, 5): 4, ("ftc", 5, 5): 4, ("ysj", 5, 5): 4,
        ("ftc", 1, 6): 3, ("ftc", 2, 6): 4, ("ftc", 3, 6): 4, ("ftc", 4, 6): 4, ("ftc", 5, 6): 4, ("ftc", 6, 6): 4,
        ("ysj", 6, 6): 4,
    },
}


def _dataset(kind, N, K):
    return ftc_lower_bound_dataset(N, K) if kind == "ftc" else ysj_theorem_3_3_dataset(K)


@statement("open_three_layer_widths", "Issue 13 part 3 (open question; ours)",
           "On the adversarial datasets of [FTC] §4.1 (revised for every N <= K) and the [YSJ] alternating data "
           "with small K, the least d1 + d2 of a two-hidden-layer ReLU network that fits is the value in the "
           "table of docs/theorems/three-layer-widths.md, and it sits between the certified piece-count lower "
           "bound and the best three-layer construction.")
def open_three_layer_widths(ctx):
    from ftcexact.constructions import certify
    from ftcexact.search.three_layer_width import certificate_for, least_width
    K_max = ctx.limit(5, 6)
    mismatches, checked, proved_rows, solver_rows = [], 0, 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for (kind, N, K), claimed in sorted(CLAIMS["least"].items(), key=lambda kv: (kv[0][2], kv[0])):
            if K > K_max:
                continue
            ds = _dataset(kind, N, K)
            ts, zs = [x[0] for x in ds.x], [z[0] for z in ds.targets]
            r = least_width(ts, zs, max_width=claimed + 1, time_limit=30, max_nodes=150)
            if r["least"] is None:
                return Verdict(NOT_CHECKED, f"{kind} N = {N}, K = {K}: a capped search left {r['lower']}.."
                                            f"{r['upper']}")
            lb = lower_bound_certificate(ds, "three-layer", "open_three_layer_widths")
            if ctx.verify_object(lb, tmp) != 0 or lb["claim"]["bound"] > r["least"]:
                return Verdict(NOT_CHECKED, f"lower-bound certificate problem at {kind} N = {N}, K = {K}")
            best = certify(ds, "three-layer-best")
            if ctx.verify_object(best, tmp) != 0 or best["claim"]["neurons"] < r["least"]:
                return Verdict(NOT_CHECKED, f"three-layer-best problem at {kind} N = {N}, K = {K}")
            for d in r["decisions"]:
                if d.status == "yes" and d.d1 + d.d2 == r["least"]:
                    if ctx.verify_object(certificate_for(ds, d.network, d.d1, d.d2, d.method), tmp) != 0:
                        return Verdict(NOT_CHECKED, f"a YES certificate was rejected at {kind} N = {N}, K = {K}")
            checked += 1
            proved_rows += r["proved"]
            solver_rows += not r["proved"]
            if r["least"] != claimed:
                mismatches.append({"dataset": kind, "N": N, "K": K, "claimed": claimed, "computed": r["least"]})
    if mismatches:
        path = ctx.write_artefact("open_three_layer_widths_mismatch.json", mismatches)
        return Verdict(FAILS, f"{len(mismatches)} least widths differ from the table, e.g. {mismatches[0]}",
                       command="ftcexact prove --only open_three_layer_widths", artefacts=[path])
    return Verdict(HOLDS, f"{checked} datasets with K <= {K_max}: every least width recomputed, between the verified "
                          f"piece-count lower bound and the verified three-layer-best construction; every YES at the "
                          f"least width is a certificate the trusted verifier accepts; the NOs below it are "
                          f"proofs (piece counts, monotonicity, two-layer oracle) for {proved_rows} datasets and "
                          f"z3 results (QF_LRA, exact arithmetic, no checkable certificate) for {solver_rows}",
                   command="ftcexact prove --only open_three_layer_widths")
