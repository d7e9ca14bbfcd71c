"""Benchmark: [YSJ] Proposition 3.2 (1000 classes, one-hot outputs) certified and verified exactly, N upward.

For each N: ``x`` ~ N(0, I_d) as float32 (distinct rows, checked), balanced labels ``i mod C`` shuffled;
``ftcexact certify --construction ysj-classifier`` (default widths: d1 = 2R, d2 = 2P with R P >= N and
R, P about sqrt(N), so d1 d2 >= 4N; d3 = 4C) and ``ftcexact verify`` each in a fresh process under a
memory cap (wall and CPU seconds, peak RSS); the float64 forward pass of the same network on the same
points (weights rounded to float64, in row blocks; its time and how many arg-maxes and one-hot outputs it
gets right); file sizes.  Then a least-squares fit ``y = a N^b`` on log-log scale for each cost, and the
prediction at N = 10^6, where the construction's default widths are exactly 2000-2000-4000.

Usage: python benchmarks/bench_ysj_classifier.py [--N 10000,20000,30000] [--classes 1000] [--d 16]
       [--mem-gib 12] [--keep DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np



def measured(mem_gib, *argv):
    """``ftcexact ARGV`` in a fresh interpreter with address space capped at ``mem_gib`` GiB: exit code,
    wall and CPU seconds, peak RSS (MiB), and the last lines of its output."""
    from numerics_common import MEASURE  # on sys.path: main() puts benchmarks/ there

    def cap():
        limit = int(mem_gib * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    proc = subprocess.run([sys.executable, "-c", MEASURE, *argv], capture_output=True, text=True, preexec_fn=cap)
    lines = proc.stderr.strip().splitlines()
    try:
        out = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        out = {"code": proc.returncode, "wall": float("nan"), "cpu": float("nan"), "rss_mib": float("nan")}
    out["tail"] = (proc.stdout.strip().splitlines() + lines[:-1])[-3:]
    return out


def make_data(path, N, d, C, seed=0):
    """float32 points in general position (distinct rows), labels balanced over C classes."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, d)).astype(np.float32)
    if len(np.unique(x, axis=0)) != N:
        raise SystemExit("duplicate points: change the seed")
    y = np.arange(N) % C
    rng.shuffle(y)
    np.savez(path, x=x, y=y.astype(np.int64))
    return x, y


def float_forward(cert, x, y, block=2048):
    """Seconds of the float64 forward pass, and the fraction of points whose arg-max is the label and whose
    1000 outputs are exactly the one-hot vector in float64."""
    import gmpy2
    layers = cert["network"] if isinstance(cert["network"], list) else cert["network"]["layers"]
    Ws = [np.array([[float(gmpy2.mpq(v)) for v in row] for row in layer["W"]]) for layer in layers]
    bs = [np.array([float(gmpy2.mpq(v)) for v in layer["b"]]) for layer in layers]
    start, argmax_ok, exact_ok = time.perf_counter(), 0, 0
    for i in range(0, len(x), block):
        h = x[i:i + block].astype(np.float64).T
        for l, (W, b) in enumerate(zip(Ws, bs)):
            h = W @ h + b[:, None]
            if l < len(Ws) - 1:
                np.maximum(h, 0.0, out=h)
        labels = y[i:i + block]
        argmax_ok += int((h.argmax(axis=0) == labels).sum())
        onehot = np.zeros_like(h)
        onehot[labels, np.arange(len(labels))] = 1.0
        exact_ok += int((h == onehot).all(axis=0).sum())
    return time.perf_counter() - start, argmax_ok / len(x), exact_ok / len(x)


