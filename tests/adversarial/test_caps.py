"""Every cap of docs/certificate.md's table: an input just above it is refused (fast), one at it is accepted.

Caps whose at-the-cap input takes minutes or gigabytes run in the slow suite (FTCEXACT_SLOW=1).
"""

import json
import os
import zipfile

import pytest

from ftcexact.kernel import evaluate, reader, records
from ftcexact.kernel.numbers import Q

from .helpers import FAST, assert_refused, check_records_file, slow_marks, verify_doc

SLOW = slow_marks()


def fine_tuning(x, y, network, N=None, d=1, extra=None):
    layers = network if isinstance(network, list) else network.get("layers", [])
    neurons = sum(len(layer["b"]) for layer in layers[:-1])
    doc = {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
           "claim": {"N": N if N is not None else len(x), "K": len(x), "d": d, "neurons": neurons},
           "dataset": {"x": x, "y": y}, "network": network}
    doc.update(extra or {})
    return doc


IDENTITY = [{"W": [["1"]], "b": ["0"]}, {"W": [["1"]], "b": ["0"]}]


def not_malformed(result, expect=(0, 1), bound=FAST):
    code, out, err, seconds = result
    assert code in expect, (code, out[-300:], err)
    assert seconds < bound
    return result


AT_CAP = 30  # seconds: an input at a cap does the most work the cap allows


# ---------------------------------------------------------------- file kind

@pytest.mark.parametrize("kind", ["fifo", "directory", "device", "symlink-to-device"])
def test_only_regular_files_are_read(tmp_path, kind):
    target = tmp_path / "target"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "directory":
        target.mkdir()
    else:
        target = "/dev/zero"
        if kind == "symlink-to-device":
            os.symlink("/dev/zero", tmp_path / "link")
            target = tmp_path / "link"
    code, _, err, _ = assert_refused(verify_doc(target), codes=(2,))
    assert "not a regular file" in err
    doc = fine_tuning(["1"], ["1"], IDENTITY)
    doc["dataset"] = {"path": str(target), "sha256": "0" * 64}
    assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(2,))


# ---------------------------------------------------------------- JSON document size

def test_json_document_just_above_256_mib_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.json"
    with open(path, "wb") as fh:  # sparse: nothing is written, and nothing may be read
        fh.truncate(reader.MAX_JSON_BYTES + 1)
    code, _, err, _ = assert_refused(verify_doc(path), codes=(2,))
    assert "more than the cap" in err


def test_json_document_at_the_cap_is_read(tmp_path, monkeypatch):
    """The cap's arithmetic, at a small cap: exactly cap bytes are read, one more is refused."""
    text = json.dumps(fine_tuning(["1"], ["1"], IDENTITY, N=1)).encode()
    path = tmp_path / "c.json"
    path.write_bytes(text)
    monkeypatch.setattr(reader, "MAX_JSON_BYTES", len(text))
    import ftcexact.kernel.reader as r
    assert r.read_bytes(str(path)) == text  # the default cap is bound at definition: pass it explicitly
    assert r.read_bytes(str(path), cap=len(text)) == text
    with pytest.raises(r.Malformed):
        r.read_bytes(str(path), cap=len(text) - 1)


def test_large_json_dataset_reference_is_refused_by_size(tmp_path):
    data = tmp_path / "data.json"
    with open(data, "wb") as fh:
        fh.write(b"{")
        fh.truncate(reader.MAX_JSON_BYTES + 1)
    doc = fine_tuning(["1"], ["1"], IDENTITY)
    import hashlib
    digest = hashlib.sha256()
    with open(data, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 24), b""):
            digest.update(chunk)
    doc["dataset"] = {"path": "data.json", "sha256": digest.hexdigest()}
    code, _, err, _ = assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(2,), bound=60)
    assert "store large datasets as .npz" in err


# ---------------------------------------------------------------- array entries

