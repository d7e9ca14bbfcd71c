"""The proof-check framework behind ``ftcexact prove`` and the ``proofs/`` folder.

Every numbered statement of the two papers gets a row: a check function in
``proofs/<paper>_<section>.py`` registered with :func:`statement`.  The printed
text of every statement is transcribed in ``proofs/statements.json``; each of
its entries names the row that decides it (``report_id``), or the proofs module
expected to provide that row (``pending``).  A check computes evidence
(exhaustive small cases through the trusted verifier, lower-bound certificates,
exact arithmetic) and returns a :class:`Verdict` about the *printed* words:

* ``HOLDS``: the printed statement is true (read with the paper's standing
  assumptions; a ``reading`` note says how the project reads anything loose);
* ``HOLDS WITH CORRECTION``: as printed it is false or not established, and the
  stated correction holds (with an artefact and a command that re-checks it);
* ``FAILS``: a counterexample to the printed statement, saved as an artefact
  with a command that re-checks it;
* ``NOT CHECKED``: with the reason.

Claims are data, not prose: each check compares computed values with the
statement's formula, kept in the module-level ``CLAIMS`` dict of its proofs
module, so a test can swap a formula for a wrong one and see ``FAILS``.  A
check's verdict must not depend on the mode: ``--quick`` may gather less
evidence than ``--full`` but decides on the same deterministic instances.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Verdict", "Statement", "Context", "statement", "REGISTRY", "load_checks", "run_checks",
           "write_report", "default_proofs_dir", "find_proofs_dir", "load_printed", "coverage", "HOLDS", "CORRECTED",
           "FAILS", "NOT_CHECKED", "VERDICTS"]

HOLDS, CORRECTED, FAILS, NOT_CHECKED = "HOLDS", "HOLDS WITH CORRECTION", "FAILS", "NOT CHECKED"
VERDICTS = (HOLDS, CORRECTED, FAILS, NOT_CHECKED)


@dataclass
class Verdict:
    """The outcome of one check.

    ``command`` is one or more commands joined by ``" && "``, each exiting 0 when the evidence
    re-checks; ``negative_commands`` are commands that must exit 1 (``s NOT VERIFIED``), e.g. a
    certificate that names the printed statement and is refused.  ``reading`` says how the project
    reads the printed words where they are loose (typos, quantifiers, standing assumptions).
    """

    status: str
    evidence: str
    command: str | None = None
    correction: str | None = None
    artefacts: list = field(default_factory=list)
    reading: str | None = None
    negative_commands: list = field(default_factory=list)

    def __post_init__(self):
        if self.status not in VERDICTS:
            raise ValueError(f"unknown verdict {self.status!r}")
        if self.status in (CORRECTED, FAILS) and not (self.artefacts and self.command):
            raise ValueError(f"a {self.status} verdict must name an artefact and a re-check command")
        if self.status == CORRECTED and not self.correction:
            raise ValueError("HOLDS WITH CORRECTION must state the correction")

    def commands(self):
        """The re-check commands that must exit 0."""
        return [c.strip() for c in (self.command or "").split(" && ") if c.strip()]


@dataclass
class Statement:
    """A row of the report: a statement and the function that checks it."""

    id: str
    source: str
    claim: str
    check: object
    module: str = ""
    quotes: tuple = ()


REGISTRY = {}


def statement(id, source, claim, quotes=()):
    """Register a check: ``@statement("ftc_thm_4_1", "Sohn et al. 2024, Theorem 4.1", "...")``.

    ``claim`` is the statement in the project's words (what is checked).  The printed text comes
    from ``proofs/statements.json`` (every entry whose ``report_id`` is this row); ``quotes`` names
    further entries to quote beside them (decided elsewhere).
    """
    def register(func):
        REGISTRY[id] = Statement(id, source, " ".join(claim.split()), func, func.__module__, tuple(quotes))
        return func
    return register


class Context:
    """What a check may use: the mode, a seeded random source, artefact writing, the verifier.

    Paths shown in commands are relative to ``command_root`` (the directory the run started in)
    when they lie below it, absolute otherwise.
    """

    def __init__(self, mode="quick", artefacts_dir="artefacts", seed=0, command_root=None):
        self.mode = mode
        self.quick = mode == "quick"
        self.artefacts_dir = Path(artefacts_dir)
        self.seed = seed
        self.command_root = Path(command_root or os.getcwd()).resolve()

    def rng(self, salt):
        return random.Random(f"{self.seed}:{salt}")

    def limit(self, quick, full):
        """A size limit: the quick value in ``--quick`` mode, the full one in ``--full``.

        Use it only for evidence that cannot change the verdict (more random instances, larger
        exhaustive ranges whose outcome is known from the proof); a verdict must not depend on it.
        """
        return quick if self.quick else full

    def display_path(self, path):
        """``path`` as written in a re-check command."""
        path = Path(path).resolve()
        try:
            return str(path.relative_to(self.command_root))
        except ValueError:
            return str(path)

    def write_artefact(self, name, obj):
        """Write a JSON artefact atomically; return its path as shown in commands."""
        from .certificate import write_json_atomic
        path = self.artefacts_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(obj, str(path), indent=1)
        return self.display_path(path)

    @staticmethod
    def verify(path):
        """The trusted verifier's exit code on a certificate file (0 = VERIFIED)."""
        from .kernel.verify import run
        return run(str(path), out=io.StringIO(), err=io.StringIO())

    @staticmethod
    def verify_object(cert, folder):
        """Verify a certificate object by writing it to ``folder`` first."""
        from .certificate import write_json_atomic
        path = os.path.join(folder, "check.json")
        write_json_atomic(cert, path)
        return Context.verify(path)


