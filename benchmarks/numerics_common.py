"""Shared by the ftcexact.numerics benchmarks: machine facts and one fresh process per measured phase.

Each phase runs in a freshly spawned interpreter, so that ``ru_maxrss`` (peak resident memory of that
process) is the peak of that phase alone; the phase rebuilds its inputs from a seed.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import platform
import resource
import time


#: Run ``ftcexact ARGV`` in a fresh interpreter (``python -c MEASURE ARGV``); it prints its exit code, wall and
#: CPU seconds and its own peak memory as one JSON line on stderr.
MEASURE = """
import json, resource, sys, time
from ftcexact.cli.main import main
start, cpu = time.perf_counter(), time.process_time()
code = main(sys.argv[1:])
try:  # this process's own peak (ru_maxrss would include what the parent held when it forked)
    peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"code": code, "wall": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                  "rss_mib": peak}), file=sys.stderr)
"""


def machine_facts():
    import numpy as np
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            names = [ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    blas = "?"
    try:
        from threadpoolctl import threadpool_info
        info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if info:
            blas = f"{info[0].get('internal_api')} {info[0].get('version')}, {info[0].get('num_threads')} threads"
    except ImportError:
        pass
    import gmpy2
    return (f"machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}, "
            f"gmpy2 {gmpy2.version()}, BLAS {blas}; load average {os.getloadavg()[0]:.2f} "
            f"(other processes share the cores: figures are noisy, ratios are measured in the same run)")


def _child(target, args, queue):
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out = target(*args)
    queue.put((out, start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))


def in_fresh_process(target, *args):
    """``(result, peak_rss_MiB)`` of ``target(*args)`` run in a spawned interpreter."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(target, args, q))
    p.start()
    out, _, peak = q.get()
    p.join()
    return out, peak / 1024.0


def best_of(fn, repeat):
    """Best wall time of ``repeat`` calls and the last result."""
    best, res = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        res = fn()
        best = min(best, time.perf_counter() - t)
    return best, res
