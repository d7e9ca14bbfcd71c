"""Exact float-array conversions and projections (ftcexact.numerics.dyadic) against Fraction arithmetic."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ftcexact.numerics import dyadic
from ftcexact.numerics.dyadic import (NonFiniteError, exponent_range, ints_from_words, limb_count, limbs,
                                      project_exact, to_integers, words_from_terms)


def exact(x):
    return Fraction(*float(x).as_integer_ratio()) if not isinstance(x, (int, np.integer)) else Fraction(int(x))


def ref_range(X):
    vals = [exact(x) for x in np.asarray(X).ravel() if x != 0]
    if not vals:
        return None
    lo = min((v.numerator & -v.numerator).bit_length() - 1 - (v.denominator.bit_length() - 1) for v in vals)
    return lo, math.frexp(max(abs(float(v)) for v in vals))[1]


def adversarial(dtype, rng):
    fi = np.finfo(dtype)
    base = [0.0, -0.0, 1.0, -1.5, float(fi.max), -float(fi.max), float(fi.tiny), float(fi.smallest_subnormal),
            -float(fi.smallest_subnormal) * 3, float(fi.eps), 1 + float(fi.eps), 2.0 ** 20 + 1]
    vals = np.concatenate([base, rng.standard_normal(20) * np.exp2(rng.integers(-40, 40, 20))])
    return np.clip(vals, -float(fi.max), float(fi.max)).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_exponent_range_matches_fractions(dtype):
    rng = np.random.default_rng(3)
    for trial in range(30):
        X = adversarial(dtype, rng)
        rng.shuffle(X)
        X = X[:rng.integers(1, len(X))]
        got, ref = exponent_range(X), ref_range(X)
        if ref is None:
            assert got is None
            continue
        assert got[1] == ref[1]
        # the lowest bit is exact except in subnormals, where one less is allowed (documented)
        assert ref[0] - 1 <= got[0] <= ref[0]
        if not np.any((X != 0) & (np.abs(X) < np.finfo(dtype).tiny)):
            assert got[0] == ref[0]


def test_exponent_range_blocks_and_integers(monkeypatch):
    monkeypatch.setattr(dyadic, "BLOCK_ENTRIES", 7)
    X = np.array([[3.0, 0.5], [0.0, 1024.0], [0.125, -6.0], [0.0, 0.0]])
    assert exponent_range(X) == (-3, 11)
    assert exponent_range(np.array([0, -12, 40], dtype=np.int32)) == (0, 6)
    assert exponent_range(np.zeros(5)) is None
    with pytest.raises(TypeError):
        exponent_range(np.array([True, False]))


def test_nonfinite_positions_are_reported():
    X = np.ones((4, 3), dtype=np.float32)
    X[1, 2], X[3, 0] = np.nan, -np.inf
    with pytest.raises(NonFiniteError) as e:
        exponent_range(X)
    assert e.value.positions.tolist() == [[1, 2], [3, 0]] and e.value.count == 2
    with pytest.raises(NonFiniteError):
        project_exact(X, [1, 2, 3])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_to_integers_and_limbs_are_exact(dtype):
    rng = np.random.default_rng(5)
    for wide in (False, True):
        X = adversarial(dtype, rng) if wide else rng.standard_normal(30).astype(dtype)
        M, e = to_integers(X)
        assert all(Fraction(int(m)) * Fraction(2) ** e == exact(x) for m, x in zip(M, X))
        assert M.dtype == (object if wide else np.int64)
        lo, hi = exponent_range(X)
        for bits in (3, 26, 52):
            n = limb_count(lo, hi, e, bits)
            L = limbs(X, e, bits, n)
            assert np.abs(L).max() <= 2 ** (bits - 1)
            back = [sum(int(L[b, i]) << (bits * b) for b in range(n)) for i in range(len(X))]
            assert back == [int(m) for m in M]


def test_words_round_trip():
    rng = np.random.default_rng(0)
    for trial in range(20):
        terms = [(int(rng.integers(0, 300)), rng.integers(-2 ** 53, 2 ** 53, 17)) for _ in range(rng.integers(1, 9))]
        got = ints_from_words(words_from_terms(terms, 17))
        ref = [sum(int(v[i]) << s for s, v in terms) for i in range(17)]
        assert got.tolist() == ref


def ref_projection(X, a):
    return [sum(exact(x) * Fraction(v) for x, v in zip(row, a)) for row in X]


DIRECTIONS = [
    lambda d, r: [1] * d,
    lambda d, r: [2 ** j for j in range(d)],
    lambda d, r: [3 ** j for j in range(d)],
    lambda d, r: [Fraction(int(r.integers(-999, 999)), int(r.integers(1, 99))) for _ in range(d)],
    lambda d, r: [float(v) for v in r.standard_normal(d)],
    lambda d, r: [0] * (d - 1) + [Fraction(1, 3)],
]


@pytest.mark.parametrize("make_a", DIRECTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_project_exact_matches_fractions(make_a, dtype):
    rng = np.random.default_rng(7)
    for d in (1, 5, 64):
        if dtype == np.int64:
            X = rng.integers(-2 ** 40, 2 ** 40, (40, d))
        else:
            X = (rng.standard_normal((40, d)) * np.exp2(rng.integers(-30, 30, (40, d)))).astype(dtype)
            X[3] = 0.0
        a = make_a(d, rng)
        num, den = project_exact(X, a, block_rows=16)
        assert [Fraction(int(n), den) for n in num] == ref_projection(X, a)


def test_project_exact_int64_only_when_safe():
    X = np.array([[1.0, 2.0], [0.5, 0.25]], dtype=np.float32)
    num, den = project_exact(X, [1, 1])
    assert num.dtype == np.int64 and num.tolist() == [12, 3] and den == 4
    num, den = project_exact(X, [2 ** 70, 1])
    assert num.dtype == object and [Fraction(int(n), den) for n in num] == ref_projection(X, [2 ** 70, 1])


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
                  elements=st.floats(allow_nan=False, allow_infinity=False, width=64)),
       st.lists(st.fractions(max_denominator=10 ** 6), min_size=6, max_size=6))
def test_project_exact_property(X, a):
    a = a[:X.shape[1]]
    num, den = project_exact(X, a)
    assert [Fraction(int(n), den) for n in num] == ref_projection(X, a)