def default_proofs_dir():
    """``proofs/`` beside the package (a source checkout or an editable install)."""
    return Path(__file__).resolve().parent.parent / "proofs"


def find_proofs_dir(explicit=None):
    """The proofs folder: ``explicit``, else the checkout's ``proofs/`` beside the package, else
    ``./proofs`` in the current directory (an installed package run from a checkout)."""
    if explicit:
        return Path(explicit)
    for folder in (default_proofs_dir(), Path.cwd() / "proofs"):
        if folder.is_dir() and any(folder.glob("*.py")):
            return folder
    raise FileNotFoundError(f"no proofs folder beside the package ({default_proofs_dir()}) or in the current "
                            f"directory")


_LOADED_FROM = {}


def load_checks(proofs_dir=None):
    """Import every ``proofs/*.py`` module so that its statements register."""
    folder = Path(proofs_dir) if proofs_dir else find_proofs_dir()
    if not folder.is_dir():
        raise FileNotFoundError(f"no proofs folder at {folder}")
    for path in sorted(folder.glob("*.py")):
        if path.name.startswith("_"):
            continue
        name = f"ftcexact_proofs.{path.stem}"
        if name in sys.modules:
            continue
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    _LOADED_FROM["folder"] = folder
    return REGISTRY


# ---------------------------------------------------------------- printed statements and coverage

def load_printed(proofs_dir=None):
    """The entries of ``proofs/statements.json`` (id -> entry, in file order), or {} if absent."""
    folder = Path(proofs_dir) if proofs_dir else _LOADED_FROM.get("folder") or find_proofs_dir()
    path = Path(folder) / "statements.json"
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    return {e["id"]: e for e in doc["statements"]}


def coverage(entries, registry=None):
    """Which row decides each printed statement.

    Returns ``(by_entry, by_row)``: ``by_entry[entry_id]`` is ``("row", [row ids])`` when registered
    rows decide it (its ``report_id``, or every row of its ``pending`` module, with ids starting with
    the pending ``prefix`` if given, once that module is loaded), ``("pending", reason)`` when its module is
    absent, ``("missing", why)`` otherwise;
    ``by_row[row_id]`` lists the entries a row quotes (its own first).
    """
    registry = REGISTRY if registry is None else registry
    by_entry, by_row = {}, {rid: [] for rid in registry}
    for eid, entry in entries.items():
        rid, pending = entry.get("report_id"), entry.get("pending")
        if rid and rid in registry:
            rows = [rid]
        elif pending:
            module = f"ftcexact_proofs.{Path(pending['module']).stem}"
            rows = [st.id for st in registry.values()
                    if st.module == module and st.id.startswith(pending.get("prefix", ""))]
        else:
            rows = []
        if rows:
            by_entry[eid] = ("row", rows)
            for r in rows:
                by_row[r].append(eid)
        elif pending:
            by_entry[eid] = ("pending", f"expected from {pending['module']} ({pending['reason']})")
        else:
            by_entry[eid] = ("missing", f"report_id {rid!r} is not a registered row" if rid else "no row")
    for st in registry.values():
        for eid in st.quotes:
            if eid in entries and eid not in by_row[st.id]:
                by_row[st.id].append(eid)
    for rid, eids in by_row.items():
        eids.sort(key=lambda e: (e != rid, list(entries).index(e)))
    return by_entry, by_row


