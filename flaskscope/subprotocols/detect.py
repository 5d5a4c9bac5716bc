"""Which application protocol a connection speaks, and why we think so.

In order of trust: the negotiated ``Sec-WebSocket-Protocol`` (RFC 6455 §4.2.2, the
response's; the request's when it offered only one), the handshake target
(``/socket.io/?EIO=4&transport=websocket``, engine.io-protocol §Request path), then the
content of the first messages (an Engine.IO open packet, a Socket.IO packet, a GraphQL
message type, a STOMP command line, JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from flaskscope.errors import OptionError
from flaskscope.subprotocols.model import WireMessage
from flaskscope.subprotocols.stomp import CLIENT_COMMANDS, SERVER_COMMANDS

__all__ = [
    "DETECT_MESSAGES",
    "SUBPROTOCOL_CHOICES",
    "Detection",
    "detect_from_handshake",
    "detect_from_messages",
    "fixed_choice",
]

SUBPROTOCOL_CHOICES = (
    "auto",
    "none",
    "socketio",
    "engineio",
    "graphql-ws",
    "graphql-transport-ws",
    "stomp",
    "json",
)

DETECT_MESSAGES = 16
"""Text messages looked at before ``auto`` settles on ``none``."""

WEBSOCKET_PROTOCOLS = {
    "graphql-transport-ws": "graphql-transport-ws",
    "graphql-ws": "graphql-ws",
    "stomp": "stomp",
    "v10.stomp": "stomp",
    "v11.stomp": "stomp",
    "v12.stomp": "stomp",
}
"""Sec-WebSocket-Protocol tokens (IANA WebSocket Subprotocol Name Registry and the specs)."""

TRANSPORT_ONLY = {"subscribe", "next", "ping", "pong"}
LEGACY_ONLY = {"start", "data", "stop", "ka", "connection_terminate", "connection_error"}
GRAPHQL_SHARED = {"connection_init", "connection_ack", "error", "complete"}

KEEPALIVE_TYPES = {"ping", "pong", "ka"}
"""Types too common in other JSON protocols to tell GraphQL from content alone."""

OPERATION_TYPES = {"subscribe", "next", "start", "data", "stop", "error", "complete"}
"""Types that carry an operation ``id`` (graphql-ws PROTOCOL.md; subscriptions-transport-ws
PROTOCOL.md): without a string id, ``{"type": "subscribe", ...}`` is some other app's JSON,
and judging it as GraphQL would invent violations."""


def _graphql_operation(value: dict[str, object], kind: str) -> bool:
    """Whether ``value`` has the shape of a GraphQL-over-WebSocket operation message."""
    if not isinstance(value.get("id"), str):
        return False
    return kind in {"stop", "complete"} or isinstance(value.get("payload"), (dict, list))


_SOCKETIO_PACKET = re.compile(r"4[0-6]")
_HEADER = re.compile(rb"^([!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*:[ \t]*(.*?)[ \t]*\r?$", re.M)


@dataclass(frozen=True)
class Detection:
    """The protocol chosen, how (``option``, ``sec-websocket-protocol``,
    ``handshake-target``, ``content`` or ``default``) and why, in words."""

    protocol: str
    source: str
    reason: str
    engineio_version: int | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "protocol": self.protocol,
            "source": self.source,
            "reason": self.reason,
            "engineio_version": self.engineio_version,
        }


def fixed_choice(choice: str, version: int | None = None) -> Detection:
    """The protocol the user named (``--subprotocol``)."""
    if choice not in SUBPROTOCOL_CHOICES or choice == "auto":
        raise OptionError(
            f"unknown subprotocol {choice!r}: choose from {', '.join(SUBPROTOCOL_CHOICES)}"
        )
    return Detection(choice, "option", f"--subprotocol {choice}", version)


def _header(head: bytes | None, name: bytes) -> str | None:
    if not head:
        return None
    for match in _HEADER.finditer(head):
        if match.group(1).lower() == name:
            return match.group(2).decode("latin-1")
    return None


def _target(request: bytes | None) -> str | None:
    if not request:
        return None
    first = request.split(b"\n", 1)[0].decode("latin-1").split()
    return first[1] if len(first) == 3 else None


def target_version(request: bytes | None) -> int | None:
    """The ``EIO`` query parameter of the handshake target, when it is 3 or 4."""
    target = _target(request)
    if target is None:
        return None
    values = parse_qs(urlsplit(target).query).get("EIO", [])
    return int(values[0]) if values and values[0] in ("3", "4") else None


def detect_from_handshake(request: bytes | None, response: bytes | None) -> Detection | None:
    """What the upgrade request and response say, or None when they say nothing."""
    version = target_version(request)
    negotiated = _header(response, b"sec-websocket-protocol")
    source_head = "response"
    if negotiated is None:
        offered = _header(request, b"sec-websocket-protocol")
        if offered is not None and "," not in offered:
            negotiated, source_head = offered, "request (the only one offered)"
    if negotiated is not None:
        protocol = WEBSOCKET_PROTOCOLS.get(negotiated.strip().lower())
        if protocol is not None:
            return Detection(
                protocol,
                "sec-websocket-protocol",
                f"Sec-WebSocket-Protocol: {negotiated.strip()} in the {source_head}",
                version,
            )
    target = _target(request)
    if target is not None:
        path = urlsplit(target).path
        query = parse_qs(urlsplit(target).query)
        if "/socket.io/" in path or path.endswith("/socket.io"):
            return Detection("socketio", "handshake-target", f"handshake target {target}", version)
        if "/engine.io/" in path or ("EIO" in query and "transport" in query):
            return Detection("engineio", "handshake-target", f"handshake target {target}", version)
    return None


def _content(wire: WireMessage) -> tuple[str, str] | None:
    """(protocol, reason) when this message alone tells; ("graphql", ...) when it is GraphQL
    of either kind; None when it says nothing."""
    if not wire.is_text or not wire.complete:
        return None
    text = wire.text()
    shown = text[:40]
    if text.startswith("0{"):
        try:
            fields = json.loads(text[1:])
        except (ValueError, RecursionError):
            fields = None
        if isinstance(fields, dict) and "sid" in fields:
            return "socketio", f"message {wire.index} is an Engine.IO open packet ({shown!r})"
    if _SOCKETIO_PACKET.match(text) or text in ("2probe", "3probe"):
        return "socketio", f"message {wire.index} is an Engine.IO/Socket.IO packet ({shown!r})"
    command = text.split("\n", 1)[0].removesuffix("\r")
    if "\n" in text and (command in CLIENT_COMMANDS or command in SERVER_COMMANDS):
        return "stomp", f"message {wire.index} starts with the STOMP command {command}"
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None if text.strip("\r\n") == "" else ("none", f"message {wire.index} is text")
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        kind = value["type"]
        if kind in KEEPALIVE_TYPES:  # any JSON app's heartbeat: telling only after GraphQL
            protocol = "graphql-ws" if kind == "ka" else "graphql-transport-ws"
            return f"{protocol}-keepalive", f"message {wire.index} has GraphQL type {kind!r}"
        if kind in OPERATION_TYPES and not _graphql_operation(value, kind):
            return "json", f"message {wire.index} is JSON"
        if kind in TRANSPORT_ONLY:
            return "graphql-transport-ws", f"message {wire.index} has GraphQL type {kind!r}"
        if kind in LEGACY_ONLY:
            return "graphql-ws", f"message {wire.index} has legacy GraphQL type {kind!r}"
        if kind in GRAPHQL_SHARED:
            return "graphql", f"message {wire.index} has GraphQL type {kind!r}"
    return "json", f"message {wire.index} is JSON"


def detect_from_messages(messages: Sequence[WireMessage], *, ended: bool) -> Detection | None:
    """The protocol the first messages show; None while they do not tell yet (and the
    capture has not ``ended``)."""
    graphql_reason = None
    looked = 0
    for wire in messages:
        found = _content(wire)
        if found is None:
            continue
        looked += 1
        protocol, reason = found
        if protocol.endswith("-keepalive"):
            if graphql_reason is None:
                continue  # {"type": "ping"} alone: look further
            return Detection(protocol.removesuffix("-keepalive"), "content", reason)
        if protocol == "graphql":
            graphql_reason = graphql_reason or reason
            if looked < DETECT_MESSAGES:
                continue
            break
        if protocol == "none" and graphql_reason is None:
            return Detection("none", "content", f"{reason}: no known protocol")
        if protocol != "none":
            return Detection(protocol, "content", reason)
    if graphql_reason is not None and (ended or looked >= DETECT_MESSAGES):
        return Detection(
            "graphql-transport-ws",
            "content",
            f"{graphql_reason} (only types both GraphQL protocols share: the current one)",
        )
    if ended or len(messages) >= 2 * DETECT_MESSAGES:
        return Detection("none", "default", "no message showed a known protocol")
    return None
