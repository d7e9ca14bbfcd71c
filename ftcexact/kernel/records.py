"""The checker of search records (``ftcexact check-refutation RESULTS.jsonl``).

A results file of ``ftcexact search`` holds one JSON record per line
(``docs/search.md`` §5).  A record claims something about its dataset, and
every claim is re-checked here in full with the kernel's own checkers:

* ``arch: "two-layer"``, ``min_width: m``: the attached certificate is a
  fine-tuning certificate for this very dataset, with one hidden layer and at
  most ``m`` neurons, and it verifies; for ``m > 0`` the attached refutation
  is a refutation of width ``m - 1`` for this dataset, and it verifies.  A
  record without a refutation may only claim ``width_upper: m`` (an upper
  bound), and is printed as one.
* ``arch: "three-layer"``, ``lower_bound: B``: the attached certificate is a
  lower-bound certificate for this dataset, architecture ``three-layer``,
  bound ``B``, and it verifies.
* A record is about the targets ``y - f`` of its dataset (``f`` a column of it, or 0), which is
  what its refutation reads: its certificate has no frozen network and its dataset no classes.
* In every record ``N`` and ``K`` are recomputed from the dataset, and so are
  the paper's bounds it quotes (two layers: ``paper_lower = min{3N, K - 2}``,
  ``paper_upper = min{3N + 1, K - 1}``; three: ``paper_lower`` = the least
  ``m`` with ``m (m + 1) >= 2 min{3N, K - 2}``, Theorem 5.1) and the least
  piece count it quotes.

Any line that is not such a record, and any record that fails, makes the
verdict ``s NOT VERIFIED``; no line is skipped.  Stdlib and the kernel only.
"""

from __future__ import annotations

import io

from .reader import MAX_JSON_BYTES, Malformed, Rejected, open_regular, parse_json

__all__ = ["FORMAT", "check_records", "MAX_RECORDS_BYTES"]

FORMAT = "ftcexact-search-record"
#: Largest results file read (it is streamed line by line; each line is at most MAX_JSON_BYTES).
MAX_RECORDS_BYTES = 16 * 2**30
RECORD_FIELDS = {"format", "generator", "N", "K", "seed", "index", "arch", "description", "dataset", "min_width",
                 "width_upper", "free_kinks", "pieces", "case", "paper_lower", "paper_upper", "certificate",
                 "refutation", "min_pieces", "lower_bound", "max_min_pieces"}


def _nat(record, key):
    v = record.get(key)
    if not (isinstance(v, str) and v.isascii() and v.isdigit() and len(v) <= 9):
        raise Rejected(f"field {key!r} must be a non-negative integer")
    return int(v)


def _sub(document, base, what):
    """Run the kernel on an embedded document; its facts, or Rejected with the reason."""
    from .verify import check_document
    lines = io.StringIO()
    try:
        facts = check_document(document, base, lambda line: print(line, file=lines))
    except (Rejected, Malformed) as e:
        raise Rejected(f"the {what} does not verify: {e}") from None
    return facts


def _min_pieces(spec, base):
    from .data import open_dataset
    from .numbers import Q
    from .verify import min_pieces_dp
    points = {}
    for block in open_dataset(spec, base).blocks():
        X, den = block.exact()
        for x, y, f in zip(X, block.Y, block.F or [None] * len(X)):
            if len(x) != 1 or y is None or len(y) != 1:
                raise Rejected("'pieces' is quoted only for scalar data on a line")
            points[Q(x[0], den)] = y[0] - (f[0] if f else 0)  # the targets z = y - f, as the oracle counts
    ts = sorted(points)
    return min_pieces_dp(ts, [points[t] for t in ts])


