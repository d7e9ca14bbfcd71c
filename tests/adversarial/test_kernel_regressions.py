"""Regression tests of the kernel bugs found by the adversarial review (issue 10).

Each test is the smallest input that made the kernel crash (exit 3), hang, or accept a false claim
before its fix; it now gets exit 1 or 2, fast.
"""

import copy
import json

import pytest

from ftcexact.constructions import certify
from ftcexact.dataset import dataset_from_json
from ftcexact.search.oracle import refutation

from .helpers import assert_refused, verify_doc

ALT4 = {"x": [["1"], ["2"], ["3"], ["4"]], "y": ["1", "-1", "1", "-1"]}


@pytest.fixture(scope="module")
def ref_doc():
    return json.loads(json.dumps(refutation(dataset_from_json(ALT4), 2, dataset_json=ALT4)))


@pytest.fixture(scope="module")
def cert_doc():
    tiny = {"x": ["0", "1", "2", "3"], "y": ["1", "5/2", "1", "0"], "f": ["1", "1", "1", "0"]}
    return json.loads(json.dumps(certify(dataset_from_json(tiny), "two-layer")))


def _first_to(doc):
    """The first ``to`` field of the oriented walk (a polygon index)."""
    for stage in doc["oriented"]["stages"]:
        for poly in stage:
            for move in poly["moves"].values():
                if "to" in move:
                    return move
    raise AssertionError("no 'to' move")


def test_valid_refutation_verifies(tmp_path, ref_doc):
    assert verify_doc(tmp_path / "r.json", ref_doc)[0] == 0


@pytest.mark.parametrize("index", ["\u00b2", "\u0661", "9" * 5000, "-1", "1e3", " 1"])
def test_refutation_polygon_index_that_is_not_ascii_digits(tmp_path, ref_doc, index):
    """'²'.isdigit() is True but int('²') raises: exit 3 before the fix (red-team C6)."""
    doc = copy.deepcopy(ref_doc)
    _first_to(doc)["to"] = index
    assert_refused(verify_doc(tmp_path / "r.json", doc), codes=(2,))


@pytest.mark.parametrize("labels, classes", [
    (["\u00b2", "0"], "2"), (["--1", "0"], "2"), (["\u0661", "0"], "2"), (["1", "0"], "\u00b2"),
    (["1", "0"], "9" * 5000), (["1", "0"], "\u0662"), (["+1", "0"], "2"),
])
def test_class_labels_and_count_that_are_not_ascii_integers(tmp_path, cert_doc, labels, classes):
    """Class labels '²', '--1' and class counts '²', 5000 nines raised ValueError: exit 3 before the fix."""
    doc = copy.deepcopy(cert_doc)
    doc["dataset"] = {"x": ["1", "2"], "y": labels, "classes": classes}
    assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(2,))


def _lower_bound_doc():
    from ftcexact.analysis.lower_bounds import ftc_lower_bound_dataset, lower_bound_certificate
    return json.loads(json.dumps(lower_bound_certificate(ftc_lower_bound_dataset(2, 8), "two-layer")))


def _piece_count_doc():
    from ftcexact.analysis.three_layer_pieces import extremal_network, piece_count_certificate
    return json.loads(json.dumps(piece_count_certificate(extremal_network(2, 2))))


@pytest.mark.parametrize("kind", ["fine-tuning", "lower-bound", "piece-count"])
@pytest.mark.parametrize("statement", [[], {}, ["ftc_thm_4_4"], {"ftc_thm_4_4": 1}, True])
def test_statement_of_a_wrong_type(tmp_path, cert_doc, kind, statement):
    """``"statement": []`` raised TypeError (unhashable) in the registry lookup: exit 3 before the fix."""
    doc = {"fine-tuning": copy.deepcopy(cert_doc), "lower-bound": _lower_bound_doc(),
           "piece-count": _piece_count_doc()}[kind]
    assert verify_doc(tmp_path / "c.json", doc)[0] == 0
    doc["claim"]["statement"] = statement
    assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(2,))


