"""Flask-Session cookies: the verdict on one session id and the session stored for it (pure).

The id itself (shape, signature) is :mod:`flaskscope.sessions.ids`; the app's configuration
:mod:`flaskscope.flaskapp.flask_session`; reading the store :mod:`flaskscope.sessions.store` and
decoding
what it holds :mod:`flaskscope.sessions.payload`. Here they meet in one report with a status,
an exit verdict and notes that say what Flask-Session would do with this cookie.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from flaskscope.sessions.ids import (
    FLASK_SESSION_DEFAULT_KEY_PREFIX,
    ServerSessionCookie,
    SessionIdVerification,
    SignatureStatus,
    verify_session_id,
)
from flaskscope.sessions.payload import (
    DEFAULT_SERIALIZATION_FORMAT,
    StoredPayload,
    decode_stored_payload,
)

if TYPE_CHECKING:
    from flaskscope.sessions.store import StoredSession

__all__ = [
    "STATUSES",
    "ServerSessionReport",
    "inspect_server_session",
]


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
    store_not_read: str | None = None,
) -> ServerSessionReport:
    """Judge a Flask-Session cookie and, when the store was read, decode what it holds.

    ``stored`` is what :func:`flaskscope.sessions.store.fetch_session` returned for
    ``cookie.store_key(key_prefix)`` (the I/O stays outside this function). ``use_signer``
    is the app's ``SESSION_USE_SIGNER`` when known (``--app``): a bare id sent to an app that
    signs ids fails its ``unsign`` just like a bad signature. ``store_not_read``: the app's
    session interface when its store is not one flaskscope reads (not Redis).
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
    if store_not_read is not None:
        notes.append(
            f"the app keeps sessions with {store_not_read}; flaskscope reads Redis stores "
            "only (pass --store for a Redis URL)"
        )
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
