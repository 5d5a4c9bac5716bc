"""Flask-Session cookies: the session id, bare or signed (pure, no I/O).

With Flask-Session the cookie holds no data, only the id of a session kept in a store. Two
shapes exist in the wild (``flask_session/base.py``, ``ServerSideSessionInterface``):

* a bare id, ``secrets.token_urlsafe(SESSION_ID_LENGTH)`` (43 URL-safe base64 characters for
  the default length of 32 bytes); Flask-Session before 0.6 used ``str(uuid4())``;
* ``SESSION_USE_SIGNER = True`` (deprecated since 0.7, still common): the id signed with
  ``itsdangerous.Signer(app.secret_key, salt="flask-session", key_derivation="hmac")``, which
  gives ``<id>.<base64 HMAC-SHA1>`` (one dot). Flask-Session verifies it with
  ``SECRET_KEY`` only; ``SECRET_KEY_FALLBACKS`` are not consulted.

Flask's own signed-cookie session (``payload.timestamp.signature``, two dots, or three with a
leading dot when compressed) never matches these shapes, so recognition is unambiguous.
Recognising runs on every ``decode-cookie``, so itsdangerous is imported only to sign or verify.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flaskscope.errors import FlaskscopeError

if TYPE_CHECKING:
    from itsdangerous import Signer

__all__ = [
    "FLASK_SESSION_DEFAULT_KEY_PREFIX",
    "FLASK_SESSION_SIGNER_DIGEST",
    "FLASK_SESSION_SIGNER_KEY_DERIVATION",
    "FLASK_SESSION_SIGNER_SALT",
    "MIN_ID_LENGTH",
    "IdShape",
    "ServerSessionCookie",
    "SessionIdVerification",
    "SignatureStatus",
    "flask_session_signer",
    "parse_server_session_cookie",
    "sign_session_id",
    "verify_session_id",
]

FLASK_SESSION_SIGNER_SALT = "flask-session"
"""``ServerSideSessionInterface._get_signer``: ``Signer(secret_key, salt="flask-session")``."""

FLASK_SESSION_SIGNER_KEY_DERIVATION = "hmac"
"""``key = HMAC(secret_key, salt)`` (itsdangerous ``Signer.derive_key``, method ``hmac``)."""

FLASK_SESSION_SIGNER_DIGEST = "sha1"
"""itsdangerous' default digest, which Flask-Session does not override."""

FLASK_SESSION_DEFAULT_KEY_PREFIX = "session:"
"""``flask_session.defaults.Defaults.SESSION_KEY_PREFIX``: store key = prefix + id."""

# secrets.token_urlsafe(SESSION_ID_LENGTH) output: URL-safe base64 without padding, 43
# characters for the default 32 bytes. Without an app to say so, 16 characters (12 bytes) is
# the least taken for an id, so that a stray word ("not-this-one") is not; with an app that
# uses Flask-Session, any length it could have written is accepted (``min_id_length``).
MIN_ID_LENGTH = 16
_TOKEN_ID = re.compile(r"[A-Za-z0-9_-]{1,512}")
_UUID_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# base64url (no padding) of a 20-byte HMAC-SHA1 is 27 characters; other digests are longer,
# so any unpadded base64url run of 22+ characters is accepted as a signature shape.
_SIGNATURE = re.compile(r"[A-Za-z0-9_-]{22,128}")


class IdShape(str, enum.Enum):
    """How the session id was generated, as far as its shape tells."""

    TOKEN = "token_urlsafe"
    """``secrets.token_urlsafe`` (Flask-Session 0.6 and later)."""
    UUID = "uuid4"
    """``str(uuid4())`` (Flask-Session before 0.6)."""


class SignatureStatus(str, enum.Enum):
    """What is known about the signature on a session id."""

    UNSIGNED = "unsigned"
    """A bare id (current Flask-Session default): nothing to verify."""
    NOT_CHECKED = "not-checked"
    """Signed, and no key was given."""
    VALID = "valid"
    """Verified with the app's ``SECRET_KEY``, as Flask-Session does."""
    VALID_FALLBACK_ONLY = "valid-fallback-only"
    """Verifies only with a fallback key, which Flask-Session never tries: the app rejects it."""
    INVALID = "invalid"
    """No key verifies it: Flask-Session would ignore the cookie and start a new session."""