@pytest.mark.parametrize("path", ["a\u0000b.json", "\udc00.json", "dir/\udcff", "\u0000"])
@pytest.mark.parametrize("where", ["dataset", "frozen"])
def test_referenced_file_name_that_cannot_be_opened(tmp_path, cert_doc, path, where):
    """A NUL byte (ValueError) or a lone surrogate (UnicodeEncodeError) in a referenced path: exit 3 before."""
    doc = copy.deepcopy(cert_doc)
    ref = {"path": path, "sha256": "0" * 64}
    if where == "dataset":
        doc["dataset"] = ref
    else:
        del doc["dataset"]["f"]
        doc["frozen"] = ref
    # json.dumps escapes the surrogate; the kernel reads it back as a lone surrogate
    assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(2,))


@pytest.mark.parametrize("source", [[], "model.onnx", "1", None.__class__.__name__])
def test_frozen_source_that_is_not_an_object(tmp_path, source):
    """``frozen.source`` given as a list or a string raised AttributeError: exit 3 before the fix."""
    import hashlib
    net = {"format": "ftcexact-network", "version": 1, "activation": "relu",
           "layers": [{"W": [["1"]], "b": ["0"]}, {"W": [["1"]], "b": ["0"]}]}
    text = json.dumps(net)
    (tmp_path / "f.json").write_text(text)
    doc = {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
           "claim": {"N": 0, "K": 1, "d": 1, "neurons": 0}, "dataset": {"x": ["1"], "y": ["1"]},
           "frozen": {"path": "f.json", "sha256": hashlib.sha256(text.encode()).hexdigest()},
           "network": [{"W": [], "b": []}, {"W": [[]], "b": ["0"]}]}
    assert verify_doc(tmp_path / "c.json", doc)[0] == 0
    doc["frozen"]["source"] = source
    assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(2,))


def _record(dataset, cert, N, K, min_width, ref=None):
    from ftcexact.search.adversarial import GENERATOR, RECORD_FORMAT
    lower, upper = max(0, min(3 * N, K - 2)), max(0, min(3 * N + 1, K - 1))
    return {"format": RECORD_FORMAT, "generator": GENERATOR, "N": N, "K": K, "seed": 1, "index": 0,
            "arch": "two-layer", "description": "forged", "dataset": dataset, "min_width": min_width,
            "paper_lower": lower, "paper_upper": upper, "certificate": cert, "refutation": ref}


def test_record_whose_certificate_hides_the_targets_in_a_frozen_network(tmp_path):
    """A FALSE ACCEPT before the fix: four alternating points need 3 neurons, yet a record claimed
    "(N, K) = (0, 4), exact min width 0" with a certificate whose frozen network f fits y, so that
    z = y - f(x) = 0 and g is the empty network; with min_width 0 no refutation is asked for."""
    import hashlib
    from ftcexact.models.native import network_document
    from ftcexact.search.oracle import min_width
    from .helpers import check_records_file
    ds = dataset_from_json(ALT4)
    assert min_width(ds)["min_width"] == 3
    text = json.dumps(network_document(min_width(ds)["network"]))
    (tmp_path / "f.json").write_text(text)
    cert = {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
            "claim": {"construction": "forged", "N": 0, "K": 4, "d": 1, "neurons": 0}, "dataset": ALT4,
            "frozen": {"path": "f.json", "sha256": hashlib.sha256(text.encode()).hexdigest()},
            "network": [{"W": [], "b": []}, {"W": [[]], "b": ["0"]}]}
    assert verify_doc(tmp_path / "c.json", cert)[0] == 0  # the certificate itself is true: f + 0 = y
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(_record(ALT4, cert, 0, 4, 0)) + "\n")
    code, out, _, _ = assert_refused(check_records_file(path), codes=(1,))
    assert "no frozen network" in out
    # min_width 2 with a true refutation of width 1 and the same frozen trick: refused as well
    ref = refutation(ds, 1, dataset_json=ALT4)
    path.write_text(json.dumps(_record(ALT4, cert, 0, 4, 2, ref)) + "\n")
    assert_refused(check_records_file(path), codes=(1,))


