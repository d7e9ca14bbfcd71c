"""Pictures in the style of [FTC] Figures 2-4: data on a line, a network's restriction, its breakpoints.

Plotting converts exact values to floats for drawing only; nothing here
decides anything.
"""

from __future__ import annotations

import os
import tempfile

from .analysis.pieces import from_vertices, restrict_to_line
from .certificate import certificate_dataset
from .dataset import dataset_from_json, load_dataset, read_json_text
from .kernel.numbers import Q, as_rational, parse_rational
from .network import network_from_json

__all__ = ["plot_restriction", "plot_file", "plot_certificate", "plot_figure5", "certified_n_star", "figure_5_regions", "STYLE"]


class PlotError(ValueError):
    """Input that cannot be drawn."""


#: One look for every figure: sizes in inches, colours, font sizes.
STYLE = {"width": 7.5, "height": 3.6, "panel": (4.6, 3.5), "dpi": 150, "title_size": 11, "label_size": 9,
         "legend_size": 8.5, "curve": "tab:blue", "changed": "tab:red", "kept": "black", "dropped": "0.6",
         "axis": "0.8", "lower": "black", "upper": "tab:purple", "exact": "tab:blue", "middle": "tab:red",
         "far": "tab:green"}


def _figure(panels=1, columns=3):
    """A figure in the common style: ``(fig, axes)`` with constrained layout (titles and legends get room)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    if panels == 1:
        fig, ax = plt.subplots(figsize=(STYLE["width"], STYLE["height"]), layout="constrained")
        return fig, [ax]
    cols = min(columns, panels)
    rows = -(-panels // cols)
    w, h = STYLE["panel"]
    fig, axes = plt.subplots(rows, cols, figsize=(w * cols, h * rows + 0.6), layout="constrained", squeeze=False)
    flat = [a for row in axes for a in row]
    for ax in flat[panels:]:
        ax.set_visible(False)
    return fig, flat[:panels]


def _wrap(text, width_inches, size):
    """``text`` broken into lines that fit ``width_inches`` at font ``size`` (never cut off at the edges)."""
    import textwrap
    chars = max(20, int(width_inches * 72 / (0.55 * size)))
    return "\n".join(textwrap.wrap(text, chars)) if text else text


def _title(ax, text, width=None):
    ax.set_title(_wrap(text, width or STYLE["width"], STYLE["title_size"]), fontsize=STYLE["title_size"])


def _legend(fig, axes, columns=3):
    """One legend for the figure, below the axes: it never covers data.  Duplicate labels are merged."""
    handles, labels = [], []
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    if handles:
        # as many columns as fit the figure's width (estimated from the longest label), at most ``columns``
        entry = max(map(len, labels)) * 0.5 * STYLE["legend_size"] / 72 + 0.6
        fit = max(1, int(fig.get_figwidth() // entry))
        fig.legend(handles, labels, loc="outside lower center", ncols=min(columns, fit, len(handles)),
                   frameon=False, fontsize=STYLE["legend_size"])


def plot_restriction(ts, zs, f, output, highlight=(), dimmed=(), title=None, curve="network on the line"):
    """Draw points ``(ts[i], zs[i])`` and the piecewise-linear ``f`` to ``output`` (.png or .svg).

    ``highlight`` (indices, e.g. T) are drawn in red, ``dimmed`` ones (e.g. points
    Theorem 4.4 drops) in grey, the others in black; breakpoints of ``f`` are
    marked on the curve, named ``curve`` in the legend.  The legend sits below
    the axes, so it never hides a point; a long title is wrapped.

    Returns
    -------
    dict
        ``{"pieces": f.pieces, "titles": [title], "m": None, "notes": []}``.
    """
    _output_format(output)
    xs = [float(t) for t in ts] + [float(b) for b in f.breakpoints]
    lo, hi = min(xs), max(xs)
    margin = (hi - lo) * 0.05 or 1.0
    grid = sorted({lo - margin, hi + margin, *[float(b) for b in f.breakpoints]})
    values = [float(f(_q(t))[0]) for t in grid]
    fig, (ax,) = _figure()
    ax.axhline(0, color=STYLE["axis"], lw=0.8, zorder=0)
    ax.plot(grid, values, color=STYLE["curve"], lw=1.6, label=f"{curve} ({f.pieces} pieces)")
    ax.plot([float(b) for b in f.breakpoints], [float(f(b)[0]) for b in f.breakpoints], "|", color=STYLE["curve"],
            ms=10, mew=1.4, label=f"breakpoints ({len(f.breakpoints)})", clip_on=False)
    for group, colour, label in ((set(highlight), STYLE["changed"], "changed label (i in T)"),
                                 (set(dimmed), STYLE["dropped"], "unchanged, dropped by Theorem 4.4"),
                                 (None, STYLE["kept"], "unchanged label (i not in T)")):
        idx = [i for i in range(len(ts)) if (i in group if group is not None
                                              else i not in set(highlight) | set(dimmed))]
        if idx:
            ax.plot([float(ts[i]) for i in idx], [float(zs[i]) for i in idx], "o", color=colour, ms=5, label=label,
                    zorder=3, clip_on=False)
    ax.set_xlim(grid[0], grid[-1])
    ax.margins(y=0.12)
    ax.set_xlabel("t = a . x", fontsize=STYLE["label_size"])
    ax.set_ylabel("z = y - f(x)", fontsize=STYLE["label_size"])
    ax.tick_params(labelsize=STYLE["label_size"])
    if title:
        _title(ax, title)
    _legend(fig, [ax])
    _save(fig, output)
    return {"pieces": f.pieces, "titles": [title] if title else [], "m": None, "notes": []}


def _output_format(output):
    ext = os.path.splitext(output)[1].lower()
    if ext not in (".png", ".svg"):
        raise PlotError(f"the output must end in .png or .svg, not {ext or 'nothing'}")
    return ext


def _save(fig, output):
    """Save through a temporary file and an atomic rename: no half-written picture on failure."""
    import matplotlib.pyplot as plt
    ext = _output_format(output)
    fd, tmp = tempfile.mkstemp(prefix=".ftcexact-", suffix=ext, dir=os.path.dirname(os.path.abspath(output)))
    os.close(fd)
    try:
        fig.savefig(tmp, format=ext[1:], dpi=STYLE["dpi"])
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.unlink(tmp)


def _q(x):
    p, q = x.as_integer_ratio()
    return Q(p, q)


def _vector(value):
    """A vector from comma-separated text or a sequence of numbers (None stays None)."""
    if value is None or (isinstance(value, str) and not value):
        return None
    if isinstance(value, str):
        return [parse_rational(v) for v in value.split(",")]
    return [as_rational(v) for v in value]


def plot_file(target, output, point=None, direction=None, options=None):
    """Plot a fine-tuning or lower-bound certificate file, or a dataset with ``options.network``.

    Any input that is not one of these (a missing or mistyped field, text that is not UTF-8, values too
    large for floats) raises :class:`PlotError`.

    Returns
    -------
    dict
        ``{"kind": "certificate" | "lower-bound" | "dataset", "pieces": int, "titles": [str], "m": None,
        "notes": []}``.
    """
    try:
        return _plot_file(target, output, point, direction, getattr(options, "network", None))
    except UnicodeDecodeError:
        raise PlotError(f"{target}: not UTF-8 text") from None
    except PlotError:
        raise
    except OverflowError:
        raise PlotError(f"{target}: values too large to draw as floats") from None
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as e:  # a field missing or mistyped
        raise PlotError(f"{target}: not a certificate or a dataset this command can draw "
                        f"({type(e).__name__}: {str(e)[:80]})") from None


def _plot_file(target, output, point, direction, network_file):
    with open(target, encoding="utf-8") as fh:
        obj = read_json_text(fh.read(), target)
    if network_file and not (isinstance(obj, dict) and obj.get("kind") == "lower-bound"):
        ds = load_dataset(target)
        with open(network_file, encoding="utf-8") as fh:
            net_obj = read_json_text(fh.read(), network_file)
        if not isinstance(net_obj, dict) or "network" not in net_obj:
            raise PlotError(f"{network_file}: expected a certificate or an object with a \"network\" list")
        title = f"{os.path.basename(network_file)} over {os.path.basename(target)}: N = {ds.N}, K = {ds.K}"
        return _plot_network(ds, network_from_json(net_obj["network"]), net_obj.get("hints") or {}, title,
                             "dataset", output, point, direction)
    return plot_certificate(obj, output, os.path.dirname(os.path.abspath(target)), point, direction, name=target)


def plot_certificate(cert, output, base_dir=".", point=None, direction=None, name="the object"):
    """Plot a parsed certificate: a fine-tuning certificate's data and g on a line, or a lower bound's witness.

    Parameters
    ----------
    cert : dict
        A certificate (docs/certificate.md); files it references are read from ``base_dir``.
    output : str
        ``.png`` or ``.svg``.
    point, direction : str or sequence, optional
        The line (comma-separated text or numbers); default: the certificate's projection (or
        ``t -> t`` for one input) through 0.

    Returns
    -------
    dict
        As :func:`plot_file`.
    """
    if isinstance(cert, dict) and cert.get("kind") == "lower-bound":
        ds = dataset_from_json(cert["dataset"])
        w = cert["witness"]
        f = from_vertices([parse_rational(v) for v in w["vertices"]], [parse_rational(v) for v in w["values"]],
                          parse_rational(w["left_slope"]), parse_rational(w["right_slope"]))
        ts = [x[0] for x in ds.x]
        title = (f"{cert['claim']['architecture']} lower bound, N = {ds.N}, K = {ds.K}: "
                 f"≥ {f.pieces} pieces, so m ≥ {cert['claim']['bound']}")
        return dict(plot_restriction(ts, [z[0] for z in ds.targets], f, output, highlight=[i - 1 for i in ds.T],
                                     title=title, curve="a fewest-piece interpolant"),
                    kind="lower-bound")
    if not (isinstance(cert, dict) and "network" in cert):
        raise PlotError(f"{name}: not a certificate; for a dataset give --network")
    ds = certificate_dataset(cert, base_dir)
    net, hints = network_from_json(cert["network"]), cert.get("hints") or {}
    claim = cert.get("claim", {})
    title = (f"{claim.get('construction', 'certificate')}: m = {claim.get('neurons', net.neurons)} neurons, "
             f"N = {ds.N} changed labels, K = {ds.K} points")
    return _plot_network(ds, net, hints, title, "certificate", output, point, direction)


def _plot_network(ds, net, hints, title, kind, output, point, direction):
    if ds.dy != 1:
        raise PlotError("only scalar labels can be drawn")
    u = _vector(direction) or ([parse_rational(v) for v in hints["direction"]] if "direction" in hints else None)
    if u is None:
        if ds.d != 1:
            raise PlotError("give --direction to draw d-dimensional data on a line")
        u = [Q(1)]
    p = _vector(point) or [Q(0)] * len(u)
    if len(u) != ds.d or len(p) != ds.d:
        raise PlotError(f"the line must live in R^{ds.d}: point has {len(p)}, direction {len(u)} coordinates")
    norm = sum(v * v for v in u)
    if not norm:
        raise PlotError("the direction of the line must be nonzero")
    # x(t) = p + t u / |u|^2, so u . x(t) = u . p + t: data are drawn at t_i = u . (x_i - p)
    f = restrict_to_line(net, p, [v / norm for v in u])
    ts = [sum(((a - b) * c for a, b, c in zip(x, p, u)), Q(0)) for x in ds.x]
    kept = {int(i) for i in hints.get("kept", range(1, ds.K + 1))}  # JSON numbers arrive as text
    dropped = [i for i in range(ds.K) if i + 1 not in kept]
    return dict(plot_restriction(ts, [z[0] for z in ds.targets], f, output, highlight=[i - 1 for i in ds.T],
                                 dimmed=dropped, title=title), kind=kind)


def figure_5_regions(m):
    """Corollary 5.2's regimes for m neurons: (K1, K2, A, B) with K1 = floor(m^2/16), K2 = (m^2 + m + 4)/2,
    A = floor(m^2/108 - 2/3), B = (m^2 + m)/6 (exact rationals)."""
    K1 = m * m // 16
    K2 = Q(m * m + m + 4, 2)
    A = (m * m * 3 - 216) // 324  # floor(m^2/108 - 2/3) = floor((3 m^2 - 216) / 324)
    B = Q(m * m + m, 6)
    return K1, K2, A, B


def certified_n_star(m, K):
    """N* bounds the project certifies for a 3-layer network with m neurons and K points.

    Upper: the largest N whose adversarial dataset does not force more than m neurons by the proven
    exact piece maximum of two hidden layers (docs/theorems/three-layer-pieces.md).  Lower: the largest N for which some three-layer construction's
    worst-case count is at most m: U1 (K points), U2 (U1's windows + 3N), U3 (|J| <= min{3N + 2, K}
    kept points) or Appendix A (4N + 4); these are the integer bounds their certificates are checked
    against (docs/constructions.md).

    Both conditions are monotone in N (the forced piece count ``min{3N, K - 2} + 1`` and every
    worst-case count grow with N; the piece maximum grows with m), so each largest N is found by
    bisection; ``tests/cli/test_pieces_commands.py`` compares it with the plain scan.

    Examples
    --------
    >>> certified_n_star(12, 40), certified_n_star(12, 200)    # (lower, upper)
    ((2, 40), (2, 16))
    """
    from .analysis.lower_bounds import max_pieces
    from .constructions.three_layer import u1_bound, u3_bound
    from .constructions.ysj import ysj_layout
    most = max_pieces("three-layer", m)  # neurons_needed(arch, p) <= m  iff  max_pieces(arch, m) >= p
    u1, R = u1_bound(K), ysj_layout(K)[0]

    def worst_case(N):
        if N == 0:
            return 0
        return min(u1, 2 * R + 3 * N, u3_bound(min(3 * N + 2, K)), 4 * N + 4)
    upper = _largest(K, lambda N: min(3 * N, K - 2) + 1 <= most)
    lower = _largest(K, lambda N: worst_case(N) <= m)
    return lower, upper


def _largest(K, holds):
    """The largest N in 0..K with ``holds(N)``, for a predicate true at 0 and monotone (true, then false)."""
    lo, hi = 0, K
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if holds(mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


#: Largest m figure5 draws (its x-axis runs to about 0.8 m^2 points).
FIGURE5_MAX_M = 400


def plot_figure5(ms, output):
    """[FTC] Figure 5: Corollary 5.2's regions for each m in ``ms`` (one panel each), certified N* overlaid.

    Regions (K on the x-axis, N* on the y-axis): ``N* = K`` for ``K <= floor(m^2/16)``;
    ``A <= N* <= K`` up to ``K < (m^2 + m + 4)/2``; ``A <= N* <= B`` beyond, with
    ``B = (m^2 + m)/6`` and ``A = floor(m^2/108 - 2/3)``, drawn from 0 when the formula is
    negative (m <= 8: N* >= 0 trivially).  Every panel carries the certified values of
    :func:`certified_n_star` at about 60 values of K.

    Parameters
    ----------
    ms : int or sequence of int
        Neuron counts, 1 <= m <= 400, at most 12 of them.
    output : str
        ``.png`` or ``.svg``.

    Returns
    -------
    dict
        ``{"kind": "figure5", "pieces": None, "m": [...], "titles": [...], "notes": [...]}``.
    """
    ms = [ms] if isinstance(ms, int) else list(ms)
    _output_format(output)
    if not ms or len(ms) > 12:
        raise PlotError("give between 1 and 12 values of m")
    bad = [m for m in ms if not 1 <= m <= FIGURE5_MAX_M]
    if bad:
        raise PlotError(f"--m must be between 1 and {FIGURE5_MAX_M}, got {bad[0]}")
    fig, axes = _figure(len(ms))
    width = STYLE["width"] if len(ms) == 1 else STYLE["panel"][0]
    titles, notes = [], []
    for ax, m in zip(axes, ms):
        K1, K2, A, B = figure_5_regions(m)
        low = max(A, 0)
        if A < 0:
            notes.append(f"m = {m}: floor(m^2/108 - 2/3) = {A} < 0, so the lower edge A is drawn at 0")
        K_end = int(float(K2) * 1.6) + 3
        ax.plot([0, K1], [0, K1], color=STYLE["exact"], lw=2.2, label="N* = K  (K ≤ m²/16)")
        ax.fill_between([K1 + 1, float(K2)], [low, low], [K1 + 1, float(K2)], color=STYLE["middle"], alpha=0.22,
                        lw=0, label="A ≤ N* ≤ K")
        ax.fill_between([float(K2), K_end], [low, low], [float(B), float(B)], color=STYLE["far"], alpha=0.25, lw=0,
                        label="A ≤ N* ≤ B  (K ≥ (m² + m + 4)/2)")
        step = max(1, K_end // 60)
        Ks = list(range(3, K_end + 1, step))
        bounds = [certified_n_star(m, K) for K in Ks]
        ax.plot(Ks, [b[1] for b in bounds], "^", color=STYLE["upper"], ms=3.5, clip_on=False,
                label="certified upper (lower-bound certificates)")
        ax.plot(Ks, [b[0] for b in bounds], "v", color=STYLE["lower"], ms=3.5, clip_on=False,
                label="certified lower (verified constructions)")
        b_text = f"{int(B)}" if B.denominator == 1 else f"{float(B):.1f}"
        title = f"m = {m}: A = {low}, B = {b_text}"
        titles.append(title)
        _title(ax, title if len(ms) > 1 else f"Corollary 5.2 (Sohn et al. 2024, Figure 5), {title}", width)
        ax.set_xlim(0, K_end)
        ax.set_ylim(0, max(float(B), K1, max(b[1] for b in bounds)) * 1.25 + 1)
        ax.set_xlabel("K (data points)", fontsize=STYLE["label_size"])
        ax.set_ylabel("N* (changed labels)", fontsize=STYLE["label_size"])
        ax.tick_params(labelsize=STYLE["label_size"])
    if len(ms) > 1:
        fig.suptitle("Corollary 5.2 (Sohn et al. 2024, Figure 5): labels a three-layer g with m neurons can change",
                     fontsize=STYLE["title_size"] + 1)
    _legend(fig, axes, columns=3 if len(ms) > 1 else 2)
    _save(fig, output)
    return {"kind": "figure5", "pieces": None, "m": ms, "titles": titles, "notes": notes}
