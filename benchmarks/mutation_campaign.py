"""Mutation campaign against the trusted kernel (issue 10): no false accept, no crash, no hang.

Base documents of every kind are built with ftcexact's (untrusted) producers: fine-tuning certificates from
every construction that applies, with f-values, with a frozen network and keep markers, with referenced
JSON and .npz datasets, class labels, leaky and residual networks; lower-bound and piece-count certificates;
refutations; search results files.  Each mutant applies one to three mutations (numbers, signs, shapes,
fields, statements, claims, types, duplicate keys, truncation, huge numbers, bytes, side files with their
sha256 fixed) and is run through the kernel in-process.  Then:

* exit 3, or anything escaping the kernel, is a **crash**;
* more than ``--time-limit`` seconds is a **hang** (SIGALRM);
* ``s VERIFIED`` while the independent judge (``benchmarks/independent.py``: its own reader, exact
  Fraction evaluation, registry formulas from docs/certificate.md, brute-force least pieces, z3) finds a
  claim false is a **false accept**; a verified document that judge cannot read is a **disagreement**.

Every failure is written to ``--out`` for inspection.  Seeds are deterministic: mutant ``i`` of a run with
seed ``s`` is the same whatever the number of workers.

Usage::

    python benchmarks/mutation_campaign.py --mutants 100000 --workers 2 --seed 0 --out /tmp/campaign
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import independent  # noqa: E402

__all__ = ["base_documents", "mutate", "run_campaign", "main"]


class Timeout(BaseException):
    """Raised by SIGALRM; a BaseException so that the kernel's own handlers do not turn it into exit 3."""


# ---------------------------------------------------------------- base documents

def _j(obj):
    return json.loads(json.dumps(obj))


def _sha(data):
    return hashlib.sha256(data).hexdigest()


