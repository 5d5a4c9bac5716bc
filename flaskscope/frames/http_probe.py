"""HTTP where a frame header was expected: a request or status line (RFC 9112 §3, §4) or, after
a Close frame, an HTML page sent as HTTP/0.9. None of these is ever a valid frame (RFC 6455 §4:
the handshake comes before the frames, never among them), so the parser reports one finding and
stops instead of a cascade of reserved-opcode violations. Pure functions on bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["HttpInFrames", "http09_body_at", "http_head_at"]


@dataclass(frozen=True)
class HttpInFrames:
    """An HTTP start line found where a frame header was expected."""

    response: bool
    line: str


_HTTP_REQUEST_LINE = re.compile(rb"[A-Z]{3,12} [^ \r\n]{1,8000} HTTP/1\.[01]\r?\n")


_HTTP_REQUEST_PREFIX = re.compile(
    rb"[A-Z]{1,12}(?: [^ \r\n]{0,8000}"
    rb"(?: (?:H(?:T(?:T(?:P(?:/(?:1(?:\.(?:[01]\r?)?)?)?)?)?)?)?)?)?)?\Z"
)


_HTML_STARTS = (b"<!doctype", b"<html")


def http09_body_at(view: bytes | memoryview, position: int) -> HttpInFrames | str | None:
    """An HTML page where a frame was expected after a Close frame: Werkzeug reads the
    peer's frames after the closing handshake as an HTTP/0.9 request line and answers 400 as
    HTTP/0.9, a body without a status line. "<!" read as a frame sets RSV2 and RSV3 with the
    reserved opcode 0xC: never a valid frame."""
    start = bytes(view[position : position + 9]).lower()
    for prefix in _HTML_STARTS:
        if start.startswith(prefix):
            line = bytes(view[position : position + 200]).split(b"\n", 1)[0].rstrip(b"\r")
            return HttpInFrames(True, line.decode("latin-1"))
        if len(start) < len(prefix) and prefix.startswith(start):
            return "more"
    return None


def http_head_at(view: bytes | memoryview, position: int) -> HttpInFrames | str | None:
    """The HTTP start line at ``position`` (a request line must be whole to count);
    ``"more"`` when the bytes there are too few to tell."""
    start = bytes(view[position : position + 8])
    if start.startswith(b"HTTP/1.") and len(start) == 8:
        line = bytes(view[position : position + 200])
        if b"\n" not in line and len(line) < 200:
            return "more"  # the whole status line, so the finding can quote it
        return HttpInFrames(True, line.split(b"\n", 1)[0].rstrip(b"\r").decode("latin-1"))
    if len(start) < 8 and b"HTTP/1."[: len(start)] == start:
        return "more"
    line = bytes(view[position : position + 8200])
    match = _HTTP_REQUEST_LINE.match(line)
    if match is not None:
        return HttpInFrames(False, match.group(0).rstrip(b"\r\n").decode("latin-1")[:200])
    if b"\n" not in line and len(line) < 8200 and _HTTP_REQUEST_PREFIX.match(line):
        return "more"
    return None
