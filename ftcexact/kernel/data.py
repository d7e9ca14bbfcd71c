"""Datasets for the trusted checkers: embedded JSON, referenced JSON, or NumPy ``.npz`` archives.

A dataset is ``K`` points ``x_i`` (``d`` coordinates), labels ``y_i`` (``d_y``
coordinates) and optionally values ``f_i`` of a frozen network.  It is given
inline (``{"x": [...], "y": [...], "f": [...]}``) or as a reference
``{"path": ..., "sha256": ..., "classes": C}`` to a JSON file or to an ``.npz``
archive holding arrays ``x`` (``K`` or ``K x d``), ``y`` and optionally ``f``.

*Keep markers.*  With a frozen network, a label may say "keep f's value
here": ``null`` in JSON, NaN in a float array, ``-1`` with ``classes``.  Such
a point is not in T and the fine-tuning network must vanish there.
*Classes.*  With ``"classes": C`` the labels are integers in ``0..C-1`` (or
``-1``) and stand for one-hot vectors of length ``C``.

Points are delivered in blocks (:meth:`Data.blocks`) as integer rows over one
common denominator, so an ``.npz`` archive is streamed and memory does not grow
with ``K``.
"""

from __future__ import annotations

import hashlib
import os

from .evaluate import clear_denominators, number, vector
from .numbers import Q
from .reader import BLOCK_ROWS, MAX_JSON_BYTES, Malformed, Rejected, exact_block, open_arrays, open_regular, \
    parse_json, read_bytes

__all__ = ["Data", "open_dataset", "file_sha256", "referenced_file", "MAX_REFERENCED_BYTES"]


def file_sha256(path):
    """The sha256 of a regular file, read in chunks."""
    fh, _ = open_regular(path)
    digest = hashlib.sha256()
    with fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


#: Largest referenced file hashed: an .npz archive (streamed) or a source model; JSON files (read whole)
#: are capped at MAX_JSON_BYTES.  Checked before hashing (a sparse file costs nothing to make).
MAX_REFERENCED_BYTES = 64 * 2**30


def referenced_file(spec, base_dir, what, cap=MAX_JSON_BYTES):
    """The path of ``{"path", "sha256"}`` (relative to ``base_dir``) after checking its size and sha256:
    at most ``cap`` bytes, or MAX_REFERENCED_BYTES for a zip archive (an .npz dataset)."""
    if not (isinstance(spec, dict) and isinstance(spec.get("path"), str) and isinstance(spec.get("sha256"), str)):
        raise Malformed(f"{what}: a reference needs string fields 'path' and 'sha256'")
    path = os.path.join(base_dir, spec["path"])
    fh, size = open_regular(path)
    with fh:
        limit = MAX_REFERENCED_BYTES if fh.read(2) == b"PK" else cap
    if size > limit:
        raise Malformed(f"{what} file {spec['path']} has {size} bytes, more than the cap of {limit}"
                        + (" (store large datasets as .npz)" if limit == MAX_JSON_BYTES else ""))
    if file_sha256(path) != spec["sha256"].lower():
        raise Rejected(f"{what} file {spec['path']} does not match the recorded sha256")
    return path


class Data:
    """A dataset ready to stream: ``K``, ``d``, ``dy``, ``has_f``, and :meth:`blocks` of :class:`Block`."""

    def __init__(self, K, d, dy, has_f, blocks, describe):
        self.K, self.d, self.dy, self.has_f = K, d, dy, has_f
        self.blocks, self.describe = blocks, describe


class Block:
    """Consecutive points: labels ``Y``, f-values ``F`` (or None), and inputs.

    ``float32`` holds the raw rows of a float32 array (Python floats, for the
    fast exact projection :func:`ftcexact.kernel.sweep.float_dot`), else
    None; :meth:`exact` gives the inputs as integer rows over one denominator
    (converting floats exactly, once).
    """

    def __init__(self, Y, F, exact=None, raw=None, precision=0, where="x"):
        self.Y, self.F, self._exact, self.where = Y, F, exact, where
        self.float32 = raw if precision == 24 else None
        self._raw, self._precision = raw, precision

    def __len__(self):
        return len(self.Y)

    def exact(self):
        """``(rows, den)``: the inputs as integer rows, ``x_i = rows[i] / den``."""
        if self._exact is None:
            w = len(self._raw[0])
            ints, shift = exact_block([v for row in self._raw for v in row], self._precision)
            if None in ints:
                raise Malformed(f"{self.where} holds NaN")
            self._exact = ([ints[i * w:(i + 1) * w] for i in range(len(self._raw))], 1 << shift)
        return self._exact

    def exact_row(self, i):
        """One input as ``(integer row, den)``."""
        if self._exact is not None:
            return self._exact[0][i], self._exact[1]
        ints, shift = exact_block(self._raw[i], self._precision)
        if None in ints:
            raise Malformed(f"{self.where} holds NaN")
        return ints, 1 << shift


def _one_hot(label, C, where):
    if label == -1:
        return None
    if not (isinstance(label, int) and 0 <= label < C):
        raise Malformed(f"{where}: a class label must be an integer in 0..{C - 1} or -1 (keep)")
    z = _ONE_HOT.get((label, C)) or tuple(Q(1) if j == label else Q(0) for j in range(C))
    if C <= 2048:  # one tuple per class, shared by its points: at most 2048^2 entries kept
        _ONE_HOT[(label, C)] = z
    return z


