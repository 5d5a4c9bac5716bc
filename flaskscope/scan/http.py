"""HTTP/1.x message framing in one direction of a captured connection (RFC 9112).

Only what ``scan`` needs: each message's head (start line and fields), and where its body
ends so the next head can be found: ``Transfer-Encoding: chunked`` (§7.1), ``Content-Length``
(§6.3), no body for requests without either, and for responses to HEAD, 1xx, 204 and 304
(§6.3 rule 1); otherwise a response body runs until the connection closes. Bodies are
skipped, never kept; a head is at most :data:`MAX_HEAD` bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["MAX_HEAD", "HttpDirection", "HttpHeadRecord", "looks_like_http", "start_line_in"]

MAX_HEAD = 64 * 1024

_REQUEST_LINE = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP/1\.[01]\r?$")
_STATUS_LINE = re.compile(rb"HTTP/1\.[01] ([0-9]{3})(?: (.*))?\r?$")
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]+)[^\r\n]*\r?\n")
_METHOD_START = re.compile(rb"[A-Z]{3,12} \S")
_REQUEST_START = re.compile(rb"(?:^|\n)([A-Z]{3,12} [^ \r\n]+ HTTP/1\.[01]\r?\n)")
_RESPONSE_START = re.compile(rb"(?:^|\n)(HTTP/1\.[01] [0-9]{3}[^\r\n]*\r?\n)")


def looks_like_http(data: bytes, *, response: bool | None = None) -> bool:
    """True when ``data`` starts like an HTTP/1.x request (or response) head."""
    if response is not False and data.startswith(b"HTTP/1."):
        return True
    if response is True:
        return False
    line_end = data.find(b"\n", 0, 8192)
    line = data[: line_end if line_end >= 0 else min(len(data), 8192)]
    if line_end < 0:
        return bool(_METHOD_START.match(line)) and b" HTTP/" not in line[:4]
    return bool(_REQUEST_LINE.match(line))


def start_line_in(data: bytes, *, response: bool) -> bool:
    """True when a request (or response) start line begins a line somewhere in ``data``."""
    return (_RESPONSE_START if response else _REQUEST_START).search(data) is not None


@dataclass(frozen=True)
class HttpHeadRecord:
    """A request or response head, found at ``timestamp``."""

    is_request: bool
    raw: bytes
    method: str
    target: str
    status: int | None
    reason: str | None
    fields: tuple[tuple[str, str], ...]
    timestamp: float

    def get_all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [value for field, value in self.fields if field.lower() == lowered]

    def get(self, name: str) -> str | None:
        found = self.get_all(name)
        return found[0] if found else None

    def has_token(self, name: str, token: str) -> bool:
        return any(
            token in (part.strip().lower() for part in value.split(","))
            for value in self.get_all(name)
        )


def parse_head(raw: bytes, timestamp: float, *, is_request: bool) -> HttpHeadRecord | None:
    lines = raw.split(b"\n")
    start = lines[0].rstrip(b"\r")
    fields: list[tuple[str, str]] = []
    for line in lines[1:]:
        line = line.rstrip(b"\r")
        if not line:
            continue
        name, colon, value = line.partition(b":")
        if colon:
            fields.append((name.strip().decode("latin-1"), value.strip().decode("latin-1")))
    if is_request:
        match = _REQUEST_LINE.match(start)
        if match is None:
            return None
        return HttpHeadRecord(
            True,
            raw,
            match.group(1).decode("latin-1"),
            match.group(2).decode("latin-1"),
            None,
            None,
            tuple(fields),
            timestamp,
        )
    match = _STATUS_LINE.match(start)
    if match is None:
        return None
    return HttpHeadRecord(
        False,
        raw,
        "",
        "",
        int(match.group(1)),
        (match.group(2) or b"").decode("latin-1").strip(),
        tuple(fields),
        timestamp,
    )


class HttpDirection:
    """One direction's HTTP messages: feed bytes, get heads.

    ``body_rule`` tells a response how its body ends given its head (it needs the request it
    answers: HEAD has no body); it returns ``"none"``, ``"length:N"``, ``"chunked"``,
    ``"close"`` or ``"upgrade"`` (the bytes after it are another protocol's).
    """

    def __init__(
        self, *, is_request: bool, body_rule: Callable[[HttpHeadRecord], str] | None = None
    ) -> None:
        self.is_request = is_request
        self.body_rule = body_rule
        self._buffer = bytearray()
        self._body_left = 0
        self._chunked = False
        self._chunk_state = "size"
        self._until_close = False
        self.upgraded = False
        self.broken: str | None = None
        self.body_bytes = 0
        self._resync = False

    def gap(self) -> bool:
        """Bytes are missing: whatever message was in progress is lost; the next start line
        found at the beginning of a line is where parsing resumes. Returns whether a head
        was being read (so the message it began is lost)."""
        in_head = bool(self._buffer) and not (self._body_left or self._chunked or self._until_close)
        self._buffer.clear()
        self._body_left = 0
        self._chunked = False
        self._until_close = False
        self.broken = None
        self._resync = True
        return in_head

    def _find_start(self) -> bool:
        """Drop the bytes before the next start line (bounded by :data:`MAX_HEAD`)."""
        pattern = _RESPONSE_START if not self.is_request else _REQUEST_START
        match = pattern.search(self._buffer)
        if match is None:
            if len(self._buffer) > MAX_HEAD:
                del self._buffer[: len(self._buffer) - 64]
            return False
        del self._buffer[: match.start(1)]
        self._resync = False
        return True

    def feed(self, data: bytes, timestamp: float) -> tuple[list[HttpHeadRecord], bytes]:
        """Heads completed by ``data``, and the bytes after an upgrade (another protocol's)."""
        heads: list[HttpHeadRecord] = []
        if self.broken is not None or self._until_close:
            self.body_bytes += len(data)
            return heads, b""
        self._buffer += data
        if self._resync and not self._find_start():
            return heads, b""
        while self._buffer and self.broken is None:
            if self._body_left:
                take = min(self._body_left, len(self._buffer))
                del self._buffer[:take]
                self._body_left -= take
                self.body_bytes += take
                continue
            if self._chunked:
                if not self._chunk_step():
                    break
                continue
            end = _HEAD_END.search(self._buffer, 0, MAX_HEAD + 4)
            if end is None:
                start = bytes(self._buffer[:8192])
                if len(self._buffer) > MAX_HEAD or (
                    len(start) >= 16 and not looks_like_http(start, response=not self.is_request)
                ):
                    self.broken = "bytes that are not an HTTP head where one was expected"
                    self._buffer.clear()
                break
            raw = bytes(self._buffer[: end.end()])
            head = parse_head(raw, timestamp, is_request=self.is_request)
            if head is None:
                self.broken = "bytes that are not an HTTP head where one was expected"
                self._buffer.clear()
                break
            del self._buffer[: end.end()]
            heads.append(head)
            rule = self._rule(head)
            if rule == "upgrade":
                self.upgraded = True
                rest = bytes(self._buffer)
                self._buffer.clear()
                return heads, rest
            if rule == "chunked":
                self._chunked, self._chunk_state = True, "size"
            elif rule == "close":
                self._until_close = True
                self.body_bytes += len(self._buffer)
                self._buffer.clear()
            elif rule.startswith("length:"):
                self._body_left = int(rule[7:])
        return heads, b""

    def _rule(self, head: HttpHeadRecord) -> str:
        if self.body_rule is not None:
            return self.body_rule(head)
        return request_body_rule(head)

    def _chunk_step(self) -> bool:
        """One step of a chunked body (RFC 9112 §7.1); False when more bytes are needed."""
        buffer = self._buffer
        if self._chunk_state == "size":
            match = _CHUNK_SIZE.match(buffer)
            if match is None:
                if len(buffer) > 1024 or (buffer and not re.match(rb"[0-9A-Fa-f]", buffer)):
                    self.broken = "a chunked body with a broken chunk size"
                return False
            size = int(match.group(1), 16)
            del buffer[: match.end()]
            if size == 0:
                self._chunk_state = "trailer"
            else:
                self._body_left = size
                self._chunk_state = "data-end"
            return True
        if self._chunk_state == "data-end":
            if len(buffer) < 2:
                return False
            del buffer[: 2 if buffer[:2] == b"\r\n" else 1]
            self._chunk_state = "size"
            return True
        end = buffer.find(b"\n")
        if end < 0:
            return False
        line = bytes(buffer[:end]).rstrip(b"\r")
        del buffer[: end + 1]
        if not line:
            self._chunked = False
        return True


def request_body_rule(head: HttpHeadRecord) -> str:
    """How a request's body ends (RFC 9112 §6.3 rules 4-6)."""
    if head.has_token("Transfer-Encoding", "chunked"):
        return "chunked"
    length = content_length(head)
    return f"length:{length}" if length else "none"


def content_length(head: HttpHeadRecord) -> int:
    value = head.get("Content-Length")
    if value is None or not value.strip().isdigit():
        return 0
    return int(value.strip())
