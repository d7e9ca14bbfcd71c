"""Hypothesis fuzzing of every ftcexact subcommand, in-process: the exit code is never 3 and nothing raises.

Every command registered in ftcexact/cli/main.py gets hypothesis-generated files (arbitrary bytes, arbitrary
JSON, JSON shaped like its real input with parts replaced) and options; every parser (certificates, datasets
in JSON, CSV and .npz, network and model files, refutations, search results files) gets arbitrary bytes
and arbitrary JSON.  Only exit 0, 1 or 2 are allowed, with no traceback; argparse's own exit (2) counts as
bad input.  The "ci" profile (the default) keeps the whole file under a minute; HYPOTHESIS_PROFILE=thorough
runs about 15 times more examples.
"""

import io
import json
import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftcexact.cli.main import build_parser

from .helpers import cli

PROFILE_EXAMPLES = settings().max_examples  # 60 under "ci", 1000 under "thorough"


def examples(ci):
    """``ci`` examples under the ci profile, scaled with the profile."""
    return max(1, ci * PROFILE_EXAMPLES // 60)


def fuzz(ci):
    return settings(max_examples=examples(ci), deadline=None, suppress_health_check=list(HealthCheck))


# ---------------------------------------------------------------- strategies

FIELDS = ["format", "version", "kind", "claim", "dataset", "network", "frozen", "T", "hints", "witness", "line",
          "statement", "construction", "N", "K", "d", "neurons", "bound", "min_pieces", "pieces", "architecture",
          "x", "y", "f", "classes", "path", "sha256", "W", "b", "U", "V", "c", "blocks", "head", "activation",
          "layers", "vertices", "values", "left_slope", "right_slope", "point", "direction", "width", "points",
          "lemmas", "oriented", "stages", "final", "moves", "to", "proofs", "empty", "k", "rows", "needs",
          "certificate", "refutation", "min_width", "width_upper", "lower_bound", "arch", "source", "direction",
          "kept", "generator", "seed", "index", "description"]
NUMBER_TEXT = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.fractions(max_denominator=50).map(lambda f: f"{f.numerator}/{f.denominator}"),
    st.sampled_from(["0,0", "1/0", "nan", "inf", "\u00b2", "", " 1", "+1", "1e64", "1e65", "0x10", "1_0", "1.5",
                     ".5", "-0", "1e-3", "9" * 5000, "0" * 5000, "1/" + "0" * 4999 + "3", "ftcexact-certificate",
                     "ftcexact-refutation", "ftcexact-network", "ftcexact-search-record", "fine-tuning",
                     "lower-bound", "piece-count", "two-layer", "three-layer", "relu", "leaky:1/2:1", "resnet",
                     "ftc_thm_4_4", "ysj_thm_3_1", "data.json", "/dev/zero", "two-layer-width", "="]),
    st.text(max_size=6))
LEAF = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**20), NUMBER_TEXT,
                 st.floats(allow_nan=False, allow_infinity=False, width=32))
KEYS = st.one_of(st.sampled_from(FIELDS), st.text(max_size=4))
JSON = st.recursive(LEAF, lambda c: st.one_of(st.lists(c, max_size=5), st.dictionaries(KEYS, c, max_size=6)),
                    max_leaves=40)

ALT4 = {"x": [["1"], ["2"], ["3"], ["4"]], "y": ["1", "-1", "1", "-1"]}


