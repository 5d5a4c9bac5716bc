"""Engine.IO v3 and v4 over WebSocket: one packet per message (engine.io-protocol
§Packet encoding, WebSocket): a type digit then the data; binary messages are v4 message
packets as they are, v3 ones start with the byte 4.

:class:`EngineSession` follows a connection: the open packet's fields, the protocol version,
who must ping (v4: the server, §Heartbeat; v3: the client), ``probe`` pings of the upgrade
(§Upgrade), and, when the capture has timestamps, pongs later than ``pingTimeout``.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from flaskscope.frames.violations import Violation
from flaskscope.subprotocols.model import (
    CLIENT,
    SERVER,
    PacketError,
    WireMessage,
    other_side,
    violation,
)

__all__ = ["ENGINEIO_TYPES", "EnginePacket", "EngineSession", "parse_engine_packet"]

ENGINEIO_TYPES = {
    "0": "open",
    "1": "close",
    "2": "ping",
    "3": "pong",
    "4": "message",
    "5": "upgrade",
    "6": "noop",
}
"""engine.io-protocol §Packet encoding: the type digit of each packet."""

OPEN_FIELDS = {"sid": str, "upgrades": list, "pingInterval": int, "pingTimeout": int}
"""§Handshake: what every open packet holds (v4 adds ``maxPayload``)."""


class EnginePacket(NamedTuple):
    """One Engine.IO packet (a NamedTuple: made once per message, on the hot path)."""

    type: str
    """``open``, ``close``, ``ping``, ``pong``, ``message``, ``upgrade`` or ``noop``."""
    data: str | bytes
    """What follows the type (bytes for a binary message)."""

    @property
    def binary(self) -> bool:
        return isinstance(self.data, bytes)


def parse_engine_packet(wire: WireMessage, version: int | None) -> EnginePacket:
    """The Engine.IO packet in one WebSocket message (raises :class:`PacketError`)."""
    if not wire.is_text:
        payload = wire.payload
        if version == 3 or (version is None and payload[:1] == b"\x04"):
            # v3 frames binary packets with their type byte (engine.io-protocol v3).
            if payload[:1] != b"\x04":
                raise PacketError(
                    "engineio-bad-packet-type",
                    "an Engine.IO v3 binary packet must start with the message type byte 4",
                )
            return EnginePacket("message", payload[1:])
        return EnginePacket("message", payload)
    text = wire.text()
    if not text:
        raise PacketError("engineio-bad-packet-type", "empty Engine.IO packet (no type digit)")
    kind = ENGINEIO_TYPES.get(text[0])
    if kind is None:
        raise PacketError(
            "engineio-bad-packet-type",
            f"Engine.IO packet type {text[0]!r} is not one of 0-6",
        )
    return EnginePacket(kind, text[1:])


def parse_open(data: str) -> dict[str, object]:
    """The open packet's JSON (§Handshake), checked field by field."""
    try:
        fields = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise PacketError("engineio-bad-open", f"open packet data is not JSON ({error})") from None
    if not isinstance(fields, dict):
        raise PacketError("engineio-bad-open", "open packet data is not a JSON object")
    for name, kind in OPEN_FIELDS.items():
        value = fields.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise PacketError(
                "engineio-bad-open",
                f"open packet field {name!r} is missing or not a{'n' if kind is int else ''} "
                f"{'integer' if kind is int else kind.__name__}",
            )
    max_payload = fields.get("maxPayload")
    if max_payload is not None and (not isinstance(max_payload, int) or max_payload < 0):
        raise PacketError("engineio-bad-open", "open packet field 'maxPayload' is not an integer")
    return fields