def base_documents(seed=0):
    """``[(name, {"main": text, side files...}, kind)]``: documents the kernel verifies, of every kind.

    ``kind`` is "cert" (verify) or "records" (check-refutation); side files sit beside the main file.
    """
    from ftcexact.analysis.lower_bounds import (ftc_figure_3_dataset, ftc_lower_bound_dataset,
                                                lower_bound_certificate, ysj_theorem_3_3_dataset)
    from ftcexact.analysis.three_layer_pieces import extremal_network, piece_count_certificate
    from ftcexact.models.native import network_document
    from ftcexact.constructions import CONSTRUCTIONS, certify
    from ftcexact.dataset import Dataset, dataset_from_json, random_dataset
    from ftcexact.kernel.numbers import Q, format_rational
    from ftcexact.network import network_from_json
    from ftcexact.search.adversarial import evaluate
    from ftcexact.search.oracle import refutation
    rng = random.Random(seed)
    docs = []

    def add(name, cert, side=None, kind="cert"):
        files = {"main": cert if isinstance(cert, str) else json.dumps(cert)}
        files.update(side or {})
        docs.append((name, files, kind))

    # fine-tuning: every construction that applies (small instances)
    for c in sorted(CONSTRUCTIONS):
        for trial in range(2):
            opts = {"layers": 5 if c == "deep" else 4} if c in ("deep", "ysj-deep") else {}
            if c == "ysj-classifier":
                K, C = 5, 3
                xs = [(Q(i),) for i in range(K)]
                ys = [tuple(Q(int(j == (i % C))) for j in range(C)) for i in range(K)]
                ds = Dataset(tuple(xs), tuple(ys))
            else:
                ds = random_dataset(d=rng.randint(1, 2), K=rng.randint(4, 8), N=rng.randint(1, 3),
                                    seed=rng.randrange(10**6), with_f=trial == 1,
                                    magnitude=1 if c.startswith("ysj") else 3, denominator=3)
            try:
                cert = certify(ds, c, **opts)
            except Exception:
                continue
            add(f"ft-{c}-{trial}", cert)
    ds = random_dataset(d=2, K=7, N=3, seed=5)
    # a referenced JSON dataset
    cert = certify(ds, "two-layer")
    data = json.dumps(cert["dataset"]).encode()
    cert["dataset"] = {"path": "data.json", "sha256": _sha(data)}
    add("ft-ref-json", cert, {"data.json": data})
    # an .npz dataset (dyadic values, exact in float64), with and without an f column
    import numpy as np
    xs = [(Q(rng.randint(-8, 8), 4), Q(rng.randint(-8, 8), 2)) for _ in range(6)]
    xs = list(dict.fromkeys(xs))
    zs = [Q(rng.randint(-4, 4), 2) if i % 2 else Q(0) for i in range(len(xs))]
    dsn = Dataset(tuple(xs), tuple((z,) for z in zs))
    for with_f in (False, True):
        cert = certify(dsn, "two-layer")
        buf = io.BytesIO()
        arrays = {"x": np.array([[float(v) for v in x] for x in xs]), "y": np.array([float(z) for z in zs])}
        if with_f:
            arrays["f"] = np.array([0.5 * i for i in range(len(xs))])
            arrays["y"] = arrays["y"] + arrays["f"]
        np.savez(buf, **arrays)
        cert["dataset"] = {"path": "data.npz", "sha256": _sha(buf.getvalue())}
        add(f"ft-npz-{int(with_f)}", cert, {"data.npz": buf.getvalue()})
    # class labels
    onehot = Dataset(tuple((Q(i),) for i in range(5)), tuple(tuple(Q(int(j == i % 3)) for j in range(3))
                                                           for i in range(5)))
    cert = certify(onehot, "two-layer-all")
    cert["dataset"] = {"x": [[str(i)] for i in range(5)], "y": [str(i % 3) for i in range(5)], "classes": 3}
    add("ft-classes", cert)
    # a frozen network with keep markers (JSON null, and -1 with classes)
    f_net = network_from_json([{"W": [["1", "-1"], ["1/2", "1"]], "b": ["0", "1"]}, {"W": [["2", "-1"]], "b": ["1/3"]}])
    f_text = json.dumps(network_document(f_net)).encode()
    from ftcexact.network import evaluate as net_eval
    zds = random_dataset(d=2, K=6, N=2, seed=11)
    fx = net_eval(f_net, list(zds.x))
    cert = certify(zds, "two-layer")
    ys = [None if not any(z) and i % 2 else format_rational(fv[0] + z[0])
          for i, (z, fv) in enumerate(zip(zds.targets, fx))]
    cert["dataset"] = {"x": [[format_rational(v) for v in x] for x in zds.x], "y": ys}
    cert["frozen"] = {"path": "f.json", "sha256": _sha(f_text)}
    add("ft-frozen", cert, {"f.json": f_text})
    # leaky and residual networks, hand-built, data from their own values
    leaky = {"activation": "leaky:1/4:1", "layers": [{"W": [["1"], ["-1"], ["2"]], "b": ["0", "1", "-1"]},
                                                     {"W": [["1", "2", "-1"]], "b": ["1/2"]}]}
    add("ft-leaky", _hand_fine_tuning(leaky, [["0"], ["1"], ["2"], ["-1"], ["1/2"]]))
    resnet = {"kind": "resnet", "activation": "relu",
              "blocks": [{"U": [["1", "0"], ["0", "1"]], "b": ["0", "-1"], "V": [["1", "-1"], ["0", "1/2"]],
                          "c": ["0", "0"]}],
              "head": {"U": [["1", "1"]], "b": ["-1/2"], "V": [["2"]], "c": ["1"]}}
    add("ft-resnet", _hand_fine_tuning(resnet, [["0", "0"], ["1", "0"], ["0", "1"], ["2", "1"], ["1", "-1"]]))
    deep = [{"W": [["1", "1"], ["1", "-1"]], "b": ["0", "1"]}, {"W": [["1", "-1"], ["1", "1"]], "b": ["-1", "0"]},
            {"W": [["1", "2"]], "b": ["0"]}]
    add("ft-dense", _hand_fine_tuning(deep, [["0", "0"], ["1", "2"], ["2", "1"], ["-1", "3"]]))
    # lower bounds: every architecture, with and without statements
    for arch in ("two-layer", "three-layer", "three-layer-product", "three-layer-ysj"):
        for N, K in ((2, 8), (3, 6), (1, 5)):
            st = "ftc_thm_4_1_lower" if arch == "two-layer" else "ftc_thm_5_1_lower"
            add(f"lb-{arch}-{N}-{K}", lower_bound_certificate(ftc_lower_bound_dataset(N, K), arch, st))
        add(f"lb-{arch}-ysj", lower_bound_certificate(ysj_theorem_3_3_dataset(7), arch, "ysj_thm_3_3"))
    add("lb-figure3", lower_bound_certificate(ftc_figure_3_dataset(3), "two-layer"))
    rnd = Dataset(tuple((Q(t),) for t in (0, 1, 3, 4, 7, 8)), tuple((Q(v),) for v in (0, 2, -1, 0, 3, 3)),
                  tuple((Q(v),) for v in (0, 1, 0, 0, 1, 0)))
    add("lb-f", lower_bound_certificate(rnd, "two-layer"))
    # piece counts
    for d1, d2 in ((1, 2), (2, 2), (3, 1), (3, 3)):
        add(f"pc-{d1}-{d2}", piece_count_certificate(extremal_network(d1, d2), "ftcexact_three_layer_pieces"))
    add("pc-line", {"format": "ftcexact-certificate", "version": 2, "kind": "piece-count",
                    "claim": {"pieces": str(independent.count_pieces(independent.restrict(
                        independent.Network([{"W": [["1", "2"], ["-1", "1"]], "b": ["0", "1"]},
                                             {"W": [["1", "1"]], "b": ["0"]}], 2),
                        [0, 1], [1, -1])))},
                    "network": {"activation": "relu", "layers": [{"W": [["1", "2"], ["-1", "1"]], "b": ["0", "1"]},
                                                                 {"W": [["1", "1"]], "b": ["0"]}]},
                    "line": {"point": ["0", "1"], "direction": ["1", "-1"]}})
    # refutations
    for name, data, w in (("alt4", {"x": [["1"], ["2"], ["3"], ["4"]], "y": ["1", "-1", "1", "-1"]}, 2),
                          ("step", {"x": [["1"], ["2"], ["3"], ["4"]], "y": ["0", "0", "1", "0"]}, 1),
                          ("alt5", {"x": [["0"], ["1"], ["2"], ["3"], ["4"]], "y": ["1", "-1", "1", "-1", "1"]}, 2),
                          ("plane", {"x": [["0", "0"], ["1", "2"], ["2", "4"], ["3", "6"]],
                                     "y": ["0", "1", "0", "1"], "f": ["0", "0", "0", "1"]}, 1)):
        add(f"ref-{name}", refutation(dataset_from_json(data), w, dataset_json=data))
    # search records (two and three layers)
    recs = [evaluate(N, K, 1, i) for N, K, i in ((2, 4, 0), (1, 4, 1), (3, 5, 0), (2, 6, 2))]
    add("rec-two", "".join(json.dumps(r) + "\n" for r in recs), kind="records")
    recs = [evaluate(N, K, 1, i, arch="three-layer") for N, K, i in ((2, 8, 0), (3, 7, 1))]
    add("rec-three", "".join(json.dumps(r) + "\n" for r in recs), kind="records")
    return docs


