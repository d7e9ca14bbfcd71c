"""The Python API of ftcexact: plain data in, plain data out (networkx style).

Every public function is re-exported from :mod:`ftcexact`::

    import ftcexact as fx
    cert = fx.certify(x, y, frozen="mlp.onnx", construction="two-layer")
    assert fx.verify(cert)                       # the trusted kernel, in memory

Inputs may be lists, NumPy arrays (float arrays are converted exactly: a float
is an integer times a power of two), ``fractions.Fraction``, ints or
``"p/q"`` strings; a label ``None`` (NaN in a float array) keeps the frozen
network's value.  Every rational that comes back is a ``fractions.Fraction``,
whatever exact backend runs inside.  This module is a thin facade over the
package's modules (constructions, kernel, analysis, search, models); it adds
no mathematics of its own.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from fractions import Fraction

__all__ = ["Certificate", "Verdict", "Pieces", "certify", "verify", "pieces", "min_pieces", "min_width",
           "lower_bound", "partition", "load_model", "export", "draw", "prove", "summary"]


def _fraction(q):
    return Fraction(int(q.numerator), int(q.denominator))


def _fractions(v):
    return tuple(_fraction(q) for q in v)


def _fraction_network(net):
    from .network import Network
    return Network(tuple((tuple(_fractions(row) for row in W), _fractions(b)) for W, b in net.layers),
                   net.activation)


# ---------------------------------------------------------------- results

@dataclass
class Certificate:
    """A certificate in memory: its JSON object and the files it references that are not on disk yet.

    ``data`` is the certificate (``docs/certificate.md``); ``files`` maps the
    relative paths the certificate references (e.g. the exact frozen network)
    to their bytes; :meth:`save` writes all of them.  ``summary`` is what
    :func:`ftcexact.certificate.summary` reports (sizes, statement, warnings).
    """

    data: dict
    files: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)

    @property
    def kind(self):
        return self.data.get("kind")

    @property
    def neurons(self):
        return self.data["claim"].get("neurons")

    @property
    def statement(self):
        return self.data["claim"].get("statement")

    @property
    def network(self):
        """The network g (``fractions.Fraction`` weights)."""
        from .network import network_from_json
        return _fraction_network(network_from_json(self.data["network"]))

    def to_json(self, indent=None):
        return json.dumps(self.data, indent=indent)

    def save(self, path):
        """Write the certificate to ``path`` and its referenced files beside it; return ``path``."""
        from .certificate import write_json_atomic
        folder = os.path.dirname(os.path.abspath(path))
        for name, content in self.files.items():
            target = os.path.join(folder, name)
            with open(target + ".tmp", "wb") as fh:
                fh.write(content)
            os.replace(target + ".tmp", target)
        write_json_atomic(self.data, path)
        return path


@dataclass
class Verdict:
    """The trusted kernel's answer: ``bool(verdict)`` is True iff it printed ``s VERIFIED``.

    ``code`` is the exit code (0 VERIFIED, 1 NOT VERIFIED, 2 malformed, 3
    internal error), ``lines`` the ``c`` lines, ``reason`` the failure (or
    the malformed-input message), empty when verified.
    """

    code: int
    lines: list
    reason: str = ""

    def __bool__(self):
        return self.code == 0

    def __str__(self):
        return "\n".join(self.lines + ["s VERIFIED" if self else "s NOT VERIFIED"])


@dataclass
class Pieces:
    """A continuous piecewise-linear function ``R -> R^k``: ``count`` pieces, sorted ``breakpoints``,
    and per piece ``slopes[j]``, ``intercepts[j]`` (tuples, one entry per output; Fractions)."""

    count: int
    breakpoints: list
    slopes: list
    intercepts: list

    def __call__(self, t):
        from bisect import bisect_right
        t = Fraction(t)
        j = bisect_right(self.breakpoints, t)
        return tuple(a * t + c for a, c in zip(self.slopes[j], self.intercepts[j]))


def _pieces(f):
    return Pieces(f.pieces, [_fraction(b) for b in f.breakpoints], [_fractions(s) for s in f.slopes],
                  [_fractions(c) for c in f.intercepts])


# ---------------------------------------------------------------- inputs

def _dataset(x, y, f=None, classes=None):
    """A :class:`ftcexact.dataset.Dataset` from arrays or lists (None / NaN labels keep f)."""
    from .dataset import Dataset, dataset_from_arrays, one_hot
    from .kernel.numbers import as_rational
    if type(x).__module__.startswith("numpy") or type(y).__module__.startswith("numpy"):
        return dataset_from_arrays(x, y, f, classes)

    def row(v):
        return tuple(as_rational(a) for a in (v if isinstance(v, (list, tuple)) else [v]))
    keep = lambda v: v is None or (isinstance(v, float) and v != v)  # noqa: E731
    X = tuple(row(v) for v in x)
    if classes:
        Y = tuple(one_hot(int(v), classes) for v in y)
    else:
        Y = tuple(None if keep(v) else row(v) for v in y)
    return Dataset(X, Y, None if f is None else tuple(row(v) for v in f))


def _network(model, **options):
    """A Network from a Network, a certificate, a model file path or a scikit-learn MLP."""
    from .network import Network, network_from_json
    if isinstance(model, Network):
        return model
    if isinstance(model, Certificate):
        return network_from_json(model.data["network"])
    if isinstance(model, dict) and "network" in model:
        return network_from_json(model["network"])
    from .models import load_model as load
    return load(model, **options)


# ---------------------------------------------------------------- the functions

def certify(x, y, f=None, frozen=None, construction="two-layer", *, classes=None, direction=None, layers=None,
            **options):
    """Build a fine-tuning network g with ``f(x_i) + g(x_i) = y_i`` exactly, and its certificate.

    Parameters
    ----------
    x : array-like, K x d (or K)
    y : array-like, K or K x d_y
        New labels; ``None``/NaN keeps the frozen network's value (needs ``frozen``).
    f : array-like, optional
        The frozen network's values at the ``x_i`` (instead of ``frozen``).
    frozen : str or Network or estimator, optional
        The frozen network itself: a model file, a :class:`~ftcexact.network.Network`, or a
        scikit-learn ``MLPRegressor``/``MLPClassifier``; its values are computed exactly and
        the certificate references its exact JSON (saved beside the certificate by
        :meth:`Certificate.save`).
    construction : str
        One of :data:`ftcexact.constructions.CONSTRUCTIONS` (``ftcexact certify --help`` lists them).
    classes : int, optional
        ``y`` holds integer class labels (``-1``: keep), read as one-hot vectors.
    direction : sequence, optional
        Fix the projection ``t = a . x``.
    layers : int, optional
        Number of layers, for the deep constructions.

    Returns
    -------
    Certificate

    Examples
    --------
    >>> import ftcexact as fx
    >>> cert = fx.certify([0, 1, 2, 3], ["1", "5/2", "1", "0"], f=[1, 1, 1, 0])
    >>> cert.neurons, cert.statement, bool(fx.verify(cert))
    (3, 'ftc_thm_4_4', True)

    References
    ----------
    Sohn et al. 2024, Theorems 4.4 and 5.1, Appendix A, Proposition 6.1; Yun et al. 2019, Theorem 3.1
    and Proposition 3.2 (the constructions); docs/certificate.md (the certificate).
    """
    from .certificate import summary as summarize
    from .constructions import certify as build
    from .dataset import DatasetError, with_frozen
    from .kernel.numbers import Q
    ds = _dataset(x, y, f, classes)
    files, frozen_ref = {}, None
    if frozen is not None:
        from .models.files import sha256_hex
        from .models.native import native_bytes
        if ds.f is not None:
            raise DatasetError("give the frozen network's values f or the network itself (frozen), not both")
        net = _network(frozen)
        content = native_bytes(net)
        files["frozen.json"] = content
        frozen_ref = {"path": "frozen.json", "sha256": sha256_hex(content)}
        ds = with_frozen(ds, net)
    elif ds.keeps:
        raise DatasetError(f"{ds.keeps} labels keep the frozen network's value: give frozen=...")
    if layers is not None:
        options["layers"] = layers
    cert, net = build(ds, construction, frozen_ref=frozen_ref, return_network=True,
                      direction=None if direction is None else [Q(Fraction(v)) for v in direction], **options)
    return Certificate(cert, files, summarize(cert, ds, net))


def summary(cert):
    """The summary of a :class:`Certificate` (sizes, statement, weight bits, ``|g|`` between the data)."""
    return cert.summary


def verify(cert):
    """Check a certificate with the trusted kernel (the same code as ``ftcexact verify``).

    Parameters
    ----------
    cert : Certificate, dict or str
        A certificate object (its referenced files are written to a temporary
        folder first), a certificate dict, or a path to a certificate or
        refutation file.

    Returns
    -------
    Verdict
        ``bool(verdict)`` is True iff the kernel printed ``s VERIFIED``.

    Examples
    --------
    >>> import ftcexact as fx
    >>> cert = fx.certify([0, 1, 2], [0, 1, 0])
    >>> cert.data["network"][-1]["b"][0] = "1/2"           # tamper with g
    >>> v = fx.verify(cert)
    >>> bool(v), v.code, v.reason[:15]
    (False, 1, 'g(x_1) = 1/2 bu')

    References
    ----------
    docs/certificate.md (what the kernel checks; exit codes).
    """
    from .kernel.verify import run
    out, err = io.StringIO(), io.StringIO()
    if isinstance(cert, (str, os.PathLike)):
        code = run(str(cert), out=out, err=err)
    else:
        data = cert.data if isinstance(cert, Certificate) else cert
        files = cert.files if isinstance(cert, Certificate) else {}
        with tempfile.TemporaryDirectory() as folder:
            for name, content in files.items():
                with open(os.path.join(folder, name), "wb") as fh:
                    fh.write(content)
            code = run(os.path.join(folder, "certificate.json"), out=out, err=err, doc=data)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("c ")]
    reason = err.getvalue().strip() if code >= 2 else \
        next((line[len("c FAIL: "):] for line in lines if line.startswith("c FAIL: ")), "")
    return Verdict(code, lines, reason)


def pieces(network, point=None, direction=None, segment=None):
    """The exact restriction of a network to the line ``t -> point + t direction``.

    Parameters
    ----------
    network : Network, Certificate, model file or estimator
    point, direction : sequences, optional
        Default: the line ``t -> t`` for a network with one input.
    segment : (a, b), optional
        Restrict to ``a <= t <= b``: only breakpoints strictly inside are kept.

    Returns
    -------
    Pieces

    Examples
    --------
    >>> import ftcexact as fx
    >>> from ftcexact.network import Network
    >>> hat = Network.from_lists([([[1], [1], [1]], [0, -1, -2]), ([[1, -2, 1]], [0])])
    >>> p = fx.pieces(hat)
    >>> p.count, p.breakpoints, p(1)
    (4, [Fraction(0, 1), Fraction(1, 1), Fraction(2, 1)], (Fraction(1, 1),))
    >>> fx.pieces(hat, segment=("1/2", 3)).count
    3

    References
    ----------
    Yun et al. 2019, proof of Theorem 3.3; Sohn et al. 2024, §4.1 (networks on a line are piecewise linear).
    """
    from .analysis.pieces import restrict_to_line
    return _pieces(restrict_to_line(_network(network), point, direction, segment))


def min_pieces(t, z):
    """The fewest affine pieces of any continuous interpolant of ``(t_i, z_i)``, with a witness.

    Examples
    --------
    >>> import ftcexact as fx
    >>> n, witness = fx.min_pieces([1, 2, 3, 4, 5], [0, 1, 0, 1, 0])    # three alternating kinks
    >>> n, witness.breakpoints
    (4, [Fraction(2, 1), Fraction(3, 1), Fraction(4, 1)])

    References
    ----------
    Sohn et al. 2024, §4.1 (the piece-counting argument); docs/pieces.md.
    """
    from .analysis.interpolation import min_pieces as count
    from .kernel.numbers import as_rational
    n, f = count([as_rational(v) for v in t], [as_rational(v) for v in z])
    return n, _pieces(f)


def min_width(x, y, f=None):
    """The exact least width of a one-hidden-layer network fitting the data (data on a line), with proofs.

    Returns
    -------
    dict
        ``min_width``, ``network`` (Fractions), ``certificate`` (a Certificate fitting with that
        width) and ``refutation`` (a refutation of one neuron less, checkable with :func:`verify`),
        or, for data not on one line, certified ``lower`` and ``upper`` bounds.

    Examples
    --------
    >>> import ftcexact as fx
    >>> r = fx.min_width([1, 2, 3, 4], [1, -1, 1, -1])
    >>> r["min_width"], bool(fx.verify(r["certificate"])), bool(fx.verify(r["refutation"]))
    (3, True, True)

    References
    ----------
    Sohn et al. 2024, Theorem 4.1 (the bounds this value is compared with); docs/search.md §1-§2.
    """
    from .certificate import make_certificate
    from .search import oracle
    ds = _dataset(x, y, f)
    try:
        r = oracle.min_width(ds)
    except oracle.NotOnALine:
        b = oracle.min_width_bounds(ds)
        return {"decided": b["decided"], "lower": b["lower"], "upper": b["upper"],
                "network": _fraction_network(b["upper_network"]),
                "certificate": Certificate(make_certificate(ds, b["upper_network"], construction="min-width")),
                "refutation": oracle.refutation(ds, b["lower"] - 1, indices=b["lower_points"]) if b["lower"] else None}
    m = r["min_width"]
    return {"decided": True, "min_width": m, "pieces": r["pieces"], "case": r["case"],
            "network": _fraction_network(r["network"]),
            "certificate": Certificate(make_certificate(ds, r["network"], construction="min-width")),
            "refutation": oracle.refutation(ds, m - 1) if m else None}


def lower_bound(N, K, arch="two-layer", family="ftc"):
    """A certified lower bound on the neurons for (N, K) by piece counting.

    Parameters
    ----------
    arch : {"two-layer", "three-layer", "three-layer-product", "three-layer-ysj"}
    family : {"ftc", "ysj", "figure3"}
        The adversarial dataset: Sohn et al. §4.1 and its revision (default), Yun et al.'s
        alternating labels (N = K), or the paper's K = 2N + 1 example.

    Returns
    -------
    Certificate
        A lower-bound certificate; ``.data["claim"]["bound"]`` is the bound.

    Examples
    --------
    >>> import ftcexact as fx
    >>> lb = fx.lower_bound(4, 14)
    >>> lb.data["claim"]["bound"], lb.statement, bool(fx.verify(lb))
    (12, 'ftc_thm_4_1_lower', True)

    References
    ----------
    Sohn et al. 2024, Theorem 4.1 part 2 and Theorem 5.1 part 2; Yun et al. 2019, Theorem 3.3.
    """
    from .analysis.lower_bounds import (ftc_figure_3_dataset, ftc_lower_bound_dataset, lower_bound_certificate,
                                        ysj_theorem_3_3_dataset)
    if family == "ysj":
        ds, statement = ysj_theorem_3_3_dataset(N), "ysj_thm_3_3"
    elif family == "figure3":
        ds, statement = ftc_figure_3_dataset(N), None
    else:
        ds = ftc_lower_bound_dataset(N, K)
        statement = "ftc_thm_4_1_lower" if arch == "two-layer" else "ftc_thm_5_1_lower"
    cert = lower_bound_certificate(ds, arch, statement)
    return Certificate(cert, summary={"bound": cert["claim"]["bound"], "min_pieces": cert["claim"]["min_pieces"]})


def partition(K, T):
    """The consecutive partition P([K] \\ T), the kept set J and Lemmas 4.6-4.7, as plain data.

    Examples
    --------
    >>> import ftcexact as fx
    >>> p = fx.partition(14, [4, 7, 9, 14])
    >>> p["kept"], p["theorem_4_4_neurons"]
    ([1, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14], 10)

    References
    ----------
    Sohn et al. 2024, Definition 4.3, Theorem 4.4, Lemmas 4.6 and 4.7.
    """
    from .analysis.partitions import (consecutive_partition, dropped_indices, kept_indices, lemma_4_6_holds,
                                      lemma_4_7_holds, theorem_4_4_neurons)
    T = sorted(set(T))
    rest = [i for i in range(1, K + 1) if i not in T]
    return {"K": K, "T": T, "N": len(T), "partition": consecutive_partition(rest), "kept": kept_indices(K, T),
            "dropped": dropped_indices(K, T), "theorem_4_4_neurons": theorem_4_4_neurons(K, T),
            "theorem_4_1_upper": min(3 * len(T) + 1, K - 1), "lemma_4_6": lemma_4_6_holds(K, rest),
            "lemma_4_7": lemma_4_7_holds(K, T)}


def load_model(model, **options):
    """An exact network (Fraction weights) from a model file or a scikit-learn MLP.

    Examples
    --------
    >>> import ftcexact as fx
    >>> from sklearn.neural_network import MLPRegressor            # doctest: +SKIP
    >>> net = fx.load_model(MLPRegressor().fit([[0], [1]], [0, 1]))  # doctest: +SKIP

    References
    ----------
    docs/models.md (formats, exactness).
    """
    return _fraction_network(_network(model, **options))


def export(cert, path, part="f+g", dtype="float32", probes=None, classes=False):
    """Write a certificate's g (or f + g) as a model file; return the deployability report.

    Examples
    --------
    >>> import ftcexact as fx, os, tempfile
    >>> cert = fx.certify([0, 1, 2, 3], [0, "1/3", 0, 0])
    >>> rep = fx.export(cert, os.path.join(tempfile.mkdtemp(), "g.npz"), part="g", dtype="float64")
    >>> rep["changed_labels"]["within_tolerance"], rep["max_abs_error"]["exact"]
    (1, '0')

    References
    ----------
    docs/models.md (export, the deployability report).
    """
    from .models.export import export_certificate
    with tempfile.TemporaryDirectory() as folder:
        data = cert.data if isinstance(cert, Certificate) else cert
        for name, content in (cert.files.items() if isinstance(cert, Certificate) else ()):
            with open(os.path.join(folder, name), "wb") as fh:
                fh.write(content)
        return export_certificate(data, folder, str(path), part=part, dtype=None if str(path).endswith(".json")
                                  else dtype, probes=probes, classes=classes)["report"]


def draw(target, path, point=None, direction=None, m=None):
    """Draw a certificate, a lower bound, or [FTC] Figure 5 to ``path`` (.png or .svg); display only.

    Parameters
    ----------
    target : Certificate, dict, str or "figure5"
        A fine-tuning certificate (its data and g on a line, breakpoints marked, the points of T in
        red), a lower-bound certificate (a fewest-piece interpolant of its dataset), a certificate
        file, or ``"figure5"``: Corollary 5.2's regions with the certified N* overlaid.
    path : str
        The picture to write.
    point, direction : sequences, optional
        The line to draw along (default: the certificate's projection through 0).
    m : int or sequence of int, optional
        For ``"figure5"``: the neuron counts, one panel each (default 40).

    Returns
    -------
    dict
        ``{"kind", "titles", "pieces", "m", "notes"}`` (what ``ftcexact plot --json`` prints, without
        ``output``).

    Notes
    -----
    Named ``draw``, not ``plot``: ``ftcexact.plot`` is the module that does the drawing.

    Examples
    --------
    >>> import ftcexact as fx, os, tempfile
    >>> info = fx.draw(fx.lower_bound(2, 8), os.path.join(tempfile.mkdtemp(), "lb.svg"))
    >>> info["kind"], info["pieces"]
    ('lower-bound', 7)

    References
    ----------
    Sohn et al. 2024, Figures 2-5; docs/cli.md (Figures).
    """
    from .plot import plot_certificate, plot_figure5, plot_file
    if isinstance(target, str) and target == "figure5":
        return plot_figure5(40 if m is None else m, str(path))
    if m is not None:
        raise ValueError("m applies to figure5 only")
    if isinstance(target, (str, os.PathLike)):
        return plot_file(str(target), str(path), point=point, direction=direction)
    data = target.data if isinstance(target, Certificate) else target
    with tempfile.TemporaryDirectory() as folder:
        for name, content in (target.files.items() if isinstance(target, Certificate) else ()):
            with open(os.path.join(folder, name), "wb") as fh:
                fh.write(content)
        return plot_certificate(data, str(path), folder, point, direction)


def prove(only=None, quick=True, out=None):
    """Run the proof-check suite; a verdict per numbered statement of both papers.

    Returns
    -------
    list of dict
        ``{"id", "source", "status", "evidence", "command", "seconds"}`` per statement.

    Examples
    --------
    >>> import ftcexact as fx
    >>> [r["status"] for r in fx.prove(only=["ftc_lemma_4_6"])]     # doctest: +SKIP
    ['HOLDS']

    References
    ----------
    docs/proof-report.md.
    """
    from .proofcheck import load_checks, run_checks
    load_checks()
    folder = out or tempfile.mkdtemp(prefix="ftcexact-prove-")
    results = run_checks(only, "quick" if quick else "full", os.path.join(folder, "artefacts"), progress=False)
    return [{"id": st.id, "source": st.source, "status": v.status, "evidence": v.evidence, "command": v.command,
             "seconds": round(seconds, 3)} for st, v, seconds in results]
