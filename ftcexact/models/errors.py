"""The one error of :mod:`ftcexact.models`, and the size limits checked before any heavy work.

Every reader and writer in this package reports bad input (an unsupported
operator, a shape that does not fit, a NaN weight, a truncated file, a missing
tensor, a model that is too large) by raising :class:`ModelError` with a
one-line message; the command line prints that line and exits with code 2.

Limits
------
A model file larger than :data:`MAX_FILE_BYTES`, or a network with more than
:data:`MAX_PARAMETERS` weights and biases, is refused before its numbers are
converted: every weight becomes an exact rational (a Python object of a few
dozen bytes), so the limits keep memory and time bounded.  Every reader takes
``max_bytes=`` and ``max_parameters=`` to change them.

Examples
--------
>>> check_parameters(10, 100, "model.npz")
>>> check_parameters(101, 100, "model.npz")
Traceback (most recent call last):
...
ftcexact.models.errors.ModelError: model.npz: 101 parameters, more than the limit of 100 (max_parameters=)

References
----------
The exit-code convention is the one of ``ftcexact.cli.main`` (bad input: one
line on stderr, exit 2).
"""

from __future__ import annotations

__all__ = ["ModelError", "MAX_FILE_BYTES", "MAX_PARAMETERS", "check_parameters", "one_line"]

#: Largest model file read (bytes).
MAX_FILE_BYTES = 256 * 2**20
#: Largest number of weights and biases converted to exact rationals.
MAX_PARAMETERS = 5_000_000


class ModelError(ValueError):
    """A model that cannot be read or written; the message is one line for the user."""


def one_line(text, limit=300):
    """``text`` on one line, shortened to ``limit`` characters (for messages quoting foreign errors)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def check_parameters(count, limit, where):
    """Raise :class:`ModelError` if ``count`` parameters exceed ``limit``."""
    if limit is not None and count > limit:
        raise ModelError(f"{where}: {count} parameters, more than the limit of {limit} (max_parameters=)")
