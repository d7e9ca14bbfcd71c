"""The exact piece maximum of two-hidden-layer networks on a line (docs/theorems/three-layer-pieces.md).

Lower bound: the certified networks attain P(d1, d2), counted exactly.  Upper bound: the proof's three lemmas
on exhaustive small combinatorial cases (Lemma 2 also against z3's exact linear real arithmetic), and random
networks (hypothesis, biased towards coinciding kinks, zero weights and cancellations) never exceeding P.
"""

import copy
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftcexact.analysis.lower_bounds import (max_pieces, neurons_needed, three_layer_max_pieces,
                                            three_layer_product_max_pieces, ysj_three_layer_max_pieces)
from ftcexact.analysis.pieces import count_pieces, restrict_to_line
from ftcexact.analysis.three_layer_pieces import (alternating_network, breakpoint_budget, certificate_filename,
                                                  check_piece_count_certificate, crossings, extremal_network,
                                                  full_alternation_witness, max_crossings, piece_count_certificate,
                                                  piece_maximum, piece_maximum_total, preactivations,
                                                  sign_pattern_maximum, sign_pattern_score)
from ftcexact.kernel.numbers import Q
from ftcexact.network import Network, evaluate

ARTEFACTS = Path(__file__).resolve().parents[2] / "proofs" / "artefacts" / "pieces"


def independent_count(net):
    """Pieces of a one-input network from exact evaluation only: the kinks of a two-hidden-layer network lie
    among the first-layer kinks and the zeros of the z_j, so sampling two points in every gap between
    consecutive candidates (and beyond the ends) sees every slope, without the shared refinement code."""
    pre = preactivations(net)
    cands = sorted(set(pre.kinks) | {r for j in range(len(pre.forms)) for r in crossings(pre, j)})
    if not cands:
        return 1
    pts = [cands[0] - 2, cands[0] - 1] + [p + (q - p) * k / 3 for p, q in zip(cands, cands[1:]) for k in (1, 2)] + \
        [cands[-1] + 1, cands[-1] + 2]
    vals = evaluate(net, [[t] for t in pts])
    # one slope per gap (two samples inside each gap, the two outer pairs beyond the ends)
    slopes = [tuple((b - a) / (pts[i + 1] - pts[i]) for a, b in zip(vals[i], vals[i + 1]))
              for i in range(0, len(pts), 2)]
    return 1 + sum(1 for s, t in zip(slopes, slopes[1:]) if s != t)


# ------------------------------------------------------------------ lower bound: the certified networks


@pytest.mark.parametrize("d1", range(1, 9))
def test_certified_networks_attain_the_maximum(d1):
    for d2 in range(1, 9):
        net = extremal_network(d1, d2)
        assert net.widths == [d1, d2] and net.input_dim == 1 and net.output_dim == 1
        cert = piece_count_certificate(net, "ftcexact_three_layer_pieces")
        assert check_piece_count_certificate(cert) == piece_maximum(d1, d2)
        assert kernel_verdict(cert) == 0
        assert independent_count(net) == piece_maximum(d1, d2)


def test_committed_certificates_are_the_constructions_and_check():
    files = sorted(ARTEFACTS.glob("three_layer_d1_*_d2_*.json"))
    assert len(files) == 64
    for d1, d2 in itertools.product(range(1, 9), repeat=2):
        cert = json.loads((ARTEFACTS / certificate_filename(d1, d2)).read_text())
        assert cert["claim"] == {"pieces": str(piece_maximum(d1, d2)), "statement": "ftcexact_three_layer_pieces"}
        assert (cert["format"], cert["version"], cert["kind"]) == ("ftcexact-certificate", 2, "piece-count")
        assert cert["network"]["activation"] == "relu" and len(cert["network"]["layers"]) == 3
        assert check_piece_count_certificate(cert) == piece_maximum(d1, d2)
        fresh = piece_count_certificate(extremal_network(d1, d2), cert["claim"]["statement"], cert["hints"]["note"])
        assert cert == json.loads(json.dumps(fresh))
        assert kernel_verdict(cert) == 0


@pytest.mark.parametrize("mutate", [
    lambda c: c["claim"].__setitem__("pieces", str(int(c["claim"]["pieces"]) + 1)),
    lambda c: c["claim"].__setitem__("pieces", "12.0"),
    lambda c: c["network"]["layers"][1]["b"].__setitem__(0, "-100"),
    lambda c: c["network"].__setitem__("activation", "tanh"),
    lambda c: c.__setitem__("version", 1),
    lambda c: c["network"].pop("layers"),
])
def test_a_wrong_piece_count_certificate_is_rejected(mutate):
    cert = piece_count_certificate(extremal_network(3, 2), "ftcexact_three_layer_pieces")
    assert check_piece_count_certificate(cert) == 12 and kernel_verdict(cert) == 0
    bad = copy.deepcopy(cert)
    mutate(bad)
    with pytest.raises(ValueError):
        check_piece_count_certificate(bad)
    assert kernel_verdict(bad) in (1, 2)


def test_the_kernel_checks_the_statement_of_the_maximum():
    """A network below the maximum of its widths counts correctly but does not witness the statement."""
    from ftcexact.network import Network
    below = Network.from_lists([([[1], [1], [1]], [0, -1, -2]), ([[1, 1, 1], [1, -1, 1]], [0, 0]), ([[1, 1]], [0])])
    cert = piece_count_certificate(below)
    assert kernel_verdict(cert) == 0
    cert["claim"]["statement"] = "ftcexact_three_layer_pieces"
    assert kernel_verdict(cert) == 1


