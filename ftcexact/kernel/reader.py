"""Reading untrusted files for the trusted checkers: one reader for JSON and NumPy arrays.

Every checker (:mod:`.verify`, :mod:`.refutation`, :mod:`.records`) reads its
input here, so all of them refuse the same things in the same way: a file that
cannot be read as intended raises :class:`Malformed` (exit 2, one line), and a
file that was read but fails a check raises :class:`Rejected`
(``s NOT VERIFIED``, exit 1).

JSON
----
Numbers are kept as their source text (they are parsed exactly later),
``NaN``/``Infinity`` are refused, and **an object with a repeated key is
refused**: with "last one wins" a file could mean one thing to this reader and
another to a different one.  The document's ``format`` field, read from the
parsed object, decides which checker reads it (never a byte search).

NumPy arrays
------------
``.npy`` files (and ``.npz`` archives of them) are parsed with the standard
library: the header is a Python literal (``ast.literal_eval``), the data are
read block by block, so memory does not grow with the number of rows.
Floats are converted exactly: every finite float is ``M 2^(e - p)`` with an
integer ``M`` of ``p`` bits (``p = 24`` for float32, 53 for float64), so for a
block whose smallest non-zero magnitude has binary exponent ``e``, every entry
times ``2^(p - e)`` is an integer; it is computed with ``math.ldexp`` (exact:
scaling by a power of two only changes the exponent, and the range is checked
first) and converted with ``int`` (exact for integral floats).  A block whose
range does not fit a float falls back to ``float.as_integer_ratio`` per entry.

Caps (checked before any work; see docs/certificate.md)
-------------------------------------------------------
Only regular files are read (no devices, FIFOs or directories; the file is
opened non-blocking and checked with ``fstat``); JSON documents are at most
:data:`MAX_JSON_BYTES`; arrays at most :data:`MAX_ARRAY_ELEMENTS` entries.
"""

from __future__ import annotations

import ast
import json
import math
import os
import stat
import sys
import zipfile
import zlib
from array import array
from itertools import repeat

__all__ = ["Malformed", "Rejected", "MAX_JSON_BYTES", "MAX_ARRAY_ELEMENTS", "read_bytes", "parse_json",
           "read_json", "open_regular", "NpyArray", "open_arrays", "exact_block", "field", "nat_field", "known_fields"]

#: Largest JSON document read (its parse costs about ten times its size in memory).
MAX_JSON_BYTES = 256 * 2**20
#: Largest number of entries of one array (arrays are streamed; the cost is time, about 0.1 us per entry).
MAX_ARRAY_ELEMENTS = 2 * 10**9
#: Rows per block when streaming arrays.
BLOCK_ROWS = 4096


class Malformed(Exception):
    """The input cannot be read as intended: exit 2."""


class Rejected(Exception):
    """The input was read and a check failed: ``s NOT VERIFIED``."""


def field(obj, key, kind, where):
    """``obj[key]``, which must exist and be of type ``kind`` (Malformed otherwise)."""
    if not isinstance(obj, dict) or key not in obj:
        raise Malformed(f"{where}: missing field {key!r}")
    if not isinstance(obj[key], kind):
        raise Malformed(f"{where}.{key}: wrong type {type(obj[key]).__name__}")
    return obj[key]


def nat_field(obj, key, where):
    """``obj[key]``: a non-negative integer written as ASCII digits (at most 18)."""
    v = field(obj, key, str, where)
    if not (v.isascii() and v.isdigit() and len(v) <= 18):
        raise Malformed(f"{where}.{key}: expected a non-negative integer, got {v[:20]!r}")
    return int(v)


def known_fields(obj, allowed, where):
    """Refuse a field outside ``allowed`` (a typo must not silently drop a check)."""
    extra = sorted(set(obj) - allowed)
    if extra:
        raise Malformed(f"{where}: unknown field {extra[0][:40]!r} (allowed: {', '.join(sorted(allowed))})")


