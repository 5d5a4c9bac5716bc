"""Application protocols inside WebSocket messages: Engine.IO / Socket.IO, GraphQL over
WebSocket (graphql-transport-ws and the legacy Apollo graphql-ws), STOMP 1.0-1.2 and JSON.

Sans-I/O: :class:`~flaskscope.subprotocols.decoder.ConversationDecoder` takes reassembled
messages in order (direction, opcode, payload, optional timestamp) and gives back one
:class:`~flaskscope.subprotocols.model.DecodedMessage` per message plus the protocol faults as
:class:`~flaskscope.frames.violations.Violation` (codes prefixed by the protocol, each citing
its spec section). :func:`~flaskscope.subprotocols.decoder.decode_conversation` does a whole
connection at once (what ``scan`` calls per connection); :mod:`.detect` chooses the protocol
from the handshake or the first messages and says why.

May import: the standard library, :mod:`flaskscope.errors`, and :mod:`flaskscope.frames`
(its records and violation codes). Never Click, rich, or the cookie packages.
"""

from __future__ import annotations

from flaskscope.subprotocols.decoder import ConversationDecoder, decode_conversation
from flaskscope.subprotocols.detect import SUBPROTOCOL_CHOICES, Detection
from flaskscope.subprotocols.model import DecodedMessage, WireMessage

__all__ = [
    "SUBPROTOCOL_CHOICES",
    "ConversationDecoder",
    "DecodedMessage",
    "Detection",
    "WireMessage",
    "decode_conversation",
]
