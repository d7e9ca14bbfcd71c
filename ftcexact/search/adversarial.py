"""Adversarial dataset search: 1-D datasets that need the most neurons, with exact proofs.

For a pair ``(N, K)`` the search draws candidate datasets (a position set T
with ``|T| = N``, targets on T, spacings of the points), computes each one's
exact minimum width with :mod:`ftcexact.search.oracle`, and appends one JSON
line per candidate to a results file.  Every record is self-contained: it
holds the dataset, the width, a fine-tuning certificate for that width (the
trusted verifier checks it) and, unless disabled, a refutation for one neuron
less (the kernel's refutation checker checks it).  :func:`check_records`
re-checks a results file.

Why 1-D data suffice: a network that reads ``t = a . x`` has the same width in
any dimension, and data on a line ``x_i = t_i u`` turn any network into a 1-D
one (theory.md §1), so the worst case over all datasets is a worst case over
1-D datasets.

Candidates
----------
Candidate ``i`` of a run is a pure function of ``(N, K, seed, i)`` (for the
generator version ``GENERATOR``, stored in every record), which makes runs
reproducible, parallel and resumable (a rerun skips every ``(N, K, seed, i)``
already in the file).  Candidate 0 is the paper's §4.1 dataset
(:func:`ftcexact.analysis.lower_bounds.ftc_lower_bound_dataset`); the others
mix position sets (random; zeros spread in runs of at most two, the worst
case of Remark 4; the paper's T with one element moved; one block), signs
(alternating, random, equal), magnitudes (equal; near-equal ``1 + j/1000``,
which make chords almost but not exactly equal; small rationals; powers of
two) and spacings (unit, random integers, geometric, clustered pairs, random
rationals).  A third of the candidates are redrawn (up to 40 times) until
they are *zigzags*: every interior point a slope change of alternating sign,
the only data with ``K - 2`` free kinks and so the only ones that could need
``K - 1`` neurons.

Parallelism
-----------
Candidates are evaluated in a :class:`concurrent.futures.ProcessPoolExecutor`
(``workers`` processes), or on a dask.distributed cluster when ``scheduler``
names one (optional extra ``ftcexact[dask]``).  Records are written by the
main process only, one line at a time, flushed and fsync'ed, so a killed run
loses at most the candidates in flight; on restart a partial last line is cut
off and the run continues.

References
----------
Sohn et al. 2024, Theorem 4.1 and Remark 4.
"""

from __future__ import annotations

import json
import os
import random
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from ..dataset import Dataset, dataset_to_json
from ..kernel.numbers import Q

__all__ = ["paper_bounds", "candidate", "evaluate", "search", "read_records", "check_records", "summarize",
           "status", "markdown_table"]

RECORD_FORMAT = "ftcexact-search-record"
#: Candidate generator version, recorded in every record (candidate i is a pure function of
#: (N, K, seed, i) for a given version).
GENERATOR = 2


def paper_bounds(N, K):
    """Theorem 4.1: ``(min{3N, K-2}, min{3N+1, K-1})`` (for ``K >= 3``; clipped at 0).

    Examples
    --------
    >>> paper_bounds(2, 9), paper_bounds(4, 9)
    ((6, 7), (7, 8))
    """
    return max(0, min(3 * N, K - 2)), max(0, min(3 * N + 1, K - 1))


def _rng(N, K, seed, index):
    return random.Random(f"ftcexact-search:{N}:{K}:{seed}:{index}")


def _positions(rng, N, K):
    """A position set T (0-based) and the name of the strategy."""
    from ..analysis.lower_bounds import ftc_lower_bound_dataset
    kind = rng.choice(["random", "spread", "spread", "paper", "block"])
    if kind == "random" or N in (0, K):
        return sorted(rng.sample(range(K), N)), "random"
    if kind == "paper":
        T = [i - 1 for i in ftc_lower_bound_dataset(N, K).T]
        free = [i for i in range(K) if i not in T]
        if free and T:
            T[rng.randrange(len(T))] = rng.choice(free)
        return sorted(set(T)) if len(set(T)) == N else sorted(rng.sample(range(K), N)), kind
    if kind == "block":
        start = rng.randint(0, K - N)
        return list(range(start, start + N)), kind
    # zeros in N + 1 runs (possibly empty), as even as possible, at most 2 where it fits
    runs = [0] * (N + 1)
    order = list(range(N + 1))
    rng.shuffle(order)
    for z in range(K - N):
        runs[order[z % (N + 1)]] += 1
    T, pos = [], 0
    for j in range(N):
        pos += runs[j]
        T.append(pos)
        pos += 1
    return T, kind


