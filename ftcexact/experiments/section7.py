"""The [FTC] §7 experiment (Figure 9), reproduced, and the exact counts on the same data.

The experiment as printed ([FTC] §7 and the caption of Figure 9): draw ``K = 1000`` points
``x_i ~ N(0, I_10)`` with labels ``y_i ~ Unif[-1, 1]``; train a ReLU network ``f`` that fits
``D = {(x_i, y_i)}`` with zero mean squared error; redraw the labels of ``N`` randomly chosen points
from ``Unif[-1, 1]`` (the data set ``D'``, labels ``y'_i``); freeze ``f`` and train a three-layer ReLU
network ``g`` with ``m`` neurons so that ``f + g`` fits ``D'``; the fine-tuning loss is
``l_FT = (1/K) sum_i (f(x_i) + g(x_i) - y'_i)^2``; for each ``N`` report the least ``m`` with
``l_FT <= 0.04``.

**f never matters beyond its values** ([FTC] eq. 3).  Because ``f(x_i) = y_i`` at every point,
``f(x_i) + g(x_i) - y'_i = g(x_i) - z_i`` with ``z_i = y'_i - y_i`` (zero off the changed set T), so
``l_FT`` is exactly the mean squared error of ``g`` on ``(x_i, z_i)`` and training ``g`` with ``f``
frozen is training ``g`` on ``(x_i, z_i)``.  This module trains ``g`` on ``(x_i, z_i)``.  That an ``f``
with zero error exists, and that ``f + g`` then fits ``D'`` exactly, is shown by certificates:
:func:`frozen_f_demonstration` builds ``f`` as the [YSJ] Theorem 3.1 memorizer of ``D`` (exact,
checked by the trusted kernel) and verifies a fine-tuning certificate of ``f + g`` on ``D'`` in which
the kernel evaluates ``f`` itself.

**What is not printed, and what is chosen here** (:class:`Setup`): the architecture and training of
``f`` (irrelevant, see above); the split of ``m`` between the two hidden layers (here equal widths,
``(ceil(m/2), floor(m/2))``); optimiser, learning rate, epochs, initialisation, batch size (here
scikit-learn's ``MLPRegressor`` with full-batch L-BFGS, no weight penalty, at most 1000 iterations,
its default Glorot-uniform initialisation; L-BFGS has no learning rate); seeds and repetitions (here
one data set from ``numpy.random.default_rng(0)``, nested changed sets -- the ``N`` changed points
are the first ``N`` of one random permutation and their new labels are drawn once -- and the best of
2 training restarts per cell); the grids of ``N`` and ``m``; ``m = 0`` is the constant network
(``g = mean(z)``, in closed form).  Training runs single-threaded (``threadpoolctl``) so that a cell
is reproducible bit for bit on one machine.

**The exact side** (:func:`exact_counts`, :func:`lower_bounds`): on the *same* data (the floats
converted exactly, ``z_i = y'_i - y_i`` in rationals) the project's constructions are certified and
checked by the trusted kernel; the numbers are exact fits (``g(x_i) = z_i`` at every point), a
different criterion from ``l_FT <= 0.04``.  The certified lower bounds are worst cases over all data
sets with the same ``(N, K)`` (piece counting on the adversarial data of [FTC] §4.1, which lie on a
line): they are *not* lower bounds for these particular points, which are in general position in
``R^10`` where piece counting on a line says nothing.

Examples
--------
A tiny run (K = 60 points, two values of N, widths 0 and 8), with the exact counts on the same data:

>>> setup = Setup(K=60, max_iter=200, restarts=1)
>>> result = run([0, 10], [0, 8], setup, exact_constructions=("three-layer-u3-t", "three-layer-tents"))
>>> [row["N"] for row in result["rows"]], result["rows"][0]["least_m"]
([0, 10], 0)
>>> row = result["rows"][1]
>>> row["exact"]["three-layer-tents"]["neurons"], row["exact"]["three-layer-tents"]["verified"]
(21, True)
>>> row["lower_bounds"]["three-layer"]["bound"], row["lower_bounds"]["three-layer"]["verified"]
(10, True)
>>> [c["loss"] < 0.5 for c in row["cells"]]
[True, True]

References
----------
Sohn et al. 2024, §7 and Figure 9; Theorem 5.1 (the bounds the experiment is compared with).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import tempfile
import time
from dataclasses import asdict, dataclass

import numpy as np

__all__ = ["Setup", "PAPER", "EXACT_CONSTRUCTIONS", "make_data", "data_digest", "changed_labels", "targets",
           "widths", "constant_loss", "train_g", "least_m", "exact_dataset", "exact_counts", "lower_bounds",
           "theorem_5_1_lower_integer", "parameter_count", "generic_exact_bound", "growth_fit", "nearest_rate",
           "run", "frozen_f_demonstration", "default_N_grid", "default_m_grid"]

#: What [FTC] §7 and Figure 9 print (everything else is a choice of :class:`Setup`).
PAPER = {"K": 1000, "d": 10, "x": "N(0, I_d)", "y": "Unif[-1, 1]", "threshold": 0.04,
         "redrawn labels": "Unif[-1, 1]", "g": "3-layer ReLU network with m neurons",
         "loss": "l_FT = (1/K) sum_i (f(x_i) + g(x_i) - y'_i)^2 (all K points)"}

#: The certified constructions set beside the trained widths (three-layer ones, then a two-layer reference).
EXACT_CONSTRUCTIONS = ("three-layer-best", "three-layer-u3-t", "three-layer-tents", "two-layer-tight")


@dataclass(frozen=True)
class Setup:
    """Every choice of the reproduction (the printed values are the defaults of ``K``, ``d``, ``threshold``).

    Parameters
    ----------
    K, d : int
        Number of points and input dimension (printed: 1000 and 10).
    threshold : float
        The fine-tuning loss a width must reach (printed: 0.04).
    data_seed : int
        Seed of ``numpy.random.default_rng`` for the points, labels, changed order and new labels.
    train_seed : int
        ``random_state`` of the first restart; restart ``r`` uses ``train_seed + r``.
    restarts : int
        Training runs per cell (different initialisations); the cell's loss is the smallest.
    max_iter : int
        L-BFGS iterations per run (``MLPRegressor(max_iter=...)``, ``tol = 0``: no early stop).
    solver : str
        ``MLPRegressor``'s solver (``"lbfgs"``: full batch, no learning rate).
    alpha : float
        L2 penalty (0: the loss trained is the plain mean squared error).
    split : str
        How ``m`` is split between the hidden layers; only ``"equal"``: ``(ceil(m/2), floor(m/2))``.
    """

    K: int = 1000
    d: int = 10
    threshold: float = 0.04
    data_seed: int = 0
    train_seed: int = 0
    restarts: int = 2
    max_iter: int = 1000
    solver: str = "lbfgs"
    alpha: float = 0.0
    split: str = "equal"

    def as_dict(self):
        """The setup as plain data."""
        return asdict(self)


def default_N_grid(K=1000):
    """``0, 25, ..., 500`` (the printed range, N up to about 500) and ``600, ..., K`` (beyond it, up to N = K)."""
    return list(range(0, min(500, K) + 1, 25)) + list(range(600, K + 1, 100))


def default_m_grid():
    """``0, 4, 8, ..., 64``: equal widths ``(m/2, m/2)`` in steps of 2 per layer."""
    return list(range(0, 65, 4))


# ---------------------------------------------------------------- data

def make_data(K=1000, d=10, seed=0):
    """The data set D and the redraws of D', as printed: ``x ~ N(0, I_d)``, ``y, y_new ~ Unif[-1, 1]``.

    Parameters
    ----------
    K, d : int
        Number of points and dimension.
    seed : int
        Seed of ``numpy.random.default_rng``; the draws are, in this order, ``X`` (K x d standard
        normal), ``y`` (K uniform), ``order`` (a permutation of ``range(K)``), ``y_new`` (K uniform).

    Returns
    -------
    dict
        ``X``, ``y``, ``order``, ``y_new`` (NumPy arrays).  ``D'`` for a given ``N`` changes the points
        ``order[:N]`` to the labels ``y_new[order[:N]]`` (:func:`changed_labels`), so the changed sets
        are nested in ``N``.

    Examples
    --------
    >>> data = make_data(K=5, d=2, seed=0)
    >>> data["X"].shape, sorted(data["order"].tolist())
    ((5, 2), [0, 1, 2, 3, 4])
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((K, d))
    y = rng.uniform(-1.0, 1.0, K)
    order = rng.permutation(K)
    y_new = rng.uniform(-1.0, 1.0, K)
    return {"X": X, "y": y, "order": order, "y_new": y_new}


