import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftcexact.kernel.numbers import (BACKEND, Q, RationalError, as_rational, bit_size, format_rational,
                                     parse_rational)


@pytest.mark.parametrize("text, value", [
    ("3/4", Fraction(3, 4)), ("-2", Fraction(-2)), ("+7", Fraction(7)), ("6/4", Fraction(3, 2)),
    ("0.125", Fraction(1, 8)), ("0.1", Fraction(1, 10)), ("-1.5e-3", Fraction(-3, 2000)), (".5", Fraction(1, 2)),
    ("5.", Fraction(5)), ("1E3", Fraction(1000)), (" 2 ", Fraction(2)), ("-0", Fraction(0)),
])
def test_parse_accepts(text, value):
    q = parse_rational(text)
    assert q == value and isinstance(q, Q)


@pytest.mark.parametrize("text", [
    "nan", "NaN", "inf", "-Infinity", "1/0", "0x10", "1_000", "", " ", "1/-2", "3/4/5", "1e", ".", "e5",
    "١٢", "1.5/2", "2/3.0", "--1", "1+2", "1e1001", "9" * 1002, "1/" + "9" * 1001,
])
def test_parse_rejects(text):
    with pytest.raises(RationalError):
        parse_rational(text)


def test_parse_rejects_non_strings():
    with pytest.raises(RationalError):
        parse_rational(3)


@given(st.fractions())
def test_format_parse_round_trip(f):
    q = as_rational(f)
    assert parse_rational(format_rational(q)) == q
    assert Fraction(format_rational(q)) == f


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_convert_exactly(x):
    assert Fraction(format_rational(as_rational(x))) == Fraction(x)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), True, None, [1]])
def test_as_rational_rejects(bad):
    with pytest.raises(RationalError):
        as_rational(bad)


def test_decimal_string_is_not_the_float():
    assert as_rational("0.1") == Q(1, 10) != as_rational(0.1)


def test_bit_size():
    assert bit_size(Q(3, 4)) == 2 + 3


def test_fallback_backend_agrees():
    """The pure-Python backend parses and prints exactly like the default one."""
    code = ("from ftcexact.kernel.numbers import *; "
            "print(BACKEND, [format_rational(parse_rational(s)) for s in ['0.1', '-6/4', '1e-3', '7']])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"FTCEXACT_BACKEND": "fractions", "PATH": ""}).stdout.split(maxsplit=1)
    assert out[0] == "fractions"
    assert out[1].strip() == str(["1/10", "-3/2", "1/1000", "7"])
    assert BACKEND in ("gmpy2", "fractions")


@given(st.lists(st.integers(1, 2**200), max_size=40))
def test_int_lcm_and_exact_division_agree_with_math(values):
    """The tree lcm equals the left fold of math.lcm, and the factors it leaves are exact."""
    import math
    from ftcexact.kernel.numbers import int_exact_div, int_lcm
    den = int_lcm(values)
    assert den == math.lcm(1, *values) and type(den) is int
    assert int_exact_div(den, values) == [den // q for q in values]