def short_source(entry):
    """``[FTC] PDF p. 3 (PMLR p. 3266)`` or the [YSJ] source actually used (e.g. ``seed slides 002``)."""
    source_file = entry.get("source_file") or ""
    page = entry.get("page")
    if entry.get("paper") == "FTC":
        journal = f" (PMLR p. {entry['printed_page']})" if entry.get("printed_page") else ""
        return f"[FTC] PDF p. {page}{journal}"
    if source_file.startswith("FTC"):
        return f"[FTC] PDF p. {page}, describing [YSJ] (full [YSJ] text not reachable)"
    used = []
    for key, label in (("seed slides 002", "seed slides 002"), ("NeurIPS 2019 proceedings metadata",
                                                                  "NeurIPS 2019 abstract (proceedings metadata)"),
                       ("arXiv 1810.07770v3", "arXiv v3 LaTeX (first page only)"),
                       ("seed 001", "seed 001 (NeurIPS review excerpt)")):
        if key in source_file:
            used.append(label)
    return "[YSJ] " + (", ".join(used) or source_file[:80]) + " (full [YSJ] text not reachable)"


# ---------------------------------------------------------------- running

def _order(st):
    return getattr(sys.modules.get(st.module), "ORDER", 99)


def run_checks(ids=None, mode="quick", artefacts_dir="artefacts", progress=True, command_root=None):
    """Run the selected checks; return ``[(statement, verdict, seconds), ...]``.

    A check that raises is reported as NOT CHECKED with the exception, so one
    broken check never hides the others.
    """
    # Report in the papers' order: each proofs module may set ORDER (e.g. its section number).
    chosen = [REGISTRY[i] for i in ids] if ids else sorted(REGISTRY.values(), key=_order)
    ctx = Context(mode, artefacts_dir, command_root=command_root)
    results = []
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(chosen), file=sys.stderr, unit="check", leave=False)
    for st in chosen:
        if bar:
            bar.set_description(st.id)
        start = time.perf_counter()
        try:
            verdict = st.check(ctx)
        except Exception as e:  # noqa: BLE001 - reported, not hidden
            verdict = Verdict(NOT_CHECKED, f"the check raised {type(e).__name__}: {e}")
        results.append((st, verdict, time.perf_counter() - start))
        if bar:
            bar.update()
    if bar:
        bar.close()
    return results


# ---------------------------------------------------------------- the report

def _md(text):
    """Plain text for Markdown (one line), escaping only what would change its rendering: backslashes before
    punctuation, asterisks, pipes, backticks, underscores at word edges, '<' that could open a tag, and
    '[...]' followed by '(' or ':' (a link)."""
    text = " ".join((text or "").split())
    text = re.sub(r"\\(?=[!-/:-@\[-`{-~])", r"\\\\", text)
    text = re.sub(r"([*|`])", r"\\\1", text)
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)
    return re.sub(r"\[([^\]]*)\](?=[(:])", r"\\[\1\\]", text)


def _code(command):
    return "`" + command.replace("`", "'") + "`"


def parse_report(text):
    """Rows of a report written by :func:`write_report`: id -> {"verdict", "commands", "negative"}."""
    rows, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^### (\S+)\s*$", line)
        if m:
            current = rows.setdefault(m.group(1), {"verdict": None, "commands": [], "negative": []})
            continue
        if current is None:
            continue
        m = re.match(r"^- \*\*Verdict:\*\* \*\*(.+?)\*\*", line)
        if m:
            current["verdict"] = m.group(1)
        elif line.startswith("- **Re-check** (each exits 0):"):
            current["commands"] = re.findall(r"`([^`]+)`", line.split(":", 1)[1])
        elif line.startswith("- **Refused as expected**"):
            current["negative"] = re.findall(r"`([^`]+)`", line.split(":", 1)[1])
    return rows


