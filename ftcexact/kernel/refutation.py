"""Independent checker for refutations: "no 2-layer ReLU network with w neurons fits".

Imports only the standard library and :mod:`ftcexact.kernel.numbers`.  It
recomputes everything that defines the case split from the dataset and ``w``;
the file supplies only polygons and Farkas/Motzkin multipliers.

The argument (full proofs: ``docs/search.md``)
----------------------------------------------
The used points ``x_i`` must lie on a line; canonically ``t = x`` if ``d = 1``,
else ``t_i = (x_i - x_1).u / (u.u)`` with ``u = x_j - x_1`` for the first
``x_j != x_1`` (checked exactly).  Sort, merge repeated inputs, let
``s_g = (z_{g+1} - z_g)/(t_{g+1} - t_g)``.  On the line a width-w network is
(A) affine + at most ``w-1`` interior kinks, or (B) a constant + exactly ``w``
interior kinks (at most one per interior point, at most two of opposite signs
per gap), with ``beta = 0`` left of all kinks and ``alpha = 0`` right of them
(``alpha``/``beta``: slopes of the left-/right-facing parts).  The data fit
iff every gap's chord is consistent with the slopes: that is the table MOVES,
applied stage by stage (leaving t_1, arriving at t_2, leaving t_2, ...).

A *walk certificate* lists, per stage, polygons ``(k, rows)``; for every
polygon and every move within the budget it shows either that the move is
impossible (multipliers: the rows are infeasible) or that its image lies in a
named polygon of the next stage with ``k`` no larger (one implication proof
per target row).  So every reachable state lies in a listed polygon.  A state
at stage of point ``a`` is dropped if ``k + needs(a) > budget``, where
``needs(a)`` comes from a *lemma*: a slope-model walk on the points ``a..K``
with budget ``needs - 1`` whose final stage is empty.

Verdict: VERIFIED if the lemma at point 1 needs ``>= w + 1`` kinks (then
neither (A) nor (B) fits), or if the oriented walk (start ``{beta = 0}``,
budget ``w``) has no final polygon with ``k < w`` (refutes (A)) and every final
polygon misses ``alpha = 0`` (refutes (B)).

Reading, caps and output are the verifier's (:mod:`.reader`, :func:`.verify.run`):
``c ...`` lines, then ``s VERIFIED`` (exit 0) or ``s NOT VERIFIED`` (exit 1); an
unreadable file prints one line on stderr (exit 2).
"""

from __future__ import annotations

import sys

from .evaluate import number
from .numbers import Q
from .reader import Malformed, Rejected

FORMAT, VERSION, KIND = "ftcexact-refutation", 1, "two-layer-width"
ZERO = Q(0)
_KA, _KB = ((-1, 0, 1, 0), 0, "="), ((0, -1, 0, 1), 0, "=")
_BELOW, _ABOVE = ((-1, -1, 0, 0), 1, ">"), ((1, 1, 0, 0), -1, ">")  # u < s, u > s (const = factor * s)
_NABOVE, _NBELOW = ((0, 0, 1, 1), -1, ">"), ((0, 0, -1, -1), 1, ">")  # u' > s, u' < s
MOVES = {  # model -> (gap moves, point moves); a move: (cost, rows over (old, new) state)
    "slope": ({"0": (0, [((-1, 1), 0, "="), ((1, 0), -1, "=")]), "+": (1, [((-1, 0), 1, ">"), ((0, 1), -1, ">")]),
               "-": (1, [((1, 0), -1, ">"), ((0, -1), 1, ">")]), "+-": (2, [])},
              {".": (0, [((-1, 1), 0, "=")]), "*": (1, [])}),
    "oriented": ({"0": (0, [_KA, _KB, ((1, 1, 0, 0), -1, "=")]), "+L": (1, [_KB, _BELOW, _NABOVE]),
                  "+R": (1, [_KA, _BELOW, _NABOVE]), "-L": (1, [_KB, _ABOVE, _NBELOW]),
                  "-R": (1, [_KA, _ABOVE, _NBELOW]), "+-LL": (2, [_KB]), "+-RR": (2, [_KA]),
                  "+L-R": (2, [((-1, 0, 1, 0), 0, ">"), ((0, 1, 1, 0), -1, ">"), ((0, 1, 0, -1), 0, ">"),
                               ((-1, 0, 0, -1), 1, ">")]),
                  "-L+R": (2, [((1, 0, -1, 0), 0, ">"), ((0, -1, -1, 0), 1, ">"), ((0, -1, 0, 1), 0, ">"),
                               ((1, 0, 0, 1), -1, ">")])},
                 {".": (0, [_KA, _KB]), "*L": (1, [_KB]), "*R": (1, [_KA])})}


def _get(obj, key, kind, where):
    if not isinstance(obj, dict) or key not in obj or not isinstance(obj[key], kind):
        raise Malformed(f"{where}: missing or mistyped field {key!r}")
    return obj[key]


_num = number  # the verifier's exact number parser and caps


