"""Input for ``parse-frame`` and ``build-frame``: bytes as people type them (hex, base64),
or raw bytes read 1 MiB at a time.

Decoding typed text into bytes is input handling, not protocol: the cores take bytes, so
the hex and base64 readers live here with the rest of the command-line input.

Rules: DATA is hex (or base64 with --base64); ``--file`` and ``-`` are raw bytes unless
--hex/--base64 say they hold text; piped stdin without DATA is taken as hex when it is only
hex digits and separators (--raw turns the detection off).
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
import sys
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import click

from flaskscope.cli import stdin_is_terminal
from flaskscope.errors import InputError
from flaskscope.runtime.files import describe_size, open_input_file

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_MAX_INPUT_BYTES",
    "HEX_CHUNK",
    "decode_base64",
    "decode_hex",
    "non_empty",
    "open_input",
]

CHUNK_SIZE = 1 << 20
"""Input is read and parsed 1 MiB at a time."""

DEFAULT_MAX_INPUT_BYTES = 4 << 30
"""``--max-input-bytes``: a stream (a pipe, stdin) is read up to this many bytes, then the
command stops with exit 2; a capture larger than this is surely not meant to be read whole."""

MAX_TEXT_INPUT = 64 << 20
"""Hex or base64 text is decoded whole; more than this is surely a mistake."""

_HEX_TEXT = re.compile(rb"[0-9A-Fa-fxX\\\s:,]*")
_HEX_PREFIX = re.compile(r"(?<![0-9A-Fa-f])0[xX]|\\[xX]")
_HEX_SEPARATORS = re.compile(r"[\s:,]+")
_NOT_HEX = re.compile(r"[^0-9A-Fa-f]")


HEX_CHUNK = 1 << 18
"""Hex text is cleaned and decoded about this many characters at a time."""

_HEX_CUT = re.compile(r"[\s:,\\]")
"""Chunks are cut in front of a separator or a backslash: no prefix is split and the
``0x`` look-behind sees the same character as in the whole text."""


_ASCII_SEPARATORS = str.maketrans("", "", " \t\n\r\f\v:,")


def _clean_hex(piece: str) -> str:
    """The hex digits of ``piece``: C-speed ``replace``/``translate`` passes (a regex
    substitution builds one string object per match), the regexes only where they matter."""
    piece = piece.replace("\\x", " ").replace("\\X", " ")
    if "0x" in piece or "0X" in piece:
        piece = _HEX_PREFIX.sub("", piece)
    cleaned = piece.translate(_ASCII_SEPARATORS)
    if _NOT_HEX.search(cleaned) is not None:
        # Other whitespace (str.split's, e.g. U+00A0 pasted from a web page) is a separator too.
        cleaned = _HEX_SEPARATORS.sub("", piece)
    return cleaned


def decode_hex(text: str) -> bytes:
    """Hex as people paste it: spaces, newlines, colons, ``0x`` and ``\\x`` prefixes allowed.

    Cleaned chunk by chunk (an odd digit carried to the next chunk), so memory stays a small
    multiple of the text: one ``re.sub`` over 63 MB of spaced hex used to peak at 1.7 GB.
    """
    decoded = bytearray()
    carry = ""
    digits = 0
    start = 0
    while start < len(text):
        cut = _HEX_CUT.search(text, start + HEX_CHUNK) if start + HEX_CHUNK < len(text) else None
        end = len(text) if cut is None else cut.start()
        cleaned = _clean_hex(text[start:end])
        bad = _NOT_HEX.search(cleaned)
        if bad is not None:
            raise InputError(f"not hex: unexpected character {bad.group()!r}")
        digits += len(cleaned)
        cleaned = carry + cleaned
        even = len(cleaned) - len(cleaned) % 2
        decoded += bytes.fromhex(cleaned[:even])
        carry = cleaned[even:]
        start = end
    if digits % 2:
        raise InputError(f"not hex: an odd number of hex digits ({digits})")
    return bytes(decoded)


def decode_base64(text: str) -> bytes:
    """Standard or URL-safe base64, whitespace allowed, padding optional."""
    cleaned = "".join(text.split()).replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as error:
        raise InputError(f"not base64: {error}") from error


def _chunks(
    stream: BinaryIO, first: bytes = b"", *, limit: int = DEFAULT_MAX_INPUT_BYTES, what: str
) -> Iterator[bytes]:
    """``stream`` 1 MiB at a time, at most ``limit`` bytes; a read error is an InputError."""
    total = len(first)
    if total > limit:
        raise InputError(
            f"{what} is longer than --max-input-bytes ({describe_size(limit)}); stopped reading"
        )
    if first:
        yield first
    while True:
        try:
            chunk = stream.read(CHUNK_SIZE)
        except OSError as error:
            raise InputError(
                f"cannot read {what} after {total} bytes: {error.strerror or error}"
            ) from error
        if not chunk:
            return
        total += len(chunk)
        if total > limit:
            raise InputError(
                f"{what} is longer than --max-input-bytes ({describe_size(limit)}); stopped reading"
            )
        yield chunk


def _stdin_binary() -> BinaryIO:
    return sys.stdin.buffer


def _read_all(stream: BinaryIO, first: bytes = b"", *, what: str) -> bytearray:
    data = bytearray()
    for chunk in _chunks(stream, first, limit=MAX_TEXT_INPUT + CHUNK_SIZE, what=what):
        data += chunk
        if len(data) > MAX_TEXT_INPUT:
            raise InputError(f"hex or base64 input over {MAX_TEXT_INPUT} bytes: use --file")
    return data


def _decode_text(data: bytes | bytearray, encoding: str) -> bytes:
    text = data.decode("ascii", "replace")
    return decode_base64(text) if encoding == "base64" else decode_hex(text)


def open_input(
    data: str | None,
    file: str | None,
    encoding: str | None,
    *,
    max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES,
) -> Iterator[bytes]:
    """The input bytes as chunks (see the ``parse-frame`` help for the rules).

    ``--file`` must be a regular file or a pipe (opened without waiting for a FIFO's writer);
    any stream is read up to ``max_input_bytes``.
    """
    if data is not None and data != "-" and file is not None:
        raise click.UsageError("give the bytes either as DATA or with --file, not both")
    if data is not None and data != "-":
        if encoding == "raw":
            raise click.UsageError("--raw is for --file and '-' (stdin), not for DATA")
        return iter((_decode_text(data.encode("utf-8", "replace"), encoding or "hex"),))
    if file is not None and file != "-":
        try:
            handle = open_input_file(file)
        except OSError as error:
            reason = error.strerror or str(error)
            raise click.BadParameter(f"{file}: {reason}", param_hint="--file") from error
        what = f"--file {file}"
        if encoding in ("hex", "base64"):
            with handle:
                return iter((_decode_text(_read_all(handle, what=what), encoding),))
        return _file_chunks(handle, limit=max_input_bytes, what=what)
    if data is None and file is None and stdin_is_terminal():
        raise click.UsageError("no input: pass hex DATA, '-' for stdin, or --file PATH")
    stdin = _stdin_binary()
    try:
        first = stdin.read(CHUNK_SIZE)
    except OSError as error:
        raise InputError(f"cannot read stdin: {error.strerror or error}") from error
    if encoding is None:
        encoding = "hex" if first.strip() and _HEX_TEXT.fullmatch(first) else "raw"
    if encoding == "raw":
        return _chunks(stdin, first, limit=max_input_bytes, what="stdin")
    return iter((_decode_text(_read_all(stdin, first, what="stdin"), encoding),))


def _file_chunks(handle: BinaryIO, *, limit: int, what: str) -> Iterator[bytes]:
    with handle:
        yield from _chunks(handle, limit=limit, what=what)


def non_empty(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``chunks`` unchanged, or an :class:`InputError` (exit 2) at once when they hold no byte.

    An empty capture is not a clean one: "complete, no violations" for an empty pipe would
    let a broken pipeline upstream pass unnoticed.
    """
    iterator = iter(chunks)
    for chunk in iterator:
        if chunk:
            return itertools.chain((chunk,), iterator)
    raise InputError("no bytes to parse")
