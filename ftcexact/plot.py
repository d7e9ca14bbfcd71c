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
from .kernel.numbers import Q, parse_rational
from .network import network_from_json

__all__ = ["plot_restriction", "plot_file"]


class PlotError(ValueError):
    """Input that cannot be drawn."""


def plot_restriction(ts, zs, f, output, highlight=(), dimmed=(), title=None):
    """Draw points ``(ts[i], zs[i])`` and the piecewise-linear ``f`` to ``output`` (.png or .svg).

    ``highlight`` (indices, e.g. T) are drawn in red, ``dimmed`` ones (e.g. points
    Theorem 4.4 drops) in grey, the others in black; breakpoints of ``f`` are
    marked on the curve.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _output_format(output)
    xs = [float(t) for t in ts] + [float(b) for b in f.breakpoints]
    lo, hi = min(xs), max(xs)
    margin = (hi - lo) * 0.08 or 1.0
    grid = sorted({lo - margin, hi + margin, *[float(b) for b in f.breakpoints]})
    curve = [float(f(_q(t))[0]) for t in grid]
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.plot(grid, curve, color="tab:blue", lw=1.6, label=f"network on the line ({f.pieces} pieces)")
    ax.plot([float(b) for b in f.breakpoints], [float(f(b)[0]) for b in f.breakpoints], "|", color="tab:blue",
            ms=12, mew=1.5, label="breakpoints")
    for group, colour, label in ((set(highlight), "tab:red", "i in T"), (set(dimmed), "0.65", "dropped"),
                                 (None, "black", "i not in T")):
        idx = [i for i in range(len(ts)) if (i in group if group is not None
                                              else i not in set(highlight) | set(dimmed))]
        if idx:
            ax.plot([float(ts[i]) for i in idx], [float(zs[i]) for i in idx], "o", color=colour, ms=5, label=label,
                    zorder=3)
    ax.set_xlabel("t = a . x")
    ax.set_ylabel("z = y - f(x)")
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="best")
    _save(fig, output)


def _output_format(output):
    ext = os.path.splitext(output)[1].lower()
    if ext not in (".png", ".svg"):
        raise PlotError(f"the output must end in .png or .svg, not {ext or 'nothing'}")
    return ext


def _save(fig, output):
    """Save through a temporary file and an atomic rename: no half-written picture on failure."""
    import matplotlib.pyplot as plt
    ext = _output_format(output)
    fig.tight_layout()
    fd, tmp = tempfile.mkstemp(prefix=".ftcexact-", suffix=ext, dir=os.path.dirname(os.path.abspath(output)))
    os.close(fd)
    try:
        fig.savefig(tmp, format=ext[1:], dpi=130)
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.unlink(tmp)


def _q(x):
    p, q = x.as_integer_ratio()
    return Q(p, q)


def _vector(text):
    return [parse_rational(v) for v in text.split(",")] if text else None


def plot_file(target, output, point=None, direction=None, options=None):
    """Plot a fine-tuning or lower-bound certificate, or a dataset with ``options.network``.

    Any input that is not one of these (a missing or mistyped field, text that is not UTF-8, values too
    large for floats) raises :class:`PlotError`.
    """
    try:
        ts, zs, f, drawing = _plot_inputs(target, point, direction, getattr(options, "network", None))
    except UnicodeDecodeError:
        raise PlotError(f"{target}: not UTF-8 text") from None
    except PlotError:
        raise
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as e:  # a field missing or mistyped
        raise PlotError(f"{target}: not a certificate or a dataset this command can draw "
                        f"({type(e).__name__}: {str(e)[:80]})") from None
    try:
        return plot_restriction(ts, zs, f, output, **drawing)
    except OverflowError:
        raise PlotError(f"{target}: values too large to draw as floats") from None


def _plot_inputs(target, point, direction, network_file):
    """``(ts, zs, f)`` to draw and the options of :func:`plot_restriction`, from a file."""
    with open(target, encoding="utf-8") as fh:
        obj = read_json_text(fh.read(), target)
    if isinstance(obj, dict) and obj.get("kind") == "lower-bound":
        ds = dataset_from_json(obj["dataset"])
        w = obj["witness"]
        f = from_vertices([parse_rational(v) for v in w["vertices"]], [parse_rational(v) for v in w["values"]],
                          parse_rational(w["left_slope"]), parse_rational(w["right_slope"]))
        ts = [x[0] for x in ds.x]
        title = f"{obj['claim']['architecture']}: {f.pieces} pieces, so m >= {obj['claim']['bound']}"
        return ts, [z[0] for z in ds.targets], f, {"highlight": [i - 1 for i in ds.T], "title": title}
    if network_file:
        ds = load_dataset(target)
        with open(network_file, encoding="utf-8") as fh:
            net_obj = read_json_text(fh.read(), network_file)
        net, hints, title = network_from_json(net_obj["network"]), net_obj.get("hints") or {}, None
    elif isinstance(obj, dict) and "network" in obj:
        ds = certificate_dataset(obj, os.path.dirname(os.path.abspath(target)))
        net, hints = network_from_json(obj["network"]), obj.get("hints") or {}
        claim = obj.get("claim", {})
        title = f"{claim.get('construction', '')}: m = {claim.get('neurons', net.neurons)}, N = {ds.N}, K = {ds.K}"
    else:
        raise PlotError(f"{target}: not a certificate; for a dataset give --network")
    if ds.dy != 1:
        raise PlotError("only scalar labels can be drawn")
    u = _vector(direction) or ([parse_rational(v) for v in hints["direction"]] if "direction" in hints else None)
    if u is None:
        if ds.d != 1:
            raise PlotError("give --direction to draw d-dimensional data on a line")
        u = [Q(1)]
    p = _vector(point) or [Q(0)] * len(u)
    norm = sum(v * v for v in u)
    # x(t) = p + t u / |u|^2, so u . x(t) = u . p + t: data are drawn at t_i = u . (x_i - p)
    f = restrict_to_line(net, p, [v / norm for v in u])
    ts = [sum(((a - b) * c for a, b, c in zip(x, p, u)), Q(0)) for x in ds.x]
    kept = {int(i) for i in hints.get("kept", range(1, ds.K + 1))}  # JSON numbers arrive as text
    dropped = [i for i in range(ds.K) if i + 1 not in kept]
    return ts, [z[0] for z in ds.targets], f, {"highlight": [i - 1 for i in ds.T], "dimmed": dropped,
                                               "title": title}


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
    """
    from .analysis.lower_bounds import neurons_needed
    from .constructions.three_layer import u1_bound, u3_bound
    from .constructions.ysj import ysj_layout

    def worst_case(N):
        if N == 0:
            return 0
        return min(u1_bound(K), 2 * ysj_layout(K)[0] + 3 * N, u3_bound(min(3 * N + 2, K)), 4 * N + 4)
    upper = max(N for N in range(K + 1) if neurons_needed("three-layer", min(3 * N, K - 2) + 1) <= m)
    lower = max(N for N in range(K + 1) if worst_case(N) <= m)
    return lower, upper


