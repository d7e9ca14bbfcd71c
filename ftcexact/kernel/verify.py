"""The trusted verifier: the only judge of ftcexact certificates (docs/certificate.md).

Everything else in ftcexact (constructions, search, plotting, model readers)
is an untrusted producer.  The kernel (this module and :mod:`.reader`,
:mod:`.data`, :mod:`.evaluate`, :mod:`.sweep`, :mod:`.claims`, :mod:`.numbers`,
:mod:`.refutation`, :mod:`.records`) imports nothing but the standard
library and the exact-number backend, so it can be read, and believed, alone.

Certificates (format ``ftcexact-certificate`` v2), by ``kind``:

*fine-tuning*: a dataset ``(x_i, y_i)``, a frozen network ``f`` (a referenced
exact network file whose values the verifier recomputes, or values given in
the dataset, or absent: 0) and a network ``g``.  The verifier recomputes
``z_i = y_i - f(x_i)`` and ``T = {i : z_i != 0}``, evaluates ``g`` exactly at
every ``x_i`` (:mod:`.evaluate`: one-direction sweep or dense integer
products) and accepts only if ``g(x_i) = z_i`` everywhere (so
``f(x_i) + g(x_i) = y_i``, and ``g`` vanishes off T), the neuron count equals
``claim.neurons``, and the statement named by ``claim.statement`` holds: its
bound is recomputed from the instance by :mod:`.claims`, never read.

*lower-bound*: a dataset on a line, an architecture and a bound ``B``.  The
verifier recomputes the fewest affine pieces ``p`` of any continuous
interpolant (:func:`min_pieces_dp`), checks a witness attaining ``p``, and
accepts only if a network of that architecture with ``B - 1`` neurons has
fewer than ``p`` pieces on a line (:data:`.claims.LIMITS`).

*piece-count*: a network and a line; the verifier restricts the network to
the line exactly, merges identical adjacent pieces and compares the count.

Refutations (format ``ftcexact-refutation``) are dispatched to
:mod:`.refutation`, on the parsed ``format`` field.

Output follows lrat-check / VIPR: comment lines ``c ...``, then exactly one
``s VERIFIED`` (exit 0) or ``s NOT VERIFIED`` (exit 1).  Input that cannot be
read as intended is malformed: one line on stderr, exit 2.  An unexpected
error in the verifier itself: one line, exit 3 ("internal error").
"""

from __future__ import annotations

import json
import os
import sys
from bisect import bisect_right

from . import refutation
from .claims import LIMITS, LOWER_STATEMENTS, NEEDS_BLOCKS, PIECE_STATEMENTS, STATEMENTS, Instance, limit, \
    lower_statement_bound, statement_checks, unchanged_runs
from .data import MAX_REFERENCED_BYTES, open_dataset, referenced_file
from .evaluate import check_size, evaluate_dense, input_bits, number, read_net, restrict_to_direction, sweep_budget, \
    vector
from .numbers import Q, show_rational
from .reader import Malformed, Rejected, field, known_fields, nat_field, parse_json, read_json
from .sweep import Sweep as _Sweep

FORMAT, VERSION = "ftcexact-certificate", 2
NETWORK_FORMAT = "ftcexact-network"
ZERO = Q(0)
FIELDS = {"fine-tuning": {"format", "version", "kind", "claim", "dataset", "frozen", "network", "T", "hints"},
          "lower-bound": {"format", "version", "kind", "claim", "dataset", "witness", "hints"},
          "piece-count": {"format", "version", "kind", "claim", "network", "line", "hints"}}
CLAIM_FIELDS = {"fine-tuning": {"construction", "statement", "N", "K", "d", "neurons"},
                "lower-bound": {"statement", "architecture", "N", "K", "min_pieces", "bound"},
                "piece-count": {"statement", "pieces"}}


def _statement(claim):
    """``claim.statement``: absent (None) or a string naming a registry entry."""
    statement = claim.get("statement")
    if statement is not None and not isinstance(statement, str):
        raise Malformed(f"claim.statement: expected a string, got {type(statement).__name__}")
    return statement


def _show(v):
    return show_rational(v[0]) if len(v) == 1 else "(" + ", ".join(map(show_rational, v[:4])) + \
        (", ...)" if len(v) > 4 else ")")


# ---------------------------------------------------------------- fine-tuning

