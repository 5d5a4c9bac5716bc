"""What ``scan`` reports: frozen dataclasses, each with ``to_json`` (the ``--json`` contract).

The per-message hook for application protocols (Socket.IO, GraphQL, STOMP) is
:class:`ScanMessage`: every WebSocket message of every connection, with its direction,
timestamp, opcode and (kept) payload, handed to the ``on_message`` callbacks of
:class:`flaskscope.scan.scanner.Scanner` as it is found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from flaskscope.cookies.decode import DecodedCookie
from flaskscope.frames.records import FrameRecord, MessageRecord, StreamSummary
from flaskscope.handshake.accept import HandshakeReport
from flaskscope.sessions.ids import ServerSessionCookie
from flaskscope.subprotocols.detect import Detection
from flaskscope.subprotocols.model import DecodedMessage

__all__ = [
    "KINDS",
    "ConnectionReport",
    "CookieFinding",
    "CookieSighting",
    "Exchange",
    "ScanFrame",
    "ScanGap",
    "ScanMessage",
    "ScanReport",
    "ScanViolation",
    "iso_time",
]

KINDS = ("http", "websocket", "tls", "other")


def iso_time(timestamp: float | None) -> str | None:
    """A capture timestamp as ISO 8601 UTC (None stays None)."""
    if timestamp is None:
        return None
    try:
        return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="microseconds")
    except (OverflowError, OSError, ValueError):
        return None


@dataclass(frozen=True)
class Exchange:
    """One HTTP/1.x request and the response that answered it (None: not in the capture)."""

    method: str
    target: str
    request_time: float
    status: int | None = None
    reason: str | None = None
    response_time: float | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "target": self.target,
            "request_time": iso_time(self.request_time),
            "status": self.status,
            "reason": self.reason,
            "response_time": iso_time(self.response_time),
        }


@dataclass(frozen=True)
class CookieSighting:
    """Where a cookie value was seen."""

    connection: int | None
    """The connection id (for a HAR: the entry's index)."""
    header: str
    """``Cookie`` (sent by the client) or ``Set-Cookie`` (set by the server)."""
    timestamp: float

    def to_json(self) -> dict[str, object]:
        return {
            "connection": self.connection,
            "header": self.header,
            "time": iso_time(self.timestamp),
        }


@dataclass(frozen=True)
class CookieFinding:
    """One distinct cookie value, decoded once (at its first sighting's time)."""

    id: int
    name: str
    value: str
    kind: str
    """``signed`` (Flask's own cookie session), ``server-session`` (a Flask-Session id) or
    ``undecodable``."""
    verdict: str
    """``valid``, ``invalid-signature``, ``expired``, ``unverified``, ``server-session`` or
    ``undecodable``."""
    decoded: DecodedCookie | None
    server_session: ServerSessionCookie | None
    error: str | None
    sightings: tuple[CookieSighting, ...]
    sighting_count: int
    expired_later: bool = False
    """Seen again after its max age had run out (judged at that packet's time)."""
    weak_key: str | None = None
    """The key ``--audit`` found (shown as text when printable)."""

    @property
    def ok(self) -> bool:
        return self.verdict in ("valid", "unverified", "server-session") and self.weak_key is None

    def to_json(self) -> dict[str, Any]:
        decoded = self.decoded
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "value": self.value,
            "kind": self.kind,
            "verdict": self.verdict,
            "error": self.error,
            "seen": [sighting.to_json() for sighting in self.sightings],
            "seen_count": self.sighting_count,
            "expired_later": self.expired_later,
            "weak_key": self.weak_key,
        }
        if decoded is not None:
            out["payload"] = decoded.payload
            out["issued_at"] = decoded.issued_at.isoformat()
            out["expires_at"] = (
                None if decoded.expires_at is None else decoded.expires_at.isoformat()
            )
            out["matched_key"] = decoded.matched_key
            out["warnings"] = list(decoded.warnings)
        if self.server_session is not None:
            out["session_id"] = self.server_session.session_id
            out["signed"] = self.server_session.signed
        return out


@dataclass(frozen=True)
class ScanFrame:
    """A WebSocket frame as the parser reports it, with its direction and capture time."""

    direction: str
    """``client`` (client to server) or ``server``."""
    timestamp: float
    record: FrameRecord

    def to_json(self) -> dict[str, object]:
        return {
            "direction": self.direction,
            "time": iso_time(self.timestamp),
            **self.record.to_json(),
        }


@dataclass(frozen=True)
class ScanMessage:
    """One WebSocket message: the hook for application protocols (issue 14)."""

    connection: int
    direction: str
    timestamp: float
    opcode: int
    payload: bytes
    """The (inflated) payload, cut to what was kept (``length`` is the whole size)."""
    length: int
    text: str | None
    complete: bool
    compressed: bool
    index: int
    """Index among the messages of its direction."""
    frames: tuple[int, ...] = ()
    """Indices of the frames it was carried in (within its direction)."""
    number: int | None = None
    """Its number among all messages of the connection, both directions, in capture order
    (what subprotocol notes and violations call ``message N``); None when not decoded."""
    decoded: DecodedMessage | None = None
    """What its application protocol made of it (``--subprotocol``)."""

    @classmethod
    def from_record(
        cls,
        connection: int,
        direction: str,
        timestamp: float,
        record: MessageRecord,
        number: int | None = None,
    ) -> ScanMessage:
        return cls(
            connection,
            direction,
            timestamp,
            record.opcode,
            record.payload,
            record.length,
            record.text,
            record.complete,
            record.compressed,
            record.index,
            record.frames,
            number,
        )

    def to_json(self) -> dict[str, object]:
        from flaskscope.frames.frame import opcode_name

        return {
            "direction": self.direction,
            "time": iso_time(self.timestamp),
            "index": self.index,
            "frames": list(self.frames),
            "opcode": self.opcode,
            "opcode_name": opcode_name(self.opcode),
            "length": self.length,
            "compressed": self.compressed,
            "complete": self.complete,
            "text": self.text,
            "payload_hex": self.payload.hex(),
            "payload_truncated": len(self.payload) < self.length,
            **self._decoded_json(),
        }

    def _decoded_json(self) -> dict[str, object]:
        """``message`` (the connection-wide number), ``subprotocol`` and ``decoded`` as
        ``parse-frame --json`` gives them, when the messages were decoded."""
        if self.number is None:
            return {}
        out: dict[str, object] = {"message": self.number}
        if self.decoded is not None:
            out.update(self.decoded.to_json())
            if self.decoded.note:
                out["note"] = self.decoded.note
        return out


