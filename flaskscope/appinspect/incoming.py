"""The incoming session cookie judged as the app's own interface judges it.

A Flask signed cookie gets the ``decode-cookie`` verdict with the app's keys, salt, digest
and serializer (:func:`flaskscope.flaskapp.load.session_settings`); a Flask-Session cookie is
a session id, signed or not (:mod:`flaskscope.sessions.ids`). What Flask then does with a bad
one matters most: ``SecureCookieSessionInterface.open_session`` catches ``BadSignature`` and
returns an empty session, silently.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flaskscope.appinspect.model import describe_value
from flaskscope.errors import FlaskscopeError

__all__ = ["incoming_verdict"]


def incoming_verdict(
    app: Any, interface: Any, name: str, value: str | None, now: datetime | None
) -> dict[str, Any]:
    """A JSON-ready verdict: ``status`` and what Flask does with the cookie (judged at
    ``now``, default the clock)."""
    if value is None:
        return {
            "cookie": name,
            "status": "no-cookie",
            "meaning": "no session cookie: Flask starts a new, empty session",
        }
    from flaskscope.flaskapp.flask_session import flask_session_settings

    seen = _AppSeenThrough(app, interface)
    settings = flask_session_settings(seen)
    if settings is not None:
        return _server_side(name, value, settings)
    return _signed_cookie(seen, name, value, now or datetime.now(timezone.utc))


class _AppSeenThrough:
    """The app as its own session interface sees it, while the probe stands in its place
    (the settings readers look at ``app.session_interface``)."""

    def __init__(self, app: Any, interface: Any) -> None:
        self.session_interface = interface
        self.config = app.config
        self.secret_key = app.secret_key
        self.import_name = app.import_name
        self.permanent_session_lifetime = app.permanent_session_lifetime


def _signed_cookie(app: Any, name: str, value: str, now: datetime) -> dict[str, Any]:
    from flaskscope.cookies import decode_cookie
    from flaskscope.flaskapp.load import session_settings

    base: dict[str, Any] = {"cookie": name, "size": len(value)}
    try:
        settings = session_settings(app, require_secret_key=False)
        decoded = decode_cookie(
            value,
            settings.secret_key,
            fallback_keys=settings.fallback_keys,
            salt=settings.salt,
            digest=settings.digest,
            key_derivation=settings.key_derivation,
            max_age=settings.max_age,
            now=now,
            serializer=_custom(settings.serializer),
        )
    except FlaskscopeError as error:
        return {
            **base,
            "status": "malformed",
            "problem": str(error),
            "meaning": "not a session cookie Flask can read: Flask silently starts an "
            "empty session",
        }
    meanings = {
        "valid": "signature verified: Flask loads this session",
        "unverified": "no SECRET_KEY to check it with: Flask cannot load it",
        "invalid-signature": "bad signature -> Flask silently starts an empty session",
        "expired": "older than PERMANENT_SESSION_LIFETIME -> Flask silently starts an "
        "empty session",
    }
    return {
        **base,
        "status": decoded.status,
        "matched_key": decoded.matched_key,
        "issued_at": decoded.issued_at.isoformat(),
        "expires_at": decoded.expires_at.isoformat() if decoded.expires_at else None,
        "session": {str(key): describe_value(item) for key, item in decoded.session.items()},
        "meaning": meanings[decoded.status],
    }


def _custom(serializer: Any) -> Any:
    from flask.sessions import session_json_serializer

    return None if serializer is session_json_serializer else serializer


def _server_side(name: str, value: str, settings: Any) -> dict[str, Any]:
    from flaskscope.sessions.ids import (
        SignatureStatus,
        parse_server_session_cookie,
        verify_session_id,
    )

    base: dict[str, Any] = {"cookie": name, "size": len(value), "cookie_kind": "flask-session id"}
    cookie = parse_server_session_cookie(value, min_id_length=1)
    if cookie is None:
        return {
            **base,
            "status": "malformed",
            "meaning": "not a session id: Flask-Session starts a new session",
        }
    base["store_key"] = cookie.store_key(settings.key_prefix)
    if settings.use_signer:
        verification = verify_session_id(cookie, settings.keys)
        if verification.status is not SignatureStatus.VALID:
            return {
                **base,
                "status": "invalid-signature",
                "meaning": "the id's signature does not verify -> Flask-Session starts a new "
                "session",
            }
    return {**base, "status": "valid", "meaning": "Flask-Session looks the id up in its store"}