def _npy(shape, data=b""):
    header = repr({"descr": "<f8", "fortran_order": False, "shape": shape}).encode()
    header += b" " * ((64 - (len(header) + 11) % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + data


@pytest.mark.parametrize("rows, cols, message", [
    (reader.MAX_ARRAY_ELEMENTS + 1, None, "more than the cap"),
    (reader.MAX_ARRAY_ELEMENTS // 2 + 1, 2, "more than the cap"),
    (reader.MAX_ARRAY_ELEMENTS, None, "same positive number of rows"),  # at the cap: the header is accepted
])
def test_array_entries(tmp_path, rows, cols, message):
    import hashlib
    shape = (rows,) if cols is None else (rows, cols)
    path = tmp_path / "data.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x.npy", _npy(shape))
        z.writestr("y.npy", _npy((1,), b"\0" * 8))
    doc = fine_tuning(["1"], ["1"], IDENTITY)
    doc["dataset"] = {"path": "data.npz", "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    code, _, err, _ = assert_refused(verify_doc(tmp_path / "c.json", doc), codes=(2,))
    assert message in err


# ---------------------------------------------------------------- digits and exponents

@pytest.mark.parametrize("text, ok", [
    ("9" * 100_000, True), ("9" * 100_001, False), ("-" + "9" * 100_000, True),
    ("1/" + "9" * 100_000, True), ("1/" + "9" * 100_001, False), ("0." + "9" * 99_999, True),
    ("0." + "9" * 100_000, False), ("1e64", True), ("1e65", False), ("1e-64", True), ("1e-65", False),
    ("1.5e64", True), ("1e+0064", True), ("1e99999", False), ("1e" + "9" * 5000, False),
])
def test_digits_and_exponent(tmp_path, text, ok):
    """At most 100 000 digits per number and decimal exponents up to 64 (a label: the fit fails, exit 1)."""
    result = verify_doc(tmp_path / "c.json", fine_tuning(["1"], [text], IDENTITY))
    if ok:
        not_malformed(result, (1,))
    else:
        code, _, err, _ = assert_refused(result, codes=(2,))
        assert "too large" in err or "out of range" in err


# ---------------------------------------------------------------- growth through layers

def _chain(digits, layers=13):
    return [{"W": [["9" * digits]], "b": ["0"]}] * layers + [{"W": [["1"]], "b": ["0"]}]


def test_value_growth_cap():
    """13 layers of 97 119-digit weights stay within 2^22 bits; 97 120 digits pass the cap."""
    under, over = evaluate.read_net(_chain(97_119), 1), evaluate.read_net(_chain(97_120), 1)
    assert evaluate.size_bound(under, 64) <= evaluate.MAX_VALUE_BITS < evaluate.size_bound(over, 64)


@pytest.mark.parametrize("digits, ok", [(97_119, True), (97_120, False)])
def test_value_growth_cap_in_the_verifier(tmp_path, digits, ok):
    doc = fine_tuning(["1"], ["1"], _chain(digits), N=1)
    result = verify_doc(tmp_path / "c.json", doc)
    if ok:
        not_malformed(result, (1,), AT_CAP)
    else:
        code, _, err, _ = assert_refused(result, codes=(2,))
        assert "bits through the layers" in err


@pytest.mark.parametrize("maps, ok", [(256, True), (257, False)])
def test_affine_map_cap(tmp_path, maps, ok):
    doc = fine_tuning(["1"], ["1"], [{"W": [["1"]], "b": ["0"]}] * maps, N=1)
    result = verify_doc(tmp_path / "c.json", doc)
    if ok:
        not_malformed(result, (0,))
    else:
        code, _, err, _ = assert_refused(result, codes=(2,))
        assert "more than the cap of 256" in err


@pytest.mark.parametrize("blocks, ok", [(127, True), (128, False)])
def test_affine_map_cap_of_residual_networks(tmp_path, blocks, ok):
    block = {"U": [["1"]], "b": ["0"], "V": [["0"]], "c": ["0"]}
    net = {"kind": "resnet", "blocks": [block] * blocks, "head": {"U": [["1"]], "b": ["0"], "V": [["1"]], "c": ["0"]}}
    doc = fine_tuning(["1"], ["1"], net, N=1)
    doc["claim"]["neurons"] = blocks + 1
    result = verify_doc(tmp_path / "c.json", doc)
    if ok:
        not_malformed(result, (0,))
    else:
        assert_refused(result, codes=(2,))


# ---------------------------------------------------------------- pieces and sweep work

def _one_layer(m):
    return [{"W": [["1"]] * m, "b": [str(-k) for k in range(m)]}, {"W": [["1"] * m], "b": ["0"]}]


def _piece_count(network, pieces):
    return {"format": "ftcexact-certificate", "version": 2, "kind": "piece-count", "claim": {"pieces": str(pieces)},
            "network": network}


def test_sweep_work_cap(tmp_path):
    """Past the first hidden layer the sweep may spend SWEEP_WORK + 8 units per entry: tent layers (pieces
    doubling) reach it at about 12 layers; a piece-count certificate past it is malformed, fast."""
    from .test_kernel_regressions import tent_layers
    from ftcexact.analysis.pieces import count_pieces
    from ftcexact.network import network_from_json
    ok = tent_layers(10)
    result = verify_doc(tmp_path / "c.json", _piece_count(ok, count_pieces(network_from_json(ok))))
    not_malformed(result, (0,))
    code, _, err, _ = assert_refused(verify_doc(tmp_path / "c.json", _piece_count(tent_layers(14), 16385)),
                                     codes=(2,))
    assert "units of work" in err


@pytest.mark.parametrize("m", [5793, 100_000])
def test_wide_layer_is_restricted_in_linear_memory(tmp_path, m):
    """One hidden layer of m neurons makes m + 1 pieces; the restriction keeps every neuron's form on the
    first piece and only the switched neuron on each later one (2m entries, not m^2): m = 100 000 is counted
    exactly and fast (20 000 neurons took 29 s and 6 GB when every piece kept every form)."""
    result = verify_doc(tmp_path / "c.json", _piece_count(_one_layer(m), m + 1))
    not_malformed(result, (0,), AT_CAP)


def test_form_entries_cap_mechanism(monkeypatch):
    """MAX_FORM_ENTRIES bounds the forms a restriction stores (a memory backstop behind the work cap);
    its mechanism, at a small value: 3 neurons with distinct kinks store 3 + 3 entries."""
    from ftcexact.kernel import evaluate
    layers = [(None, [Q(0), Q(-1), Q(-2)]), ([[Q(1), Q(1), Q(1)]], [Q(0)])]
    monkeypatch.setattr(evaluate, "MAX_FORM_ENTRIES", 6)
    assert len(evaluate.restrict_to_direction(layers, [Q(1)] * 3)[1]) == 4
    monkeypatch.setattr(evaluate, "MAX_FORM_ENTRIES", 5)
    with pytest.raises(evaluate.TooManyPieces):
        evaluate.restrict_to_direction(layers, [Q(1)] * 3)


def test_piece_cap_mechanism():
    """MAX_PIECES (2 000 000) is a backstop behind the work and form caps, which come first in the kernel's
    callers; its mechanism, at a small value: 3 neurons with distinct kinks make 4 pieces."""
    from ftcexact.kernel.evaluate import TooManyPieces, restrict_to_direction
    layers = [(None, [Q(0), Q(-1), Q(-2)]), ([[Q(1), Q(1), Q(1)]], [Q(0)])]
    assert len(restrict_to_direction(layers, [Q(1)] * 3, max_pieces=4)[1]) == 4
    with pytest.raises(TooManyPieces):
        restrict_to_direction(layers, [Q(1)] * 3, max_pieces=3)


# ---------------------------------------------------------------- lower bounds

def _lower_bound(K, bound):
    from ftcexact.analysis.lower_bounds import ftc_lower_bound_dataset, lower_bound_certificate
    doc = json.loads(json.dumps(lower_bound_certificate(ftc_lower_bound_dataset(2, K), "two-layer")))
    doc["claim"]["bound"] = str(bound)
    return doc


def test_lower_bound_claim_cap(tmp_path):
    """bound <= K: K + 1 is refused at once; K is refused by the check itself (no K points force K)."""
    code, out, _, _ = assert_refused(verify_doc(tmp_path / "c.json", _lower_bound(8, 9)), codes=(1,))
    assert "exceeds what 8 points can force" in out
    code, out, _, _ = assert_refused(verify_doc(tmp_path / "c.json", _lower_bound(8, 8)), codes=(1,))
    assert "does not follow" in out
    assert verify_doc(tmp_path / "c.json", _lower_bound(8, 6))[0] == 0


def _big_lower_bound(K):
    xs, ys = [str(i) for i in range(K)], [str(i % 3) for i in range(K)]
    return {"format": "ftcexact-certificate", "version": 2, "kind": "lower-bound",
            "claim": {"architecture": "two-layer", "N": str(2 * K // 3), "K": str(K), "min_pieces": "1", "bound": "1"},
            "dataset": {"x": xs, "y": ys}, "witness": {"vertices": ["0"], "values": ["0"], "left_slope": "0",
                                                       "right_slope": "0"}}


@pytest.mark.parametrize("K, ok", [(10**6, True), (10**6 + 1, False)])
def test_lower_bound_dataset_cap(tmp_path, K, ok):
    """At most 10^6 points (about a minute at the cap); 10^6 + 1 is malformed."""
    code, out, err, seconds = verify_doc(tmp_path / "c.json", _big_lower_bound(K))
    print(f"K = {K}: exit {code} in {seconds:.0f} s")
    if ok:
        assert code == 1 and "min_pieces" in out  # read and checked: the claimed piece count is wrong
    else:
        assert code == 2 and "at most 10^6 points" in err


for _mark in SLOW:
    test_lower_bound_dataset_cap = _mark(test_lower_bound_dataset_cap)


# ---------------------------------------------------------------- search results files

def test_results_file_just_above_16_gib_is_refused(tmp_path):
    path = tmp_path / "r.jsonl"
    with open(path, "wb") as fh:
        fh.truncate(records.MAX_RECORDS_BYTES + 1)
    code, _, err, _ = assert_refused(check_records_file(path), codes=(2,))
    assert "more than the cap" in err


def test_results_line_cap(tmp_path, monkeypatch):
    """Each line is at most MAX_JSON_BYTES (checked at a small cap here: one byte more is refused)."""
    from ftcexact.search.adversarial import evaluate as evaluate_record
    line = (json.dumps(evaluate_record(2, 4, 1, 0)) + "\n").encode()
    path = tmp_path / "r.jsonl"
    path.write_bytes(line)
    monkeypatch.setattr(records, "MAX_JSON_BYTES", len(line))
    assert check_records_file(path)[0] == 0
    monkeypatch.setattr(records, "MAX_JSON_BYTES", len(line) - 1)
    code, out, _, _ = assert_refused(check_records_file(path), codes=(1,))
    assert "longer than the cap" in out


def test_results_line_just_above_256_mib(tmp_path):
    path = tmp_path / "r.jsonl"
    with open(path, "wb") as fh:
        fh.truncate(reader.MAX_JSON_BYTES + 1)  # one line of NUL bytes, no newline
    code, out, _, _ = assert_refused(check_records_file(path), codes=(1,), bound=60)
    assert "longer than the cap" in out


for _mark in SLOW:
    test_results_line_just_above_256_mib = _mark(test_results_line_just_above_256_mib)


# ---------------------------------------------------------------- classes

@pytest.mark.parametrize("C, ok", [("1", False), ("2", True), ("100000", True), ("100001", False)])
def test_class_count(tmp_path, C, ok):
    n = int(C)
    net = [{"W": [["1"]], "b": ["0"]}, {"W": [["0"]] * max(n, 1), "b": ["1"] + ["0"] * (max(n, 1) - 1)}]
    doc = fine_tuning(["1", "2"], ["0", "0"], net, N=2)
    doc["dataset"]["classes"] = C
    result = verify_doc(tmp_path / "c.json", doc)
    if ok:
        not_malformed(result, (0,), AT_CAP)
    else:
        code, _, err, _ = assert_refused(result, codes=(2,))
        assert "between 2 and 100000" in err


# ---------------------------------------------------------------- common denominators

def test_common_denominator_caps():
    """clear_denominators: many distinct large denominators are refused, repeated ones combined once."""
    from ftcexact.kernel.reader import Malformed
    primes = [2**127 - 1, 2**89 - 1, 2**107 - 1, 2**61 - 1]
    ints, den = evaluate.clear_denominators([Q(1, p) for p in primes] * 1000)
    assert den == primes[0] * primes[1] * primes[2] * primes[3] and len(ints) == 4000
    import random
    rng = random.Random(1)
    big = [Q(1, rng.getrandbits(20_000) | 1) for _ in range(200)]
    with pytest.raises(Malformed, match="common denominator"):
        evaluate.clear_denominators(big)
