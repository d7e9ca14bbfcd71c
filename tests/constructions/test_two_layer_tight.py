"""The K - 2 construction (docs/theorems/two-layer-capacity.md): lemmas, theorem, certificates, oracle.

Lemma 1 (one kink in a gap), Lemma 2 (two kinks in a gap) and Lemma 3 (slopes and orientation of a
one-hidden-layer network) are checked exhaustively on small integer grids and with hypothesis;
Theorem 1 (K - 2 neurons for K >= 5) on every integer chord vector of a grid that realises every
weak order of (s_1, ..., s_4, 0), on every sign pattern of the slope changes up to K = 10, through
the trusted verifier up to K = 40 (larger sweeps behind FTCEXACT_SLOW), and against the exact oracle.
"""

import io
import itertools
import os
import random
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftcexact.analysis.interpolation import min_pieces
from ftcexact.analysis.lower_bounds import ftc_lower_bound_dataset, lower_bound_certificate
from ftcexact.certificate import write_json_atomic
from ftcexact.constructions import CONSTRUCTIONS, certify
from ftcexact.constructions.two_layer_tight import (one_kink_position, tight_fit, tight_units, two_kink_positions,
                                                    units_network, units_value)
from ftcexact.dataset import Dataset, random_dataset
from ftcexact.kernel.verify import run as kernel_run  # dispatches refutations on their format
from ftcexact.kernel.numbers import Q
from ftcexact.network import evaluate
from ftcexact.search.oracle import free_kinks, min_width, refutation

from ..strategies import datasets

SLOW = pytest.mark.skipif(not os.environ.get("FTCEXACT_SLOW"), reason="long run: set FTCEXACT_SLOW=1")
ZERO = Q(0)
small = st.builds(lambda p, q: Q(p, q), st.integers(-30, 30), st.integers(1, 5))


def verified(obj, tmp_path, name="c.json"):
    path = tmp_path / name
    write_json_atomic(obj, path)
    return kernel_run(str(path), out=io.StringIO(), err=io.StringIO()) == 0


def from_chords(ts, z1, chords):
    zs = [z1]
    for g, s in enumerate(chords):
        zs.append(zs[-1] + s * (ts[g + 1] - ts[g]))
    return zs


def chords_of(ts, zs):
    return [(zs[g + 1] - zs[g]) / (ts[g + 1] - ts[g]) for g in range(len(ts) - 1)]


def random_ts(rng, K, spread=6):
    ts, t = [], Q(rng.randint(-20, 20), rng.randint(1, 3))
    for _ in range(K):
        ts.append(t)
        t += Q(rng.randint(1, 4 * spread), rng.randint(1, 4))
    return ts


def zigzag(rng, K, ts=None):
    """Points whose K - 2 slope changes are all nonzero and alternate in sign (they need K - 2 kinks)."""
    ts = ts or random_ts(rng, K)
    s = [Q(rng.randint(-9, 9), rng.randint(1, 3))]
    sign = rng.choice([1, -1])
    for _ in range(K - 2):
        s.append(s[-1] + sign * Q(rng.randint(1, 12), rng.randint(1, 4)))
        sign = -sign
    return ts, from_chords(ts, Q(rng.randint(-5, 5)), s)


def check_theorem_instance(ts, zs):
    """Theorem 1 on one instance: values, count, kink locations and orientations as the proof says."""
    K = len(ts)
    b, units = tight_units(ts, zs)
    assert [units_value(b, units, t) for t in ts] == zs
    s = chords_of(ts, zs)
    changes = [s[j] - s[j - 1] for j in range(1, K - 1)]  # at t_2 .. t_{K-1}
    assert len(units) == K - 2 - sum(1 for c in changes[3:] if c == 0) <= K - 2
    (oh, rh, ch), (ol, rl, cl), (orr, rr, cr) = units[:3]
    assert oh == 1 and ch != 0
    assert (ts[0] < rh < ts[1]) if s[1] != s[0] else rh == ts[0] - 1
    assert ol == -1 and orr == 1 and ts[2] < rl < ts[3] and ts[2] < rr < ts[3] and cl * cr < 0
    tail = [r for o, r, _ in units[3:]]
    assert all(o == 1 for o, _, _ in units[3:]) and all(r in ts[4:K - 1] for r in tail)
    # left of every kink the slope is -c_L (Lemma 3), and it lies strictly beyond s_1 as seen from s_2
    left = min(r for _, r, _ in units) - 1
    slope = units_value(b, units, left) - units_value(b, units, left - 1)
    assert slope == -cl
    if s[1] != s[0]:
        assert (s[0] - slope) * (s[1] - s[0]) > 0
    return units