def test_record_with_class_labels(tmp_path):
    """The certificate reads one-hot labels, a refutation would read the labels as numbers: refused."""
    from .helpers import check_records_file
    data = {"x": ["1", "2", "3", "4", "5", "6"], "y": ["0", "1", "2", "0", "1", "2"], "classes": "3"}
    onehot = [["1", "0", "0"], ["0", "1", "0"], ["0", "0", "1"]] * 2
    cert = json.loads(json.dumps(certify(dataset_from_json({"x": data["x"], "y": onehot}), "two-layer-all")))
    cert["dataset"] = data
    assert verify_doc(tmp_path / "c.json", cert)[0] == 0
    record = _record(data, cert, 6, 6, 0)
    del record["min_width"], record["refutation"]
    record["width_upper"] = cert["claim"]["neurons"]
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(record) + "\n")
    code, out, _, _ = assert_refused(check_records_file(path), codes=(1,))
    assert "no classes" in out


def tent_layers(L, s=2):
    """L hidden layers of width 2 computing the tent map L times on [0, 1] (2^L pieces), values scaled by s
    per layer: a file of about 70 L bytes whose restriction to a line has exponentially many pieces."""
    layers = [{"W": [[str(s)], [str(s)]], "b": ["0", f"-{s}/2"]}]
    for l in range(1, L):
        layers.append({"W": [[str(2 * s), str(-4 * s)]] * 2, "b": ["0", f"-{s ** (l + 1)}/2"]})
    return layers + [{"W": [["2", "-4"]], "b": ["0"]}]


def test_tent_network_fine_tuning_is_fast(tmp_path):
    """A HANG before the fix: a 1.4 kB certificate (21 tent layers) made the one-direction sweep build
    2 million pieces: 146 s and 1.7 GB.  The sweep then got a work budget: it falls back to dense evaluation
    (split at its rank-one layers, 3 pieces a stage, the sweep's size bound doubles with every stage)."""
    doc = {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
           "claim": {"N": 1, "K": 1, "d": 1, "neurons": 42}, "dataset": {"x": ["1/3"], "y": ["1"]},
           "network": tent_layers(21)}
    code, out, _, _ = assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(1,))
    assert "evaluation: dense" in out
    doc["dataset"]["y"] = [out.split("g(x_1) = ")[1].split(" ")[0]]  # the true value: now it fits
    code, out, _, seconds = verify_doc(tmp_path / "c.json", doc)
    assert code == 0 and seconds < 5


def test_tent_network_piece_count_is_refused_fast(tmp_path):
    """The same network as a piece-count certificate: more work than the cap allows, malformed (exit 2)."""
    from ftcexact.analysis.pieces import count_pieces
    from ftcexact.network import network_from_json
    doc = {"format": "ftcexact-certificate", "version": 2, "kind": "piece-count", "claim": {"pieces": "2097153"},
           "network": tent_layers(21)}
    code, _, err, _ = assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(2,))
    assert "units of work" in err
    doc["network"] = tent_layers(8)  # small enough: verified with the exact count
    doc["claim"]["pieces"] = str(count_pieces(network_from_json(doc["network"])))
    assert verify_doc(tmp_path / "c.json", doc)[0] == 0


@pytest.mark.parametrize("depth", [257, 1000, 5000])
def test_chain_of_width_one_layers_is_refused_by_the_depth_cap(tmp_path, depth):
    """A HANG before the fix: 5000 width-1 layers of "1e64" (a 150 kB file) took 32 s, 15 000 would have
    taken minutes: depth multiplies the growth of the values.  At most 256 affine maps now."""
    layers = [{"W": [["1e64"]], "b": ["1"]}] * (depth - 1) + [{"W": [["1"]], "b": ["0"]}]
    doc = {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
           "claim": {"N": 1, "K": 1, "d": 1, "neurons": depth - 1}, "dataset": {"x": ["1"], "y": ["1"]},
           "network": layers}
    code, _, err, _ = assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(2,))
    assert "affine maps, more than the cap of 256" in err


