"""Commands for exact three-layer widths: ``three-layer-width`` (one dataset), ``three-layer-table`` (a batch)."""

from __future__ import annotations

import io
import json
import os
import tempfile
import time

from ..dataset import load_dataset
from .main import UsageError


def _line(ds):
    if ds.d != 1 or ds.dy != 1:
        raise UsageError("three-layer-width needs 1-D inputs and scalar labels (data on a line)")
    return [x[0] for x in ds.x], [z[0] for z in ds.targets]


def _verified(cert):
    from ..certificate import write_json_atomic
    from ..kernel.verify import run
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "c.json")
        write_json_atomic(cert, path)
        return run(path, out=io.StringIO(), err=io.StringIO()) == 0


def _record(ds, name, args):
    """Decide every pair up to the least width; certify every YES with the trusted verifier."""
    from ..search.three_layer_width import certificate_for, least_width
    ts, zs = _line(ds)
    start = time.perf_counter()
    r = least_width(ts, zs, max_width=args.max_width, time_limit=args.time_limit, max_nodes=args.max_nodes)
    decisions = []
    for d in r["decisions"]:
        row = d.to_json()
        if d.status == "yes":
            cert = certificate_for(ds, d.network, d.d1, d.d2, d.method)
            row["verified"] = _verified(cert)
            if not row["verified"]:
                raise AssertionError(f"{name}: certificate for ({d.d1}, {d.d2}) rejected by the verifier")
            row["network"] = cert["network"]
        decisions.append(row)
    return {"name": name, "N": ds.N, "K": ds.K, "x": [str(t) for t in ts], "z": [str(z) for z in zs],
            "least": r["least"], "pairs": r["pairs"], "no_below_proved": r["proved"],
            "lower": r["lower"], "upper": r["upper"], "pieces": r["pieces"],
            "two_layer_width": r["two_layer_width"], "decisions": decisions,
            "seconds": round(time.perf_counter() - start, 2),
            "limits": {"time_limit": args.time_limit, "max_nodes": args.max_nodes, "max_width": args.max_width}}


def cmd_three_layer_width(args):
    from .progress import Stages
    ds = load_dataset(args.dataset)
    with Stages("three-layer-width", show=not args.json) as stages:
        stages.stage(f"deciding width pairs up to d1 + d2 = {args.max_width} (z3 for NOs)")
        rec = _record(ds, os.path.basename(args.dataset), args)
    if args.json:
        print(json.dumps(rec))
        return 0
    print(f"K = {rec['K']}, N = {rec['N']}, pieces = {rec['pieces']}, two-layer width = {rec['two_layer_width']}")
    for d in rec["decisions"]:
        tag = "proved" if d["proved"] else "solver result"
        print(f"  ({d['d1']}, {d['d2']}): {d['status']:7s} {d['method']} [{tag}] {d['seconds']} s")
    print(f"least d1 + d2 = {rec['least']} at {rec['pairs']}" if rec["least"] is not None else
          f"least d1 + d2 in [{rec['lower']}, {rec['upper']}] (a capped search left a gap)")
    return 0


def table_datasets(K_max, random_count, seed):
    """The batch: [FTC] §4.1 family (revised) for every N <= K <= K_max, [YSJ] alternating, random data."""
    import random

    from ..analysis.lower_bounds import ftc_lower_bound_dataset, ysj_theorem_3_3_dataset
    from ..dataset import Dataset
    from ..kernel.numbers import Q
    out = []
    for K in range(3, K_max + 1):
        for N in range(1, K + 1):
            out.append((f"ftc N={N} K={K}", ftc_lower_bound_dataset(N, K)))
        out.append((f"ysj K={K}", ysj_theorem_3_3_dataset(K)))
    rng = random.Random(seed)
    for i in range(random_count):
        K = rng.randint(4, K_max)
        xs = sorted(rng.sample(range(0, 4 * K), K))
        zs = [Q(rng.randint(-3, 3)) for _ in range(K)]
        out.append((f"random {i} K={K}", Dataset(tuple((Q(x),) for x in xs), tuple((z,) for z in zs))))
    return out


