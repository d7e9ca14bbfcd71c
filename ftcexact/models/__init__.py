"""Real models in, deployable patched models out.

Readers turn a trained network into an exact :class:`ftcexact.network.Network`
(every float weight becomes its exact dyadic value, decimal text its exact
decimal value); writers round an exact network correctly to float32/float64
and save it in a format frameworks run.  One module per format:

===================  =============================  ==============================
extension / object   module                         reads / writes
===================  =============================  ==============================
``.onnx``            :mod:`.onnx_format`            affine/ReLU chains / Gemm+Relu
``.nnet``            :mod:`.nnet`                   ACAS Xu text format / --
``.safetensors``     :mod:`.safetensors_format`     nn.Sequential state dict / same
``.npz``             :mod:`.npz`                    W0, b0, W1, b1, ... / same
``.json``            :mod:`.native`                 ftcexact-network (exact) / same
MLP estimator        :mod:`.sklearn_mlp`            MLPRegressor/MLPClassifier / --
===================  =============================  ==============================

Bad input of any kind raises :class:`ModelError` (a ``ValueError``) with a
one-line message; files larger than ``max_bytes`` or networks with more than
``max_parameters`` parameters are refused before any conversion
(:mod:`.errors`).  See ``docs/models.md``.

Examples
--------
>>> import os, tempfile
>>> from ftcexact.network import Network, evaluate
>>> net = Network.from_lists([([[1], [-1]], ["1/3", 0]), ([[1, 1]], [0])])
>>> folder = tempfile.mkdtemp()
>>> save_model(net, os.path.join(folder, "g.json"))
>>> load_model(os.path.join(folder, "g.json")) == net
True
>>> save_model(net, os.path.join(folder, "g.npz"), dtype="float64")
>>> load_model(os.path.join(folder, "g.npz")) == net      # 1/3 was rounded to a float64
False
>>> model_format("weights.pt")
Traceback (most recent call last):
...
ftcexact.models.errors.ModelError: weights.pt: unknown model format (known extensions: .json, .nnet, .npz, .onnx, .safetensors)

References
----------
``docs/models.md``; the format modules cite their specifications.
"""

from __future__ import annotations

import os

from ..network import Network
from .errors import MAX_FILE_BYTES, MAX_PARAMETERS, ModelError
from .files import read_bytes, sha256_hex, write_bytes_atomic

__all__ = ["load_model", "save_model", "read_model_file", "model_format", "model_bytes", "ModelError",
           "EXTENSIONS", "FLOAT_DTYPES"]

#: File extension -> format name.
EXTENSIONS = {".onnx": "onnx", ".nnet": "nnet", ".safetensors": "safetensors", ".npz": "npz", ".json": "json"}
#: Options each file format accepts (besides max_bytes and max_parameters).
OPTIONS = {"onnx": set(), "nnet": {"normalize", "clamp"}, "safetensors": {"strict"}, "npz": {"layout"},
           "json": set()}
FLOAT_DTYPES = ("float32", "float64")


def model_format(path):
    """The format name of a model file, from its extension."""
    ext = os.path.splitext(str(path))[1].lower()
    if ext not in EXTENSIONS:
        raise ModelError(f"{os.path.basename(str(path))}: unknown model format (known extensions: "
                         f"{', '.join(sorted(EXTENSIONS))})")
    return EXTENSIONS[ext]


def _read_bytes_as(fmt, data, name, max_parameters, options):
    unknown = set(options) - OPTIONS[fmt]
    if unknown:
        raise ModelError(f"{name}: option {sorted(unknown)[0]} does not apply to {fmt} models")
    if fmt == "onnx":
        from .onnx_format import read_onnx_bytes
        return read_onnx_bytes(data, name, max_parameters=max_parameters)
    if fmt == "nnet":
        from .nnet import read_nnet_bytes
        return read_nnet_bytes(data, name, max_parameters=max_parameters, **options)
    if fmt == "safetensors":
        from .safetensors_format import read_safetensors_bytes
        return read_safetensors_bytes(data, name, max_parameters=max_parameters, **options)
    if fmt == "npz":
        from .npz import read_npz_bytes
        return read_npz_bytes(data, name, max_parameters=max_parameters, **options)
    from .native import read_native_bytes
    return read_native_bytes(data, name, max_parameters=max_parameters)


