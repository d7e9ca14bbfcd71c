"""Checks for [YSJ] §3: Theorem 3.1, Proposition 3.2 and Theorem 3.3.

Yun, Sra, Jadbabaie, *Small ReLU networks are powerful memorizers*, NeurIPS 2019.  The paper's text was not
available here; statements follow theory.md §4 and their use in [FTC].
"""

ORDER = 10  # position in the report

import tempfile

from ftcexact.analysis.lower_bounds import (lower_bound_certificate, max_pieces, three_layer_max_pieces,
                                            ysj_theorem_3_3_dataset)
from ftcexact.proofcheck import HOLDS, NOT_CHECKED, Verdict, statement

CLAIMS = {
    # Theorem 3.3: these widths cannot memorize every dataset of N points (d_y = 1).
    "thm_3_3_one_layer": lambda d1, N: d1 + 2 < N,
    "thm_3_3_two_layers": lambda d1, d2, N: 2 * d1 * d2 + d2 + 2 < N,
}


@statement("ysj_thm_3_3", "Yun et al. 2019, Theorem 3.3",
           "With one hidden layer and d1 + 2 < N, or two hidden layers and 2 d1 d2 + d2 + 2 < N, some dataset of "
           "N points (d_y = 1) cannot be memorized.")
def ysj_thm_3_3(ctx):
    N_max = ctx.limit(40, 120)
    one, two, stronger = 0, 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for N in range(3, N_max + 1):
            ds = ysj_theorem_3_3_dataset(N)
            cert = lower_bound_certificate(ds, "two-layer", "Yun et al. 2019, Theorem 3.3")
            if N <= 25 and ctx.verify_object(cert, tmp) != 0:
                return Verdict(NOT_CHECKED, f"lower-bound certificate rejected for N = {N}")
            p = cert["claim"]["min_pieces"]
            for d1 in range(N + 1):
                if CLAIMS["thm_3_3_one_layer"](d1, N):
                    one += 1
                    if max_pieces("two-layer", d1) >= p:
                        return Verdict(NOT_CHECKED, f"d1 = {d1}, N = {N}: the alternating dataset does not rule it out")
                for d2 in range(N + 1):
                    if CLAIMS["thm_3_3_two_layers"](d1, d2, N):
                        two += 1
                        if 2 * d1 * d2 + d2 + 1 >= p:
                            return Verdict(NOT_CHECKED, f"(d1, d2) = ({d1}, {d2}), N = {N} not ruled out")
                    elif three_layer_max_pieces(d1, d2) < p:
                        stronger += 1
    return Verdict(HOLDS, f"the alternating dataset x_i = i, y_i = (-1)^i needs N - 1 pieces (verified certificates "
                   f"for N <= 25, closed form up to {N_max}); this rules out all {one} one-layer and {two} two-layer "
                   f"width choices covered by the theorem for N <= {N_max}; the proven exact piece maximum P(d1, d2) "
                   f"(docs/theorems/three-layer-pieces.md) rules out {stronger} further (d1, d2) that the theorem "
                   f"does not cover",
                   command="ftcexact lower-bound --family ysj --N 12 --arch three-layer")


def _vector_datasets(ctx, salt, count, one_hot=False):
    """Random datasets with d_y = 1..3 outputs (labels in [-1, 1], or one-hot class vectors)."""
    from ftcexact.dataset import Dataset
    from ftcexact.kernel.numbers import Q
    rng = ctx.rng(salt)
    out = []
    for _ in range(count):
        K, d, dy = rng.randint(1, 30), rng.randint(1, 4), rng.randint(1, 3) + one_hot
        xs = set()
        while len(xs) < K:
            xs.add(tuple(Q(rng.randint(-20, 20), rng.randint(1, 4)) for _ in range(d)))
        if one_hot:
            ys = [tuple(Q(int(j == c)) for j in range(dy)) for c in (rng.randrange(dy) for _ in range(K))]
        else:
            ys = [tuple(Q(rng.randint(-8, 8), 8) for _ in range(dy)) for _ in range(K)]
        out.append(Dataset(tuple(sorted(xs)), tuple(ys)))
    return out


@statement("ysj_thm_3_1", "Yun et al. 2019, Theorem 3.1",
           "A 3-layer ReLU network with hidden widths d1, d2 and d1 d2 >= 4 N d_y memorizes any N distinct points "
           "with labels in [-1, 1]^{d_y}.")