def _hand_fine_tuning(net, xs):
    """A fine-tuning certificate for a hand-built network: its own values as the labels (no statement)."""
    d = len(xs[0])
    g = independent.Network(_j(net), d)
    ys = [[_fmt(v) for v in g([independent.num(a) for a in x])] for x in xs]
    N = sum(1 for y in ys if any(v != "0" for v in y))
    return {"format": "ftcexact-certificate", "version": 2, "kind": "fine-tuning",
            "claim": {"construction": "hand-built", "N": N, "K": len(xs), "d": d, "neurons": g.neurons},
            "dataset": {"x": xs, "y": ys}, "network": net}


def _fmt(v):
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


# ---------------------------------------------------------------- mutations

REGISTRY = ["ftc_thm_4_1_upper", "ftc_thm_4_4", "ftc_lemma_4_5", "ftcexact_two_layer_oriented",
            "ftcexact_two_layer_tight", "ftc_thm_5_1_upper", "ftc_thm_5_1_upper_integer", "ftc_u1_integer",
            "ftc_u2_integer", "ftc_u3_integer", "ftc_app_a", "ftcexact_u3_t", "ftc_prop_6_1", "ftc_prop_6_1_proof",
            "ysj_thm_3_1", "ysj_prop_3_2", "ftc_thm_4_1_lower", "ftc_thm_5_1_lower", "ysj_thm_3_3",
            "ftcexact_three_layer_pieces", "Riemann hypothesis", ""]