def test_frozen_network_values_are_size_checked(tmp_path):
    """A HANG before the fix: the frozen network f was evaluated without the value-size cap; 200 layers of
    7000-digit weights (1.4 MB) ask for values of 1.4 million digits (2000 such layers: stopped after 300 s)."""
    import hashlib
    net = {"format": "ftcexact-network", "version": 1, "activation": "relu",
           "layers": [{"W": [["9" * 7000]], "b": ["0"]}] * 200 + [{"W": [["1"]], "b": ["0"]}]}
    text = json.dumps(net)
    (tmp_path / "f.json").write_text(text)
    doc = {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
           "claim": {"N": 0, "K": 1, "d": 1, "neurons": 0}, "dataset": {"x": ["1"], "y": ["1"]},
           "frozen": {"path": "f.json", "sha256": hashlib.sha256(text.encode()).hexdigest()},
           "network": [{"W": [], "b": []}, {"W": [[]], "b": ["0"]}]}
    code, _, err, _ = assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(2,))
    assert "bits through the layers" in err


def test_piece_count_line_is_counted_in_the_value_cap(tmp_path):
    """The value-size cap of a piece-count certificate assumed 64-bit inputs, whatever the line's point:
    a point with 100 000-digit coordinates through 12 layers of 100 000-digit weights asked for values of
    about 4.3 million bits, past the cap of 2^22, unchecked."""
    big = "9" * 100_000
    layers = [{"W": [[big]], "b": ["0"]}] * 12 + [{"W": [["1"]], "b": ["0"]}]
    doc = {"format": "ftcexact-certificate", "version": 2, "kind": "piece-count", "claim": {"pieces": "1"},
           "network": layers, "line": {"point": [big], "direction": ["1"]}}
    code, _, err, _ = assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(2,))
    assert "bits through the layers" in err


def _random_digits(rng, n):
    return str(rng.randrange(1, 10)) + "".join(rng.choice("0123456789") for _ in range(n - 1))


@pytest.mark.parametrize("where", ["network", "dataset"])
def test_many_large_distinct_denominators(tmp_path, where):
    """A HANG before the fix: 600 weights (or inputs) 1/q_i with distinct 2000-digit q_i (a 1.2 MB file):
    their lcm, about four million bits, took about a minute of quadratic gcds before any size cap applied.
    Now the lcm is a balanced tree (about a second) and the refusal comes fast: the network's values would
    outgrow the value cap, and the points over their common denominator would take more than
    MAX_CLEARED_BITS."""
    import random
    rng = random.Random(5)
    dens = [_random_digits(rng, 2000) for _ in range(600)]
    if where == "network":
        net = [{"W": [["1"]] * 600, "b": [f"1/{q}" for q in dens]}, {"W": [["1"] * 600], "b": ["0"]}]
        data = {"x": ["1"], "y": ["1"]}
    else:
        net = [{"W": [["1", "0"]], "b": ["0"]}, {"W": [["1"]], "b": ["0"]}]
        data = {"x": [[f"1/{q}", "1"] for q in dens], "y": ["0"] * 600}
    doc = {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
           "claim": {"N": 1, "K": len(data["x"]), "d": len(net[0]["W"][0]), "neurons": len(net[0]["b"])},
           "dataset": data, "network": net}
    code, _, err, _ = assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(2,))
    assert ("values could grow" if where == "network" else "common denominator") in err


def test_many_equal_large_denominators_are_fine(tmp_path):
    """Repeated denominators are combined once: 2000 inputs over one 2000-digit denominator verify."""
    import random
    q = _random_digits(random.Random(6), 2000)
    data = {"x": [[f"{i}/{q}", "1"] for i in range(2000)], "y": ["0"] * 2000}
    net = [{"W": [["1", "0"], ["0", "1"]], "b": ["0", "0"]}, {"W": [["0", "0"]], "b": ["0"]}]
    doc = {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
           "claim": {"N": 0, "K": 2000, "d": 2, "neurons": 2}, "dataset": data, "network": net}
    code, _, _, seconds = verify_doc(tmp_path / "c.json", doc)
    assert code == 0 and seconds < 5