def _labels(rng, N):
    signs = rng.choice(["alternating", "random", "equal"])
    mags = rng.choice(["equal", "near-equal", "small", "powers", "rational"])
    first = rng.choice([1, -1])
    out = []
    for j in range(N):
        sign = first * (-1) ** j if signs == "alternating" else (rng.choice([1, -1]) if signs == "random" else first)
        if mags == "equal":
            v = Q(1)
        elif mags == "near-equal":
            v = Q(1) + Q(rng.randint(0, 3), 1000)
        elif mags == "small":
            v = rng.choice([Q(1, 2), Q(1), Q(3, 2), Q(2), Q(3)])
        elif mags == "powers":
            v = Q(2) ** rng.randint(-2, 3)
        else:
            v = Q(rng.randint(1, 20), rng.randint(1, 7))
        out.append(sign * v)
    return out, f"{signs} signs, {mags} magnitudes"


def _spacings(rng, K):
    kind = rng.choice(["unit", "integers", "geometric", "pairs", "rational"])
    if kind == "unit":
        gaps = [Q(1)] * (K - 1)
    elif kind == "integers":
        gaps = [Q(rng.randint(1, 5)) for _ in range(K - 1)]
    elif kind == "geometric":
        r = rng.choice([Q(1, 2), Q(2), Q(3, 2)])
        gaps = [r ** j for j in range(K - 1)]
    elif kind == "pairs":
        gaps = [Q(1, 10) if j % 2 == 0 else Q(1) for j in range(K - 1)]
    else:
        gaps = [Q(rng.randint(1, 12), rng.randint(1, 5)) for _ in range(K - 1)]
    ts, t = [Q(0)], Q(0)
    for g in gaps:
        t += g
        ts.append(t)
    return ts, f"{kind} spacing"


def candidate(N, K, seed, index):
    """Candidate ``index`` of a run: ``(Dataset, description)``.

    Examples
    --------
    >>> ds, how = candidate(2, 8, seed=0, index=0)
    >>> ds.T, how
    ([3, 6], "the paper's §4.1 dataset")
    """
    from ..analysis.lower_bounds import ftc_lower_bound_dataset
    if not 0 <= N <= K or K < 1:
        raise ValueError(f"need 0 <= N <= K and K >= 1, got N = {N}, K = {K}")
    if index == 0:
        return ftc_lower_bound_dataset(N, K), "the paper's §4.1 dataset"
    rng = _rng(N, K, seed, index)
    zigzag = K >= 3 and rng.random() < 1 / 3
    for _ in range(40 if zigzag else 1):
        T, how_t = _positions(rng, N, K)
        labels, how_z = _labels(rng, N)
        ts, how_x = _spacings(rng, K)
        z = [Q(0)] * K
        for j, i in enumerate(T):
            z[i] = labels[j]
        if zigzag and _is_zigzag(ts, z):
            return Dataset(tuple((t,) for t in ts), tuple((v,) for v in z)), \
                f"zigzag: T {how_t}; {how_z}; {how_x}"
    return Dataset(tuple((t,) for t in ts), tuple((v,) for v in z)), f"T {how_t}; {how_z}; {how_x}"


def _is_zigzag(ts, z):
    """Every interior point is a slope change, with alternating signs (the only data with
    ``K - 2`` free kinks, hence the only candidates for needing ``K - 1`` neurons)."""
    s = [(z[i + 1] - z[i]) / (ts[i + 1] - ts[i]) for i in range(len(ts) - 1)]
    d = [s[i] - s[i - 1] for i in range(1, len(s))]
    return all(d) and all((a > 0) != (b > 0) for a, b in zip(d, d[1:]))


def three_layer_paper_lower(N, K):
    """Theorem 5.1's lower bound as an integer: least m with ``m^2 + m >= 2 min{3N, K-2}``.

    (``m >= sqrt(2P + 1/4) - 1/2`` is ``(m + 1/2)^2 >= 2P + 1/4``.)

    Examples
    --------
    >>> three_layer_paper_lower(3, 9)
    4
    """
    P = max(0, min(3 * N, K - 2))
    m = 0
    while m * m + m < 2 * P:
        m += 1
    return m