def data_digest(data):
    """SHA-256 of the arrays of :func:`make_data` (little-endian float64 / int64), to pin the data.

    Examples
    --------
    >>> len(data_digest(make_data(K=5, d=2)))
    64
    """
    h = hashlib.sha256()
    for key, dtype in (("X", "<f8"), ("y", "<f8"), ("order", "<i8"), ("y_new", "<f8")):
        h.update(np.ascontiguousarray(data[key], dtype=dtype).tobytes())
    return h.hexdigest()


def changed_labels(data, N):
    """``(T, y')``: the 0-based changed indices (sorted) and the labels of D'.

    Examples
    --------
    >>> data = make_data(K=5, d=2)
    >>> T, y2 = changed_labels(data, 2)
    >>> len(T), int((y2 != data["y"]).sum())
    (2, 2)
    """
    K = len(data["y"])
    if not 0 <= N <= K:
        raise ValueError(f"need 0 <= N <= K, got N = {N}, K = {K}")
    T = np.sort(data["order"][:N])
    y2 = data["y"].copy()
    y2[T] = data["y_new"][T]
    return T, y2


def targets(data, N):
    """The fine-tuning targets ``z_i = y'_i - y_i`` in float64 (zero off T): what ``g`` must fit.

    Since ``f(x_i) = y_i``, ``f + g - y' = g - z`` at every point, so ``l_FT`` is the mean squared
    error of ``g`` on ``(x_i, z_i)`` ([FTC] eq. 3).  (The float subtraction rounds at most by
    ``2^-53`` relative; the exact side uses the exact rational ``y'_i - y_i``.)
    """
    _, y2 = changed_labels(data, N)
    return y2 - data["y"]


