"""Exact rational numbers: the one type every ftcexact verdict is computed in.

This module owns the rational type ``Q`` and all conversions to and from text.
It is part of the trusted kernel, so it imports only the standard library and
the exact-number backend.

Backend choice
--------------
``gmpy2.mpq`` is used when gmpy2 is installed, ``fractions.Fraction`` otherwise.
Both are exact; they differ only in speed.  Measured on the project machine
(``benchmarks/bench_numbers.py``, see ``docs/benchmarks.md``), gmpy2 is the
fastest of the three candidates for the scalar work the verifier does
(comparisons in particular); python-flint's ``fmpq`` is close on arithmetic
but slower to compare.  Set ``FTCEXACT_BACKEND=fractions`` to force the
pure-Python fallback (the test-suite runs both).

Huge numbers
------------
CPython refuses to convert integers of more than 4300 decimal digits to or
from text (``sys.int_info.str_digits_check_threshold``); the limit is global
state we must not touch, so :func:`int_from_digits` and :func:`int_to_digits`
convert long digit strings by halving (each half below the limit), and every
parse and format here goes through them.  A number's verdict therefore never
depends on the backend or on that interpreter setting.

Integer matrix products
-----------------------
:func:`int_matmul` multiplies integer matrices exactly.  With python-flint
installed it hands the product to FLINT's ``fmpz_mat`` (multimodular integer
arithmetic in C, exact), otherwise it uses Python integers; the result is the
same integer matrix either way (a test compares the two).  The dense
evaluation of networks in the verifier clears denominators once per layer and
spends almost all of its time here.

Text formats
------------
``parse_rational`` accepts, and only accepts:

* integers ``"-2"``, fractions ``"3/4"`` (denominator > 0);
* exact decimals ``"0.125"``, ``"-1.5e-3"`` (``"0.1"`` is exactly 1/10).

Anything else (``"nan"``, ``"inf"``, ``"1/0"``, ``"0x10"``, ``"1_000"``,
non-ASCII digits, empty strings) raises :class:`RationalError`.  Numbers with
more than ``max_digits`` digits, or a decimal exponent larger than
``max_digits``, are rejected as absurdly large before any big integer is built.
``format_rational`` prints ``"p/q"`` in lowest terms, or ``"p"`` for integers,
so ``parse_rational(format_rational(q)) == q`` always holds.
"""

from __future__ import annotations

import math
import os
import re
from operator import mul as _mul
from fractions import Fraction

__all__ = [
    "Q", "BACKEND", "MATMUL_BACKEND", "RationalError", "MAX_DIGITS", "parse_rational", "parse_rationals",
    "format_rational", "show_rational", "as_rational", "numerator", "denominator", "bit_size",
    "int_from_digits", "int_to_digits", "int_matmul",
]

_forced = os.environ.get("FTCEXACT_BACKEND", "").strip().lower()
if _forced not in ("", "gmpy2", "fractions"):
    raise ImportError(f"FTCEXACT_BACKEND must be 'gmpy2' or 'fractions', not {_forced!r}")
try:
    if _forced == "fractions":
        raise ImportError
    import gmpy2 as _gmpy2

    Q = _gmpy2.mpq
    BACKEND = "gmpy2"
except ImportError:
    Q = Fraction
    BACKEND = "fractions"
    _gmpy2 = None
try:
    if BACKEND != "gmpy2":
        raise ImportError
    import flint as _flint

    MATMUL_BACKEND = "flint"
except ImportError:
    _flint = None
    MATMUL_BACKEND = "python"

#: Default limit on the number of digits of one number in user input.
MAX_DIGITS = 1000


class RationalError(ValueError):
    """A string or value that is not an exact rational number we accept."""


_FAST = {}  # max_digits -> compiled patterns for the common "p" / "p/q" form
_FRACTION = re.compile(r"([+-]?[0-9]+)(?:/([0-9]+))?")
_DECIMAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")


