"""Deployability report: what rounding the weights to float32/float64 does to a certified network.

An exported network's weights are floats, i.e. dyadic rationals, so the
rounded network is again an exact rational network.  This module evaluates it
*exactly* (:func:`ftcexact.network.evaluate`) at the data points and at probe
points, so every number in the report is the effect of rounding the weights
alone, free of any evaluation error; a framework evaluating the exported file
in floating point adds its own rounding on top (of the order of the
tolerance below for well-scaled networks, but not bounded by this report).

The report (plain data; :func:`format_report` prints it as a table):

* ``weights``: how many weights changed when rounded, the largest absolute change and the
  largest relative change (over the nonzero weights);
* ``max_abs_error``: ``max_i |net(x_i) - t_i|`` (largest coordinate) for the exact and the
  rounded network, where ``t_i`` is the target the exported network must produce (``z_i``
  for g, ``y_i`` for f + g);
* ``changed_labels`` / ``kept_labels``: for i in T and i not in T, how many points the rounded
  network still fits exactly, and how many within the tolerance
  ``|error| <= tol * max(1, |y_i|)`` (``tol`` = ``2^-12`` for float32, ``2^-26`` for
  float64, about the square root of the unit round-off, unless given);
* ``classification`` (one-hot labels, or ``classes=True``): at how many points the predicted
  class of the deployed model ``o_i + net(x_i)`` is the label's class, where the class is the
  unique arg-max (several outputs) or ``value > 0`` (one output, a binary logit); points whose
  label has a tied maximum are not counted;
* ``probes``: how far the fine-tuning moves the outputs away from the data,
  ``max_p |net(p) - base(p)|`` over the probe points for the exact and the rounded network
  (``base`` = f when the exported network is f + g, nothing when it is g).

Examples
--------
>>> from ftcexact.network import Network
>>> from ftcexact.kernel.numbers import Q
>>> g = Network.from_lists([([[1]], [0]), ([["1/3"]], [0])])      # g(x) = relu(x) / 3
>>> r = Network.from_lists([([[1]], [0]), ([[float(Q(1, 3))]], [0])])
>>> rep = deployability_report(g, r, [(Q(0),), (Q(3),)], [(Q(0),), (Q(1),)], T=[2], dtype="float64",
...                            probes=[(Q(30),)])
>>> rep["max_abs_error"]["exact"], rep["changed_labels"], rep["kept_labels"]["exact"]
('0', {'total': 1, 'exact': 0, 'within_tolerance': 1}, 1)
>>> rep["probes"]["max_abs_move_exact"]
'10'
>>> print(format_report(rep).splitlines()[2])
  max |error| at the data        exact 0, rounded 5.55e-17

References
----------
IEEE Std 754-2019 (binary formats, rounding).  N. J. Higham, *Accuracy and
Stability of Numerical Algorithms*, 2nd ed., SIAM 2002, ch. 3 (error of
floating-point inner products, the order of what a float evaluation adds).
"""

from __future__ import annotations

from ..kernel.numbers import Q, format_rational
from ..network import evaluate
from .errors import ModelError

__all__ = ["deployability_report", "format_report", "DEFAULT_TOLERANCE"]

#: Default relative tolerance per export dtype (about the square root of the unit round-off).
DEFAULT_TOLERANCE = {"float32": Q(1, 2**12), "float64": Q(1, 2**26), None: Q(0)}


def _max_abs(rows_a, rows_b):
    return max((abs(a - b) for ra, rb in zip(rows_a, rows_b) for a, b in zip(ra, rb)), default=Q(0))


def _approx(q):
    return float(q)


def _class(v, rule):
    if rule == "sign":
        return 1 if v[0] > 0 else 0
    best = max(v)
    top = [j for j, a in enumerate(v) if a == best]
    return top[0] if len(top) == 1 else None


def _one_hot(v):
    return sum(1 for a in v if a == 1) == 1 and all(a in (0, 1) for a in v)


def _weight_changes(exact, rounded):
    if [(len(W), len(W[0])) for W, _ in exact.layers] != [(len(W), len(W[0])) for W, _ in rounded.layers]:
        raise ModelError("the rounded network must have the architecture of the exact one")
    total = changed = 0
    worst_rel = worst_abs = Q(0)
    for (We, be), (Wr, br) in zip(exact.layers, rounded.layers):
        for e, r in zip([v for row in We for v in row] + list(be), [v for row in Wr for v in row] + list(br)):
            total += 1
            if e != r:
                changed += 1
                worst_abs = max(worst_abs, abs(r - e))
                if e:
                    worst_rel = max(worst_rel, abs(r - e) / abs(e))
    return {"total": total, "changed": changed, "max_abs_change": _approx(worst_abs),
            "max_relative_change": _approx(worst_rel)}


