"""Engine.IO and Socket.IO packets written the way the reference encoders write them
(socket.io-parser ``encodeAsString``, engine.io-parser ``encodePacket``), for
``build-frame --socketio-event`` / ``--engineio`` so tests and demos can craft traffic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flaskscope.errors import OptionError
from flaskscope.subprotocols.engineio import ENGINEIO_TYPES
from flaskscope.subprotocols.socketio import SOCKETIO_TYPES

__all__ = ["SocketMessages", "encode_engine_packet", "encode_socketio"]

_ENGINE_DIGITS = {name: digit for digit, name in ENGINEIO_TYPES.items()}


def encode_engine_packet(kind: str, data: str = "") -> str:
    """One Engine.IO packet as a text message: ``2`` (ping), ``3probe``, ``4...``."""
    digit = _ENGINE_DIGITS.get(kind)
    if digit is None:
        raise OptionError(
            f"unknown Engine.IO packet type {kind!r}: one of {', '.join(_ENGINE_DIGITS)}"
        )
    return digit + data


@dataclass(frozen=True)
class SocketMessages:
    """The text message of a Socket.IO packet and the binary messages that follow it."""

    text: str
    attachments: tuple[bytes, ...]


def encode_socketio(
    kind: str,
    *,
    namespace: str = "/",
    ack_id: int | None = None,
    data: object = None,
    attachments: tuple[bytes, ...] = (),
) -> SocketMessages:
    """A Socket.IO packet inside an Engine.IO message packet (``4`` + the packet).

    ``kind`` is a packet type name (EVENT, ACK, CONNECT, ...); with ``attachments`` an
    EVENT becomes a BINARY_EVENT and an ACK a BINARY_ACK, and one placeholder per attachment
    is appended to the arguments (socket.io-protocol §BINARY_EVENT).
    """
    name = kind.upper()
    if name not in SOCKETIO_TYPES:
        raise OptionError(f"unknown Socket.IO packet type {kind!r}: {', '.join(SOCKETIO_TYPES)}")
    if not namespace.startswith("/") or "," in namespace:
        raise OptionError(f"a namespace starts with '/' and holds no ',': {namespace!r}")
    if ack_id is not None and ack_id < 0:
        raise OptionError("an ack id is 0 or more")
    if attachments:
        if name not in ("EVENT", "ACK", "BINARY_EVENT", "BINARY_ACK"):
            raise OptionError("only events and acks carry binary attachments")
        name = "BINARY_EVENT" if name in ("EVENT", "BINARY_EVENT") else "BINARY_ACK"
        placeholders = [{"_placeholder": True, "num": num} for num in range(len(attachments))]
        data = [*(data if isinstance(data, list) else []), *placeholders]
    packet = str(SOCKETIO_TYPES.index(name))
    if attachments:
        packet += f"{len(attachments)}-"
    if namespace != "/":
        packet += namespace + ","
    if ack_id is not None:
        packet += str(ack_id)
    if data is not None:
        packet += json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return SocketMessages("4" + packet, attachments)