# ---------------------------------------------------------------- training

def widths(m, split="equal"):
    """The hidden widths ``(d1, d2)`` of a three-layer ``g`` with ``m`` neurons.

    Examples
    --------
    >>> widths(8), widths(7), widths(1)
    ((4, 4), (4, 3), (1, 0))
    """
    if split != "equal":
        raise ValueError(f"unknown split {split!r} (only 'equal')")
    if m < 0:
        raise ValueError("m must be >= 0")
    return (m + 1) // 2, m // 2


def constant_loss(z):
    """``l_FT`` of the best constant ``g = mean(z)`` (a network without neurons, or with an empty layer).

    Examples
    --------
    >>> constant_loss(np.array([0.0, 0.0, 1.0, -1.0]))
    0.5
    """
    z = np.asarray(z, dtype=float)
    return float(np.mean((z - z.mean()) ** 2))


def train_g(X, z, m, setup=Setup()):
    """Train a three-layer ReLU network with ``m`` neurons on ``(X, z)``; return the best of the restarts.

    Parameters
    ----------
    X : array (K, d)
    z : array (K,)
        Targets (``y' - y``: zero off the changed set).
    m : int
        Total hidden neurons, split by :func:`widths`.  With an empty layer (``m <= 1``) the network is
        a constant and the least-squares constant is used (:func:`constant_loss`).
    setup : Setup

    Returns
    -------
    dict
        ``m``, ``widths``, ``loss`` (the smallest ``l_FT`` over the restarts: the mean squared error over
        all K points of the trained network's float64 predictions), ``losses`` and ``iterations`` per
        restart, ``seconds``.

    Examples
    --------
    >>> data = make_data(K=40, d=3)
    >>> cell = train_g(data["X"], targets(data, 8), 6, Setup(K=40, max_iter=100, restarts=1))
    >>> cell["widths"], cell["loss"] <= constant_loss(targets(data, 8)) + 1e-9
    ([3, 3], True)
    """
    start = time.perf_counter()
    d1, d2 = widths(m, setup.split)
    z = np.asarray(z, dtype=float)
    if d1 == 0 or d2 == 0:
        loss = constant_loss(z)
        return {"m": m, "widths": [d1, d2], "loss": loss, "losses": [loss], "iterations": [0],
                "seconds": round(time.perf_counter() - start, 3)}
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor
    from threadpoolctl import threadpool_limits
    losses, iterations = [], []
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for r in range(setup.restarts):
            model = MLPRegressor(hidden_layer_sizes=(d1, d2), activation="relu", solver=setup.solver,
                                 alpha=setup.alpha, max_iter=setup.max_iter, max_fun=10 ** 9, tol=0.0,
                                 random_state=setup.train_seed + r)
            model.fit(X, z)
            losses.append(float(np.mean((model.predict(X) - z) ** 2)))
            iterations.append(int(model.n_iter_))
    return {"m": m, "widths": [d1, d2], "loss": min(losses), "losses": losses, "iterations": iterations,
            "seconds": round(time.perf_counter() - start, 3)}


