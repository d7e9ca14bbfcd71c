"""Checks for [FTC] §1: the abstract's claims, the setting (eqs. 1-2, 6) and Definition 1.1 (FTC with a frozen f).

Sohn, Kwon, An, Lee, *Memorization Capacity for Additive Fine-Tuning with Small ReLU Networks*, UAI 2024.
"""

ORDER = 1  # position in the report

import tempfile

from ftcexact.analysis.lower_bounds import ftc_lower_bound_dataset, lower_bound_certificate, max_pieces, \
    neurons_needed
from ftcexact.certificate import file_reference, make_certificate, write_json_atomic
from ftcexact.models.native import network_document
from ftcexact.constructions import certify
from ftcexact.constructions.ysj import ysj_layout
from ftcexact.dataset import Dataset
from ftcexact.kernel.numbers import Q, format_rational
from ftcexact.network import Network, evaluate
from ftcexact.proofcheck import HOLDS, NOT_CHECKED, Verdict, statement

CLAIMS = {
    # Abstract: for K >= 3N + 2 the two-layer m* is 3N (Theta(N), independent of K) ...
    "two_layer_m_star_large_K": lambda N: 3 * N,
    # ... and the construction beats the conventional count K - 1 (Lemma 4.5) or K (Zhang et al.).
    "ours_below_conventional": lambda N, K: min(3 * N + 1, K - 1) < K,
}


def _random_frozen(rng, d, width=3):
    """A random one-hidden-layer ReLU network f: R^d -> R with small rational weights (the frozen network)."""
    def q():
        return Q(rng.randint(-6, 6), rng.randint(1, 3))
    W1 = tuple(tuple(q() for _ in range(d)) for _ in range(width))
    b1 = tuple(q() for _ in range(width))
    W2 = (tuple(q() for _ in range(width)),)
    return Network(((W1, b1), (W2, (q(),))))


def _frozen_instance(rng, K, d, T):
    """Points, a frozen f, labels y with y_i = f(x_i) off T and a random label on T, and z = y - f(x)."""
    xs = set()
    while len(xs) < K:
        xs.add(tuple(Q(rng.randint(-12, 12), rng.randint(1, 3)) for _ in range(d)))
    xs = sorted(xs)
    f = _random_frozen(rng, d)
    fx = [v[0] for v in evaluate(f, xs)]
    y = [fx[i - 1] + (Q(rng.choice([-3, -2, -1, 1, 2, 3]), rng.randint(1, 4)) if i in T else 0)
         for i in range(1, K + 1)]
    return xs, f, fx, y


def _frozen_certificate(ctx, folder, name, xs, f, fx, y, keep_off_T, construction="two-layer-tight"):
    """Write f (an ftcexact-network file) and a certificate referencing it; return (cert path, g's neurons).

    With ``keep_off_T`` the labels off T are keep markers (Definition 1.1: f's own value is the label there);
    otherwise every label is explicit and T is what the kernel recomputes as {i : y_i != f(x_i)} (§1)."""
    import os
    z_ds = Dataset(tuple(xs), tuple((yi - fi,) for yi, fi in zip(y, fx)))
    cert = certify(z_ds, construction)
    f_path = os.path.join(folder, f"{name}_f.json")
    c_path = os.path.join(folder, f"{name}.json")
    write_json_atomic(network_document(f), f_path, indent=1)
    cert["frozen"] = file_reference(f_path, c_path)
    cert["dataset"] = {"x": [[format_rational(v) for v in x] for x in xs],
                       "y": [None if keep_off_T and yi == fi else format_rational(yi) for yi, fi in zip(y, fx)]}
    write_json_atomic(cert, c_path, indent=1)
    return c_path, cert["claim"]["neurons"]


@statement("ftc_abstract_claims", "Sohn et al. 2024, Abstract and §1 contributions",
           "Two-layer: m* = Theta(N) independent of K (m* = 3N for every K >= 3N + 2); three-layer: m* = "
           "Theta(sqrt N) independent of K; N = K recovers memorization capacity (Remark 2); the Theorem 4.4 "
           "construction needs fewer neurons than the conventional ones when K >= 3N + 2.")
