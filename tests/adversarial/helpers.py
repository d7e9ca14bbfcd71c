"""Shared helpers of the adversarial tests: run a checker or a command, time it, classify the outcome."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Generous bound for "well under a second" on a loaded machine with two shared cores.
FAST = 5.0


def slow_marks():
    """The marks of a long run: the ``slow`` marker and a skip unless FTCEXACT_SLOW is set."""
    import pytest
    return [pytest.mark.slow,
            pytest.mark.skipif(not os.environ.get("FTCEXACT_SLOW"), reason="long run: set FTCEXACT_SLOW=1")]


def write_json(path, obj):
    path = Path(path)
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj))
    return str(path)


def verify_doc(path, doc=None, expect=None):
    """Run the kernel on a file (or an object written to ``path`` first): (exit code, stdout, stderr, seconds)."""
    from ftcexact.kernel.verify import run
    if doc is not None:
        write_json(path, doc)
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    code = run(str(path), out=out, err=err, expect=expect)
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - start


def check_records_file(path):
    """``ftcexact check-refutation FILE.jsonl`` in-process: (exit code, stdout, stderr, seconds)."""
    from ftcexact.kernel.records import check_records
    from ftcexact.kernel.verify import verdict
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    code = verdict(lambda say: check_records(str(path), say), out, err, tool="ftcexact check-refutation")
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - start


def cli(argv, cwd=None):
    """``ftcexact ARGV`` in-process: (exit code, stdout, stderr, seconds); argparse exits become codes."""
    from ftcexact.cli.main import main
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    old = os.getcwd()
    try:
        if cwd:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in argv])
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - start


def cli_subprocess(argv, cwd=None, env=None, timeout=60):
    """``python -m ftcexact ARGV`` in a fresh interpreter (for the number backend or a real pipe)."""
    full_env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    full_env.update(env or {})
    start = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "ftcexact", *map(str, argv)], cwd=cwd, env=full_env,
                       capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr, time.perf_counter() - start


def assert_refused(result, codes=(1, 2), bound=FAST):
    """A hostile input: NOT VERIFIED or malformed, never 0 or 3, no traceback, within the time bound."""
    code, out, err, seconds = result
    assert code in codes, (code, out[-400:], err[-400:])
    assert "Traceback" not in out + err, err[-2000:]
    assert seconds < bound, f"took {seconds:.1f} s"
    if code == 1:
        assert out.splitlines()[-1] == "s NOT VERIFIED"
    if code == 2:
        assert len(err.strip().splitlines()) == 1 and "s VERIFIED" not in out, err
    return result
