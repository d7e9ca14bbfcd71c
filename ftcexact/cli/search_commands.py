"""Commands of the adversarial search: ``min-width``, ``search``, ``check-refutation``."""

from __future__ import annotations

import json
import os

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
    report = {"K": ds.K, "N": ds.N, "d": ds.d, "method": args.method, "paper_bounds": paper, "certificate": None,
              "refutation": None}
    cert_path = args.output
    ref_path = _refutation_path(cert_path) if cert_path else None
    refutation_obj, net = None, None
    if args.timeout is not None and args.method != "z3":
        raise UsageError("--timeout applies to --method z3 only")
    if args.method == "z3":
        from ..search.z3_baseline import z3_available
        if not z3_available():
            raise UsageError("--method z3 needs the optional dependency z3-solver: pip install 'ftcexact[z3]'")
        m, net = _z3_min_width(ds, args)
        hints = {"method": "z3"}
        ref_path = None
        if net is None:  # z3 answered "unknown" within the time limit: nothing is written
            report.update(min_width=None, decided=False, lower=m, upper=None, certificate=None, refutation=None,
                          note=f"z3 answered 'unknown' for width {m} within --timeout {args.timeout} s"
                               + (f"; it found no network of width below {m} (z3's answer, not checkable)"
                                  if m else ""))
            if args.json:
                print(json.dumps(report))
            else:
                print(f"minimum width (one hidden layer): unknown, at least {m} by z3 (timeout after "
                      f"{args.timeout} s at width {m})")
            return TIMEOUT_EXIT
        report.update(min_width=m, decided=True,
                      note="decided by z3; the lower bound has no independently checkable refutation")
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


#: Exit code of ``min-width --method z3 --timeout`` when z3 answers "unknown" in time (docs/cli.md).
TIMEOUT_EXIT = 4


def _z3_min_width(ds, args):
    """``(m, network)``: z3 tries m = 0, 1, ... (at most K - 1 by Lemma 4.5); ``(m, None)`` when z3 gave
    no answer for m within what is left of ``--timeout`` seconds (the whole run's budget)."""
    import time

    from ..search.z3_baseline import z3_network
    from .progress import bar
    zs = [z[0] for z in ds.targets]
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    with bar(total=max(ds.K - 1, 1), desc="z3 width", unit="width", show=not args.json) as b:
        m = 0
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return m, None
            try:
                net = z3_network(list(ds.x), zs, m, timeout_ms=None if left is None else max(1, int(left * 1000)))
            except RuntimeError:  # z3 gave up: "unknown"
                return m, None
            if net is not None:
                return m, net
            m += 1
            b.update(1)


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
    from .progress import enabled
    try:
        summary = search(pairs, args.budget, args.seed, args.output, workers=args.workers,
                         scheduler=args.scheduler, refutations=args.refutations,
                         progress=enabled(args.no_progress or args.json), arch=args.arch)
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
        print(json.dumps({"arch": args.arch, "output": args.output, "rows": rows}))
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
        print(json.dumps({"arch": args.arch, "output": args.output, "rows": rows}))
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
    from .main import run_kernel
    if args.file.endswith(".jsonl"):
        from ..kernel.records import check_records
        from .progress import bar
        try:
            size = os.path.getsize(args.file)
        except OSError:
            size = None

        def work(out, err):
            with bar(total=size, desc="records", unit="B", unit_scale=True, show=not args.json) as b:
                return verdict(lambda say: check_records(args.file, say, progress=b.update), out=out, err=err,
                               tool="ftcexact check-refutation")
        return run_kernel(work, args, "check-refutation")
    return run_kernel(lambda out, err: run(args.file, out=out, err=err, expect=FORMAT), args, "check-refutation")


def default_workers():
    """``search``'s default worker count: all CPUs but one (at least 1), so the machine stays usable."""
    return max(1, (os.cpu_count() or 1) - 1)


def register(sub):
    from .main import JSON_HELP
    s = sub.add_parser("min-width", help="exact least width of a one-hidden-layer network, with proofs")
    s.add_argument("dataset", help="a dataset (JSON or CSV) with scalar labels")
    s.add_argument("--arch", default="two-layer", choices=["two-layer"],
                   help="architecture (one hidden layer only; default: %(default)s)")
    s.add_argument("--method", default="oracle", choices=["oracle", "z3"],
                   help="oracle (default; data on a line, checkable refutation) or the z3 baseline")
    s.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                   help="--method z3: give up after SECONDS in all; z3's 'unknown' is reported as such, with "
                        f"exit code {TIMEOUT_EXIT} and no file written (default: no limit)")
    s.add_argument("--json", action="store_true", help=JSON_HELP)
    s.add_argument("-o", "--output", default=None,
                   help="certificate for the width; the refutation of width - 1 goes to *.refutation.json "
                        "(default: none written)")
    s.set_defaults(func=cmd_min_width)

    s = sub.add_parser("search", help="adversarial datasets needing the most neurons (JSONL, resumable)")
    s.add_argument("--N", required=True, help="an integer, a range a-b, or a list (required)")
    s.add_argument("--K", required=True, help="an integer, a range a-b, or a list (required)")
    s.add_argument("--arch", default="two-layer", choices=["two-layer", "three-layer"],
                   help="two-layer: exact least width; three-layer: least piece count (default: %(default)s)")
    s.add_argument("--budget", type=int, required=True, help="candidates per (N, K) (required)")
    s.add_argument("--seed", type=int, default=0, help="random seed of the candidates (default: %(default)s)")
    s.add_argument("-o", "--output", required=True,
                   help="results file (JSON lines, appended in a fixed order whatever the workers; required)")
    s.add_argument("--workers", type=int, default=default_workers(),
                   help="processes; 1 runs in this process (default: all CPUs but one, here %(default)s)")
    s.add_argument("--scheduler", default=None,
                   help="dask.distributed scheduler address, instead of --workers (ftcexact[dask]; default: none)")
    s.add_argument("--refutations", default="all", choices=["all", "best", "none"],
                   help="attach a refutation to every record (default), to improving records, or to none")
    s.add_argument("--no-progress", action="store_true",
                   help="no progress bar (default: a bar on stderr when it is a terminal)")
    s.add_argument("--json", action="store_true", help=JSON_HELP)
    s.add_argument("--markdown", action="store_true",
                   help="print the docs/search.md table (two layers; default: the plain table)")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("check-refutation", help="check a refutation file, or every record of a search file")
    s.add_argument("file", help="a refutation (.json) or a search results file (.jsonl)")
    s.add_argument("--json", action="store_true",
                   help='print {"verdict", "exit", "lines", "reason"} instead of the lines; the exit code is '
                        "the same (default: text)")
    s.set_defaults(func=cmd_check_refutation)
