"""Whole captures: :func:`parse_stream` runs the streaming parser over all of one, and
:func:`find_http_head` finds where the frames start when it begins with the HTTP upgrade.

A one-direction TCP stream saved from Wireshark ("Follow TCP Stream", raw) holds the HTTP
request or response head, then the frames (RFC 6455 §4). No frame can look like one: "GET "
and "HTTP/1.1" start with the bytes 0x47 and 0x48, a reserved opcode and a Close frame with
RSV1 set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flaskscope.deflate import DeflateSettings
from flaskscope.records import FrameRecord, MessageRecord, StreamResult
from flaskscope.stream import DEFAULT_MAX_MESSAGE_SIZE, Event, FrameParser
from flaskscope.violations import Violation

__all__ = ["MAX_HTTP_HEAD", "HttpHead", "find_http_head", "parse_stream"]

MAX_HTTP_HEAD = 64 * 1024
"""A head longer than this is not looked for (servers refuse far smaller ones)."""

_START_LINE = re.compile(
    rb"(?P<response>HTTP/1\.[01] [0-9]{3}[^\r\n]*)|(?P<request>[A-Z]+ [^ \r\n]+ HTTP/1\.[01])"
)
_END = re.compile(rb"\r?\n\r?\n")


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
    )
    frames: list[FrameRecord] = []
    messages: list[MessageRecord] = []
    violations: list[Violation] = []
    chunks: Iterable[bytes] = (data,) if isinstance(data, (bytes, bytearray)) else data
    for chunk in chunks:
        for events in parser.feed_in_slices(chunk):
            _collect(events, frames, messages, violations, max_violations)
    _collect(parser.finish(), frames, messages, violations, max_violations)
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