class EngineSession:
    """One Engine.IO connection: version, open fields, heartbeat timing."""

    def __init__(self, version: int | None = None, version_source: str | None = None) -> None:
        self.version = version
        self.version_source = version_source
        self.open: dict[str, object] | None = None
        self.closed_by: str | None = None
        self.last_ping: float | None = None
        """When the pinging side's last ping (not a probe) was seen."""
        self.ping_waiting: tuple[float, int] | None = None
        """(time, message) of a ping with no pong yet."""
        self.last_time: float | None = None

    @property
    def pinger(self) -> str | None:
        """Who sends heartbeat pings: the server in v4, the client in v3 (§Heartbeat)."""
        if self.version == 4:
            return SERVER
        if self.version == 3:
            return CLIENT
        return None

    def _timing(self, name: str) -> float | None:
        value = None if self.open is None else self.open.get(name)
        return value / 1000 if isinstance(value, int) else None

    def packet(self, wire: WireMessage, packet: EnginePacket, found: list[Violation]) -> None:
        """Check one packet against the connection so far."""
        if wire.timestamp is not None:
            self.last_time = wire.timestamp
        if self.closed_by is not None and self.closed_by == wire.direction:
            found.append(
                violation(
                    "engineio-data-after-close",
                    wire,
                    f"the {wire.direction} sent a packet after its close packet",
                )
            )
        if packet.type == "open":
            self._open(wire, packet, found)
        elif packet.type == "close" and wire.direction is not None:
            self.closed_by = wire.direction
        elif packet.type in ("ping", "pong") and packet.data != "probe":
            self._heartbeat(wire, packet.type, found)
        elif packet.type == "upgrade" and wire.direction == SERVER:
            found.append(
                violation("engineio-wrong-direction", wire, "the server sent an upgrade packet")
            )

    def _open(self, wire: WireMessage, packet: EnginePacket, found: list[Violation]) -> None:
        if wire.direction == CLIENT:
            found.append(
                violation("engineio-wrong-direction", wire, "the client sent an open packet")
            )
        try:
            fields = parse_open(str(packet.data))
        except PacketError as error:
            found.append(error.violation(wire))
            return
        self.open = fields
        if self.version is None and "maxPayload" in fields:
            self.version, self.version_source = 4, "open packet has maxPayload"
        if wire.timestamp is not None:
            self.last_ping = wire.timestamp  # the first ping is due pingInterval after open

    def _heartbeat(self, wire: WireMessage, kind: str, found: list[Violation]) -> None:
        pinger = self.pinger
        direction = wire.direction
        if pinger is not None and direction is not None:
            expected = pinger if kind == "ping" else other_side(pinger)
            if direction != expected:
                found.append(
                    violation(
                        "engineio-wrong-direction",
                        wire,
                        f"the {direction} sent a heartbeat {kind}: in Engine.IO v{self.version} "
                        f"the {pinger} pings and the {other_side(pinger)} answers with a pong",
                    )
                )
                return
        now = wire.timestamp
        interval, timeout = self._timing("pingInterval"), self._timing("pingTimeout")
        if now is None or interval is None or timeout is None:
            return
        if kind == "ping":
            if self.last_ping is not None and now - self.last_ping > interval + timeout:
                found.append(
                    violation(
                        "engineio-ping-timeout-exceeded",
                        wire,
                        f"{now - self.last_ping:.3f} s since the last ping (or the open packet), "
                        f"more than pingInterval + pingTimeout = {interval + timeout:.3f} s",
                    )
                )
            self.last_ping = now
            self.ping_waiting = (now, wire.index)
        elif self.ping_waiting is not None:
            sent, index = self.ping_waiting
            self.ping_waiting = None
            if now - sent > timeout:
                found.append(
                    violation(
                        "engineio-ping-timeout-exceeded",
                        wire,
                        f"pong {now - sent:.3f} s after the ping in message {index}, more than "
                        f"pingTimeout = {timeout:.3f} s",
                    )
                )

    def finish(self) -> list[Violation]:
        """A ping still unanswered when the capture's clock is past its pingTimeout."""
        timeout = self._timing("pingTimeout")
        if self.ping_waiting is None or timeout is None or self.last_time is None:
            return []
        sent, index = self.ping_waiting
        if self.last_time - sent <= timeout:
            return []
        return [
            Violation(
                "engineio-ping-timeout-exceeded",
                None,
                f"the ping in message {index} got no pong within pingTimeout = {timeout:.3f} s "
                f"({self.last_time - sent:.3f} s to the end of the capture)",
            )
        ]

    def open_json(self) -> dict[str, object]:
        """The open packet's fields under the names the JSON reference gives them."""
        fields = self.open or {}
        return {
            "sid": fields.get("sid"),
            "upgrades": fields.get("upgrades"),
            "ping_interval": fields.get("pingInterval"),
            "ping_timeout": fields.get("pingTimeout"),
            "max_payload": fields.get("maxPayload"),
        }
