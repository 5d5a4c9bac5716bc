"""Session values as JSON, one representation for both kinds of session (docs/output.md).

A value JSON holds as it is (string, number, boolean, null, list, object with string keys)
is written as it is; anything else becomes an object ``{"$type": NAME, ...}`` that says what
it was: ``{"$type": "bytes", "base64": ...}``, ``{"$type": "tuple", "items": [...]}``,
``{"$type": "datetime", "iso": ...}``, ``{"$type": "UUID", "hex": ...}``,
``{"$type": "Markup", "text": ...}``... No type is lost, and the signed-cookie view
(``decode-cookie --json`` field ``data``) and the Flask-Session view (``data`` and
``payload``) use the same one. Imports neither rich nor any session parser.
"""

from __future__ import annotations

import base64
import datetime
import math
import uuid
from collections.abc import Callable
from typing import Any

__all__ = ["DEFAULT_MAX_DEPTH", "DEFAULT_MAX_NODES", "typed", "typed_json"]

DEFAULT_MAX_DEPTH = 64
"""Nesting written at most; deeper values become ``{"$type": "truncated"}``."""

DEFAULT_MAX_NODES = 20_000
"""Values written at most (memo references can make a small pickle expand exponentially)."""

Extension = Callable[[Any, Callable[[Any], Any]], Any]
"""A hook for more types: ``(value, inner) -> JSON``, or ``NotImplemented`` to pass."""


def typed(kind: str, **fields: Any) -> dict[str, Any]:
    """A ``{"$type": kind, ...}`` object."""
    return {"$type": kind, **fields}


def typed_json(
    value: Any,
    *,
    extend: Extension | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> Any:
    """``value`` as JSON, with ``{"$type": ...}`` objects for what JSON cannot hold.

    Bounded: at most ``max_nodes`` values and ``max_depth`` levels, and a value that
    contains itself is written ``{"$type": "cycle"}``.
    """
    return _Writer(extend, max_nodes, max_depth).write(value, 0, set())


class _Writer:
    def __init__(self, extend: Extension | None, max_nodes: int, max_depth: int) -> None:
        self.extend = extend
        self.left = max_nodes
        self.max_nodes = max_nodes
        self.max_depth = max_depth

    def write(self, value: Any, depth: int, path: set[int]) -> Any:
        self.left -= 1
        if self.left < 0:
            return typed("truncated", reason=f"more than {self.max_nodes} values")
        scalar = _scalar(value)
        if scalar is not NotImplemented:
            return scalar
        if depth >= self.max_depth:
            return typed("truncated", reason=f"nested more than {self.max_depth} levels")
        if id(value) in path:
            return typed("cycle")
        path.add(id(value))
        try:
            return self._container(value, depth + 1, path)
        finally:
            path.discard(id(value))

    def _container(self, value: Any, depth: int, path: set[int]) -> Any:
        def inner(item: Any) -> Any:
            return self.write(item, depth, path)

        if isinstance(value, list):
            return [inner(item) for item in value]
        if isinstance(value, tuple):
            return typed("tuple", items=[inner(item) for item in value])
        if isinstance(value, (set, frozenset)):
            return typed(type(value).__name__, items=[inner(item) for item in value])
        if isinstance(value, dict):
            if all(isinstance(key, str) for key in value) and "$type" not in value:
                return {key: inner(item) for key, item in value.items()}
            return typed("dict", items=[[inner(key), inner(item)] for key, item in value.items()])
        if self.extend is not None:
            extended = self.extend(value, inner)
            if extended is not NotImplemented:
                return extended
        from flaskscope.render.console import safe_str

        return typed(type(value).__name__, repr=safe_str(repr(value))[:200])


def _scalar(value: Any) -> Any:
    """A value that is not a container as JSON, or ``NotImplemented``."""
    if isinstance(value, str) and hasattr(value, "__html__"):
        return typed("Markup", text=str(value))
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else typed("float", value=repr(value))
    if isinstance(value, (bytes, bytearray)):
        kind = "bytes" if isinstance(value, bytes) else "bytearray"
        return typed(kind, base64=base64.b64encode(bytes(value)).decode("ascii"))
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return typed(type(value).__name__, iso=value.isoformat())
    if isinstance(value, uuid.UUID):
        return typed("UUID", hex=value.hex)
    return NotImplemented
