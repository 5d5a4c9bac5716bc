"""Socket.IO packets (socket.io-protocol §Packet encoding): one text packet
``<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`` parsed and checked against its type
(§Packet types), and the placeholders of binary packets found (§BINARY_EVENT). Stateless: the
connection's state (attachments waiting, ack ids) is :mod:`flaskscope.subprotocols.socketio`'s.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from flaskscope.subprotocols.model import PacketError

__all__ = [
    "MAX_ATTACHMENTS",
    "MISSING",
    "RESERVED_EVENTS",
    "SOCKETIO_TYPES",
    "SocketPacket",
    "check_payload",
    "parse_socket_packet",
    "placeholders",
    "put",
]

SOCKETIO_TYPES = (
    "CONNECT",
    "DISCONNECT",
    "EVENT",
    "ACK",
    "CONNECT_ERROR",
    "BINARY_EVENT",
    "BINARY_ACK",
)
"""socket.io-protocol §Packet types, by type digit (v4 called 4 ERROR)."""

RESERVED_EVENTS = frozenset(
    ("connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener")
)
"""Event names the reference parser refuses on the wire (socket.io-parser isPayloadValid)."""

MAX_ATTACHMENTS = 256
"""A binary packet announcing more attachments than this is not waited for (the messages
after a waiting packet are held with it, so this bounds what is held)."""

MISSING = object()


class SocketPacket(NamedTuple):
    """One decoded packet (a NamedTuple: made once per message, it is on the hot path)."""

    type: int
    namespace: str
    ack_id: int | None
    attachments: int
    data: object
    """The JSON payload, or ``MISSING`` when the packet has none."""
    query: str | None = None
    """Protocol v4's CONNECT query string after the namespace (``/chat?token=abc``)."""

    @property
    def type_name(self) -> str:
        return SOCKETIO_TYPES[self.type]

    @property
    def has_data(self) -> bool:
        return self.data is not MISSING


def parse_socket_packet(text: str) -> SocketPacket:
    """Decode one Socket.IO packet (the data of an Engine.IO message packet)."""
    if not text or text[0] not in "0123456":
        shown = repr(text[:1]) if text else "nothing"
        raise PacketError(
            "socketio-bad-packet-type", f"Socket.IO packet type {shown} is not one of 0-6"
        )
    kind = int(text[0])
    position = 1
    attachments = 0
    if kind in (5, 6):
        dash = text.find("-", position)
        count = text[position:dash] if dash >= 0 else ""
        if not count.isdigit() or not count.isascii():
            raise PacketError(
                "socketio-bad-encoding",
                f"{SOCKETIO_TYPES[kind]} must give its attachment count then '-'",
            )
        attachments = int(count)
        position = dash + 1
    namespace = "/"
    query = ""
    if text.startswith("/", position):
        comma = text.find(",", position)
        end = len(text) if comma < 0 else comma
        namespace = text[position:end]
        position = end + 1 if comma >= 0 else end
        namespace, _, query = namespace.partition("?")  # v4 CONNECT: "/chat?token=abc,"
    ack_id = None
    digits = position
    while digits < len(text) and "0" <= text[digits] <= "9":
        digits += 1
    if digits > position:
        if digits - position > 16:
            raise PacketError("socketio-bad-encoding", "ack id longer than 16 digits")
        ack_id = int(text[position:digits])
        position = digits
    data: object = MISSING
    if position < len(text):
        try:
            data = json.loads(text[position:])
        except (ValueError, RecursionError) as error:
            raise PacketError(
                "socketio-bad-json", f"{SOCKETIO_TYPES[kind]} payload is not JSON ({error})"
            ) from None
    return SocketPacket(kind, namespace, ack_id, attachments, data, query or None)


def check_payload(packet: SocketPacket, version: int | None) -> str | None:
    """Why the payload does not fit the packet type (§Packet types), or None."""
    kind, data = packet.type, packet.data
    if kind == 0:
        if packet.has_data and not isinstance(data, dict) and version != 3:
            return "CONNECT payload must be a JSON object"
    elif kind == 1:
        if packet.has_data:
            return "DISCONNECT has no payload"
    elif kind in (2, 5):
        if not isinstance(data, list) or not data:
            return f"{packet.type_name} payload must be a non-empty JSON array"
        if not isinstance(data[0], (str, int, float)) or isinstance(data[0], bool):
            return f"{packet.type_name} must start with the event name"
    elif kind in (3, 6):
        if packet.ack_id is None:
            return f"{packet.type_name} has no ack id"
        if not isinstance(data, list):
            return f"{packet.type_name} payload must be a JSON array"
    elif kind == 4 and not isinstance(data, (dict, str)):
        return "CONNECT_ERROR payload must be an object or a string"
    return None


def placeholders(data: object) -> list[tuple[list[object] | dict[str, object], object, int]]:
    """Every placeholder in ``data``: (container, key, num), found without recursion."""
    found: list[tuple[list[object] | dict[str, object], object, int]] = []
    stack: list[object] = [data]
    while stack:
        node = stack.pop()
        items: list[tuple[object, object]]
        if isinstance(node, dict):
            items = list(node.items())
        elif isinstance(node, list):
            items = list(enumerate(node))
        else:
            continue
        for key, value in items:
            if isinstance(value, dict) and value.get("_placeholder") is True:
                num = value.get("num")
                found.append((node, key, num if isinstance(num, int) else -1))
            else:
                stack.append(value)
    return found


def put(container: list[object] | dict[str, object], key: object, value: object) -> None:
    """Replace a placeholder where :func:`placeholders` found it."""
    if isinstance(container, dict):
        container[str(key)] = value
    elif isinstance(key, int):
        container[key] = value