# ---------------------------------------------------------------- Lemma 1: one kink in a gap

def _one_kink_increment(a, b, u, v, r):
    return u * (r - a) + v * (b - r)


def test_lemma_1_exhaustive():
    grid = [Q(n, 2) for n in range(-6, 7)]
    checked = 0
    for a, b in [(ZERO, Q(1)), (Q(-1, 2), Q(3)), (Q(5), Q(17, 3))]:
        for u, v, s in itertools.product(grid, repeat=3):
            between = u < s < v or v < s < u
            if not between:
                with pytest.raises(ValueError):
                    one_kink_position(a, b, u, v, s)
                # no kink in the closed gap works either: the increment is affine in r with end values
                # v (b - a) at r = a and u (b - a) at r = b, so s (b - a) is hit inside only between them
                if u != v:
                    ends = sorted([_one_kink_increment(a, b, u, v, a), _one_kink_increment(a, b, u, v, b)])
                    assert not ends[0] < s * (b - a) < ends[1]
                continue
            r = one_kink_position(a, b, u, v, s)
            assert a < r < b
            assert _one_kink_increment(a, b, u, v, r) == s * (b - a)
            # the same as a network: a right-facing neuron, and a left-facing one with the slope shifted
            net = [(1, r, v - u)]
            assert units_value(ZERO, net, b) - units_value(ZERO, net, a) + u * (b - a) == s * (b - a)
            checked += 1
    assert checked > 1000


@given(small, small, small, small, st.integers(1, 40))
def test_lemma_1_random(u, v, s, a, width):
    b = a + Q(width, 3)
    if not (u < s < v or v < s < u):
        with pytest.raises(ValueError):
            one_kink_position(a, b, u, v, s)
        return
    r = one_kink_position(a, b, u, v, s)
    assert a < r < b and _one_kink_increment(a, b, u, v, r) == s * (b - a)


# ---------------------------------------------------------------- Lemma 2: two kinks in a gap

def _two_kink_increment(a, b, u, cp, cm, rp, rm):
    return u * (b - a) + cp * (b - rp) + cm * (b - rm)


def test_lemma_2_exhaustive():
    checked = 0
    for a, b in [(ZERO, Q(1)), (Q(-7, 3), Q(2))]:
        for u, s in itertools.product([Q(n, 2) for n in range(-5, 6)], repeat=2):
            for cp in [Q(n, 2) for n in range(1, 7)]:
                for cm in [Q(n, 2) for n in range(-6, 0)]:
                    if not cm < s - u < cp:
                        with pytest.raises(ValueError):
                            two_kink_positions(a, b, u, cp, cm, s)
                        # the increment over r+, r- in the closed gap lies in [u + cm, u + cp] (b - a),
                        # so no placement matches a chord outside the open interval
                        assert not (u + cm) * (b - a) < s * (b - a) < (u + cp) * (b - a)
                        continue
                    rp, rm = two_kink_positions(a, b, u, cp, cm, s)
                    assert a < rp < b and a < rm < b
                    assert _two_kink_increment(a, b, u, cp, cm, rp, rm) == s * (b - a)
                    checked += 1
    with pytest.raises(ValueError):
        two_kink_positions(ZERO, Q(1), ZERO, Q(1), Q(1), Q(1, 2))  # c- must be negative
    assert checked > 1000


@given(small, small, small.filter(lambda c: c > 0), small.filter(lambda c: c < 0), small, st.integers(1, 40))
def test_lemma_2_random(u, s, cp, cm, a, width):
    b = a + Q(width, 7)
    if not cm < s - u < cp:
        with pytest.raises(ValueError):
            two_kink_positions(a, b, u, cp, cm, s)
        return
    rp, rm = two_kink_positions(a, b, u, cp, cm, s)
    assert a < rp < b and a < rm < b and _two_kink_increment(a, b, u, cp, cm, rp, rm) == s * (b - a)


# ---------------------------------------------------------------- Lemma 3: slopes of a one-hidden-layer network

def test_lemma_3_every_orientation_pattern():
    """Slope -sum_L c left of all kinks, +sum_R c right of them, and a jump of c at each kink."""
    rng = random.Random(3)
    for n in range(1, 6):
        for orient in itertools.product([1, -1], repeat=n):
            rs = sorted({Q(rng.randint(-30, 30), rng.randint(1, 3)) for _ in range(4 * n)})[:n]
            cs = [Q(rng.choice([-1, 1]) * rng.randint(1, 9), rng.randint(1, 3)) for _ in range(n)]
            units = list(zip(orient, rs, cs))
            b = Q(rng.randint(-5, 5))
            lo, hi = rs[0] - 1, rs[-1] + 1
            left = units_value(b, units, lo) - units_value(b, units, lo - 1)
            right = units_value(b, units, hi + 1) - units_value(b, units, hi)
            assert left == -sum(c for o, c in zip(orient, cs) if o == -1)
            assert right == sum(c for o, c in zip(orient, cs) if o == 1)
            for k, r in enumerate(rs):
                eps = Q(1, 1000)  # smaller than the distance between distinct kinks here
                before = (units_value(b, units, r) - units_value(b, units, r - eps)) / eps
                after = (units_value(b, units, r + eps) - units_value(b, units, r)) / eps
                assert after - before == sum(c for rr, c in zip(rs, cs) if rr == r)