def fit(ns, ys):
    """Least squares ``log y = log a + b log N``: (a, b)."""
    X, Y = np.log(np.array(ns, float)), np.log(np.array(ys, float))
    b, loga = np.polyfit(X, Y, 1)
    return math.exp(loga), b


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 epilog="Runs one size at a time; long runs belong under `nice -n 10`.")
    ap.add_argument("--N", default="10000,20000,30000", help="comma-separated sizes (default 10000,20000,30000)")
    ap.add_argument("--base", type=int, default=1000,
                    help="first run this N; its cost is taken as the fixed part when fitting (0: none; default 1000)")
    ap.add_argument("--classes", type=int, default=1000, help="classes C = d_y (default 1000)")
    ap.add_argument("--d", type=int, default=16, help="input dimension (default 16)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--mem-gib", type=float, default=12.0, help="address-space cap of each child (default 12)")
    ap.add_argument("--predict", type=int, default=1_000_000, help="N to predict (default 10^6)")
    ap.add_argument("--keep", help="keep data and certificates in this directory")
    ap.add_argument("--json", help="also write the rows and fits to this JSON file")
    args = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from numerics_common import machine_facts
    print(machine_facts())
    print("load:", open("/proc/loadavg").read().strip())
    head = (f"{'N':>7} {'widths':>16} {'npz MB':>7} {'cert MB':>8} | {'certify wall/cpu s':>18} {'MiB':>6} | "
            f"{'verify wall/cpu s':>17} {'MiB':>6} | {'f64 s':>6} {'f64 argmax':>10} {'f64 one-hot':>11}")
    print(head, flush=True)
    rows = []
    for N in ([args.base] if args.base else []) + [int(v) for v in args.N.split(",")]:
        tmp = args.keep or tempfile.mkdtemp()
        os.makedirs(tmp, exist_ok=True)
        data, cert_path = os.path.join(tmp, f"ysj_{N}.npz"), os.path.join(tmp, f"ysj_{N}.json")
        x, y = make_data(data, N, args.d, args.classes, args.seed)
        c = measured(args.mem_gib, "certify", data, "--classes", str(args.classes), "--construction",
                     "ysj-classifier", "-o", cert_path)
        if c["code"] != 0:
            print(f"{N:>7} certify failed (exit {c['code']}): {c['tail']}", flush=True)
            break
        v = measured(args.mem_gib, "verify", cert_path)
        with open(cert_path) as fh:
            cert = json.load(fh)
        widths = [len(layer["b"]) for layer in (cert["network"] if isinstance(cert["network"], list)
                                                 else cert["network"]["layers"])][:-1]
        f64, argmax_ok, exact_ok = float_forward(cert, x, y)
        del cert
        row = {"N": N, "widths": widths, "npz_mb": os.path.getsize(data) / 1e6,
               "cert_mb": os.path.getsize(cert_path) / 1e6, "certify": c, "verify": v, "float64_s": f64,
               "float64_argmax_ok": argmax_ok, "float64_onehot_ok": exact_ok, "verified": v["code"] == 0}
        rows.append(row)
        print(f"{N:>7} {'-'.join(map(str, widths)):>16} {row['npz_mb']:>7.1f} {row['cert_mb']:>8.1f} | "
              f"{c['wall']:>8.1f} /{c['cpu']:>8.1f} {c['rss_mib']:>6.0f} | {v['wall']:>7.1f} /{v['cpu']:>8.1f} "
              f"{v['rss_mib']:>6.0f} | {f64:>6.2f} {argmax_ok:>10.4f} {exact_ok:>11.4f}   verify exit {v['code']} "
              f"({v['tail'][-1] if v['tail'] else ''})", flush=True)
        if not args.keep:
            for p in (data, cert_path):
                os.remove(p)
    fits = {}
    ok = [r for r in rows if r["verified"]]
    base = ok[0] if ok and ok[0]["N"] == args.base else None
    grow = [r for r in ok if base is None or r["N"] > args.base]
    if len(grow) >= 2:
        ns = [r["N"] for r in grow]
        print(f"\nfit y = y({args.base}) + a N^b over N = {ns}: least squares on log-log of y - y({args.base}), the "
              f"part that grows with N (the fixed part: reading and sweeping the {4 * args.classes} x "
              f"{args.classes} output layer); predicted at N = {args.predict}:" if base else
              f"\nfit y = a N^b over N = {ns} (least squares on log-log); predicted at N = {args.predict}:")
        for name, get, unit in (("certify cpu", lambda r: r["certify"]["cpu"], "s"),
                                ("verify cpu", lambda r: r["verify"]["cpu"], "s"),
                                ("verify RSS", lambda r: r["verify"]["rss_mib"], "MiB"),
                                ("certify RSS", lambda r: r["certify"]["rss_mib"], "MiB"),
                                ("certificate", lambda r: r["cert_mb"], "MB"),
                                ("float64", lambda r: r["float64_s"], "s")):
            y0 = get(base) if base else 0.0
            a, b = fit(ns, [max(get(r) - y0, 1e-9) for r in grow])
            predicted = y0 + a * args.predict ** b
            fits[name] = {"fixed": y0, "a": a, "b": b, "predicted": predicted, "unit": unit}
            print(f"  {name:<12} fixed {y0:9.1f}  b = {b:5.2f}   predicted {predicted:12.4g} {unit}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"this process (float64 passes): peak RSS {peak:.0f} MiB")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"rows": rows, "fits": fits, "classes": args.classes, "d": args.d}, fh, indent=1)


if __name__ == "__main__":
    main()
