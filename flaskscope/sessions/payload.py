"""Decode a session value as Flask-Session stores it (pure, no I/O).

Flask-Session 0.7+ (``flask_session/base.py``, ``MsgSpecSerializer``) encodes ``dict(session)``
with msgspec, as msgpack (``SESSION_SERIALIZATION_FORMAT = "msgpack"``, the default) or JSON
(``"json"``). Decoding tries the configured format, then the other one, then falls back to
``pickle.loads`` for values written by Flask-Session before 0.7. flaskscope follows the same
order, except that a pickle is never unpickled: it is shown by
:mod:`flaskscope.sessions.safe_pickle`.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flaskscope.errors import FlaskscopeError, InputError, OptionError

if TYPE_CHECKING:  # pickletools is imported only when a value is not msgpack or JSON
    from flaskscope.sessions.safe_pickle import PickleView

__all__ = [
    "SERIALIZATION_FORMATS",
    "SerializationFormat",
    "StoredPayload",
    "StoredPayloadError",
    "decode_stored_payload",
]


class SerializationFormat(str, enum.Enum):
    """How a stored value was written."""

    MSGPACK = "msgpack"
    JSON = "json"
    PICKLE = "pickle"
    """Flask-Session before 0.7 (never unpickled here)."""


SERIALIZATION_FORMATS = ("msgpack", "json")
"""The values ``SESSION_SERIALIZATION_FORMAT`` accepts (``MsgSpecSerializer.__init__``)."""

DEFAULT_SERIALIZATION_FORMAT = "msgpack"
"""``flask_session.defaults.Defaults.SESSION_SERIALIZATION_FORMAT``."""


class StoredPayloadError(InputError):
    """The stored value is neither msgpack, JSON nor a pickle (exit 2)."""

    def __init__(self, size: int, reasons: dict[str, str]) -> None:
        self.size = size
        self.reasons = reasons
        detail = "; ".join(f"{name}: {reason}" for name, reason in reasons.items())
        super().__init__(
            f"the stored value ({size} bytes) is not a Flask-Session value "
            f"(neither msgpack, JSON nor a pickle): {detail}"
        )


@dataclass(frozen=True)
class StoredPayload:
    """A decoded stored session."""

    format: SerializationFormat
    """How the value was actually written."""
    configured_format: str
    """``SESSION_SERIALIZATION_FORMAT`` that was assumed (the first decoder tried)."""
    data: Any
    """The session data; for a pickle, the safe view's value (with inert stand-ins)."""
    size: int
    pickle: PickleView | None = None

    @property
    def legacy_pickle(self) -> bool:
        return self.format is SerializationFormat.PICKLE

    @property
    def decoded_by_fallback(self) -> bool:
        """True when the configured decoder failed and another one read it (as Flask-Session)."""
        return self.format.value != self.configured_format

    @property
    def is_mapping(self) -> bool:
        """Flask-Session builds the session from a dict; anything else breaks the app."""
        return isinstance(self.data, dict)

    @property
    def permanent(self) -> bool | None:
        """The ``_permanent`` flag Flask keeps inside the session, when present."""
        if isinstance(self.data, dict) and isinstance(self.data.get("_permanent"), bool):
            return bool(self.data["_permanent"])
        return None


@functools.lru_cache(maxsize=1)
def _msgspec_decoders() -> tuple[Any, Any]:
    try:
        import msgspec
    except ImportError as error:  # a runtime dependency; only a broken install lacks it
        raise FlaskscopeError(
            "decoding Flask-Session values needs the msgspec package (pip install msgspec)"
        ) from error
    return msgspec.msgpack.Decoder(), msgspec.json.Decoder()


def decode_stored_payload(
    data: bytes, serialization_format: str = DEFAULT_SERIALIZATION_FORMAT
) -> StoredPayload:
    """Decode ``data`` the way Flask-Session's ``MsgSpecSerializer.decode`` does, safely.

    Raises :class:`StoredPayloadError` when no decoder reads it, and
    :class:`flaskscope.errors.OptionError` for an unknown format name.
    """
    configured = serialization_format.lower()
    if configured not in SERIALIZATION_FORMATS:
        raise OptionError(
            f"unknown serialization format {serialization_format!r} "
            f"(Flask-Session knows {', '.join(SERIALIZATION_FORMATS)})"
        )
    msgpack_decoder, json_decoder = _msgspec_decoders()
    order = [("msgpack", msgpack_decoder), ("json", json_decoder)]
    if configured == "json":
        order.reverse()
    reasons: dict[str, str] = {}
    for name, decoder in order:
        try:
            value = decoder.decode(data)
        except RecursionError:
            reasons[name] = "nested too deeply"
            continue
        except Exception as error:  # msgspec.DecodeError / ValidationError: not this format
            reasons[name] = str(error) or type(error).__name__
            continue
        return StoredPayload(SerializationFormat(name), configured, value, len(data))
    from flaskscope.sessions.safe_pickle import looks_like_pickle, view_pickle

    try:
        view = view_pickle(data)
    except InputError as error:
        reasons["pickle"] = str(error)
        if looks_like_pickle(data):
            raise InputError(
                f"the stored value looks like a pickle but cannot be read: {error}"
            ) from error
        raise StoredPayloadError(len(data), reasons) from error
    return StoredPayload(SerializationFormat.PICKLE, configured, view.value, len(data), view)
