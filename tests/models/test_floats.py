"""Exact float -> rational conversion and correctly rounded rational -> float."""

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftcexact.kernel.numbers import Q
from ftcexact.models import ModelError
from ftcexact.models.floats import exact_matrix, exact_values, is_representable, round_rational

F32_MAX = float(np.finfo(np.float32).max)


def fr(q):
    return Fraction(int(q.numerator), int(q.denominator))


def reference_float32(x):
    """Nearest float32 to the Fraction x, ties to even, by checking float32 neighbours exactly."""
    approx = np.float32(float(x))  # within a couple of float32 ulps of the answer
    cands = {approx}
    for _ in range(3):
        cands |= {np.nextafter(c, np.float32(np.inf)) for c in cands} | \
                 {np.nextafter(c, np.float32(-np.inf)) for c in cands}
    cands = [c for c in cands if np.isfinite(c)]
    best = min(abs(Fraction(float(c)) - x) for c in cands)
    ties = [c for c in cands if abs(Fraction(float(c)) - x) == best]
    if len(ties) > 1:
        ties = [c for c in ties if int(np.array(c, dtype=np.float32).view(np.uint32)) % 2 == 0]
    return float(ties[0])


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float64_values_are_exact(x):
    assert fr(exact_values(np.array([x]), "w")[0]) == Fraction(x)


@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_float32_and_float16_values_are_exact(x):
    for dtype in (np.float32, np.float16):
        with np.errstate(over="ignore"):
            v = dtype(x)
        if np.isfinite(v):
            assert fr(exact_values(np.array([v]), "w")[0]) == Fraction(float(v))


def test_bfloat16_and_integers_exact():
    ml = pytest.importorskip("ml_dtypes")
    a = np.array([1.5, -3.0, 1e-3], dtype=ml.bfloat16)
    assert [fr(q) for q in exact_values(a, "w")] == [Fraction(float(v)) for v in a.astype(np.float32)]
    assert [fr(q) for q in exact_values(np.array([2**62, -3], dtype=np.int64), "w")] == [2**62, -3]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_refused_with_index(bad):
    a = np.zeros((2, 3), dtype=np.float32)
    a[1, 2] = bad
    with pytest.raises(ModelError, match=r"layer W\[1, 2\]: .* is not a finite number"):
        exact_matrix(a, "layer W")


def test_unsupported_dtypes_refused():
    for arr in (np.array([1.0], dtype=np.longdouble) if np.finfo(np.longdouble).nmant > 52 else None,
                np.array(["a"]), np.array([True]), np.array([1 + 2j])):
        if arr is not None:
            with pytest.raises(ModelError, match="unsupported element type"):
                exact_values(arr, "w")


@given(st.fractions())
def test_float64_rounding_matches_python(x):
    # int / int true division (Fraction.__float__) is correctly rounded in CPython
    try:
        want = float(x)
    except OverflowError:
        return
    assert round_rational(Q(x.numerator, x.denominator), "float64") == want


@given(st.fractions(min_value=-1e39, max_value=1e39))
def test_float32_rounding_is_nearest_ties_even(x):
    q = Q(x.numerator, x.denominator)
    if abs(x) >= Fraction(F32_MAX) + Fraction(2**103):  # from the rounding boundary: overflow
        with pytest.raises(ModelError, match="overflows float32"):
            round_rational(q, "float32")
        return
    got = round_rational(q, "float32")
    assert got == reference_float32(x)
    assert float(np.float32(got)) == got


@given(st.integers(-2**30, 2**30), st.integers(-160, 140))
def test_float32_dyadic_near_ties(m, e):
    # m * 2^e with many bits hits exact ties and subnormals
    x = Fraction(m) * Fraction(2) ** e
    q = Q(x.numerator, x.denominator)
    if abs(x) >= Fraction(F32_MAX) + Fraction(2**103):
        return
    assert round_rational(q, "float32") == reference_float32(x)


def test_double_rounding_example():
    q = Q(1) + Q(1, 2**24) + Q(1, 2**60)
    assert round_rational(q, "float32") == 1 + 2**-23
    assert float(np.float32(float(q))) == 1.0  # what rounding through float64 gives


def test_subnormals_ties_and_overflow_boundary():
    tiny = Q(1, 2**149)
    assert round_rational(tiny, "float32") == 2.0**-149
    assert round_rational(tiny / 2, "float32") == 0.0  # a tie between 0 and 2^-149: even is 0
    assert round_rational(tiny * 3 / 2, "float32") == 2.0**-148  # tie between 1 and 2 ulps: even is 2
    assert round_rational(Q(1, 2**1075), "float64") == 0.0
    assert round_rational(Q(3, 2**1076), "float64") == 5e-324
    top = Fraction(F32_MAX)
    half_ulp = Fraction(2) ** 103
    assert round_rational(Q(top + half_ulp - Fraction(1, 10**9)), "float32") == F32_MAX
    with pytest.raises(ModelError, match="overflows float32"):
        round_rational(Q(top + half_ulp), "float32")  # the tie rounds to even = 2^128: overflow
    assert round_rational(Q(-7, 3), "float64") == -7 / 3
    assert is_representable(Q(1, 4), "float32") and not is_representable(Q(1, 3), "float64")
    with pytest.raises(ModelError, match="unsupported dtype"):
        round_rational(Q(1), "float16")


def test_overflow_names_weight():
    with pytest.raises(ModelError, match=r"^layer 0 W\[1\]\[2\] = 2\^1100 overflows float64"):
        round_rational(Q(2**1100), "float64", "layer 0 W[1][2]")
    assert math.isfinite(round_rational(Q(2**1023), "float64"))
