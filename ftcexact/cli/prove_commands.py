"""``ftcexact prove``: run the proof-check suite and write docs/proof-report.md."""

from __future__ import annotations

import sys
from pathlib import Path

from .main import UsageError, check_output


def cmd_prove(args):
    from ..proofcheck import NOT_CHECKED, REGISTRY, default_proofs_dir, load_checks, run_checks, write_json, \
        write_report
    proofs_dir = args.proofs or default_proofs_dir()
    sources = sorted(Path(proofs_dir).glob("*.py")) if Path(proofs_dir).is_dir() else []
    check_output(args.report, *sources)
    check_output(args.json, args.report, *sources)
    try:
        load_checks(proofs_dir)
    except FileNotFoundError as e:
        raise UsageError(f"{e}; run from a source checkout or give --proofs") from None
    unknown = [i for i in args.only or [] if i not in REGISTRY]
    if unknown:
        raise UsageError(f"unknown statement id(s): {', '.join(unknown)}; known: {', '.join(sorted(REGISTRY))}")
    mode = "full" if args.full else "quick"
    results = run_checks(args.only, mode, args.artefacts, progress=not args.no_progress)
    sections = []
    if not args.only:
        from ..tightness import tightness_sections
        sections = tightness_sections(quick=mode == "quick")
    write_report(results, args.report, mode, sections)
    if args.json:
        write_json(results, args.json)
    width = max(len(st.id) for st, _, _ in results)
    for st, v, seconds in results:
        print(f"{st.id:<{width}}  {v.status:<22} {seconds:6.1f}s  {v.evidence[:90]}")
    broken = [st.id for st, v, _ in results if v.status == NOT_CHECKED and v.evidence.startswith("the check raised")]
    if broken:
        print(f"checks that raised: {', '.join(broken)}", file=sys.stderr)
        return 1
    return 0


def register(sub):
    from ..proofcheck import default_proofs_dir
    s = sub.add_parser("prove", help="run the proof-check suite (a verdict per numbered statement)")
    group = s.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_true", help="small exhaustive limits (default; part of CI)")
    group.add_argument("--full", action="store_true", help="larger exhaustive limits (slow)")
    s.add_argument("--only", nargs="+", metavar="ID", help="run only these statements")
    s.add_argument("--json", metavar="FILE", help="also write the verdicts as JSON")
    root = default_proofs_dir().parent
    s.add_argument("--report", default=str(root / "docs" / "proof-report.md"), help="Markdown report path")
    s.add_argument("--artefacts", default=str(root / "proofs" / "artefacts"), help="where counterexamples go")
    s.add_argument("--proofs", default=None, help="folder with the proof modules (default: proofs/)")
    s.add_argument("--no-progress", action="store_true")
    s.set_defaults(func=cmd_prove)
