"""Flask-Session's store calls during a traced request, seen through its own client.

Flask-Session's interfaces talk to their store through ``interface.client``
(``RedisSessionInterface``: ``get`` in ``_retrieve_session_data``, ``set(name, value, ex)``
in ``_upsert_session``, ``delete`` in ``_delete_session``). For the trace that client is
wrapped in a recording proxy and put back afterwards; each call is forwarded unchanged. For
a Redis store the key's remaining TTL is read after a read or a write, from the store itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from flaskscope.appinspect.recorder import Recorder

__all__ = ["store_probe"]

_RECORDED = frozenset({"get", "set", "setex", "delete", "expire", "getex", "exists"})


class _RecordingClient:
    def __init__(self, client: Any, recorder: Recorder, serializer: str, redis: bool) -> None:
        self._client = client
        self._recorder = recorder
        self._serializer = serializer
        self._redis = redis

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in _RECORDED or not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            self._record(name, args, kwargs, result)
            return result

        return call

    def _record(
        self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any
    ) -> None:
        key = kwargs.get("name", args[0] if args else None)
        key_text = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
        detail: dict[str, Any] = {"command": name.upper(), "key": key_text}
        if name in ("set", "setex"):
            value = kwargs.get("value", args[1] if len(args) > 1 else None)
            if name == "setex" and len(args) > 2:
                value = args[2]
            ttl = kwargs.get("ex", args[1] if name == "setex" and len(args) > 1 else None)
            detail["ttl_requested"] = _seconds(ttl)
            detail["value_bytes"] = len(value) if isinstance(value, (bytes, str)) else None
            detail["serializer"] = self._serializer
        elif name == "get":
            detail["found"] = result is not None
            detail["value_bytes"] = len(result) if isinstance(result, (bytes, str)) else None
            detail["serializer"] = self._serializer
        else:
            detail["result"] = result if isinstance(result, (int, bool)) else None
        if self._redis and name != "delete":
            with contextlib.suppress(Exception):
                detail["ttl"] = int(self._client.ttl(key))
        self._recorder.add("store", f"store {name.upper()}", **detail)


def _seconds(value: Any) -> int | None:
    if value is None:
        return None
    total = getattr(value, "total_seconds", None)
    try:
        return int(total()) if callable(total) else int(value)
    except (TypeError, ValueError):
        return None


@contextlib.contextmanager
def store_probe(app: Any, recorder: Recorder) -> Iterator[None]:
    """Wrap a Flask-Session interface's ``client`` for the request; nothing for others."""
    from flaskscope.flaskapp.flask_session import flask_session_settings

    interface = app.session_interface
    settings = flask_session_settings(app)
    client = getattr(interface, "client", None)
    if settings is None or client is None:
        yield
        return
    interface.client = _RecordingClient(
        client, recorder, settings.serialization_format, settings.client is not None
    )
    try:
        yield
    finally:
        interface.client = client
