"""Binary floats and exact rationals, both ways, without losing or inventing a bit.

Floats to rationals
-------------------
Every finite binary floating-point number is a dyadic rational ``m * 2**e``.
:func:`exact_values` widens an array to float64 (float16, bfloat16 and float32
values are all float64 values, so widening is exact) and converts every entry
with :meth:`float.as_integer_ratio`, which returns the float's exact value as
a fraction.  Nothing is rounded; ``limit_denominator`` and decimal printing
are never used.  NaN and infinities are refused with the tensor name and the
index of the first one.  Integer arrays are exact as they are.

Rationals to floats
-------------------
:func:`round_rational` rounds an exact rational directly to binary32 or
binary64, to nearest with ties to even (IEEE 754-2019, §4.3.1), including
subnormals.  It never goes through a wider float: rounding to float64 first
and then to float32 can round twice and miss the nearest float32 (for example
``1 + 2**-24 + 2**-60`` is nearest to ``1 + 2**-23`` in binary32, but its
float64 rounding ``1 + 2**-24`` is a tie that rounds to ``1``).  A value whose
rounding exceeds the largest finite float is an overflow: :class:`ModelError`
naming the weight.

Examples
--------
>>> import numpy as np
>>> from ftcexact.kernel.numbers import Q, format_rational
>>> [format_rational(q) for q in exact_values(np.array([0.1, -2.5], dtype=np.float32), "w")]
['13421773/134217728', '-5/2']
>>> q = Q(1) + Q(1, 2**24) + Q(1, 2**60)
>>> round_rational(q, "float32") == 1 + 2**-23
True
>>> float(np.float32(float(q)))          # double rounding through float64 gets it wrong
1.0
>>> round_rational(Q(10)**40, "float32", "layer 1 W[0][0]")
Traceback (most recent call last):
...
ftcexact.models.errors.ModelError: layer 1 W[0][0] = 1e+40 overflows float32 (largest finite 3.4028235e+38)

References
----------
IEEE Std 754-2019, *Standard for Floating-Point Arithmetic*, §3.4 (binary
formats), §4.3.1 (roundTiesToEven).  D. Goldberg, *What every computer
scientist should know about floating-point arithmetic*, ACM Computing Surveys
23(1), 1991 (double rounding).
"""

from __future__ import annotations

import math

from ..kernel.numbers import Q, denominator, numerator
from .errors import ModelError

__all__ = ["FORMATS", "exact_values", "exact_matrix", "round_rational", "is_representable"]

#: Binary formats: precision p (bits, hidden bit included), emin, emax.
FORMATS = {"float32": (24, -126, 127), "float64": (53, -1022, 1023)}


def _float64(arr, name):
    """``arr`` widened exactly to a float64 (or kept as int64) array; refuses what cannot be exact."""
    import numpy as np
    arr = np.asarray(arr)
    kind, dname = arr.dtype.kind, arr.dtype.name
    if dname == "bfloat16":
        arr = arr.astype(np.float32)  # the top half of a float32: exact
        kind, dname = "f", "float32"
    if kind in "iu":
        return arr, "int"  # .tolist() gives Python ints: exact at any width
    if kind != "f" or dname not in ("float16", "float32", "float64"):
        raise ModelError(f"{name}: unsupported element type {dname} (expected float16, bfloat16, float32, "
                         "float64 or integers)")
    arr = arr.astype(np.float64)
    finite = np.isfinite(arr)
    if not finite.all():
        where = tuple(int(i) for i in np.argwhere(~finite)[0])
        bad = arr[where]
        raise ModelError(f"{name}{list(where) if where else ''}: {float(bad)!r} is not a finite number")
    return arr, "float"


def _convert_list(values, kind):
    if kind == "int":
        return [Q(int(v)) for v in values]
    return [Q(*v.as_integer_ratio()) for v in values]


def exact_values(arr, name):
    """The exact values of a 1-D array (or a scalar) as a tuple of ``Q``."""
    arr, kind = _float64(arr, name)
    return tuple(_convert_list(arr.reshape(-1).tolist(), kind))


def exact_matrix(arr, name):
    """The exact values of a 2-D array as a tuple of rows (tuples of ``Q``)."""
    arr, kind = _float64(arr, name)
    if arr.ndim != 2:
        raise ModelError(f"{name}: expected a matrix, got shape {tuple(arr.shape)}")
    return tuple(tuple(_convert_list(row, kind)) for row in arr.tolist())


def round_rational(q, dtype="float64", name="value"):
    """``q`` rounded to nearest (ties to even) in ``dtype`` ("float32" or "float64"), as a Python float.

    The result is exactly representable in ``dtype`` (for float32, ``numpy.float32`` of it is exact).
    """
    try:
        p, emin, emax = FORMATS[dtype]
    except KeyError:
        raise ModelError(f"unsupported dtype {dtype!r} (float32 or float64)") from None
    n, d = numerator(q), denominator(q)
    if n == 0:
        return 0.0
    negative, n = n < 0, abs(n)
    e = n.bit_length() - d.bit_length()  # floor(log2(n/d)) is e or e - 1
    if (n < (d << e)) if e >= 0 else ((n << -e) < d):
        e -= 1
    k = max(e, emin) - (p - 1)  # exponent of the unit in the last place
    num, den = (n, d << k) if k >= 0 else (n << -k, d)
    m, r = divmod(num, den)
    if 2 * r > den or (2 * r == den and m & 1):
        m += 1
    if m and m.bit_length() - 1 + k > emax:
        largest = math.ldexp(2**p - 1, emax - p + 1)
        shown = f"{float(q):.8g}" if abs(e) < 1020 else f"2^{e}"
        raise ModelError(f"{name} = {shown} overflows {dtype} (largest finite {largest:.8g})")
    value = math.ldexp(m, k)
    return -value if negative else value


def is_representable(q, dtype):
    """Whether ``q`` is exactly a ``dtype`` float (rounding leaves it unchanged)."""
    try:
        return Q(*round_rational(q, dtype).as_integer_ratio()) == q
    except ModelError:
        return False