def _templates():
    """Small real inputs of every kind, whose parts the fuzzer replaces."""
    from ftcexact.analysis.lower_bounds import ftc_lower_bound_dataset, lower_bound_certificate
    from ftcexact.analysis.three_layer_pieces import extremal_network, piece_count_certificate
    from ftcexact.models.native import network_document
    from ftcexact.constructions import certify
    from ftcexact.dataset import dataset_from_json
    from ftcexact.search.adversarial import evaluate
    from ftcexact.search.oracle import refutation
    cert = certify(dataset_from_json({"x": ["0", "1", "2", "3"], "y": ["1", "5/2", "1", "0"],
                                      "f": ["1", "1", "1", "0"]}), "two-layer")
    docs = {
        "dataset": ALT4,
        "dataset-f": {"x": [["0", "1"], ["1", "0"], ["2", "2"]], "y": ["0", "1", "0"], "f": ["1", "1", "1"]},
        "fine-tuning": cert,
        "lower-bound": lower_bound_certificate(ftc_lower_bound_dataset(2, 6), "two-layer", "ftc_thm_4_1_lower"),
        "piece-count": piece_count_certificate(extremal_network(2, 1)),
        "refutation": refutation(dataset_from_json(ALT4), 2, dataset_json=ALT4),
        "network": network_document(extremal_network(1, 2)),
        "network-only": {"network": cert["network"]},
        "record": evaluate(2, 4, 1, 0),
    }
    return json.loads(json.dumps(docs))


TEMPLATES = _templates()


@st.composite
def shaped(draw, kind=None):
    """A real input with one to three parts replaced by arbitrary JSON."""
    doc = json.loads(json.dumps(TEMPLATES[kind or draw(st.sampled_from(sorted(TEMPLATES)))]))
    for _ in range(draw(st.integers(1, 3))):
        paths = []

        def walk(v, p):
            paths.append(p)
            if isinstance(v, dict):
                for k, x in v.items():
                    walk(x, p + (k,))
            elif isinstance(v, list):
                for i, x in enumerate(v):
                    walk(x, p + (i,))
        walk(doc, ())
        path = draw(st.sampled_from(paths))
        new = draw(JSON)
        if not path:
            doc = new
            continue
        parent = doc
        for p in path[:-1]:
            parent = parent[p]
        parent[path[-1]] = new
    return doc


def _text(doc):
    return json.dumps(doc).encode("utf-8", "surrogatepass")


CONTENT = st.one_of(st.binary(max_size=300), JSON.map(_text), shaped().map(_text),
                    st.sampled_from([b"", b"{", b"[]", b"null", b"\xff\xfe", b'{"a": 1, "a": 2}', b"NaN",
                                     b"PK\x03\x04", b"\x93NUMPY\x01\x00"]))


@st.composite
def npz_bytes(draw):
    """A real .npz archive with arbitrary small arrays (types, shapes, NaN, names)."""
    import numpy as np
    arrays = {}
    for name in draw(st.lists(st.sampled_from(["x", "y", "f", "W", "b", "z"]), min_size=1, max_size=4, unique=True)):
        dtype = draw(st.sampled_from(["float64", "float32", "int64", "int8", "uint16", "bool", "float16",
                                      "complex64", ">f8"]))
        shape = draw(st.sampled_from([(3,), (3, 1), (3, 2), (0,), (2, 0), (1, 1, 1), (4,)]))
        values = draw(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=8, max_size=8))
        a = np.resize(np.array(values, dtype="float64"), shape)
        with np.errstate(all="ignore"):
            arrays[name] = a.astype(dtype)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _write(folder, name, data):
    path = os.path.join(folder, name)
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def run(argv, folder):
    code, out, err, _ = cli(argv, cwd=folder)
    assert code in (0, 1, 2), (argv, code, out[-500:], err[-500:])
    assert "Traceback" not in out + err, err[-2000:]
    return code


def test_every_registered_command_is_fuzzed():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(FUZZED), set(sub.choices) ^ set(FUZZED)


# ---------------------------------------------------------------- the checkers' parsers

@fuzz(60)
@given(CONTENT)
def test_verify(data):
    with tempfile.TemporaryDirectory() as d:
        run(["verify", _write(d, "c.json", data)], d)


@fuzz(40)
@given(st.one_of(CONTENT, shaped("refutation").map(_text)), st.sampled_from(["r.json", "r.jsonl"]))
def test_check_refutation(data, name):
    with tempfile.TemporaryDirectory() as d:
        run(["check-refutation", _write(d, name, data)], d)


@fuzz(40)
@given(st.lists(st.one_of(shaped("record").map(_text), JSON.map(_text), st.binary(max_size=50)), min_size=1,
                max_size=3), st.booleans())