ODD_NUMBERS = ["0,0", "1/0", "nan", "inf", "-inf", "\u00b2", "\u0661", "", " ", "+1", "01", "1.0", "2/2", " 1 ", "1e0",
               "1e64", "1e65", "-0", "0x10", "1_0", "1/2/3", "--1", "1e-64", "0.5e1", ".5", "5.", "1/-2", "١",
               "9" * 5000, "0" * 5000, "+" + "0" * 5000, "1/" + "9" * 5000, "9" * 100_001, "1e99999"]
ODD_VALUES = [None, [], {}, True, False, "x", "1", "-1", [[]], {"": 1}, "\udc00", "9" * 40, ["1"], [None], 0.5]
FIELDS = ["format", "version", "kind", "claim", "dataset", "network", "frozen", "T", "hints", "witness", "line",
          "statement", "construction", "N", "K", "d", "neurons", "bound", "min_pieces", "pieces", "architecture",
          "x", "y", "f", "classes", "path", "sha256", "W", "b", "U", "V", "c", "blocks", "head", "activation",
          "layers", "vertices", "values", "left_slope", "right_slope", "point", "direction", "width", "points",
          "lemmas", "oriented", "stages", "final", "moves", "to", "proofs", "empty", "k", "rows", "needs",
          "refutation", "certificate", "min_width", "width_upper", "lower_bound", "arch", "max_min_pieces",
          "paper_lower", "paper_upper", "source"]


def _paths(obj, path=()):
    """Every (path, value) in a JSON tree."""
    yield path, obj
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, path + (i,))


def _get(obj, path):
    for p in path:
        obj = obj[p]
    return obj


def _set(obj, path, value):
    if not path:
        return value
    _get(obj, path[:-1])[path[-1]] = value
    return obj


def _is_number(v):
    try:
        independent.num(v)
        return True
    except independent.Unjudged:
        return False


def _tweak_number(rng, text):
    v = independent.num(text)
    choice = rng.randrange(12)
    if choice == 0:
        return _fmt(v + independent.Fraction(rng.choice([1, -1]), rng.choice([1, 2, 3, 7])))
    if choice == 1:
        return _fmt(-v)
    if choice == 2:
        return _fmt(v * 2)
    if choice == 3:
        return rng.choice(["0", "1", "-1", "1/2"])
    if choice == 4:
        return rng.choice(ODD_NUMBERS)
    if choice == 5:  # the same value, written differently
        return rng.choice([f"{v.numerator * 3}/{v.denominator * 3}", f" {_fmt(v)}", f"+{_fmt(v)}"
                           if v >= 0 else _fmt(v), _fmt(v) + ".0" if v.denominator == 1 else _fmt(v),
                           f"{_fmt(v)}e0" if v.denominator == 1 else _fmt(v), "0" * 5000 + _fmt(v).lstrip("-")
                           if v >= 0 else _fmt(v)])
    if choice == 6:
        return _fmt(v + independent.Fraction(1, 10**rng.randint(5, 60)))
    if choice == 7:
        return str(rng.randint(10**30, 10**31)) if rng.random() < 0.5 else "-" + "9" * rng.randint(100, 3000)
    if choice == 8:
        return _fmt(v) + "/" + str(rng.randint(2, 9)) if v.denominator == 1 else _fmt(v / 3)
    if choice == 9:
        return str(rng.randint(-3, 40))
    if choice == 10:
        return f"1e{rng.randint(-70, 70)}"
    return _fmt(v + 1)