_ONE_HOT = {}


def _json_data(obj, classes, where):
    if not isinstance(obj, dict) or not isinstance(obj.get("x"), list) or not isinstance(obj.get("y"), list):
        raise Malformed(f"{where}: a dataset needs lists 'x' and 'y'")
    xs, ys, fs = obj["x"], obj["y"], obj.get("f")
    if not xs or len(ys) != len(xs) or (fs is not None and (not isinstance(fs, list) or len(fs) != len(xs))):
        raise Malformed(f"{where}: x, y (and f) must be non-empty lists of the same length")
    d = len(xs[0]) if isinstance(xs[0], list) else 1
    X = [vector(x if isinstance(x, list) else [x], f"{where}.x[{i}]", d) for i, x in enumerate(xs)]
    if classes:
        Y = [_one_hot(_label(v, f"{where}.y[{i}]"), classes, f"{where}.y[{i}]") for i, v in enumerate(ys)]
        dy = classes
    else:
        first = next((v for v in ys if v is not None), "0")
        dy = len(first) if isinstance(first, list) else 1
        Y = [None if v is None else vector(v if isinstance(v, list) else [v], f"{where}.y[{i}]", dy)
             for i, v in enumerate(ys)]
    F = None if fs is None else [vector(v if isinstance(v, list) else [v], f"{where}.f[{i}]", dy)
                                 for i, v in enumerate(fs)]
    if d == 0 or dy == 0:
        raise Malformed(f"{where}: inputs and labels need at least one coordinate")

    def blocks():
        for start in range(0, len(X), BLOCK_ROWS):
            rows = X[start:start + BLOCK_ROWS]
            flat, den = clear_denominators([v for row in rows for v in row], f"{where}.x")
            ints = [flat[i * d:(i + 1) * d] for i in range(len(rows))]
            yield Block(Y[start:start + BLOCK_ROWS], None if F is None else F[start:start + BLOCK_ROWS],
                        exact=(ints, den))
    return Data(len(X), d, dy, F is not None, blocks, "JSON")


def _label(v, where):
    if not (isinstance(v, str) and v.isascii() and v.removeprefix("-").isdigit() and len(v) < 12):
        raise Malformed(f"{where}: expected an integer class label")
    return int(v)


def _npz_data(path, classes):
    arrays = open_arrays(path, ("x", "y", "f"))
    if "x" not in arrays or "y" not in arrays:
        raise Malformed(f"{path}: an .npz dataset needs arrays 'x' and 'y'")
    x, y, f = arrays["x"], arrays["y"], arrays.get("f")
    K = x.shape[0]
    if K == 0 or y.shape[0] != K or (f is not None and f.shape[0] != K):
        raise Malformed(f"{path}: x, y (and f) must have the same positive number of rows")
    if classes and (y.kind != "i" or len(y.shape) != 1):
        raise Malformed(f"{path}: with classes, y must be a 1-D integer array of labels")
    dy = classes or y.width
    if f is not None and f.width != dy:
        raise Malformed(f"{path}: f has {f.width} columns, the labels have {dy}")

    zero = (Q(0),) * dy

    def value(v, where):
        if v != v or v in (float("inf"), float("-inf")):
            raise Malformed(f"{where}: NaN or infinity where a number is required")
        return Q(*v.as_integer_ratio()) if isinstance(v, float) else Q(v)  # a float is exactly p / 2^k

    def rationals(rows, where, nan_ok):
        """Rows of exact values; a row of NaN is a keep marker (None); zero rows share one tuple."""
        out = []
        for row in rows:
            if not any(row) and all(v == v for v in row):
                out.append(zero)
            elif nan_ok and all(v != v for v in row):
                out.append(None)
            else:
                out.append(tuple(value(v, where) for v in row))
        return out

    def blocks():
        fy = y.rows()
        ff = f.rows() if f is not None else None
        for rows in x.rows():
            ylab = next(fy)
            if classes:
                Y = [_one_hot(row[0], classes, f"{path}:y") for row in ylab]
            else:
                Y = rationals(ylab, f"{path}:y", True)
            F = rationals(next(ff), f"{path}:f", False) if ff is not None else None
            yield Block(Y, F, raw=rows, precision=x.precision, where=f"{path}:x")
    return Data(K, x.width, dy, f is not None, blocks, f"NumPy archive {os.path.basename(path)}")


def open_dataset(spec, base_dir):
    """The :class:`Data` of a dataset field (inline, or a checked reference to a JSON or .npz file)."""
    if not isinstance(spec, dict):
        raise Malformed("certificate.dataset must be an object")
    classes = spec.get("classes")
    if classes is not None:
        if not (isinstance(classes, str) and classes.isascii() and classes.isdigit() and len(classes) <= 6
                and 2 <= int(classes) <= 100000):
            raise Malformed("dataset.classes must be an integer between 2 and 100000")
        classes = int(classes)
    if "path" not in spec:
        return _json_data(spec, classes, "dataset")
    path = referenced_file(spec, base_dir, "dataset")
    fh, _ = open_regular(path)
    with fh:
        magic = fh.read(4)
    if magic.startswith(b"PK"):
        return _npz_data(path, classes)
    return _json_data(parse_json(read_bytes(path), path), classes, spec["path"])


number  # re-exported for the checkers' convenience