def test_check_refutation_records(lines, final_newline):
    with tempfile.TemporaryDirectory() as d:
        data = b"\n".join(lines) + (b"\n" if final_newline else b"")
        run(["check-refutation", _write(d, "r.jsonl", data)], d)


@fuzz(30)
@given(npz_bytes(), shaped("fine-tuning"), st.sampled_from([None, "2", "3", "-1"]))
def test_verify_with_an_npz_dataset(archive, cert, classes):
    import hashlib
    with tempfile.TemporaryDirectory() as d:
        _write(d, "data.npz", archive)
        if not isinstance(cert, dict):
            cert = {"dataset": None}
        cert["dataset"] = {"path": "data.npz", "sha256": hashlib.sha256(archive).hexdigest()}
        if classes:
            cert["dataset"]["classes"] = classes
        run(["verify", _write(d, "c.json", _text(cert))], d)


@fuzz(20)
@given(st.one_of(st.binary(max_size=200), JSON.map(_text), shaped("network").map(_text)), shaped("fine-tuning"))
def test_verify_with_a_frozen_network(network, cert):
    import hashlib
    with tempfile.TemporaryDirectory() as d:
        _write(d, "f.json", network)
        if not isinstance(cert, dict):
            cert = {}
        cert["frozen"] = {"path": "f.json", "sha256": hashlib.sha256(network).hexdigest()}
        if isinstance(cert.get("dataset"), dict):
            cert["dataset"].pop("f", None)
        run(["verify", _write(d, "c.json", _text(cert))], d)


# ---------------------------------------------------------------- producers

DATASETS = st.one_of(CONTENT, shaped("dataset").map(_text), shaped("dataset-f").map(_text))
CSV = st.one_of(st.text(max_size=120), st.sampled_from(["x,y\n1,2\n3,4\n", "x1,x2,y,f\n0,0,1,1\n1,1/2,2,1\n",
                                                         "x,y\n1,\n", "y\n1\n", "x,y\n1,2,3\n", "\ufeffx,y\n1,2\n"]))


@fuzz(40)
@given(DATASETS, st.sampled_from(["d.json", "d.csv", "d"]), st.sampled_from(["two-layer", "two-layer-all",
       "two-layer-oriented", "two-layer-tight", "three-layer-best", "three-layer-u1", "deep", "ysj-memorizer",
       "ysj-classifier", "ysj-deep"]), st.one_of(st.none(), st.integers(-2, 8)), st.booleans())
def test_certify(data, name, construction, layers, reference):
    with tempfile.TemporaryDirectory() as d:
        argv = ["certify", _write(d, name, data), "-o", os.path.join(d, "out.json"), "--construction", construction]
        if layers is not None:
            argv += ["--layers", str(layers)]
        if reference:
            argv.append("--reference")
        run(argv, d)


@fuzz(15)
@given(CSV)
def test_certify_csv(text):
    with tempfile.TemporaryDirectory() as d:
        run(["certify", _write(d, "d.csv", text.encode("utf-8", "surrogatepass")), "-o", os.path.join(d, "o.json")],
            d)


INTS = st.one_of(st.integers(-3, 12), st.sampled_from([0, 10**6 + 1, 10**9, -10**9, 2**63]))


@fuzz(40)
@given(INTS, INTS, INTS, INTS, INTS, INTS, st.booleans())
def test_generate(d_, K, N, seed, denominator, magnitude, with_f):
    with tempfile.TemporaryDirectory() as d:
        argv = ["generate", "--d", d_, "--K", K, "--N", N, "--seed", seed, "--denominator", denominator,
                "--magnitude", magnitude, "-o", os.path.join(d, "g.json")]
        run(argv + (["--with-f"] if with_f else []), d)


@fuzz(30)
@given(INTS, st.one_of(st.text(max_size=12), st.lists(INTS, max_size=5).map(lambda v: ",".join(map(str, v)))),
       st.booleans())
def test_partition(K, T, as_json):
    with tempfile.TemporaryDirectory() as d:
        run(["partition", "--K", K, "--T", T] + (["--json"] if as_json else []), d)


