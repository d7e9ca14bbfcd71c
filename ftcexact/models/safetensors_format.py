"""safetensors state dicts of a PyTorch ``nn.Sequential`` of ``Linear`` and ``ReLU`` layers.

``torch.save``-free PyTorch checkpoints store a state dict: for
``nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))`` the tensors
``"0.weight"`` (shape ``(8, 4)``, i.e. ``(out, in)``), ``"0.bias"``,
``"2.weight"``, ``"2.bias"``.  A state dict records no activations, so the
reader assumes what the key layout shows: the ``Linear`` layers sit at
indices ``i, i+2, i+4, ...`` of the Sequential (an optional common prefix such
as ``"model."`` is allowed, and the first index may be 1, e.g. after an
``nn.Flatten()``), and exactly one ``ReLU`` sits between two consecutive
``Linear`` layers.  ``strict=False`` accepts any increasing indices under the
same assumption.  Every ``Linear`` needs its ``weight`` and its ``bias``
(``bias=False`` layers are refused: a missing tensor is an error, never a
silent zero).  Any other tensor (a ``BatchNorm`` buffer, a misnamed key), a
dtype other than F16, BF16, F32 or F64, shapes that do not chain, NaN or
infinite values and a malformed file are refused with
:class:`~ftcexact.models.errors.ModelError`.

The header is validated here first (length, JSON, dtypes, shapes, offsets
that tile the data buffer exactly, the parameter limit) and the tensors are
then read with ``safetensors.numpy`` (no torch needed); BF16 tensors, which
numpy cannot hold, are widened exactly to float32 from their raw bytes
(a bfloat16 is the top half of a float32).

Writing (:func:`safetensors_bytes`) produces the same layout (``"0.weight"``,
``"0.bias"``, ``"2.weight"``, ...) with metadata ``{"format": "pt"}``, so
``nn.Sequential(nn.Linear, nn.ReLU(), ...).load_state_dict`` accepts it.

Examples
--------
>>> import pytest; st = pytest.importorskip("safetensors.numpy")
>>> import numpy as np
>>> data = st.save({"0.weight": np.array([[1.0], [-1.0]], np.float32), "0.bias": np.zeros(2, np.float32),
...                 "2.weight": np.array([[0.5, 0.5]], np.float32), "2.bias": np.zeros(1, np.float32)})
>>> read_safetensors_bytes(data).widths
[2]
>>> read_safetensors_bytes(st.save({"0.weight": np.ones((2, 2), np.float32)}), "m.safetensors")
Traceback (most recent call last):
...
ftcexact.models.errors.ModelError: m.safetensors: missing tensor '0.bias'

References
----------
safetensors format specification, https://github.com/huggingface/safetensors
(README, "Format").  PyTorch documentation, ``torch.nn.Sequential``,
``torch.nn.Module.state_dict``, ``torch.nn.Linear``.
"""

from __future__ import annotations

import json
import re
from math import prod

from .arrays import network_from_arrays
from .errors import MAX_PARAMETERS, ModelError, check_parameters, one_line

__all__ = ["read_safetensors_bytes", "safetensors_bytes", "DTYPES"]

#: Element sizes of the dtypes we read.
DTYPES = {"F16": 2, "BF16": 2, "F32": 4, "F64": 8}
_OTHER = {"BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64", "F8_E4M3", "F8_E5M2", "C64"}
_KEY = re.compile(r"((?:.*\.)?)([0-9]+)\.(weight|bias)")  # prefix: empty or a module path ending in "."
MAX_HEADER = 100 * 2**20