# ---------------------------------------------------------------- Theorem 1

def test_theorem_1_every_chord_order_K5():
    """Every integer chord vector in [-4, 4]^4: this realises every weak order of (s_1, ..., s_4, 0)."""
    rng = random.Random(5)
    spacings = [[Q(i) for i in range(1, 6)], random_ts(rng, 5), [Q(0), Q(1, 10), Q(11, 10), Q(6, 5), Q(11, 5)]]
    count, patterns = 0, set()
    for chords in itertools.product(range(-4, 5), repeat=4):
        values = sorted(set(chords + (0,)))
        patterns.add(tuple(values.index(v) for v in chords + (0,)))
        for ts in spacings:
            check_theorem_instance(ts, from_chords(ts, Q(rng.randint(-3, 3)), [Q(c) for c in chords]))
            count += 1
    assert count == 9 ** 4 * 3
    assert len(patterns) == 541  # the ordered Bell number of 5: every weak order of 5 items occurs


def test_theorem_1_every_chord_vector_K6():
    rng = random.Random(6)
    for chords in itertools.product(range(-2, 3), repeat=5):
        ts = random_ts(rng, 6)
        check_theorem_instance(ts, from_chords(ts, ZERO, [Q(c, 2) for c in chords]))


def test_theorem_1_every_sign_pattern_of_slope_changes():
    """All 3^(K-2) patterns of signs (+, 0, -) of the slope changes at t_2..t_{K-1}, K = 5..10."""
    rng = random.Random(7)
    count = 0
    for K in range(5, 11):
        for signs in itertools.product([1, 0, -1], repeat=K - 2):
            ts = random_ts(rng, K)
            s = [Q(rng.randint(-6, 6), rng.randint(1, 3))]
            for sg in signs:
                s.append(s[-1] + sg * Q(rng.randint(1, 9), rng.randint(1, 3)))
            units = check_theorem_instance(ts, from_chords(ts, Q(rng.randint(-4, 4)), s))
            if all(signs):
                assert len(units) == K - 2
            count += 1
    assert count == sum(3 ** (K - 2) for K in range(5, 11))


@given(st.integers(5, 60), st.randoms(use_true_random=False))
def test_theorem_1_random_large(K, rng):
    ts = random_ts(rng, K)
    zs = [Q(rng.randint(-20, 20), rng.randint(1, 6)) for _ in range(K)]
    check_theorem_instance(ts, zs)
    ts, zs = zigzag(rng, K)
    assert len(check_theorem_instance(ts, zs)) == K - 2 == free_kinks(ts, zs)


def test_fewer_than_five_points_are_refused():
    for K in range(1, 5):
        with pytest.raises(ValueError):
            tight_units([Q(i) for i in range(K)], [ZERO] * K)
    with pytest.raises(ValueError):
        tight_units([Q(i) for i in (1, 2, 2, 3, 4)], [ZERO] * 5)


# ---------------------------------------------------------------- the registered construction

def test_registered():
    assert "two-layer-tight" in CONSTRUCTIONS


@given(datasets(max_K=20))
def test_fit_interpolates_within_min_3N_K_minus_2(ds):
    net, info = tight_fit(ds)
    assert evaluate(net, ds.x) == list(ds.targets)
    K = len(set(ds.x))
    if K >= 5:
        N = len({x for x, z in zip(ds.x, ds.targets) if z[0]})
        assert net.neurons <= info["bound"] == min(3 * N, K - 2)
        assert info["method"] == ("oriented" if K >= 2 * N + 2 else "zigzag pair")
    else:
        assert net.neurons <= info["bound"] <= K - 1


def test_vector_targets_fall_back_to_oriented():
    """Vector targets used to be refused; now rank-2 targets get two-layer-oriented (K - 1 here, K <= 2N + 1)."""
    ds = Dataset(tuple((Q(i),) for i in range(6)), tuple((Q(i), Q(1)) for i in range(6)))
    net, info = tight_fit(ds)
    assert info["method"] == "oriented" and net.neurons <= info["bound"] == 5
    assert evaluate(net, ds.x) == list(ds.targets)