@fuzz(30)
@given(st.one_of(CONTENT, shaped("fine-tuning").map(_text), shaped("network-only").map(_text)),
       st.one_of(st.none(), st.text(max_size=10), st.sampled_from(["0", "1,2", "1/2", "0,0", "x"])),
       st.one_of(st.none(), st.text(max_size=10), st.sampled_from(["1", "0", "1,-1", "0,0,0"])), st.booleans())
def test_pieces(data, point, direction, as_json):
    with tempfile.TemporaryDirectory() as d:
        argv = ["pieces", _write(d, "n.json", data)]
        argv += ["--point", point] if point else []
        argv += ["--direction", direction] if direction else []
        run(argv + (["--json"] if as_json else []), d)


@fuzz(30)
@given(DATASETS, st.one_of(st.none(), st.sampled_from(["1", "1,1", "0,0", "x", "1/0"])), st.booleans())
def test_min_pieces(data, direction, as_json):
    with tempfile.TemporaryDirectory() as d:
        argv = ["min-pieces", _write(d, "d.json", data)] + (["--direction", direction] if direction else [])
        run(argv + (["--json"] if as_json else []), d)


@fuzz(40)
@given(st.one_of(st.none(), DATASETS), INTS, INTS, st.sampled_from(["ftc", "ysj", "figure3"]),
       st.sampled_from(["two-layer", "three-layer", "three-layer-product", "three-layer-ysj"]), st.booleans())
def test_lower_bound(data, N, K, family, arch, output):
    with tempfile.TemporaryDirectory() as d:
        argv = ["lower-bound", "--N", N, "--K", K, "--family", family, "--arch", arch]
        if data is not None:
            argv += ["--dataset", _write(d, "d.json", data)]
        if output:
            argv += ["-o", os.path.join(d, "lb.json")]
        run(argv, d)


@fuzz(15)
@given(st.one_of(CONTENT, shaped("fine-tuning").map(_text), shaped("lower-bound").map(_text),
                 shaped("dataset").map(_text)),
       st.one_of(st.none(), CONTENT), st.sampled_from(["p.png", "p.svg", "p.pdf", "p"]),
       st.sampled_from([None, "1", "0,1", "x"]))
def test_plot(data, network, output, direction):
    with tempfile.TemporaryDirectory() as d:
        argv = ["plot", _write(d, "t.json", data), "-o", os.path.join(d, output)]
        if network is not None:
            argv += ["--network", _write(d, "n.json", network)]
        if direction:
            argv += ["--direction", direction]
        run(argv, d)


@fuzz(2)
@given(st.integers(-3, 12))
def test_plot_figure5(m):
    with tempfile.TemporaryDirectory() as d:
        run(["plot", "figure5", "--m", m, "-o", os.path.join(d, "f.png")], d)


@fuzz(30)
@given(DATASETS, st.sampled_from(["oracle", "z3"]), st.booleans(), st.booleans())
def test_min_width(data, method, as_json, output):
    with tempfile.TemporaryDirectory() as d:
        argv = ["min-width", _write(d, "d.json", data), "--method", method]
        argv += ["-o", os.path.join(d, "w.json")] if output else []
        run(argv + (["--json"] if as_json else []), d)


@fuzz(15)
@given(st.sampled_from(["1", "0-3", "2,3", "x", "1-", "-1", "3-1", "", "1--2"]),
       st.sampled_from(["1-4", "4", "3,5", "0", "x", "65", "1-100000000"]), st.integers(-1, 2),
       st.sampled_from(["two-layer", "three-layer"]), st.sampled_from(["all", "best", "none"]),
       st.one_of(st.none(), st.binary(max_size=100), shaped("record").map(lambda r: _text(r) + b"\n")),
       st.sampled_from([None, "0", "1", "2"]), st.booleans())
def test_search(N, K, budget, arch, refutations, existing, workers, markdown):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "s.jsonl")
        if existing is not None:
            _write(d, "s.jsonl", existing)
        argv = ["search", "--N", N, "--K", K, "--budget", budget, "--arch", arch, "--refutations", refutations,
                "-o", out, "--no-progress", "--seed", "3"]
        argv += ["--workers", workers] if workers else ["--workers", "1"]
        run(argv + (["--markdown"] if markdown else []), d)


