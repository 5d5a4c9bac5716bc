"""The application protocol of one WebSocket connection in a capture (Socket.IO / Engine.IO,
GraphQL over WebSocket, STOMP, JSON): both directions' messages go, in capture order and with
their packet times, through one streaming
:class:`~flaskscope.subprotocols.decoder.ConversationDecoder`, so acknowledgements pair across
directions and Engine.IO ping timeouts are judged on capture time (engine.io-protocol
§Heartbeat). The protocol is chosen from the opening handshake (``Sec-WebSocket-Protocol``,
RFC 6455 §4.2.2; a ``/socket.io/?EIO=4`` target) before the content.

Memory stays bounded: a message is held only while ``auto`` decides or a Socket.IO packet waits
for its attachments (the decoders' limits), and the decodings kept are those of the messages the
report lists.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

from flaskscope.frames.records import MessageRecord
from flaskscope.frames.violations import Violation
from flaskscope.subprotocols.decoder import ConversationDecoder, Output
from flaskscope.subprotocols.detect import Detection
from flaskscope.subprotocols.model import DecodedMessage, WireMessage

__all__ = ["MAX_DIRECTIONS_REMEMBERED", "ConnectionDecoding", "DecodingOutput"]

MAX_DIRECTIONS_REMEMBERED = 4096
"""Recent messages whose direction a later protocol violation can be attributed to."""

_MESSAGE_NUMBER = re.compile(r"\bmessage (\d+)")


@dataclass(frozen=True)
class DecodingOutput:
    """What the decoder made known: decodings (by connection-wide message number) and
    protocol violations with the direction of the message they are about."""

    decoded: tuple[DecodedMessage, ...] = ()
    violations: tuple[tuple[str, Violation], ...] = ()


class ConnectionDecoding:
    """Feed a connection's messages in capture order; get their decodings and violations."""

    def __init__(self, choice: str, *, request: bytes | None, response: bytes | None) -> None:
        self.decoder = ConversationDecoder(
            choice, handshake_request=request, handshake_response=response
        )
        self.directions: OrderedDict[int, str] = OrderedDict()
        self.last_direction = "server"
        self.count = 0

    @property
    def detection(self) -> Detection | None:
        return self.decoder.detection

    @property
    def protocol(self) -> str | None:
        return self.decoder.protocol

    def feed_record(
        self, direction: str, timestamp: float, record: MessageRecord
    ) -> tuple[int, DecodingOutput]:
        """A parsed message; returns its connection-wide number and what is now known."""
        wire = WireMessage(
            index=self.count,
            direction=direction,
            opcode=record.opcode,
            payload=record.payload,
            timestamp=timestamp if timestamp > 0 else None,
            frame=record.frames[0] if record.frames else None,
            complete=record.complete and record.payload_complete,
            length=record.length,
        )
        return self.count, self.feed(wire)

    def feed(self, wire: WireMessage) -> DecodingOutput:
        """A message numbered by the caller (``wire.index``: ``self.count`` is advanced)."""
        self.count = max(self.count, wire.index + 1)
        direction = wire.direction or self.last_direction
        self.last_direction = direction
        self.directions[wire.index] = direction
        if len(self.directions) > MAX_DIRECTIONS_REMEMBERED:
            self.directions.popitem(last=False)
        return self._sorted(self.decoder.feed(wire))

    def finish(self) -> DecodingOutput:
        return self._sorted(self.decoder.finish())

    def _sorted(self, outputs: list[Output]) -> DecodingOutput:
        decoded: list[DecodedMessage] = []
        violations: list[tuple[str, Violation]] = []
        for output in outputs:
            if isinstance(output, DecodedMessage):
                decoded.append(output)
            else:
                violations.append((self._direction_of(output), output))
        return DecodingOutput(tuple(decoded), tuple(violations))

    def _direction_of(self, violation: Violation) -> str:
        """The sender of the message the violation names (the last message's otherwise)."""
        match = _MESSAGE_NUMBER.search(violation.message)
        if match is not None:
            found = self.directions.get(int(match.group(1)))
            if found is not None:
                return found
        return self.last_direction
