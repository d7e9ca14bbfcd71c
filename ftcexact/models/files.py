"""Reading model files under a size limit, hashing them, and writing files atomically.

A model is read into memory once, after its size is checked against the
limit, and everything else (the reader, the sha256 recorded as provenance)
works on those bytes, so the digest describes exactly what was converted.
Files are written through a temporary file in the target folder and an
atomic rename, so an error never leaves a partial file behind (the same
scheme as :func:`ftcexact.certificate.write_json_atomic`).

Examples
--------
>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> path = os.path.join(folder, "a.bin")
>>> write_bytes_atomic(b"abc", path)
>>> read_bytes(path, 10)
b'abc'
>>> sha256_hex(b"abc")[:16]
'ba7816bf8f01cfea'
>>> read_bytes(path, 2)
Traceback (most recent call last):
...
ftcexact.models.errors.ModelError: a.bin: 3 bytes, more than the limit of 2 (max_bytes=)

References
----------
POSIX ``rename(2)``: replacing a file by rename is atomic on one file system.
"""

from __future__ import annotations

import hashlib
import os
import tempfile

from .errors import ModelError

__all__ = ["read_bytes", "sha256_hex", "write_bytes_atomic", "same_file"]


def read_bytes(path, max_bytes):
    """The content of ``path``; :class:`ModelError` if unreadable or larger than ``max_bytes``."""
    name = os.path.basename(str(path))
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if max_bytes is not None and size > max_bytes:
                raise ModelError(f"{name}: {size} bytes, more than the limit of {max_bytes} (max_bytes=)")
            data = fh.read(max_bytes + 1 if max_bytes is not None else -1)
    except OSError as e:
        raise ModelError(f"cannot read {path}: {e.strerror or e}") from None
    if max_bytes is not None and len(data) > max_bytes:  # the file grew while we read it
        raise ModelError(f"{name}: more than the limit of {max_bytes} bytes (max_bytes=)")
    return data


def sha256_hex(data):
    """Lower-case hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def write_bytes_atomic(data, path):
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".ftcexact-", suffix=".tmp", dir=folder)
    except OSError as e:
        raise ModelError(f"cannot write {path}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException as e:
        os.unlink(tmp)
        if isinstance(e, OSError):
            raise ModelError(f"cannot write {path}: {e.strerror or e}") from None
        raise


def same_file(a, b):
    """Whether two paths name the same file (or the same not-yet-existing path)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)
