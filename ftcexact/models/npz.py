"""NumPy ``.npz`` archives of weight matrices ``W0, b0, W1, b1, ...``.

Convention: ``W{l}`` has shape ``(out, in)`` (PyTorch's ``nn.Linear``
layout, ``h_{l+1} = W_l h_l + b_l``) and ``b{l}`` shape ``(out,)``; ReLU
follows every layer but the last.  The archive must hold exactly these
arrays, numbered from 0 without gaps.

Transposed files (``(in, out)``, as ``x @ W`` code and Keras store them) are
detected from the shapes when that is unambiguous (``layout="auto"``, the
default): the shapes fit one convention and not the other.  When every matrix
is square both conventions fit; the reader then refuses, unless every matrix
is symmetric (both readings agree), and asks for ``layout="out_in"`` or
``layout="in_out"``.

Arrays are read with ``allow_pickle=False``; every array header is checked
(dtype, shape, parameter limit) before any data is decompressed.  Object
arrays, integer or string dtypes other than plain integers, NaN/inf values,
extra or missing arrays, corrupt archives and shape mismatches raise
:class:`~ftcexact.models.errors.ModelError`.

Examples
--------
>>> import io, numpy as np
>>> buf = io.BytesIO()
>>> np.savez(buf, W0=np.array([[1.0, 2.0, 3.0]]), b0=np.zeros(3), W1=np.ones((3, 1)), b1=np.zeros(1))
>>> net = read_npz_bytes(buf.getvalue())     # stored (in, out): detected and transposed
>>> net.input_dim, net.widths, net.output_dim
(1, [3], 1)
>>> buf = io.BytesIO()
>>> np.savez(buf, W0=np.ones((2, 2)), b0=np.zeros(2), W1=np.array([[1.0, 2.0], [3.0, 4.0]]), b1=np.zeros(2))
>>> read_npz_bytes(buf.getvalue(), "sq.npz")
Traceback (most recent call last):
...
ftcexact.models.errors.ModelError: sq.npz: every weight matrix is square, so (out, in) and (in, out) both fit; pass layout="out_in" (PyTorch) or layout="in_out"

References
----------
NumPy documentation, ``numpy.savez`` and the ``.npy`` format
(``numpy.lib.format``).  PyTorch documentation, ``torch.nn.Linear``.
"""

from __future__ import annotations

import io
import re
import zipfile
from math import prod

from .arrays import check_layer_shapes, network_from_arrays
from .errors import MAX_PARAMETERS, ModelError, check_parameters, one_line

__all__ = ["read_npz_bytes", "npz_bytes", "LAYOUTS"]

LAYOUTS = ("auto", "out_in", "in_out")
_NAME = re.compile(r"([Wb])(0|[1-9][0-9]{0,5})\.npy")


def _headers(data, name):
    import numpy as np
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception as e:  # BadZipFile, NotImplementedError (zip version), OSError, ValueError, ...
        raise ModelError(one_line(f"{name}: not an npz archive ({e})")) from None
    found = {}
    for info in infos:
        m = _NAME.fullmatch(info.filename)
        if not m:
            raise ModelError(one_line(f"{name}: unexpected array {info.filename!r} (expected W0, b0, W1, b1, ...)"))
        try:
            with zf.open(info) as fh:
                version = np.lib.format.read_magic(fh)
                if version == (1, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
                elif version == (2, 0):
                    shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
                else:
                    raise ValueError(f"unsupported .npy version {version}")
        except Exception as e:  # zipfile, zlib and numpy raise many different types on corrupt input
            raise ModelError(one_line(f"{name}: array {info.filename!r} cannot be read ({e})")) from None
        if dtype.hasobject:
            raise ModelError(f"{name}: array {info.filename[:-4]} holds Python objects (refused)")
        if dtype.kind not in "fiu" or dtype.name not in ("float16", "float32", "float64") and dtype.kind == "f":
            raise ModelError(f"{name}: array {info.filename[:-4]} has unsupported dtype {dtype}")
        if info.file_size > 128 + 64 * 1024 + prod(shape) * dtype.itemsize:
            raise ModelError(f"{name}: array {info.filename[:-4]} is larger than its header says")
        found[(m.group(1), int(m.group(2)))] = tuple(shape)
    return found


def _orientations(shapes):
    """Which of the conventions (out, in) and (in, out) fit ``[(W shape, b shape), ...]``."""
    fits = []
    for rows_out in (True, False):
        width, ok = None, True
        for ws, bs in shapes:
            if len(ws) != 2 or len(bs) != 1:
                ok = False
                break
            out, inp = (ws[0], ws[1]) if rows_out else (ws[1], ws[0])
            if bs[0] != out or (width is not None and inp != width):
                ok = False
                break
            width = out
        fits.append(ok)
    return fits


def read_npz_bytes(data, name="model.npz", layout="auto", max_parameters=MAX_PARAMETERS):
    """Exact :class:`~ftcexact.network.Network` from the bytes of an ``.npz`` archive (see the module text)."""
    import numpy as np
    if layout not in LAYOUTS:
        raise ModelError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    data = bytes(data)
    found = _headers(data, name)
    count = max((i for _, i in found), default=-1) + 1
    for l in range(count):
        for kind in "Wb":
            if (kind, l) not in found:
                raise ModelError(f"{name}: missing array {kind}{l}")
    if count == 0:
        raise ModelError(f"{name}: no arrays W0, b0, ...")
    check_parameters(sum(prod(s) for s in found.values()), max_parameters, name)
    shapes = [(found[("W", l)], found[("b", l)]) for l in range(count)]
    out_in, in_out = _orientations(shapes)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            arrays = [(archive[f"W{l}"], archive[f"b{l}"]) for l in range(count)]
    except Exception as e:
        raise ModelError(one_line(f"{name}: cannot read arrays ({e})")) from None
    if layout == "auto":
        if out_in and in_out and not all(np.array_equal(W, W.T, equal_nan=True) for W, _ in arrays):
            raise ModelError(f"{name}: every weight matrix is square, so (out, in) and (in, out) both fit; "
                             'pass layout="out_in" (PyTorch) or layout="in_out"')
        layout = "in_out" if in_out and not out_in else "out_in"
    if layout == "in_out":
        if not in_out:
            check_layer_shapes([(f"W{l}^T", W.T if W.ndim == 2 else W, f"b{l}", b)
                                for l, (W, b) in enumerate(arrays)], name)
        arrays = [(W.T, b) for W, b in arrays]
    return network_from_arrays([(f"W{l}", W, f"b{l}", b) for l, (W, b) in enumerate(arrays)], name,
                               max_parameters)


def npz_bytes(arrays):
    """``.npz`` bytes of ``[(W, b), ...]`` (``W`` as ``(out, in)``), uncompressed."""
    import numpy as np
    buf = io.BytesIO()
    np.savez(buf, **{f"{k}{l}": a for l, (W, b) in enumerate(arrays) for k, a in (("W", W), ("b", b))})
    return buf.getvalue()
