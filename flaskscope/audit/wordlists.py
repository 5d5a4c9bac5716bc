"""Candidate secret keys, streamed in chunks of whole lines with bounded memory.

A wordlist is read ``CHUNK_BYTES`` at a time and cut after its last newline, so a 10 GB list
streams through a few hundred KiB of memory and each chunk is handed to a worker as one
``bytes`` (no per-line Python objects on the reading side). Lines are taken as they are:
only the line ending (``\\n`` or ``\\r\\n``) is removed, a blank line is the empty key, and
the bytes are kept as they are (a line that is not UTF-8 is tried as raw bytes; for a UTF-8
line its bytes are exactly what itsdangerous' ``want_bytes`` makes of the ``str``).
"""

from __future__ import annotations

import gzip
import os
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import IO, cast

from flaskscope.errors import InputError
from flaskscope.runtime.files import open_input_file

__all__ = [
    "BUILTIN_NAME",
    "CHUNK_BYTES",
    "MAX_LINE_BYTES",
    "Chunk",
    "WordlistError",
    "WordlistSource",
    "builtin_source",
    "chunks_from_stream",
    "count_lines",
    "file_source",
    "stream_source",
]

CHUNK_BYTES = 64 * 1024
"""Bytes read per chunk: thousands of candidates, about 10 ms of work for one worker."""
MAX_LINE_BYTES = 1024 * 1024
"""A longer line is not a candidate secret key: the input is not a wordlist."""
COUNT_LIMIT_BYTES = 256 * 1024 * 1024
"""Regular files up to this size (all together) are counted first, for an ETA."""
BUILTIN_NAME = "built-in"
BUILTIN_EXTRA_KEYS: tuple[bytes, ...] = (b'_5#y2L"F4Q8z\n\xec]/',)
"""Built-in keys that cannot be lines of ``data/weak_secrets.txt`` because they hold a
newline: the example key of Flask's quickstart ("How to generate good secret keys")."""


class WordlistError(InputError):
    """A wordlist cannot be read (missing, unreadable, corrupt gzip, not a wordlist)."""


@dataclass(frozen=True)
class Chunk:
    """Whole lines of one source, joined by ``\\n`` with the line endings removed."""

    data: bytes
    count: int
    """Number of candidates (lines) in ``data``; ``data == b""`` with count 1 is the empty key."""
    keys: tuple[bytes, ...] = ()
    """Candidates given one by one instead of as lines (keys that hold a newline)."""

    def lines(self) -> list[bytes]:
        if self.keys:
            return list(self.keys)
        return self.data.split(b"\n")


@dataclass(frozen=True)
class WordlistSource:
    """One source of candidates: a file path, stdin, or the built-in list."""

    name: str
    path: str | None = None
    """Filesystem path; ``None`` for stdin (``stream``) and for the built-in list."""
    stream: IO[bytes] | None = None
    builtin: bool = False

    @property
    def compressed(self) -> bool:
        return self.path is not None and self.path.endswith(".gz")

    def open(self) -> IO[bytes]:
        if self.stream is not None:
            return self.stream
        if self.builtin:
            return (resources.files("flaskscope") / "data" / "weak_secrets.txt").open("rb")
        if self.path is None:
            raise WordlistError(f"{self.name}: nothing to read")
        try:
            # Never blocks on a FIFO without a writer; /dev/zero and directories are refused.
            handle = open_input_file(self.path)
            if self.compressed:
                compressed = gzip.GzipFile(fileobj=handle, mode="rb")
                compressed.myfileobj = handle  # type: ignore[assignment]  # closed with it
                return cast("IO[bytes]", compressed)
            return handle
        except OSError as error:
            raise WordlistError(f"{self.path}: {error.strerror or error}") from error

    def chunks(self, chunk_bytes: int = CHUNK_BYTES) -> Iterator[Chunk]:
        handle = self.open()
        try:
            yield from chunks_from_stream(handle, name=self.name, chunk_bytes=chunk_bytes)
        finally:
            if self.stream is None:
                handle.close()
        if self.builtin:
            yield Chunk(b"", len(BUILTIN_EXTRA_KEYS), BUILTIN_EXTRA_KEYS)

    def count(self) -> int:
        """Candidates in a regular file or the built-in list (one fast pass, no line objects)."""
        extra = len(BUILTIN_EXTRA_KEYS) if self.builtin else 0
        return count_lines(self) + extra

    def countable_size(self) -> int | None:
        """Size in bytes when counting lines first is cheap (a regular uncompressed file)."""
        if self.builtin:
            return 0
        if self.path is None or self.compressed:
            return None
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        return info.st_size if stat.S_ISREG(info.st_mode) else None


def file_source(path: str) -> WordlistSource:
    """A wordlist file (``.gz`` read through gzip), checked to exist up front."""
    if os.path.isdir(path):
        raise WordlistError(f"{path}: is a directory, not a wordlist")
    if not os.path.exists(path):
        raise WordlistError(f"{path}: no such wordlist file")
    return WordlistSource(name=path, path=path)


def stream_source(stream: IO[bytes], name: str = "stdin") -> WordlistSource:
    return WordlistSource(name=name, stream=stream)


def builtin_source() -> WordlistSource:
    return WordlistSource(name=BUILTIN_NAME, builtin=True)


def _read(handle: IO[bytes], size: int, name: str) -> bytes:
    try:
        return handle.read(size)
    except (OSError, EOFError, zlib.error) as error:
        # gzip.BadGzipFile is an OSError; a truncated .gz raises EOFError.
        raise WordlistError(f"{name}: cannot read ({error})") from error


def chunks_from_stream(
    handle: IO[bytes], *, name: str, chunk_bytes: int = CHUNK_BYTES
) -> Iterator[Chunk]:
    """Chunks of whole lines from a binary stream, memory bounded by the chunk size and
    :data:`MAX_LINE_BYTES`.
    """
    pending = b""
    while True:
        block = _read(handle, chunk_bytes, name)
        if not block:
            break
        buffer = pending + block if pending else block
        cut = buffer.rfind(b"\n")
        if cut < 0:
            if len(buffer) > MAX_LINE_BYTES:
                raise WordlistError(
                    f"{name}: a line is longer than {MAX_LINE_BYTES // 1024} KiB; "
                    "is this a wordlist (one candidate per line)?"
                )
            pending = buffer
            continue
        # Cut after a "\n", so a "\r\n" is never split between two chunks.
        data = buffer[: cut + 1]
        pending = buffer[cut + 1 :]
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n")
        data = data[:-1]
        yield Chunk(data, data.count(b"\n") + 1)
    if pending:
        yield Chunk(pending, pending.count(b"\n") + 1)


def count_lines(source: WordlistSource, chunk_bytes: int = 1024 * 1024) -> int:
    """Lines in a source, counted without making line objects."""
    handle = source.open()
    lines = 0
    last = b""
    try:
        while True:
            block = _read(handle, chunk_bytes, source.name)
            if not block:
                break
            lines += block.count(b"\n")
            last = block
    finally:
        handle.close()
    if last and not last.endswith(b"\n"):
        lines += 1
    return lines