def least_m(cells, threshold=0.04):
    """The least ``m`` whose loss is at most ``threshold`` (as printed: the minimum, not a monotone hull).

    Parameters
    ----------
    cells : list of dict
        Results of :func:`train_g` (any order).

    Returns
    -------
    int or None
        None when no width reaches the threshold.

    Examples
    --------
    >>> least_m([{"m": 8, "loss": 0.03}, {"m": 4, "loss": 0.05}, {"m": 12, "loss": 0.05}])
    8
    """
    passing = [c["m"] for c in cells if c["loss"] <= threshold]
    return min(passing) if passing else None


# ---------------------------------------------------------------- the exact side

def exact_dataset(data, N):
    """The exact data set of D': inputs and labels converted exactly (dyadic), ``f`` column = ``y``.

    So the targets are the exact rationals ``z_i = y'_i - y_i`` and ``T`` is the changed set.

    Examples
    --------
    >>> ds = exact_dataset(make_data(K=6, d=2), 2)
    >>> ds.K, ds.d, ds.N
    (6, 2, 2)
    """
    from ..dataset import dataset_from_arrays
    T, y2 = changed_labels(data, N)
    ds = dataset_from_arrays(data["X"], y2, f=data["y"])
    if ds.N != N:  # a redrawn label equal to the old one (probability 0)
        raise ValueError(f"the exact data set has N = {ds.N}, not {N}")
    return ds


def _verify(cert, folder):
    """The trusted kernel's verdict on a certificate object: ``(exit code, reason)``.

    ``reason`` is the kernel's last line on stderr when it refuses (a failed check or a cap), else its
    last line on stdout.
    """
    from ..certificate import write_json_atomic
    from ..kernel.verify import run as kernel_run
    path = os.path.join(folder, "cert.json")
    write_json_atomic(cert, path)
    out, err = io.StringIO(), io.StringIO()
    code = kernel_run(path, out=out, err=err)
    lines = (err.getvalue().strip() or out.getvalue().strip()).splitlines() if code else \
        out.getvalue().strip().splitlines()
    return code, (lines[-1] if lines else "")


def exact_counts(data, N, constructions=EXACT_CONSTRUCTIONS, verify=True):
    """Certify each construction on the exact D' and run the trusted kernel on its certificate.

    Parameters
    ----------
    data : dict
        From :func:`make_data`.
    N : int
    constructions : sequence of str
        Names of :data:`ftcexact.constructions.CONSTRUCTIONS`.
    verify : bool
        Run the kernel (``ftcexact.kernel.verify.run``); without it ``verified`` is None.

    Returns
    -------
    dict
        name -> ``{"neurons", "statement", "verified", "seconds"}`` (plus ``"chosen"`` for
        ``three-layer-best``: which of U1, U2, U3, Appendix A it kept), and ``"least"``:
        ``{"neurons", "construction"}``, the smallest verified count.  ``neurons`` is the number of
        hidden ReLUs of ``g`` in the certificate (all hidden layers); the network fits every point
        exactly, ``g(x_i) = z_i``.

    Examples
    --------
    >>> counts = exact_counts(make_data(K=30, d=10), 4, ("three-layer-tents",))
    >>> counts["three-layer-tents"]["neurons"], counts["three-layer-tents"]["verified"], counts["least"]["neurons"]
    (9, True, 9)
    """
    from ..constructions import certify
    ds = exact_dataset(data, N)
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for name in constructions:
            start = time.perf_counter()
            cert = certify(ds, name)
            code, last = _verify(cert, folder) if verify else (None, "")
            entry = {"neurons": cert["claim"]["neurons"], "statement": cert["claim"].get("statement"),
                     "verified": None if code is None else code == 0,
                     "seconds": round(time.perf_counter() - start, 2)}
            if "chosen" in cert.get("hints", {}):
                entry["chosen"] = cert["hints"]["chosen"]
            if code not in (None, 0):
                entry["kernel"] = last
            out[name] = entry
    ok = [(e["neurons"], name) for name, e in out.items() if e["verified"] is not False]
    if ok:
        n, name = min(ok)
        out["least"] = {"neurons": n, "construction": name}
    return out


