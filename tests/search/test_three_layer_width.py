"""Exact three-layer widths (ftcexact.search.three_layer_width): soundness of YES and NO answers."""

import io
import json
import os
import random

import pytest

from ftcexact.analysis.lower_bounds import ftc_lower_bound_dataset, ysj_theorem_3_3_dataset
from ftcexact.certificate import write_json_atomic
from ftcexact.dataset import Dataset, dataset_to_json
from ftcexact.kernel.numbers import Q
from ftcexact.kernel.verify import run
from ftcexact.network import Network, evaluate
from ftcexact.search import three_layer_width as T
from ftcexact.search.oracle import min_width

z3 = pytest.importorskip("z3")

SLOW = pytest.mark.skipif(not os.environ.get("FTCEXACT_SLOW"), reason="long run: set FTCEXACT_SLOW=1")


def _line(ds):
    return [x[0] for x in ds.x], [z[0] for z in ds.targets]


def _verifies(ds, net, d1, d2, tmp_path):
    cert = T.certificate_for(ds, net, d1, d2, "test")
    path = tmp_path / "c.json"
    write_json_atomic(cert, str(path))
    return run(str(path), out=io.StringIO(), err=io.StringIO()) == 0


def _dataset(ts, zs):
    return Dataset(tuple((Q(t),) for t in ts), tuple((Q(z),) for z in zs))


def test_features_are_relus_at_their_kinks():
    rng = random.Random(0)
    ts = sorted({Q(rng.randint(-20, 20), rng.randint(1, 4)) for _ in range(7)})
    for f in T.features(ts):
        lams = [None] if f.delta is None else [Q(0), Q(1), Q(1, 3), Q(rng.randint(0, 9), 9)]
        for lam in lams:
            a, b = f.kink(ts, lam)
            values = [f.base[k] + (lam * f.delta[k] if f.delta else 0) for k in range(len(ts))]
            assert values == [max(a * t + b, Q(0)) for t in ts]


def test_feature_list_is_complete_up_to_span():
    """Every single ReLU on the data is 0, affine, or a multiple of a listed feature plus an affine map."""
    ts = [Q(v) for v in (0, 1, 3, 4, 7)]
    feats = T.features(ts)
    for r2 in range(-2, 17):
        r = Q(r2, 2)
        for a in (Q(1), Q(-1)):
            v = [max(a * (t - r), Q(0)) for t in ts]
            if all(x == 0 for x in v) or all(x == a * (t - r) for x, t in zip(v, ts)):
                continue  # zero or affine on the data: the feature "t" covers it
            ok = False
            for f in feats:
                lam = None
                if f.delta is not None:
                    lam = (ts[f.p + 1] - r) / (ts[f.p + 1] - ts[f.p])
                    if not 0 <= lam <= 1:
                        continue
                for lam in [lam]:
                    w = [f.base[k] + (lam * f.delta[k] if f.delta else 0) for k in range(len(ts))]
                    if any(w) and _proportional(v, w):
                        ok = True
            assert ok, (r, a)


def _proportional(v, w):
    k = next(i for i, x in enumerate(w) if x)
    c = v[k] / w[k]
    return c > 0 and all(x == c * y for x, y in zip(v, w))


def test_piece_limits():
    assert T.piece_limit(1, 1) == 3 and T.piece_limit(2, 1) == 6 and T.piece_limit(3, 0) == 1


@pytest.mark.parametrize("K", [3, 4, 5])
def test_yes_answers_verify(K, tmp_path):
    for N in range(1, K + 1):
        ds = ftc_lower_bound_dataset(N, K)
        ts, zs = _line(ds)
        for d1, d2 in [(1, 2), (2, 1), (2, 2), (3, 1)]:
            d = T.decide(ts, zs, d1, d2, time_limit=10, max_nodes=50)
            if d.status == "yes":
                assert d.network.widths == [d1, d2]
                assert _verifies(ds, d.network, d1, d2, tmp_path)


def test_emulating_the_two_layer_oracle():
    """(w, 1) fits whenever a two-layer network of width w does (relu(h + C) - C)."""
    rng = random.Random(3)
    for _ in range(15):
        K = rng.randint(3, 7)
        ts = sorted(rng.sample(range(30), K))
        zs = [rng.randint(-3, 3) for _ in range(K)]
        ds = _dataset(ts, zs)
        w = min_width(ds)["min_width"]
        if w == 0:
            continue
        d = T.decide(ds_t := [Q(t) for t in ts], [Q(z) for z in zs], w, 1)
        assert d.status == "yes" and T.verify_network(ds_t, [Q(z) for z in zs], d.network)