def ysj_thm_3_1(ctx):
    from ftcexact.certificate import make_certificate
    from ftcexact.constructions.ysj import ysj_condition, ysj_memorizer
    from ftcexact.proofcheck import CORRECTED, Context
    verified, sizes = 0, []
    rng = ctx.rng("ysj_3_1_widths")
    with tempfile.TemporaryDirectory() as tmp:
        for ds in _vector_datasets(ctx, "ysj_3_1", ctx.limit(40, 300)):
            n, dy = len(set(ds.x)), ds.dy
            # widths meeting d1 d2 >= 4 N d_y with d1 even and d2 a multiple of 2 d_y
            R = rng.randint(1, n)
            d1, d2 = 2 * R, 2 * dy * -(-n // R)
            net, info = ysj_memorizer(ds, d1, d2)
            cert = make_certificate(ds, net, construction="ysj-memorizer", statement="ysj_thm_3_1")
            if Context.verify_object(cert, tmp) != 0 or any(w > c for w, c in zip(net.widths, (d1, d2))):
                path = ctx.write_artefact("ysj_thm_3_1_failed.json", cert)
                return Verdict(NOT_CHECKED, f"widths ({d1}, {d2}) failed for N = {n}, d_y = {dy}",
                               command=f"ftcexact verify {path}", artefacts=[path])
            verified += 1
            sizes.append(n)
    odd = next((d1, d2, N) for N in range(1, 50) for d1 in range(1, 30) for d2 in range(1, 30)
               if d1 * d2 >= 4 * N and not ysj_condition(d1, d2, N))
    path = ctx.write_artefact("ysj_thm_3_1_odd_widths.json", {
        "d1": odd[0], "d2": odd[1], "N": odd[2], "d1*d2 >= 4N": True,
        "hard-tanh units available": [odd[0] // 2, odd[1] // 2], "points they memorize": (odd[0] // 2) * (odd[1] // 2)})
    return Verdict(CORRECTED, f"{verified} certificates (N up to {max(sizes)}, d_y = 1..3, widths chosen at random "
                   f"with d1 d2 >= 4 N d_y, d1 even, d2 a multiple of 2 d_y) verified within the given widths; for odd "
                   f"widths the hard-tanh proof does not reach d1 d2 >= 4 N d_y, e.g. (d1, d2) = ({odd[0]}, {odd[1]}) "
                   f"has d1 d2 >= 4N for N = {odd[2]} but only floor(d1/2) floor(d2/2) = "
                   f"{(odd[0] // 2) * (odd[1] // 2)} hard-tanh slots",
                   command="ftcexact prove --only ysj_thm_3_1", artefacts=[path],
                   correction="as reconstructed here the condition is floor(d1/2) floor(d2/(2 d_y)) >= N (equal to "
                              "d1 d2 >= 4 N d_y for even d1 and d2 a multiple of 2 d_y); the paper's exact "
                              "statement could not be consulted")


@statement("ysj_prop_3_2", "Yun et al. 2019, Proposition 3.2",
           "A 4-layer ReLU network with d1 d2 >= 4N and d3 >= 4 d_y classifies any N distinct points with exact "
           "one-hot outputs.")
def ysj_prop_3_2(ctx):
    from ftcexact.constructions import CONSTRUCTIONS
    from ftcexact.constructions.ysj import ysj_condition
    from ftcexact.network import network_from_json
    from ftcexact.proofcheck import construction_evidence
    if "ysj-classifier" not in CONSTRUCTIONS:
        return Verdict(NOT_CHECKED, "construction ysj-classifier is not implemented")
    datasets = _vector_datasets(ctx, "ysj_3_2", ctx.limit(30, 200), one_hot=True)
    stats = construction_evidence(ctx, "ysj-classifier", datasets, lambda N, K, m: True)
    if stats["rejected"] or stats["refused"]:
        return Verdict(NOT_CHECKED, f"rejected {len(stats['rejected'])}, refused {stats['refused']}")
    from ftcexact.constructions import certify
    for ds in datasets[:10]:
        net = network_from_json(certify(ds, "ysj-classifier")["network"])
        d1, d2, d3 = net.widths
        if not (ysj_condition(d1, d2, len(set(ds.x))) and d3 <= 4 * ds.dy):
            return Verdict(NOT_CHECKED, f"widths {net.widths} do not meet the proposition's condition")
    return Verdict(HOLDS, f"{stats['verified']} certificates with one-hot labels (2 to 4 classes, K <= 30) verified "
                   "exactly (the verifier compares every output coordinate with the one-hot target); widths satisfy "
                   "floor(d1/2) floor(d2/2) >= N and d3 = 4 d_y")