def _frozen(cert, data, base, say):
    """The frozen network of a certificate (None if f is not a network), after checking its references."""
    spec = cert.get("frozen")
    if spec is None:
        say(f"f: {'values given in the dataset (not recomputed)' if data.has_f else 'absent (f = 0)'}")
        return None
    if not isinstance(spec, dict) or data.has_f:
        raise Malformed("certificate.frozen must be a reference, and the dataset must not also give f-values")
    path = referenced_file(spec, base, "frozen network")
    doc = read_json(path)
    if field(doc, "format", str, path) != NETWORK_FORMAT or nat_field(doc, "version", path) != 1:
        raise Malformed(f"{path}: expected an {NETWORK_FORMAT} v1 file")
    f = read_net({k: v for k, v in doc.items() if k in ("kind", "activation", "layers", "blocks", "head")},
                 data.d, "frozen network")
    if f.d_out != data.dy:
        raise Malformed(f"the frozen network has {f.d_out} outputs but the labels have {data.dy}")
    source = spec.get("source")
    note = ""
    if source is not None:
        referenced_file(source, base, "source model", MAX_REFERENCED_BYTES)
        note = f"; its source {source['path']} matches its sha256 too (the conversion is not re-checked here)"
    say(f"f: frozen network {spec['path']} ({f.activation_name()}, widths {f.widths}), sha256 matches{note}")
    return f