def _bounds(rec):
    """``(lower, upper, pairs, proved)`` recomputed from the decisions of a record (monotone widths)."""
    rows = {}
    for d in rec["decisions"]:
        rows.setdefault(d["d1"] + d["d2"], []).append(d)
    lower, upper, pairs, proved = 2, None, [], True
    for m in sorted(rows):
        if all(d["status"] == "no" for d in rows[m]):
            lower, proved = m + 1, all(d["proved"] for d in rows[m])
        yes = [(d["d1"], d["d2"]) for d in rows[m] if d["status"] == "yes"]
        if yes and upper is None:
            upper, pairs = m, yes
    return lower, upper, pairs, proved


def _constructions(ds):
    """Neuron counts of the verified three-layer constructions on ``ds`` (None: refused or rejected)."""
    from ..constructions import certify
    out = {}
    for name in ("three-layer-u1", "three-layer-u2", "three-layer-u3", "three-layer-4n4", "three-layer-u3-t",
                 "three-layer-best"):
        try:
            cert = certify(ds, name)
        except Exception:  # noqa: BLE001 - a refusal means the construction does not apply
            out[name] = None
            continue
        out[name] = cert["claim"]["neurons"] if _verified(cert) else None
    return out


def _tents(ds):
    """Neurons of the verified tent network (ftcexact.constructions.tents) on 1-D ``ds``."""
    from ..certificate import make_certificate
    from ..constructions.tents import tent_network
    pairs = sorted((x[0], z[0]) for x, z in zip(ds.x, ds.targets))
    net = tent_network([t for t, _ in pairs], [z for _, z in pairs])
    cert = make_certificate(ds, net, construction="three-layer-tents", statement="ftcexact_tents")
    return net.neurons if _verified(cert) else "rejected"


def table_markdown(records, with_constructions=True):
    """The results table (Markdown) from JSONL records of ``three-layer-table``."""
    from ..analysis.lower_bounds import lower_bound_certificate
    from ..dataset import Dataset
    from ..kernel.numbers import parse_rational
    head = ("| dataset | z | pieces | certified lower (kernel) | two-layer width | least d1 + d2 | minimising "
            "(d1, d2) | NO row below | constructions u1 / u2 / u3 / 4n4 / u3-t / best | smallest of those | tents (2N + 1) | s |")
    lines = [head, "| --- | --- | ---: | ---: | ---: | ---: | --- | --- | --- | ---: | ---: | ---: |"]
    for rec in records:
        ts = [parse_rational(v) for v in rec["x"]]
        zs = [parse_rational(v) for v in rec["z"]]
        ds = Dataset(tuple((t,) for t in ts), tuple((z,) for z in zs))
        cert = lower_bound_certificate(ds, "three-layer", "three-layer widths table")
        lower_k = cert["claim"]["bound"] if _verified(cert) else "rejected"
        lower, upper, pairs, proved = _bounds(rec)
        least = str(upper) if upper == lower else f"{lower}..{upper if upper is not None else '?'}"
        below = "-" if lower <= 2 else ("proved" if proved else "z3")
        cons, smallest, tents = "", "", ""
        if with_constructions:
            c = _constructions(ds)
            cons = " / ".join("-" if v is None else str(v) for v in c.values())
            smallest = min((v for v in c.values() if v is not None), default="-")
            tents = _tents(ds)
        z = ",".join(rec["z"])
        lines.append(f"| {rec['name']} | {z} | {rec['pieces']} | {lower_k} | {rec['two_layer_width']} | {least} | "
                     f"{' '.join(f'({a},{b})' for a, b in pairs)} | {below} | {cons} | {smallest} | {tents} | {rec['seconds']} |")
    return "\n".join(lines)


