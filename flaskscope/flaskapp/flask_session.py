"""An app's Flask-Session configuration, and where and how a session id is looked up (pure).

:func:`flask_session_settings` reads the app's own session interface; :func:`session_lookup`
puts the options given over those settings, and Flask-Session's defaults under them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flaskscope.sessions.ids import FLASK_SESSION_DEFAULT_KEY_PREFIX

__all__ = [
    "FlaskSessionSettings",
    "SessionLookup",
    "flask_session_settings",
    "is_flask_session_interface",
    "session_lookup",
]


@dataclass(frozen=True)
class FlaskSessionSettings:
    """What an app configured with Flask-Session uses to find and read its sessions.

    Read from the app's own ``session_interface`` (the object Flask-Session built from
    ``SESSION_TYPE``, ``SESSION_REDIS``, ``SESSION_KEY_PREFIX``, ``SESSION_USE_SIGNER`` and
    ``SESSION_SERIALIZATION_FORMAT``), so what flaskscope does is what the app does.
    """

    interface: str
    cookie_name: str
    key_prefix: str
    use_signer: bool
    serialization_format: str
    client: Any = field(repr=False, default=None)
    """The app's ``redis.Redis`` client (``SESSION_REDIS``); ``None`` for other stores."""
    secret_key: str | bytes | None = field(repr=False, default=None)

    @property
    def keys(self) -> tuple[str | bytes, ...]:
        """Flask-Session signs ids with ``SECRET_KEY`` alone."""
        return (self.secret_key,) if self.secret_key else ()


def is_flask_session_interface(interface: object) -> bool:
    """True for Flask-Session's server-side interfaces (any store), by class hierarchy."""
    return any(
        cls.__name__ == "ServerSideSessionInterface" and cls.__module__.startswith("flask_session")
        for cls in type(interface).__mro__
    )


def _is_redis_interface(interface: object) -> bool:
    """``SESSION_TYPE = "redis"``: only then is the interface's ``client`` a Redis client
    (memcached, MongoDB, DynamoDB and SQLAlchemy interfaces keep their own in ``client``)."""
    return any(
        cls.__name__ == "RedisSessionInterface" and cls.__module__.startswith("flask_session")
        for cls in type(interface).__mro__
    )


def flask_session_settings(app: Any) -> FlaskSessionSettings | None:
    """The Flask-Session settings of ``app``; ``None`` when it does not use Flask-Session."""
    interface = app.session_interface
    if not is_flask_session_interface(interface):
        return None
    from flaskscope.sessions.payload import DEFAULT_SERIALIZATION_FORMAT

    config = app.config
    format_name = _serializer_format(getattr(interface, "serializer", None))
    if format_name is None:
        format_name = str(
            config.get("SESSION_SERIALIZATION_FORMAT", DEFAULT_SERIALIZATION_FORMAT)
        ).lower()
    cookie_name = interface.get_cookie_name(app) if hasattr(interface, "get_cookie_name") else None
    return FlaskSessionSettings(
        interface=type(interface).__name__,
        cookie_name=str(cookie_name or config.get("SESSION_COOKIE_NAME", "session")),
        key_prefix=str(getattr(interface, "key_prefix", FLASK_SESSION_DEFAULT_KEY_PREFIX)),
        use_signer=bool(getattr(interface, "use_signer", False)),
        serialization_format=format_name,
        client=getattr(interface, "client", None) if _is_redis_interface(interface) else None,
        secret_key=app.secret_key or None,
    )


def _serializer_format(serializer: object) -> str | None:
    """``msgpack`` or ``json`` from Flask-Session's ``MsgSpecSerializer`` decoder type."""
    decoder = getattr(serializer, "decoder", None)
    module = type(decoder).__module__ if decoder is not None else ""
    if module.startswith("msgspec.msgpack"):
        return "msgpack"
    if module.startswith("msgspec.json"):
        return "json"
    return None


@dataclass(frozen=True)
class SessionLookup:
    """Where and how one session id is looked up and checked."""

    key_prefix: str
    serialization_format: str
    keys: tuple[str | bytes, ...]
    """Candidate keys, ``SECRET_KEY`` first (an empty first key: none given, fallbacks only)."""
    use_signer: bool | None
    """The app's ``SESSION_USE_SIGNER``; ``None`` without an app."""


def session_lookup(
    settings: FlaskSessionSettings | None,
    *,
    key_prefix: str | None = None,
    serialization_format: str | None = None,
    keys: Sequence[str | bytes] = (),
) -> SessionLookup:
    """Values given first, then the app's Flask-Session ``settings``, then the defaults."""
    from flaskscope.sessions.payload import DEFAULT_SERIALIZATION_FORMAT

    if key_prefix is None:
        key_prefix = settings.key_prefix if settings else FLASK_SESSION_DEFAULT_KEY_PREFIX
    if serialization_format is None:
        serialization_format = (
            settings.serialization_format if settings else DEFAULT_SERIALIZATION_FORMAT
        )
    if not any(keys) and settings is not None:
        keys = settings.keys
    return SessionLookup(
        key_prefix=key_prefix,
        serialization_format=serialization_format,
        keys=tuple(keys),
        use_signer=settings.use_signer if settings else None,
    )
