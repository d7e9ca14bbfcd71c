"""Writing certificates (format ``ftcexact-certificate`` v2): the untrusted producer side.

The format is documented in ``docs/certificate.md``; the trusted reader is
:mod:`ftcexact.kernel.verify`.  This module assembles the JSON objects and
writes files atomically, so a failed or interrupted run never leaves a
half-written file behind.

A fine-tuning certificate names the statement it instantiates by its id in
the kernel's claim registry (:data:`ftcexact.kernel.claims.STATEMENTS`).  The
producer asks the registry itself whether the instance meets the statement
(untrusted use of the trusted code, so producer and checker cannot drift);
when it does not (say, labels outside [-1, 1] for a statement that assumes
them), the statement is left out and the reason kept in the hints, and the
certificate then claims only that g fits with its number of neurons.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile

from .dataset import dataset_from_json, dataset_to_json
from .kernel.claims import STATEMENTS, Instance, statement_checks, unchanged_runs
from .kernel.numbers import Q
from .kernel.verify import FORMAT, VERSION
from .network import network_from_json, network_to_json

__all__ = ["make_certificate", "write_json_atomic", "file_reference", "dataset_reference", "certificate_network",
           "certificate_dataset", "statement_applies", "summary", "decimal", "FORMAT", "VERSION"]


def _instance(ds, net):
    """The registry's view of an instance, computed on the producer side."""
    targets = ds.targets
    big = max((abs(v) for z in targets for v in z), default=Q(0))
    one_hot = all(sorted(z) == [Q(0)] * (len(z) - 1) + [Q(1)] for z in targets)

    def blocks():
        from .constructions.projection import project_dataset
        _, t = project_dataset(ds)
        if hasattr(ds, "sorted_order"):  # rows in projection order, equal projections merged
            rows = ds.sorted_order()
            order = [(t[i], bool(any(targets[i]))) for j, i in enumerate(rows) if j == 0 or t[i] != t[rows[j - 1]]]
        else:
            order = sorted(set(zip(t, (bool(any(z)) for z in targets))))
        return unchanged_runs([changed for _, changed in order])
    return Instance(ds.K, ds.N, ds.d, ds.dy, net.widths, net.depth, getattr(net, "kind", "feedforward"),
                    big, one_hot, blocks, net.slopes)


def statement_applies(statement, ds, net):
    """``(True, "")`` if the registry's checks of ``statement`` pass on this instance, else ``(False, why)``.

    Theorem 4.4 is evaluated in the order of the default projection here; the
    verifier uses the network's own direction.
    """
    if statement not in STATEMENTS:
        return False, f"{statement!r} is not a registered statement"
    for ok, _, failure in statement_checks(statement, _instance(ds, net)):
        if not ok:
            return False, failure
    return True, ""


def make_certificate(ds, net, *, construction, statement=None, hints=None, dataset_ref=None, frozen_ref=None):
    """Assemble a fine-tuning certificate (v2).

    Parameters
    ----------
    ds : Dataset
        With ``f``-values, or with keep markers when ``frozen_ref`` is given.
    net : Network
        The fine-tuning network g.
    construction : str
        Name of the construction (for humans).
    statement : str, optional
        A statement id of the claim registry; left out (with the reason in the
        hints) when the instance does not meet it.
    hints : dict, optional
        Untrusted information for humans (direction, kept set, recipe counts).
    dataset_ref, frozen_ref : dict, optional
        ``{"path", "sha256"}`` references to the dataset file and to the
        frozen network's exact JSON file (see :func:`file_reference`).

    Examples
    --------
    >>> from ftcexact.dataset import random_dataset
    >>> from ftcexact.constructions.two_layer import two_layer_fit
    >>> ds = random_dataset(d=2, K=8, N=2, seed=1)
    >>> cert = make_certificate(ds, two_layer_fit(ds)[0], construction="two-layer", statement="ftc_thm_4_1_upper")
    >>> cert["claim"]["statement"], cert["version"]
    ('ftc_thm_4_1_upper', 2)
    """
    hints = dict(hints or {})
    claim = {"construction": construction, "N": ds.N, "K": ds.K, "d": ds.d, "neurons": net.neurons}
    if statement is not None:
        ok, why = statement_applies(statement, ds, net)
        if ok:
            claim["statement"] = statement
        else:
            hints["statement_not_claimed"] = f"{statement}: {why}"
    if dataset_ref is None and not hasattr(ds, "x"):
        raise ValueError("a dataset held as an array is referenced, not embedded: save it as .npz and pass "
                         "dataset_ref")
    cert = {"format": FORMAT, "version": VERSION, "kind": "fine-tuning", "claim": claim,
            "dataset": dataset_ref or dataset_to_json(ds, with_f=frozen_ref is None)}
    if frozen_ref:
        cert["frozen"] = frozen_ref
    cert["T"] = ds.T
    cert["network"] = network_to_json(net)
    if hints:
        cert["hints"] = hints
    return cert