def open_regular(path):
    """Open ``path`` for reading if it is a regular file; never blocks (FIFOs are refused)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise Malformed(f"cannot read {path}: {e.strerror}") from None
    except ValueError:  # a NUL byte, or a lone surrogate the file system cannot encode
        raise Malformed(f"cannot read {path!r}: not a valid file name") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise Malformed(f"{path} is not a regular file")
    return os.fdopen(fd, "rb"), info.st_size


def read_bytes(path, cap=MAX_JSON_BYTES):
    """The bytes of a regular file of at most ``cap`` bytes."""
    fh, size = open_regular(path)
    with fh:
        if size > cap:
            raise Malformed(f"{path} has {size} bytes, more than the cap of {cap} for this kind of file")
        try:
            data = fh.read(cap + 1)
        except OSError as e:
            raise Malformed(f"cannot read {path}: {e.strerror}") from None
    if len(data) > cap:
        raise Malformed(f"{path} grew beyond the cap of {cap} bytes while being read")
    return data


def _no_duplicates(pairs):
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise Malformed(f"repeated key {key[:40]!r} in one JSON object (refused: readers could disagree)")
        obj[key] = value
    return obj


def parse_json(data, where="input"):
    """Parse JSON bytes or text: numbers as text, no NaN/Infinity, no repeated keys."""
    def no_constant(name):
        raise Malformed(f"{where}: {name} is not a number")
    try:
        return json.loads(data, parse_int=str, parse_float=str, parse_constant=no_constant,
                          object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise Malformed(f"{where}: not valid JSON ({str(e)[:120]})") from None


def read_json(path):
    """Read and parse a JSON file (see :func:`parse_json`)."""
    return parse_json(read_bytes(path), path)


# ---------------------------------------------------------------- NumPy arrays

_TYPECODES = {"f4": "f", "f8": "d", "i1": "b", "u1": "B", "i2": "h", "u2": "H", "i4": "i", "u4": "I",
              "i8": "q", "u8": "Q"}
_MANTISSA = {"f": 24, "d": 53}


class NpyArray:
    """A ``.npy`` array read as a stream of rows: ``shape``, ``kind`` ('f' float or 'i' integer), ``rows()``."""

    def __init__(self, fh, where):
        self.fh, self.where = fh, where
        magic = fh.read(8)
        if len(magic) != 8 or magic[:6] != b"\x93NUMPY" or magic[6] not in (1, 2, 3):
            raise Malformed(f"{where}: not a .npy array")
        size = fh.read(2 if magic[6] == 1 else 4)
        hlen = int.from_bytes(size, "little")
        if len(size) not in (2, 4) or hlen > 65536:
            raise Malformed(f"{where}: bad .npy header")
        try:
            header = ast.literal_eval(fh.read(hlen).decode("latin-1"))
            descr, fortran, shape = header["descr"], header["fortran_order"], tuple(header["shape"])
        except (ValueError, SyntaxError, KeyError, TypeError, MemoryError, RecursionError):
            raise Malformed(f"{where}: bad .npy header") from None
        if not (isinstance(descr, str) and len(descr) == 3 and descr[0] in "<>|=" and descr[1:] in _TYPECODES):
            raise Malformed(f"{where}: unsupported array type {str(descr)[:20]!r} "
                            "(float32, float64 and integer arrays are read)")
        if fortran is not False or not all(type(n) is int and n >= 0 for n in shape) or not 1 <= len(shape) <= 2:
            raise Malformed(f"{where}: expected a C-ordered 1-D or 2-D array")
        self.typecode, self.shape = _TYPECODES[descr[1:]], shape
        self.kind = "f" if descr[1] == "f" else "i"
        self.precision = _MANTISSA.get(self.typecode, 0)  # significand bits; 0 for integers
        self.swap = descr[0] == (">" if sys.byteorder == "little" else "<")
        self.itemsize = array(self.typecode).itemsize
        if self.itemsize != int(descr[2]):
            raise Malformed(f"{where}: this platform has no {descr[1:]} arrays")
        self.width = shape[1] if len(shape) == 2 else 1
        if shape[0] * self.width > MAX_ARRAY_ELEMENTS:
            raise Malformed(f"{where}: {shape[0] * self.width} entries, more than the cap of {MAX_ARRAY_ELEMENTS}")

    def rows(self, block=BLOCK_ROWS, flat=False):
        """Yield blocks: lists of rows, each a list of Python floats or ints (``flat``: one list per block)."""
        left, w = self.shape[0], self.width
        while left:
            n = min(block, left)
            want = n * w * self.itemsize
            try:
                data = self.fh.read(want)
            except (OSError, EOFError, zipfile.BadZipFile, NotImplementedError, zlib.error) as e:
                raise Malformed(f"{self.where}: cannot read the array data ({e})") from None
            if len(data) != want:
                raise Malformed(f"{self.where}: the array data end early (truncated file)")
            values = array(self.typecode)
            values.frombytes(data)
            if self.swap:
                values.byteswap()
            entries = values.tolist()
            yield entries if flat else [entries[i * w:(i + 1) * w] for i in range(n)]
            left -= n


def open_arrays(path, names):
    """``{name: NpyArray}`` for the members ``name.npy`` of an ``.npz`` archive (absent names omitted)."""
    fh, size = open_regular(path)
    try:
        archive = zipfile.ZipFile(fh)
        members = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
        fh.close()
        raise Malformed(f"{path}: not a readable .npz archive ({str(e)[:80]})") from None
    out = {}
    for name in names:
        if name + ".npy" in members:
            try:
                out[name] = NpyArray(archive.open(name + ".npy"), f"{path}:{name}")
            except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, zlib.error) as e:
                raise Malformed(f"{path}:{name}: cannot read ({str(e)[:80]})") from None
    return out


def exact_block(values, precision):
    """Exact integers and a shift: ``values[j] == ints[j] / 2**shift``; None marks NaN.

    ``precision`` is the significand width of the array's floats (24, 53; 0
    for an integer array).  Infinities raise :class:`Malformed`; NaN entries
    come back as None (a caller decides whether NaN means something, like
    "keep f's value").
    """
    if not precision:
        return values, 0
    if not all(map(math.isfinite, values)):
        if any(map(math.isinf, values)):
            raise Malformed("an array holds an infinite value")
        nan = [v != v for v in values]
        ints, shift = exact_block([0.0 if bad else v for v, bad in zip(values, nan)], precision)
        return [None if bad else i for i, bad in zip(ints, nan)], shift
    smallest = min(map(abs, filter(None, values)), default=None)
    if smallest is None:
        return [0] * len(values), 0
    low, high = math.frexp(smallest)[1], math.frexp(max(map(abs, values)))[1]
    shift = max(0, precision - low)  # every entry times 2^shift is an integer (see the module header)
    if high + shift < 1020:
        return list(map(int, map(math.ldexp, values, repeat(shift)))), shift
    ratios = [v.as_integer_ratio() for v in values]
    shift = max(q.bit_length() - 1 for _, q in ratios)
    return [p << (shift - q.bit_length() + 1) for p, q in ratios], shift
