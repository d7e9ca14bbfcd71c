"""Vector targets z_i in Q^{d_y}: every construction certifies, the trusted verifier accepts, the counts are exact.

The expected counts are recomputed here from their definitions (layouts by brute force), independently of
the constructions and of the claim registry, and compared with both.
"""

import io
import json
import os
import random
import tempfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftcexact.analysis.partitions import kept_indices
from ftcexact.certificate import file_reference, write_json_atomic
from ftcexact.constructions import STATEMENT, certify
from ftcexact.constructions.three_layer import three_layer_best
from ftcexact.constructions.two_layer_tight import tight_fit
from ftcexact.dataset import Dataset, dataset_to_json, with_frozen
from ftcexact.kernel import verify
from ftcexact.kernel.claims import STATEMENTS, Instance, statement_checks
from ftcexact.kernel.numbers import Q, parse_rational
from ftcexact.models import save_model
from ftcexact.network import Network, evaluate

from ..strategies import datasets, small

ZERO = Q(0)
THREE = ["three-layer-u1", "three-layer-u2", "three-layer-u3", "three-layer-4n4", "three-layer-u3-t",
         "three-layer-best"]
TWO = ["two-layer", "two-layer-all", "two-layer-oriented", "two-layer-tight"]


# ---------------------------------------------------------------- expected counts, from the definitions

def layout(n, first, second):
    """min first R + second P over R P >= n (brute force)."""
    return 0 if n <= 0 else min(first * R + second * P for R in range(1, n + 1) for P in range(1, n + 1) if R * P >= n)


def ceil_sqrt(n):
    return next(c for c in range(n + 1) if c * c >= n)