def _sweep(tmp_path, count, K_max, seed):
    """Certify random datasets with 5 <= K <= 2N + 1 and zigzags; every certificate must verify."""
    rng = random.Random(seed)
    exact = 0
    for n in range(count):
        K = rng.randint(5, K_max)
        if n % 2:
            N = rng.randint(K // 2, K)              # K <= 2N + 1
            ds = random_dataset(d=rng.randint(1, 3), K=K, N=N, seed=rng.randrange(10**9), with_f=rng.random() < 0.3,
                                magnitude=6, denominator=6)
        else:
            ts, zs = zigzag(rng, K)
            ds = Dataset(tuple((t,) for t in ts), tuple((z,) for z in zs))
        cert = certify(ds, "two-layer-tight")
        assert verified(cert, tmp_path), cert["claim"]
        neurons = cert["claim"]["neurons"]
        assert neurons <= cert["hints"]["recipe_neurons"] == K - 2 if K <= 2 * ds.N + 1 else neurons <= min(3 * ds.N, K - 2)
        if n % 2 == 0:   # a zigzag: exactly K - 2, and piece counting proves no network has fewer
            lower = lower_bound_certificate(ds, "two-layer", "zigzag needs K - 2")
            assert verified(lower, tmp_path, "l.json") and lower["claim"]["bound"] == neurons == K - 2
            exact += 1
    return exact


def test_certified_random_datasets_up_to_K40(tmp_path):
    assert _sweep(tmp_path, 240, 40, 11) == 120


def test_certified_on_the_paper_datasets_with_K_at_most_2N_plus_1(tmp_path):
    """The §4.1 datasets (as revised for K < 3N + 2) are zigzags: exactly K - 2 neurons, matching the lower bound."""
    count = 0
    for K in range(5, 41):
        for N in range(K // 2, K + 1):          # K <= 2N + 1
            ds = ftc_lower_bound_dataset(N, K)
            cert = certify(ds, "two-layer-tight")
            assert verified(cert, tmp_path), (N, K)
            assert cert["claim"]["neurons"] == K - 2 == min_pieces([x[0] for x in ds.x],
                                                                   [z[0] for z in ds.targets])[0] - 1
            count += 1
    assert count > 300


@SLOW
def test_certified_sweep_large(tmp_path):
    start = time.perf_counter()
    assert _sweep(tmp_path, 3000, 120, 12) == 1500
    print(f"3000 certificates up to K = 120 in {time.perf_counter() - start:.0f} s")


# ---------------------------------------------------------------- against the exact oracle

def test_oracle_never_needs_more_and_zigzags_need_exactly_K_minus_2():
    rng = random.Random(13)
    for n in range(60):
        K = rng.randint(5, 8)
        if n % 2:
            ts, zs = zigzag(rng, K)
        else:
            ts = random_ts(rng, K)
            zs = [Q(rng.randint(-3, 3)) for _ in range(K)]
        ds = Dataset(tuple((t,) for t in ts), tuple((z,) for z in zs))
        net, _ = tight_fit(ds)
        m = min_width(ds)["min_width"]
        assert m <= net.neurons <= K - 2
        if n % 2:
            assert m == net.neurons == K - 2


def test_four_points_can_need_three(tmp_path):
    """K >= 5 is needed: 1, -1, 1, -1 has no width-2 network (checked refutation), so m*(4, 4) = 3."""
    ds = Dataset(tuple((Q(i),) for i in range(1, 5)), tuple((Q((-1) ** (i + 1)),) for i in range(1, 5)))
    path = tmp_path / "r.json"
    write_json_atomic(refutation(ds, 2), path)
    assert kernel_run(str(path), out=io.StringIO(), err=io.StringIO(), expect="ftcexact-refutation") == 0
    net, info = tight_fit(ds)
    assert net.neurons == 3 and info["method"] == "oriented"


def test_lifted_network_reads_the_projection():
    ts, zs = zigzag(random.Random(2), 9)
    b, units = tight_units(ts, zs)
    net = units_network((Q(1), Q(-2)), b, units)
    # points on the plane with a.x = t for a = (1, -2)
    xs = [(t + 2 * Q(k), Q(k)) for k, t in enumerate(ts)]
    assert [v[0] for v in evaluate(net, xs)] == zs


def test_tightness_table_has_no_gap():
    """With two-layer-tight the universal two-layer column meets the certified lower bound in every row."""
    from ftcexact.tightness import two_layer_rows
    rows = two_layer_rows()
    assert rows and all(universal == lower for _, _, _, lower, _, universal, _ in rows)
    assert any(K <= 2 * N + 1 and K >= 5 for N, K, *_ in rows)   # rows that were open before
