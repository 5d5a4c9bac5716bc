"""WebSocket routes of an app: Flask-SocketIO's allowed origins, Flask-Sock's Origin checks
and message size limits (cross-site WebSocket hijacking, RFC 6455 §10.2)."""

from __future__ import annotations

from typing import Any

__all__ = ["websocket_findings"]

MAX_BUFFER = 100 * 1024 * 1024
"""A Socket.IO buffer larger than this is as good as no limit."""


def websocket_findings(app: Any) -> list[tuple[str, str, str, str | None]]:
    """``(rule id, what, where, source needle)`` for each WebSocket finding."""
    found: list[tuple[str, str, str, str | None]] = []
    found.extend(_socketio(app))
    found.extend(_sock(app))
    return found


def _socketio(app: Any) -> list[tuple[str, str, str, str | None]]:
    extension = app.extensions.get("socketio")
    if extension is None:
        return []
    found: list[tuple[str, str, str, str | None]] = []
    server = getattr(extension, "server", None)
    engine = getattr(server, "eio", None)
    origins = getattr(engine, "cors_allowed_origins", None)
    if origins is None:
        origins = getattr(extension, "server_options", {}).get("cors_allowed_origins")
    if origins == "*" or (isinstance(origins, (list, tuple)) and "*" in origins):
        found.append(
            (
                "websocket-cors-any-origin",
                "SocketIO(cors_allowed_origins='*'): any site may connect with the user's cookies",
                "SocketIO cors_allowed_origins",
                "cors_allowed_origins",
            )
        )
    size = getattr(engine, "max_http_buffer_size", None)
    if engine is not None and (size is None or size > MAX_BUFFER):
        found.append(
            (
                "websocket-no-max-message-size",
                f"Socket.IO max_http_buffer_size is {size}",
                "SocketIO max_http_buffer_size",
                "SocketIO(",
            )
        )
    return found


def _sock_routes(app: Any) -> list[tuple[str, Any, Any]]:
    """``(rule, Flask-Sock's wrapper, the user's handler)`` of every Flask-Sock route."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not getattr(rule, "websocket", False):
            continue
        view = app.view_functions.get(rule.endpoint)
        code = getattr(view, "__code__", None)
        handler = getattr(view, "__wrapped__", None)
        if code is None or handler is None or "flask_sock" not in code.co_filename:
            continue
        routes.append((str(rule.rule), view, handler))
    return routes


def _sock(app: Any) -> list[tuple[str, str, str, str | None]]:
    from flaskscope.appinspect.doctor import references_origin

    routes = _sock_routes(app)
    if not routes:
        return []
    found: list[tuple[str, str, str, str | None]] = []
    for path, _view, handler in routes:
        blueprint = _blueprint_of(app, path)
        hooks = list(app.before_request_funcs.get(None, []))
        if blueprint:
            hooks += list(app.before_request_funcs.get(blueprint, []))
        if not references_origin([handler, *hooks]):
            name = getattr(handler, "__qualname__", repr(handler))
            found.append(
                (
                    "websocket-origin-not-checked",
                    f"the Flask-Sock route {path} ({name}) and its before_request functions "
                    "never read Origin",
                    f"route {path}",
                    f"def {getattr(handler, '__name__', '')}(",
                )
            )
    options = app.config.get("SOCK_SERVER_OPTIONS") or {}
    if options.get("max_message_size") is None:
        paths = ", ".join(path for path, _, _ in routes)
        found.append(
            (
                "websocket-no-max-message-size",
                f"SOCK_SERVER_OPTIONS has no max_message_size, so {paths} accept messages of "
                "any size",
                "SOCK_SERVER_OPTIONS",
                "Sock(",
            )
        )
    return found


def _blueprint_of(app: Any, path: str) -> str | None:
    for rule in app.url_map.iter_rules():
        if str(rule.rule) == path and "." in rule.endpoint:
            return str(rule.endpoint.rsplit(".", 1)[0])
    return None
