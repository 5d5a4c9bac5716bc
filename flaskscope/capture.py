"""Captures that begin with the HTTP upgrade (RFC 6455 §4): find where the frames start.

A one-direction TCP stream saved from Wireshark ("Follow TCP Stream", raw) holds the HTTP
request or response head, then the frames. No frame can look like one: "GET " and "HTTP/1.1"
start with the bytes 0x47 and 0x48, a reserved opcode and a Close frame with RSV1 set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MAX_HTTP_HEAD", "HttpHead", "find_http_head"]

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
