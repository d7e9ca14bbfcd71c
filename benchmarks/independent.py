"""An independent judge of ftcexact certificates, written from docs/certificate.md and docs/search.md only.

The mutation campaign (``benchmarks/mutation_campaign.py``) runs the trusted kernel on mutated documents;
whenever the kernel says ``s VERIFIED``, this module decides whether what the document claims is true.  It
shares no code with the kernel (or with the rest of ftcexact): its own JSON reading, its own number parser,
its own exact evaluation with ``fractions.Fraction``, its own piece counting (vertex lists instead of the
kernel's affine forms), the claim registry re-derived from the tables of docs/certificate.md, a brute-force
least-pieces search over slopes, and z3 (linear real arithmetic, exact) for "no one-hidden-layer network of
width w fits".

:func:`judge` returns ``(True, why)`` when the claims hold, ``(False, why)`` when one is false, and raises
:class:`Unjudged` when this reader cannot interpret a document the kernel accepted (reported by the
campaign as a disagreement to look at, never silently counted as fine).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from fractions import Fraction
from functools import lru_cache

__all__ = ["Unjudged", "judge", "judge_records", "width_feasible", "min_pieces", "count_pieces"]


class Unjudged(Exception):
    """This reader cannot interpret the document (so it cannot say whether the claim holds)."""


class Ambiguous(Unjudged):
    """The document does not have one meaning (a repeated key, NaN): it must never be verified."""


# ---------------------------------------------------------------- reading

def _pairs(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise Ambiguous("repeated key")
    return dict(pairs)


def _constant(name):
    raise Ambiguous(f"{name} in JSON")


def load(text):
    """JSON with number literals kept as text; a repeated key makes the document ambiguous."""
    try:
        return json.loads(text, parse_int=str, parse_float=str, parse_constant=_constant, object_pairs_hook=_pairs)
    except Ambiguous:
        raise
    except (ValueError, RecursionError) as e:
        raise Unjudged(f"not JSON: {e}") from None


_INT_FRAC = re.compile(r"([+-]?)([0-9]+)(?:/([0-9]+))?")
_DEC = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")


def _int(digits):
    """int() of a digit string of any length (CPython refuses more than 4300 digits in one go)."""
    out = 0
    for i in range(0, len(digits), 1000):
        chunk = digits[i:i + 1000]
        out = out * 10 ** len(chunk) + int(chunk)
    return out


def num(text):
    """An exact number from the certificate text forms: integers, p/q, decimals with an exponent."""
    if not isinstance(text, str):
        raise Unjudged(f"not a number: {text!r}")
    t = text.strip()
    m = _INT_FRAC.fullmatch(t)
    if m:
        sign, p, q = m.groups()
        if q is not None and not q.strip("0"):
            raise Unjudged("zero denominator")
        v = Fraction(_int(p), _int(q) if q else 1)
        return -v if sign == "-" else v
    m = _DEC.fullmatch(t)
    if m and (m.group(2) or m.group(3)):
        sign, whole, frac, exp = m.group(1), m.group(2), m.group(3) or "", m.group(4)
        e = int(exp) if exp else 0
        if abs(e) > 10**6:
            raise Unjudged("absurd exponent")
        v = Fraction(_int(whole + frac or "0")) * Fraction(10) ** (e - len(frac))
        return -v if sign == "-" else v
    raise Unjudged(f"not a number: {text[:30]!r}")


def nat(v):
    """A non-negative integer field (claims are JSON integers, read as text)."""
    if isinstance(v, str) and re.fullmatch(r"[0-9]+", v):
        return int(v)
    raise Unjudged(f"not a natural number: {str(v)[:30]!r}")


def vec(v, length=None):
    items = v if isinstance(v, list) else [v]
    out = [num(a) for a in items]
    if length is not None and len(out) != length:
        raise Unjudged("wrong length")
    return out


# ---------------------------------------------------------------- datasets

def _rows(xs):
    return [vec(x) for x in xs]


def read_dataset(spec, base):
    """``(X, Y, F)``: points, labels (None = keep f's value) and f-values (None if absent)."""
    if not isinstance(spec, dict):
        raise Unjudged("dataset is not an object")
    classes = spec.get("classes")
    if "path" in spec:
        path = os.path.join(base, spec["path"])
        with open(path, "rb") as fh:
            data = fh.read()
        if hashlib.sha256(data).hexdigest() != str(spec.get("sha256", "")).lower():
            raise Unjudged("sha256 differs")  # the kernel would have said NOT VERIFIED
        if data[:2] == b"PK":
            X, Y, F = _npz(path, classes)
            return X, Y, F, classes is not None
        spec = load(data.decode("utf-8"))
        if not isinstance(spec, dict):
            raise Unjudged("dataset file is not an object")
    X = _rows(spec["x"])
    if classes is not None:
        C = nat(classes)
        Y = [None if v == "-1" else _onehot(nat(v), C) for v in spec["y"]]
    else:
        Y = [None if v is None else vec(v) for v in spec["y"]]
    F = None if spec.get("f") is None else [vec(v) for v in spec["f"]]
    return X, Y, F, classes is not None


def _onehot(label, C):
    if not 0 <= label < C:
        raise Unjudged("class out of range")
    return [Fraction(int(j == label)) for j in range(C)]


def _npz(path, classes):
    import numpy as np
    with np.load(path, allow_pickle=False) as z:
        x, y = z["x"], z["y"]
        f = z["f"] if "f" in z.files else None

    def exact(a):
        a = a.reshape(a.shape[0], -1)
        return [[Fraction(float(v)) if a.dtype.kind == "f" else Fraction(int(v)) for v in row] for row in a]
    X = exact(x)
    if classes is not None:
        C = nat(str(classes))
        Y = [None if int(v) == -1 else _onehot(int(v), C) for v in y.reshape(-1)]
    else:
        Y = [None if any(math.isnan(float(v)) for v in row) else [Fraction(float(v)) for v in row]
             for row in y.reshape(y.shape[0], -1)] if y.dtype.kind == "f" else exact(y)
    F = exact(f) if f is not None else None
    return X, Y, F


# ---------------------------------------------------------------- networks

class Network:
    def __init__(self, obj, d):
        if isinstance(obj, list):
            obj = {"layers": obj}
        kind = obj.get("kind", "feedforward")
        act = obj.get("activation", "relu")
        if act == "relu":
            self.slopes = (Fraction(0), Fraction(1))
        else:
            m = re.fullmatch(r"leaky:(.*):(.*)", act if isinstance(act, str) else "")
            if not m:
                raise Unjudged("activation")
            self.slopes = (num(m.group(1)), num(m.group(2)))
        self.kind = kind
        if kind == "feedforward":
            self.layers, width = [], d
            for layer in obj["layers"]:
                W = [vec(r, width) for r in layer["W"]]
                b = vec(layer["b"], len(W))
                self.layers.append((W, b))
                width = len(W)
            self.widths = [len(b) for _, b in self.layers[:-1]]
            self.depth = len(self.layers)
            self.out = len(self.layers[-1][1])
        elif kind == "resnet":
            self.blocks = []
            for blk in obj["blocks"] + [obj["head"]]:
                U = [vec(r, d) for r in blk["U"]]
                b = vec(blk["b"], len(U))
                V = [vec(r, len(U)) for r in blk["V"]]
                c = vec(blk["c"], len(V))
                self.blocks.append((U, b, V, c))
            if any(len(V) != d for _, _, V, _ in self.blocks[:-1]):
                raise Unjudged("a residual block must map back")
            self.widths = [len(U) for U, _, _, _ in self.blocks]
            self.depth = len(self.blocks) + 1
            self.out = len(self.blocks[-1][3])
        else:
            raise Unjudged("kind")
        self.neurons = sum(self.widths)

    def act(self, v):
        return v * (self.slopes[1] if v > 0 else self.slopes[0])

    def __call__(self, x):
        h = list(x)
        if self.kind == "feedforward":
            for l, (W, b) in enumerate(self.layers):
                h = [sum((w * v for w, v in zip(row, h)), Fraction(0)) + c for row, c in zip(W, b)]
                if l < len(self.layers) - 1:
                    h = [self.act(v) for v in h]
            return h
        for l, (U, b, V, c) in enumerate(self.blocks):
            a = [self.act(sum((u * v for u, v in zip(row, h)), Fraction(0)) + bi) for row, bi in zip(U, b)]
            r = [sum((w * v for w, v in zip(row, a)), Fraction(0)) + ci for row, ci in zip(V, c)]
            h = r if l == len(self.blocks) - 1 else [p + q for p, q in zip(h, r)]
        return h


# ---------------------------------------------------------------- the claim registry, re-derived

def _isqrt_le(m, c, n):  # m <= c sqrt(n)
    return m <= 0 or m * m <= c * c * n


def _ceil_sqrt(n):
    r = math.isqrt(n)
    return r if r * r == n else r + 1


def _u1(K):
    return min(2 * R + 2 * -(-K // R) for R in range(1, K + 1)) if K else 0


def _ysj_R(K):
    """R of the smallest YSJ layout (R windows, P per window, R P >= K), ties: max(2R, 2P), then R."""
    return min(((2 * -(-K // P) + 2 * P, max(2 * -(-K // P), 2 * P), -(-K // P)) for P in range(1, K + 2)))[2]


def upper_bound_ok(statement, K, N, m, widths, depth, kind, slopes, big, onehot, dy, runs):
    """Does the statement hold for g on this instance (docs/certificate.md, the claim registry)?"""
    relu = slopes == (0, 1)
    relu_like = relu or slopes[1] > slopes[0] >= 0
    ysj = statement.startswith("ysj_")
    if kind != "feedforward" or not (relu_like if ysj else relu):
        return False
    one = depth == 2
    two = depth == 3
    if statement == "ftc_thm_4_1_upper":
        return one and m <= max(0, min(3 * N + 1, K - 1))
    if statement == "ftc_thm_4_4":
        if runs is None:
            return False
        Kd, blocks = runs
        return one and m <= max(0, Kd - 1 - sum(max(r - 2, 0) for r in blocks))
    if statement == "ftc_lemma_4_5":
        return one and m <= max(0, K - 1)
    if statement == "ftcexact_two_layer_oriented":
        if K >= 2 * N + 2 and K >= 3:
            return one and m <= min(3 * N, K - 2)
        return upper_bound_ok("ftc_thm_4_1_upper", K, N, m, widths, depth, kind, slopes, big, onehot, dy, runs)
    if statement == "ftcexact_two_layer_tight":  # K - 2 for scalar labels only (two-layer-capacity.md §6)
        if K >= 5 and dy == 1:
            return one and m <= min(3 * N, K - 2)
        return upper_bound_ok("ftcexact_two_layer_oriented", K, N, m, widths, depth, kind, slopes, big, onehot, dy,
                              runs)
    if statement == "ftc_thm_5_1_upper":
        return two and _isqrt_le(m, 4, K) and _isqrt_le(m - 3 * N, 2, K) and _isqrt_le(m, 6, 3 * N + 2)
    u1, u2 = _u1(K), (2 * _ysj_R(K) + 3 * N if K else 0)
    u3 = 6 * _ceil_sqrt(min(3 * N + 2, K)) if N else 0
    integer = {"ftc_thm_5_1_upper_integer": min(u1, u2, u3, 4 * N + 4) if N else 0,
               "ftc_u1_integer": u1 if N else 0, "ftc_u2_integer": u2 if N else 0, "ftc_u3_integer": u3,
               "ftc_app_a": 4 * N + 4 if N else 0,
               "ftcexact_u3_t": min((2 * R + 4 * -(-N // R) for R in range(1, N + 1)), default=0),
               "ftcexact_tents": 2 * N + 1 if N else 0}
    if statement in integer:
        return two and m <= integer[statement]
    if statement in ("ftc_prop_6_1", "ftc_prop_6_1_proof"):
        if depth < 4:
            return False
        P, w = (depth - 1) // 2, max(widths, default=0)
        r = Fraction(w - 2, 4)
        if r <= 0:
            return True
        if statement == "ftc_prop_6_1":
            lhs = r * r - 5
            ok_a = lhs <= 0 or lhs * lhs * P <= 9 * N * N
        else:
            ok_a = r * r <= Fraction(3 * N, P) + 5
        return ok_a and r * r <= K
    if statement == "ysj_thm_3_1":
        d1, d2 = (widths + [0, 0])[:2]
        return two and big <= 1 and d1 * d2 >= 4 * K * dy
    if statement == "ysj_prop_3_2":
        d1, d2, d3 = (widths + [0, 0, 0])[:3]
        return depth == 4 and onehot and d1 * d2 >= 4 * K and d3 >= 4 * dy
    return False  # not a registered statement: nothing can be claimed


def P(d1, d2):
    """Most pieces on a line of hidden widths (d1, d2) (docs/theorems/three-layer-pieces.md)."""
    if d1 == 0 or d2 == 0:
        return 1
    if d1 <= 2:
        return d1 * (d2 + 1) + 1
    if d2 == 1:
        return d1 + 2 + (d1 + 1) // 2
    return (d1 + 1) * (d2 + 1)


def most_pieces(arch, m):
    if arch == "two-layer":
        return m + 1
    splits = [(a, m - a) for a in range(m + 1)]
    if arch == "three-layer":
        return max(P(a, b) for a, b in splits)
    if arch == "three-layer-product":
        return max((a + 1) * (b + 1) if a and b else 1 for a, b in splits)
    if arch == "three-layer-ysj":
        return max(2 * a * b + b + 1 for a, b in splits)
    raise Unjudged("architecture")


def promised_lower(statement, arch, N, K):
    q = max(0, min(3 * N, K - 2))
    if statement == "ftc_thm_4_1_lower":
        return q if arch == "two-layer" else None
    if statement == "ftc_thm_5_1_lower":
        if arch == "two-layer":
            return None
        return next(m for m in range(K + 2) if m * (m + 1) >= 2 * q)
    if statement == "ysj_thm_3_3":
        if arch == "two-layer":
            return K - 2
        return next(m for m in range(K + 2) if most_pieces("three-layer-ysj", m) >= K - 1)
    return None


# ---------------------------------------------------------------- pieces: brute force and vertex lists

def min_pieces(ts, vs):
    """Fewest affine pieces of a continuous interpolant, by trying slopes that realise every order
    against the secants (a gap costs 0, 1 or 2 breakpoints; a point 1 if its slopes differ)."""
    s = [(vs[i + 1] - vs[i]) / (ts[i + 1] - ts[i]) for i in range(len(ts) - 1)]
    if not s:
        return 1
    lv = sorted(set(s))
    cands = lv + [(a + b) / 2 for a, b in zip(lv, lv[1:])] + [lv[0] - 1, lv[-1] + 1]

    def gap(a, b, si):
        if a == b == si:
            return 0
        return 1 if min(a, b) < si < max(a, b) else 2
    best = {c: 0 for c in cands}
    for i, si in enumerate(s):
        arrive = {b: min(best[a] + gap(a, b, si) for a in cands) for b in cands}
        if i == len(s) - 1:
            return 1 + min(arrive.values())
        best = {c: min(arrive[b] + (b != c) for b in cands) for c in cands}


class PL:
    """A continuous piecewise-linear function of t: vertices (t, value), slopes left and right of them."""

    def __init__(self, ts, vals, left, right):
        self.ts, self.vals, self.left, self.right = ts, vals, left, right

    @staticmethod
    def affine(a, c):
        return PL([Fraction(0)], [c], a, a)

    def at(self, t):
        if t <= self.ts[0]:
            return self.vals[0] + self.left * (t - self.ts[0])
        if t >= self.ts[-1]:
            return self.vals[-1] + self.right * (t - self.ts[-1])
        for (t0, v0), (t1, v1) in zip(zip(self.ts, self.vals), zip(self.ts[1:], self.vals[1:])):
            if t0 <= t <= t1:
                return v0 + (v1 - v0) * (t - t0) / (t1 - t0)


def combine(fs, ws, c):
    """sum_j ws[j] fs[j] + c."""
    ts = sorted({t for f in fs for t in f.ts} or {Fraction(0)})
    vals = [sum((w * f.at(t) for f, w in zip(fs, ws)), Fraction(0)) + c for t in ts]
    return PL(ts, vals, sum((w * f.left for f, w in zip(fs, ws)), Fraction(0)),
              sum((w * f.right for f, w in zip(fs, ws)), Fraction(0)))


def activate(f, slopes):
    """s(f(t)): add the zeros of f (between vertices and beyond the ends), then scale each side."""
    lo, hi = slopes
    ts, vals = list(f.ts), list(f.vals)
    extra = []
    for (t0, v0), (t1, v1) in zip(zip(ts, vals), zip(ts[1:], vals[1:])):
        if (v0 < 0 < v1) or (v1 < 0 < v0):
            extra.append(t0 - v0 * (t1 - t0) / (v1 - v0))
    if f.left and -vals[0] / f.left < 0:
        extra.append(ts[0] - vals[0] / f.left)
    if f.right and -vals[-1] / f.right > 0:
        extra.append(ts[-1] - vals[-1] / f.right)
    new_ts = sorted(set(ts) | set(extra))
    new_vals = [f.at(t) for t in new_ts]

    def side(v, slope_sign_value):
        return v * (hi if slope_sign_value > 0 else lo)
    left_val = new_vals[0] - f.left  # the value one unit left of the first vertex (no zero beyond it)
    right_val = new_vals[-1] + f.right
    return PL(new_ts, [side(v, v) for v in new_vals],
              f.left * (hi if left_val > 0 or (left_val == 0 and new_vals[0] > 0) else lo),
              f.right * (hi if right_val > 0 or (right_val == 0 and new_vals[-1] > 0) else lo))


def restrict(net, point, direction):
    """The network's (single) output along t -> point + t direction, as a PL function."""
    W, b = net.layers[0]
    h = [PL.affine(sum((w * u for w, u in zip(row, direction)), Fraction(0)),
                   sum((w * p for w, p in zip(row, point)), Fraction(0)) + c) for row, c in zip(W, b)]
    for W, b in net.layers[1:]:
        h = [activate(f, net.slopes) for f in h]
        h = [combine(h, row, c) for row, c in zip(W, b)]
    return h[0]


def count_pieces(f):
    slopes = [f.left] + [(v1 - v0) / (t1 - t0) for t0, v0, t1, v1 in zip(f.ts, f.vals, f.ts[1:], f.vals[1:])] \
        + [f.right]
    return 1 + sum(1 for a, b in zip(slopes, slopes[1:]) if a != b)


# ---------------------------------------------------------------- z3: does a width-w network fit?

@lru_cache(maxsize=4096)
def width_feasible(ts, zs, w):
    """Is there c0 + sum_k c_k relu(a_k t + b_k) (k < w) through the points (t_i, z_i)?  Exact, by z3:
    a_k = +-1 (scaling), b_k = e_k / c_k with c_k != 0, so every product c_k relu(.) is linear once the
    activation pattern (Booleans, monotone in t for each orientation) is chosen by the solver."""
    import z3
    pts = {}
    for t, z in zip(ts, zs):
        if pts.setdefault(t, z) != z:
            return False
    import sys
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)  # z3 takes numbers as text; the kernel has run already (restored below)
    try:
        return _width_feasible(pts, w)
    finally:
        sys.set_int_max_str_digits(limit)


def _width_feasible(pts, w):
    import z3
    order = sorted(pts)
    s = z3.Solver()
    s.set("timeout", 120_000)
    c0 = z3.Real("c0")
    total = [c0 for _ in order]
    for k in range(w):
        o, pos = z3.Bool(f"o{k}"), z3.Bool(f"s{k}")
        c, e = z3.Real(f"c{k}"), z3.Real(f"e{k}")
        s.add(z3.If(pos, c > 0, c < 0))
        acts = [z3.Bool(f"a{k}_{i}") for i in range(len(order))]
        for i, t in enumerate(order):
            tq = z3.RealVal(str(t))
            lin = z3.If(o, c * tq, -c * tq) + e  # c_k (a_k t + b_k)
            s.add(acts[i] == z3.If(pos, lin > 0, lin < 0))
            total[i] = total[i] + z3.If(acts[i], lin, z3.RealVal(0))
    for i, t in enumerate(order):
        s.add(total[i] == z3.RealVal(str(pts[t])))
    r = s.check()
    if r == z3.unknown:
        raise Unjudged("z3 gave up")
    return r == z3.sat


def line_params(X):
    """Parameters t_i of collinear points (None if they are not on one line)."""
    p = X[0]
    u = next(([a - b for a, b in zip(x, p)] for x in X if x != p), None)
    if u is None:
        return [Fraction(0)] * len(X)
    uu = sum(v * v for v in u)
    ts = []
    for x in X:
        t = sum((a - b) * v for a, b, v in zip(x, p, u)) / uu
        if any(a != b + t * v for a, b, v in zip(x, p, u)):
            return None
        ts.append(t)
    return ts


# ---------------------------------------------------------------- judging documents

def _targets(cert, base):
    X, Y, F, onehot_labels = read_dataset(cert["dataset"], base)
    if len(Y) != len(X) or (F is not None and len(F) != len(X)) or not X:
        raise Unjudged("lengths")
    f_net = None
    if cert.get("frozen") is not None:
        spec = cert["frozen"]
        path = os.path.join(base, spec["path"])
        with open(path, "rb") as fh:
            data = fh.read()
        if hashlib.sha256(data).hexdigest() != str(spec["sha256"]).lower():
            raise Unjudged("frozen sha256 differs")
        doc = load(data.decode("utf-8"))
        f_net = Network({k: v for k, v in doc.items() if k in ("kind", "activation", "layers", "blocks", "head")},
                        len(X[0]))
        src = spec.get("source")
        if src is not None:
            with open(os.path.join(base, src["path"]), "rb") as fh:
                if hashlib.sha256(fh.read()).hexdigest() != str(src["sha256"]).lower():
                    raise Unjudged("source sha256 differs")
    Z = []
    for i, (x, y) in enumerate(zip(X, Y)):
        if y is None:
            if f_net is None:
                raise Unjudged("keep marker without a frozen network")
            Z.append(None)
        elif f_net is not None:
            Z.append([a - b for a, b in zip(y, f_net(x))])
        else:
            Z.append([a - b for a, b in zip(y, F[i])] if F is not None else list(y))
    return X, Z, onehot_labels


def judge_fine_tuning(cert, base):
    X, Z, _ = _targets(cert, base)
    d = len(X[0])
    if any(len(x) != d for x in X):
        raise Unjudged("ragged inputs")
    g = Network(cert["network"], d)
    dy = g.out
    claim = cert["claim"]
    T = []
    for i, (x, z) in enumerate(zip(X, Z)):
        gz = g(x)
        want = [Fraction(0)] * dy if z is None else z
        if len(want) != dy:
            return False, f"point {i + 1}: {len(want)} labels, {dy} outputs"
        if gz != want:
            return False, f"g(x_{i + 1}) differs from z_{i + 1}"
        if any(want):
            T.append(i + 1)
    if (nat(claim["K"]), nat(claim["d"]), nat(claim["N"]), nat(claim["neurons"])) != (len(X), d, len(T), g.neurons):
        return False, "claim.K/d/N/neurons differ"
    if "T" in cert and [nat(str(v)) if not isinstance(v, int) else v for v in cert["T"]] != T:
        return False, "T differs"
    st = claim.get("statement")
    if st is None:
        return True, "fits"
    big = max((abs(v) for z in Z for v in (z or [])), default=Fraction(0))
    onehot = all(z is not None and sorted(z) == [0] * (len(z) - 1) + [1] for z in Z)
    runs = None
    if g.kind == "feedforward" and g.depth >= 2:
        W = g.layers[0][0]
        w = next((row for row in W if any(row)), None)
        if w is not None and all(_parallel(row, w) for row in W):
            proj = sorted({(sum(a * v for a, v in zip(w, x)), bool(z is not None and any(z))) for x, z in zip(X, Z)})
            if len({p for p, _ in proj}) == len(proj):
                blocks, run = [], 0
                for _, changed in proj:
                    if changed and run:
                        blocks.append(run)
                    run = 0 if changed else run + 1
                runs = (len(proj), blocks + ([run] if run else []))
    ok = upper_bound_ok(st, len(X), len(T), g.neurons, g.widths, g.depth, g.kind, g.slopes, big, onehot, dy, runs)
    return ok, f"statement {st}: {'holds' if ok else 'fails'}"


def _parallel(row, w):
    j = next(j for j, v in enumerate(w) if v)
    alpha = row[j] / w[j]
    return all(r == alpha * v for r, v in zip(row, w))


def judge_lower_bound(cert, base):
    X, Z, _ = _targets(cert, base)
    if any(z is None for z in Z) or any(len(x) != 1 or len(z) != 1 for x, z in zip(X, Z)):
        raise Unjudged("not scalar")
    pts = {}
    for x, z in zip(X, Z):
        if pts.setdefault(x[0], z[0]) != z[0]:
            return False, "two targets at one input: nothing fits, yet a bound was verified"
    ts = sorted(pts)
    p = min_pieces(ts, [pts[t] for t in ts])
    claim = cert["claim"]
    arch, B = claim["architecture"], nat(claim["bound"])
    N = sum(1 for t in ts if pts[t])
    if (nat(claim["K"]), nat(claim["N"]), nat(claim["min_pieces"])) != (len(X), N, p):
        return False, "claim.K/N/min_pieces differ"
    if B and most_pieces(arch, B - 1) >= p:
        return False, f"{B - 1} neurons of {arch} can make {most_pieces(arch, B - 1)} >= {p} pieces"
    st = claim.get("statement")
    if st is not None:
        promised = promised_lower(st, arch, N, len(X))
        if promised is None or B < promised:
            return False, f"statement {st} promises {promised}"
    return True, f"every {arch} network fitting needs >= {B} neurons ({p} pieces)"


def judge_piece_count(cert, base):
    line = cert.get("line")
    d = 1 if line is None else len(line["point"])
    net = Network(cert["network"], d)
    if net.kind != "feedforward" or net.depth < 2 or net.out != 1:
        raise Unjudged("not a feed-forward one-output network")
    point, direction = ([Fraction(0)], [Fraction(1)]) if line is None else (vec(line["point"], d),
                                                                            vec(line["direction"], d))
    if not any(direction):
        raise Unjudged("zero direction")
    n = count_pieces(restrict(net, point, direction))
    claim = cert["claim"]
    if nat(claim["pieces"]) != n:
        return False, f"{n} pieces, claimed {claim['pieces']}"
    st = claim.get("statement")
    if st is not None:
        if st != "ftcexact_three_layer_pieces" or len(net.widths) != 2 or P(*net.widths) != n:
            return False, "statement"
    return True, f"{n} pieces"


def judge_refutation(doc):
    w = nat(doc["claim"]["width"])
    data = doc["dataset"]
    X = [vec(x) for x in data["x"]]
    Y = [vec(y) for y in data["y"]]
    F = [vec(f) for f in data["f"]] if data.get("f") else [[Fraction(0)]] * len(X)
    used = doc.get("points")
    idx = list(range(len(X))) if used is None else [nat(i) - 1 for i in used]
    Xu, Zu = [X[i] for i in idx], [Y[i][0] - F[i][0] for i in idx]
    ts = line_params(Xu)
    if ts is None:
        raise Unjudged("not collinear")
    feasible = width_feasible(tuple(ts), tuple(Zu), w)
    return not feasible, f"width {w} {'fits' if feasible else 'does not fit'} (z3)"


def judge(text, base):
    """Judge one document the kernel verified: ``(claims hold, why)``."""
    doc = load(text)
    try:
        if doc.get("format") == "ftcexact-refutation":
            return judge_refutation(doc)
        if doc.get("format") != "ftcexact-certificate" or nat(doc.get("version")) != 2:
            raise Unjudged("format")
        return {"fine-tuning": judge_fine_tuning, "lower-bound": judge_lower_bound,
                "piece-count": judge_piece_count}[doc["kind"]](doc, base)
    except (KeyError, TypeError, AttributeError, IndexError, ZeroDivisionError) as e:
        raise Unjudged(f"{type(e).__name__}: {e}") from None


def judge_records(text, base):
    """Judge a search results file the kernel verified: every record's claims."""
    lines = text.split("\n")
    if lines[-1] != "":
        return False, "incomplete last line"
    for n, line in enumerate(lines[:-1], 1):
        rec = load(line)
        try:
            ok, why = _judge_record(rec, base)
        except (KeyError, TypeError, AttributeError, IndexError, ZeroDivisionError) as e:
            raise Unjudged(f"line {n}: {type(e).__name__}: {e}") from None
        if not ok:
            return False, f"line {n}: {why}"
    return True, "all records hold"


def _judge_record(rec, base):
    cert = rec["certificate"]
    if cert.get("dataset") != rec.get("dataset"):
        return False, "certificate about another dataset"
    text = json.dumps(cert)
    ok, why = judge(text, base)
    if not ok:
        return False, "certificate: " + why
    X, Z, onehot = _targets(cert, base)
    N, K = sum(1 for z in Z if z and any(z)), len(X)
    if (nat(rec["N"]), nat(rec["K"])) != (N, K):
        return False, "N, K"
    q = max(0, min(3 * N, K - 2))
    arch = rec.get("arch")
    lower = q if arch != "three-layer" else next(m for m in range(K + 1) if m * (m + 1) >= 2 * q)
    quoted = {"paper_lower": lower, "paper_upper": max(0, min(3 * N + 1, K - 1)),
              "max_min_pieces": min(3 * N + 1, K - 1) if K >= 2 else 1}
    for key, value in quoted.items():
        if key in rec and nat(rec[key]) != value:
            return False, key
    if arch == "three-layer":
        return (cert["kind"] == "lower-bound" and cert["claim"]["architecture"] == "three-layer"
                and nat(cert["claim"]["bound"]) == nat(rec["lower_bound"])
                and nat(rec["min_pieces"]) == nat(cert["claim"]["min_pieces"])), "three-layer record"
    if arch != "two-layer" or cert["kind"] != "fine-tuning" or cert.get("frozen") is not None or onehot:
        return False, "two-layer record needs a fine-tuning certificate of its own targets"
    g = Network(cert["network"], len(X[0]))
    exact = "min_width" in rec
    m = nat(rec["min_width"] if exact else rec["width_upper"])
    if g.depth != 2 or g.neurons > m:
        return False, "width"
    if "pieces" in rec:
        pts = {x[0]: z[0] for x, z in zip(X, Z)}
        ts = sorted(pts)
        if len(X[0]) != 1 or nat(rec["pieces"]) != min_pieces(ts, [pts[t] for t in ts]):
            return False, "pieces"
    if exact and m > 0:
        ts = line_params(X)
        if ts is None:
            raise Unjudged("not collinear")
        if width_feasible(tuple(ts), tuple(z[0] for z in Z), m - 1):
            return False, f"width {m - 1} fits: min_width {m} is false"
    return True, "record holds"