def mutate_tree(rng, doc):
    """One structural mutation of a parsed JSON document (returns the new document)."""
    doc = copy.deepcopy(doc)
    paths = list(_paths(doc))
    op = rng.randrange(14)
    path, value = rng.choice(paths)
    if op <= 3:  # numbers are the main target
        nums = [(p, v) for p, v in paths if isinstance(v, str) and _is_number(v)]
        if nums:
            p, v = rng.choice(nums)
            return _set(doc, p, _tweak_number(rng, v))
    if op == 4 and isinstance(value, list) and value:  # shapes
        i = rng.randrange(len(value))
        what = rng.randrange(5)
        if what == 0:
            del value[i]
        elif what == 1:
            value.insert(i, copy.deepcopy(value[i]))
        elif what == 2:
            j = rng.randrange(len(value))
            value[i], value[j] = value[j], value[i]
        elif what == 3:
            del value[i:]
        else:
            value.append(copy.deepcopy(rng.choice(value)))
        return doc
    if op == 5 and isinstance(value, dict) and value:  # fields
        k = rng.choice(sorted(value))
        what = rng.randrange(3)
        if what == 0:
            del value[k]
        elif what == 1:
            value[rng.choice(FIELDS)] = copy.deepcopy(value[k])
        else:
            value[k + "_"] = value.pop(k)
        return doc
    if op == 6:  # statements
        claims = [v for p, v in paths if isinstance(v, dict) and ("statement" in v or "neurons" in v or "bound" in v
                                                                    or "pieces" in v)]
        if claims:
            c = rng.choice(claims)
            if rng.random() < 0.2:
                c.pop("statement", None)
            else:
                c["statement"] = rng.choice(REGISTRY)
            return doc
    if op == 7:  # claimed integers
        ints = [(p, v) for p, v in paths if p and p[-1] in ("N", "K", "d", "neurons", "bound", "min_pieces",
                                                           "pieces", "width", "min_width", "width_upper",
                                                           "lower_bound", "k", "needs", "point", "to", "version",
                                                           "classes", "paper_lower", "paper_upper",
                                                           "max_min_pieces")]
        if ints:
            p, v = rng.choice(ints)
            try:
                n = int(v)
            except (TypeError, ValueError):
                n = 0
            return _set(doc, p, rng.choice([str(n + 1), str(max(n - 1, 0)), str(n + 2), "0", "999999999999999999",
                                            "3e7", n + 1, str(n) + ".0", "-1", "\u00b2", str(n)]))
    if op == 8:  # types
        return _set(doc, path, copy.deepcopy(rng.choice(ODD_VALUES)))
    if op == 9 and isinstance(value, str) and _is_number(value) and path:  # a string number as a JSON literal
        return _set(doc, path, _Literal(value))
    if op == 10:  # graft a subtree from elsewhere in the same document
        src = copy.deepcopy(rng.choice(paths)[1])
        return _set(doc, path, src)
    if op == 11 and isinstance(value, list) and value and all(isinstance(r, list) for r in value):
        # matrices: transpose, or drop a column
        if rng.random() < 0.5 and all(len(r) == len(value[0]) for r in value):
            return _set(doc, path, [list(c) for c in zip(*value)])
        for r in value:
            if r:
                r.pop()
        return doc
    if op == 12:  # the T list / indices
        if isinstance(doc, dict) and "T" in doc and isinstance(doc["T"], list):
            doc["T"] = doc["T"] + [rng.randint(1, 9)] if rng.random() < 0.5 else doc["T"][1:]
            return doc
    if op == 13 and isinstance(doc, dict) and doc.get("kind") == "fine-tuning":  # the activation
        net = doc.get("network")
        acts = ["relu", "leaky:0:1", "leaky:1/2:1", "leaky:1:1", "leaky:2:1", "leaky:-1:1", "leaky:0:2", "tanh"]
        if isinstance(net, list):
            doc["network"] = {"activation": rng.choice(acts), "layers": net}
        elif isinstance(net, dict):
            net["activation"] = rng.choice(acts)
        return doc
    return _set(doc, path, copy.deepcopy(rng.choice(ODD_VALUES)))


