"""Raw HTTP/1.1 request and response heads, parsed by h11 (pure).

h11 is the sans-I/O HTTP/1.1 parser wsproto itself uses: it enforces the RFC 7230 grammar
(start line, field names and values, obs-fold) so flaskscope does not hand-split headers.
Two of its rules are checks here rather than parse errors: a request without a ``Host`` or
with several is still a handshake that can be checked (RFC 6455 §4.1 check ``host``), so
for those the Host lines are set aside and the rest is parsed again. LF-only line endings
are accepted (as h11 does) and recorded so the checker can report them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import h11

from flaskscope.errors import InputError

__all__ = [
    "MAX_HEAD_BYTES",
    "HttpRequest",
    "HttpResponse",
    "header_tokens",
    "parse_request",
    "parse_response",
]

MAX_HEAD_BYTES = 1 << 20
"""Refuse heads larger than this (h11 keeps at most this much while looking for the end)."""

_HEAD_END = re.compile(rb"\r?\n\r?\n")
_HOST_LINE = re.compile(rb"(?im)^host(?=[ \t]*:)")
_SET_ASIDE_HOST = b"X-Flaskscope-Set-Aside-Host"
_PLACEHOLDER_HOST = b"Host: flaskscope.invalid"
_HOST_ERRORS = ("Missing mandatory Host", "Found multiple Host")


@dataclass(frozen=True)
class _Message:
    """What requests and responses share: the headers as sent, and how the head was framed
    (the checklist reports LF-only endings and a missing empty line as notes)."""

    headers: tuple[tuple[str, str], ...]
    """(name as sent, value) pairs in order; values decoded as ISO-8859-1 (RFC 7230 §3.2.4)."""
    http_version: str
    line_endings: str
    """``"CRLF"``, ``"LF"`` (bare LF only) or ``"mixed"``."""
    terminated: bool
    """False when the text ended before the empty line that closes the head (RFC 7230 §3)."""
    body: bytes = field(repr=False)
    """Whatever followed the head (a request body, or frames after a 101)."""

    def get_all(self, name: str) -> tuple[str, ...]:
        """Every value of the header ``name`` (case-insensitive), in order."""
        wanted = name.lower()
        return tuple(value for header, value in self.headers if header.lower() == wanted)

    def get(self, name: str) -> str | None:
        """The header's values joined by ``", "`` (RFC 7230 §3.2.2), or None when absent."""
        values = self.get_all(name)
        return ", ".join(values) if values else None


@dataclass(frozen=True)
class HttpRequest(_Message):
    method: str = ""
    target: str = ""


@dataclass(frozen=True)
class HttpResponse(_Message):
    status_code: int = 0
    reason: str = ""


def header_tokens(value: str | None) -> tuple[str, ...]:
    """The elements of a comma-separated header (RFC 7230 §7), quotes honoured by werkzeug."""
    if value is None:
        return ()
    # Imported here: werkzeug's package import costs ~0.08 s, which only the checklist needs.
    from werkzeug.http import parse_list_header

    return tuple(item.strip() for item in parse_list_header(value) if item.strip())


def _line_endings(head: bytes) -> str:
    lines = head.count(b"\n")
    crlf = head.count(b"\r\n")
    if crlf == lines:
        return "CRLF"
    return "LF" if crlf == 0 else "mixed"


def _split_head(data: bytes) -> tuple[bytes, bytes, bool]:
    """(head including its closing empty line, rest, terminated)."""
    match = _HEAD_END.search(data)
    if match is None:
        newline = b"\r\n" if b"\r\n" in data or b"\n" not in data else b"\n"
        ending = newline if data.endswith(b"\n") else newline + newline
        return data + ending, b"", False
    return data[: match.end()], data[match.end() :], True


def _decode(value: bytes) -> str:
    return value.decode("latin-1")


def _check_size(data: bytes, what: str) -> None:
    if not data.strip():
        raise InputError(f"the {what} is empty")
    if len(data) > MAX_HEAD_BYTES and _HEAD_END.search(data, 0, MAX_HEAD_BYTES) is None:
        raise InputError(f"the {what} head is longer than {MAX_HEAD_BYTES} bytes")


