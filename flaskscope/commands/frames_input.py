"""Input for ``parse-frame``: hex or base64 text, or raw bytes read 1 MiB at a time.

Rules: DATA is hex (or base64 with --base64); ``--file`` and ``-`` are raw bytes unless
--hex/--base64 say they hold text; piped stdin without DATA is taken as hex when it is only
hex digits and separators (--raw turns the detection off).
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Iterator
from typing import BinaryIO

import click

from flaskscope.builder import decode_base64, decode_hex
from flaskscope.capture import MAX_HTTP_HEAD, HttpHead, find_http_head
from flaskscope.cli import stdin_is_terminal
from flaskscope.errors import InputError

__all__ = ["CHUNK_SIZE", "open_input", "split_http_head"]

CHUNK_SIZE = 1 << 20
"""Input is read and parsed 1 MiB at a time."""

MAX_TEXT_INPUT = 64 << 20
"""Hex or base64 text is decoded whole; more than this is surely a mistake."""

_HEX_TEXT = re.compile(rb"[0-9A-Fa-fxX\\\s:,]*")


def _chunks(stream: BinaryIO, first: bytes = b"") -> Iterator[bytes]:
    if first:
        yield first
    while True:
        chunk = stream.read(CHUNK_SIZE)
        if not chunk:
            return
        yield chunk


def _stdin_binary() -> BinaryIO:
    return sys.stdin.buffer


def _read_all(stream: BinaryIO, first: bytes = b"") -> bytes:
    data = bytearray()
    for chunk in _chunks(stream, first):
        data += chunk
        if len(data) > MAX_TEXT_INPUT:
            raise InputError(f"hex or base64 input over {MAX_TEXT_INPUT} bytes: use --file")
    return bytes(data)


def _decode_text(data: bytes, encoding: str) -> bytes:
    text = data.decode("ascii", "replace")
    return decode_base64(text) if encoding == "base64" else decode_hex(text)


def open_input(data: str | None, file: str | None, encoding: str | None) -> Iterator[bytes]:
    """The input bytes as chunks (see the ``parse-frame`` help for the rules)."""
    if data is not None and data != "-" and file is not None:
        raise click.UsageError("give the bytes either as DATA or with --file, not both")
    if data is not None and data != "-":
        if encoding == "raw":
            raise click.UsageError("--raw is for --file and '-' (stdin), not for DATA")
        return iter((_decode_text(data.encode("utf-8", "replace"), encoding or "hex"),))
    if file is not None and file != "-":
        try:
            handle = open(file, "rb")  # noqa: SIM115 - closed by the generator below
        except OSError as error:
            raise click.BadParameter(f"{file}: {error.strerror}", param_hint="--file") from error
        if encoding in ("hex", "base64"):
            with handle:
                return iter((_decode_text(_read_all(handle), encoding),))
        return _file_chunks(handle)
    if data is None and file is None and stdin_is_terminal():
        raise click.UsageError("no input: pass hex DATA, '-' for stdin, or --file PATH")
    stdin = _stdin_binary()
    first = stdin.read(CHUNK_SIZE)
    if encoding is None:
        encoding = "hex" if first.strip() and _HEX_TEXT.fullmatch(first) else "raw"
    if encoding == "raw":
        return _chunks(stdin, first)
    return iter((_decode_text(_read_all(stdin, first), encoding),))


def _file_chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        yield from _chunks(handle)


HEAD_PROBE = 4096
"""Bytes gathered before deciding whether the capture starts with an HTTP head."""


def split_http_head(chunks: Iterator[bytes]) -> tuple[HttpHead | None, Iterator[bytes]]:
    """Take an HTTP upgrade head off the front of the capture (see :mod:`flaskscope.capture`).

    Returns the head (or None) and the chunks that follow it, still read lazily.
    """
    iterator = iter(chunks)
    pending = bytearray()
    exhausted = False
    while True:
        while len(pending) < HEAD_PROBE and not exhausted:
            chunk = next(iterator, None)
            if chunk is None:
                exhausted = True
            else:
                pending += chunk
        found = find_http_head(bytes(pending[: MAX_HTTP_HEAD + 4]))
        if not isinstance(found, int):
            break
        if exhausted or len(pending) > MAX_HTTP_HEAD:
            raise InputError(
                "the input starts with an HTTP start line, but the head's blank line does "
                f"not come within {min(len(pending), MAX_HTTP_HEAD)} bytes"
            )
        chunk = next(iterator, None)
        if chunk is None:
            exhausted = True
        else:
            pending += chunk
    rest = bytes(pending[found.length :]) if found is not None else bytes(pending)
    return found, itertools.chain((rest,) if rest else (), iterator)