@dataclass(frozen=True)
class ScanViolation:
    """A protocol violation in one direction of a connection (frame codes, RFC sections)."""

    direction: str
    code: str
    frame: int | None
    message: str
    rfc: str
    timestamp: float

    def to_json(self) -> dict[str, object]:
        return {
            "direction": self.direction,
            "code": self.code,
            "frame": self.frame,
            "rfc": self.rfc,
            "message": self.message,
            "time": iso_time(self.timestamp),
        }


@dataclass(frozen=True)
class ScanGap:
    """Bytes of one direction that the capture does not have."""

    direction: str
    offset: int
    size: int
    timestamp: float
    reason: str
    consequence: str
    """What it means for the parsing after it (resynchronised, skipped, ...)."""

    def to_json(self) -> dict[str, object]:
        return {
            "direction": self.direction,
            "offset": self.offset,
            "size": self.size,
            "time": iso_time(self.timestamp),
            "reason": self.reason,
            "consequence": self.consequence,
        }


@dataclass(frozen=True)
class ConnectionReport:
    """One TCP connection (or one HAR entry), classified and analysed."""

    id: int
    source: str
    """The file it came from."""
    client: str
    server: str
    start: float
    end: float
    kind: str
    began_before_capture: bool
    client_bytes: int
    server_bytes: int
    exchanges: tuple[Exchange, ...] = ()
    cookies: tuple[int, ...] = ()
    """Ids of the :class:`CookieFinding` values seen on this connection."""
    handshake: HandshakeReport | None = None
    frames: tuple[ScanFrame, ...] = ()
    frames_omitted: int = 0
    messages: tuple[ScanMessage, ...] = ()
    messages_omitted: int = 0
    violations: tuple[ScanViolation, ...] = ()
    violation_counts: dict[str, int] = field(default_factory=dict)
    summaries: dict[str, StreamSummary] = field(default_factory=dict)
    """Frame and message counts per direction (``client``, ``server``)."""
    gaps: tuple[ScanGap, ...] = ()
    gaps_omitted: int = 0
    """Gaps past the listed ones (counted, with their bytes in ``gap_bytes_omitted``)."""
    gap_bytes_omitted: int = 0
    notes: tuple[str, ...] = ()
    retransmitted_bytes: int = 0
    role_inferred: bool = False
    deflate: str | None = None
    """The negotiated ``permessage-deflate`` parameters, as the response stated them."""
    timed: bool = True
    """False for inputs without timestamps (tshark follow dumps, raw streams)."""
    subprotocol: Detection | None = None
    """The application protocol the messages were decoded as, how and why it was chosen."""
    decoded_counts: dict[str, int] = field(default_factory=dict)
    """Decoded messages per ``protocol kind`` (all, listed or not)."""

    @property
    def ok(self) -> bool:
        handshake_ok = self.handshake is None or self.handshake.valid
        return handshake_ok and not self.violation_counts

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "client": self.client,
            "server": self.server,
            "start": iso_time(self.start) if self.timed else None,
            "end": iso_time(self.end) if self.timed else None,
            "kind": self.kind,
            "began_before_capture": self.began_before_capture,
            "client_bytes": self.client_bytes,
            "server_bytes": self.server_bytes,
            "retransmitted_bytes": self.retransmitted_bytes,
            "exchanges": [exchange.to_json() for exchange in self.exchanges],
            "cookies": list(self.cookies),
            "handshake": None if self.handshake is None else _handshake_json(self.handshake),
            "deflate": self.deflate,
            "role_inferred": self.role_inferred,
            "frames": [frame.to_json() for frame in self.frames],
            "frames_omitted": self.frames_omitted,
            "messages": [message.to_json() for message in self.messages],
            "messages_omitted": self.messages_omitted,
            "violations": [violation.to_json() for violation in self.violations],
            "violation_counts": dict(self.violation_counts),
            "summary": {name: summary.to_json() for name, summary in self.summaries.items()},
            "gaps": [gap.to_json() for gap in self.gaps],
            "gaps_omitted": self.gaps_omitted,
            "notes": list(self.notes),
            "subprotocol": None if self.subprotocol is None else self.subprotocol.to_json(),
            "decoded_counts": dict(self.decoded_counts),
        }


def _handshake_json(report: HandshakeReport) -> dict[str, Any]:
    return {
        "ok": report.valid,
        "status": report.status_code,
        "checks": [
            {"id": check.id, "ok": check.ok, "rfc": check.rfc, "message": check.message}
            for check in report.checks
        ],
        "subprotocol": report.subprotocol,
    }


@dataclass(frozen=True)
class ScanReport:
    """A whole scan: every file, connection and distinct cookie."""

    files: tuple[str, ...]
    connections: tuple[ConnectionReport, ...]
    cookies: tuple[CookieFinding, ...]
    notes: tuple[str, ...]
    packets: int
    audit: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return all(connection.ok for connection in self.connections) and all(
            cookie.ok for cookie in self.cookies
        )
