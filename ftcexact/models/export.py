"""Export a certificate's g, or f + g as one network, to a model file, with a deployability report.

The certificate's g and the frozen network f it references (checked against
their sha256) are read exactly; ``f + g`` is one network (f and g side by side
on the same input, outputs added: :func:`ftcexact.network.add`).  A float
export rounds every weight correctly (:mod:`.floats`); the report
(:func:`ftcexact.models.deploy.deployability_report`) then compares the
exact and the rounded network, exactly, at the data points and at probes.

Examples
--------
>>> import os, tempfile
>>> from ftcexact.constructions import certify
>>> from ftcexact.dataset import random_dataset
>>> ds = random_dataset(d=2, K=12, N=3, seed=4)
>>> out = os.path.join(tempfile.mkdtemp(), "g.npz")
>>> summary = export_certificate(certify(ds), ".", out, part="g", dtype="float64")
>>> summary["report"]["exact_network_fits"], os.path.exists(out)
(True, True)

References
----------
``docs/models.md`` (export and the report).
"""

from __future__ import annotations

import os

from . import ModelError, arrays_bytes, model_format
from .arrays import network_to_arrays, rounded_network_from_arrays
from .deploy import deployability_report
from .files import same_file, write_bytes_atomic
from .frozen import certificate_dataset_checked, certificate_networks
from .native import native_bytes
from .points import read_points

__all__ = ["export_certificate"]


def export_certificate(cert, base_dir, output, part="f+g", dtype=None, probes=None, classes=False, tolerance=None,
                       inputs=()):
    """Write ``part`` (``"g"`` or ``"f+g"``) of a parsed certificate to ``output``; return a summary with the report.

    Parameters
    ----------
    cert : dict
        The certificate object; referenced files are read from ``base_dir``.
    output : str
        ``.onnx``, ``.npz``, ``.safetensors`` (rounded to ``dtype``, default float32) or ``.json`` (exact).
    probes : str or list, optional
        A file of points away from the data (.npy, .npz, .json), or a list of points.
    classes : bool
        Check predicted classes even when the labels are not one-hot.
    inputs : sequence of str
        Files the output must not overwrite (besides the certificate's references).
    """
    from ..network import add, evaluate
    if part not in ("g", "f+g"):
        raise ModelError(f"part must be 'g' or 'f+g', not {part!r}")
    fmt = model_format(output)
    if fmt == "nnet":
        raise ModelError("export writes .onnx, .npz, .safetensors or .json")
    if fmt == "json" and dtype:
        raise ModelError("a .json export is exact; dtype applies to .onnx, .npz and .safetensors")
    dtype = None if fmt == "json" else (dtype or "float32")
    f, g = certificate_networks(cert, base_dir)
    refs = [os.path.join(base_dir, cert[key]["path"]) for key in ("frozen", "dataset")
            if isinstance(cert.get(key), dict) and "path" in cert[key]]
    if any(os.path.exists(p) and same_file(output, p) for p in list(inputs) + refs):
        raise ModelError(f"the output {output} would overwrite an input")
    ds = certificate_dataset_checked(cert, base_dir, frozen=f)
    if g.input_dim != ds.d or g.output_dim != ds.dy:
        raise ModelError(f"g maps {g.input_dim} -> {g.output_dim} but the dataset has d = {ds.d} and "
                         f"{ds.dy} output(s)")
    if isinstance(probes, str):
        probes = read_points(probes, ds.d)
    if part == "g":
        net, targets, baseline = g, list(ds.targets), None
        offsets = evaluate(f, list(ds.x)) if f is not None else (list(ds.f) if ds.f is not None else None)
    else:
        if f is None and ds.f is not None:
            raise ModelError("part f+g needs the frozen network f, but the certificate has no \"frozen\" reference "
                             "(its dataset gives f only as values)")
        net = add(f, g) if f is not None else g
        kept = iter(evaluate(f, [x for x, y in zip(ds.x, ds.y) if y is None]) if ds.keeps else [])
        targets = [y if y is not None else next(kept) for y in ds.y]  # a kept label is f's exact value
        offsets, baseline = None, f
    if dtype is None:
        rounded, content = net, native_bytes(net)
    else:
        arrays = network_to_arrays(net, dtype)
        rounded, content = rounded_network_from_arrays(arrays), arrays_bytes(arrays, fmt)
    report = deployability_report(net, rounded, list(ds.x), targets, T=ds.T, offsets=offsets,
                                  classes=True if classes else None, probes=probes, baseline=baseline,
                                  dtype=dtype, tolerance=tolerance)
    write_bytes_atomic(content, output)
    return {"part": part, "output": output, "format": fmt, "dtype": dtype or "exact",
            "architecture": " -> ".join(str(w) for w in [net.input_dim, *net.widths, net.output_dim]),
            "neurons": net.neurons, "report": report}
