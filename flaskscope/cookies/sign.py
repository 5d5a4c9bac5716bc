"""Signing a Flask session cookie: the inverse of :mod:`flaskscope.cookies.decode` (pure).

What Flask writes (``SecureCookieSessionInterface.save_session``): tagged JSON with sorted
keys, zlib-compressed when shorter, then ``payload.timestamp.signature`` from itsdangerous'
``URLSafeTimedSerializer``. Test cookies made here are byte-identical to Flask's; the clock is
read only when no timestamp is given.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flaskscope.cookies import tagged
from flaskscope.cookies.decode import aware_utc
from flaskscope.cookies.errors import CookieInputError, SigningOptionError
from flaskscope.cookies.format import (
    COMPRESSED_MARKER,
    LEGACY_EPOCH,
    SEPARATOR,
    b64url_encode,
    int_to_bytes,
)
from flaskscope.cookies.signing import DEFAULT_SALT, SigningOptions, compute_signature
from flaskscope.errors import InputError

__all__ = ["session_from_json", "sign_cookie"]


def _timestamp_seconds(timestamp: datetime | int | None) -> int:
    if timestamp is None:
        return int(time.time())
    if isinstance(timestamp, datetime):
        return int(aware_utc(timestamp, "the timestamp").timestamp())
    if isinstance(timestamp, bool) or not isinstance(timestamp, int):
        raise SigningOptionError(f"timestamp must be a datetime or an int, not {timestamp!r}")
    return timestamp


def sign_cookie(
    session: Mapping[str, Any],
    secret_key: str | bytes,
    *,
    salt: str = DEFAULT_SALT,
    digest: str = "sha1",
    key_derivation: str = "hmac",
    legacy: bool = False,
    timestamp: datetime | int | None = None,
    serializer: object | None = None,
) -> str:
    """A cookie value Flask accepts for ``session``, signed with ``secret_key``.

    Byte for byte what Flask writes at that timestamp: tagged JSON with sorted keys (Flask
    dumps inside the request, through the app's JSON provider), zlib-compressed exactly when
    the compressed form is shorter by more than one byte
    (``URLSafeSerializerMixin.dump_payload``). ``timestamp=None`` reads the clock here.
    """
    options = SigningOptions(salt, digest, key_derivation, legacy).validated()
    payload = _dump_session(session, serializer)
    compressed = zlib.compress(payload)
    if len(compressed) < len(payload) - 1:
        payload_field = COMPRESSED_MARKER + b64url_encode(compressed)
    else:
        payload_field = b64url_encode(payload)

    seconds = _timestamp_seconds(timestamp)
    stored = seconds - LEGACY_EPOCH if legacy else seconds
    if not 0 <= stored < 1 << 64:
        since = "2011-01-01 (--legacy)" if legacy else "1970-01-01"
        raise SigningOptionError(f"the timestamp must be at or after {since}")
    signed = payload_field + SEPARATOR + b64url_encode(int_to_bytes(stored))
    signature = compute_signature(signed.encode("ascii"), secret_key, options)
    return signed + SEPARATOR + b64url_encode(signature)


def session_from_json(text: str, serializer: object | None = None) -> dict[str, Any]:
    """The session a user wrote as JSON, to sign: read as Flask's tagged JSON
    (``{" t": [1, 2]}`` is a tuple), or by the app's own ``serializer`` so that its own tags
    mean what they mean to the app.

    A tag Flask would load as something else than what was written (``{" d": "garbage"}``
    as ``None``) is refused, naming where it is and the tag: the cookie must hold what the
    user asked for, not what Flask silently makes of it."""
    text = text.strip()
    if serializer is None:
        lossy: list[str] = []
        try:
            session = tagged.loads(text, lossy)
        except CookieInputError as error:
            raise InputError(f"session JSON: {error}") from error
        if lossy:
            more = f" (and {len(lossy) - 1} more)" if len(lossy) > 1 else ""
            raise InputError(
                f"session JSON: {lossy[0]}{more}; refusing to sign what Flask would load"
                " as something else"
            )
    else:
        loads = getattr(serializer, "loads", None)
        if not callable(loads):
            raise InputError("the app's session serializer has no loads() method")
        try:
            session = loads(text)
        except Exception as error:
            reason = f"{type(error).__name__}: {' '.join(str(error).split())}"
            raise InputError(
                f"the app's session serializer cannot read this JSON: {reason}"
            ) from error
    if not isinstance(session, dict):
        raise InputError(
            f"the session must be a JSON object, not {type(session).__name__}"
            ' (e.g. {"user_id": 42})'
        )
    return session


def _dump_session(session: Mapping[str, Any], serializer: object | None) -> bytes:
    if not isinstance(session, Mapping):
        raise SigningOptionError(
            f"the session must be a mapping (a JSON object), not {type(session).__name__}"
        )
    try:
        if serializer is None:
            text: Any = tagged.dumps(dict(session))
        else:
            dumps = getattr(serializer, "dumps", None)
            if not callable(dumps):
                raise SigningOptionError("the session serializer has no dumps() method")
            text = dumps(dict(session))
    except (TypeError, ValueError, RecursionError) as error:
        raise SigningOptionError(f"the session cannot be serialized: {error}") from error
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)
