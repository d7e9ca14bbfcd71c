"""Files of input points (the ``--probe`` sample of ``ftcexact export``), read exactly.

Accepted: ``.npy`` (read with ``allow_pickle=False``), ``.npz`` holding one
array (or an array named ``x`` or ``probes``), and ``.json`` (a list of
points, each a list of numbers or, in one dimension, a number; numbers as
``"p/q"`` / decimal strings or JSON literals, read from their source text).
The array has shape ``(P, d)`` (or ``(P,)`` when ``d = 1``).  Floats are
converted to their exact values; NaN, infinities, wrong shapes and more than
``max_points`` points raise :class:`~ftcexact.models.errors.ModelError`.

Examples
--------
>>> import json, os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "p.json")
>>> with open(path, "w") as fh:
...     _ = fh.write(json.dumps([["0.5", 1], [0.25, "-1/3"]]))
>>> from ftcexact.kernel.numbers import format_rational
>>> [[format_rational(v) for v in p] for p in read_points(path, 2)]
[['1/2', '1'], ['1/4', '-1/3']]
>>> read_points(path, 3)
Traceback (most recent call last):
...
ftcexact.models.errors.ModelError: p.json: point 1 has 2 coordinates, expected 3

References
----------
NumPy documentation, ``numpy.load`` and the ``.npy`` format.
"""

from __future__ import annotations

import io
import os

from ..kernel.numbers import RationalError, as_rational
from .errors import MAX_FILE_BYTES, ModelError, one_line
from .files import read_bytes
from .floats import exact_matrix

__all__ = ["read_points", "MAX_POINTS"]

#: Every probe is evaluated exactly (about 0.1 s for a 270,000-parameter network): keep it bounded.
MAX_POINTS = 10_000


def _from_array(arr, name, d, max_points):
    if arr.ndim == 1 and d == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2 or arr.shape[1] != d:
        raise ModelError(f"{name}: expected an array of shape (P, {d}), got {tuple(arr.shape)}")
    if arr.shape[0] > max_points:
        raise ModelError(f"{name}: {arr.shape[0]} points, more than the limit of {max_points}")
    if arr.shape[0] == 0:
        raise ModelError(f"{name}: no points")
    return [tuple(row) for row in exact_matrix(arr, name)]


def read_points(path, d, max_points=MAX_POINTS, max_bytes=MAX_FILE_BYTES):
    """Exact points (tuples of ``Q``) of dimension ``d`` from a ``.npy``, ``.npz`` or ``.json`` file."""
    import numpy as np
    name = os.path.basename(str(path))
    ext = os.path.splitext(name)[1].lower()
    if ext not in (".npy", ".npz", ".json"):
        raise ModelError(f"{name}: points must be a .npy, .npz or .json file")
    data = read_bytes(path, max_bytes)
    if ext == ".json":
        from ..dataset import DatasetError, read_json_text
        try:
            obj = read_json_text(data.decode("utf-8"), name)
        except (UnicodeDecodeError, DatasetError) as e:
            raise ModelError(one_line(f"{name}: {e}" if isinstance(e, UnicodeDecodeError) else e)) from None
        if not isinstance(obj, list) or not obj:
            raise ModelError(f"{name}: expected a non-empty list of points")
        if len(obj) > max_points:
            raise ModelError(f"{name}: {len(obj)} points, more than the limit of {max_points}")
        points = []
        for i, p in enumerate(obj, start=1):
            p = p if isinstance(p, list) else [p]
            if len(p) != d:
                raise ModelError(f"{name}: point {i} has {len(p)} coordinates, expected {d}")
            try:
                points.append(tuple(as_rational(v) for v in p))
            except RationalError as e:
                raise ModelError(one_line(f"{name}: point {i}: {e}")) from None
        return points
    try:
        if ext == ".npy":
            arr = np.load(io.BytesIO(data), allow_pickle=False)
        else:
            with np.load(io.BytesIO(data), allow_pickle=False) as archive:
                keys = list(archive.keys())
                key = next((k for k in ("probes", "x") if k in keys), keys[0] if len(keys) == 1 else None)
                if key is None:
                    raise ModelError(f"{name}: holds {len(keys)} arrays; name the points 'x' or 'probes'")
                arr = archive[key]
    except ModelError:
        raise
    except Exception as e:
        raise ModelError(one_line(f"{name}: cannot read an array ({e})")) from None
    return _from_array(arr, name, d, max_points)