def evaluate_three_layer(N, K, seed, index):
    """Record of one candidate for two hidden layers: exact least piece count and the
    certified lower bound on ``d1 + d2`` it gives (a ``lower-bound`` certificate)."""
    from ..analysis.lower_bounds import lower_bound_certificate
    ds, how = candidate(N, K, seed, index)
    cert = lower_bound_certificate(ds, "three-layer")
    claim = cert["claim"]
    return {"format": RECORD_FORMAT, "generator": GENERATOR, "N": N, "K": K, "seed": seed, "index": index,
            "arch": "three-layer",
            "description": how, "dataset": cert["dataset"], "min_pieces": claim["min_pieces"],
            "lower_bound": claim["bound"], "paper_lower": three_layer_paper_lower(N, K),
            "max_min_pieces": min(3 * N + 1, K - 1) if K >= 2 else 1, "certificate": cert}


def evaluate(N, K, seed, index, with_refutation=True, arch="two-layer"):
    """The record of one candidate (a JSON-serialisable dict)."""
    if arch == "three-layer":
        return evaluate_three_layer(N, K, seed, index)
    from ..certificate import make_certificate
    from .oracle import min_width, refutation
    ds, how = candidate(N, K, seed, index)
    r = min_width(ds)
    m = r["min_width"]
    lower, upper = paper_bounds(N, K)
    data = dataset_to_json(ds)
    cert = make_certificate(ds, r["network"], construction="min-width-oracle",
                            hints={"free_kinks": r["free_kinks"], "pieces": r["pieces"], "case": r["case"]})
    record = {"format": RECORD_FORMAT, "generator": GENERATOR, "N": N, "K": K, "seed": seed, "index": index,
              "arch": "two-layer",
              "description": how, "dataset": data, "min_width": m, "free_kinks": r["free_kinks"],
              "pieces": r["pieces"], "case": r["case"], "paper_lower": lower, "paper_upper": upper,
              "certificate": cert, "refutation": None}
    if with_refutation and m > 0:
        record["refutation"] = refutation(ds, m - 1, dataset_json=data)
    return _honest(record)


def _honest(record):
    """A two-layer record states ``min_width`` only with a refutation of one less (or 0); otherwise
    its width is only proven to be an upper bound, ``width_upper``."""
    if record.get("arch") == "two-layer" and record.get("refutation") is None and record.get("min_width"):
        record["width_upper"] = record.pop("min_width")
    return record


def _evaluate_many(tasks):
    return [evaluate(*t) for t in tasks]


def read_records(path):
    """Records of a results file; a partial last line (a killed run) is ignored."""
    out = []
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.endswith("\n"):
                break
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
    return out


def _cut_partial_line(path):
    if not os.path.exists(path):
        return
    with open(path, "rb+") as fh:
        data = fh.read()
        end = data.rfind(b"\n") + 1
        if end != len(data):
            fh.truncate(end)


class _Local:
    def __init__(self, workers):
        self.pool = ProcessPoolExecutor(max_workers=workers) if workers and workers > 1 else None

    def submit(self, fn, *args):
        if self.pool is None:
            from concurrent.futures import Future
            f = Future()
            f.set_result(fn(*args))
            return f
        return self.pool.submit(fn, *args)

    def wait(self, futures):
        return wait(futures, return_when=FIRST_COMPLETED)[0]

    def close(self):
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


class _Dask:
    def __init__(self, address):
        try:
            from dask.distributed import Client
        except ImportError:
            raise RuntimeError("--scheduler needs the optional dependency dask.distributed: "
                               "pip install 'ftcexact[dask]'") from None
        self.client = Client(address)

    def submit(self, fn, *args):
        return self.client.submit(fn, *args, pure=False)

    def wait(self, futures):
        from dask.distributed import wait as dask_wait
        return dask_wait(list(futures), return_when="FIRST_COMPLETED").done

    def close(self):
        self.client.close()


def _score(record):
    """What a run maximises: the proven exact width (two layers; -1 for a width proven only from above)
    or the exact least piece count (three layers)."""
    return record["min_pieces"] if record.get("arch") == "three-layer" else record.get("min_width", -1)