class _Literal(str):
    """A number written as a JSON literal (unquoted)."""


def dumps(doc):
    """JSON text, writing :class:`_Literal` strings unquoted."""
    marker = "\u0000lit\u0000"

    def walk(v):
        if isinstance(v, _Literal):
            return marker + str(v) + marker
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v
    text = json.dumps(walk(doc))
    return text.replace('"\\u0000lit\\u0000', "").replace('\\u0000lit\\u0000"', "")


def mutate_text(rng, text):
    """A mutation of the serialised text: a duplicate key, truncation, or bytes."""
    op = rng.randrange(5)
    if op == 0:  # duplicate a key with another value: readers could disagree
        keys = [i for i in range(len(text)) if text[i] == '"' and text[i + 1:i + 2].isalpha()]
        if keys:
            i = rng.choice(keys)
            j = text.find('"', i + 1)
            key = text[i:j + 1]
            if text[j + 1:j + 3] == ": ":
                return text[:i] + key + ': "0", ' + text[i:]
    if op == 1:
        return text[:rng.randrange(len(text))]
    if op == 2:
        i = rng.randrange(len(text))
        return text[:i] + rng.choice(["\u00b2", "\x00", "\\", '"', "{", "]", ",", "\udc00", "9" * 50, "NaN"]) + \
            text[i + 1:]
    if op == 3:
        i = rng.randrange(len(text))
        return text[:i] + text[i + 1:]
    i = rng.randrange(len(text))
    return text[:i] + text[i] * rng.randint(2, 5) + text[i:]


def mutate(rng, files, kind):
    """A mutant: ``{name: bytes or text}`` with one to three mutations."""
    try:
        return _mutate(rng, files, kind)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError):
        # a mutation that does not apply to this document: fall back to a text mutation
        files = dict(files)
        files["main"] = mutate_text(rng, files["main"])
        return files


def _mutate(rng, files, kind):
    files = dict(files)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        side = [n for n in files if n != "main"]
        if side and rng.random() < 0.2:  # a side file, with the certificate's sha256 fixed accordingly
            name = rng.choice(side)
            data = files[name]
            if name.endswith(".json"):
                try:
                    new = dumps(mutate_tree(rng, json.loads(data))).encode()
                except (ValueError, TypeError):
                    new = data[:len(data) // 2]
            else:
                b = bytearray(data)
                if b:
                    b[rng.randrange(len(b))] = rng.randrange(256)
                new = bytes(b)
            files[name] = new
            if rng.random() < 0.9:
                files["main"] = files["main"].replace(_sha(data), _sha(new))
            continue
        if kind == "records":
            lines = files["main"].splitlines(keepends=True)
            i = rng.randrange(len(lines))
            if rng.random() < 0.85:
                try:
                    lines[i] = dumps(mutate_tree(rng, json.loads(lines[i]))) + "\n"
                except ValueError:
                    lines[i] = mutate_text(rng, lines[i])
            else:
                lines[i] = mutate_text(rng, lines[i]) if rng.random() < 0.5 else ""
            files["main"] = "".join(lines)
            continue
        if rng.random() < 0.8:
            try:
                files["main"] = dumps(mutate_tree(rng, json.loads(files["main"])))
            except ValueError:
                files["main"] = mutate_text(rng, files["main"])
        else:
            files["main"] = mutate_text(rng, files["main"])
    return files


# ---------------------------------------------------------------- running

def _run_kernel(folder, kind):
    from ftcexact.kernel.records import check_records
    from ftcexact.kernel.verify import run, verdict
    out, err = io.StringIO(), io.StringIO()
    main = os.path.join(folder, "main.jsonl" if kind == "records" else "main.json")
    if kind == "records":
        code = verdict(lambda say: check_records(main, say), out, err, tool="ftcexact check-refutation")
    else:
        code = run(main, out, err)
    return code, out.getvalue(), err.getvalue()


def _write(folder, files, kind):
    for name, data in files.items():
        target = os.path.join(folder, ("main.jsonl" if kind == "records" else "main.json") if name == "main"
                              else name)
        with open(target, "wb") as fh:
            fh.write(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))


