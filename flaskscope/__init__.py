"""flaskscope: inspect Flask session cookies and WebSocket handshakes and frames.

One package per concept, pure cores below and the command line above:

- ``cookies``: Flask's signed-cookie sessions (decode, verify, sign, tagged JSON).
- ``sessions``: Flask-Session server-side sessions (ids, the Redis store, stored payloads).
- ``audit``: the weak-secret search (batched HMAC, workers, wordlists, hashcat hand-off).
- ``flaskapp``: loading a user's Flask app and reading its session settings.
- ``handshake``: the WebSocket opening handshake (accept keys, rules, extensions).
- ``frames``: WebSocket frames (parser, stream, reassembly, deflate, builder).
- ``commands`` and ``cli``: thin Click commands; ``render``: rich, plain and JSON views.
- ``errors``: the one :class:`FlaskscopeError` root every core raises.

The public API is re-exported here lazily so that ``import flaskscope`` stays cheap, and the
module paths of 0.1 (``flaskscope.cookie``, ``flaskscope.stream``, ...) still import.
"""

from __future__ import annotations

from flaskscope._paths import install_moved_modules, lazy_exports

__version__ = "0.1.0"

# Public name -> module that defines it.
_API: dict[str, str] = {
    "FlaskscopeError": "flaskscope.errors",
    "decode_cookie": "flaskscope.cookies.decode",
    "sign_cookie": "flaskscope.cookies.sign",
    "find_cookie": "flaskscope.cookies.decode",
    "split_cookie": "flaskscope.cookies.decode",
    "DecodedCookie": "flaskscope.cookies.decode",
    "SigningOptions": "flaskscope.cookies.decode",
    "load_app": "flaskscope.flaskapp.load",
    "session_settings": "flaskscope.flaskapp.load",
    "AppSessionSettings": "flaskscope.flaskapp.load",
    "websocket_accept": "flaskscope.handshake.accept",
    "check_handshake": "flaskscope.handshake.check",
    "parse_stream": "flaskscope.frames.capture",
    "FrameParser": "flaskscope.frames.stream",
    "Frame": "flaskscope.frames.frame",
    "Opcode": "flaskscope.frames.frame",
    "CloseCode": "flaskscope.frames.close_codes",
    "apply_mask": "flaskscope.frames.frame",
    "build_frames": "flaskscope.frames.builder",
    "parse_server_session_cookie": "flaskscope.sessions.ids",
    "inspect_server_session": "flaskscope.sessions.report",
    "sign_session_id": "flaskscope.sessions.ids",
    "verify_session_id": "flaskscope.sessions.ids",
    "connect_redis": "flaskscope.sessions.store",
    "fetch_session": "flaskscope.sessions.store",
    "decode_stored_payload": "flaskscope.sessions.payload",
    "view_pickle": "flaskscope.sessions.safe_pickle",
}

__all__ = ["__version__", *_API]

__getattr__, __dir__ = lazy_exports(__name__, _API)

install_moved_modules()