def cmd_three_layer_table(args):
    from ..certificate import write_json_atomic  # noqa: F401 - import check before a long run
    from .progress import bar
    if args.markdown:
        with open(args.markdown, encoding="utf-8") as fh:
            records = [json.loads(line) for line in fh if line.strip()]
        table = table_markdown(records, with_constructions=not args.no_constructions)
        if args.json:
            print(json.dumps({"output": None, "datasets": [], "skipped": [], "markdown": table}))
        else:
            print(table)
        return 0
    done = set()
    if args.output and os.path.exists(args.output):
        with open(args.output, encoding="utf-8") as fh:
            for line in fh:
                try:
                    done.add(json.loads(line)["name"])
                except (ValueError, KeyError):
                    continue
    sel = [(n, ds) for n, ds in table_datasets(args.K_max, args.random, args.seed)
           if not args.only or any(n.startswith(p) for p in args.only)]
    rows, skipped = [], [n for n, _ in sel if n in done]
    with bar(total=len(sel) - len(skipped), desc="three-layer-table", unit="dataset", show=not args.json) as b:
        for name, ds in sel:
            if name in done:
                continue
            rec = _record(ds, name, args)
            line = json.dumps(rec)
            if args.output:
                with open(args.output, "a", encoding="utf-8") as fh:
                    fh.write(line + "\n")
                    fh.flush()
                    os.fsync(fh.fileno())
            rows.append({key: rec[key] for key in ("name", "least", "pairs", "pieces", "two_layer_width", "seconds")})
            b.update(1)
            if not args.json:
                print(f"{name}: least {rec['least']} {rec['pairs']} pieces {rec['pieces']} "
                      f"two-layer {rec['two_layer_width']} ({rec['seconds']} s)", flush=True)
    if args.json:
        print(json.dumps({"output": args.output, "datasets": rows, "skipped": skipped, "markdown": None}))
    return 0


def register(sub):
    from .main import JSON_HELP
    s = sub.add_parser("three-layer-width",
                       help="least d1 + d2 of a two-hidden-layer network fitting 1-D data (exact; z3 for NOs)")
    s.add_argument("dataset", help="a 1-D dataset with scalar labels (JSON or CSV)")
    s.add_argument("--max-width", type=int, default=7, help="largest d1 + d2 tried (default: %(default)s)")
    s.add_argument("--time-limit", type=float, default=60.0,
                   help="seconds of z3 search per width pair (default: %(default)s)")
    s.add_argument("--max-nodes", type=int, default=400,
                   help="boxes of the branch and bound per pair (default: %(default)s)")
    s.add_argument("--json", action="store_true", help=JSON_HELP)
    s.set_defaults(func=cmd_three_layer_width)

    s = sub.add_parser("three-layer-table", help="least three-layer widths on the adversarial datasets (JSONL)")
    s.add_argument("--K-max", type=int, default=8, help="largest K of the dataset families (default: %(default)s)")
    s.add_argument("--random", type=int, default=20, help="number of random datasets (default: %(default)s)")
    s.add_argument("--seed", type=int, default=1, help="seed of the random datasets (default: %(default)s)")
    s.add_argument("--only", nargs="*", default=None,
                   help="dataset name prefixes, e.g. 'ftc' 'ysj' (default: all datasets)")
    s.add_argument("--max-width", type=int, default=7, help="largest d1 + d2 tried (default: %(default)s)")
    s.add_argument("--time-limit", type=float, default=60.0,
                   help="seconds of z3 search per width pair (default: %(default)s)")
    s.add_argument("--max-nodes", type=int, default=400,
                   help="boxes of the branch and bound per pair (default: %(default)s)")
    s.add_argument("-o", "--output", default=None,
                   help="JSONL file (appended; finished datasets are skipped; default: none, print only)")
    s.add_argument("--markdown", default=None, metavar="FILE",
                   help="print the Markdown table of a JSONL results file and exit (default: run the batch)")
    s.add_argument("--no-constructions", action="store_true",
                   help="with --markdown: skip the constructions columns (default: include them)")
    s.add_argument("--json", action="store_true", help=JSON_HELP)
    s.set_defaults(func=cmd_three_layer_table)