def check_one(files, kind, folder, time_limit):
    """Run the kernel on one document; return (outcome, detail) with outcome one of
    verified-true, rejected, malformed, crash, hang, false-accept, disagreement."""
    for name in os.listdir(folder):
        os.unlink(os.path.join(folder, name))
    _write(folder, files, kind)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, time_limit)
    start = time.perf_counter()
    try:
        code, out, err = _run_kernel(folder, kind)
    except Timeout:
        return "hang", f"over {time_limit} s"
    except BaseException as e:  # anything escaping the kernel is a crash
        return "crash", f"{type(e).__name__}: {e}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    seconds = time.perf_counter() - start
    if code == 3 or "Traceback" in out + err:
        return "crash", err.strip()[:300]
    if code == 2:
        if len(err.strip().splitlines()) != 1 or out.strip().endswith("VERIFIED"):
            return "crash", "malformed but not one stderr line"
        return "malformed", ""
    last = out.splitlines()[-1] if out.strip() else ""
    if code == 1:
        return ("rejected", "") if last == "s NOT VERIFIED" else ("crash", "exit 1 without verdict")
    if code != 0 or last != "s VERIFIED":
        return "crash", f"exit {code}"
    try:
        text = files["main"] if isinstance(files["main"], str) else files["main"].decode("utf-8")
        ok, why = (independent.judge_records if kind == "records" else independent.judge)(text, folder)
    except independent.Ambiguous as e:
        return "false-accept", f"verified an ambiguous document: {e}"
    except independent.Unjudged as e:
        return "disagreement", str(e)[:300]
    return ("verified-true", f"{seconds:.2f}") if ok else ("false-accept", why[:300])


def _alarm(signum, frame):
    raise Timeout()


def _graft(rng, files, kind, docs):
    other = rng.choice([f for _, f, k in docs if k == kind])
    try:
        a, b = json.loads(files["main"].splitlines()[0]), json.loads(other["main"].splitlines()[0])
    except ValueError:
        return files
    keys = sorted(set(a) & set(b) - {"format", "version"}) if isinstance(a, dict) and isinstance(b, dict) else []
    if not keys:
        return files
    k = rng.choice(keys)
    a[k] = b[k]
    files = dict(files)
    rest = files["main"].splitlines(keepends=True)[1:]
    files["main"] = json.dumps(a) + ("\n" if kind == "records" else "") + "".join(rest)
    for name, data in other.items():  # the other document's side files come along
        if name != "main":
            files.setdefault(name, data)
    return files


