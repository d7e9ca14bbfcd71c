"""The [FTC] §7 reproduction on tiny grids: seeded, exact where it claims to be, fast."""

from fractions import Fraction

import numpy as np
import pytest

pytest.importorskip("sklearn")

from ftcexact.analysis.lower_bounds import neurons_needed  # noqa: E402
from ftcexact.experiments.section7 import (  # noqa: E402
    Setup, changed_labels, constant_loss, data_digest, exact_dataset, frozen_f_demonstration, generic_exact_bound,
    growth_fit, least_m, lower_bounds, make_data, run, targets, train_g, widths)

TINY = Setup(K=60, max_iter=100, restarts=1)


def _strip(obj):
    """The result without timings."""
    if isinstance(obj, dict):
        return {k: _strip(v) for k, v in obj.items() if k != "seconds"}
    if isinstance(obj, list):
        return [_strip(v) for v in obj]
    return obj


def test_a_tiny_run_is_reproducible_and_complete():
    a = run([0, 10, 30], [0, 4, 8], TINY, exact_constructions=("three-layer-u3-t", "three-layer-tents"))
    b = run([0, 10, 30], [0, 4, 8], TINY, exact_constructions=("three-layer-u3-t", "three-layer-tents"))
    assert _strip(a) == _strip(b)
    assert a["data"]["sha256"] == data_digest(make_data(60, 10, 0))
    for row in a["rows"]:
        assert {c["m"] for c in row["cells"]} >= {0, 4, 8}
        assert row["least_m"] == least_m(row["cells"], TINY.threshold)
        assert all(e["verified"] for k, e in row["exact"].items() if k != "least")
        assert row["exact"]["three-layer-tents"]["neurons"] == (2 * row["N"] + 1 if row["N"] else 0)
    assert a["rows"][0]["least_m"] == 0  # N = 0: g = 0 fits


def test_the_data_follow_the_printed_distributions_and_the_changed_sets_are_nested():
    data = make_data(K=1000, d=10, seed=0)
    assert data["X"].shape == (1000, 10) and abs(data["X"].mean()) < 0.05 and abs(data["X"].std() - 1) < 0.05
    assert data["y"].min() >= -1 and data["y"].max() <= 1
    T1, _ = changed_labels(data, 10)
    T2, _ = changed_labels(data, 50)
    assert set(T1) <= set(T2) and len(T2) == 50


def test_targets_vanish_off_T_and_the_exact_targets_are_exact():
    data = make_data(K=30, d=3, seed=2)
    T, y2 = changed_labels(data, 7)
    z = targets(data, 7)
    assert np.count_nonzero(z) == 7 and set(np.flatnonzero(z)) == set(T)
    ds = exact_dataset(data, 7)
    assert ds.T == [int(i) + 1 for i in T]
    for i in range(30):
        assert ds.targets[i][0] == Fraction(float(y2[i])) - Fraction(float(data["y"][i]))


def test_widths_least_m_and_the_constant_network():
    assert [widths(m) for m in (0, 1, 2, 9)] == [(0, 0), (1, 0), (1, 1), (5, 4)]
    assert least_m([{"m": 12, "loss": 0.01}, {"m": 4, "loss": 0.039}, {"m": 8, "loss": 0.2}], 0.04) == 4
    assert least_m([{"m": 4, "loss": 0.05}], 0.04) is None
    z = np.array([0.0, 0.0, 2.0])
    cell = train_g(np.zeros((3, 2)), z, 1, TINY)  # an empty second layer: a constant
    assert cell["loss"] == constant_loss(z) and cell["iterations"] == [0]


def test_the_lower_bounds_are_the_certified_worst_case():
    for N, K in ((0, 20), (3, 20), (7, 20), (20, 20)):
        lb = lower_bounds(N, K)
        q = min(3 * N, K - 2)
        assert lb["three-layer"]["verified"] and lb["two-layer"]["verified"]
        assert lb["three-layer"]["bound"] == neurons_needed("three-layer", q + 1)
        assert lb["two-layer"]["bound"] == q
        m = lb["theorem_5_1"]["integer"]
        assert m * (m + 1) >= 2 * q and (m == 0 or (m - 1) * m < 2 * q)


def test_the_generic_parameter_count_bound():
    # max over d1 + d2 = m of 11 d1 + d2 (d1 + 1) + d2 + 1 first reaches 500 at m = 33
    assert generic_exact_bound(500) == 33
    assert [generic_exact_bound(n) for n in (0, 1, 2, 15, 16)] == [0, 2, 2, 2, 3]


def test_growth_fit_recovers_a_square_root():
    fit = growth_fit([25, 100, 400, 900], [10, 20, 40, 60])
    assert fit["c"] == pytest.approx(2.0) and fit["exponent"] == pytest.approx(0.5) and fit["points"] == 4


def test_an_exact_f_and_f_plus_g_are_certified():
    out = frozen_f_demonstration(make_data(K=40, d=10, seed=1), 5)
    assert out["f_verified"] and out["g_with_frozen_f_verified"]
    assert out["f_neurons"] > 0 and out["g_neurons"] > 0