def write_report(results, path, mode, extra_sections=(), entries=None, where=None, registry=None):
    """Write the Markdown report (a summary table, then one section per row) and return its text.

    ``entries`` are the printed statements (:func:`load_printed`); ``where`` says from which
    directory the re-check commands run.
    """
    entries = load_printed() if entries is None else entries
    by_entry, by_row = coverage(entries, registry)
    counts = {}
    for _, v, _ in results:
        counts[v.status] = counts.get(v.status, 0) + 1
    summary = ", ".join(f"{k}: {counts[k]}" for k in VERDICTS if k in counts)
    lines = [
        "# Proof report", "",
        f"Generated by `ftcexact prove --{mode}`; do not edit by hand. {len(results)} rows, "
        f"{sum(t for _, _, t in results):.0f} s. **Summary: {summary}.**", "",
        "Each row quotes the statement **as printed** (transcribed in `proofs/statements.json`, with its source: the "
        "[FTC] PDF page, or for [YSJ], whose full text was not reachable, the seed slides 002 or the other source "
        "named), states what the project checks in its own words, and gives the verdict, the evidence and commands "
        "that re-check the evidence. A verdict is about the printed words:", "",
        "- **HOLDS**: the printed statement is true, read with the paper's standing assumptions (e.g. distinct "
        "inputs, [FTC] §1); a *Reading* line says how anything loose in the wording is read;",
        "- **HOLDS WITH CORRECTION**: as printed it is false or not established, and the stated correction holds;",
        "- **FAILS**: the printed statement is false on an instance it covers; the counterexample is an artefact;",
        "- **NOT CHECKED**: with the reason.", "",
        "Re-check commands: " + (where or "run them from the directory the run started in") + ". Commands under "
        "*Re-check* exit 0; commands under *Refused as expected* exit 1 (`s NOT VERIFIED`: e.g. a certificate that "
        "names the printed statement, whose bound the kernel recomputes and finds exceeded). `ftcexact prove --only "
        "ID` re-runs one row without writing a report.", "",
        "| row | statement | printed source | verdict |", "| --- | --- | --- | --- |"]
    for st, v, _ in results:
        own = entries.get(st.id) or (entries.get(by_row[st.id][0]) if by_row.get(st.id) else None)
        src = short_source(own) if own else "ours (no printed source)"
        lines.append(f"| [{st.id}](#{st.id}) | {_md(st.source)} | {_md(src)} | **{v.status}** |")
    lines += ["", "## Rows", ""]
    for st, v, seconds in results:
        lines += [f"### {st.id}", "", f"**{_md(st.source)}**", ""]
        quoted = by_row.get(st.id, [])
        for k, eid in enumerate(quoted):
            e = entries[eid]
            label = f"{_md(e['source'])} — {_md(short_source(e))}" + ("" if eid == st.id else f" (entry `{eid}`)")
            text = "> " + _md(e["printed"])
            if k == 0 or len(e["printed"]) <= 400:
                lines += [f"Printed, {label}:", "", text, ""]
            else:
                lines += ["<details><summary>Printed, " + label + "</summary>", "", text, "", "</details>", ""]
        if not quoted:
            lines += ["Printed: no transcription in `proofs/statements.json` (a statement of the project, or one "
                      "not transcribed).", ""]
        lines.append(f"- **Checked (project's words):** {_md(st.claim)}")
        if v.reading:
            lines.append(f"- **Reading:** {_md(v.reading)}")
        lines.append(f"- **Verdict:** **{v.status}**")
        if v.correction:
            lines.append(f"- **Correction:** {_md(v.correction)}")
        lines.append(f"- **Evidence:** {_md(v.evidence)} ({seconds:.1f} s)")
        if v.commands():
            lines.append("- **Re-check** (each exits 0): " + " ; ".join(_code(c) for c in v.commands()))
        if v.negative_commands:
            lines.append("- **Refused as expected** (each exits 1, `s NOT VERIFIED`): "
                         + " ; ".join(_code(c) for c in v.negative_commands))
        if v.artefacts:
            lines.append("- **Artefacts:** " + ", ".join(_code(a) for a in v.artefacts))
        lines.append("")
    if entries:
        ran = {st.id for st, _, _ in results}
        lines += ["## Coverage of `proofs/statements.json`", "",
                  "Every transcribed statement and the row that decides it (its own row, or the row that covers "
                  "it and quotes it). Entries whose row comes from a proofs module not present in this checkout "
                  "are listed as pending.", "",
                  "| entry | printed source | decided by |", "| --- | --- | --- |"]
        for eid, (kind, info) in by_entry.items():
            if kind == "row":
                cell = ", ".join((f"[{r}](#{r})" if r in ran else f"{r} (not run)") for r in info)
                cell = ("own row: " if eid in info else "covered by ") + cell
            else:
                cell = f"**{kind}**: {_md(info)}"
            lines.append(f"| `{eid}` | {_md(short_source(entries[eid]))} | {cell} |")
    for section in extra_sections:
        lines += ["", section]
    text = "\n".join(lines) + "\n"
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text, encoding="utf-8")
    return text


