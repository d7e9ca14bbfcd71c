"""Commands of the adversarial search: ``min-width``, ``search``, ``check-refutation``."""

from __future__ import annotations

import json

from ..dataset import load_dataset
from .main import MAX_SEARCH_K, UsageError, check_output, check_size

#: search: candidates per run (budget times pairs) and worker processes.
MAX_SEARCH_TASKS, MAX_WORKERS = 10**7, 256


def _refutation_path(cert_path):
    base = cert_path[:-5] if cert_path.endswith(".json") else cert_path
    return base + ".refutation.json"


def _write_certificate(ds, net, m, paper, hints, path, ref_json):
    from ..certificate import make_certificate, write_json_atomic
    cert = make_certificate(ds, net, construction="min-width-oracle", hints=dict(hints, paper_bounds=paper),
                            dataset_ref=ref_json)
    write_json_atomic(cert, path)


def cmd_min_width(args):
    from ..search import oracle
    from ..search.adversarial import paper_bounds
    if args.arch != "two-layer":
        raise UsageError("min-width decides --arch two-layer only (one hidden layer)")
    check_output(args.output, args.dataset)
    check_output(_refutation_path(args.output) if args.output else None, args.dataset)
    ds = load_dataset(args.dataset)
    if ds.dy != 1:
        raise UsageError("min-width needs scalar labels (one output)")
    lower, upper = paper_bounds(ds.N, ds.K)
    paper = {"Theorem 4.1 worst case over datasets, lower: min(3N, K-2)": lower,
             "Theorem 4.1 worst case over datasets, upper: min(3N+1, K-1)": upper}
    report = {"K": ds.K, "N": ds.N, "d": ds.d, "method": args.method, "paper_bounds": paper}
    cert_path = args.output
    ref_path = _refutation_path(cert_path) if cert_path else None
    refutation_obj, net = None, None
    if args.method == "z3":
        from ..search.z3_baseline import z3_available, z3_network
        if not z3_available():
            raise UsageError("--method z3 needs the optional dependency z3-solver: pip install 'ftcexact[z3]'")
        zs = [z[0] for z in ds.targets]
        m = 0
        while (net := z3_network(list(ds.x), zs, m)) is None:
            m += 1
        report.update(min_width=m, decided=True,
                      note="decided by z3; the lower bound has no independently checkable refutation")
        hints = {"method": "z3"}
        ref_path = None
    else:
        try:
            r = oracle.min_width(ds)
        except oracle.NotOnALine:
            r = None
        if r is not None:
            m, net = r["min_width"], r["network"]
            report.update(min_width=m, decided=True, free_kinks=r["free_kinks"], pieces=r["pieces"],
                          case=r["case"], distinct_points=r["line"].K)
            hints = {"free_kinks": r["free_kinks"], "pieces": r["pieces"], "case": r["case"]}
            if m > 0 and ref_path:
                refutation_obj = oracle.refutation(ds, m - 1)
        else:
            b = oracle.min_width_bounds(ds)
            m, net = b["upper"], b["upper_network"]
            report.update(min_width=m if b["decided"] else None, decided=b["decided"], lower=b["lower"],
                          upper=b["upper"], lower_points=b["lower_points"], upper_direction=b["upper_direction"],
                          note="the points are not on one line: the upper bound reads a . x along "
                               "upper_direction, the lower bound is the exact width of the collinear "
                               "subset lower_points; use --method z3 to decide")
            hints = {"upper_direction": b["upper_direction"], "lower": b["lower"]}
            if b["lower"] > 0 and ref_path:
                refutation_obj = oracle.refutation(ds, b["lower"] - 1, indices=b["lower_points"])
    if cert_path:
        from ..certificate import write_json_atomic
        _write_certificate(ds, net, m, paper, hints, cert_path, None)
        report["certificate"] = cert_path
        if refutation_obj is not None:
            write_json_atomic(refutation_obj, ref_path)
            report["refutation"] = ref_path
        else:
            report["refutation"] = None
    if args.json:
        print(json.dumps(report))
    else:
        if report.get("decided"):
            print(f"minimum width (one hidden layer): {m}")
        else:
            print(f"minimum width (one hidden layer): between {report['lower']} and {report['upper']} "
                  "(points not on one line)")
        for key in ("free_kinks", "pieces", "case"):
            if key in report:
                print(f"{key:>16}: {report[key]}")
        print(f"{'paper bounds':>16}: {lower} <= m* <= {upper} (worst case over all datasets with this N, K)")
        if cert_path:
            print(f"{'certificate':>16}: {cert_path}")
            print(f"{'refutation':>16}: {report['refutation'] or 'none (nothing smaller to refute)'}")
    return 0


def _int_range(text, name="K"):
    """``"3"``, ``"1-9"`` or ``"1,2,5"`` -> list of ints, each in ``0..MAX_SEARCH_K``."""
    out = []
    try:
        for part in text.replace(" ", "").split(","):
            if "-" in part[1:]:
                a, b = part.split("-", 1)
                bounds = [int(a), int(b)]
            elif part:
                bounds = [int(part)] * 2
            else:
                continue
            for v in bounds:
                check_size(name, v, 0, MAX_SEARCH_K, " (the search explores small datasets: one candidate of "
                                                     f"K = {MAX_SEARCH_K} takes up to 15 s)")
            out += list(range(bounds[0], bounds[1] + 1))
    except ValueError:
        raise UsageError(f"expected an integer, a range a-b or a list, got {text!r}") from None
    return out


