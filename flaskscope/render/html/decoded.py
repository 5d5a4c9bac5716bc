"""A message's subprotocol decoding as the page shows it: ``(field, value)`` pairs that a
:class:`~flaskscope.render.html.conversation.ConversationBuilder` entry lists under
``decoded`` (``parse-frame --html`` and ``scan --html``)."""

from __future__ import annotations

import json

from flaskscope.subprotocols.model import DecodedMessage

__all__ = ["decoded_fields"]


def decoded_fields(decoded: DecodedMessage) -> tuple[tuple[str, str], ...]:
    """Protocol, kind, the one-line title, the body as indented JSON and the pairing note;
    nothing when no protocol applies."""
    if decoded.subprotocol == "none":
        return ()
    fields = [("protocol", decoded.subprotocol), ("kind", decoded.kind), ("message", decoded.title)]
    if decoded.has_body:
        fields.append(("body", json.dumps(decoded.body, indent=2, ensure_ascii=False, default=str)))
    if decoded.note:
        fields.append(("note", decoded.note))
    return tuple(fields)
