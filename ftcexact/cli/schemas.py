"""The JSON object every ``ftcexact COMMAND --json`` prints: one documented schema per command.

``SCHEMAS[command]`` is ``(summary, fields)``; ``fields`` maps a field path
to ``(type, meaning)``:

* a path is ``name`` (a key of the object), ``name.sub`` (a key of the
  object ``name``) or ``name[].sub`` (a key of every object in the list
  ``name``); a trailing ``?`` marks a field that is present only in the
  case its meaning names (printed as *optional* in docs/cli.md);
* a type is ``int``, ``number`` (int or float), ``str``, ``bool``, ``null``,
  ``object``, ``list``, ``list[T]`` or alternatives ``A|B``.

An object with documented keys has exactly those keys (no others), so a new
field needs a line here, and then in docs/cli.md, whose tables are generated
from this module (``python -m ftcexact.cli.schemas docs/cli.md`` rewrites
them; a test checks they agree).  :func:`validate` checks a printed object.
"""

from __future__ import annotations

import sys

__all__ = ["SCHEMAS", "validate", "markdown", "update_document"]

_VERDICT = ('str', '"VERIFIED", "NOT VERIFIED", "MALFORMED" or "INTERNAL ERROR"')
_KERNEL = {
    "verdict": _VERDICT,
    "exit": ("int", "the exit code, as without --json: 0 VERIFIED, 1 NOT VERIFIED, 2 malformed, 3 internal error"),
    "lines": ("list[str]", "the kernel's comment lines (each starts with \"c \")"),
    "reason": ("str", "why it failed (the FAIL line, or the malformed-input message); empty when verified"),
}

