"""Protocol violations found in a frame stream, each with a stable code and its RFC section.

The codes are a public contract (scripts match on them): add new ones, never rename.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SUBPROTOCOL_VIOLATIONS", "VIOLATION_RFC", "Violation"]

VIOLATION_RFC: dict[str, str] = {
    "reserved-bits": "RFC 6455 §5.2",
    "reserved-opcode": "RFC 6455 §5.2",
    "control-too-long": "RFC 6455 §5.5",
    "fragmented-control": "RFC 6455 §5.5",
    "unmasked-client-frame": "RFC 6455 §5.1",
    "masked-server-frame": "RFC 6455 §5.1",
    "non-minimal-length": "RFC 6455 §5.2",
    "length-msb-set": "RFC 6455 §5.2",
    "unexpected-continuation": "RFC 6455 §5.4",
    "expected-continuation": "RFC 6455 §5.4",
    "invalid-utf8": "RFC 6455 §8.1",
    "invalid-close-code": "RFC 6455 §7.4",
    "close-payload-too-short": "RFC 6455 §5.5.1",
    "invalid-close-reason-utf8": "RFC 6455 §5.5.1",
    "data-after-close": "RFC 6455 §5.5.1",
    "truncated": "RFC 6455 §5.2",
    "incomplete-message": "RFC 6455 §5.4",
    "message-too-big": "RFC 6455 §10.4",
    "compressed-control": "RFC 7692 §6.1",
    "compressed-continuation": "RFC 7692 §6.1",
    "decompression-failed": "RFC 7692 §7.2.2",
    "decompression-limit": "RFC 6455 §10.4",
    "http-head-in-frames": "RFC 6455 §4",
    "http-after-close": "RFC 6455 §5.5.1",
}
"""Every violation code and the section that it breaks."""

_EIO = "engine.io-protocol v4"
_SIO = "socket.io-protocol v5"
_GTW = "graphql-ws PROTOCOL.md (graphql-transport-ws)"
_GWS = "subscriptions-transport-ws PROTOCOL.md (graphql-ws)"
_STOMP = "STOMP 1.2"

SUBPROTOCOL_VIOLATIONS: dict[str, str] = {
    "engineio-bad-packet-type": f"{_EIO} §Packet encoding",
    "engineio-bad-open": f"{_EIO} §Handshake",
    "engineio-wrong-direction": f"{_EIO} §Heartbeat",
    "engineio-ping-timeout-exceeded": f"{_EIO} §Heartbeat",
    "engineio-data-after-close": f"{_EIO} §Protocol",
    "socketio-bad-packet-type": f"{_SIO} §Packet types",
    "socketio-bad-encoding": f"{_SIO} §Encoding format",
    "socketio-bad-json": f"{_SIO} §Encoding format",
    "socketio-bad-payload": f"{_SIO} §Packet types",
    "socketio-reserved-event": f"{_SIO} §EVENT",
    "socketio-missing-attachment": f"{_SIO} §BINARY_EVENT",
    "socketio-unexpected-attachment": f"{_SIO} §BINARY_EVENT",
    "socketio-bad-placeholder": f"{_SIO} §BINARY_EVENT",
    "socketio-unknown-ack-id": f"{_SIO} §Acknowledgement",
    "graphql-bad-json": f"{_GTW} §Communication",
    "graphql-bad-message": f"{_GTW} §Invalid message",
    "graphql-unknown-type": f"{_GTW} §Invalid message",
    "graphql-wrong-direction": f"{_GTW} §Message types",
    "graphql-not-acknowledged": f"{_GTW} §Subscribe",
    "graphql-duplicate-init": f"{_GTW} §ConnectionInit",
    "graphql-duplicate-operation-id": f"{_GTW} §Subscribe",
    "graphql-unknown-operation-id": f"{_GTW} §Next",
    "graphql-ws-unknown-type": f"{_GWS} §Client -> Server, Server -> Client",
    "stomp-missing-nul": f"{_STOMP} §STOMP Frames",
    "stomp-unknown-command": f"{_STOMP} §Augmented BNF",
    "stomp-bad-header": f"{_STOMP} §STOMP Frames",
    "stomp-bad-escape": f"{_STOMP} §Value Encoding",
    "stomp-content-length-mismatch": f"{_STOMP} §Header content-length",
    "stomp-missing-header": f"{_STOMP} §Client Frames",
    "stomp-wrong-direction": f"{_STOMP} §Client Frames",
    "json-bad-json": "RFC 8259 §2",
}
"""Application protocols inside the messages (flaskscope.subprotocols), prefixed by the
protocol and citing the section of its spec that the packet breaks."""

VIOLATION_RFC.update(SUBPROTOCOL_VIOLATIONS)


@dataclass(frozen=True)
class Violation:
    """One thing wrong with the stream: ``code`` is stable, ``message`` is for people."""

    code: str
    frame: int | None
    """Index of the frame where it was found (None when no frame can be blamed)."""
    message: str

    @property
    def rfc(self) -> str:
        return VIOLATION_RFC[self.code]

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "frame": self.frame, "rfc": self.rfc, "message": self.message}