def theorem_5_1_lower_integer(N, K):
    """The least integer ``m`` with ``sqrt(2 min{3N, K - 2} + 1/4) - 1/2 <= m`` (i.e. ``m (m + 1) >= 2q``).

    [FTC] Theorem 5.1 part 2, a worst case over data sets with these ``(N, K)`` (read as such; as
    printed it is stated for given data, which the proof report corrects).

    Examples
    --------
    >>> theorem_5_1_lower_integer(500, 1000), theorem_5_1_lower_integer(1, 1000)
    (45, 2)
    """
    q = max(min(3 * N, K - 2), 0)
    m = max(math.isqrt(2 * q) - 1, 0)
    while m * (m + 1) < 2 * q:
        m += 1
    return m


def lower_bounds(N, K, verify=True):
    """Certified lower bounds on the exact fine-tuning width, **worst case** over data sets with ``(N, K)``.

    ``three-layer`` and ``two-layer``: a lower-bound certificate
    (:func:`ftcexact.analysis.lower_bounds.lower_bound_certificate`) on the adversarial data of
    [FTC] §4.1 (points on a line, ``min{3N, K - 2} + 1`` pieces needed), checked by the trusted kernel,
    with the proven piece maximum of two hidden layers (docs/theorems/three-layer-pieces.md) resp.
    ``m + 1`` pieces for one hidden layer.  It shows ``m*_FTC(N, K) >= bound``: *some* data set with
    these ``(N, K)`` needs that many neurons; it says nothing about a particular data set in general
    position.  ``theorem_5_1`` is the printed formula of Theorem 5.1 part 2 (real value and least
    integer), for reference.

    Examples
    --------
    >>> lb = lower_bounds(4, 14)
    >>> lb["three-layer"]["bound"], lb["two-layer"]["bound"], lb["theorem_5_1"]["integer"]
    (6, 12, 5)
    """
    from ..analysis.lower_bounds import ftc_lower_bound_dataset, lower_bound_certificate
    ds = ftc_lower_bound_dataset(N, K)
    out = {}
    with tempfile.TemporaryDirectory() as folder:
        for arch in ("three-layer", "two-layer"):
            cert = lower_bound_certificate(ds, arch)
            code = _verify(cert, folder)[0] if verify else None
            out[arch] = {"bound": cert["claim"]["bound"], "min_pieces": cert["claim"]["min_pieces"],
                         "verified": None if code is None else code == 0}
    q = max(min(3 * N, K - 2), 0)
    out["theorem_5_1"] = {"value": math.sqrt(2 * q + 0.25) - 0.5, "integer": theorem_5_1_lower_integer(N, K)}
    return out


def parameter_count(d1, d2, d=10):
    """Number of real parameters of ``W3 relu(W2 relu(W1 x + b1) + b2) + b3`` with scalar output.

    Examples
    --------
    >>> parameter_count(4, 4, d=10)
    69
    """
    if d1 == 0 or d2 == 0:
        return 1
    return d1 * (d + 1) + d2 * (d1 + 1) + d2 + 1


def generic_exact_bound(N, d=10):
    """Least ``m`` with ``max_{d1 + d2 = m} parameter_count(d1, d2) >= N`` (a remark, **not** certified).

    For fixed inputs and T, the vectors ``(g(x_i))_i`` over all parameter values form a semialgebraic
    set of dimension at most the number of parameters ``P``; if ``P < N`` it meets the N-dimensional
    space of targets ``{z : z_i = 0 off T}`` in a null set, so for changed labels drawn from a density
    (as in §7) no network with ``P < N`` fits exactly, almost surely.  This is a measure argument about
    the continuous distribution, not a certificate about the float data; it is kept apart from the
    certified numbers.  For ``N > 0`` (and ``K >= 2``) the targets are not constant, so both hidden
    layers are nonempty: ``m >= 2``.

    Examples
    --------
    >>> generic_exact_bound(500), generic_exact_bound(0)
    (33, 0)
    """
    m = 0
    while max(parameter_count(a, m - a, d) for a in range(m + 1)) < N:
        m += 1
    return max(m, 2) if N > 0 else 0  # N > 0: z is not constant, and g with an empty layer is


