"""The WebSocket opening handshake (RFC 6455 §1.3, §4; RFC 7692 §5-7 negotiation).

Accept values and keys (``accept``), HTTP/1.1 heads read with h11 (``http``), header field
rules (``fields``), the client's and the server's rules (``request_rules``,
``response_rules``), ``Sec-WebSocket-Extensions`` (``extensions``) and what
permessage-deflate negotiated (``deflate_negotiation``), all put together by ``check``.

May import: the standard library, h11, werkzeug's header parsing and :mod:`flaskscope.errors`.
Never Click, rich, the frame parser or the cookie packages.

The accept module's names are re-exported here: ``from flaskscope.handshake import
websocket_accept`` worked when it was the module ``flaskscope.handshake``; that import stays
as cheap as it was (no header parser loads).
"""

from __future__ import annotations

from flaskscope.handshake.accept import (
    KEY_BYTES,
    WEBSOCKET_GUID,
    AcceptReport,
    Check,
    HandshakeReport,
    KeyInfo,
    Note,
    accept_report,
    generate_key,
    inspect_key,
    key_from_request,
    websocket_accept,
)

__all__ = [
    "KEY_BYTES",
    "WEBSOCKET_GUID",
    "AcceptReport",
    "Check",
    "HandshakeReport",
    "KeyInfo",
    "Note",
    "accept_report",
    "generate_key",
    "inspect_key",
    "key_from_request",
    "websocket_accept",
]