def test_least_piece_count_is_fast_on_many_points():
    """Slow before the fix (35x): the least-pieces programme built 135 rational candidates per point, so
    10^5 points took 27 s and the cap of 10^6 points several minutes; it is now a table look-up per point."""
    import time
    from ftcexact.kernel.numbers import Q
    from ftcexact.kernel.verify import min_pieces_dp
    ts, vs = [Q(i) for i in range(100_000)], [Q(i % 3) for i in range(100_000)]
    start = time.perf_counter()
    assert min_pieces_dp(ts, vs) == 66_666  # the old programme's answer too
    assert time.perf_counter() - start < 5


def _min_pieces_brute(ts, vs):
    """Fewest pieces by brute force over slopes: at every point a left and a right slope from a set that
    realises every order against the secants; a gap costs 0, 1 or 2 breakpoints (see docs/pieces.md)."""
    s = [(vs[i + 1] - vs[i]) / (ts[i + 1] - ts[i]) for i in range(len(ts) - 1)]
    if not s:
        return 1
    levels = sorted(set(s))
    cands = levels + [(a + b) / 2 for a, b in zip(levels, levels[1:])] + [levels[0] - 1, levels[-1] + 1]

    def gap(a, b, si):  # leave with slope a, arrive with slope b, secant si
        if a == b == si:
            return 0
        return 1 if min(a, b) < si < max(a, b) else 2
    best = {b: 0 for b in cands}  # right slope at point 1 -> breakpoints so far
    for i, si in enumerate(s):
        nxt = {}
        for arrive in cands:
            into = min(best[a] + gap(a, arrive, si) for a in cands)
            if i == len(s) - 1:
                nxt[arrive] = into
            else:
                for leave in cands:
                    nxt[leave] = min(nxt.get(leave, 10**9), into + (arrive != leave))
        best = nxt
    return 1 + min(best.values())


def test_least_piece_count_agrees_with_brute_force():
    import random
    from ftcexact.kernel.numbers import Q
    from ftcexact.kernel.verify import min_pieces_dp
    rng = random.Random(8)
    for _ in range(400):
        K = rng.randint(1, 7)
        ts = [Q(t) for t in sorted(rng.sample(range(-9, 9), K))]
        vs = [Q(rng.choice([0, 0, 1, -1, rng.randint(-4, 4)]), rng.randint(1, 2)) for _ in range(K)]
        assert min_pieces_dp(ts, vs) == _min_pieces_brute(ts, vs), (ts, vs)


@pytest.mark.parametrize("activation, statement, expected", [
    ("leaky:1/2:1", "ftc_lemma_4_5", 1), ("leaky:1/2:1", "ftc_thm_4_1_upper", 1), ("leaky:0:1", "ftc_lemma_4_5", 0),
    ("relu", "ftc_lemma_4_5", 0), ("leaky:1/2:1", None, 0),
])
def test_relu_statements_need_relu_networks(tmp_path, activation, statement, expected):
    """A statement of [FTC] (or of ftcexact) is about ReLU networks; before the fix a leaky network of the
    right depth and size was accepted as evidence for it (the registry checked depth and kind only)."""
    doc = {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
           "claim": {"N": 1, "K": 2, "d": 1, "neurons": 1}, "dataset": {"x": ["0", "1"], "y": ["0", "1"]},
           "network": {"activation": activation, "layers": [{"W": [["1"]], "b": ["0"]}, {"W": [["1"]], "b": ["0"]}]}}
    if statement:
        doc["claim"]["statement"] = statement
    code, out, _, _ = verify_doc(tmp_path / "c.json", doc)
    assert code == expected, out
    if expected:
        assert "about ReLU networks" in out