SCHEMAS = {
    "certify": ("The certificate written and a summary of g.", {
        "certificate": ("str", "the certificate file written (-o)"),
        "construction": ("str", "the construction used"),
        "statement": ("str|null", "the registered statement the certificate claims (null: only that g fits)"),
        "K": ("int", "number of data points"),
        "d": ("int", "input dimension"),
        "N": ("int", "number of changed labels |T|"),
        "keeps": ("int", "labels that keep the frozen network's value (null/NaN/-1)"),
        "neurons": ("int", "ReLU neurons of g"),
        "widths": ("list[int]", "hidden widths of g, first to last"),
        "max_weight_bits": ("int", "bits of the largest weight numerator plus denominator"),
        "max_abs_weight": ("str", "largest |weight| (decimal, for display)"),
        "max_abs_target": ("str", "largest |z_i| (decimal, for display)"),
        "g_between_data": ("str|null", "largest |g| between the smallest and largest projected point "
                                       "(null: g reads more than one direction)"),
        "warnings": ("list[str]", "fragility warnings (large weights, large g between the data)"),
        "frozen": ("object|null", "the frozen network reference written into the certificate (null: none)"),
    }),
    "verify": ("The trusted kernel's verdict; the exit code is the same as without --json.", dict(_KERNEL)),
    "check-refutation": ("The kernel's verdict on a refutation or on every record of a search file.",
                         dict(_KERNEL)),
    "generate": ("The dataset written; T is in the file only (the indices where y != f).", {
        "output": ("str", "the dataset file written (-o)"),
        "d": ("int", "input dimension"),
        "K": ("int", "number of points"),
        "N": ("int", "number of changed labels"),
        "seed": ("int", "the random seed"),
        "with_f": ("bool", "whether the file has random frozen values f"),
    }),
    "demo": ("One row per (instance, construction); with --real, the digits patch report.", {
        "rows": ("list[object]", "one row per certificate"),
        "rows[].construction": ("str", "the construction"),
        "rows[].neurons": ("int", "ReLU neurons of g"),
        "rows[].statement": ("str|null", "the registered statement claimed"),
        "rows[].instance?": ("str", "built-in demo: the instance"),
        "rows[].layers?": ("int", "built-in demo: hidden layers of g"),
        "rows[].bound?": ("str", "built-in demo: the statement's bound, as recomputed by the verifier"),
        "rows[].verdict?": ("str", "built-in demo: the verifier's last line without \"s \""),
        "rows[].seconds?": ("number", "built-in demo: certify + verify time"),
        "rows[].certificate?": ("str|null", "built-in demo: the certificate file (null without --outdir)"),
        "rows[].widths?": ("list[int]", "--real: hidden widths of g"),
        "rows[].verified?": ("bool", "--real: the verifier accepted the certificate"),
        "rows[].max_weight_bits?": ("int", "--real: bits of the largest weight"),
        "rows[].g_between_data?": ("str|null", "--real: largest |g| between the data (decimal)"),
        "rows[].certify_and_verify_s?": ("number", "--real: certify + verify time"),
        "rows[].float32?": ("object", "--real: onnxruntime results of the float32 export"),
        "rows[].float64?": ("object", "--real: onnxruntime results of the float64 export"),
        "exit": ("int", "the exit code: 0 when every certificate verified"),
        "K?": ("int", "--real: training images"),
        "N?": ("int", "--real: changed labels"),
        "d?": ("int", "--real: input dimension"),
        "changed?": ("list[int]", "--real: indices of the changed training images (0-based)"),
        "f_accuracy_train?": ("number", "--real: accuracy of f on the training images"),
        "f_accuracy_test?": ("number", "--real: held-out accuracy of f"),
        "bounds?": ("object", "--real: Theorem 4.1's bounds for this N, K"),
        "folder?": ("str", "--real: where the files are"),
    }),
    "partition": ("P([K] \\ T), the kept set J and Lemmas 4.6-4.7.", {
        "K": ("int", "number of points"),
        "T": ("list[int]", "the changed indices, sorted (1-based)"),
        "N": ("int", "|T|"),
        "partition": ("list[list[int]]", "the blocks of the consecutive partition of [K] \\ T"),
        "kept": ("list[int]", "the kept set J of Theorem 4.4"),
        "dropped": ("list[int]", "the interior points Theorem 4.4 drops"),
        "theorem_4_4_neurons": ("int", "K - 1 - sum_P max{|P| - 2, 0}"),
        "theorem_4_1_upper": ("int", "min{3N + 1, K - 1}"),
        "lemma_4_6": ("bool", "Lemma 4.6 holds on this instance"),
        "lemma_4_7": ("bool", "Lemma 4.7 holds on this instance"),
    }),
    "pieces": ("The exact restriction of the network to the line point + t direction.", {
        "file": ("str", "the network or certificate read"),
        "pieces": ("int", "affine pieces (adjacent equal pieces merged)"),
        "breakpoints": ("list[str]", "the breakpoints t, increasing (exact rationals)"),
        "slopes": ("list[str|list[str]]", "slope of each piece (a list per piece for several outputs)"),
        "intercepts": ("list[str|list[str]]", "intercept of each piece"),
        "point": ("list[str]|null", "--point (null: 0)"),
        "direction": ("list[str]|null", "the direction used (null: t -> t for one input)"),
        "segment": ("list[str]|null", "--segment [A, B] (null: the whole line)"),
    }),
    "min-pieces": ("The fewest pieces of any continuous interpolant of the (projected) data, with a witness.", {
        "min_pieces": ("int", "the fewest affine pieces"),
        "witness": ("object", "an interpolant attaining it"),
        "witness.vertices": ("list[str]", "its breakpoints"),
        "witness.values": ("list[str]", "its values at the breakpoints"),
        "witness.left_slope": ("str", "slope left of the first breakpoint"),
        "witness.right_slope": ("str", "slope right of the last breakpoint"),
    }),
    "lower-bound": ("A certified lower bound on the neurons by piece counting.", {
        "bound": ("int", "every network of the architecture fitting the dataset has at least this many neurons"),
        "min_pieces": ("int", "pieces every interpolant of the dataset needs"),
        "architecture": ("str", "--arch"),
        "N": ("int", "changed labels of the dataset"),
        "K": ("int", "points of the dataset"),
        "dataset": ("object", "the dataset (x, y as exact strings)"),
        "certificate": ("str|null", "the lower-bound certificate written (-o; null: none)"),
    }),
    "min-width": ("The exact least width of one hidden layer, or certified bounds.", {
        "K": ("int", "number of points"),
        "N": ("int", "changed labels"),
        "d": ("int", "input dimension"),
        "method": ("str", "oracle or z3"),
        "paper_bounds": ("object", "Theorem 4.1's worst-case bounds for this N, K"),
        "min_width": ("int|null", "the least width (null: not decided)"),
        "decided": ("bool", "whether min_width is exact"),
        "certificate": ("str|null", "certificate of a network of that width (-o; null: none written)"),
        "refutation": ("str|null", "refutation of one neuron less (null: none written, or nothing to refute)"),
        "free_kinks?": ("int", "oracle on a line: interior kinks of the best interpolant"),
        "pieces?": ("int", "oracle on a line: its pieces"),
        "case?": ("str", "oracle on a line: which case of docs/search.md decides"),
        "distinct_points?": ("int", "oracle on a line: distinct points on the line"),
        "lower?": ("int", "not decided: a lower bound (oracle: certified on lower_points; z3 timeout: z3's)"),
        "upper?": ("int|null", "not decided: an upper bound (null after a z3 timeout)"),
        "lower_points?": ("list[int]", "points not on a line: the collinear subset the lower bound uses"),
        "upper_direction?": ("list[str]", "points not on a line: the direction the upper bound reads"),
        "note?": ("str", "z3, or points not on a line: how to read the answer"),
    }),
    "search": ("The best record per (N, K) of the results file.", {
        "arch": ("str", "two-layer or three-layer"),
        "output": ("str", "the results file (JSON lines)"),
        "rows": ("list[object]", "one row per (N, K), by K then N"),
        "rows[].N": ("int", "changed labels"),
        "rows[].K": ("int", "points"),
        "rows[].paper_lower": ("int", "the paper's lower bound for N, K"),
        "rows[].records": ("int", "records of this (N, K) in the file"),
        "rows[].index": ("int", "candidate index of the best record"),
        "rows[].seed": ("int", "seed of the best record"),
        "rows[].best_min_width?": ("int", "two-layer: largest exact least width found"),
        "rows[].paper_upper?": ("int", "two-layer: the paper's upper bound"),
        "rows[].found?": ("str", "two-layer: which bound the best record attains"),
        "rows[].best_min_pieces?": ("int", "three-layer: largest least piece count found"),
        "rows[].max_possible?": ("int", "three-layer: the largest possible piece count"),
        "rows[].certified_lower_bound?": ("int", "three-layer: the lower bound on d1 + d2 it certifies"),
    }),
    "prove": ("A verdict per statement of both papers.", {
        "report": ("str|null", "the report written (null: none, e.g. with --only)"),
        "artefacts": ("str|null", "the artefacts folder (null: none kept)"),
        "exit": ("int", "the exit code: 1 when a check raised, else 0"),
        "statements": ("list[object]", "one entry per statement checked"),
        "statements[].id": ("str", "the statement id"),
        "statements[].source": ("str", "where it is printed"),
        "statements[].claim": ("str", "what it says"),
        "statements[].verdict": ("str", "the verdict (docs/proof-report.md)"),
        "statements[].printed": ("list[object]", "the printed text it decides"),
        "statements[].reading": ("str|null", "how an ambiguous statement was read"),
        "statements[].evidence": ("str", "the evidence"),
        "statements[].correction": ("str|null", "a corrected statement, if any"),
        "statements[].commands": ("list[str]", "commands that re-check it"),
        "statements[].negative_commands": ("list[str]", "commands that must fail"),
        "statements[].artefacts": ("list[str]", "files it wrote"),
        "statements[].seconds": ("number", "time taken"),
    }),
    "convert": ("The exact network written.", {
        "model": ("str", "the model read"),
        "format": ("str", "its format"),
        "sha256": ("str", "SHA-256 of its bytes"),
        "architecture": ("str", "inputs -> widths -> outputs"),
        "neurons": ("int", "ReLU neurons"),
        "parameters": ("int", "weights and biases"),
        "output": ("str", "the ftcexact-network file written (-o)"),
    }),
    "export": ("The model written and its deployability report (docs/models.md).", {
        "certificate": ("str", "the certificate read"),
        "part": ("str", "g or f+g"),
        "output": ("str", "the model written (-o)"),
        "format": ("str", "onnx, npz, safetensors or json"),
        "dtype": ("str", "float32, float64 or exact"),
        "architecture": ("str", "inputs -> widths -> outputs"),
        "neurons": ("int", "ReLU neurons of the exported network"),
        "report": ("object", "the deployability report"),
        "report.dtype": ("str", "as above"),
        "report.K": ("int", "data points checked"),
        "report.N": ("int", "changed labels"),
        "report.weights": ("object", "how many weights rounding changed, and by how much"),
        "report.tolerance": ("number", "the relative tolerance used"),
        "report.exact_network_fits": ("bool", "the exact network fits every label"),
        "report.max_abs_error": ("object", "largest error, exact and rounded"),
        "report.changed_labels": ("object", "changed labels: total, exact, within tolerance"),
        "report.kept_labels": ("object", "unchanged labels: total, exact, within tolerance"),
        "report.outside_tolerance": ("int", "points outside the tolerance"),
        "report.failures": ("list[int]", "the first such points (1-based)"),
        "report.classification": ("object|null", "predicted classes (null: not class labels)"),
        "report.probes": ("object|null", "movement at --probe points (null: none given)"),
    }),
    "three-layer-width": ("The least d1 + d2 of two hidden layers fitting 1-D data, with every decision.", {
        "name": ("str", "the dataset's file name"),
        "N": ("int", "changed labels"),
        "K": ("int", "points"),
        "x": ("list[str]", "the points"),
        "z": ("list[str]", "the targets"),
        "least": ("int|null", "the least d1 + d2 (null: a capped search left a gap)"),
        "pairs": ("list[list[int]]", "the (d1, d2) attaining it"),
        "no_below_proved": ("bool", "every NO below is proved (not only z3's answer)"),
        "lower": ("int", "lower bound on d1 + d2"),
        "upper": ("int|null", "upper bound on d1 + d2"),
        "pieces": ("int", "fewest pieces of an interpolant"),
        "two_layer_width": ("int", "the least width of one hidden layer"),
        "decisions": ("list[object]", "one decision per (d1, d2) tried"),
        "decisions[].d1": ("int", "first hidden width"),
        "decisions[].d2": ("int", "second hidden width"),
        "decisions[].status": ("str", "yes, no or unknown"),
        "decisions[].method": ("str", "how it was decided"),
        "decisions[].proved": ("bool", "decided by a proof (not only a solver's answer)"),
        "decisions[].nodes": ("int", "branch-and-bound boxes"),
        "decisions[].seconds": ("number", "time taken"),
        "decisions[].pieces?": ("int", "the piece count used"),
        "decisions[].limit?": ("int", "a piece-count NO: the most pieces of (d1, d2)"),
        "decisions[].verified?": ("bool", "a YES: the verifier accepted its certificate"),
        "decisions[].network?": ("list[object]", "a YES: the network (certificate layer list)"),
        "seconds": ("number", "total time"),
        "limits": ("object", "--time-limit, --max-nodes, --max-width"),
    }),
    "three-layer-table": ("The datasets decided by this run (or, with --markdown, the table).", {
        "output": ("str|null", "the JSONL file appended to (-o; null: none)"),
        "datasets": ("list[object]", "one entry per dataset decided in this run"),
        "datasets[].name": ("str", "the dataset's name"),
        "datasets[].least": ("int|null", "least d1 + d2"),
        "datasets[].pairs": ("list[list[int]]", "the (d1, d2) attaining it"),
        "datasets[].pieces": ("int", "fewest pieces of an interpolant"),
        "datasets[].two_layer_width": ("int", "least width of one hidden layer"),
        "datasets[].seconds": ("number", "time taken"),
        "skipped": ("list[str]", "datasets already in the output file"),
        "markdown": ("str|null", "--markdown: the table (null otherwise)"),
    }),
    "plot": ("The picture written.", {
        "output": ("str", "the .png or .svg written (-o)"),
        "kind": ("str", "certificate, lower-bound, dataset or figure5"),
        "titles": ("list[str]", "the title of each panel"),
        "pieces": ("int|null", "pieces of the drawn function (null for figure5)"),
        "m": ("list[int]|null", "figure5: the neuron counts drawn, one panel each, all with certified values"),
        "notes": ("list[str]", "figure5: what was drawn differently from the formulas (e.g. A < 0 drawn at 0)"),
    }),
}