def _worker(task):
    """Mutants ``start .. start + count - 1`` of the run with ``seed`` (each with its own RNG)."""
    seed, start, count, time_limit, out_dir = task
    docs = _DOCS[seed]
    folder = tempfile.mkdtemp(prefix="ftcexact-campaign-")
    counts, failures, per_kind = {}, [], {}
    try:
        for i in range(start, start + count):
            rng = random.Random(f"{seed}:{i}")
            name, files, kind = docs[rng.randrange(len(docs))]
            if rng.random() < 0.05:  # graft a part of another document of the same kind
                files = _graft(rng, files, kind, docs)
            mutant = mutate(rng, files, kind)
            t0 = time.perf_counter()
            outcome, detail = check_one(mutant, kind, folder, time_limit)
            elapsed = time.perf_counter() - t0
            if elapsed > counts.get("slowest_seconds", 0):
                counts["slowest_seconds"], counts["slowest_mutant"] = round(elapsed, 2), f"{seed}:{i} {name}"
            counts[outcome] = counts.get(outcome, 0) + 1
            family = name.split("-")[0]
            per_kind.setdefault(family, {}).setdefault(outcome, 0)
            per_kind[family][outcome] += 1
            if outcome in ("crash", "hang", "false-accept", "disagreement"):
                failures.append((i, name, outcome, detail))
                if out_dir:
                    keep = os.path.join(out_dir, f"{outcome}-{seed}-{i}-{name}")
                    os.makedirs(keep, exist_ok=True)
                    _write(keep, mutant, kind)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return counts, failures, per_kind


_DOCS = {}


def _init(seed):
    _DOCS[seed] = base_documents(seed)


def run_campaign(mutants, seed=0, workers=2, time_limit=30.0, out_dir=None, chunk=250, progress=None):
    """Run ``mutants`` mutants; return a summary dict (counts, failures, per family, seconds)."""
    start = time.perf_counter()
    _init(seed)
    base_failures = []
    folder = tempfile.mkdtemp(prefix="ftcexact-campaign-")
    try:
        for name, files, kind in _DOCS[seed]:  # every base document verifies and is judged true
            outcome, detail = check_one(files, kind, folder, time_limit)
            if outcome != "verified-true":
                base_failures.append((name, outcome, detail))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    tasks = [(seed, s, min(chunk, mutants - s), time_limit, out_dir) for s in range(0, mutants, chunk)]
    counts, failures, per_kind = {}, [], {}
    if workers > 1:
        import multiprocessing
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers, initializer=_init, initargs=(seed,)) as pool:
            results = pool.imap(_worker, tasks)
            for n, r in enumerate(results):
                _merge(r, counts, failures, per_kind)
                if progress:
                    progress(min((n + 1) * chunk, mutants), mutants)
    else:
        for n, task in enumerate(tasks):
            _merge(_worker(task), counts, failures, per_kind)
            if progress:
                progress(min((n + 1) * chunk, mutants), mutants)
    return {"mutants": mutants, "seed": seed, "workers": workers, "base_documents": len(_DOCS[seed]),
            "base_failures": base_failures, "counts": counts, "per_family": per_kind,
            "failures": sorted(failures), "seconds": round(time.perf_counter() - start, 1)}


def _merge(result, counts, failures, per_kind):
    c, f, p = result
    if c.get("slowest_seconds", 0) > counts.get("slowest_seconds", 0):
        counts["slowest_seconds"], counts["slowest_mutant"] = c["slowest_seconds"], c["slowest_mutant"]
    for k, v in c.items():
        if not k.startswith("slowest"):
            counts[k] = counts.get(k, 0) + v
    failures.extend(f)
    for fam, d in p.items():
        for k, v in d.items():
            per_kind.setdefault(fam, {}).setdefault(k, 0)
            per_kind[fam][k] += v


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mutants", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--time-limit", type=float, default=30.0)
    p.add_argument("--out", default=None, help="keep every failing mutant here")
    args = p.parse_args(argv)

    def progress(done, total):
        print(f"\r{done}/{total}", end="", file=sys.stderr, flush=True)
    summary = run_campaign(args.mutants, args.seed, args.workers, args.time_limit, args.out, progress=progress)
    print(file=sys.stderr)
    print(json.dumps({k: v for k, v in summary.items() if k != "failures"}, indent=1))
    for f in summary["failures"][:50]:
        print(f)
    bad = sum(summary["counts"].get(k, 0) for k in ("crash", "hang", "false-accept", "disagreement"))
    return 1 if bad or summary["base_failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