def check_record(record, base):
    """Check one parsed record; return ``(key, value, summary)``: what was verified, in one line."""
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise Rejected(f"not an {FORMAT} object")
    extra = sorted(set(record) - RECORD_FIELDS)
    if extra:
        raise Rejected(f"unknown field {extra[0][:40]!r}")
    N, K, arch = _nat(record, "N"), _nat(record, "K"), record.get("arch")
    cert, data = record.get("certificate"), record.get("dataset")
    if not isinstance(cert, dict) or cert.get("dataset") != data:
        raise Rejected("the certificate is not about this record's dataset")
    if "frozen" in cert or (isinstance(data, dict) and "classes" in data):
        raise Rejected("a record is about the targets y - f of its dataset alone, as its refutation reads them: "
                       "no frozen network, no classes")
    facts = _sub(cert, base, "certificate")
    if (facts["K"], facts["N"]) != (K, N):
        raise Rejected(f"the record says (N, K) = ({N}, {K}) but its dataset has ({facts['N']}, {facts['K']})")
    q = max(0, min(3 * N, K - 2))
    lower = q if arch != "three-layer" else next(m for m in range(K + 1) if m * (m + 1) >= 2 * q)
    quoted = {"paper_lower": lower, "paper_upper": max(0, min(3 * N + 1, K - 1)),
              "max_min_pieces": min(3 * N + 1, K - 1) if K >= 2 else 1}
    for key, value in quoted.items():
        if key in record and _nat(record, key) != value:
            raise Rejected(f"{key} = {record[key]} but the formula gives {value}")
    if arch == "three-layer":
        B = _nat(record, "lower_bound")
        if facts["kind"] != "lower-bound" or facts["architecture"] != "three-layer" or facts["bound"] != B:
            raise Rejected("a three-layer record needs a three-layer lower-bound certificate with its bound")
        if _nat(record, "min_pieces") != facts["min_pieces"]:
            raise Rejected("min_pieces differs from the least piece count recomputed from the dataset")
        return ("three-layer", N, K), B, "two hidden layers need d1 + d2 >= {} (lower-bound certificates)"
    if arch != "two-layer":
        raise Rejected("arch must be 'two-layer' or 'three-layer'")
    exact = "min_width" in record
    m = _nat(record, "min_width" if exact else "width_upper")
    if facts["kind"] != "fine-tuning" or facts["depth"] != 2 or facts["neurons"] > m:
        raise Rejected(f"a two-layer record of width {m} needs a one-hidden-layer certificate with at most "
                       f"{m} neurons")
    if "pieces" in record and _nat(record, "pieces") != _min_pieces(record["dataset"], base):
        raise Rejected("pieces differs from the least piece count recomputed from the dataset")
    ref = record.get("refutation")
    if not exact:
        if ref is not None:
            raise Rejected("a record with a refutation states its width as min_width")
        return ("two-layer upper", N, K), m, "some record's width is at most {} (certificate only: an upper bound)"
    if m == 0:
        return ("two-layer", N, K), 0, "largest exact min width {} (certificates and refutations)"
    if not isinstance(ref, dict) or ref.get("dataset") != record.get("dataset"):
        raise Rejected(f"min_width = {m} needs a refutation of width {m - 1} for this dataset")
    if _sub(ref, base, "refutation")["width"] != m - 1:
        raise Rejected(f"the refutation is not about width {m - 1}")
    return ("two-layer", N, K), m, "largest exact min width {} (certificates and refutations)"


def check_records(path, say, progress=None):
    """Check every line of a results file (raises Rejected on the first failure); print one line per
    ``(arch, N, K)``; return the number of records."""
    import os
    fh, size = open_regular(path)
    if size > MAX_RECORDS_BYTES:
        fh.close()
        raise Malformed(f"{path} has {size} bytes, more than the cap of {MAX_RECORDS_BYTES}")
    base, count, best = os.path.dirname(os.path.abspath(path)), 0, {}
    with fh:
        # readline with a bound: a line without a newline is never read past the cap (a sparse file of
        # 16 GiB without one would otherwise be read whole)
        for n, line in enumerate(iter(lambda: fh.readline(MAX_JSON_BYTES + 1), b""), start=1):
            if len(line) > MAX_JSON_BYTES:
                raise Rejected(f"line {n}: longer than the cap of {MAX_JSON_BYTES} bytes")
            if not line.endswith(b"\n"):
                raise Rejected(f"line {n}: incomplete last line (an interrupted run? resume it or cut the line)")
            try:
                key, value, text = check_record(parse_json(line, f"line {n}"), base)
            except (Rejected, Malformed) as e:
                raise Rejected(f"record on line {n}: {e}") from None
            seen = best.setdefault(key, [0, value, n, text])
            seen[0] += 1
            if value > seen[1]:
                seen[1:3] = value, n
            count += 1
            if progress:
                progress(len(line))
    if not count:
        raise Rejected("the file holds no records")
    for (arch, N, K), (records, value, n, text) in sorted(best.items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][0])):
        say(f"{arch}, (N, K) = ({N}, {K}): {records} records verified; " + text.format(value) + f" (line {n})")
    say(f"{count} records checked, all verified")
    return count