@fuzz(30)
@given(st.one_of(CONTENT, npz_bytes(), shaped("network").map(_text)),
       st.sampled_from(["m.json", "m.onnx", "m.nnet", "m.npz", "m.safetensors", "m.txt", "m"]),
       st.sampled_from([None, "onnx", "nnet", "safetensors", "npz", "json"]), st.booleans(),
       st.sampled_from([None, "auto", "out_in", "in_out"]), st.sampled_from(["o.json", "o.onnx", "o"]))
def test_convert(data, name, fmt, clamp, layout, output):
    with tempfile.TemporaryDirectory() as d:
        argv = ["convert", _write(d, name, data), "-o", os.path.join(d, output)]
        argv += ["--format", fmt] if fmt else []
        argv += ["--clamp"] if clamp else []
        argv += ["--layout", layout] if layout else []
        run(argv, d)


@fuzz(30)
@given(st.one_of(CONTENT, shaped("fine-tuning").map(_text)), st.sampled_from(["g", "f+g"]),
       st.sampled_from(["e.onnx", "e.npz", "e.safetensors", "e.json", "e.nnet", "e"]),
       st.sampled_from([None, "float32", "float64"]), st.one_of(st.none(), CONTENT),
       st.sampled_from([None, "0", "1/1000", "-1", "x", "1e-3"]), st.booleans())
def test_export(cert, part, output, dtype, probe, tolerance, classes):
    with tempfile.TemporaryDirectory() as d:
        argv = ["export", _write(d, "c.json", cert), "--part", part, "-o", os.path.join(d, output)]
        argv += ["--dtype", dtype] if dtype else []
        argv += ["--probe", _write(d, "p.json", probe)] if probe is not None else []
        argv += ["--tolerance", tolerance] if tolerance else []
        run(argv + (["--classes"] if classes else []), d)


@fuzz(3)
@given(st.sampled_from(["out", "exists-as-file", "a/b/c"]))
def test_demo(outdir):
    with tempfile.TemporaryDirectory() as d:
        if outdir == "exists-as-file":
            _write(d, outdir, b"x")
        run(["demo", "--outdir", os.path.join(d, outdir)], d)


@fuzz(10)
@given(st.lists(st.text(max_size=8), min_size=1, max_size=3), st.sampled_from(["missing", "empty"]))
def test_prove_options(only, proofs):
    """prove runs the whole proof-check suite when its options are good (minutes): fuzzed here are the
    options that must be refused, with the report always written to a temporary folder."""
    from ftcexact.proofcheck import REGISTRY, load_checks
    load_checks()
    only = [o for o in only if o not in REGISTRY] or ["not-a-statement"]
    with tempfile.TemporaryDirectory() as d:
        folder = os.path.join(d, "proofs")
        if proofs == "empty":
            os.mkdir(folder)
        argv = ["prove", "--only", *only, "--no-progress", "--report", os.path.join(d, "r.md"),
                "--artefacts", os.path.join(d, "a")]
        argv += ["--proofs", folder] if proofs == "missing" else []
        assert run(argv, d) == 2


@fuzz(40)
@given(st.lists(st.one_of(st.sampled_from(["verify", "certify", "generate", "search", "--json", "-o", "--K",
                                           "--N", "--budget", "--version", "-h", "--help", "--construction",
                                           "plot", "figure5", "x.json", "--", "-"]),
                          st.text(max_size=6)), max_size=6))
def test_arbitrary_argv(argv):
    """Any command line: argparse errors are exit 2, --help / --version exit 0, nothing else escapes."""
    if "prove" in argv or "demo" in argv:
        return
    with tempfile.TemporaryDirectory() as d:
        run(argv, d)


FUZZED = {"verify", "check-refutation", "certify", "generate", "partition", "pieces", "min-pieces", "lower-bound",
          "plot", "min-width", "search", "convert", "export", "demo", "prove"}