def ftc_abstract_claims(ctx):
    N_max = 12
    with tempfile.TemporaryDirectory() as tmp:
        for N in range(1, N_max + 1):  # same instances in both modes: they decide the verdict
            for K in (3 * N + 2, 10 * N + 10):
                ds = ftc_lower_bound_dataset(N, K)
                low = lower_bound_certificate(ds, "two-layer", "ftc_thm_4_1_lower")
                up = certify(ds, "two-layer-tight")
                want = CLAIMS["two_layer_m_star_large_K"](N)
                if ctx.verify_object(low, tmp) != 0 or ctx.verify_object(up, tmp) != 0:
                    return Verdict(NOT_CHECKED, f"a certificate was rejected at N = {N}, K = {K}")
                if low["claim"]["bound"] != want or up["claim"]["neurons"] > want:
                    return Verdict(NOT_CHECKED, f"N = {N}, K = {K}: certified {low['claim']['bound']} <= m* <= "
                                   f"{up['claim']['neurons']}, not the claimed {want}")
        example_low = ctx.write_artefact("ftc_abstract_two_layer_lower_N4_K14.json", lower_bound_certificate(
            ftc_lower_bound_dataset(4, 14), "two-layer", "ftc_thm_4_1_lower"))
        example_up = ctx.write_artefact("ftc_abstract_two_layer_tight_N4_K14.json",
                                        certify(ftc_lower_bound_dataset(4, 14), "two-layer-tight"))
    # Three layers, K >= 3N + 2: lower = least m whose exact piece maximum reaches 3N + 1 pieces; upper = the
    # smallest certified universal construction independent of K (three-layer-u3-t, min 2R + 4U over RU >= N).
    ratios = []
    for N in range(1, 2001):
        lower = neurons_needed("three-layer", 3 * N + 1)
        R, U = ysj_layout(N, second_cost=4)
        upper = 2 * R + 4 * U
        ratios.append((N, lower, upper))
    lo_ok = all(lower * lower >= 7 * N for N, lower, _ in ratios)  # lower >= sqrt(7N)
    up_ok = all(upper * upper <= 40 * N for N, _, upper in ratios)  # upper <= sqrt(40N)
    below = all(CLAIMS["ours_below_conventional"](N, K) for N in range(1, 200) for K in range(3 * N + 2, 3 * N + 40))
    equal_at_edge = all(min(3 * N + 1, 3 * N + 2 - 1) == 3 * N + 2 - 1 for N in range(1, 200))
    if not (lo_ok and up_ok and below):
        return Verdict(NOT_CHECKED, f"three-layer Theta(sqrt N): lower >= sqrt(7N) {lo_ok}, upper <= sqrt(40N) "
                       f"{up_ok}; fewer than K neurons for K >= 3N + 2: {below}")
    return Verdict(HOLDS, f"two layers: for every N <= {N_max} and K in {{3N + 2, 10N + 10}} a verified lower-bound "
                   f"certificate and a verified two-layer-tight certificate on the same dataset give m* = 3N exactly "
                   f"(and m*(N, K) = min{{3N, K - 2}} for every K >= 5 is proved in docs/theorems/"
                   f"two-layer-capacity.md); three layers, K >= 3N + 2, every N <= 2000: the least m whose proven piece "
                   f"maximum P reaches 3N + 1 is >= sqrt(7N), and the universal three-layer-u3-t count min{{2R + 4U : "
                   f"RU >= N}} is <= sqrt(40N), both independent of K (exact integer checks); N = K: see ftc_remark_2; "
                   f"min{{3N + 1, K - 1}} < K for every K >= 3N + 2",
                   command=f"ftcexact verify {example_low} && ftcexact verify {example_up}",
                   artefacts=[example_low, example_up],
                   reading="'tight' is read as matching in order (Theta); the printed bounds differ by 1 (two layers, "
                           "closed by the project: open_two_layer_capacity) and by a constant factor (three layers). "
                           "'fewer than conventional constructions when K >= 3N + 2' holds against Zhang et al.'s K "
                           "neurons; against the K - 1 of Lemma 4.5 / Remark 2 it is an equality at K = 3N + 2 "
                           f"(3N + 1 = K - 1: {equal_at_edge}) and strict from K = 3N + 3")


@statement("ftc_sec_1_setting", "Sohn et al. 2024, §1 (setting, eqs. 1-2) and eq. 6",
           "With T = {i : f(x_i) != y_i} and z_i = y_i - f(x_i): (f + g)(x_i) = y_i for every i iff g(x_i) = z_i on "
           "T and g(x_i) = 0 off T (eq. 3), so a checker evaluates f only at the data; m counts the hidden ReLUs "
           "of g (eq. 6: one hidden layer of m neurons).")