def _split(types):
    """Top-level alternatives of a type: ``"list[str|int]|null"`` -> ``["list[str|int]", "null"]``."""
    out, depth, cur = [], 0, ""
    for ch in types:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "|" and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    return out + [cur]


def type_ok(value, types):
    """Whether ``value`` has one of the ``types`` (grammar in the module docstring).

    Examples
    --------
    >>> type_ok([["1"], "2"], "list[str|list[str]]"), type_ok(None, "int|null"), type_ok(True, "int")
    (True, True, False)
    """
    for t in _split(types):
        if t.startswith("list[") and t.endswith("]"):
            if isinstance(value, list) and all(type_ok(v, t[5:-1]) for v in value):
                return True
        elif {"int": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
              "str": lambda v: isinstance(v, str), "bool": lambda v: isinstance(v, bool),
              "null": lambda v: v is None, "object": lambda v: isinstance(v, dict),
              "list": lambda v: isinstance(v, list)}[t](value):
            return True
    return False


def _tree(fields):
    """``{name: {"type", "optional", "keys": {...}, "items": {...}}}`` from the flat field paths."""
    root = {}
    for path, (types, _) in fields.items():
        optional = path.endswith("?")
        parts = path.rstrip("?").replace("[].", "[]|").replace(".", "|").split("|")
        node = root
        for part in parts[:-1]:
            key = part.rstrip("[]")
            entry = node[key]
            node = entry.setdefault("items" if part.endswith("[]") else "keys", {})
        node[parts[-1]] = {"type": types, "optional": optional}
    return root


