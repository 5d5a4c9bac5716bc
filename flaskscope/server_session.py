"""Flask-Session cookies: a session id, bare or signed (pure, no I/O).

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
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from itsdangerous import BadSignature, Signer

from flaskscope.errors import FlaskscopeError
from flaskscope.stored_payload import (
    DEFAULT_SERIALIZATION_FORMAT,
    StoredPayload,
    decode_stored_payload,
)

if TYPE_CHECKING:
    from flaskscope.store import StoredSession

__all__ = [
    "FLASK_SESSION_DEFAULT_KEY_PREFIX",
    "FLASK_SESSION_SIGNER_DIGEST",
    "FLASK_SESSION_SIGNER_KEY_DERIVATION",
    "FLASK_SESSION_SIGNER_SALT",
    "STATUSES",
    "FlaskSessionSettings",
    "IdShape",
    "ServerSessionCookie",
    "ServerSessionReport",
    "SessionIdVerification",
    "SignatureStatus",
    "flask_session_settings",
    "flask_session_signer",
    "inspect_server_session",
    "is_flask_session_interface",
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


Status = Literal["found", "not-found", "invalid-signature", "unverified", "id-only"]
STATUSES: tuple[str, ...] = ("found", "not-found", "invalid-signature", "unverified", "id-only")


@dataclass(frozen=True)
class ServerSessionReport:
    """Everything known about one Flask-Session cookie: id, signature, stored session.

    ``status`` (the ``status`` JSON field), strongest finding first:

    * ``invalid-signature``: signed, and no key given verifies it as Flask-Session does (the
      app would ignore the cookie and start a new session);
    * ``not-found``: the store has no value for the key: expired, cleared or never saved;
    * ``found``: the store holds the session;
    * ``unverified``: signed, no key given, store not asked;
    * ``id-only``: a bare id, store not asked (pass ``--store``).
    """

    cookie: ServerSessionCookie
    verification: SessionIdVerification
    key_prefix: str = FLASK_SESSION_DEFAULT_KEY_PREFIX
    stored: StoredSession | None = None
    payload: StoredPayload | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def kind(self) -> str:
        return self.cookie.kind

    @property
    def store_key(self) -> str:
        return self.cookie.store_key(self.key_prefix)

    @property
    def status(self) -> Status:
        if self.verification.status in (
            SignatureStatus.INVALID,
            SignatureStatus.VALID_FALLBACK_ONLY,
        ):
            return "invalid-signature"
        if self.stored is not None:
            return "found" if self.stored.found else "not-found"
        if self.verification.status is SignatureStatus.NOT_CHECKED:
            return "unverified"
        return "id-only"

    @property
    def ok(self) -> bool:
        """The statuses that exit 0: anything but a bad signature or a missing session."""
        return self.status not in ("invalid-signature", "not-found")


def inspect_server_session(
    cookie: ServerSessionCookie,
    keys: Sequence[str | bytes] = (),
    *,
    key_prefix: str = FLASK_SESSION_DEFAULT_KEY_PREFIX,
    stored: StoredSession | None = None,
    serialization_format: str = DEFAULT_SERIALIZATION_FORMAT,
    use_signer: bool | None = None,
) -> ServerSessionReport:
    """Judge a Flask-Session cookie and, when the store was read, decode what it holds.

    ``stored`` is what :func:`flaskscope.store.fetch_session` returned for
    ``cookie.store_key(key_prefix)`` (the I/O stays outside this function). ``use_signer``
    is the app's ``SESSION_USE_SIGNER`` when known (``--app``): a bare id sent to an app that
    signs ids fails its ``unsign`` just like a bad signature.
    """
    verification = verify_session_id(cookie, keys)
    payload = None
    if stored is not None and stored.value is not None:
        payload = decode_stored_payload(stored.value, serialization_format)
    notes: list[str] = []
    if use_signer and not cookie.signed:
        verification = SessionIdVerification(SignatureStatus.INVALID)
        notes.append(
            "the app signs session ids (SESSION_USE_SIGNER) but this cookie is a bare id: "
            "Flask-Session cannot unsign it and starts a new session"
        )
    elif use_signer is False and cookie.signed:
        notes.append(
            "the app does not sign session ids (SESSION_USE_SIGNER is off): it would look "
            "the whole cookie value up as the id, and find nothing"
        )
    if verification.status is SignatureStatus.NOT_CHECKED:
        notes.append(
            "the session id is signed (SESSION_USE_SIGNER) but no secret key was given: "
            "the signature was NOT checked"
        )
    elif verification.status is SignatureStatus.INVALID and cookie.signed:
        notes.append(
            "no key verifies the session id signature: Flask-Session would ignore this "
            "cookie and start a new, empty session"
        )
    elif verification.status is SignatureStatus.VALID_FALLBACK_ONLY:
        notes.append(
            "the signature verifies only with a fallback key "
            f"(SECRET_KEY_FALLBACKS[{(verification.key_index or 1) - 1}]): "
            "Flask-Session checks SECRET_KEY alone (not SECRET_KEY_FALLBACKS), so the app "
            "would start a new session"
        )
    if stored is not None and not stored.found:
        notes.append(
            f"no value under {stored.key!r} in {stored.store}: the session expired, was "
            "cleared (logout), or never existed; check --key-prefix and the database number"
        )
    if stored is not None and stored.found and not stored.expires:
        notes.append("the stored session has no TTL: Redis keeps it until it is deleted")
    if payload is not None:
        notes.extend(_payload_notes(payload))
    return ServerSessionReport(
        cookie=cookie,
        verification=verification,
        key_prefix=key_prefix,
        stored=stored,
        payload=payload,
        warnings=tuple(notes),
    )


def _payload_notes(payload: StoredPayload) -> list[str]:
    notes: list[str] = []
    if payload.decoded_by_fallback and not payload.legacy_pickle:
        notes.append(
            f"stored as {payload.format.value} although {payload.configured_format} was "
            "assumed; Flask-Session falls back to the other format too"
        )
    if payload.pickle is not None:
        view = payload.pickle
        notes.append(
            "legacy pickle (written by Flask-Session before 0.7): shown WITHOUT unpickling; "
            "Flask-Session 0.8 still unpickles it on the next request"
        )
        if view.unsafe_imports:
            notes.append(
                "unpickling this value would import and call "
                + ", ".join(view.unsafe_imports)
                + ": whoever wrote it can run code in the app"
            )
    if not payload.is_mapping:
        notes.append(
            f"the stored value is a {type(payload.data).__name__}, not a mapping: "
            "Flask-Session cannot build a session from it"
        )
    return notes


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


def flask_session_settings(app: Any) -> FlaskSessionSettings | None:
    """The Flask-Session settings of ``app``; ``None`` when it does not use Flask-Session."""
    interface = app.session_interface
    if not is_flask_session_interface(interface):
        return None
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
        client=getattr(interface, "client", None),
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
