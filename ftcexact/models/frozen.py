"""The networks of a certificate: the fine-tuning network g and the frozen network f it references.

A certificate holds g in ``"network"`` (a layer list).  It may reference the
frozen pre-trained network as ``"frozen": {"path": "f.json", "sha256": "..."}``,
an ``ftcexact-network`` file (:mod:`ftcexact.models.native`) whose path is
relative to the certificate's folder.  :func:`certificate_networks` reads
both and checks the file's SHA-256 and that f and g have the same input and
output dimensions.  Its dataset, embedded or referenced by path and sha256,
is read by :func:`certificate_dataset_checked`.

Examples
--------
>>> import json, os, tempfile
>>> from ftcexact.network import Network
>>> from ftcexact.models.native import native_bytes
>>> from ftcexact.models.files import sha256_hex
>>> folder = tempfile.mkdtemp()
>>> f = Network.from_lists([([[2]], [1])])
>>> data = native_bytes(f)
>>> with open(os.path.join(folder, "f.json"), "wb") as fh:
...     _ = fh.write(data)
>>> cert = {"network": [{"W": [["1"]], "b": ["0"]}], "frozen": {"path": "f.json", "sha256": sha256_hex(data)}}
>>> f2, g = certificate_networks(cert, folder)
>>> f2 == f, g.depth
(True, 1)
>>> cert["frozen"]["sha256"] = "0" * 64
>>> certificate_networks(cert, folder)
Traceback (most recent call last):
...
ftcexact.models.errors.ModelError: frozen network f.json does not match the sha256 recorded in the certificate

References
----------
``docs/certificate.md`` (the certificate), ``docs/models.md`` (the frozen network).
"""

from __future__ import annotations

import os
import re

from .errors import MAX_FILE_BYTES, ModelError, one_line
from .files import read_bytes, sha256_hex
from .native import network_from_layers, read_native_bytes

__all__ = ["certificate_networks", "certificate_dataset_checked", "frozen_reference"]

_HEX64 = re.compile(r"[0-9a-fA-F]{64}")


def _reference(spec, what):
    if not isinstance(spec, dict) or not isinstance(spec.get("path"), str) or not spec["path"] \
            or not isinstance(spec.get("sha256"), str) or not _HEX64.fullmatch(spec["sha256"]):
        raise ModelError(f"certificate: {what} must be {{\"path\": ..., \"sha256\": <64 hex digits>}}")
    return spec["path"], spec["sha256"].lower()


def _read_checked(spec, base_dir, what, max_bytes):
    path, digest = _reference(spec, what)
    full = os.path.join(base_dir, path)
    data = read_bytes(full, max_bytes)
    if sha256_hex(data) != digest:
        raise ModelError(f"{what} {path} does not match the sha256 recorded in the certificate")
    return path, data


def certificate_networks(cert, base_dir=".", max_bytes=MAX_FILE_BYTES):
    """``(f or None, g)`` of a parsed certificate; f from its ``"frozen"`` reference, if any."""
    if not isinstance(cert, dict) or "network" not in cert:
        raise ModelError("certificate: no \"network\" (the fine-tuning network g)")
    g = network_from_layers(cert["network"], "certificate network")
    spec = cert.get("frozen")
    if spec is None:
        return None, g
    path, data = _read_checked(spec, base_dir, "frozen network", max_bytes)
    f = read_native_bytes(data, path)
    if f.input_dim != g.input_dim or f.output_dim != g.output_dim:
        raise ModelError(f"frozen network {path} maps {f.input_dim} -> {f.output_dim} inputs/outputs but g maps "
                         f"{g.input_dim} -> {g.output_dim}")
    return f, g


def certificate_dataset_checked(cert, base_dir=".", max_bytes=MAX_FILE_BYTES, frozen=None):
    """The certificate's dataset, embedded or referenced (a reference's sha256 is checked).

    A referenced file may be JSON or ``.npz`` (with ``"classes"``); keep markers
    need the frozen network ``frozen``, whose exact values are then filled in at
    every explicit label (:func:`ftcexact.dataset.with_frozen`).
    """
    from ..dataset import DatasetError, dataset_from_json, load_npz, read_json_text, with_frozen
    spec = cert.get("dataset") if isinstance(cert, dict) else None
    try:
        if isinstance(spec, dict) and "path" in spec:
            classes = spec.get("classes")
            classes = int(classes) if classes is not None else None
            path, data = _read_checked(spec, base_dir, "dataset", max_bytes)
            if data[:2] == b"PK":
                ds = load_npz(os.path.join(base_dir, path), classes)
            else:
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    raise ModelError(f"dataset {path}: not UTF-8 text") from None
                ds = dataset_from_json(read_json_text(text, path), classes)
        elif isinstance(spec, dict):
            ds = dataset_from_json(spec)
        else:
            raise ModelError("certificate: no \"dataset\"")
        return with_frozen(ds, frozen) if frozen is not None else ds
    except (DatasetError, ValueError) as e:
        raise ModelError(one_line(e)) from None


def frozen_reference(model, certificate_path, frozen_out=None, **options):
    """Read a frozen model exactly and reference it from a certificate at ``certificate_path``.

    The kernel reads only exact ``ftcexact-network`` JSON files, so a model in
    another format is converted and written to ``frozen_out`` (default: the
    certificate's name with ``.frozen.json``); the reference then also names the
    original file (``"source"``, path and sha256), which the verifier checks is
    unchanged.  A model that is already such a JSON file is referenced as it is.

    Returns
    -------
    (Network, dict)
        The exact network and ``{"path", "sha256"[, "source"]}``, paths relative
        to the certificate's folder.
    """
    from ..certificate import file_reference
    from . import read_model_file, save_model
    net, source = read_model_file(model, **options)
    if source["format"] == "json":
        return net, file_reference(model, certificate_path)
    if frozen_out is None:
        stem = certificate_path[:-5] if certificate_path.lower().endswith(".json") else certificate_path
        frozen_out = stem + ".frozen.json"
    save_model(net, frozen_out, source=source)
    ref = file_reference(frozen_out, certificate_path)
    ref["source"] = file_reference(model, certificate_path)
    return net, ref