def results_json(results, entries=None):
    entries = load_printed() if entries is None else entries
    _, by_row = coverage(entries)
    return [{"id": st.id, "source": st.source, "claim": st.claim, "verdict": v.status,
             "printed": [{"entry": e, "source": short_source(entries[e]), "text": entries[e]["printed"]}
                         for e in by_row.get(st.id, [])],
             "reading": v.reading, "evidence": v.evidence, "correction": v.correction, "commands": v.commands(),
             "negative_commands": v.negative_commands, "artefacts": v.artefacts, "seconds": round(t, 2)}
            for st, v, t in results]


def write_json(results, path):
    Path(path).write_text(json.dumps(results_json(results), indent=1) + "\n", encoding="utf-8")


def construction_evidence(ctx, name, datasets, within_bound, **options):
    """Certify construction ``name`` on each dataset and run the trusted verifier.

    Returns a dict: ``verified`` (count), ``rejected`` (certificates the verifier refused: a bug in
    the construction), ``refused`` (message -> count of ``ValueError`` refusals, e.g. a paper step
    that fails on the instance), ``over`` (verified certificates whose neuron count exceeds the
    statement's bound, as decided by ``within_bound(N, K, neurons)``) and ``max_bits``.
    """
    import tempfile

    from .constructions import certify
    stats = {"verified": 0, "rejected": [], "refused": {}, "over": [], "datasets": 0}
    with tempfile.TemporaryDirectory() as tmp:
        for ds in datasets:
            stats["datasets"] += 1
            try:
                cert = certify(ds, name, **options)
            except ValueError as e:
                key = str(e).split(":")[0][:100]
                stats["refused"][key] = stats["refused"].get(key, 0) + 1
                continue
            if Context.verify_object(cert, tmp) != 0:
                stats["rejected"].append(cert)
                continue
            stats["verified"] += 1
            if not within_bound(ds.N, ds.K, cert["claim"]["neurons"]):
                stats["over"].append(cert)
    return stats


def three_layer_datasets(ctx, salt, count, K_max=24, d_max=4):
    """Random datasets with labels in [-1, 1] (the setting of [FTC] §5): every N from 0 to K on small K,
    T containing 1, K and adjacent indices, repeated targets, several dimensions."""
    from .dataset import Dataset
    from .kernel.numbers import Q
    rng = ctx.rng(salt)
    out = []
    for i in range(count):
        K = rng.randint(1, K_max)
        d = rng.randint(1, d_max)
        kind = i % 4
        if kind == 0:
            T = sorted(rng.sample(range(1, K + 1), rng.randint(0, K)))
        elif kind == 1:
            T = sorted({1, K})
        elif kind == 2:
            s = rng.randint(1, K)
            T = list(range(s, min(K, s + 3) + 1))
        else:
            T = list(range(1, K + 1))
        values = [Q(rng.randint(-8, 8), 8) or Q(1, 2) for _ in T]
        if kind == 3 and values:
            values = [values[0]] * len(values) if rng.random() < 0.5 else values  # repeated targets
        xs = set()
        while len(xs) < K:
            xs.add(tuple(Q(rng.randint(-20, 20), rng.randint(1, 4)) for _ in range(d)))
        z = {t: v for t, v in zip(T, values)}
        out.append(Dataset(tuple(sorted(xs)), tuple((z.get(i + 1, Q(0)),) for i in range(K))))
    return out