def search(pairs, budget, seed, output, workers=None, scheduler=None, refutations="all", progress=True,
           chunk=8, arch="two-layer"):
    """Evaluate ``budget`` candidates for every ``(N, K)`` in ``pairs``; append records to ``output``.

    Parameters
    ----------
    pairs : list of (int, int)
    budget : int
        Candidates per pair (indices ``0 .. budget - 1``).
    seed : int
    output : str
        JSONL file; existing records of the same ``(N, K, seed, index)`` are kept and skipped.
    workers : int, optional
        Processes (default: the number of CPUs); 1 runs in this process.
    scheduler : str, optional
        Address of a dask.distributed scheduler; overrides ``workers``.
    refutations : {"all", "best", "none"}
        Attach a refutation to every record, to records that raise the best
        width of their pair so far, or to none.
    progress : bool
        Show a tqdm progress bar.
    arch : {"two-layer", "three-layer"}
        Two layers: exact minimum width with certificate and refutation.
        Three layers: exact least piece count of an interpolant and the
        lower bound on ``d1 + d2`` it proves (``lower-bound`` certificate).

    Returns
    -------
    dict
        :func:`summarize` of all records of the file for these pairs.
    """
    if refutations not in ("all", "best", "none"):
        raise ValueError("refutations must be 'all', 'best' or 'none'")
    _cut_partial_line(output)
    existing = read_records(output)
    existing = [r for r in existing if r.get("format") == RECORD_FORMAT and r.get("arch", "two-layer") == arch]
    done = {(r["N"], r["K"], r["seed"], r["index"]) for r in existing}
    best = {}
    for r in existing:
        key = (r["N"], r["K"])
        best[key] = max(best.get(key, -1), _score(r))
    todo = [(N, K, seed, i) for N, K in pairs for i in range(budget) if (N, K, seed, i) not in done]
    engine = _Dask(scheduler) if scheduler else _Local(workers if workers is not None else os.cpu_count())
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(todo), desc=f"search seed {seed}", unit="dataset", dynamic_ncols=True)
    try:
        with open(output, "a", encoding="utf-8") as fh:
            pending, done_batches, next_batch = {}, {}, 0
            tasks = iter(enumerate([todo[i:i + chunk] for i in range(0, len(todo), chunk)]))

            def submit_next():
                number, batch = next(tasks, (None, None))
                if batch is None:
                    return False
                args = [(N, K, s, i, refutations != "none", arch) for N, K, s, i in batch]
                pending[engine.submit(_evaluate_many, args)] = number
                return True
            for _ in range(2 * (workers or os.cpu_count() or 1) + 2):
                if not submit_next():
                    break
            while pending:
                finished = engine.wait(list(pending))
                for fut in finished:
                    done_batches[pending.pop(fut)] = fut.result()
                # Completed batches come back in any order; records are written in task order, so the
                # file is the same for a given seed whatever the worker count.
                while next_batch in done_batches:
                    for record in done_batches.pop(next_batch):
                        key = (record["N"], record["K"])
                        improved = _score(record) > best.get(key, -1)
                        if refutations == "best" and not improved and record.get("refutation") is not None:
                            record["refutation"] = None
                            _honest(record)
                        best[key] = max(best.get(key, -1), _score(record))
                        fh.write(json.dumps(record) + "\n")
                        fh.flush()
                        os.fsync(fh.fileno())
                        if bar is not None:
                            bar.update(1)
                    next_batch += 1
                for _ in finished:
                    submit_next()
    finally:
        engine.close()
        if bar is not None:
            bar.close()
    return summarize(read_records(output), pairs, arch)


def summarize(records, pairs=None, arch="two-layer"):
    """Best record per ``(N, K)``: ``{(N, K): {"min_width", "dataset", "index", "seed", "count", ...}}``.

    Among records of the best width, one with a refutation is preferred;
    ``count`` is the number of records of the pair.
    """
    wanted = None if pairs is None else {tuple(p) for p in pairs}
    out = {}
    for r in records:
        key = (r["N"], r["K"])
        if (wanted is not None and key not in wanted) or r.get("arch", "two-layer") != arch:
            continue
        cur = out.get(key)
        has_ref = r.get("refutation") is not None
        if cur is None or _score(r) > cur["score"] or \
                (_score(r) == cur["score"] and has_ref and not cur["refutation"]):
            entry = {k: v for k, v in r.items() if k not in ("certificate", "refutation", "format")}
            entry.update(score=_score(r), refutation=has_ref, count=cur["count"] if cur else 0)
            out[key] = entry
        out[key]["count"] += 1
    return out