def test_ysj_statements_accept_the_relu_like_family_only():
    """[YSJ] Theorem 3.1 is about the family max{S+ v, S- v} with S+ > S- >= 0: (1/2, 1) is in it,
    (2, 1), (-1, 1) and (1, 1) are not; [FTC] statements take ReLU only."""
    from fractions import Fraction
    from ftcexact.kernel.claims import Instance, statement_checks
    for slopes, ysj, ftc in (((0, 1), True, True), ((Fraction(1, 2), 1), True, False), ((2, 1), False, False),
                             ((-1, 1), False, False), ((1, 1), False, False)):
        inst = Instance(4, 2, 1, 1, [4, 4], 3, "feedforward", 1, False, None)
        inst.slopes = slopes
        assert all(ok for ok, _, _ in statement_checks("ysj_thm_3_1", inst)) == ysj, slopes
        assert all(ok for ok, _, _ in statement_checks("ftc_app_a", inst)) == ftc, slopes


def test_record_pieces_are_counted_on_the_targets(tmp_path):
    """A false quoted number accepted before the fix: 'pieces' was recomputed from the labels y, ignoring the
    dataset's f column, while the certificate and the refutation read z = y - f. Here y = 0 (1 piece) but
    z = (1, -1, 1, -1) needs 3; a record quoting pieces = 1 was verified."""
    from ftcexact.search.oracle import min_width
    from .helpers import check_records_file
    data = {"x": [["1"], ["2"], ["3"], ["4"]], "y": ["0", "0", "0", "0"], "f": ["-1", "1", "-1", "1"]}
    ds = dataset_from_json(data)
    r = min_width(ds)
    assert r["pieces"] == 3
    from ftcexact.certificate import make_certificate
    cert = json.loads(json.dumps(make_certificate(ds, r["network"], construction="min-width-oracle")))
    cert["dataset"] = data
    record = _record(data, cert, 4, 4, r["min_width"], refutation(ds, r["min_width"] - 1, dataset_json=data))
    record["pieces"] = 3
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(record) + "\n")
    assert check_records_file(path)[0] == 0
    record["pieces"] = 1
    path.write_text(json.dumps(record) + "\n")
    code, out, _, _ = assert_refused(check_records_file(path), codes=(1,))
    assert "pieces differs" in out


@pytest.mark.parametrize("text, ok", [
    ("9" * 100_000, True), ("9" * 100_001, False), ("-" + "9" * 100_001, False), ("+" + "9" * 100_000, True),
    ("1/" + "0" * 99_999 + "1", True), ("1/" + "0" * 100_000 + "1", False), ("1/" + "0" * 200_000 + "7", False),
])
def test_digit_cap_is_exact(text, ok):
    """The cap of 100 000 digits let an unsigned numerator of 100 001 digits through (the sign allowance
    applied to unsigned numbers too), and a denominator with any number of leading zeros (the fast pattern's 0*)."""
    from ftcexact.kernel.evaluate import CERT_MAX_DIGITS, CERT_MAX_EXPONENT
    from ftcexact.kernel.numbers import RationalError, parse_rational, parse_rationals
    for parse in (lambda t: parse_rational(t, CERT_MAX_DIGITS, CERT_MAX_EXPONENT),
                  lambda t: parse_rationals([t, "1"], CERT_MAX_DIGITS, CERT_MAX_EXPONENT)):
        if ok:
            parse(text)
        else:
            with pytest.raises(RationalError):
                parse(text)


def test_wide_layer_restriction_memory(tmp_path):
    """A HANG (and memory exhaustion) before the fix: one hidden layer of 20 000 neurons (a 300 kB
    piece-count certificate) took 29 s and 6 GB, since each of the m + 1 pieces kept all m affine forms;
    50 000 neurons would have needed about 40 GB. Now a piece keeps only the neurons that switch at its
    left end (2m forms in all): the count is exact and fast."""
    m = 20_000
    net = [{"W": [["1"]] * m, "b": [str(-k) for k in range(m)]}, {"W": [["1"] * m], "b": ["0"]}]
    doc = {"format": "ftcexact-certificate", "version": 2, "kind": "piece-count", "claim": {"pieces": str(m + 1)},
           "network": net}
    code, out, err, seconds = verify_doc(tmp_path / "c.json", doc)
    assert code == 0 and out.splitlines()[-1] == "s VERIFIED" and seconds < 10, (err, seconds)
    doc["claim"]["pieces"] = str(m)
    assert verify_doc(tmp_path / "c.json", doc)[0] == 1
    # a fine-tuning certificate with such a layer is evaluated as fast
    net[1]["W"] = [["0"] * m]
    doc = {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
           "claim": {"N": 0, "K": 3, "d": 1, "neurons": m}, "dataset": {"x": ["0", "1", "2"], "y": ["0", "0", "0"]},
           "network": net}
    code, out, _, seconds = verify_doc(tmp_path / "c.json", doc)
    assert code == 0 and "evaluation: one direction" in out and seconds < 5