def read_model_file(path, *, format=None, max_bytes=MAX_FILE_BYTES, max_parameters=MAX_PARAMETERS, **options):
    """Read a model file; returns ``(network, source)``.

    ``source`` is the provenance recorded in an ``ftcexact-network`` file:
    ``{"path": <file name>, "sha256": <hex of the bytes read>, "format": <format>}``.
    ``format`` overrides the extension.  ``options`` go to the format's reader
    (``normalize``/``clamp`` for NNet, ``layout`` for npz, ``strict`` for safetensors).
    """
    fmt = format or model_format(path)
    if fmt not in OPTIONS:
        raise ModelError(f"unknown model format {fmt!r} ({', '.join(OPTIONS)})")
    data = read_bytes(path, max_bytes)
    name = os.path.basename(str(path))
    net = _read_bytes_as(fmt, data, name, max_parameters, options)
    return net, {"path": name, "sha256": sha256_hex(data), "format": fmt}


def load_model(model, *, format=None, max_parameters=MAX_PARAMETERS, **options):
    """An exact :class:`~ftcexact.network.Network` from a model.

    Parameters
    ----------
    model : str, os.PathLike, bytes, list, dict, Network or estimator
        A file path (format from the extension, or ``format=``); the bytes of a
        file (``format=`` required); a parsed ``ftcexact-network`` object or a
        certificate layer list; a fitted scikit-learn ``MLPRegressor`` /
        ``MLPClassifier``; or a ``Network`` (returned unchanged).
    format : str, optional
        ``"onnx"``, ``"nnet"``, ``"safetensors"``, ``"npz"`` or ``"json"``.
    max_parameters : int
        Refuse larger networks before converting any number.
    **options
        ``max_bytes`` (files), ``normalize``/``clamp`` (NNet), ``layout`` (npz), ``strict`` (safetensors).

    Raises
    ------
    ModelError
        On any bad input, with a one-line message.
    """
    from .sklearn_mlp import is_sklearn_mlp
    if isinstance(model, Network):
        return model
    if isinstance(model, (str, os.PathLike)):
        return read_model_file(model, format=format, max_parameters=max_parameters, **options)[0]
    if isinstance(model, (bytes, bytearray, memoryview)):
        if format not in OPTIONS:
            raise ModelError("reading bytes needs format= (onnx, nnet, safetensors, npz or json)")
        options.pop("max_bytes", None)
        return _read_bytes_as(format, bytes(model), f"<{format} bytes>", max_parameters, options)
    if isinstance(model, (list, dict)):
        from .native import network_from_document
        if options:
            raise ModelError(f"option {sorted(options)[0]} does not apply to a JSON network")
        return network_from_document(model, "network", max_parameters)
    if is_sklearn_mlp(model):
        from .sklearn_mlp import read_sklearn
        if options:
            raise ModelError(f"option {sorted(options)[0]} does not apply to scikit-learn models")
        return read_sklearn(model, max_parameters)
    raise ModelError(f"cannot read a model from a {type(model).__name__} (a path, bytes, a JSON network, "
                     "a Network or a scikit-learn MLP)")


def model_bytes(net, fmt, dtype=None, source=None):
    """The file content of ``net`` in ``fmt``: exact for ``json`` (``dtype`` None), rounded otherwise."""
    if fmt == "json":
        if dtype is not None:
            raise ModelError("the JSON network format is exact: dtype must be None")
        from .native import native_bytes
        return native_bytes(net, source)
    if fmt not in ("onnx", "npz", "safetensors"):
        raise ModelError(f"cannot write {fmt} models (onnx, npz, safetensors or json)")
    dtype = dtype or "float32"
    if dtype not in FLOAT_DTYPES:
        raise ModelError(f"dtype must be float32 or float64, not {dtype!r}")
    from .arrays import network_to_arrays
    return arrays_bytes(network_to_arrays(net, dtype), fmt)


def arrays_bytes(arrays, fmt):
    """The file content of rounded ``[(W, b), ...]`` arrays in ``fmt`` (onnx, npz or safetensors)."""
    if fmt == "onnx":
        from .onnx_format import onnx_bytes
        return onnx_bytes(arrays)
    if fmt == "npz":
        from .npz import npz_bytes
        return npz_bytes(arrays)
    from .safetensors_format import safetensors_bytes
    return safetensors_bytes(arrays)


def save_model(net, path, dtype=None, source=None):
    """Write ``net`` to ``path`` (format from the extension), atomically.

    ``.json`` is exact (``dtype`` must be None; ``source`` is optional
    provenance); ``.onnx``, ``.npz`` and ``.safetensors`` round every weight
    correctly to ``dtype`` (default ``"float32"``).  Overflow raises
    :class:`ModelError` naming the weight, before anything is written.
    """
    fmt = model_format(path)
    if fmt == "nnet":
        raise ModelError("writing NNet files is not supported (onnx, npz, safetensors or json)")
    write_bytes_atomic(model_bytes(net, fmt, dtype, source), path)