def deployability_report(exact, rounded, points, targets, *, T, offsets=None, classes=None, probes=None,
                         baseline=None, dtype=None, tolerance=None):
    """Compare an exact network and its rounded version at the data and at probe points.

    Parameters
    ----------
    exact, rounded : Network
        The certified network and the network of its rounded weights (same architecture).
    points : list of tuple of Q
        The inputs ``x_i``.
    targets : list of tuple of Q
        What the exported network must output at ``x_i`` (``z_i`` for g, ``y_i`` for f + g).
    T : list of int
        1-based indices of the changed labels.
    offsets : list of tuple of Q, optional
        Added to the network's output to give the deployed prediction (``f_i`` when only g is
        exported and f runs beside it); default 0.  The labels are ``offsets + targets``.
    classes : bool or None
        Check predicted classes: None = only when every label is one-hot.
    probes : list of tuple of Q, optional
        Points away from the data.
    baseline : Network, optional
        Subtracted at the probes (f, when the exported network is f + g).
    dtype : str or None
        ``"float32"``, ``"float64"`` or None (exact export), for the default tolerance and display.
    tolerance : rational, optional
        Relative tolerance; default :data:`DEFAULT_TOLERANCE`.

    Returns
    -------
    dict
        Plain JSON-ready data (exact values as ``"p/q"`` strings, approximations as floats).
    """
    K = len(points)
    dy = len(targets[0])
    offsets = offsets or [(Q(0),) * dy] * K
    tol = DEFAULT_TOLERANCE.get(dtype, Q(0)) if tolerance is None else Q(tolerance)
    in_T = set(T)
    out_e, out_r = evaluate(exact, points), evaluate(rounded, points)
    labels = [tuple(o + t for o, t in zip(oi, ti)) for oi, ti in zip(offsets, targets)]
    err_e = [max(abs(a - b) for a, b in zip(e, t)) for e, t in zip(out_e, targets)]
    err_r = [max(abs(a - b) for a, b in zip(r, t)) for r, t in zip(out_r, targets)]
    ok_tol = [err <= tol * max(Q(1), max(abs(a) for a in y)) for err, y in zip(err_r, labels)]
    group = {}
    for name, members in (("changed_labels", [i for i in range(K) if i + 1 in in_T]),
                          ("kept_labels", [i for i in range(K) if i + 1 not in in_T])):
        group[name] = {"total": len(members), "exact": sum(1 for i in members if err_r[i] == 0),
                       "within_tolerance": sum(1 for i in members if ok_tol[i])}
    worst_e, worst_r = max(err_e), max(err_r)
    report = {"dtype": dtype or "exact", "K": K, "N": len(in_T), "weights": _weight_changes(exact, rounded),
              "tolerance": _approx(tol),
              "exact_network_fits": worst_e == 0,
              "max_abs_error": {"exact": format_rational(worst_e), "rounded": format_rational(worst_r),
                                "rounded_approx": _approx(worst_r)},
              **group,
              "outside_tolerance": sum(1 for ok in ok_tol if not ok),
              "failures": [i + 1 for i in range(K) if not ok_tol[i]][:10],
              "classification": None, "probes": None}
    if classes is None:
        classes = dy >= 2 and all(_one_hot(y) for y in labels)
    if classes:
        rule = "argmax" if dy >= 2 else "sign"
        want = [_class(y, rule) for y in labels]
        defined = [i for i in range(K) if want[i] is not None]

        def holds(outs):
            return [i for i in defined
                    if _class(tuple(o + a for o, a in zip(offsets[i], outs[i])), rule) == want[i]]
        good_e, good_r = holds(out_e), set(holds(out_r))
        report["classification"] = {"rule": rule, "points": len(defined), "ambiguous_labels": K - len(defined),
                                    "holds_exact": len(good_e), "holds_rounded": len(good_r),
                                    "failures": [i + 1 for i in defined if i not in good_r][:10]}
    if probes:
        base = evaluate(baseline, probes) if baseline is not None else [(Q(0),) * dy] * len(probes)
        move_e = _max_abs(evaluate(exact, probes), base)
        move_r = _max_abs(evaluate(rounded, probes), base)
        report["probes"] = {"count": len(probes), "max_abs_move_exact": format_rational(move_e),
                            "max_abs_move_exact_approx": _approx(move_e),
                            "max_abs_move_rounded": format_rational(move_r),
                            "max_abs_move_rounded_approx": _approx(move_r)}
    return report


def _g(x):
    return "0" if x == 0 else f"{x:.3g}"


def format_report(report, moved="g"):
    """A short text table of a :func:`deployability_report` (``moved`` names the fine-tuning network)."""
    w, e = report["weights"], report["max_abs_error"]
    tol = _g(report["tolerance"])
    lines = [f"deployability ({report['dtype']} weights, evaluated exactly)",
             f"  {'weights changed by rounding':<30} {w['changed']} of {w['total']} "
             f"(max relative change {_g(w['max_relative_change'])})",
             f"  {'max |error| at the data':<30} exact {_g(float(Q(e['exact'])))}, rounded {_g(e['rounded_approx'])}"]
    for key, label in (("changed_labels", "changed labels (i in T)"), ("kept_labels", "kept labels (i not in T)")):
        g = report[key]
        lines.append(f"  {label:<30} {g['exact']} of {g['total']} exact, {g['within_tolerance']} of {g['total']} "
                     f"within {tol}")
    c = report["classification"]
    if c:
        what = "arg-max" if c["rule"] == "argmax" else "sign (logit > 0)"
        extra = f", {c['ambiguous_labels']} tied labels skipped" if c["ambiguous_labels"] else ""
        lines.append(f"  {what + ' at the data':<30} {c['holds_rounded']} of {c['points']} "
                     f"(exact network {c['holds_exact']} of {c['points']}{extra})")
    p = report["probes"]
    if p:
        label = f"max |{moved}(p)| over {p['count']} probes"
        lines.append(f"  {label:<30} exact {_g(p['max_abs_move_exact_approx'])}, "
                     f"rounded {_g(p['max_abs_move_rounded_approx'])}")
    if report["failures"]:
        more = report["outside_tolerance"] > len(report["failures"])
        lines.append(f"  {'outside the tolerance at':<30} {', '.join(map(str, report['failures']))}"
                     f"{' ...' if more else ''} ({report['outside_tolerance']} points)")
    return "\n".join(lines)