def check_fine_tuning(cert, base, say):
    claim = field(cert, "claim", dict, "certificate")
    known_fields(claim, CLAIM_FIELDS["fine-tuning"], "claim")
    statement = _statement(claim)
    if statement is not None and statement not in STATEMENTS:
        raise Rejected(f"claim.statement {str(statement)[:60]!r} is not a registered statement "
                       "(see docs/certificate.md); nothing is claimed that could be checked")
    data = open_dataset(field(cert, "dataset", dict, "certificate"), base)
    say(f"dataset: {data.describe}, K = {data.K}, d = {data.d}, outputs = {data.dy}")
    f = _frozen(cert, data, base, say)
    g = read_net(field(cert, "network", (list, dict), "certificate"), data.d)
    if g.d_out != data.dy:
        raise Malformed(f"network has {g.d_out} outputs but the labels have {data.dy}")
    say(f"network g: {g.kind} {g.activation_name()}, {g.depth} layers, hidden widths {g.widths}, "
        f"{g.neurons} neurons")
    if nat_field(claim, "neurons", "claim") != g.neurons:
        raise Rejected(f"claim.neurons = {claim['neurons']} but the network has {g.neurons} neurons")
    sweep = _Sweep(g, say)
    keep_f = statement in NEEDS_BLOCKS and sweep.bps is not None
    T, projections, big, one_hot, kept, explicit, i, seen = [], [], ZERO, True, 0, 0, 0, {}
    for block in data.blocks():
        Y, F = block.Y, block.F
        if f is not None:
            X, den = block.exact()
            rows = [r for r, y in zip(X, Y) if y is not None]
            check_size(f, input_bits(rows, den))
            fv = iter(evaluate_dense(f, rows, den) if rows else [])
            F = [next(fv) if y is not None else None for y in Y]
        elif None in Y:
            raise Malformed("the dataset marks labels 'keep f' (null/NaN/-1) but there is no frozen network")
        G = sweep.values(block)
        for y, fi, gi in zip(Y, F or [None] * len(Y), G):
            i += 1
            gi, (S, den) = gi if sweep.bps is not None else (gi, (None, None))
            if y is None:
                z, kept = (ZERO,) * data.dy, kept + 1
            else:
                z, explicit = (y if fi is None else tuple(a - b for a, b in zip(y, fi))), explicit + 1
            if gi != z:
                why = "i in T" if any(z) else "i not in T, so g must vanish"
                raise Rejected(f"g(x_{i}) = {_show(gi)} but z_{i} = {_show(z)} ({why})")
            if id(z) not in seen:  # once per label tuple (shared by class); seen keeps z alive, so ids stay its own
                seen = seen if len(seen) < 4096 else {}
                hot = sorted(z) == [ZERO] * (len(z) - 1) + [Q(1)]
                seen[id(z)] = (z, any(z), max(map(abs, z), default=ZERO), hot)
            _, nonzero, zmax, hot = seen[id(z)]
            if nonzero:
                T.append(i)
                big = max(big, zmax)
            one_hot = one_hot and hot
            if keep_f:
                projections.append((S, den, nonzero))
    if f is not None:
        say(f"f(x_i) recomputed exactly at the {explicit} points with explicit labels; "
            f"{kept} points keep f's value (there g must vanish)")
    say(f"checked g(x_i) = z_i = y_i - f(x_i) exactly at all {data.K} points; N = |T| = {len(T)}")
    for key, actual in (("K", data.K), ("d", data.d), ("N", len(T))):
        if nat_field(claim, key, "claim") != actual:
            raise Rejected(f"claim.{key} = {claim[key]} but the dataset gives {actual}")
    if "T" in cert and cert["T"] != [str(j) for j in T]:
        raise Rejected("the certificate's T differs from {i : z_i != 0} recomputed from the dataset")
    facts = {"kind": "fine-tuning", "K": data.K, "N": len(T), "d": data.d, "neurons": g.neurons, "depth": g.depth}
    if statement is None:
        say(f"no statement claimed: checked only that g fits with m = {g.neurons} neurons")
        return facts

    def blocks():
        if not keep_f:
            raise ValueError("the first layer does not read one direction, or its restriction exceeds the caps")
        dens = {den for _, den, _ in projections}  # float data: powers of two, so sort integers over the largest;
        L = max(dens) if all(q & (q - 1) == 0 for q in dens) else None  # else rationals (an lcm may be huge)
        order = sorted({(S * (L // den) if L else Q(S, den), changed) for S, den, changed in projections})
        if len({s for s, _ in order}) != len(order):
            raise ValueError("two points with one projection")
        return unchanged_runs([changed for _, changed in order])
    inst = Instance(data.K, len(T), data.d, data.dy, g.widths, g.depth, g.kind, big, one_hot, blocks, g.slopes)
    for ok, checked, failure in statement_checks(statement, inst):
        if not ok:
            raise Rejected(f"statement {statement}: {failure}")
        say(f"statement {statement}: {checked}")
    say(f"statement {statement} holds on this instance: {STATEMENTS[statement][0]}")
    return facts


# ---------------------------------------------------------------- lower bounds

def min_pieces_dp(ts, vs):
    """Fewest affine pieces of a continuous interpolant of (t_i, v_i), t strictly increasing.

    With sigma_i^-/+ the one-sided slopes of an interpolant at t_i and s_i the
    secant slope of gap i, the interpolant has a breakpoint at t_i iff
    sigma_i^- != sigma_i^+, none inside gap i only if sigma_i^+ = sigma_{i+1}^- = s_i,
    and one only if s_i lies strictly between them; otherwise two suffice.
    Only the signs of sigma - s matter, so a 3-state programme finds the minimum; whether one sigma has
    given signs against s_i and s_{i+1} depends only on their order, so each step is a table look-up.
    """
    if len(ts) <= 2:
        return 1
    s = [(vs[i + 1] - vs[i]) / (ts[i + 1] - ts[i]) for i in range(len(ts) - 1)]
    signs = (-1, 0, 1)

    def gap(r, q):  # r: sign(sigma_i^+ - s_i), q: sign(sigma_{i+1}^- - s_i)
        return 0 if r == q == 0 else 1 if r == -q else 2

    def one_slope(q, r, s0, s1):  # is there one sigma with these signs against s0 and s1?
        candidates = (s0, s1, (s0 + s1) / 2, min(s0, s1) - 1, max(s0, s1) + 1)
        return any((c > s0) - (c < s0) == q and (c > s1) - (c < s1) == r for c in candidates)
    step = {o: [[min(gap(r, q) + (0 if one_slope(q, r2, 0, 2 * o) else 1) for q in signs) for r2 in signs]
                for r in signs] for o in signs}  # o: the order of s_i and s_{i+1}, as in (s_i, s_{i+1}) = (0, 2 o)
    cost = [0, 0, 0]
    for i in range(len(ts) - 2):
        T = step[(s[i + 1] > s[i]) - (s[i + 1] < s[i])]
        cost = [min(cost[0] + T[0][j], cost[1] + T[1][j], cost[2] + T[2][j]) for j in range(3)]
    return 1 + min(cost[j] + gap(r, q) for j, r in enumerate(signs) for q in signs)


def check_lower_bound(cert, base, say):
    claim = field(cert, "claim", dict, "certificate")
    known_fields(claim, CLAIM_FIELDS["lower-bound"], "claim")
    arch = field(claim, "architecture", str, "claim")
    if arch not in LIMITS:
        raise Malformed(f"claim.architecture must be one of {', '.join(LIMITS)}")
    data = open_dataset(field(cert, "dataset", dict, "certificate"), base)
    if data.d != 1 or data.dy != 1 or data.K > 10**6:
        raise Malformed("a lower-bound dataset has at most 10^6 points with scalar inputs and labels")
    bound, K = nat_field(claim, "bound", "claim"), data.K
    if bound > K:  # limit(arch, m) >= m + 1 and p <= K - 1: no dataset of K points forces more than K
        raise Rejected(f"claim.bound = {bound} exceeds what {K} points can force (at most {K}); refused")
    points = set()
    for block in data.blocks():
        X, den = block.exact()
        for x, y, fi in zip(X, block.Y, block.F or [None] * len(X)):
            if y is None:
                raise Malformed("a lower-bound dataset has no keep markers")
            points.add((Q(x[0], den), y[0] - (fi[0] if fi else 0)))
    data_pts = sorted(points)
    if len({t for t, _ in data_pts}) != len(data_pts):
        raise Rejected("two points share an input but not a target: no function fits them")
    ts, vs = [t for t, _ in data_pts], [v for _, v in data_pts]
    pieces, N = min_pieces_dp(ts, vs), sum(1 for v in vs if v)
    say(f"dataset: K = {K} points on a line, N = {N}; every continuous interpolant has >= {pieces} pieces")
    for key, actual in (("K", K), ("N", N), ("min_pieces", pieces)):
        if nat_field(claim, key, "claim") != actual:
            raise Rejected(f"claim.{key} = {claim[key]} but the dataset gives {actual}")
    w = field(cert, "witness", dict, "certificate")
    bps = vector(field(w, "vertices", list, "witness"), "witness.vertices")
    vals = vector(field(w, "values", list, "witness"), "witness.values", len(bps))
    if not bps or any(b <= a for a, b in zip(bps, bps[1:])):
        raise Malformed("witness.vertices must be non-empty and strictly increasing")
    ends = [number(field(w, key, str, "witness"), f"witness.{key}") for key in ("left_slope", "right_slope")]
    slopes = [ends[0]] + [(vals[j + 1] - vals[j]) / (bps[j + 1] - bps[j]) for j in range(len(bps) - 1)] + [ends[1]]
    if 1 + sum(1 for a, b in zip(slopes, slopes[1:]) if a != b) != pieces:
        raise Rejected(f"the witness does not have exactly {pieces} pieces")
    for t, v in data_pts:
        j = bisect_right(bps, t)
        anchor = bps[max(j - 1, 0)], vals[max(j - 1, 0)]
        if anchor[1] + slopes[j] * (t - anchor[0]) != v:
            raise Rejected(f"the witness misses the data point ({show_rational(t)}, {show_rational(v)})")
    if bound and limit(arch, bound - 1) >= pieces:
        raise Rejected(f"a {arch} network with {bound - 1} neurons can have {limit(arch, bound - 1)} "
                       f">= {pieces} pieces, so the bound {bound} does not follow")
    if bound:  # m = 0 needs no argument: every network has at least 0 neurons
        say(f"{arch}: {bound - 1} neurons give at most {limit(arch, bound - 1)} < {pieces} pieces "
            f"({LIMITS[arch][1]}), so every fitting network has m >= {bound}")
    statement = _statement(claim)
    facts = {"kind": "lower-bound", "K": K, "N": N, "architecture": arch, "bound": bound, "min_pieces": pieces}
    if statement is None:
        return facts
    if statement not in LOWER_STATEMENTS:
        raise Rejected(f"claim.statement {str(statement)[:60]!r} is not a registered lower-bound statement")
    promised = lower_statement_bound(statement, arch, N, K)
    if promised is None or bound < promised:
        raise Rejected(f"statement {statement} needs a {arch} bound of {promised} here; this certificate "
                       f"proves {bound}")
    say(f"statement {statement}: the certified bound {bound} reaches {promised} (recomputed): "
        f"{LOWER_STATEMENTS[statement][0]}")
    return facts


# ---------------------------------------------------------------- piece counts

def check_piece_count(cert, base, say):
    claim = field(cert, "claim", dict, "certificate")
    known_fields(claim, CLAIM_FIELDS["piece-count"], "claim")
    line = cert.get("line")
    net_obj = field(cert, "network", (list, dict), "certificate")
    d = 1 if line is None else len(field(line, "point", list, "line"))
    net = read_net(net_obj, d)
    if net.kind != "feedforward" or net.depth < 2 or net.d_out != 1 or d == 0:
        raise Malformed("a piece-count certificate holds a feed-forward network with hidden layers and one output")
    W, b = net.layers[0]
    if line is None:
        check_size(net, 64)
        alphas, bias = [row[0] for row in W], b
        say("line: t -> t (the network has one input)")
    else:
        p, u = vector(line["point"], "line.point", d), vector(field(line, "direction", list, "line"), "line.u", d)
        if not any(u):
            raise Malformed("line.direction must be nonzero")
        check_size(net, 64 + sum(v.numerator.bit_length() + v.denominator.bit_length() for v in p + u))
        alphas = [sum(a * v for a, v in zip(row, u)) for row in W]
        bias = [sum(a * v for a, v in zip(row, p)) + c for row, c in zip(W, b)]
        say("line: t -> point + t direction")
    layers = [(None, bias)] + list(net.layers[1:])
    bps, forms = restrict_to_direction(layers, alphas, net.slopes, max_work=sweep_budget(layers))
    pieces = 1 + sum(1 for a, b2 in zip(forms, forms[1:]) if a != b2)
    say(f"network: widths {net.widths}; exact restriction: {pieces} affine pieces after merging equal neighbours")
    if nat_field(claim, "pieces", "claim") != pieces:
        raise Rejected(f"claim.pieces = {claim['pieces']} but the restriction has {pieces} pieces")
    statement = _statement(claim)
    if statement is not None:
        if statement not in PIECE_STATEMENTS:
            raise Rejected(f"claim.statement {str(statement)[:60]!r} is not a registered piece-count statement")
        if net.slopes[0] != 0 or net.slopes[1] <= 0:
            raise Rejected(f"statement {statement} is about ReLU networks; this one is {net.activation_name()}")
        promised = PIECE_STATEMENTS[statement][1](net.widths)
        if promised != pieces:
            raise Rejected(f"statement {statement}: widths {net.widths} promise {promised} pieces, not {pieces}")
        say(f"statement {statement}: P{tuple(net.widths)} = {promised} (recomputed): {PIECE_STATEMENTS[statement][0]}")
    return {"kind": "piece-count", "pieces": pieces, "widths": net.widths}


CHECKS = {"fine-tuning": check_fine_tuning, "lower-bound": check_lower_bound, "piece-count": check_piece_count}


def check_document(doc, base, say, expect=None):
    """Check a parsed certificate or refutation (dispatch on its ``format``)."""
    fmt = field(doc, "format", str, "document")
    if expect is not None and fmt != expect:
        raise Malformed(f"expected a {expect!r} document, not {fmt[:40]!r}")
    if fmt == refutation.FORMAT:
        say(f"ftcexact refutation checker, format {fmt} v{refutation.VERSION}")
        return refutation.check(doc, say)
    if fmt != FORMAT:
        raise Malformed(f"unknown format {fmt[:40]!r} (expected {FORMAT!r} or {refutation.FORMAT!r})")
    version = nat_field(doc, "version", "certificate")
    if version != VERSION:
        raise Malformed(f"certificate version {version}: this verifier reads version {VERSION} "
                        "(re-create older certificates with this ftcexact)")
    kind = field(doc, "kind", str, "certificate")
    if kind not in CHECKS:
        raise Malformed(f"unknown certificate kind {kind[:40]!r} (one of {', '.join(CHECKS)})")
    known_fields(doc, FIELDS[kind], "certificate")
    say(f"ftcexact trusted verifier, format {FORMAT} v{VERSION}, kind {kind}")
    return CHECKS[kind](doc, base, say)


def verdict(work, out=None, err=None, tool="ftcexact verify"):
    """Run ``work(say)`` and print its verdict the lrat-check way; return the exit code 0, 1, 2 or 3."""
    out, err = out or sys.stdout, err or sys.stderr

    def say(line):
        print(f"c {line}", file=out)
    try:
        work(say)
    except Malformed as e:
        print(f"{tool}: malformed input: {e}", file=err)
        return 2
    except Rejected as e:
        say(f"FAIL: {e}")
        print("s NOT VERIFIED", file=out)
        return 1
    except (MemoryError, RecursionError) as e:
        print(f"{tool}: malformed input: too large to check ({type(e).__name__})", file=err)
        return 2
    except Exception as e:  # a bug in the checker itself: never a traceback, never exit 0 or 1
        print(f"{tool}: internal error, please report: {type(e).__name__}: {str(e)[:200]}", file=err)
        return 3
    print("s VERIFIED", file=out)
    return 0


def run(path, out=None, err=None, doc=None, expect=None):
    """Verify the document at ``path`` (or the object ``doc``, read as if its JSON were at ``path``).

    ``expect`` names the only format accepted (e.g. refutations only).  Prints
    the verdict; returns 0 (VERIFIED), 1 (NOT VERIFIED), 2 (malformed) or 3.
    """
    base = os.path.dirname(os.path.abspath(path))

    def work(say):  # an object in memory is read as its JSON text, exactly as the file would be
        check_document(read_json(path) if doc is None else parse_json(json.dumps(doc), path), base, say, expect)
    return verdict(work, out, err)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m ftcexact.kernel.verify CERTIFICATE", file=sys.stderr)
        return 2
    return run(argv[0])


if __name__ == "__main__":
    sys.exit(main())
