"""The minimum-width oracle: agreement with z3, certificates, the p - 1 / p fact, fast = exact walks."""

import io
import os

import pytest

from ftcexact.analysis.interpolation import min_pieces
from ftcexact.certificate import make_certificate, write_json_atomic
from ftcexact.dataset import Dataset
from ftcexact.kernel import verify
from ftcexact.kernel.numbers import Q
from ftcexact.network import evaluate
from ftcexact.search import lp, oracle
from ftcexact.search.oracle import NotOnALine, min_width, min_width_bounds

from .cases import line, random_cases, structured

z3_baseline = pytest.importorskip("ftcexact.search.z3_baseline")
pytest.importorskip("z3")

SLOW = pytest.mark.skipif(not os.environ.get("FTCEXACT_SLOW"), reason="long run: set FTCEXACT_SLOW=1")
CI_CASES = structured() + random_cases(0, 150, 6)


def agree_with_z3(ds):
    r = min_width(ds)
    m, zs = r["min_width"], [z[0] for z in ds.targets]
    assert z3_baseline.z3_fits(list(ds.x), zs, m) is True
    assert m == 0 or z3_baseline.z3_fits(list(ds.x), zs, m - 1) is False
    return r


def test_differential_against_z3():
    """The oracle's least width is feasible and one less is not, by the direct z3 encoding (224 cases)."""
    assert len(CI_CASES) >= 200
    for ds in CI_CASES:
        agree_with_z3(ds)


@SLOW
@pytest.mark.slow
def test_differential_against_z3_long():
    cases = random_cases(1, 800, 8) + [line([(-1) ** i * (i % 3 + 1) for i in range(K)]) for K in range(2, 10)]
    for ds in cases:
        agree_with_z3(ds)


def test_certificates_verify(tmp_path):
    for n, ds in enumerate(CI_CASES):
        r = min_width(ds)
        net = r["network"]
        assert net.neurons == r["min_width"]
        assert [v[0] for v in evaluate(net, ds.x)] == [z[0] for z in ds.targets]
        cert = make_certificate(ds, net, construction="min-width")
        path = tmp_path / f"c{n}.json"
        write_json_atomic(cert, path)
        assert verify.run(str(path), out=io.StringIO(), err=io.StringIO()) == 0


def test_width_is_pieces_minus_one_or_pieces():
    """min width in {p - 1, p} with p the closed-form least piece count (analysis.interpolation)."""
    for ds in CI_CASES:
        r = min_width(ds)
        L = r["line"]
        p = min_pieces(L.ts, L.zs)[0]
        assert r["pieces"] == p
        assert r["min_width"] in (p - 1, p)
        assert (r["min_width"] == p) == (r["case"] == "A")


def test_alternating_labels():
    # K = 3, 4 need K - 1 neurons, K >= 5 only K - 2 (checked against z3 above)
    assert [min_width(line([(-1) ** i for i in range(K)]))["min_width"] for K in range(2, 10)] == \
        [1, 2, 3, 3, 4, 5, 6, 7]


def test_fast_walk_equals_fourier_motzkin_walk():
    """The interval ('hexagon') states are exactly the polygons Fourier-Motzkin computes."""
    def rows_of(state):
        rows = []
        for coeffs, iv in (([1, 0], state[0]), ([0, 1], state[1]), ([1, 1], state[2])):
            if iv[0] == "pt":
                rows.append(lp.row(coeffs, -iv[1], "="))
            else:
                if iv[1] is not None:
                    rows.append(lp.row(coeffs, -iv[1], ">"))
                if iv[2] is not None:
                    rows.append(lp.row([-c for c in coeffs], iv[2], ">"))
        return rows

    def same(r1, r2):
        return all(lp.implies(b, t) is not None if b else not any(t[0]) for a, b in ((r1, r2), (r2, r1))
                   for t in a)
    for ds in random_cases(3, 25, 6):
        L = oracle.line_data(ds)
        lower = oracle.suffix_free_kinks(L.ts, L.zs)
        for budget in (lower[0], lower[0] + 1):
            exact = oracle.walk(L.ts, L.zs, "oriented", budget, lower)
            fast = oracle.fast_walk(L.ts, L.zs, "oriented", budget, lower, prune=False)
            for polys, states in zip(exact, fast):
                assert len(polys) == len(states)
                assert sorted(P.k for P in polys) == sorted(v[0] for v in states.values())
                fast_rows = [rows_of(S) for S in states]
                for P in polys:
                    assert any(same(list(P.rows), r) for r in fast_rows)
            # pruning by containment keeps the decision
            pruned = oracle.fast_walk(L.ts, L.zs, "oriented", budget, lower)
            assert {S[0] == ("pt", 0) or oracle._iv_meet(S[0], ("pt", Q(0))) is not None
                    for S in fast[-1]} >= {oracle._iv_meet(S[0], ("pt", Q(0))) is not None for S in pruned[-1]}
            assert oracle.oriented_feasible(L.ts, L.zs, budget, lower) is not None or not any(
                oracle._iv_meet(S[0], ("pt", Q(0))) is not None and v[0] == budget for S, v in fast[-1].items())


def test_not_on_a_line_and_bounds():
    square = Dataset(((Q(0), Q(0)), (Q(1), Q(0)), (Q(0), Q(1)), (Q(1), Q(1))),
                     ((Q(0),), (Q(1),), (Q(1),), (Q(0),)))
    with pytest.raises(NotOnALine):
        min_width(square)
    b = min_width_bounds(square)
    assert (b["lower"], b["upper"], b["decided"]) == (1, 2, False)
    assert [v[0] for v in evaluate(b["upper_network"], square.x)] == [Q(0), Q(1), Q(1), Q(0)]
    assert z3_baseline.z3_fits(list(square.x), [Q(0), Q(1), Q(1), Q(0)], 1) is False  # XOR needs 2
    # collinear data: the bounds meet
    ds = line([1, -1, 1, -1], direction=(1, 1))
    b = min_width_bounds(ds)
    assert b["decided"] and b["lower"] == b["upper"] == 3


def test_vector_targets_refused():
    ds = Dataset(((Q(0),), (Q(1),)), ((Q(0), Q(1)), (Q(1), Q(0))))
    with pytest.raises(ValueError, match="scalar"):
        min_width(ds)
