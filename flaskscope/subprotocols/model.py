"""What goes into the subprotocol decoders and what comes out.

A :class:`WireMessage` is one reassembled WebSocket message (RFC 6455 §5.4) as a peer sent
it; a :class:`DecodedMessage` is what the application protocol made of it: a ``decoded``
object for ``--json`` and a title and body for people. Every message fed in gets exactly one
:class:`DecodedMessage` back, in the order fed (a Socket.IO packet waiting for its binary
attachments holds back the messages after it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flaskscope.errors import InputError
from flaskscope.frames.violations import Violation

__all__ = [
    "CLIENT",
    "SERVER",
    "DecodedMessage",
    "PacketError",
    "WireMessage",
    "other_side",
]

CLIENT = "client"
SERVER = "server"

TEXT = 1
BINARY = 2


def other_side(direction: str | None) -> str | None:
    if direction == CLIENT:
        return SERVER
    if direction == SERVER:
        return CLIENT
    return None


@dataclass(frozen=True)
class WireMessage:
    """One whole message: who sent it, text (1) or binary (2), its payload bytes."""

    index: int
    """The message's index in the capture (or in the connection)."""
    direction: str | None
    """``client``, ``server``, or None when unknown."""
    opcode: int
    payload: bytes
    timestamp: float | None = None
    """Seconds (any epoch) when the capture has times: pcap does, a raw stream does not."""
    frame: int | None = None
    """Index of the message's first frame: violations point at it."""
    complete: bool = True
    """False when the payload is cut (the stream ended inside the message, or past the size
    limit, or past what was kept): such a message is shown, never judged."""
    length: int | None = None
    """The whole message's length when ``payload`` holds only its start."""

    @property
    def size(self) -> int:
        return len(self.payload) if self.length is None else self.length

    @property
    def is_text(self) -> bool:
        return self.opcode == TEXT

    def text(self) -> str:
        """The payload as text (invalid UTF-8 is the frame layer's violation, not ours)."""
        return self.payload.decode("utf-8", "replace")


@dataclass(frozen=True)
class DecodedMessage:
    """What one message means in its application protocol."""

    message: int
    direction: str | None
    subprotocol: str
    """``socketio``, ``engineio``, ``graphql-transport-ws``, ``graphql-ws``, ``stomp``,
    ``json`` or ``none``."""
    kind: str
    """The packet or frame type: ``event``, ``ping``, ``subscribe``, ``SEND``, ``json`` ..."""
    title: str
    """One line for people, e.g. ``/chat  message`` or ``next  id=1``."""
    decoded: dict[str, object] = field(hash=False)
    """The ``--json`` ``decoded`` object (field names are a public contract)."""
    body: object = None
    """A JSON value shown pretty-printed under the title (``has_body`` says whether any)."""
    has_body: bool = False
    note: str | None = None
    """A pairing or remark for people: ``ack of message 3``, ``result of message 2``."""

    def to_json(self) -> dict[str, object]:
        """The two fields each ``parse-frame --json`` message gains (``decoded`` is null when
        no protocol applies)."""
        decoded = None if self.subprotocol == "none" else self.decoded
        return {"subprotocol": self.subprotocol, "decoded": decoded}


class PacketError(InputError):
    """A packet that its protocol cannot accept: ``code`` is the violation code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def violation(self, wire: WireMessage) -> Violation:
        return Violation(self.code, wire.frame, f"message {wire.index}: {self.message}")


def violation(code: str, wire: WireMessage, message: str) -> Violation:
    """A violation found in ``wire``, pointing at its first frame."""
    return Violation(code, wire.frame, f"message {wire.index}: {message}")
