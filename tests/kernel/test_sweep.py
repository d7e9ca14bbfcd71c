"""The one-direction sweep split at rank-one layers (ftcexact/kernel/sweep.py) against dense evaluation."""

import io
import json
import random

import pytest

from ftcexact.kernel import verify
from ftcexact.kernel.data import Block
from ftcexact.kernel.evaluate import evaluate_dense, rank_one, read_net
from ftcexact.kernel.numbers import Q, format_rational
from ftcexact.kernel.sweep import Sweep


def _q(rng):
    return Q(rng.randint(-6, 6), rng.choice([1, 1, 2, 3]))


def _net(rng, d, widths, rank_one_at=(), almost=False, dy=3):
    """A random ReLU network whose first layer reads one direction and whose hidden layers listed in
    ``rank_one_at`` (indices into the layers) have rows ``beta_k v``; with ``almost`` one entry of each
    such layer is moved off the line (so it is rank two)."""
    w = [Q(rng.randint(1, 5))] + [_q(rng) for _ in range(d - 1)]
    layers, cols = [], d
    for l, n in enumerate(widths + [dy]):
        if l == 0:
            W = [[alpha * v for v in w] for alpha in [_q(rng) or Q(1) for _ in range(n)]]
        elif l in rank_one_at:
            v = [_q(rng) for _ in range(cols)]
            v[0] = Q(1)
            W = [[beta * x for x in v] for beta in [_q(rng) or Q(1) for _ in range(n)]]
            if almost:
                W[-1][1] += Q(1, 7)  # v[0] = 1: the last row is no longer a multiple of v
        else:
            W = [[_q(rng) if rng.random() < 0.7 else Q(0) for _ in range(cols)] for _ in range(n)]
        layers.append({"W": [[format_rational(x) for x in row] for row in W],
                       "b": [format_rational(_q(rng)) for _ in range(n)]})
        cols = n
    return read_net(layers, d)


def _compare(net, rng, d, points=40):
    X = [[rng.randint(-40, 40) for _ in range(d)] for _ in range(points)]
    dense = evaluate_dense(net, X, 4)
    sweep = Sweep(net, lambda line: None)
    assert sweep.bps is not None
    got = [v for v, _ in sweep.values(Block([None] * points, None, exact=(X, 4)))]
    assert got == dense
    return sweep


@pytest.mark.parametrize("seed", range(40))
def test_rank_one_split_agrees_with_dense(seed):
    rng = random.Random(seed)
    d = rng.randint(1, 4)
    widths = [rng.randint(1, 5) for _ in range(rng.randint(2, 4))]
    at = {rng.randint(1, len(widths) - 1)}
    sweep = _compare(_net(rng, d, widths, at), rng, d)
    assert len(sweep.stages) >= 2  # split at least once


@pytest.mark.parametrize("seed", range(20))
def test_almost_rank_one_is_not_split_and_still_agrees(seed):
    rng = random.Random(1000 + seed)
    d = rng.randint(1, 3)
    widths = [rng.randint(2, 5) for _ in range(3)]
    net = _net(rng, d, widths, {1, 2}, almost=True)
    assert rank_one(net.layers[1][0]) is None and rank_one(net.layers[2][0]) is None
    assert len(_compare(net, rng, d).stages) == 1


def test_rank_one_checks_every_entry():
    v = (Q(1), Q(2), Q(-3))
    W = [tuple(b * x for x in v) for b in (Q(2), Q(0), Q(-1, 3))]
    w, alphas = rank_one(W)
    assert all(tuple(a * x for x in w) == row for a, row in zip(alphas, W)) and alphas[1] == 0
    for i in range(3):
        for j in range(3):
            bad = [list(r) for r in W]
            bad[i][j] += Q(1, 10**9)
            assert rank_one(bad) is None, (i, j)
    assert rank_one([(Q(0), Q(0))]) is None


def test_ysj_classifier_certificate_uses_the_split_and_catches_a_wrong_output(tmp_path):
    from ftcexact.constructions import certify
    from ftcexact.dataset import Dataset
    rng = random.Random(5)
    C, N = 7, 70
    x = [(Q(rng.randint(-10**6, 10**6), 2**10), Q(rng.randint(-10**6, 10**6), 2**10)) for _ in range(N)]
    y = [tuple(Q(1) if j == i % C else Q(0) for j in range(C)) for i in range(N)]
    cert = certify(Dataset(tuple(x), tuple(y)), "ysj-classifier")
    out = io.StringIO()
    assert verify.run(str(tmp_path / "c.json"), out=out, err=io.StringIO(), doc=cert) == 0
    assert "split at rank-one layers" in out.getvalue()
    bad = json.loads(json.dumps(cert))
    bad["network"][-1]["b"][3] = "1/1000000"  # one output off at every point
    assert verify.run(str(tmp_path / "b.json"), out=io.StringIO(), err=io.StringIO(), doc=bad) == 1
    bad = json.loads(json.dumps(cert))
    bad["network"][2]["W"][5][0] = str(Q(bad["network"][2]["W"][5][0]) + Q(1, 3))  # no longer rank one
    out = io.StringIO()
    verify.run(str(tmp_path / "b.json"), out=out, err=io.StringIO(), doc=bad)
    assert "split at rank-one layers" not in out.getvalue()
