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

from typing import TYPE_CHECKING

from flaskscope._paths import lazy_exports

if TYPE_CHECKING:  # the names, for type checkers; at run time they load on first use
    from flaskscope.subprotocols.decoder import (
        ConversationDecoder as ConversationDecoder,
    )
    from flaskscope.subprotocols.decoder import (
        decode_conversation as decode_conversation,
    )
    from flaskscope.subprotocols.detect import (
        SUBPROTOCOL_CHOICES as SUBPROTOCOL_CHOICES,
    )
    from flaskscope.subprotocols.detect import (
        Detection as Detection,
    )
    from flaskscope.subprotocols.model import (
        DecodedMessage as DecodedMessage,
    )
    from flaskscope.subprotocols.model import (
        WireMessage as WireMessage,
    )

_EXPORTS: dict[str, str] = {
    "ConversationDecoder": "flaskscope.subprotocols.decoder",
    "DecodedMessage": "flaskscope.subprotocols.model",
    "Detection": "flaskscope.subprotocols.detect",
    "SUBPROTOCOL_CHOICES": "flaskscope.subprotocols.detect",
    "WireMessage": "flaskscope.subprotocols.model",
    "decode_conversation": "flaskscope.subprotocols.decoder",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