def u1_windows(K):  # the R of the scalar [YSJ] layout (ties: smaller max width, then fewer windows)
    best = min((2 * R + 2 * P, max(2 * R, 2 * P), R) for R in range(1, K + 1) for P in range(1, K + 2)
               if R * P >= K and R == -(-K // P))
    return best[2]


def sorted_targets(ds):
    """Targets in the order of the default projection, and T as sorted positions (1-based)."""
    from ftcexact.constructions.ysj import prepare
    _, ts, zs, _ = prepare(ds)
    return zs, [p + 1 for p, z in enumerate(zs) if any(z)]


def expected(ds, name):
    """(recipe bound, exact count of what is built) for the three-layer constructions, d_y outputs."""
    K, N, dy = ds.K, ds.N, ds.dy
    zs, Tpos = sorted_targets(ds)
    active = sum(1 for j in range(dy) if any(z[j] for z in zs))
    if N == 0:
        return 0, 0
    if name == "three-layer-u1":
        b = layout(K, 2, 2 * dy)
        return b, b
    if name == "three-layer-u2":
        b = 2 * u1_windows(K) + 3 * N
        return b, b
    if name == "three-layer-u3":
        J = len(kept_indices(K, Tpos))
        return (2 + 4 * dy) * ceil_sqrt(J), layout(J, 2, 4 * active)
    if name == "three-layer-u3-t":
        return layout(N, 2, 4 * dy), layout(N, 2, 4 * active)
    if name == "three-layer-4n4":
        from ftcexact.constructions.three_layer import appendix_a_groups
        groups, virtual = appendix_a_groups(K, Tpos)
        windows = sum(1 for _, _, p in groups if p) + len(virtual)
        return 4 * N + 2 + 2 * dy, 2 * windows + 2 * active
    raise KeyError(name)


def registry_formula(ds, name):
    """The generalised registry bound of each three-layer statement, written out from docs/certificate.md."""
    K, N, dy = ds.K, ds.N, ds.dy
    if N == 0:
        return 0
    return {"three-layer-u1": layout(K, 2, 2 * dy), "three-layer-u2": 2 * u1_windows(K) + 3 * N,
            "three-layer-u3": (2 + 4 * dy) * ceil_sqrt(min(3 * N + 2, K)), "three-layer-4n4": 4 * N + 2 + 2 * dy,
            "three-layer-u3-t": layout(N, 2, 4 * dy)}[name]


def registry_accepts(statement, ds, widths, depth=3):
    """Whether the registry accepts a network of these widths for this instance."""
    inst = Instance(ds.K, ds.N, ds.d, ds.dy, widths, depth, "feedforward", ZERO, False, lambda: ([], ds.K))
    return all(ok for ok, _, _ in statement_checks(statement, inst))


# ---------------------------------------------------------------- datasets

def rational(rng, nonzero=False, den=8, mag=4):
    while True:
        q = rng.randint(1, den)
        v = Q(rng.randint(-mag * q, mag * q), q)
        if v or not nonzero:
            return v


def points(rng, K, d):
    xs = set()
    while len(xs) < K:
        xs.add(tuple(rational(rng) for _ in range(d)))
    return sorted(xs, key=lambda _: rng.random())


def vector_dataset(seed, K, N, d, dy, kind="general", with_f=False):
    """Random vector-label data: ``general`` rationals, ``onehot`` (a one-hot patch, z = e_new - e_old),
    ``sparse`` (some coordinates 0 everywhere), ``repeated`` (few distinct target vectors)."""
    rng = random.Random(seed)
    xs = points(rng, K, d)
    T = set(rng.sample(range(K), N))
    pool = [tuple(rational(rng, True) for _ in range(dy)) for _ in range(2)]
    dead = set(rng.sample(range(dy), dy // 2)) if kind == "sparse" else set()
    z = []
    for i in range(K):
        if i not in T:
            z.append((ZERO,) * dy)
        elif kind == "onehot":
            old, new = rng.sample(range(dy), 2)
            z.append(tuple(Q(1) if j == new else (Q(-1) if j == old else ZERO) for j in range(dy)))
        elif kind == "repeated":
            z.append(rng.choice(pool))
        else:
            while True:
                v = tuple(ZERO if j in dead else rational(rng) for j in range(dy))
                if any(v):
                    break
            z.append(v)
    if not with_f:
        return Dataset(tuple(xs), tuple(z))
    f = [tuple(rational(rng) for _ in range(dy)) for _ in range(K)]
    return Dataset(tuple(xs), tuple(tuple(a + b for a, b in zip(u, v)) for u, v in zip(z, f)), tuple(f))


def check(cert, path=None):
    out = io.StringIO()
    code = verify.run(path or "cert.json", out=out, err=io.StringIO(), doc=None if path else cert)
    assert code == 0, out.getvalue()
    return out.getvalue()


def certified(ds, name, **options):
    """Certify, verify in memory, check the count is the network's and no neuron is dead; return the cert."""
    cert = certify(ds, name, **options)
    text = check(cert)
    layers = cert["network"]
    widths = [len(layer["b"]) for layer in layers[:-1]]
    assert cert["claim"]["neurons"] == sum(widths) <= cert["hints"]["recipe_neurons"]
    for l in range(1, len(layers)):
        for k in range(widths[l - 1]):
            assert any(parse_rational(row[k]) for row in layers[l]["W"]), f"{name}: dead neuron"
    return cert, text


CASES = [(seed, K, N, d, dy, kind, with_f)
         for seed, (K, N, d, dy, kind, with_f) in enumerate([
             (12, 3, 2, 2, "general", False), (20, 7, 3, 3, "onehot", True), (30, 10, 2, 10, "onehot", False),
             (25, 25, 1, 4, "general", True), (40, 2, 5, 6, "sparse", False), (16, 9, 2, 5, "repeated", True),
             (9, 4, 3, 7, "general", False), (60, 20, 4, 2, "general", True), (35, 30, 2, 3, "onehot", False),
             (7, 1, 1, 9, "sparse", True)])]


@pytest.mark.parametrize("seed,K,N,d,dy,kind,with_f", CASES)
def test_three_layer_vector_counts(seed, K, N, d, dy, kind, with_f):
    ds = vector_dataset(seed, K, N, d, dy, kind, with_f)
    for name in THREE[:-1]:
        cert, text = certified(ds, name)
        bound, built = expected(ds, name)
        assert cert["hints"]["recipe_neurons"] == bound, name
        assert cert["claim"]["neurons"] <= built, name
        if kind == "general":
            # with general targets pruning removes at most the middle window, which no unit reads when there
            # is nothing to clear (lambda = 0: one slot per group; docs/constructions.md item 11)
            assert cert["claim"]["neurons"] in (built, built - 2), name
        statement = STATEMENT[name] if name != "three-layer-4n4" else "ftcexact_app_a_vector"
        assert cert["claim"]["statement"] == statement and f"statement {statement} holds" in text
        # the registry recomputes exactly its formula (bound passes, bound + 1 fails), at least the recipe's
        reg = registry_formula(ds, name)
        assert bound <= reg and registry_accepts(statement, ds, [reg, 0])
        assert not registry_accepts(statement, ds, [reg + 1, 0])


@pytest.mark.parametrize("seed,K,N,d,dy,kind,with_f", CASES[:6])
def test_best_picks_the_smallest(seed, K, N, d, dy, kind, with_f):
    ds = vector_dataset(seed, K, N, d, dy, kind, with_f)
    net, info = three_layer_best(ds)
    counts = {k: v for k, v in info["candidates"].items()}
    assert all(isinstance(v, int) for v in counts.values()), counts  # nobody refuses vector labels any more
    assert net.neurons == min(counts.values()) and counts[info["chosen"]] == net.neurons
    cert, text = certified(ds, "three-layer-best")
    assert cert["claim"]["statement"] == "ftc_thm_5_1_upper_integer"
    # the printed Theorem 5.1 is about scalar labels: never claimed for d_y > 1
    inst = Instance(ds.K, ds.N, ds.d, ds.dy, [1, 1], 3, "feedforward", ZERO, False, None)
    assert not all(ok for ok, _, _ in statement_checks("ftc_thm_5_1_upper", inst))


@pytest.mark.parametrize("seed,K,N,d,dy,kind,with_f", CASES[:5])
@pytest.mark.parametrize("layers", [4, 7])
def test_deep_vector(seed, K, N, d, dy, kind, with_f, layers):
    ds = vector_dataset(seed, K, N, d, dy, kind, with_f)
    cert, text = certified(ds, "deep", layers=layers)
    assert len(cert["network"]) == (layers if N else 1)
    assert "statement" not in cert["claim"]  # Proposition 6.1 as printed is about d_y = 1
    assert "scalar labels" in cert["hints"]["statement_not_claimed"]
    blocks = cert["hints"].get("blocks", [])
    assert cert["hints"]["paper_bounds"]["carry neurons"] == 2 * (len(blocks) - 1) + dy * (layers - 3) or not N


@pytest.mark.parametrize("seed,K,N,d,dy,kind,with_f", CASES)
def test_two_layer_vector(seed, K, N, d, dy, kind, with_f):
    ds = vector_dataset(seed, K, N, d, dy, kind, with_f)
    counts = {}
    for name in TWO:
        cert, text = certified(ds, name)
        assert f"statement {STATEMENT[name]} holds" in text
        counts[name] = cert["claim"]["neurons"]
    assert counts["two-layer-tight"] <= counts["two-layer-oriented"] <= counts["two-layer"] <= counts["two-layer-all"]
    if K >= 2 * N + 2:
        assert counts["two-layer-tight"] <= min(3 * N, K - 2)


def test_two_layer_tight_rank_one_vector_targets_keep_k_minus_2():
    rng = random.Random(3)
    for K in range(5, 16):
        s = [rational(rng, True) for _ in range(K)]
        v = (Q(2), ZERO, Q(-1, 3))
        ds = Dataset(tuple((Q(i),) for i in range(K)), tuple(tuple(si * w for w in v) for si in s))
        net, info = tight_fit(ds)
        assert info["method"] == "zigzag pair" and net.neurons <= K - 2 == info["bound"]
        cert, _ = certified(ds, "two-layer-tight")
        assert cert["claim"]["neurons"] == net.neurons


def test_two_layer_tight_full_rank_needs_k_minus_1():
    """docs/theorems/two-layer-capacity.md §6: T = {2, ..., K-1} with targets of rank K - 2 needs K - 1 neurons.

    The fallback uses exactly K - 1; the argument's premise (a rank K - 2 target matrix on T) is checked."""
    from ftcexact.kernel.numbers import Q as _Q
    for K in (5, 6, 8):
        dy = K - 2
        z = [(ZERO,) * dy] + [tuple(_Q(int(i == j) + (j + 1) * (i + 2), 1) for j in range(dy)) for i in range(dy)] \
            + [(ZERO,) * dy]
        assert rank([row for row in z[1:-1]]) == K - 2
        ds = Dataset(tuple((Q(i),) for i in range(K)), tuple(z))
        net, info = tight_fit(ds)
        assert info["method"] == "oriented" and net.neurons == K - 1
        certified(ds, "two-layer-tight")


def rank(rows):
    m = [list(r) for r in rows]
    r = 0
    for c in range(len(m[0]) if m else 0):
        p = next((i for i in range(r, len(m)) if m[i][c]), None)
        if p is None:
            continue
        m[r], m[p] = m[p], m[r]
        for i in range(len(m)):
            if i != r and m[i][c]:
                f = m[i][c] / m[r][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[r])]
        r += 1
    return r


def random_frozen(rng, d, dy, width=4):
    W1 = tuple(tuple(rational(rng) for _ in range(d)) for _ in range(width))
    b1 = tuple(rational(rng) for _ in range(width))
    W2 = tuple(tuple(rational(rng) for _ in range(width)) for _ in range(dy))
    b2 = tuple(rational(rng) for _ in range(dy))
    return Network(((W1, b1), (W2, b2)))


@pytest.mark.parametrize("dy,construction", [(2, "three-layer-best"), (10, "three-layer-u3"), (4, "three-layer-4n4"),
                                             (3, "two-layer-tight"), (10, "three-layer-u2"), (5, "three-layer-u3-t")])
def test_keep_markers_with_a_frozen_network_file(dy, construction):
    """Labels only where they change (one-hot, as a classifier patch), keep markers elsewhere; f from its file."""
    rng = random.Random(dy)
    K, d = 24, 3
    xs = tuple(points(rng, K, d))
    f = random_frozen(rng, d, dy)
    changed = set(rng.sample(range(K), 6))
    y = tuple(tuple(Q(int(j == i % dy)) for j in range(dy)) if i in changed else None for i in range(K))
    ds = with_frozen(Dataset(xs, y), f)
    assert ds.keeps == K - 6 and ds.N == 6
    with tempfile.TemporaryDirectory() as tmp:
        f_path, data_path, cert_path = (os.path.join(tmp, n) for n in ("f.json", "data.json", "cert.json"))
        save_model(f, f_path)
        with open(data_path, "w") as fh:
            json.dump(dataset_to_json(ds, with_f=False), fh)
        cert = certify(ds, construction, dataset_ref=file_reference(data_path, cert_path),
                       frozen_ref=file_reference(f_path, cert_path))
        write_json_atomic(cert, cert_path)
        text = check(None, cert_path)
    assert "statement" in cert["claim"] and cert["claim"]["N"] == 6
    assert evaluate(f, [xs[0]])  # f is a real d -> d_y network
    if construction != "three-layer-best" and construction.startswith("three"):
        bound, built = expected(ds, construction)
        assert cert["claim"]["neurons"] == built and cert["hints"]["recipe_neurons"] == bound


def test_scalar_counts_unchanged_by_the_generalisation():
    """d_y = 1: the registry formulas reduce to the scalar ones (spot checks against literal scalar formulas)."""
    for K in range(1, 60):
        for N in range(0, K + 1, 3):
            inst = lambda m: Instance(K, N, 2, 1, [m, 0], 3, "feedforward", ZERO, False, None)
            for sid, scalar in (("ftc_u1_integer", layout(K, 2, 2) if N else 0),
                                ("ftc_u3_integer", 6 * ceil_sqrt(min(3 * N + 2, K)) if N else 0),
                                ("ftc_app_a", 4 * N + 4 if N else 0),
                                ("ftcexact_app_a_vector", 4 * N + 4 if N else 0),
                                ("ftcexact_u3_t", layout(N, 2, 4))):
                assert all(ok for ok, _, _ in statement_checks(sid, inst(scalar))), (sid, K, N)
                assert not all(ok for ok, _, _ in statement_checks(sid, inst(scalar + 1))), (sid, K, N)


def test_printed_scalar_statements_refuse_vector_instances():
    for sid in ("ftc_thm_5_1_upper", "ftc_app_a", "ftc_prop_6_1", "ftc_prop_6_1_proof"):
        assert "scalar" in STATEMENTS[sid][0]
        inst = Instance(100, 3, 2, 2, [1, 1, 1], 4 if "6_1" in sid else 3, "feedforward", ZERO, False, None)
        failures = [why for ok, _, why in statement_checks(sid, inst) if not ok]
        assert any("d_y = 1" in why for why in failures), sid


@st.composite
def vector_datasets(draw, max_K=12, max_d=3, max_dy=4):
    """Hypothesis: any K, T (ends, adjacent runs, all, none), d_y = 2..max_dy, repeated vectors, optional f."""
    ds = draw(datasets(max_K=max_K, max_d=max_d, with_f=False))
    dy = draw(st.integers(2, max_dy))
    repeated = tuple(draw(small) for _ in range(dy))
    z = []
    for (v,) in ds.targets:
        if not v:
            z.append((ZERO,) * dy)
            continue
        w = draw(st.one_of(st.just(repeated), st.tuples(*[small] * dy)))
        z.append(w if any(w) else (v,) + (ZERO,) * (dy - 1))
    if not draw(st.booleans()):
        return Dataset(ds.x, tuple(z))
    f = [tuple(draw(small) for _ in range(dy)) for _ in z]
    return Dataset(ds.x, tuple(tuple(a + b for a, b in zip(u, v)) for u, v in zip(z, f)), tuple(f))


@given(vector_datasets())
def test_every_construction_verifies_on_random_vector_data(ds):
    for name in THREE[:-1]:
        cert, text = certified(ds, name)
        bound, built = expected(ds, name)
        assert cert["claim"]["neurons"] <= built and cert["hints"]["recipe_neurons"] == bound <= registry_formula(ds, name)
    cert, _ = certified(ds, "three-layer-best")
    assert cert["claim"]["neurons"] == min(v for v in cert["hints"]["candidates"].values())
    for name in TWO:
        certified(ds, name)
    certified(ds, "deep", layers=5)
