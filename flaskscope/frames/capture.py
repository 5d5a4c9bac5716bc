"""Whole captures: :func:`parse_stream` runs the streaming parser over all of one;
:func:`find_http_head` and :func:`split_http_head` find where the frames start when it
begins with the HTTP upgrade, and :func:`settings_from_head` what that head tells the parser.

A one-direction TCP stream saved from Wireshark ("Follow TCP Stream", raw) holds the HTTP
request or response head, then the frames (RFC 6455 §4). No frame can look like one: "GET "
and "HTTP/1.1" start with the bytes 0x47 and 0x48, a reserved opcode and a Close frame with
RSV1 set.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flaskscope.errors import InputError
from flaskscope.frames.deflate import DeflateSettings
from flaskscope.frames.records import FrameRecord, MessageRecord, StreamResult
from flaskscope.frames.stream import (
    DEFAULT_MAX_MESSAGE_SIZE,
    DEFAULT_MAX_TOTAL_DECOMPRESSED,
    Event,
    FrameParser,
)
from flaskscope.frames.violations import Violation

__all__ = [
    "MAX_HTTP_HEAD",
    "HttpHead",
    "ParserSettings",
    "collect_events",
    "find_http_head",
    "iter_events",
    "parse_stream",
    "settings_from_head",
    "split_http_head",
]

MAX_HTTP_HEAD = 64 * 1024
"""A head longer than this is not looked for (servers refuse far smaller ones)."""

_START_LINE = re.compile(
    rb"(?P<response>HTTP/1\.[01] [0-9]{3}[^\r\n]*)|(?P<request>[A-Z]+ [^ \r\n]+ HTTP/1\.[01])"
)
_END = re.compile(rb"\r?\n\r?\n")

HEAD_PROBE = 4096
"""Bytes gathered before deciding whether the capture starts with an HTTP head."""


@dataclass(frozen=True)
class HttpHead:
    """The HTTP head in front of the frames."""

    kind: str
    """``request`` (the frames after it are a client's) or ``response`` (a server's)."""
    head: bytes
    """The head itself, blank line included."""

    @property
    def length(self) -> int:
        return len(self.head)

    @property
    def role(self) -> str:
        return "client" if self.kind == "request" else "server"


def find_http_head(data: bytes) -> HttpHead | int | None:
    """The HTTP head at the start of ``data``; None when ``data`` does not start with an HTTP
    start line; an int (the bytes looked at) when its blank line is not in ``data`` yet.

    ``data`` should hold at least a few KiB of the capture (or all of it), so that a start
    line is never judged from its first bytes alone."""
    match = _START_LINE.match(data)
    if match is None:
        return None
    end = _END.search(data, match.end())
    if end is None:
        return len(data)
    kind = "response" if match.group("response") else "request"
    return HttpHead(kind=kind, head=data[: end.end()])


def split_http_head(chunks: Iterable[bytes]) -> tuple[HttpHead | None, Iterator[bytes]]:
    """Take an HTTP upgrade head off the front of a capture given as chunks.

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


@dataclass(frozen=True)
class ParserSettings:
    """Who sent the frames, the deflate parameters and where the frames start, with where
    the first two came from (the renderers say so)."""

    role: str
    role_source: str
    """``option`` (given), ``auto`` (from the first frame's mask bit) or ``http-head``."""
    deflate: DeflateSettings | None
    deflate_from_head: bool
    offset: int


def settings_from_head(
    head: HttpHead | None, *, role: str, deflate: DeflateSettings | None, deflate_given: bool
) -> ParserSettings:
    """Settings given by the user, completed by the HTTP head in front of the frames.

    A request head means the frames are a client's and a response head a server's
    (RFC 6455 §4); a 101 response also says what permessage-deflate parameters were
    negotiated (RFC 7692 §7), unless the user gave them (``deflate_given``).
    """
    role_source = "auto" if role == "auto" else "option"
    deflate_from_head = False
    if head is not None:
        if role == "auto":
            role, role_source = head.role, "http-head"
        if head.kind == "response" and not deflate_given:
            # Imported here: the HTTP parser behind it costs start-up time that captures
            # without a head do not need.
            from flaskscope.handshake.response_rules import negotiated_deflate

            deflate = negotiated_deflate(head.head)
            deflate_from_head = deflate is not None
    return ParserSettings(
        role=role,
        role_source=role_source,
        deflate=deflate,
        deflate_from_head=deflate_from_head,
        offset=0 if head is None else head.length,
    )


def iter_events(parser: FrameParser, chunks: Iterable[bytes]) -> Iterator[list[Event]]:
    """Feed every chunk (see :meth:`FrameParser.feed_in_slices`), then finish: the events in
    batches of a few thousand, as they are known."""
    for chunk in chunks:
        yield from parser.feed_in_slices(chunk)
    yield parser.finish()


def parse_stream(
    data: bytes | Iterable[bytes],
    *,
    role: str = "auto",
    deflate: DeflateSettings | None = None,
    keep: int | None = None,
    max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
    records: bool = True,
    max_violations: int = 10_000,
    offset: int = 0,
    max_total_decompressed: int = DEFAULT_MAX_TOTAL_DECOMPRESSED,
) -> StreamResult:
    """Parse a whole capture (bytes, or an iterable of chunks read incrementally).

    Keeps every frame and message record (use ``records=False`` for counts only) and at
    most ``max_violations`` violations (the summary counts all of them). ``offset`` is where
    the frames start in the capture (after an HTTP head), so frame offsets are the capture's.
    """
    parser = FrameParser(
        role=role,
        deflate=deflate,
        keep=keep,
        max_message_size=max_message_size,
        records=records,
        offset=offset,
        max_total_decompressed=max_total_decompressed,
    )
    chunks: Iterable[bytes] = (data,) if isinstance(data, (bytes, bytearray)) else data
    return collect_events(parser, chunks, max_violations=max_violations)


def collect_events(
    parser: FrameParser, chunks: Iterable[bytes], *, max_violations: int = 10_000
) -> StreamResult:
    """Run ``parser`` over the whole capture and keep what it reports (see
    :func:`parse_stream`)."""
    frames: list[FrameRecord] = []
    messages: list[MessageRecord] = []
    violations: list[Violation] = []
    for events in iter_events(parser, chunks):
        _collect(events, frames, messages, violations, max_violations)
    return StreamResult(
        frames=tuple(frames),
        messages=tuple(messages),
        violations=tuple(violations),
        complete=parser.complete,
        bytes_needed=parser.bytes_needed,
        role=parser.role,
        role_detected=parser.role_detected,
        summary=parser.summary(),
    )


def _collect(
    events: list[Event],
    frames: list[FrameRecord],
    messages: list[MessageRecord],
    violations: list[Violation],
    max_violations: int,
) -> None:
    for event in events:
        if isinstance(event, FrameRecord):
            frames.append(event)
        elif isinstance(event, MessageRecord):
            messages.append(event)
        elif len(violations) < max_violations:
            violations.append(event)
