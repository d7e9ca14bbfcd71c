"""[YSJ] ResNet theorem: the construction ysj-resnet, its general-position check, its layout over blocks."""

import random
import re
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftcexact.constructions.gadgets import ConstructionError
from ftcexact.constructions.ysj_resnet import (_affine_dim, general_position_violation, resnet_bound,
                                               resnet_condition, schedule_units, ysj_resnet)
from ftcexact.dataset import Dataset
from ftcexact.kernel.numbers import Q
from ftcexact.resnet import evaluate_resnet

from ..strategies import small
from .test_three_layer import SLOW


def verified(ds, name, **options):
    """Certify, write, run the trusted verifier (residual networks keep their zero-weight units: the
    statement is about networks of the given widths)."""
    import io
    import os
    import tempfile

    from ftcexact.certificate import write_json_atomic
    from ftcexact.constructions import certify
    from ftcexact.kernel import verify
    cert = certify(ds, name, **options)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cert.json")
        write_json_atomic(cert, path)
        out = io.StringIO()
        assert verify.run(path, out=out, err=io.StringIO()) == 0, out.getvalue()
    return cert


def one_hot(classes, dy):
    return tuple(tuple(Q(int(j == c)) for j in range(dy)) for c in classes)


@st.composite
def classification_sets(draw, max_K=16, max_d=4, max_dy=4):
    d = draw(st.integers(1, max_d))
    dy = draw(st.integers(1, max_dy))
    K = draw(st.integers(1, max_K))
    xs = draw(st.lists(st.tuples(*[small] * d), min_size=K, max_size=K, unique=True))
    classes = draw(st.lists(st.integers(0, dy - 1), min_size=K, max_size=K))
    return Dataset(tuple(xs), one_hot(classes, dy))


def named_points(message):
    return [int(i) - 1 for i in re.findall(r"x_(\d+)", message)]


