"""The stateful, sans-I/O subprotocol decoder of one connection.

Feed it whole messages in the order they happened (both directions interleaved when the
capture has both, as ``scan`` does; one direction for ``parse-frame``); it hands back one
:class:`DecodedMessage` per message, in the order fed, and the protocol faults as
:class:`Violation` as soon as they are known. With ``auto`` it holds the first messages until
their content (or the handshake) says which protocol it is.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from flaskscope.frames.violations import Violation
from flaskscope.subprotocols.detect import (
    Detection,
    detect_from_handshake,
    detect_from_messages,
    fixed_choice,
    target_version,
)
from flaskscope.subprotocols.model import DecodedMessage, WireMessage

__all__ = [
    "HOLD_BYTES",
    "ConversationDecoder",
    "ConversationResult",
    "Output",
    "decode_conversation",
]

HOLD_BYTES = 8 << 20
"""``auto`` decides (``none`` if nothing told) once the messages it holds pass this size."""

Output = DecodedMessage | Violation


class _ProtocolDecoder(Protocol):
    def feed(self, wire: WireMessage) -> tuple[list[DecodedMessage], list[Violation]]: ...

    def finish(self) -> tuple[list[DecodedMessage], list[Violation]]: ...


class _NoDecoder:
    """``none``: every message stays as it is."""

    def feed(self, wire: WireMessage) -> tuple[list[DecodedMessage], list[Violation]]:
        return [DecodedMessage(wire.index, wire.direction, "none", "none", "", {})], []

    def finish(self) -> tuple[list[DecodedMessage], list[Violation]]:
        return [], []


def _protocol_decoder(detection: Detection, *, strict_json: bool) -> _ProtocolDecoder:
    """The decoder of the protocol found; its module is loaded only now, so a capture that is
    none of them (``parse-frame`` on plain frames) never loads the protocols."""
    protocol = detection.protocol
    if protocol in ("socketio", "engineio"):
        from flaskscope.subprotocols.engineio import EngineSession
        from flaskscope.subprotocols.socketio import SocketIODecoder

        version = detection.engineio_version
        engine = EngineSession(version, None if version is None else "handshake target")
        return SocketIODecoder(engine, socketio=protocol == "socketio")
    if protocol in ("graphql-ws", "graphql-transport-ws"):
        from flaskscope.subprotocols.graphql import GraphQLDecoder

        return GraphQLDecoder(legacy=protocol == "graphql-ws")
    if protocol == "stomp":
        from flaskscope.subprotocols.stomp import StompDecoder

        return StompDecoder()
    if protocol == "json":
        from flaskscope.subprotocols.json_messages import JsonDecoder

        return JsonDecoder(strict=strict_json)
    return _NoDecoder()


class ConversationDecoder:
    """Decode one connection's messages with the protocol ``choice`` (``auto`` detects it)."""

    def __init__(
        self,
        choice: str = "auto",
        *,
        handshake_request: bytes | None = None,
        handshake_response: bytes | None = None,
    ) -> None:
        self.detection: Detection | None = None
        self.decoder: _ProtocolDecoder | None = None
        if choice == "auto":
            found = detect_from_handshake(handshake_request, handshake_response)
            if found is not None:
                self._settle(found, strict_json=False)
        else:
            self._settle(fixed_choice(choice, target_version(handshake_request)), strict_json=True)
        self.held: list[WireMessage] = []
        """Messages waiting for ``auto`` to decide."""
        self.held_bytes = 0
        self.order: deque[int] = deque()
        """Indices fed and not yet handed back, in order."""
        self.ready: dict[int, DecodedMessage] = {}

    def _settle(self, detection: Detection, *, strict_json: bool) -> None:
        self.detection = detection
        self.decoder = _protocol_decoder(detection, strict_json=strict_json)

    @property
    def protocol(self) -> str | None:
        return None if self.detection is None else self.detection.protocol

    def feed(self, wire: WireMessage) -> list[Output]:
        """One message; returns what is now known, messages in the order fed."""
        self.order.append(wire.index)
        if self.decoder is None:
            self.held.append(wire)
            self.held_bytes += len(wire.payload)
            found = detect_from_messages(self.held, ended=self.held_bytes > HOLD_BYTES)
            if found is None:
                return []
            self._settle(found, strict_json=False)
            held, self.held = self.held, []
            out: list[Output] = []
            for each in held:
                out.extend(self._decode(each))
            return out
        return self._decode(wire)

    def _decode(self, wire: WireMessage) -> list[Output]:
        assert self.decoder is not None
        attachment = not wire.is_text and self.protocol in ("socketio", "engineio")
        if not wire.complete and not attachment:
            decoded: list[DecodedMessage] = [self._cut(wire)]
            found: list[Violation] = []
        else:
            decoded, found = self.decoder.feed(wire)
        return self._release(decoded, found)

    def _cut(self, wire: WireMessage) -> DecodedMessage:
        protocol = self.protocol or "none"
        return DecodedMessage(
            wire.index,
            wire.direction,
            protocol,
            "incomplete",
            "not decoded: the message is cut short",
            {"incomplete": True},
        )

    def _release(self, decoded: list[DecodedMessage], found: list[Violation]) -> list[Output]:
        out: list[Output] = list(found)
        for each in decoded:
            self.ready[each.message] = each
        while self.order and self.order[0] in self.ready:
            out.append(self.ready.pop(self.order.popleft()))
        return out

    def finish(self) -> list[Output]:
        """The capture ended: decide if still undecided, flush what waits for more."""
        out: list[Output] = []
        if self.decoder is None:
            found = detect_from_messages(self.held, ended=True)
            assert found is not None
            self._settle(found, strict_json=False)
            held, self.held = self.held, []
            for each in held:
                out.extend(self._decode(each))
        assert self.decoder is not None
        decoded, violations = self.decoder.finish()
        out.extend(self._release(decoded, violations))
        return out


@dataclass(frozen=True)
class ConversationResult:
    """A whole connection decoded."""

    detection: Detection
    messages: tuple[DecodedMessage, ...]
    violations: tuple[Violation, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "subprotocol": self.detection.to_json(),
            "messages": [
                {"message": each.message, "direction": each.direction, **each.to_json()}
                for each in self.messages
            ],
            "violations": [violation.to_json() for violation in self.violations],
        }


def decode_conversation(
    messages: Iterable[WireMessage],
    handshake_request: bytes | None = None,
    handshake_response: bytes | None = None,
    choice: str = "auto",
) -> ConversationResult:
    """Decode one connection's messages (both directions, in the order they happened).

    What ``scan`` calls per connection: ``messages`` carry their direction and, from a pcap,
    their timestamps (then late pongs are found); the handshake heads help ``auto`` choose.
    """
    decoder = ConversationDecoder(
        choice, handshake_request=handshake_request, handshake_response=handshake_response
    )
    decoded: list[DecodedMessage] = []
    violations: list[Violation] = []
    for wire in messages:
        _sort(decoder.feed(wire), decoded, violations)
    _sort(decoder.finish(), decoded, violations)
    assert decoder.detection is not None
    return ConversationResult(decoder.detection, tuple(decoded), tuple(violations))


def _sort(outputs: list[Output], decoded: list[DecodedMessage], found: list[Violation]) -> None:
    for output in outputs:
        if isinstance(output, DecodedMessage):
            decoded.append(output)
        else:
            found.append(output)
