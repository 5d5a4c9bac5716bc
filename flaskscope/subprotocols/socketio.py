"""Socket.IO v4 and v5 packets on Engine.IO message packets (socket.io-protocol §Packet
encoding): ``<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]``.

Binary packets (BINARY_EVENT, BINARY_ACK) are followed by one binary message per attachment;
their ``{"_placeholder": true, "num": N}`` objects are replaced by those bytes (their size and
first bytes; the whole bytes in ``attachments``). Ack ids are paired with their acks.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from flaskscope.frames.violations import Violation
from flaskscope.subprotocols.engineio import EnginePacket, EngineSession, parse_engine_packet
from flaskscope.subprotocols.model import (
    CLIENT,
    SERVER,
    DecodedMessage,
    PacketError,
    WireMessage,
    other_side,
    violation,
)
from flaskscope.subprotocols.socketio_packets import (
    MAX_ATTACHMENTS,
    RESERVED_EVENTS,
    SOCKETIO_TYPES,
    SocketPacket,
    check_payload,
    parse_socket_packet,
    placeholders,
    put,
)

__all__ = [
    "MAX_ATTACHMENTS",
    "SOCKETIO_TYPES",
    "SocketIODecoder",
    "SocketPacket",
    "parse_socket_packet",
]

MAX_PENDING_ACKS = 100_000
"""Ack ids remembered per connection (the oldest are forgotten first)."""

PREVIEW = 32
"""Bytes of each attachment shown where its placeholder was."""


@dataclass
class _Pending:
    """A binary packet waiting for its attachments."""

    wire: WireMessage
    packet: SocketPacket
    engine_type: str
    parts: list[WireMessage]


class SocketIODecoder:
    """Engine.IO packets, and Socket.IO on top unless ``socketio`` is False."""

    def __init__(self, engine: EngineSession, *, socketio: bool = True) -> None:
        self.engine = engine
        self.socketio = socketio
        self.name = "socketio" if socketio else "engineio"
        self.pending: dict[str | None, _Pending] = {}
        self.acks: dict[tuple[str | None, str, int], int] = {}
        self.directions: set[str] = set()

    def feed(self, wire: WireMessage) -> tuple[list[DecodedMessage], list[Violation]]:
        found: list[Violation] = []
        out: list[DecodedMessage] = []
        if wire.direction is not None:
            self.directions.add(wire.direction)
        waiting = self.pending.get(wire.direction)
        if waiting is not None and not wire.is_text:
            attachment = wire.payload
            if self.engine.version == 3 and attachment[:1] == b"\x04":
                attachment = attachment[1:]
            cut = len(wire.payload) - len(attachment)
            waiting.parts.append(
                WireMessage(
                    wire.index,
                    wire.direction,
                    wire.opcode,
                    attachment,
                    wire.timestamp,
                    complete=wire.complete,
                    length=wire.size - cut,
                )
            )
            if len(waiting.parts) == waiting.packet.attachments:
                out.extend(self._complete(waiting, found))
                del self.pending[wire.direction]
            return out, found
        if waiting is not None:
            del self.pending[wire.direction]
            found.append(
                violation(
                    "socketio-missing-attachment",
                    waiting.wire,
                    f"{waiting.packet.type_name} announced {waiting.packet.attachments} "
                    f"attachment(s), {len(waiting.parts)} came before the text message "
                    f"{wire.index}",
                )
            )
            out.extend(self._complete(waiting, found))
        try:
            engine_packet = parse_engine_packet(wire, self.engine.version)
        except PacketError as error:
            found.append(error.violation(wire))
            out.append(self._undecoded(wire, error.message))
            return out, found
        self.engine.packet(wire, engine_packet, found)
        out.extend(self._engine(wire, engine_packet, found))
        return out, found

    def _undecoded(
        self, wire: WireMessage, why: str, engine_type: str | None = None
    ) -> DecodedMessage:
        return DecodedMessage(
            wire.index,
            wire.direction,
            self.name,
            "invalid",
            f"invalid {'Socket.IO' if engine_type else 'Engine.IO'} packet: {why}",
            self._base(engine_type, None),
        )

    @staticmethod
    def _base(engine_type: str | None, socket_type: str | None) -> dict[str, object]:
        return {
            "engineio_type": engine_type,
            "socketio_type": socket_type,
            "namespace": None,
            "event": None,
            "args": None,
            "ack_id": None,
            "attachments": None,
        }

    def _engine(
        self, wire: WireMessage, packet: EnginePacket, found: list[Violation]
    ) -> list[DecodedMessage]:
        decoded = self._base(packet.type, None)
        decoded["engineio_version"] = self.engine.version
        if packet.type == "message" and self.socketio:
            if packet.binary:
                found.append(
                    violation(
                        "socketio-unexpected-attachment",
                        wire,
                        "binary message with no BINARY_EVENT or BINARY_ACK waiting for it",
                    )
                )
                decoded["size"] = wire.size
                return [
                    DecodedMessage(
                        wire.index,
                        wire.direction,
                        self.name,
                        "binary",
                        f"binary message, {wire.size} bytes, attached to nothing",
                        decoded,
                    )
                ]
            return self._socket(wire, str(packet.data), found)
        title = packet.type
        body: object = None
        has_body = False
        if packet.type == "open" and self.engine.open is not None:
            decoded["open"] = self.engine.open_json()
            body, has_body = self.engine.open, True
            title = f"open  sid={self.engine.open.get('sid')}"
        elif packet.binary:
            decoded["size"] = wire.size
            title = f"{packet.type}  binary, {wire.size} bytes"
        elif packet.data:
            decoded["data"] = packet.data
            if packet.data == "probe":
                decoded["probe"] = True
                title = f"{packet.type}  probe"
            else:
                try:
                    body, has_body = json.loads(str(packet.data)), True
                except (ValueError, RecursionError):
                    title = f"{packet.type}  {packet.data!s}"
        return [
            DecodedMessage(
                wire.index, wire.direction, self.name, packet.type, title, decoded, body, has_body
            )
        ]

    def _socket(self, wire: WireMessage, text: str, found: list[Violation]) -> list[DecodedMessage]:
        try:
            packet = parse_socket_packet(text)
        except PacketError as error:
            found.append(error.violation(wire))
            return [self._undecoded(wire, error.message, "message")]
        problem = check_payload(packet, self._socket_version())
        if problem is not None:
            found.append(violation("socketio-bad-payload", wire, problem))
        data = packet.data
        name = data[0] if packet.type in (2, 5) and isinstance(data, list) and data else None
        if isinstance(name, str) and name in RESERVED_EVENTS:
            found.append(
                violation(
                    "socketio-reserved-event",
                    wire,
                    f"event name {name!r} is reserved",
                )
            )
        if packet.attachments and packet.type in (5, 6):
            if packet.attachments > MAX_ATTACHMENTS:
                found.append(
                    violation(
                        "socketio-bad-placeholder",
                        wire,
                        f"{packet.attachments} attachments announced (more than "
                        f"{MAX_ATTACHMENTS}: not waited for)",
                    )
                )
            else:
                self.pending[wire.direction] = _Pending(wire, packet, "message", [])
                return []
        return self._complete(_Pending(wire, packet, "message", []), found)

    def _socket_version(self) -> int | None:
        return self.engine.version

    def _complete(self, pending: _Pending, found: list[Violation]) -> list[DecodedMessage]:
        """The packet with its placeholders replaced, and one record per attachment."""
        wire, packet, parts = pending.wire, pending.packet, pending.parts
        data = packet.data if packet.has_data else None
        attachments: list[dict[str, object]] | None = None
        if packet.type in (5, 6):
            # ``data`` was parsed for this packet alone: its placeholders are replaced in place.
            attachments = [
                {
                    "num": num,
                    "message": part.index,
                    "size": part.size,
                    "base64": base64.b64encode(part.payload).decode("ascii"),
                    "base64_truncated": not part.complete,
                }
                for num, part in enumerate(parts)
            ]
            seen: set[int] = set()
            for container, key, num in placeholders(data):
                if not 0 <= num < packet.attachments or num in seen:
                    found.append(
                        violation(
                            "socketio-bad-placeholder",
                            wire,
                            f"placeholder num {num} is out of range or repeated "
                            f"({packet.attachments} attachment(s))",
                        )
                    )
                    continue
                seen.add(num)
                if num < len(parts):
                    payload = parts[num].payload
                    value: object = {
                        "_binary": {
                            "num": num,
                            "size": parts[num].size,
                            "preview_hex": payload[:PREVIEW].hex(),
                        }
                    }
                else:
                    value = {"_binary": {"num": num, "missing": True}}
                put(container, key, value)
            if len(seen) < packet.attachments:
                unused = packet.attachments - len(seen)
                found.append(
                    violation(
                        "socketio-bad-placeholder",
                        wire,
                        f"{unused} announced attachment(s) have no placeholder",
                    )
                )
        decoded = self._base(pending.engine_type, packet.type_name)
        decoded.update(
            {
                "engineio_version": self.engine.version,
                "namespace": packet.namespace,
                "ack_id": packet.ack_id,
                "attachments": attachments,
            }
        )
        note = None
        title = f"{packet.namespace}  {packet.type_name}"
        body: object = None
        has_body = False
        if packet.type in (2, 5) and isinstance(data, list) and data:
            decoded["event"] = data[0]
            decoded["args"] = data[1:]
            title = f"{packet.namespace}  {data[0]}"
            body, has_body = data[1:], True
            if packet.ack_id is not None:
                note = f"ack id {packet.ack_id}"
                self._remember_ack(wire, packet)
        elif packet.type in (3, 6):
            decoded["args"] = data
            title = f"{packet.namespace}  ACK {packet.ack_id}"
            body, has_body = data, True
            ack_of = self._pair_ack(wire, packet, found)
            decoded["ack_of"] = ack_of
            if ack_of is not None:
                note = f"ack of message {ack_of}"
        elif packet.has_data:
            decoded["data"] = data
            body, has_body = data, True
        if packet.query is not None:
            decoded["namespace_query"] = packet.query
        if attachments:
            note = (note + ", " if note else "") + f"{len(attachments)} attachment(s)"
        out = [
            DecodedMessage(
                wire.index,
                wire.direction,
                self.name,
                packet.type_name.lower(),
                title,
                decoded,
                body,
                has_body,
                note,
            )
        ]
        for num, part in enumerate(parts):
            attached = self._base("message", "attachment")
            attached.update(
                {
                    "engineio_version": self.engine.version,
                    "namespace": packet.namespace,
                    "attachment_of": wire.index,
                    "num": num,
                    "size": part.size,
                }
            )
            out.append(
                DecodedMessage(
                    part.index,
                    part.direction,
                    self.name,
                    "attachment",
                    f"{packet.namespace}  attachment {num} of message {wire.index}, "
                    f"{part.size} bytes",
                    attached,
                )
            )
        return out

    def _remember_ack(self, wire: WireMessage, packet: SocketPacket) -> None:
        if packet.ack_id is None:
            return
        if len(self.acks) >= MAX_PENDING_ACKS:
            del self.acks[next(iter(self.acks))]
        self.acks[(wire.direction, packet.namespace, packet.ack_id)] = wire.index

    def _pair_ack(
        self, wire: WireMessage, packet: SocketPacket, found: list[Violation]
    ) -> int | None:
        if packet.ack_id is None:
            return None
        asker = other_side(wire.direction)
        ack_of = self.acks.pop((asker, packet.namespace, packet.ack_id), None)
        seen_whole = self.engine.open is not None and self.directions == {CLIENT, SERVER}
        if ack_of is None and seen_whole:
            found.append(
                violation(
                    "socketio-unknown-ack-id",
                    wire,
                    f"ACK {packet.ack_id} on {packet.namespace} answers no event the {asker} "
                    "sent with that id",
                )
            )
        return ack_of

    def finish(self) -> tuple[list[DecodedMessage], list[Violation]]:
        found: list[Violation] = []
        out: list[DecodedMessage] = []
        for waiting in self.pending.values():
            found.append(
                violation(
                    "socketio-missing-attachment",
                    waiting.wire,
                    f"{waiting.packet.type_name} announced {waiting.packet.attachments} "
                    f"attachment(s), the capture ends after {len(waiting.parts)}",
                )
            )
            out.extend(self._complete(waiting, found))
        self.pending.clear()
        found.extend(self.engine.finish())
        return out, found