def _check(obj, spec, where, problems):
    if not isinstance(obj, dict):
        problems.append(f"{where or 'output'}: expected an object")
        return
    for key in obj:
        if key not in spec:
            problems.append(f"{where}{key}: not documented")
    for key, node in spec.items():
        if key not in obj:
            if not node["optional"]:
                problems.append(f"{where}{key}: missing")
            continue
        value = obj[key]
        if not type_ok(value, node["type"]):
            problems.append(f"{where}{key}: {type(value).__name__} is not {node['type']}")
            continue
        if "keys" in node and isinstance(value, dict):
            _check(value, node["keys"], f"{where}{key}.", problems)
        if "items" in node and isinstance(value, list):
            for i, item in enumerate(value):
                _check(item, node["items"], f"{where}{key}[{i}].", problems)


def validate(command, obj):
    """Problems of ``obj`` against ``SCHEMAS[command]`` (an empty list: it conforms).

    Examples
    --------
    >>> validate("generate", {"output": "d.json", "d": 2, "K": 10, "N": 3, "seed": 0, "with_f": False})
    []
    >>> validate("generate", {"output": "d.json", "d": "2", "K": 10, "N": 3, "seed": 0, "T": []})
    ['T: not documented', 'd: str is not int', 'with_f: missing']
    """
    problems = []
    _check(obj, _tree(SCHEMAS[command][1]), "", problems)
    return problems


def markdown():
    """The tables of docs/cli.md: one section per command, fields in the order above."""
    out = []
    for command, (summary, fields) in SCHEMAS.items():
        out += [f"### `ftcexact {command} --json`", "", summary, "", "| field | type | meaning |",
                "| --- | --- | --- |"]
        for path, (types, meaning) in fields.items():
            name = path.rstrip("?")
            note = "*optional:* " if path.endswith("?") else ""
            out.append(f"| `{name}` | `{types.replace('|', ' or ')}` | {note}{meaning.replace('|', chr(92) + '|')} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


BEGIN = "<!-- BEGIN SCHEMAS: generated by `python -m ftcexact.cli.schemas docs/cli.md`; do not edit -->"
END = "<!-- END SCHEMAS -->"


def update_document(text):
    """``text`` with the part between :data:`BEGIN` and :data:`END` replaced by :func:`markdown`."""
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n\n{markdown()}\n{END}{tail}"


if __name__ == "__main__":  # python -m ftcexact.cli.schemas docs/cli.md
    path = sys.argv[1]
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(update_document(text))