def check_records(path):
    """Re-check every record of a results file with the kernel (:mod:`ftcexact.kernel.records`).

    Returns ``(lines, failures)`` with failures a list of ``(line, reason)``
    (the kernel stops at the first failing record).
    """
    from ..kernel.reader import Malformed, Rejected
    from ..kernel.records import check_records as kernel_check
    lines = []
    try:
        count = kernel_check(path, lines.append)
    except (Rejected, Malformed) as e:
        return len(lines), [(0, str(e))]
    return count, []


def status(N, K, best):
    """How the search result for ``(N, K)`` settles ``m*`` (two layers), as ``(closed, text)``.

    ``m*`` is a maximum over all datasets, so a search proves only ``m* >= best``.
    It is settled when ``best`` reaches an upper bound that holds for every
    dataset: Theorem 4.1's ``min{3N+1, K-1}``, or, for ``K >= 2N + 2``,
    ``min{3N, K-2}`` from the horizontal-segment construction (docs/search.md §7),
    or, for ``K >= 5``, ``min{3N, K-2}`` from ``two-layer-tight``
    (docs/theorems/two-layer-capacity.md).

    Examples
    --------
    >>> status(1, 4, 2), status(3, 4, 3), status(4, 9, 7), status(4, 9, 6)
    ((True, 'closed: m* = 2 (construction §7)'), (True, 'closed: m* = 3 (Theorem 4.1 upper bound attained)'), \
(True, 'closed: m* = 7 (two-layer-tight)'), (True, 'closed: m* = 7 (two-layer-tight)'))
    """
    lower, upper = paper_bounds(N, K)
    if N == 0:
        return True, "closed: m* = 0 (g = 0)"
    if K <= 2 and best >= K - 1:
        return True, f"closed: m* = {K - 1} (K - 1 always suffice, Lemma 4.5)"
    if best >= upper:
        return True, f"closed: m* = {upper} (Theorem 4.1 upper bound attained)"
    if K >= 2 * N + 2 and best >= min(3 * N, K - 2):
        return True, f"closed: m* = {best} (construction §7)"
    if K >= 5:  # Theorem 4.1's lower bound meets two-layer-tight's upper bound, whatever the search found
        return True, f"closed: m* = {min(3 * N, K - 2)} (two-layer-tight)"
    return False, f"open: {max(best, lower)} <= m* <= {upper}"


def _compact(values):
    return ",".join(str(v[0]) if isinstance(v, list) else str(v) for v in values)


def markdown_table(records, pairs):
    """The docs/search.md table: best width per ``(N, K)``, its dataset, bounds and status."""
    summary = summarize(records, pairs)
    lines = ["| N | K | largest exact min width found | dataset needing it (x; z) | Thm 4.1 bounds "
             "| best universal construction | status |",
             "| ---: | ---: | ---: | --- | :---: | --- | --- |"]
    for N, K in sorted(pairs, key=lambda p: (p[1], p[0])):
        s = summary.get((N, K))
        if s is None:
            continue
        lower, upper = paper_bounds(N, K)
        construction = (f"{min(3 * N, K - 2)} (two-layer-oriented, §7)" if K >= 2 * N + 2 and K >= 3 else
                        f"{min(3 * N, K - 2)} (two-layer-tight)" if K >= 5 else
                        f"{upper} (Theorem 4.4)" if K >= 3 else f"{K - 1} (Lemma 4.5)")
        data = s["dataset"]
        z = data["y"] if not data.get("f") else [f"{y} - {f}" for y, f in zip(data["y"], data["f"])]
        best = s.get("min_width")  # None when no record has a refutation (--refutations none): an upper bound
        _, text = status(N, K, -1 if best is None else best)
        shown = best if best is not None else f"<= {s.get('width_upper')} (no refutation)"
        lines.append(f"| {N} | {K} | {shown} | {_compact(data['x'])}; {_compact(z)} | "
                     f"{lower}..{upper} | {construction} | {text} |")
    return "\n".join(lines)
