"""The ``ftcexact-network`` JSON file: an exact ReLU network, as the trusted verifier reads a frozen f.

Format (version 1)::

    {"format": "ftcexact-network", "version": 1, "activation": "relu",
     "layers": [{"W": [["p/q", ...], ...], "b": ["p/q", ...]}, ...],
     "source": {"path": "model.onnx", "sha256": "<hex>", "format": "onnx"}}

``layers`` lists the affine layers first to last; ReLU follows every layer
but the last, which is linear.  ``W`` of a layer has one row per output and
one column per input of that layer; each later ``W`` has as many columns as
the previous layer has rows.  Numbers are written as canonical strings
(:func:`ftcexact.kernel.numbers.format_rational`: ``"p/q"`` in lowest terms or
``"p"``).  The reader also accepts exact decimal strings and JSON number
literals, which it reads from their source text (``0.1`` is exactly 1/10).
``source`` is optional provenance: the name of the file the network was
converted from, the SHA-256 of that file's bytes, and its format (one of
``onnx``, ``nnet``, ``safetensors``, ``npz``, ``sklearn``, ``json``).
Unknown keys are refused, so a misspelt key is never silently ignored.

A bare certificate layer list (the ``"network"`` value of a certificate,
``[{"W": ..., "b": ...}, ...]``) is read too.

Examples
--------
>>> from ftcexact.network import Network
>>> net = Network.from_lists([([[1], [-1]], [0, 0]), ([["1/2", "1/2"]], [0])])
>>> doc = network_document(net)
>>> doc["layers"][1]
{'W': [['1/2', '1/2']], 'b': ['0']}
>>> network_from_document(doc) == net
True
>>> network_from_document({"format": "ftcexact-network", "version": 2, "layers": []})
Traceback (most recent call last):
...
ftcexact.models.errors.ModelError: network: unsupported version 2 (this reader reads 1)

References
----------
``docs/models.md`` (this format) and ``docs/certificate.md`` (the layer list).
"""

from __future__ import annotations

import re

from ..kernel.numbers import RationalError, format_rational, parse_rationals
from ..network import Network, NetworkError
from .errors import MAX_PARAMETERS, ModelError, check_parameters, one_line

__all__ = ["FORMAT", "VERSION", "SOURCE_FORMATS", "network_document", "network_from_document",
           "read_native_bytes", "native_bytes"]

FORMAT = "ftcexact-network"
VERSION = 1
SOURCE_FORMATS = ("onnx", "nnet", "safetensors", "npz", "sklearn", "json")
#: Digits allowed in one number (exact folds of float weights can have long denominators).
MAX_DIGITS = 100_000
_HEX64 = re.compile(r"[0-9a-f]{64}")


def network_document(net, source=None):
    """The ``ftcexact-network`` JSON object of ``net`` (``source``: optional provenance dict)."""
    doc = {"format": FORMAT, "version": VERSION, "activation": "relu",
           "layers": [{"W": [[format_rational(v) for v in row] for row in W], "b": [format_rational(v) for v in b]}
                      for W, b in net.layers]}
    if source is not None:
        doc["source"] = _check_source(source, "source")
    return doc


def _check_source(source, where):
    if not isinstance(source, dict) or set(source) - {"path", "sha256", "format"}:
        raise ModelError(f"{where}: must be an object with keys path, sha256, format")
    if not isinstance(source.get("path"), str) or not isinstance(source.get("sha256"), str) \
            or not _HEX64.fullmatch(source["sha256"]) or source.get("format") not in SOURCE_FORMATS:
        raise ModelError(f"{where}: needs a path (string), a sha256 (64 lower-case hex digits) and a format "
                         f"({', '.join(SOURCE_FORMATS)})")
    return dict(source)


def _numbers(items, where):
    if not isinstance(items, list):
        raise ModelError(f"{where}: expected a list of numbers, got {type(items).__name__}")
    if not all(isinstance(v, str) for v in items):  # read_json_text turns every number literal into its text
        bad = next(i for i, v in enumerate(items) if not isinstance(v, str))
        raise ModelError(f"{where}[{bad}]: expected a number, got {type(items[bad]).__name__}")
    try:
        return parse_rationals(items, MAX_DIGITS)
    except RationalError:
        for i, v in enumerate(items):
            try:
                parse_rationals([v], MAX_DIGITS)
            except RationalError as e:
                raise ModelError(f"{where}[{i}]: {one_line(e)}") from None
        raise  # pragma: no cover - parse_rationals failed on the list but on no single entry


def network_from_layers(layers, where="network", max_parameters=MAX_PARAMETERS):
    """Exact network from a certificate-style layer list (numbers as strings)."""
    if not isinstance(layers, list) or not layers:
        raise ModelError(f"{where}: layers must be a non-empty list")
    count = 0
    for l, layer in enumerate(layers):
        if not isinstance(layer, dict) or set(layer) != {"W", "b"}:
            raise ModelError(f"{where}: layer {l} must be an object with exactly the keys W and b")
        W, b = layer["W"], layer["b"]
        if not isinstance(W, list) or not isinstance(b, list) or not all(isinstance(r, list) for r in W):
            raise ModelError(f"{where}: layer {l}: W must be a list of rows and b a list")
        count += sum(len(r) for r in W) + len(b)
    check_parameters(count, max_parameters, where)
    out = []
    for l, layer in enumerate(layers):
        W = tuple(_numbers(row, f"{where}: layer {l} W[{i}]") for i, row in enumerate(layer["W"]))
        b = _numbers(layer["b"], f"{where}: layer {l} b")
        if W and any(len(r) != len(W[0]) for r in W):
            raise ModelError(f"{where}: layer {l}: rows of W have different lengths")
        if not W or not W[0]:
            raise ModelError(f"{where}: layer {l}: W is empty")
        out.append((W, b))
    try:
        return Network(tuple(out))
    except NetworkError as e:
        raise ModelError(f"{where}: {one_line(e)}") from None


def network_from_document(obj, where="network", max_parameters=MAX_PARAMETERS):
    """Exact network from a parsed ``ftcexact-network`` object or a bare layer list."""
    if isinstance(obj, list):
        return network_from_layers(obj, where, max_parameters)
    if not isinstance(obj, dict):
        raise ModelError(f"{where}: expected an ftcexact-network object or a list of layers")
    if obj.get("format") != FORMAT:
        raise ModelError(f"{where}: format must be {FORMAT!r}")
    if obj.get("version") not in (VERSION, str(VERSION)):
        raise ModelError(f"{where}: unsupported version {one_line(obj.get('version'), 40)} "
                         f"(this reader reads {VERSION})")
    unknown = set(obj) - {"format", "version", "activation", "layers", "source"}
    if unknown:
        raise ModelError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))[:200]}")
    if obj.get("activation") != "relu":
        raise ModelError(f"{where}: activation must be \"relu\"")
    if "source" in obj:
        _check_source(obj["source"], f"{where}: source")
    return network_from_layers(obj.get("layers"), where, max_parameters)


def read_native_bytes(data, name="network", max_parameters=MAX_PARAMETERS):
    """Read an ``ftcexact-network`` file (or a bare layer list) from its bytes."""
    from ..dataset import DatasetError, read_json_text
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelError(f"{name}: not UTF-8 text") from None
    try:
        obj = read_json_text(text, name)
    except DatasetError as e:
        raise ModelError(one_line(e)) from None
    return network_from_document(obj, name, max_parameters)


def native_bytes(net, source=None):
    """The file content :func:`network_document` describes (UTF-8 JSON, one line, newline-terminated)."""
    import json
    return (json.dumps(network_document(net, source)) + "\n").encode("utf-8")