_MAX_REASON_CHARS = 160
_BYTEARRAY_REPR = re.compile(r"bytearray\((b'[^']*'|b\"[^\"]*\")\)")


def _not_http(what: str, error: Exception) -> InputError:
    """h11's reason, with its ``bytearray(b'...')`` shown as the quoted text it holds."""
    reason = _BYTEARRAY_REPR.sub(lambda match: match.group(1)[1:], str(error))
    if len(reason) > _MAX_REASON_CHARS:
        reason = f"{reason[:_MAX_REASON_CHARS]}... ({len(reason)} characters)"
    return InputError(f"the {what} is not an HTTP/1.x message: {reason}")


def _feed(
    connection: h11.Connection, head: bytes
) -> h11.Request | h11.Response | h11.InformationalResponse | None:
    """The first event h11 reads from ``head``: the message's start line and headers."""
    connection.receive_data(head)
    event = connection.next_event()
    if isinstance(event, (h11.Request, h11.Response, h11.InformationalResponse)):
        return event
    return None


def _server() -> h11.Connection:
    """A server-side connection reads requests; heads up to :data:`MAX_HEAD_BYTES`."""
    return h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)


def parse_request(data: bytes) -> HttpRequest:
    """Parse the head of a raw HTTP/1.x request; InputError when it is not one."""
    _check_size(data, "request")
    head, body, terminated = _split_head(data)
    set_aside_hosts = False
    try:
        event = _feed(_server(), head)
    except h11.RemoteProtocolError as error:
        if not str(error).startswith(_HOST_ERRORS):
            raise _not_http("request", error) from error
        set_aside_hosts = True
        first_line_end = head.index(b"\n") + 1
        renamed = head[:first_line_end] + _HOST_LINE.sub(_SET_ASIDE_HOST, head[first_line_end:])
        ending = b"\r\n" if head[:first_line_end].endswith(b"\r\n") else b"\n"
        patched = renamed[:first_line_end] + _PLACEHOLDER_HOST + ending + renamed[first_line_end:]
        try:
            event = _feed(_server(), patched)
        except h11.RemoteProtocolError as second_error:
            raise _not_http("request", second_error) from second_error
    if not isinstance(event, h11.Request):
        raise InputError("the request is not an HTTP/1.x request head")
    headers = []
    for raw_name, value in event.headers.raw_items():
        if set_aside_hosts and raw_name == _PLACEHOLDER_HOST.split(b":")[0]:
            set_aside_hosts = False  # drop the one placeholder, which comes first
            continue
        name = "Host" if raw_name.lower() == _SET_ASIDE_HOST.lower() else _decode(raw_name)
        headers.append((name, _decode(value)))
    return HttpRequest(
        headers=tuple(headers),
        http_version=_decode(event.http_version),
        line_endings=_line_endings(head),
        terminated=terminated,
        body=body,
        method=_decode(event.method),
        target=_decode(event.target),
    )


def parse_response(data: bytes) -> HttpResponse:
    """Parse the head of a raw HTTP/1.x response; InputError when it is not one.

    h11 reads a response only after a request, so a WebSocket upgrade request is sent on a
    client-side connection first; that is what lets h11 accept a 101 (RFC 7230 §6.7).
    """
    _check_size(data, "response")
    head, body, terminated = _split_head(data)
    connection = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES)
    connection.send(
        h11.Request(
            method="GET",
            target="/",
            headers=[
                ("Host", "flaskscope.invalid"),
                ("Connection", "Upgrade"),
                ("Upgrade", "websocket"),
            ],
        )
    )
    connection.send(h11.EndOfMessage())
    try:
        event = _feed(connection, head)
    except h11.RemoteProtocolError as error:
        raise _not_http("response", error) from error
    if not isinstance(event, (h11.Response, h11.InformationalResponse)):
        raise InputError("the response is not an HTTP/1.x response head")
    return HttpResponse(
        headers=tuple((_decode(name), _decode(value)) for name, value in event.headers.raw_items()),
        http_version=_decode(event.http_version),
        line_endings=_line_endings(head),
        terminated=terminated,
        body=body,
        status_code=event.status_code,
        reason=_decode(event.reason),
    )