def cmd_search(args):
    from ..search.adversarial import search
    pairs = [(N, K) for K in _int_range(args.K) for N in _int_range(args.N, "N") if 0 <= N <= K and K >= 1]
    if not pairs:
        raise UsageError("no (N, K) with 0 <= N <= K and K >= 1 in --N/--K")
    if args.budget < 1 or (args.workers is not None and args.workers < 1):
        raise UsageError("--budget and --workers must be positive")
    check_size("budget", args.budget * len(pairs), 1, MAX_SEARCH_TASKS,
               f" candidates in all (budget x {len(pairs)} (N, K) pairs; the task list is built up front)")
    check_size("workers", args.workers or 1, 1, MAX_WORKERS)
    try:
        summary = search(pairs, args.budget, args.seed, args.output, workers=args.workers,
                         scheduler=args.scheduler, refutations=args.refutations, progress=not args.no_progress,
                         arch=args.arch)
    except RuntimeError as e:
        raise UsageError(str(e)) from None
    if args.arch == "three-layer":
        return _three_layer_summary(summary, args)
    rows = []
    for (N, K), s in sorted(summary.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        s = dict(s, min_width=s["score"])
        status = "upper bound attained" if s["min_width"] >= s["paper_upper"] else \
            ("lower bound attained" if s["min_width"] >= s["paper_lower"] else "below the lower bound")
        rows.append({"N": N, "K": K, "best_min_width": s["min_width"], "paper_lower": s["paper_lower"],
                     "paper_upper": s["paper_upper"], "records": s["count"], "found": status,
                     "index": s["index"], "seed": s["seed"]})
    if args.markdown:
        from ..search.adversarial import markdown_table, read_records
        print(markdown_table(read_records(args.output), pairs))
    elif args.json:
        print(json.dumps(rows))
    else:
        print(f"{'N':>3} {'K':>3} {'best':>5} {'paper':>9} {'records':>8}  found")
        for r in rows:
            print(f"{r['N']:>3} {r['K']:>3} {r['best_min_width']:>5} {r['paper_lower']:>4}..{r['paper_upper']:<4}"
                  f" {r['records']:>8}  {r['found']}")
        print(f"results: {args.output}")
    return 0


def _three_layer_summary(summary, args):
    rows = [{"N": N, "K": K, "best_min_pieces": s["min_pieces"], "max_possible": s["max_min_pieces"],
             "certified_lower_bound": s["lower_bound"], "paper_lower": s["paper_lower"], "records": s["count"],
             "index": s["index"], "seed": s["seed"]}
            for (N, K), s in sorted(summary.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    if args.json:
        print(json.dumps(rows))
    else:
        print(f"{'N':>3} {'K':>3} {'pieces':>7} {'of':>4} {'d1+d2 >=':>9} {'Thm 5.1':>8} {'records':>8}")
        for r in rows:
            print(f"{r['N']:>3} {r['K']:>3} {r['best_min_pieces']:>7} {r['max_possible']:>4} "
                  f"{r['certified_lower_bound']:>9} {r['paper_lower']:>8} {r['records']:>8}")
        print(f"results: {args.output}")
    return 0


def cmd_check_refutation(args):
    """A refutation file, or a search results file (every record re-checked in full), by the kernel."""
    from ..kernel.refutation import FORMAT
    from ..kernel.verify import run, verdict
    if args.file.endswith(".jsonl"):
        from ..kernel.records import check_records
        return verdict(lambda say: check_records(args.file, say), tool="ftcexact check-refutation")
    return run(args.file, expect=FORMAT)


def register(sub):
    s = sub.add_parser("min-width", help="exact least width of a one-hidden-layer network, with proofs")
    s.add_argument("dataset")
    s.add_argument("--arch", default="two-layer", choices=["two-layer"])
    s.add_argument("--method", default="oracle", choices=["oracle", "z3"],
                   help="oracle (default; data on a line, checkable refutation) or the z3 baseline")
    s.add_argument("--json", action="store_true")
    s.add_argument("-o", "--output", default=None,
                   help="certificate for the width; the refutation of width - 1 goes to *.refutation.json")
    s.set_defaults(func=cmd_min_width)

    s = sub.add_parser("search", help="adversarial datasets needing the most neurons (JSONL, resumable)")
    s.add_argument("--N", required=True, help="an integer, a range a-b, or a list")
    s.add_argument("--K", required=True, help="an integer, a range a-b, or a list")
    s.add_argument("--arch", default="two-layer", choices=["two-layer", "three-layer"])
    s.add_argument("--budget", type=int, required=True, help="candidates per (N, K)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("-o", "--output", required=True, help="results file (JSON lines, appended)")
    s.add_argument("--workers", type=int, default=None, help="processes (default: all CPUs)")
    s.add_argument("--scheduler", default=None, help="dask.distributed scheduler address (ftcexact[dask])")
    s.add_argument("--refutations", default="all", choices=["all", "best", "none"],
                   help="attach a refutation to every record (default), to improving records, or to none")
    s.add_argument("--no-progress", action="store_true")
    s.add_argument("--json", action="store_true")
    s.add_argument("--markdown", action="store_true", help="print the docs/search.md table (two layers)")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("check-refutation", help="check a refutation file, or every record of a search file")
    s.add_argument("file")
    s.set_defaults(func=cmd_check_refutation)