def test_cifar_10_arithmetic():
    """The slides: N = 50 000, d_x = 3072, d_y = 10 gives 126 nodes, against N + d_y = 50 010 (Hardt & Ma)."""
    N, d, dy = 50_000, 3072, 10
    assert Fraction(4 * N, d) == Fraction(15625, 240) and 65 < Fraction(4 * N, d) < Fraction(6511, 100)
    assert resnet_bound(N, d, dy) == 106 and resnet_bound(N, d, dy) + 2 * dy == 126
    assert -(-(4 * N + 6 * dy * d) // d) == 126  # ceil(4N/d_x + 6 d_y), the slides' other form
    assert N + dy == 50_010
    assert resnet_condition([106], 20, N, d, dy) and not resnet_condition([105], 20, N, d, dy)
    assert resnet_condition([50, 56], 20, N, d, dy) and not resnet_condition([106], 19, N, d, dy)


@given(classification_sets(), st.sampled_from(["trapezoid", "hat"]),
       st.sampled_from(["relu", "leaky:1/10:1", "leaky:1/2:3"]), st.integers(2, 4))
def test_memorizes_every_dataset_in_general_position(ds, gadget, activation, layers):
    violation = general_position_violation(list(ds.x))
    try:
        net, info = ysj_resnet(ds, layers=layers, gadget=gadget, activation=activation)
    except ConstructionError as e:
        if "general position" in str(e) or "affine subspace" in str(e):
            assert violation is not None  # it refuses only data the theorem does not cover
            pts = [ds.x[i] for i in named_points(str(e))]
            if len(ds.x) > ds.d:
                assert len(pts) == ds.d + 1 and _affine_dim(pts) < ds.d
            else:
                assert _affine_dim(pts) < len(pts) - 1
            return
        assert ds.d <= 2 and "hold only" in str(e), str(e)  # narrow blocks in one or two dimensions
        return
    assert evaluate_resnet(net, ds.x) == list(ds.targets)
    assert net.widths == info["widths"] and net.activation == activation
    assert resnet_condition(net.widths[:-1], net.widths[-1], ds.K, ds.d, ds.dy)
    units = 4 if gadget == "trapezoid" else 3
    used = info["active_units"]
    assert used[0] == units * info["groups"] and used[1] <= 2 * ds.dy - 2
    assert ds.d * used[0] <= 4 * ds.K + 4 * ds.dy * ds.d  # within the theorem's 4N/d_x + 4 d_y


def random_general_position(rng, K, d, dy, scale=10**6):
    """Random integer points (in general position with overwhelming probability, checked) and classes."""
    while True:
        xs = tuple(tuple(Q(rng.randint(-scale, scale)) for _ in range(d)) for _ in range(K))
        if K > 12 or general_position_violation(list(xs)) is None:
            return Dataset(xs, one_hot([rng.randrange(dy) for _ in range(K)], dy))


@pytest.mark.parametrize("K, d, dy", [(10, 1, 2), (30, 2, 3), (40, 3, 4), (60, 5, 3), (45, 8, 6), (100, 4, 10)])
def test_certificates_at_the_theorems_bound(K, d, dy):
    ds = random_general_position(random.Random(K * d), K, d, dy)
    cert = verified(ds, "ysj-resnet")
    assert cert["claim"]["statement"] == "ysj_resnet"
    assert cert["claim"]["neurons"] == resnet_bound(K, d, dy) + 2 * dy


@pytest.mark.parametrize("d, widths", [(3, [1] * 40), (3, [2, 3] * 8), (4, [5, 0, 7, 1, 1, 9, 3]), (2, [3] * 14),
                                       (2, [2] * 20), (1, [4] * 12), (5, [6, 6, 6, 6])])
def test_any_split_of_the_widths(d, widths):
    ds = random_general_position(random.Random(d), 12, d, 3)
    for activation in ("relu", "leaky:1/10:1"):
        for gadget in ("trapezoid", "hat"):
            net, info = ysj_resnet(ds, widths=widths, activation=activation, gadget=gadget)
            assert evaluate_resnet(net, ds.x) == list(ds.targets), (widths, activation, gadget)
            assert net.widths[:-1] == widths


def test_one_dimension_needs_whole_groups_in_a_block():
    ds = random_general_position(random.Random(1), 6, 1, 2)
    with pytest.raises(ConstructionError, match="hold only"):
        ysj_resnet(ds, widths=[1] * resnet_bound(6, 1, 2))
    assert evaluate_resnet(ysj_resnet(ds, widths=[4] * 8)[0], ds.x) == list(ds.targets)


def test_names_d_plus_one_points_on_a_hyperplane():
    xs = ((Q(0), Q(0)), (Q(1), Q(1)), (Q(5), Q(0)), (Q(2), Q(2)), (Q(0), Q(7)))  # x_1, x_2, x_4 on y = x
    ds = Dataset(xs, one_hot([0, 1, 0, 1, 0], 2))
    with pytest.raises(ConstructionError, match=r"not in general position: x_1, x_2, x_4 \(d_x \+ 1 = 3 points\)"):
        ysj_resnet(ds)
    xs3 = tuple((Q(i), Q(2 * i), Q(3 * i)) for i in range(3))  # N = 3 <= d_x: vacuous, but collinear
    ds3 = Dataset(xs3, one_hot([0, 1, 1], 2))
    with pytest.raises(ConstructionError, match="affine subspace of dimension 1"):
        ysj_resnet(ds3)
    # the points the construction does not move are not checked: class 0 gets shift 0
    ok = Dataset(xs3, one_hot([0, 1, 0], 2))
    assert evaluate_resnet(ysj_resnet(ok)[0], ok.x) == list(ok.targets)


def test_refusals():
    ds = Dataset(((Q(0),), (Q(1),)), ((Q(1), Q(0)), (Q(1), Q(1))))
    with pytest.raises(ConstructionError, match="not one-hot"):
        ysj_resnet(ds)
    good = Dataset(((Q(0),), (Q(1),)), one_hot([0, 1], 2))
    for bad in ("leaky:1:1", "leaky:2:1", "leaky:-1:1"):
        with pytest.raises(ConstructionError, match="S\\+ > S- >= 0"):
            ysj_resnet(good, activation=bad)
    with pytest.raises(ConstructionError, match="gadget"):
        ysj_resnet(good, gadget="bump")
    with pytest.raises(ConstructionError, match="head needs 2 units"):
        ysj_resnet(good, head=1)
    with pytest.raises(ConstructionError, match="hold only"):
        ysj_resnet(good, widths=[3])


def test_single_class_and_duplicates():
    ds = Dataset(((Q(0), Q(1)), (Q(2), Q(3)), (Q(0), Q(1))), one_hot([1, 1, 1], 3))
    net, info = ysj_resnet(ds)
    assert evaluate_resnet(net, ds.x) == list(ds.targets) and info["active_units"] == [0, 0]
    assert info["distinct_points"] == 2


@given(st.integers(0, 12), st.sampled_from([3, 4]), st.lists(st.integers(0, 9), min_size=1, max_size=12),
       st.integers(1, 5))
def test_schedule(n_groups, n_u, widths, d):
    try:
        placement, start, end, gplus = schedule_units(n_groups, n_u, widths, d)
    except ConstructionError:
        assert d < 3 or sum(widths) < n_u * n_groups  # for d >= 3 only a lack of room refuses
        return
    units = [p for blk in placement for p in blk]
    assert units == [(g, k) for g in range(n_groups) for k in range(n_u)]  # every unit once, in order
    assert all(len(blk) <= w for blk, w in zip(placement, widths))
    for g in range(n_groups):
        blocks = [l for l, blk in enumerate(placement) if any(p[0] == g for p in blk)]
        assert (blocks[0], blocks[-1]) == (start[g], end[g])
        constraints = (start[g] != end[g]) + (gplus[g] is not None)
        assert constraints <= d - 1 or (constraints == 0)
        if gplus[g] is not None:
            assert start[gplus[g]] == end[g] != end[gplus[g]]


@SLOW
def test_cifar_10_ratio_instance():
    """N / d_x = 50000 / 3072 exactly: N = 3125, d_x = 192, d_y = 10 gives 106 + 20 = 126 nodes."""
    ds = random_general_position(random.Random(0), 3125, 192, 10, scale=1000)
    cert = verified(ds, "ysj-resnet")
    assert cert["claim"]["neurons"] == 126


def test_cli_refuses_data_not_in_general_position(tmp_path, capsys):
    import json

    from ftcexact.cli.main import main
    from ftcexact.dataset import dataset_to_json
    xs = ((Q(0), Q(0)), (Q(1), Q(1)), (Q(5), Q(0)), (Q(2), Q(2)), (Q(0), Q(7)))
    data = tmp_path / "d.json"
    data.write_text(json.dumps(dataset_to_json(Dataset(xs, one_hot([0, 1, 0, 1, 0], 2)))))
    out = tmp_path / "c.json"
    assert main(["certify", str(data), "--construction", "ysj-resnet", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "x_1, x_2, x_4" in err and not out.exists()
    good = Dataset(((Q(0), Q(0)), (Q(1), Q(1)), (Q(5), Q(0)), (Q(2), Q(3)), (Q(0), Q(7))), one_hot([0, 1, 0, 1, 0], 2))
    data.write_text(json.dumps(dataset_to_json(good)))
    assert main(["certify", str(data), "--construction", "ysj-resnet", "--layers", "4", "-o", str(out)]) == 0
    assert main(["verify", str(out)]) == 0
