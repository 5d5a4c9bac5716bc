"""flaskscope: inspect Flask session cookies and WebSocket handshakes and frames.

The public API is re-exported here lazily so that ``import flaskscope`` stays cheap.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

# Public name -> module that defines it.
_API: dict[str, str] = {
    "FlaskscopeError": "flaskscope.errors",
    "decode_cookie": "flaskscope.cookie",
    "sign_cookie": "flaskscope.cookie",
    "find_cookie": "flaskscope.cookie",
    "split_cookie": "flaskscope.cookie",
    "DecodedCookie": "flaskscope.cookie",
    "SigningOptions": "flaskscope.cookie",
    "load_app": "flaskscope.app",
    "session_settings": "flaskscope.app",
    "AppSessionSettings": "flaskscope.app",
    "websocket_accept": "flaskscope.handshake",
    "check_handshake": "flaskscope.handshake_check",
    "parse_stream": "flaskscope.capture",
    "FrameParser": "flaskscope.stream",
    "Frame": "flaskscope.frames",
    "Opcode": "flaskscope.frames",
    "CloseCode": "flaskscope.close_codes",
    "apply_mask": "flaskscope.frames",
    "build_frames": "flaskscope.builder",
    "parse_server_session_cookie": "flaskscope.session_id",
    "inspect_server_session": "flaskscope.server_session",
    "sign_session_id": "flaskscope.session_id",
    "verify_session_id": "flaskscope.session_id",
    "connect_redis": "flaskscope.store",
    "fetch_session": "flaskscope.store",
    "decode_stored_payload": "flaskscope.stored_payload",
    "view_pickle": "flaskscope.safe_pickle",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module_name = _API.get(name)
    if module_name is None:
        raise AttributeError(f"module 'flaskscope' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)