def write_json_atomic(obj, path, indent=None):
    """Write JSON to ``path`` through a temporary file and an atomic rename."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".ftcexact-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, indent=indent)
            fh.write("\n")
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; a certificate is meant to be shared
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def file_reference(file_path, certificate_path):
    """``{"path", "sha256"}`` for a file, with the path relative to the certificate's folder."""
    digest = hashlib.sha256()
    with open(file_path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    rel = os.path.relpath(os.path.abspath(file_path), os.path.dirname(os.path.abspath(certificate_path)))
    return {"path": rel, "sha256": digest.hexdigest()}


dataset_reference = file_reference


def certificate_network(cert):
    """The network ``g`` of a certificate object."""
    return network_from_json(cert["network"])


def certificate_dataset(cert, base_dir="."):
    """The dataset of a certificate object (embedded or referenced)."""
    spec = cert["dataset"]
    if "path" in spec:
        from .dataset import load_dataset
        return load_dataset(os.path.join(base_dir, spec["path"]))
    return dataset_from_json(spec)


def decimal(q, digits=4):
    """A readable decimal of an exact rational of any size (mpmath: no float overflow), for display only.

    Examples
    --------
    >>> decimal(Q(10) ** 400 / 3), decimal(Q(-1, 3)), decimal(Q(0))
    ('3.333e+399', '-0.3333', '0')
    """
    import mpmath
    q = Q(q)
    if not q:
        return "0"
    with mpmath.workprec(64):
        return mpmath.nstr(mpmath.mpf(int(q.numerator)) / int(q.denominator), digits, min_fixed=-4, max_fixed=6)


def summary(cert, ds, net=None):
    """What a user wants to see after certifying: size, statement, weight sizes, and how large g gets.

    ``g_between_data`` is the largest ``|g|`` along the projection between the
    smallest and largest projected data point (exact, from the restriction of
    g to its first-layer direction; ``None`` when g does not read one
    direction).  A patch far larger there than the targets is fragile in float
    arithmetic; ``warnings`` says so.

    Examples
    --------
    >>> from ftcexact.constructions import certify
    >>> from ftcexact.dataset import random_dataset
    >>> ds = random_dataset(d=2, K=20, N=3, seed=1)
    >>> s = summary(certify(ds, "two-layer"), ds)
    >>> s["statement"], s["neurons"] <= 10, s["warnings"]
    ('ftc_thm_4_4', True, [])
    """
    from .kernel.evaluate import TooManyPieces, first_layer_direction, restrict_to_direction, sweep_budget
    net = net or network_from_json(cert["network"])
    matrices = [m for W, b in net.layers for m in (W, [b])] if hasattr(net, "layers") else \
        [m for U, b, V, c in list(net.blocks) + [net.head] for m in (U, [b], V, [c])]  # a residual network
    weights = [v for m in matrices for row in m for v in row]
    bits = max((abs(v.numerator).bit_length() + v.denominator.bit_length() for v in weights), default=0)
    biggest = max((abs(v) for z in ds.targets for v in z), default=Q(0))
    out = {"construction": cert["claim"].get("construction"), "statement": cert["claim"].get("statement"),
           "K": ds.K, "d": ds.d, "N": ds.N, "keeps": ds.keeps, "neurons": net.neurons, "widths": net.widths,
           "max_weight_bits": bits,
           "max_abs_weight": decimal(max((abs(v) for v in weights), default=Q(0))),
           "max_abs_target": decimal(biggest), "g_between_data": None, "warnings": []}
    if cert.get("hints", {}).get("statement_not_claimed"):
        out["warnings"].append("no statement claimed: " + cert["hints"]["statement_not_claimed"])
    one = first_layer_direction(net) if hasattr(net, "layers") else None
    if one is not None and net.output_dim * net.neurons > 10**6:  # e.g. [YSJ] Prop 3.2 with 1000 classes:
        one = None  # every output on every piece would take minutes before the caps stop it; left out
    if one is not None:
        w, alphas = one
        s = ds.projections(w) if hasattr(ds, "projections") else [sum(a * v for a, v in zip(w, x)) for x in ds.x]
        lo, hi = min(s), max(s)
        layers = [(None, net.layers[0][1])] + list(net.layers[1:])
        try:  # under the kernel's work budget: a network too large to sweep gets no g_between_data
            bps, forms = restrict_to_direction(layers, alphas, net.slopes, max_work=sweep_budget(layers))
        except TooManyPieces:
            bps = forms = None
    if one is not None and forms is not None:
        # |g| on [lo, hi] is largest at an end or a breakpoint (g(s w) is continuous and piecewise linear;
        # the piece right of a breakpoint gives its value there)
        from bisect import bisect_right
        peak = max(abs(a * t + c) for t in [lo, hi] + [b for b in bps if lo < b < hi]
                   for a, c in zip(*forms[bisect_right(bps, t)]))
        out["g_between_data"] = decimal(peak)
        if peak > 1000 * max(biggest, Q(1)):
            out["warnings"].append(f"g reaches {decimal(peak)} between the data points (targets are at most "
                                   f"{decimal(biggest)}): a float deployment is fragile away from the data")
    if bits > 64:
        out["warnings"].append(f"weights need up to {bits} bits: float32/float64 exports will not reproduce the "
                               "targets exactly (see `ftcexact export`'s deployability report)")
    return out