def parse_rational(text, max_digits=MAX_DIGITS, max_exponent=None):
    """Parse an exact rational from ``"p/q"``, integer or decimal text.

    Parameters
    ----------
    text : str
        The number, e.g. ``"3/4"``, ``"-2"``, ``"0.125"`` or ``"1e-3"``.
    max_digits : int
        Reject numbers with more digits.
    max_exponent : int, optional
        Reject decimal exponents larger than this in absolute value (default
        ``max_digits``).  A small value keeps the size of a number within a
        constant factor of its text (``"1e99999"`` is six characters).

    Returns
    -------
    Q
        The exact value.

    Raises
    ------
    RationalError
        If ``text`` is not of one of the accepted forms.

    Examples
    --------
    >>> parse_rational("0.1") == Q(1, 10)
    True
    >>> format_rational(parse_rational("6/4"))
    '3/2'
    >>> parse_rational("nan")
    Traceback (most recent call last):
    ...
    ftcexact.kernel.numbers.RationalError: not an exact rational number: 'nan'
    """
    if not isinstance(text, str):
        raise RationalError(f"expected a string holding a number, got {type(text).__name__}")
    if _fast_patterns(max_digits)[0].fullmatch(text):  # canonical "p/q" text: let the backend's C parser build it
        return Q(text) if BACKEND == "gmpy2" or len(text) < _SAFE_DIGITS else _from_fraction_text(text)
    s = text.strip()
    if len(s) > 4 * max_digits + 16:
        raise RationalError(f"number too large (more than {max_digits} digits): {s[:20]}...")
    m = _FRACTION.fullmatch(s)
    if m:
        p, q = m.group(1), m.group(2)
        if len(p.lstrip("+-")) > max_digits or (q is not None and len(q) > max_digits):
            raise RationalError(f"number too large (more than {max_digits} digits): {s[:20]}...")
        if q is None:
            return Q(int_from_digits(p))
        if not q.strip("0"):
            raise RationalError(f"zero denominator: {text!r}")
        return Q(int_from_digits(p), int_from_digits(q))
    m = _DECIMAL.fullmatch(s)
    if m and (m.group(2) or m.group(3)):
        sign, whole, frac, exp = m.group(1), m.group(2), m.group(3) or "", m.group(4)
        if len(whole) + len(frac) > max_digits:
            raise RationalError(f"number too large (more than {max_digits} digits): {s[:20]}...")
        limit = max_digits if max_exponent is None else max_exponent
        if exp is not None and len(exp.lstrip("+-0")) > len(str(limit)):
            raise RationalError(f"decimal exponent out of range (|e| > {limit}): {text[:40]!r}")
        e = int(exp) if exp is not None else 0
        if abs(e) > limit:
            raise RationalError(f"decimal exponent out of range (|e| > {limit}): {text[:40]!r}")
        mantissa = int_from_digits(whole + frac or "0")
        e -= len(frac)
        value = Q(mantissa * 10**e) if e >= 0 else Q(mantissa, 10**-e)
        return -value if sign == "-" else value
    raise RationalError(f"not an exact rational number: {text[:40]!r}")


def _fast_patterns(max_digits):
    if max_digits not in _FAST:
        one = rf"-?[0-9]{{1,{max_digits}}}(?:/(?=0*[1-9])[0-9]{{1,{max_digits}}})?"
        _FAST[max_digits] = (re.compile(one), re.compile(rf"{one}(?:,{one})*"))
    return _FAST[max_digits]


def parse_rationals(texts, max_digits=MAX_DIGITS, max_exponent=None):
    """Parse a list of number strings; same rules as :func:`parse_rational`.

    A list in canonical ``"p/q"`` form is checked by one regular-expression
    match over the joined text and built by the backend's C parser, which is
    what makes reading a 10^5-point certificate fast.

    Examples
    --------
    >>> [format_rational(q) for q in parse_rationals(["1/2", "0.25", "-3"])]
    ['1/2', '1/4', '-3']
    """
    if all(type(t) is str for t in texts) and _fast_patterns(max_digits)[1].fullmatch(",".join(texts)) and \
            (BACKEND == "gmpy2" or all(len(t) < _SAFE_DIGITS for t in texts)):
        try:
            return tuple(map(Q, texts))
        except ValueError:  # an entry such as "0,0" made the joined text match; parse one by one
            pass
    return tuple(parse_rational(t, max_digits, max_exponent) for t in texts)


def format_rational(q):
    """Format a rational as ``"p/q"`` in lowest terms, or ``"p"`` if integral.

    Examples
    --------
    >>> format_rational(Q(-6, 4))
    '-3/2'
    >>> format_rational(Q(5))
    '5'
    """
    q = as_rational(q)
    if BACKEND == "gmpy2":  # gmpy2 prints "p/q" in lowest terms ("p" for integers), in C, with no digit limit
        return str(q)
    p, d = numerator(q), denominator(q)
    return int_to_digits(p) if d == 1 else f"{int_to_digits(p)}/{int_to_digits(d)}"


def show_rational(q, width=40):
    """A short display of ``q`` for messages: long numbers are elided with their digit count.

    Examples
    --------
    >>> show_rational(Q(10) ** 5000)
    '1000000000000000000...0000000000000000000 (5001 digits)'
    >>> show_rational(Q(-3, 4))
    '-3/4'
    """
    text = format_rational(q)
    if len(text) <= width:
        return text
    half = (width - 2) // 2
    return f"{text[:half]}...{text[-half:]} ({len(text)} digits)"