@pytest.mark.parametrize("where, size, first", [
    ("dataset", 2**40, b"{"), ("dataset", 2**40, b"PK"), ("frozen", 2**30, b"{"), ("source", 2**40, b"\x08")])
def test_huge_referenced_files_are_refused_before_hashing(tmp_path, where, size, first):
    """A HANG before the fix: a referenced file was hashed whole before any size check, so a sparse file of
    1 TiB (made in a millisecond with truncate) kept the verifier hashing for about half an hour."""
    import hashlib
    big = tmp_path / "big"
    with open(big, "wb") as fh:
        fh.write(first)
        fh.truncate(size)
    net = {"format": "ftcexact-network", "version": 1, "activation": "relu",
           "layers": [{"W": [["1"]], "b": ["0"]}, {"W": [["1"]], "b": ["0"]}]}
    text = json.dumps(net)
    (tmp_path / "f.json").write_text(text)
    frozen = {"path": "f.json", "sha256": hashlib.sha256(text.encode()).hexdigest()}
    doc = {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
           "claim": {"N": 0, "K": 1, "d": 1, "neurons": 0}, "dataset": {"x": ["1"], "y": ["1"]}, "frozen": frozen,
           "network": [{"W": [], "b": []}, {"W": [[]], "b": ["0"]}]}
    ref = {"path": "big", "sha256": "0" * 64}
    if where == "dataset":
        doc["dataset"] = ref
    elif where == "frozen":
        doc["frozen"] = ref
    else:
        doc["frozen"]["source"] = ref
    code, _, err, _ = assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(2,))
    assert "more than the cap" in err


def test_results_file_line_without_newline_is_read_up_to_the_cap_only(tmp_path):
    """A 10 GiB sparse results file without a newline was read whole into memory as one line before its
    length was checked; lines are now read with a bound."""
    import resource
    path = tmp_path / "r.jsonl"
    with open(path, "wb") as fh:
        fh.truncate(10 * 2**30)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from .helpers import check_records_file
    code, out, _, _ = assert_refused(check_records_file(path), codes=(1,), bound=30)
    assert "longer than the cap" in out
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 2 * 2**20  # KiB: under 2 GiB more


def test_npz_with_an_unknown_zip_version_is_malformed(tmp_path):
    """A CRASH (exit 3) found by the 10^5 mutation campaign: an .npz dataset whose members say they need
    zip version 23.7 made zipfile raise NotImplementedError, which the reader did not catch."""
    import hashlib
    import struct
    import numpy as np
    np.savez(tmp_path / "d.npz", x=np.arange(4, dtype=np.float32), y=np.array([0, 1, 0, 0], dtype=np.float32))
    data = bytearray((tmp_path / "d.npz").read_bytes())
    for header, field in ((b"PK\x03\x04", 4), (b"PK\x01\x02", 6)):  # "version needed to extract"
        at = data.find(header)
        while at >= 0:
            data[at + field:at + field + 2] = struct.pack("<H", 237)
            at = data.find(header, at + 4)
    (tmp_path / "bad.npz").write_bytes(bytes(data))
    doc = {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
           "claim": {"construction": "hand", "N": 1, "K": 4, "d": 1, "neurons": 0},
           "dataset": {"path": "bad.npz", "sha256": hashlib.sha256(bytes(data)).hexdigest()},
           "network": [{"W": [["0"]], "b": ["0"]}]}
    code, _, err, _ = assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(2,))
    assert "zip file version" in err