@dataclass(frozen=True)
class ServerSessionCookie:
    """A cookie value recognised as a Flask-Session session id."""

    raw: str
    session_id: str
    id_shape: IdShape
    signature: str | None
    """The base64 signature part when the id is signed (``SESSION_USE_SIGNER``)."""

    @property
    def signed(self) -> bool:
        return self.signature is not None

    @property
    def kind(self) -> str:
        """The ``kind`` JSON field: the data lives on the server."""
        return "server-side"

    def store_key(self, prefix: str = FLASK_SESSION_DEFAULT_KEY_PREFIX) -> str:
        """The store key Flask-Session uses: ``key_prefix + sid`` (``_get_store_id``)."""
        return prefix + self.session_id


@dataclass(frozen=True)
class SessionIdVerification:
    """The outcome of checking a signed session id against candidate keys."""

    status: SignatureStatus
    key_index: int | None = None
    """Index in the keys given of the key that verified it (0 is ``SECRET_KEY``)."""

    @property
    def ok(self) -> bool:
        return self.status in (SignatureStatus.UNSIGNED, SignatureStatus.VALID)


def _id_shape(candidate: str, min_id_length: int) -> IdShape | None:
    if _UUID_ID.fullmatch(candidate):
        return IdShape.UUID
    if len(candidate) >= min_id_length and _TOKEN_ID.fullmatch(candidate):
        return IdShape.TOKEN
    return None


def parse_server_session_cookie(
    value: str, *, min_id_length: int = MIN_ID_LENGTH
) -> ServerSessionCookie | None:
    """Recognise a Flask-Session cookie value; ``None`` when it is not one.

    Surrounding whitespace and double quotes (RFC 6265 allows a quoted cookie-value) are
    removed first, as browsers and werkzeug do. ``min_id_length``: the shortest bare id taken
    (lower it when the app is known to use Flask-Session with a short ``SESSION_ID_LENGTH``).
    """
    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    if text.count(".") == 0:
        shape = _id_shape(text, min_id_length)
        if shape is None:
            return None
        return ServerSessionCookie(raw=value, session_id=text, id_shape=shape, signature=None)
    if text.count(".") == 1:
        session_id, signature = text.split(".")
        shape = _id_shape(session_id, min_id_length)
        if shape is None or not _SIGNATURE.fullmatch(signature):
            return None
        return ServerSessionCookie(
            raw=value, session_id=session_id, id_shape=shape, signature=signature
        )
    return None


def flask_session_signer(secret_key: str | bytes) -> Signer:
    """The exact signer Flask-Session builds from ``app.secret_key``."""
    from itsdangerous import Signer

    if not secret_key:
        raise FlaskscopeError("an empty secret key cannot sign (Flask-Session refuses it too)")
    return Signer(
        secret_key,
        salt=FLASK_SESSION_SIGNER_SALT,
        key_derivation=FLASK_SESSION_SIGNER_KEY_DERIVATION,
        digest_method=FLASK_SESSION_SIGNER_DIGEST,
    )


def sign_session_id(session_id: str, secret_key: str | bytes) -> str:
    """``<id>.<signature>`` as Flask-Session writes it when ``SESSION_USE_SIGNER`` is on."""
    return flask_session_signer(secret_key).sign(session_id.encode("utf-8")).decode("ascii")


def verify_session_id(
    cookie: ServerSessionCookie, keys: Sequence[str | bytes]
) -> SessionIdVerification:
    """Check a signed id with ``keys[0]`` (``SECRET_KEY``), then any fallbacks.

    Flask-Session itself only tries ``SECRET_KEY``; a match with a later key is reported as
    :attr:`SignatureStatus.VALID_FALLBACK_ONLY` so a key rotation that broke server-side
    sessions is visible.
    """
    if cookie.signature is None:
        return SessionIdVerification(SignatureStatus.UNSIGNED)
    if not any(keys):
        return SessionIdVerification(SignatureStatus.NOT_CHECKED)
    from itsdangerous import BadSignature

    signed = f"{cookie.session_id}.{cookie.signature}".encode()
    for index, key in enumerate(keys):
        if not key:  # no SECRET_KEY given, only fallbacks: indexes stay as given
            continue
        try:
            flask_session_signer(key).unsign(signed)
        except BadSignature:
            continue
        status = SignatureStatus.VALID if index == 0 else SignatureStatus.VALID_FALLBACK_ONLY
        return SessionIdVerification(status, key_index=index)
    return SessionIdVerification(SignatureStatus.INVALID)