def _header(data, name):
    if len(data) < 8:
        raise ModelError(f"{name}: too short for a safetensors file")
    n = int.from_bytes(data[:8], "little")
    if n > len(data) - 8 or n > MAX_HEADER:
        raise ModelError(f"{name}: header length {n} exceeds the file (truncated or not safetensors)")
    try:
        header = json.loads(bytes(data[8:8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ModelError(f"{name}: the header is not valid JSON (truncated or not safetensors)") from None
    if not isinstance(header, dict):
        raise ModelError(f"{name}: the header must be a JSON object")
    meta = header.pop("__metadata__", None)
    if meta is not None and not (isinstance(meta, dict) and all(isinstance(v, str) for v in meta.values())):
        raise ModelError(f"{name}: __metadata__ must map strings to strings")
    size = len(data) - 8 - n
    specs, spans = {}, []
    for key, spec in header.items():
        if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data_offsets"}:
            raise ModelError(one_line(f"{name}: tensor {key!r}: expected dtype, shape and data_offsets"))
        dtype, shape, offsets = spec["dtype"], spec["shape"], spec["data_offsets"]
        if dtype not in DTYPES:
            what = "unsupported dtype" if dtype in _OTHER else "unknown dtype"
            raise ModelError(one_line(f"{name}: tensor {key!r}: {what} {dtype!r} (F16, BF16, F32 or F64)"))
        if not isinstance(shape, list) or len(shape) > 8 or not all(type(v) is int and v >= 0 for v in shape):
            raise ModelError(one_line(f"{name}: tensor {key!r}: bad shape {shape!r}"))
        if not isinstance(offsets, list) or len(offsets) != 2 or not all(type(v) is int for v in offsets) \
                or not 0 <= offsets[0] <= offsets[1] <= size:
            raise ModelError(one_line(f"{name}: tensor {key!r}: data offsets {offsets!r} outside the data "
                                      f"({size} bytes)"))
        if offsets[1] - offsets[0] != prod(shape) * DTYPES[dtype]:
            raise ModelError(one_line(f"{name}: tensor {key!r}: {offsets[1] - offsets[0]} bytes for shape "
                                      f"{shape} of {dtype}"))
        specs[key] = (dtype, tuple(shape), offsets)
        spans.append(tuple(offsets))
    end = 0
    for a, b in sorted(spans):
        if a != end:
            raise ModelError(f"{name}: the tensors do not tile the data buffer (gap or overlap at byte {end})")
        end = b
    if end != size:
        raise ModelError(f"{name}: {size - end} bytes after the last tensor")
    return specs, 8 + n


def _layer_names(keys, name, strict):
    """``[(weight key, bias key), ...]`` in Sequential order."""
    found = {}
    prefixes = set()
    for key in keys:
        m = _KEY.fullmatch(key)
        if not m:
            raise ModelError(one_line(f"{name}: tensor {key!r} is not a Linear weight or bias of an "
                                      "nn.Sequential ('<index>.weight', '<index>.bias')"))
        prefixes.add(m.group(1))
        found.setdefault(int(m.group(2)), set()).add(m.group(3))
    if not found:
        raise ModelError(f"{name}: no tensors")
    if len(prefixes) > 1:
        raise ModelError(one_line(f"{name}: tensors with different prefixes {sorted(prefixes)[:4]}"))
    prefix = prefixes.pop()
    indices = sorted(found)
    for i in indices:
        for part in ("weight", "bias"):
            if part not in found[i]:
                raise ModelError(f"{name}: missing tensor '{prefix}{i}.{part}'")
    steps = {b - a for a, b in zip(indices, indices[1:])}
    if strict and steps - {2}:
        raise ModelError(one_line(f"{name}: Linear layers at indices {indices[:10]}: expected every second index "
                                  "(Linear, ReLU, Linear, ...); pass strict=False to assume one ReLU between "
                                  "consecutive Linear layers anyway"))
    return [(f"{prefix}{i}.weight", f"{prefix}{i}.bias") for i in indices]


def _tensor(data, start, spec):
    import numpy as np
    dtype, shape, (a, b) = spec
    raw = data[start + a:start + b]
    if dtype == "BF16":
        bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return bits.view("<f4").reshape(shape)
    return np.frombuffer(raw, dtype={"F16": "<f2", "F32": "<f4", "F64": "<f8"}[dtype]).reshape(shape)


def read_safetensors_bytes(data, name="model.safetensors", strict=True, max_parameters=MAX_PARAMETERS):
    """Exact :class:`~ftcexact.network.Network` from the bytes of a safetensors state dict."""
    data = bytes(data)
    specs, start = _header(data, name)
    names = _layer_names(list(specs), name, strict)
    check_parameters(sum(prod(s[1]) for s in specs.values()), max_parameters, name)
    if all(s[0] != "BF16" for s in specs.values()):
        try:
            import safetensors.numpy as stn
        except ImportError:
            raise ModelError("reading safetensors needs the optional dependency safetensors "
                             "(pip install safetensors)") from None
        try:
            tensors = stn.load(data)
        except Exception as e:
            raise ModelError(one_line(f"{name}: cannot read tensors ({e})")) from None
    else:  # numpy has no bfloat16: decode the validated byte ranges ourselves
        tensors = {key: _tensor(data, start, spec) for key, spec in specs.items()}
    layers = [(w, tensors[w], b, tensors[b]) for w, b in names]
    return network_from_arrays(layers, name, max_parameters)


def safetensors_bytes(arrays):
    """safetensors bytes of ``[(W, b), ...]`` float arrays in the nn.Sequential layout."""
    try:
        import safetensors.numpy as stn
    except ImportError:
        raise ModelError("writing safetensors needs the optional dependency safetensors "
                         "(pip install safetensors)") from None
    tensors = {}
    for l, (W, b) in enumerate(arrays):
        tensors[f"{2 * l}.weight"], tensors[f"{2 * l}.bias"] = W, b
    return stn.save(tensors, metadata={"format": "pt"})