def _random_network(rng, d1, d2):
    def r():
        return Q(rng.randint(-6, 6), rng.randint(1, 3))
    layers = [(tuple((Q(rng.choice([-1, 1])),) for _ in range(d1)), tuple(r() for _ in range(d1))),
              (tuple(tuple(r() for _ in range(d1)) for _ in range(d2)), tuple(r() for _ in range(d2))),
              ((tuple(r() for _ in range(d2)),), (r(),))]
    return Network(tuple(layers))


@pytest.mark.parametrize("seed", range(3))
def test_planted_networks_are_never_refuted(seed):
    """Data produced by a (d1, d2) network: the procedure must never answer NO for (d1, d2)."""
    rng = random.Random(seed)
    for _ in range(6):
        d1, d2 = rng.choice([(1, 2), (2, 1), (2, 2), (1, 3), (3, 1)])
        K = rng.randint(4, 6)
        ts = sorted({Q(rng.randint(-8, 8), 2) for _ in range(3 * K)})[:K]
        net = _random_network(rng, d1, d2)
        zs = [v[0] for v in evaluate(net, [(t,) for t in ts])]
        d = T.decide(ts, zs, d1, d2, time_limit=15, max_nodes=60)
        assert d.status in ("yes", "unknown"), (ts, zs, d1, d2, d.method)
        if d.status == "yes":
            assert T.verify_network(ts, zs, d.network)


def test_agrees_with_direct_nra_encoding():
    """Where the direct QF_NRA encoding answers within its time limit, both methods agree."""
    rng = random.Random(11)
    compared = 0
    for _ in range(12):
        K = rng.randint(3, 4)
        ts = [Q(t) for t in sorted(rng.sample(range(10), K))]
        zs = [Q(rng.randint(-2, 2)) for _ in range(K)]
        for d1, d2 in [(1, 1), (1, 2), (2, 1)]:
            ours = T.decide(ts, zs, d1, d2, time_limit=10, max_nodes=60)
            other = T.nra_fits(ts, zs, d1, d2, timeout_ms=3000)
            if other is None or ours.status == "unknown":
                continue
            compared += 1
            assert (ours.status == "yes") == other, (ts, zs, d1, d2, ours.method)
    assert compared >= 10


def test_alternating_four_points():
    ts, zs = _line(ysj_theorem_3_3_dataset(4))
    assert T.decide(ts, zs, 1, 1).status == "no"
    assert T.decide(ts, zs, 1, 1).proved and T.decide(ts, zs, 1, 1).method == "monotone"
    d = T.decide(ts, zs, 2, 2)
    assert d.status == "yes" and d.proved


def test_least_width_small():
    r = T.least_width([Q(1), Q(2), Q(3)], [Q(0), Q(0), Q(1)])
    assert r["least"] == 2 and r["pairs"] == [(1, 1)]


def test_cli_three_layer_width(tmp_path, capsys):
    from ftcexact.cli.main import main
    path = tmp_path / "d.json"
    write_json_atomic(dataset_to_json(_dataset([1, 2, 3, 4], [0, 0, 1, 0])), str(path))
    assert main(["three-layer-width", str(path), "--json", "--time-limit", "10"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["least"] == 3 and all(d.get("verified", True) for d in rec["decisions"])


@SLOW
def test_planted_networks_slow():
    rng = random.Random(99)
    for _ in range(40):
        d1, d2 = rng.choice([(1, 2), (2, 1), (2, 2), (1, 3), (3, 1), (2, 3), (3, 2)])
        K = rng.randint(4, 8)
        ts = sorted({Q(rng.randint(-12, 12), 2) for _ in range(3 * K)})[:K]
        net = _random_network(rng, d1, d2)
        zs = [v[0] for v in evaluate(net, [(t,) for t in ts])]
        d = T.decide(ts, zs, d1, d2, time_limit=60, max_nodes=200)
        assert d.status in ("yes", "unknown")


def test_tent_construction_verifies(tmp_path):
    from ftcexact.certificate import make_certificate
    from ftcexact.constructions.tents import tent_network
    rng = random.Random(5)
    for _ in range(30):
        K = rng.randint(1, 12)
        ts = sorted({Q(rng.randint(-30, 30), rng.randint(1, 3)) for _ in range(2 * K)})[:K]
        zs = [Q(rng.randint(-4, 4), rng.randint(1, 2)) if rng.random() < 0.4 else Q(0) for _ in ts]
        ds = _dataset(ts, zs)
        net = tent_network(ts, zs)
        cert = make_certificate(ds, net, construction="three-layer-tents", statement="ftcexact_tents")
        assert ds.N == 0 or cert["claim"]["statement"] == "ftcexact_tents"
        path = tmp_path / "t.json"
        write_json_atomic(cert, str(path))
        assert run(str(path), out=io.StringIO(), err=io.StringIO()) == 0
        assert net.neurons == (2 * ds.N + 1 if ds.N else 0)