def _nat(v, where):
    if not (isinstance(v, str) and v.isascii() and v.isdigit() and len(v) <= 9):
        raise Malformed(f"{where}: expected a non-negative integer")
    return int(v)


def _vec(v, where):
    return [_num(a, where) for a in (v if isinstance(v, list) else [v])]


def _nums(v, n, where):
    if not isinstance(v, list) or len(v) != n:
        raise Malformed(f"{where}: expected {n} numbers")
    return [_num(a, where) for a in v]


def _rows(v, n, where):
    out = []
    for r in v if isinstance(v, list) else [None]:
        if not (isinstance(r, list) and len(r) == 3 and r[2] in ("=", ">", ">=")):
            raise Malformed(f"{where}: a row is [coefficients, constant, kind]")
        out.append((_nums(r[0], n, where), _num(r[1], where), r[2]))
    return out


def implied(premises, target, lam):
    """``target - sum lam_i premises_i`` is a constant ``d >= 0`` (``> 0`` or a used
    strict premise if the target is strict; 0 from equalities only if it is '=')."""
    (_, c, kind), rest, strict = target, list(target[0]), False
    d = c
    for (pa, pc, pk), m in zip(premises, lam):
        if m and pk != "=" and (m < 0 or kind == "="):
            return False
        rest = [x - m * y for x, y in zip(rest, pa)]
        d -= m * pc
        strict = strict or (m != 0 and pk == ">")
    if len(lam) != len(premises) or any(rest):
        return False
    return d == 0 if kind == "=" else (d > 0 or (d == 0 and (kind == ">=" or strict)))


def infeasible(premises, lam):
    """The premises cannot all hold: they imply the false row ``0 > 0``."""
    n = len(premises[0][0]) if premises else 0
    return implied(premises, ([ZERO] * n, ZERO, ">"), lam)


def line_points(X, Z):
    """Canonical parameter ``t`` of every point (raises Rejected if not collinear); sorted, merged."""
    if len(X[0]) == 1:
        ts = [x[0] for x in X]
    else:
        p = X[0]
        u = next(([a - b for a, b in zip(x, p)] for x in X if x != p), [Q(1)] * len(p))
        uu = sum(v * v for v in u)
        ts = [sum((a - b) * v for a, b, v in zip(x, p, u)) / uu for x in X]
        for i, (x, t) in enumerate(zip(X, ts)):
            if any(a != b + t * v for a, b, v in zip(x, p, u)):
                raise Rejected(f"the used points are not on one line (point {i + 1} of the used list)")
    merged = {}
    for t, z in zip(ts, Z):
        if merged.setdefault(t, z) != z:
            raise Rejected("two used points coincide but have different targets")
    ts = sorted(merged)
    return ts, [merged[t] for t in ts]


