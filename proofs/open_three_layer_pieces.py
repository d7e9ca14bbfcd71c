"""Check for an open question behind [YSJ] Theorem 3.3 and [FTC] Theorem 5.1: the exact maximum number of
affine pieces of a two-hidden-layer ReLU network on a line.

[YSJ] bounds it by 2 d1 d2 + d2 + 1; the project used the product count (d1 + 1)(d2 + 1).  The exact value
P(d1, d2) is proved in docs/theorems/three-layer-pieces.md; this check recomputes its evidence: certified
networks attaining P for every 1 <= d1, d2 <= 8 (proofs/artefacts/pieces/), the proof's lemmas by exhaustion,
and random networks never exceeding P.
"""

ORDER = 11  # position in the report: after [YSJ] §3

import json
import time

from ftcexact.analysis.pieces import restrict_to_line
from ftcexact.analysis.three_layer_pieces import (breakpoint_budget, check_piece_count_certificate, crossings,
                                                  extremal_network, max_crossings, preactivations,
                                                  sign_pattern_maximum, sign_pattern_score, write_certificates)
from ftcexact.kernel.numbers import Q
from ftcexact.network import Network, network_to_json
from ftcexact.proofcheck import FAILS, HOLDS, NOT_CHECKED, Verdict, statement

CLAIMS = {
    # The exact maximum number of pieces on a line for hidden widths (d1, d2).
    "maximum": lambda d1, d2: (1 if d1 == 0 or d2 == 0 else d1 * (d2 + 1) + 1 if d1 <= 2
                               else d1 + 2 + (d1 + 1) // 2 if d2 == 1 else (d1 + 1) * (d2 + 1)),
    # Lemma 2: most zero crossings of one second-layer pre-activation fed by u first-layer units.
    "crossings": lambda u: u if u <= 2 else u + 1,
}

WIDTH = 8  # certificates for every 1 <= d1, d2 <= WIDTH


def _random_network(rng, d1, d2, outputs):
    """Weights from a small set (many zeros, ties and coinciding kinks) or small random rationals."""
    coarse = rng.random() < 0.5
    def w():
        if coarse:
            return Q(rng.choice([-2, -1, -1, 0, 0, 1, 1, 2]), rng.choice([1, 1, 2]))
        return Q(rng.randint(-12, 12), rng.randint(1, 4))
    layers, n_in = [], 1
    for n_out in (d1, d2, outputs):
        layers.append((tuple(tuple(w() for _ in range(n_in)) for _ in range(n_out)), tuple(w() for _ in range(n_out))))
        n_in = n_out
    return Network(tuple(layers))


def _exceeds(ctx, net, pieces, claim, how):
    path = ctx.write_artefact("open_three_layer_pieces_exceeds.json", {
        "network": network_to_json(net), "widths": net.widths, "pieces": pieces, "claimed maximum": claim,
        "found by": how})
    return Verdict(FAILS, f"a network with widths {tuple(net.widths)} has {pieces} > {claim} pieces on t -> t "
                   f"({how})", command=f"ftcexact pieces {path}", artefacts=[path])


@statement("open_three_layer_pieces", "Open question behind Yun et al. 2019, Theorem 3.3 (issue 13)",
           "The most affine pieces on a line of a ReLU network with hidden widths (d1, d2) is P(d1, d2) = 1 if "
           "d1 or d2 is 0; d1 (d2 + 1) + 1 if d1 <= 2; d1 + 2 + ceil(d1/2) if d1 >= 3 and d2 = 1; (d1 + 1)(d2 + 1) "
           "if d1 >= 3 and d2 >= 2 (Yun et al. use 2 d1 d2 + d2 + 1).")
def open_three_layer_pieces(ctx):
    start = time.perf_counter()
    claim = CLAIMS["maximum"]
    # Lower bound: one certified network per (d1, d2), written, read back from disk and re-counted.
    folder = ctx.artefacts_dir / "pieces"
    written = write_certificates(str(folder), WIDTH)
    for d1, d2, path, _ in written:
        with open(path, encoding="utf-8") as fh:
            cert = json.load(fh)
        pieces = check_piece_count_certificate(cert)  # a second, untrusted count beside the kernel's
        if ctx.verify(path) != 0:
            return Verdict(NOT_CHECKED, f"the kernel rejects the piece-count certificate {path}")
        net = extremal_network(d1, d2)
        if net.widths != [d1, d2]:
            return Verdict(NOT_CHECKED, f"the construction for ({d1}, {d2}) has widths {net.widths}")
        if pieces > claim(d1, d2):
            return _exceeds(ctx, net, pieces, claim(d1, d2), "the extremal construction")
        if pieces < claim(d1, d2):
            return Verdict(NOT_CHECKED, f"the construction for ({d1}, {d2}) has only {pieces} < {claim(d1, d2)} "
                           "pieces: the claimed maximum is not shown to be attained")
    # Upper bound: the proof's lemmas, by exhaustion.
    n_max = ctx.limit(6, 8)
    for n in range(n_max + 1):
        best = 0
        for code in range(3 ** n):
            signs = [(code // 3 ** k) % 3 - 1 for k in range(n)]
            best = max(best, sign_pattern_score(signs))
        if best != sign_pattern_maximum(n):
            return Verdict(NOT_CHECKED, f"Lemma 3: sign sequences of length {n} reach {best}, "
                           f"not {sign_pattern_maximum(n)}")
    u_max = ctx.limit(5, 7)
    for u in range(u_max + 1):
        if max_crossings(u) != CLAIMS["crossings"](u):
            return Verdict(NOT_CHECKED, f"Lemma 2: {u} units allow {max_crossings(u)} crossings, "
                           f"not {CLAIMS['crossings'](u)}")
    # Upper bound: random networks (many degenerate) never exceed the claim and obey Lemmas 1 and 2.
    rng = ctx.rng("open_three_layer_pieces")
    samples = ctx.limit(400, 4000)
    for _ in range(samples):
        d1, d2 = rng.randint(1, 6), rng.randint(1, 5)
        net = _random_network(rng, d1, d2, rng.choice([1, 1, 2]))
        f = restrict_to_line(net)
        if f.pieces > claim(d1, d2):
            return _exceeds(ctx, net, f.pieces, claim(d1, d2), "random network")
        visible, crossing = breakpoint_budget(net)
        pre = preactivations(net)
        if not set(f.breakpoints) <= visible | crossing or any(
                len(crossings(pre, j)) > CLAIMS["crossings"](pre.units) for j in range(d2)):
            path = ctx.write_artefact("open_three_layer_pieces_lemma.json", {"network": network_to_json(net)})
            return Verdict(NOT_CHECKED, "Lemma 1 or 2 fails on a random network", command=f"ftcexact pieces {path}",
                           artefacts=[path])
    # Upper bound: hill climbing on the exact count where P is below the product count (d1 <= 2 or d2 = 1).
    from ftcexact.search.max_pieces import climb_max_pieces
    climbs = [(1, 2), (1, 3), (2, 1), (2, 2), (2, 3), (3, 1), (4, 1), (5, 1), (6, 1)]
    reached = 0
    for d1, d2 in climbs:
        best, net = climb_max_pieces([d1, d2], steps=ctx.limit(300, 1000), restarts=ctx.limit(2, 3), seed=d1 * 10 + d2)
        if best > claim(d1, d2):
            return _exceeds(ctx, net, best, claim(d1, d2), "hill climbing on the exact count")
        reached += best == claim(d1, d2)
    grid = [(d1, d2) for d1 in range(1, WIDTH + 1) for d2 in range(1, WIDTH + 1)]
    below_ysj = all(claim(d1, d2) < 2 * d1 * d2 + d2 + 1 for d1, d2 in grid)
    product = sorted((d1, d2) for d1, d2 in grid if claim(d1, d2) == (d1 + 1) * (d2 + 1))
    product_rule = product == [(d1, d2) for d1, d2 in grid if d1 >= 3 and d2 >= 2]
    seconds = time.perf_counter() - start
    rel = ctx.display_path(folder)  # as written in the report's commands
    return Verdict(HOLDS, f"attained: {len(written)} piece-count certificates (every 1 <= d1, d2 <= {WIDTH}, "
                   f"in {rel}) re-read and re-counted exactly, each with exactly P(d1, d2) pieces; not exceeded: "
                   f"proof in docs/theorems/three-layer-pieces.md, its Lemma 3 checked on all sign sequences of "
                   f"length <= {n_max}, its Lemma 2 on every kink-orientation pattern with <= {u_max} units, and "
                   f"{samples} random networks (widths <= (6, 5), many with coinciding kinks and zero weights) stay "
                   f"within P and within Lemma 1's breakpoint budget; hill climbing on the exact count for "
                   f"the {len(climbs)} widths with d1 <= 2 or d2 = 1 (where P is below (d1 + 1)(d2 + 1)) stays "
                   f"within P and reaches it for {reached}. On this grid P < 2 d1 d2 + d2 + 1 everywhere: "
                   f"{below_ysj}; P = (d1 + 1)(d2 + 1) exactly when d1 >= 3 and d2 >= 2: {product_rule} "
                   f"({seconds:.1f} s)", command="ftcexact prove --only open_three_layer_pieces", artefacts=[rel])