def ftc_sec_1_setting(ctx):
    import os
    rng = ctx.rng("sec_1_setting")
    count, checked_T = 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(ctx.limit(10, 40)):
            K, d = rng.randint(3, 12), rng.randint(1, 3)
            T = sorted(rng.sample(range(1, K + 1), rng.randint(0, K)))
            xs, f, fx, y = _frozen_instance(rng, K, d, T)
            path, _ = _frozen_certificate(ctx, tmp, f"c{k}", xs, f, fx, y, keep_off_T=False)
            if ctx.verify(path) != 0:
                return Verdict(NOT_CHECKED, f"a certificate with a frozen network was rejected (K = {K}, T = {T})")
            count += 1
            # The kernel recomputes T from f: tamper one label off T and the certificate must be refused.
            if len(T) < K:
                import json
                with open(path, encoding="utf-8") as fh:
                    cert = json.load(fh)
                i = next(j for j in range(1, K + 1) if j not in T)
                cert["dataset"]["y"][i - 1] = format_rational(y[i - 1] + 1)
                bad = os.path.join(tmp, f"bad{k}.json")
                write_json_atomic(cert, bad)
                if ctx.verify(bad) != 1:
                    return Verdict(NOT_CHECKED, "a changed label off T was not detected")
                checked_T += 1
        xs, f, fx, y = _frozen_instance(ctx.rng("sec_1_example"), 8, 2, [2, 5, 7])
        ctx.artefacts_dir.mkdir(parents=True, exist_ok=True)
        path, m = _frozen_certificate(ctx, str(ctx.artefacts_dir), "ftc_sec_1_setting_frozen", xs, f, fx, y, False)
    shown = ctx.display_path(path)
    return Verdict(HOLDS, f"eqs. 1-3 are the identity (f + g)(x_i) - y_i = g(x_i) - z_i; exercised on {count} random "
                   f"instances (K <= 12, d <= 3) with a frozen ReLU network f given as an exact network file: the kernel "
                   f"evaluates f itself, recomputes T = {{i : y_i != f(x_i)}} and accepts g; changing one label off T "
                   f"was refused in all {checked_T} tries", command=f"ftcexact verify {shown}", artefacts=[shown],
                   reading="the printed T (indices f does not fit) makes z_i != 0 on T, while Definition 3.1 lets "
                           "z_i = 0 "
                           "on T; the kernel uses the §1 T, which is never larger, and a network for a T is one for "
                           "every larger T on which the extra targets are 0, so the two agree; x_i != x_j is assumed "
                           "here (§1) and read into every later definition")


@statement("ftc_def_1_1",
           "Sohn et al. 2024, Definition 1.1 (FTC with a frozen f) and its equivalence with Definition 3.1",
           "The fine-tuning capacity defined with an arbitrary function f that fits every point off T (Definition "
           "1.1) equals N*_FTC(g, K) of Definition 3.1 (eq. 3: targets z on T, 0 off T): FTC does not depend on f.")
def ftc_def_1_1(ctx):
    """(1.1) => (3.1): given T, x, z take f = 0 and y = z.  (3.1) => (1.1): given x, y, T and f with f = y off T,
    z_i = y_i - f(x_i) is 0 off T and eq. 3's network g gives f + g = y.  Both directions hold for each N, so
    the maxima agree; without distinct inputs both properties fail for every N >= 1 when K >= 2 (x_1 = x_2,
    1 in T, 2 not in T, y_1 != y_2), so they agree under the literal reading too."""
    rng = ctx.rng("def_1_1")
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(ctx.limit(10, 40)):
            K, d = rng.randint(3, 12), rng.randint(1, 3)
            T = sorted(rng.sample(range(1, K + 1), rng.randint(0, K)))
            xs, f, fx, y = _frozen_instance(rng, K, d, T)
            g_by_f = []
            for trial in range(2):  # two different frozen functions f for the same labels on T
                if trial:
                    f = _random_frozen(rng, d)
                    fx = [v[0] for v in evaluate(f, xs)]
                    y = [fi if i not in T else y[i - 1] for i, fi in zip(range(1, K + 1), fx)]
                path, m = _frozen_certificate(ctx, tmp, f"c{k}_{trial}", xs, f, fx, y, keep_off_T=True)
                if ctx.verify(path) != 0:
                    return Verdict(NOT_CHECKED, f"a Definition 1.1 certificate was rejected (K = {K}, T = {T})")
                g_by_f.append(m)
                # The same g, as a Definition 3.1 certificate for z = y - f(x) with f = 0.
                z_ds = Dataset(tuple(xs), tuple((yi - fi,) for yi, fi in zip(y, fx)))
                if ctx.verify_object(certify(z_ds, "two-layer-tight"), tmp) != 0:
                    return Verdict(NOT_CHECKED, "the eq. 3 certificate for z = y - f(x) was rejected")
            count += 1
        xs, f, fx, y = _frozen_instance(ctx.rng("def_1_1_example"), 8, 2, [1, 4, 8])
        ctx.artefacts_dir.mkdir(parents=True, exist_ok=True)
        path, _ = _frozen_certificate(ctx, str(ctx.artefacts_dir), "ftc_def_1_1_keep_markers", xs, f, fx, y, True)
    shown = ctx.display_path(path)
    return Verdict(HOLDS, f"proof: Definition 1.1 with f = 0 and y = z is eq. 3; conversely z_i = y_i - f(x_i) vanishes "
                   f"off T and eq. 3's g gives f + g = y (the docstring of this check). Exercised on {count} random "
                   f"instances with two different frozen ReLU networks f each: labels off T are keep markers (f's "
                   f"own value, as in Definition 1.1), the kernel evaluates f, and both certificates and the eq. 3 "
                   f"certificate for z = y - f(x) verify", command=f"ftcexact verify {shown}", artefacts=[shown],
                   reading="'y_i all i' is read 'for all i'; K is the size of [K] (an argument only from Definition 3.1 "
                           "on); x_i distinct (§1) is read into 'for all x_i'. Taken literally without distinctness "
                           "both definitions give N* = 0 for K >= 2 (x_1 = x_2, 1 in T, 2 not in T, y_1 != y_2), so "
                           "the equivalence holds under either reading")