def check_walk(ts, zs, model, budget, needs, stages, where):
    """Check a walk certificate; return its final stage as ``[(k, rows), ...]``."""
    K, n = len(ts), (1 if model == "slope" else 2)
    if not isinstance(stages, list) or len(stages) != 2 * K - 2:
        raise Malformed(f"{where}: expected {2 * K - 2} stages")
    parsed = [[(_nat(_get(P, "k", str, where), where), _rows(_get(P, "rows", list, where), n, where), P)
               for P in st] if isinstance(st, list) else None for st in stages]
    if any(st is None for st in parsed):
        raise Malformed(f"{where}: every stage is a list of polygons")
    init = [] if model == "slope" else [([ZERO, Q(1)], ZERO, "=")]
    if len(parsed[0]) != 1 or parsed[0][0][0] != 0 or parsed[0][0][1] != init:
        raise Rejected(f"{where}: stage 0 must be exactly the start set with k = 0")
    for st in range(2 * K - 3):
        moves = MOVES[model][st % 2]
        s = (zs[st // 2 + 1] - zs[st // 2]) / (ts[st // 2 + 1] - ts[st // 2]) if st % 2 == 0 else ZERO
        need = needs.get((st + 2) // 2 + 1, 0)  # 1-based point of the next stage
        for i, (k, rows, raw) in enumerate(parsed[st]):
            given = _get(raw, "moves", dict, where)
            for name, (cost, mrows) in moves.items():
                if k + cost > budget or k + cost + need > budget:
                    continue  # over budget, or the rest of the data needs too many kinks (lemma)
                mv = given.get(name)
                premises = [(list(a) + [ZERO] * n, c, kd) for a, c, kd in rows] + \
                           [([Q(v) for v in a], f * s, kd) for a, f, kd in mrows]
                at = f"{where}, stage {st}, polygon {i}, move {name}"
                if not isinstance(mv, dict):
                    raise Rejected(f"{at}: case not covered")
                if "empty" in mv:
                    if not infeasible(premises, _nums(mv["empty"], len(premises), at)):
                        raise Rejected(f"{at}: the multipliers do not prove the move impossible")
                    continue
                j = mv.get("to")
                if not (isinstance(j, str) and j.isascii() and j.isdigit() and len(j) <= 9
                        and int(j) < len(parsed[st + 1])):
                    raise Malformed(f"{at}: 'to' must name a polygon of the next stage")
                k2, target, _ = parsed[st + 1][int(j)]
                proofs = _get(mv, "proofs", list, at)
                if k2 > k + cost or len(proofs) != len(target):
                    raise Rejected(f"{at}: target polygon has a larger k or a proof is missing")
                for (a, c, kd), lam in zip(target, proofs):
                    if not implied(premises, ([ZERO] * n + a, c, kd), _nums(lam, len(premises), at)):
                        raise Rejected(f"{at}: a row of the target polygon is not implied")
    return [(k, rows) for k, rows, _ in parsed[-1]]


def check(obj, say):
    if _get(obj, "format", str, "file") != FORMAT or _get(obj, "kind", str, "file") != KIND:
        raise Malformed(f"format must be {FORMAT!r} with kind {KIND!r}")
    if _nat(_get(obj, "version", str, "file"), "version") != VERSION:
        raise Malformed(f"unsupported version (this checker reads {VERSION})")
    w = _nat(_get(_get(obj, "claim", dict, "file"), "width", str, "claim"), "claim.width")
    data = _get(obj, "dataset", dict, "file")
    xs, ys = _get(data, "x", list, "dataset"), _get(data, "y", list, "dataset")
    fs = data.get("f") or ["0"] * len(xs)
    if not xs or len(ys) != len(xs) or len(fs) != len(xs):
        raise Malformed("dataset: x, y (and f) must be non-empty lists of one length")
    X = [_vec(x, "dataset.x") for x in xs]
    Y, F = [_vec(y, "dataset.y") for y in ys], [_vec(f, "dataset.f") for f in fs]
    if not X[0] or any(len(x) != len(X[0]) for x in X) or any(len(v) != 1 for v in Y + F):
        raise Malformed("dataset: inputs must have one dimension and targets must be scalars")
    used = obj.get("points")
    used = list(range(1, len(X) + 1)) if used is None else [_nat(i, "points") for i in used]
    if not used or len(set(used)) != len(used) or not all(1 <= i <= len(X) for i in used):
        raise Malformed("points: distinct 1-based indices into the dataset")
    ts, zs = line_points([X[i - 1] for i in used], [Y[i - 1][0] - F[i - 1][0] for i in used])
    K = len(ts)
    if K == 1:
        raise Rejected("all used points coincide: a constant network fits")
    say(f"dataset: {len(X)} points, {len(used)} used, {K} distinct on their line; claim: no width-{w} network")
    needs = {}
    for i, lem in enumerate(_get(obj, "lemmas", list, "file")):
        a, q = _nat(_get(lem, "point", str, "lemma"), "lemma.point"), _nat(_get(lem, "needs", str, "lemma"), "needs")
        if not 1 <= a < K or q < 1:
            raise Malformed(f"lemma {i}: point must be in 1..K-1 and needs >= 1")
        later = {b - a + 1: v for b, v in needs.items() if b > a}
        if check_walk(ts[a - 1:], zs[a - 1:], "slope", q - 1, later, _get(lem, "stages", list, "lemma"),
                      f"lemma {i}"):
            raise Rejected(f"lemma {i}: its walk reaches the last point with fewer than {q} kinks")
        needs[a] = max(q, needs.get(a, 0))
        say(f"lemma: the points {a}..{K} need at least {q} interior kinks")
    facts = {"kind": "refutation", "width": w, "K": len(X)}
    if needs.get(1, 0) >= w + 1:
        say(f"every interpolant needs {needs[1]} > {w} interior kinks: cases (A) and (B) are impossible")
        return facts
    orient = _get(obj, "oriented", dict, "file")
    final = check_walk(ts, zs, "oriented", w, needs, _get(orient, "stages", list, "oriented"), "oriented walk")
    lams = _get(orient, "final", list, "oriented")
    if len(lams) != len(final):
        raise Malformed("oriented.final: one multiplier list per final polygon")
    for j, ((k, rows), lam) in enumerate(zip(final, lams)):
        if k < w:
            raise Rejected(f"final polygon {j} is reached with {k} < {w} kinks: case (A) is not refuted")
        premises = rows + [([Q(1), ZERO], ZERO, "=")]
        if not infeasible(premises, _nums(lam, len(premises), f"final {j}")):
            raise Rejected(f"final polygon {j}: not shown to miss alpha = 0 (case (B))")
    say(f"oriented walk: {sum(len(s) for s in orient['stages'])} polygons; no walk ends with alpha = 0")
    return facts


def main(argv=None):
    """``python -m ftcexact.kernel.refutation FILE``: the verifier, expecting a refutation."""
    from .verify import run
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m ftcexact.kernel.refutation REFUTATION", file=sys.stderr)
        return 2
    return run(argv[0], expect=FORMAT)


if __name__ == "__main__":
    sys.exit(main())