def plot_figure5(m, output, overlay_max_m=30):
    """[FTC] Figure 5 for m neurons: the regions of Corollary 5.2, with the certified N* bounds overlaid."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _output_format(output)
    if not 1 <= m <= 400:
        raise PlotError("--m must be between 1 and 400")
    K1, K2, A, B = figure_5_regions(m)
    K_end = int(float(K2) * 1.6) + 3
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot([0, K1], [0, K1], color="tab:blue", lw=2, label="N* = K")
    ax.fill_between([K1 + 1, float(K2)], [A, A], [K1 + 1, float(K2)], color="tab:red", alpha=0.25,
                    label="A <= N* <= K")
    ax.fill_between([float(K2), K_end], [A, A], [float(B), float(B)], color="tab:green", alpha=0.3,
                    label="A <= N* <= B")
    if m <= overlay_max_m:
        Ks = sorted({max(3, int(k)) for k in [i * K_end / 60 for i in range(61)]})
        bounds = [certified_n_star(m, K) for K in Ks]
        ax.plot(Ks, [b[0] for b in bounds], "v", color="black", ms=4, label="certified lower (constructions)")
        ax.plot(Ks, [b[1] for b in bounds], "^", color="tab:purple", ms=4,
                label="certified upper (lower-bound certificates)")
    ax.set_xlabel("K")
    ax.set_ylabel("N*")
    ax.set_title(f"Corollary 5.2 (Sohn et al. 2024, Figure 5), m = {m}: A = {A}, B = {float(B):.1f}", fontsize=10)
    ax.set_xlim(0, K_end)
    ax.set_ylim(0, max(float(B), K1) * 1.5 + 2)
    ax.legend(fontsize=8, loc="upper left")
    _save(fig, output)