def kernel_verdict(cert):
    import io
    from ftcexact.kernel import verify
    return verify.run("cert.json", out=io.StringIO(), err=io.StringIO(), doc=json.loads(json.dumps(cert)))


# ------------------------------------------------------------------ the formula and its consequences


def test_formula_against_the_older_counts():
    for d1, d2 in itertools.product(range(0, 13), repeat=2):
        p = piece_maximum(d1, d2)
        assert p == three_layer_max_pieces(d1, d2) <= three_layer_product_max_pieces(d1, d2)
        assert (p == three_layer_product_max_pieces(d1, d2)) == (d1 >= 3 and d2 >= 2 or d1 == 0 or d2 == 0)
        if d1 and d2:
            assert p < ysj_three_layer_max_pieces(d1, d2)
        assert p <= piece_maximum(d1 + 1, d2) and p <= piece_maximum(d1, d2 + 1)  # more neurons never hurt


def test_total_limit_closed_form_and_lower_bounds():
    for m in range(80):
        best_split = max(piece_maximum(d, m - d) for d in range(m + 1))
        assert piece_maximum_total(m) == best_split == max_pieces("three-layer", m)
        if m >= 5:
            assert piece_maximum_total(m) == max_pieces("three-layer-product", m)
    # least m with limit >= q + 1: ceil(2 sqrt(q + 1)) - 2, one more for q in {1, 3, 5, 7, 8}
    from math import isqrt
    for q in range(0, 400):
        closed = isqrt(4 * (q + 1) - 1) + 1 - 2 + (q in (1, 3, 5, 7, 8))
        assert neurons_needed("three-layer", q + 1) == closed


# ------------------------------------------------------------------ upper bound: the lemmas, exhaustively


def test_lemma_3_sign_sequences_exhaustive():
    for n in range(0, 9):
        best = max(sign_pattern_score(s) for s in itertools.product((-1, 0, 1), repeat=n))
        assert best == sign_pattern_maximum(n)


def test_lemma_2_orientations_exhaustive_and_realised():
    for n in range(0, 7):
        for groups in itertools.product(("L", "R", "LR"), repeat=n):
            net = alternating_network(list(groups))
            if net is not None:
                assert len(crossings(preactivations(net), 0)) == n + 1
                assert independent_count(net) == count_pieces(net)
    assert [max_crossings(u) for u in range(9)] == [0, 1, 2, 4, 5, 6, 7, 8, 9]


def test_lemma_2_decision_agrees_with_z3():
    z3 = pytest.importorskip("z3")
    for n in range(0, 6):
        for groups in itertools.product(("L", "R", "LR"), repeat=n):
            lam = [z3.Real(f"l{k}") if "L" in g else z3.RealVal(0) for k, g in enumerate(groups)]
            rho = [z3.Real(f"r{k}") if "R" in g else z3.RealVal(0) for k, g in enumerate(groups)]
            solver = z3.Solver()
            for m in range(n + 1):  # s_m = sum_{k <= m} rho_k - sum_{k > m} lambda_k, alternating from +
                s = z3.Sum([z3.RealVal(0)] + rho[:m]) - z3.Sum([z3.RealVal(0)] + lam[m:])
                solver.add(s >= 1 if m % 2 == 0 else s <= -1)
            assert (solver.check() == z3.sat) == (n > 0 and full_alternation_witness(list(groups)) is not None), groups


def test_the_hand_check_for_three_units_is_refuted():
    """One second-layer pre-activation of three first-layer units changes sign four times."""
    net = Network.from_lists([([[1], [1], [-1]], [0, -1, 3]), ([[-2, "3/2", -1]], ["7/2"]), ([[1]], [0])])
    ts = [Q(-1), Q(0), Q(1), Q(3), Q(10)]
    z = [v[0] for v in evaluate(Network(net.layers[:2]), [[t] for t in ts])]
    assert [v > 0 for v in z] == [False, True, False, True, False]
    assert len(crossings(preactivations(net), 0)) == 4


# ------------------------------------------------------------------ upper bound: random networks


weights = st.one_of(st.sampled_from([Q(-2), Q(-1), Q(-1, 2), Q(0), Q(0), Q(1, 2), Q(1), Q(2)]),
                    st.builds(lambda p, q: Q(p, q), st.integers(-12, 12), st.integers(1, 4)))


@st.composite
def line_networks(draw, max_d1=6, max_d2=5):
    d1, d2, out = draw(st.integers(1, max_d1)), draw(st.integers(1, max_d2)), draw(st.integers(1, 2))
    layers, n_in = [], 1
    for n_out in (d1, d2, out):
        layers.append((tuple(tuple(draw(weights) for _ in range(n_in)) for _ in range(n_out)),
                       tuple(draw(weights) for _ in range(n_out))))
        n_in = n_out
    return Network(tuple(layers))


@given(line_networks())
def test_random_networks_never_exceed_the_maximum_and_obey_the_lemmas(net):
    d1, d2 = net.widths
    f = restrict_to_line(net)
    assert f.pieces <= piece_maximum(d1, d2)
    pre = preactivations(net)
    visible, crossing = breakpoint_budget(net)
    assert set(f.breakpoints) <= visible | crossing  # Lemma 1
    n = len(pre.kinks)
    for j in range(d2):  # Lemma 2
        assert len(crossings(pre, j)) <= (pre.units if pre.units <= 2 else pre.units + 1) and \
            len(crossings(pre, j)) <= n + 1
    if d2 == 1:  # Lemma 3
        assert len(f.breakpoints) <= (n + 1 + (n + 1) // 2 if n else 0)


@given(line_networks(max_d1=3, max_d2=3))
def test_independent_count_agrees_with_the_shared_refinement(net):
    assert independent_count(net) == count_pieces(net)