#: Below CPython's int <-> str limit (4300 digits) with a margin.
_SAFE_DIGITS = 4000


def _from_fraction_text(text):
    p, _, q = text.partition("/")
    return Q(int_from_digits(p), int_from_digits(q) if q else 1)


def int_from_digits(text):
    """``int(text)`` for a string of ASCII digits (optional sign) of any length.

    Examples
    --------
    >>> int_from_digits("-1" + "0" * 9000) == -(10 ** 9000)
    True
    """
    if len(text) < _SAFE_DIGITS:
        return int(text)
    if _gmpy2 is not None:
        return int(_gmpy2.mpz(text))
    sign = -1 if text[0] == "-" else 1
    digits = text.lstrip("+-")

    def convert(t):
        if len(t) < _SAFE_DIGITS:
            return int(t)
        h = len(t) // 2
        return convert(t[:h]) * 10 ** (len(t) - h) + convert(t[h:])
    return sign * convert(digits)


def int_to_digits(n):
    """``str(n)`` for an integer of any size.

    Examples
    --------
    >>> int_to_digits(-(10 ** 6000)) == "-1" + "0" * 6000
    True
    """
    n = int(n)
    if n.bit_length() < 3 * _SAFE_DIGITS:  # fewer than 3613 digits
        return str(n)
    if _gmpy2 is not None:
        return _gmpy2.mpz(n).digits()

    def convert(m, width):
        if m.bit_length() < 3 * _SAFE_DIGITS:
            return str(m).zfill(width)
        half = int(m.bit_length() * 0.30103) // 2
        hi, lo = divmod(m, 10 ** half)
        return convert(hi, max(width - half, 0)) + convert(lo, half)
    return ("-" if n < 0 else "") + convert(abs(n), 0)


def int_matmul(A, B):
    """The exact product of integer matrices given as lists of rows.

    Parameters
    ----------
    A : list of lists of int
        ``n x k``.
    B : list of lists of int
        ``k x p``.

    Returns
    -------
    list of lists of int
        ``n x p``; computed by FLINT's ``fmpz_mat`` when python-flint is
        installed (see the module header), by Python integers otherwise.

    Examples
    --------
    >>> int_matmul([[1, 2], [3, 4]], [[5], [-6]])
    [[-7], [-9]]
    """
    n, k = len(A), len(B)
    p = len(B[0]) if B else 0
    if n == 0 or p == 0:
        return [[0] * p for _ in range(n)]
    if k == 0:
        return [[0] * p for _ in range(n)]
    if _flint is not None and n * k * p >= 4096:
        C = (_flint.fmpz_mat(n, k, [v for row in A for v in row]) *
             _flint.fmpz_mat(k, p, [v for row in B for v in row])).entries()
        flat = list(map(int, C))
        return [flat[i * p:(i + 1) * p] for i in range(n)]
    cols = list(zip(*B))
    return [[sum(map(_mul, row, col)) for col in cols] for row in A]


def as_rational(value, max_digits=MAX_DIGITS):
    """Convert ints, exact rationals, finite floats and number strings to ``Q``.

    Binary floats are converted exactly (every finite float is a dyadic
    rational); strings go through :func:`parse_rational`.  ``bool`` is refused
    because ``True`` is almost never meant as the number 1 in a dataset.

    Examples
    --------
    >>> as_rational(0.5) == Q(1, 2)
    True
    >>> as_rational(0.1) == Q(1, 10)   # the float 0.1 is not 1/10
    False
    """
    if isinstance(value, Q):
        return value
    if isinstance(value, bool):
        raise RationalError("booleans are not numbers here")
    if isinstance(value, int):
        return Q(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RationalError(f"not a finite number: {value!r}")
        p, q = value.as_integer_ratio()
        return Q(p, q)
    if isinstance(value, str):
        return parse_rational(value, max_digits)
    if isinstance(value, Fraction) or (hasattr(value, "numerator") and hasattr(value, "denominator")):
        return Q(int(value.numerator), int(value.denominator))
    raise RationalError(f"not a number: {value!r}")


def numerator(q):
    """The numerator of ``q`` in lowest terms, as a Python ``int``."""
    return int(q.numerator)


def denominator(q):
    """The (positive) denominator of ``q`` in lowest terms, as a Python ``int``."""
    return int(q.denominator)


def bit_size(q):
    """Bits needed to write ``q``: ``bits(|p|) + bits(q)``; a measure of weight size."""
    return abs(numerator(q)).bit_length() + denominator(q).bit_length()
