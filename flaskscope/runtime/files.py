"""Bounded, non-blocking reading of the files a command is given.

``open()`` on a FIFO blocks until a writer appears, and reading ``/dev/zero`` never ends;
both used to hang a command or exhaust memory. Here a path is opened with ``O_NONBLOCK``
(which never waits for a FIFO's writer), the flag is cleared again for the reads, and
what is neither a regular file nor a pipe (a directory, ``/dev/zero``, a terminal) is
refused. Pipes (``--file <(zcat capture.gz)``) stay usable, and every read stops at a
limit: a key file at :data:`MAX_KEY_FILE_BYTES`, other inputs at their command's limit.
A FIFO that has no writer when it is opened reads as empty: the commands say empty input.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from typing import BinaryIO

from flaskscope.errors import InputError

__all__ = [
    "MAX_KEY_FILE_BYTES",
    "open_input_file",
    "read_bounded",
    "read_limited",
    "too_large",
]

MAX_KEY_FILE_BYTES = 64 * 1024
"""A secret key file: real keys are 16 to 64 bytes; 64 KiB is generous and still bounded."""


def open_input_file(path: str) -> BinaryIO:
    """``path`` opened for binary reading, without ever blocking in ``open``.

    ``OSError`` (with ``strerror`` fit to show) when it cannot be opened or is a directory.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", path)
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            raise OSError(errno.EINVAL, "not a regular file or a pipe", path)
        # Blocking reads from here on: a pipe with a writer is read to its end.
        fcntl.fcntl(
            descriptor, fcntl.F_SETFL, fcntl.fcntl(descriptor, fcntl.F_GETFL) & ~os.O_NONBLOCK
        )
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_limited(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``stream`` (one more than allowed tells "too large")."""
    data = bytearray()
    while len(data) <= limit:
        piece = stream.read(min(1 << 20, limit + 1 - len(data)))
        if not piece:
            break
        data += piece
    return bytes(data)


def read_bounded(path: str, limit: int, *, what: str) -> bytes:
    """The whole of ``path``, or :class:`InputError` when it holds more than ``limit`` bytes.

    ``OSError`` when it cannot be opened or read (also partway: an I/O error, ``EIO``).
    """
    with open_input_file(path) as handle:
        data = read_limited(handle, limit)
    if len(data) > limit:
        raise too_large(what, limit)
    return data


def too_large(what: str, limit: int) -> InputError:
    """The error for an input over its limit, the limit said in the unit that fits."""
    return InputError(f"{what} is larger than {describe_size(limit)}; refusing to read it")


def describe_size(size: int) -> str:
    """``64 MiB``, ``64 KiB`` or ``100 bytes``."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift and size % (1 << shift) == 0:
            return f"{size >> shift} {unit}"
    return f"{size} bytes"