def growth_fit(Ns, ms):
    """Fit the least widths: ``m ~ c sqrt(N)`` (least squares) and ``m ~ a N^b`` (least squares in logs).

    Only points with ``N > 0`` and ``m > 0`` are used.

    Returns
    -------
    dict
        ``c``, ``a``, ``exponent`` (b), ``points`` (how many were used), ``N_range``.

    Examples
    --------
    >>> fit = growth_fit([100, 400, 900], [20, 40, 60])
    >>> round(fit["c"], 6), round(fit["exponent"], 6)
    (2.0, 0.5)
    """
    pts = [(n, m) for n, m in zip(Ns, ms) if n and m]
    if len(pts) < 2:
        return {"c": None, "a": None, "exponent": None, "points": len(pts), "N_range": None}
    n = np.array([p[0] for p in pts], dtype=float)
    m = np.array([p[1] for p in pts], dtype=float)
    c = float(np.sum(m * np.sqrt(n)) / np.sum(n))
    b, log_a = np.polyfit(np.log(n), np.log(m), 1)
    return {"c": c, "a": float(np.exp(log_a)), "exponent": float(b), "points": len(pts),
            "N_range": [int(n.min()), int(n.max())]}


def nearest_rate(exponent, rates=(0.0, 0.5, 1.0)):
    """The growth exponent among ``rates`` nearest to a fitted one (constant, square root, linear).

    Examples
    --------
    >>> nearest_rate(0.62), nearest_rate(0.9)
    (0.5, 1.0)
    """
    return min(rates, key=lambda r: (abs(exponent - r), r))


# ---------------------------------------------------------------- the whole experiment

def _row(data, N, ms, setup, refine, progress):
    z = targets(data, N)
    cells = []
    for m in ms:
        cells.append(train_g(data["X"], z, m, setup))
        if progress:
            progress(N, cells[-1])
    best = least_m(cells, setup.threshold)
    if refine and best:
        below = [m for m in ms if m < best]
        for m in range((max(below) if below else 0) + 2, best, 2):
            cells.append(train_g(data["X"], z, m, setup))
            if progress:
                progress(N, cells[-1])
        best = least_m(cells, setup.threshold)
    cells.sort(key=lambda c: c["m"])
    return {"N": N, "g0_loss": float(np.mean(z ** 2)), "constant_loss": constant_loss(z),
            "least_m": best, "cells": cells}


def run(Ns, ms, setup=Setup(), refine=True, exact_constructions=EXACT_CONSTRUCTIONS, exact_Ns=None,
        verify=True, progress=None):
    """Run the reproduction on the grids and set the exact counts beside it; return plain data.

    Parameters
    ----------
    Ns, ms : sequence of int
        Numbers of changed points and widths to train.
    setup : Setup
    refine : bool
        After the grid, also train every even ``m`` between the least passing width and the grid width
        below it, so the least width is found to within 2 (one neuron per layer).
    exact_constructions : sequence of str
        Constructions certified on the same data (:func:`exact_counts`); empty for none.
    exact_Ns : sequence of int, optional
        Where to certify them (default: every N of ``Ns``).
    verify : bool
        Run the trusted kernel on every certificate.
    progress : callable, optional
        Called as ``progress(N, cell)`` after each trained cell.

    Returns
    -------
    dict
        ``paper``, ``setup``, ``data`` (seed, digest), ``rows`` (one per N: ``least_m``, the loss of
        ``g = 0`` and of the best constant, the trained ``cells``, ``exact`` counts, ``lower_bounds``,
        ``generic_exact_bound``), ``fit`` (:func:`growth_fit` on ``0 < N <= 500``, the printed range),
        ``seconds``.
    """
    start = time.perf_counter()
    data = make_data(setup.K, setup.d, setup.data_seed)
    exact_Ns = set(Ns if exact_Ns is None else exact_Ns)
    rows = []
    for N in Ns:
        row = _row(data, N, ms, setup, refine, progress)
        row["lower_bounds"] = lower_bounds(N, setup.K, verify=verify)
        row["generic_exact_bound"] = generic_exact_bound(N, setup.d)
        if exact_constructions and N in exact_Ns:
            row["exact"] = exact_counts(data, N, exact_constructions, verify=verify)
        rows.append(row)
    printed = [(r["N"], r["least_m"]) for r in rows if 0 < r["N"] <= 500 and r["least_m"] is not None]
    return {"paper": PAPER, "setup": setup.as_dict(), "m_grid": list(ms), "refine": refine,
            "data": {"generator": "numpy.random.default_rng(data_seed): X, y, order, y_new",
                     "sha256": data_digest(data)},
            "rows": rows, "fit": growth_fit([p[0] for p in printed], [p[1] for p in printed]),
            "seconds": round(time.perf_counter() - start, 1)}


