"""One BLAS thread for code made of many small products (private helper).

OpenBLAS threads synchronise on every call; on small products (a few
thousand rows, tens of columns) that costs more than it saves, dramatically
so when other processes share the cores.  :func:`single_blas` limits BLAS to
one thread for the duration of a ``with`` block when threadpoolctl is
installed (optional) and does nothing otherwise.
"""

from __future__ import annotations

from contextlib import nullcontext

_CONTROLLER = None


def single_blas():
    """Context manager: one BLAS thread inside (threadpoolctl), or a no-op without it."""
    global _CONTROLLER
    if _CONTROLLER is None:
        try:
            from threadpoolctl import ThreadpoolController
            _CONTROLLER = ThreadpoolController()
        except ImportError:
            _CONTROLLER = False
    return _CONTROLLER.limit(limits=1, user_api="blas") if _CONTROLLER else nullcontext()