def frozen_f_demonstration(data, N, construction="three-layer-u3-t"):
    """Certify the whole fine-tuning scenario exactly: an ``f`` with zero error on D, then ``f + g`` on D'.

    ``f`` is the [YSJ] Theorem 3.1 memorizer of D (``ysj-memorizer``: a three-layer ReLU network, 128
    neurons for K = 1000); its certificate shows ``f(x_i) = y_i`` at every point.  ``g`` is built on
    ``z = y' - y`` and certified with ``f`` as a frozen network file: the kernel evaluates ``f`` itself
    and checks ``f(x_i) + g(x_i) = y'_i`` at every point.  The kernel may refuse either certificate under
    its resource caps (at K = 1000 it refuses this ``f``: the common denominator of its weights is over the
    cap, docs/certificate.md); the reasons are returned and nothing refused is claimed.

    Returns
    -------
    dict
        ``f_neurons``, ``f_verified``, ``g_construction``, ``g_neurons``, ``g_with_frozen_f_verified``,
        ``f_float_max_error`` (``max |f(x_i) - y_i|`` when ``f``'s exact weights are rounded to float64 and
        evaluated in float64: why the exact identity ``z = y' - y`` is used rather than float values of
        ``f``), ``f_kernel`` / ``g_kernel`` (the kernel's reason when it refused), ``seconds``.
    """
    from ..certificate import file_reference, write_json_atomic
    from ..constructions import certify
    from ..dataset import dataset_from_arrays
    from ..models.native import network_document
    from ..network import network_from_json
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        f_cert = certify(dataset_from_arrays(data["X"], data["y"]), "ysj-memorizer")
        f_code, f_reason = _verify(f_cert, folder)
        f_net = network_from_json(f_cert["network"])
        f_path = os.path.join(folder, "f.json")
        write_json_atomic(network_document(f_net), f_path)
        cert_path = os.path.join(folder, "g.json")
        cert = certify(exact_dataset(data, N), construction, frozen_ref=file_reference(f_path, cert_path))
        write_json_atomic(cert, cert_path)
        from ..kernel.verify import run as kernel_run
        g_err = io.StringIO()
        g_code = kernel_run(cert_path, out=io.StringIO(), err=g_err)
        h = np.asarray(data["X"], dtype=float).T
        layers = f_cert["network"]["layers"] if isinstance(f_cert["network"], dict) else f_cert["network"]
        with np.errstate(all="ignore"):
            for k, layer in enumerate(layers):
                W = np.array([[_float(v) for v in row] for row in layer["W"]], dtype=float)
                b = np.array([_float(v) for v in layer["b"]], dtype=float)
                h = W @ h + b[:, None]
                if k < len(layers) - 1:
                    h = np.maximum(h, 0.0)
            err = float(np.max(np.abs(h[0] - data["y"])))
    out = {"N": N, "f_construction": "ysj-memorizer", "f_neurons": f_cert["claim"]["neurons"],
           "f_verified": f_code == 0, "g_construction": construction, "g_neurons": cert["claim"]["neurons"],
           "g_with_frozen_f_verified": g_code == 0, "f_float_max_error": err,
           "seconds": round(time.perf_counter() - start, 1)}
    if f_code:
        out["f_kernel"] = f_reason
    if g_code:
        out["g_kernel"] = (g_err.getvalue().strip().splitlines() or [""])[-1]
    return out


def _float(text):
    from ..kernel.numbers import parse_rational
    q = parse_rational(str(text))
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf
