"""Flask session cookies: decode, verify and check expiry (pure: no I/O, no printing).

What Flask does (``flask/sessions.py``, ``SecureCookieSessionInterface``): the session dict
is dumped with the tagged JSON serializer (:mod:`flaskscope.cookies.tagged`), signed by
itsdangerous'
``URLSafeTimedSerializer`` with salt ``"cookie-session"``, sha1 and ``hmac`` key derivation
(:mod:`flaskscope.cookies.signing`), compressed when that is shorter
(:mod:`flaskscope.cookies.format`). On every request ``open_session`` loads it with
``max_age=PERMANENT_SESSION_LIFETIME`` (31 days by default), whether the session is
permanent or not; a cookie that fails any check silently becomes an empty session.

This module tells *why*: which key matched, when it was issued, when it expires, and what
Flask would load, with the same Python types; the findings around the verdict are
:mod:`flaskscope.cookies.warnings`, and the inverse (signing) is :mod:`flaskscope.cookies.sign`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from flaskscope.cookies import tagged
from flaskscope.cookies.errors import (
    CookieInputError,
    CookieNotFoundError,
    DecompressionLimitError,
    MalformedCookieError,
    PayloadError,
    SigningOptionError,
)
from flaskscope.cookies.find import DEFAULT_COOKIE_NAME, find_cookie
from flaskscope.cookies.format import (
    DEFAULT_MAX_DECOMPRESSED,
    LEGACY_EPOCH,
    CookieParts,
    split_cookie,
)
from flaskscope.cookies.signing import (
    DEFAULT_SALT,
    SigningOptions,
    compute_signature,
    derive_key,
    find_other_options,
    matching_key,
    verify_signature,
)
from flaskscope.cookies.warnings import (
    BROWSER_COOKIE_LIMIT,
    COOKIE_SIZE_WARNING,
    cookie_warnings,
    describe_duration,
    other_options_hint,
    size_warning,
)

__all__ = [
    "BROWSER_COOKIE_LIMIT",
    "COOKIE_SIZE_WARNING",
    "DEFAULT_COOKIE_NAME",
    "DEFAULT_MAX_AGE",
    "DEFAULT_MAX_DECOMPRESSED",
    "DEFAULT_SALT",
    "LEGACY_EPOCH",
    "STATUSES",
    "CookieInputError",
    "CookieNotFoundError",
    "CookieParts",
    "DecodedCookie",
    "DecompressionLimitError",
    "MalformedCookieError",
    "PayloadError",
    "SigningOptionError",
    "SigningOptions",
    "aware_utc",
    "compute_signature",
    "cookie_age",
    "decode_cookie",
    "derive_key",
    "describe_duration",
    "find_cookie",
    "is_expired",
    "load_session",
    "matching_key",
    "size_warning",
    "split_cookie",
    "verify_signature",
]

DEFAULT_MAX_AGE = 31 * 24 * 60 * 60
"""Flask's ``PERMANENT_SESSION_LIFETIME`` default (31 days), applied on every load."""

Status = Literal["valid", "invalid-signature", "expired", "unverified"]
STATUSES: tuple[str, ...] = ("valid", "invalid-signature", "expired", "unverified")

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class DecodedCookie:
    """A Flask session cookie, decoded, with its verdict."""

    status: Status
    """``valid`` | ``invalid-signature`` | ``expired`` | ``unverified`` (no key given)."""
    verified: bool
    """The signature was checked and matched one of the keys."""
    matched_key: str | None
    """``"primary"``, ``"fallback:N"`` (index into ``fallback_keys``) or ``None``."""
    compressed: bool
    issued_at: datetime
    """When it was signed (aware, UTC)."""
    age_seconds: int
    """Seconds between signing and ``now`` (negative when signed in the future)."""
    expires_at: datetime | None
    """``issued_at + max_age``; ``None`` when no max age applies."""
    payload: str
    """The session JSON exactly as on the wire (decompressed), tags intact."""
    session: dict[str, Any]
    """What Flask loads: tuples, bytes, UUIDs, datetimes and Markup as those types."""
    timestamp: int
    max_age: int | None
    size: int
    """Length of the cookie value in bytes."""
    payload_size: int
    compressed_size: int | None
    signature: bytes
    options: SigningOptions
    keys_tried: int
    warnings: tuple[str, ...] = field(default=())
    unknown_tags: tuple[str, ...] = field(default=())

    @property
    def expired(self) -> bool:
        """Outside ``max_age`` (by the timestamp alone, whatever the signature)."""
        return is_expired(self.age_seconds, self.max_age)

    @property
    def ok(self) -> bool:
        """``valid`` or ``unverified``: the statuses that exit 0."""
        return self.status in ("valid", "unverified")

    @property
    def expires_in_seconds(self) -> int | None:
        return None if self.max_age is None else self.max_age - self.age_seconds


def cookie_age(timestamp: int, now: datetime) -> int:
    """Seconds from signing to ``now``, as itsdangerous counts them: ``int(time.time()) - ts``."""
    return int(now.timestamp()) - timestamp


def is_expired(age: int, max_age: int | None) -> bool:
    """itsdangerous' ``max_age`` check: older than ``max_age``, or signed in the future."""
    return max_age is not None and (age > max_age or age < 0)


def load_session(payload: str, serializer: object | None = None) -> dict[str, Any]:
    """The session dict Flask would load from the payload JSON.

    ``serializer`` is an app's own session serializer (anything with ``loads(str)``);
    by default Flask's tagged JSON.
    """
    if serializer is None:
        return _as_session(tagged.loads(payload))
    else:
        loads = getattr(serializer, "loads", None)
        if not callable(loads):
            raise SigningOptionError("the session serializer has no loads() method")
        try:
            loaded = loads(payload)
        except Exception as error:
            raise PayloadError(
                f"the app's session serializer cannot load the payload"
                f" ({type(error).__name__}: {error})"
            ) from error
    return _as_session(loaded)


def _as_session(loaded: Any) -> dict[str, Any]:
    if isinstance(loaded, dict):
        return loaded
    if isinstance(loaded, Mapping):
        return dict(loaded)
    raise PayloadError(
        f"the payload is a JSON {type(loaded).__name__}, not an object: not a Flask session"
    )


def aware_utc(moment: datetime, what: str) -> datetime:
    """``moment`` in UTC; naive values are taken as UTC (as Flask and itsdangerous do)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError as error:  # 0001-01-01 with a positive offset is before year 1 UTC
        raise SigningOptionError(f"{what} is out of range ({error})") from error


def _datetime_from_timestamp(timestamp: int) -> datetime:
    try:
        return _EPOCH + timedelta(seconds=timestamp)
    except OverflowError as error:
        raise MalformedCookieError(
            "timestamp", f"{timestamp} seconds is outside the dates Python can represent"
        ) from error


def _expires_at(issued_at: datetime, max_age: int | None) -> datetime | None:
    """``issued_at + max_age``, or ``None`` when no max age applies or the sum is past year
    9999 (a forged timestamp, or a huge max age): ``datetime`` cannot hold it, but the age
    check itself is integer arithmetic, as in itsdangerous, and still gives the verdict."""
    if max_age is None:
        return None
    try:
        return issued_at + timedelta(seconds=max_age)
    except OverflowError:  # past datetime.max, or seconds beyond what timedelta holds
        return None


def decode_cookie(
    value: str,
    secret_key: str | bytes | None = None,
    *,
    fallback_keys: Sequence[str | bytes] = (),
    salt: str = DEFAULT_SALT,
    digest: str = "sha1",
    key_derivation: str = "hmac",
    legacy: bool = False,
    max_age: int | None = DEFAULT_MAX_AGE,
    now: datetime | None = None,
    serializer: object | None = None,
    max_decompressed: int = DEFAULT_MAX_DECOMPRESSED,
) -> DecodedCookie:
    """Decode a Flask session cookie value and judge it as Flask would.

    Without any key the cookie is still decoded (status ``unverified``). With keys, a
    signature that matches none gives ``invalid-signature``; a genuine cookie older than
    ``max_age`` (or signed in the future, which itsdangerous also rejects) gives
    ``expired``. Input that is not a cookie raises :class:`CookieInputError`.
    """
    options = SigningOptions(salt, digest, key_derivation, legacy).validated()
    if isinstance(fallback_keys, (str, bytes)):
        raise SigningOptionError("fallback_keys must be a sequence of keys, not one key")
    if max_age is not None and max_age < 0:
        raise SigningOptionError(f"max_age must be 0 or more seconds, not {max_age}")
    now = datetime.now(timezone.utc) if now is None else aware_utc(now, "now")
    parts = split_cookie(value, legacy=legacy, max_decompressed=max_decompressed)
    if serializer is None:
        raw = tagged.parse_json(parts.payload)
        lossy: list[str] = []
        session = _as_session(tagged.untag_scan(raw, lossy))
        unknown = tuple(sorted(tagged.unknown_tags(raw)))
    else:
        session, unknown, lossy = load_session(parts.payload, serializer), (), []
    issued_at = _datetime_from_timestamp(parts.timestamp)
    age = cookie_age(parts.timestamp, now)
    expires_at = _expires_at(issued_at, max_age)

    keys_tried = (secret_key is not None) + len(fallback_keys)
    matched = matching_key(parts, secret_key, fallback_keys, options) if keys_tried else None
    status: Status
    if not keys_tried:
        status = "unverified"
    elif matched is None:
        status = "invalid-signature"
    elif is_expired(age, max_age):
        status = "expired"
    else:
        status = "valid"

    warnings = cookie_warnings(parts, options, status, age, max_age, issued_at, secret_key, unknown)
    warnings.extend(f"{note} (as Flask does, silently)" for note in lossy)
    if max_age is not None and expires_at is None:
        warnings.append(
            f"it would expire {describe_duration(max_age)} after it was issued, after"
            " 9999-12-31, past the dates Python can represent: expires_at is left empty"
            " (the expiry check itself still applies)"
        )
    if status == "invalid-signature":
        keys = [*fallback_keys, *([] if secret_key is None else [secret_key])]
        other = find_other_options(parts, keys, options)
        if other is not None:
            warnings.append(other_options_hint(other, options))
    return DecodedCookie(
        status=status,
        verified=matched is not None,
        matched_key=matched,
        compressed=parts.compressed,
        issued_at=issued_at,
        age_seconds=age,
        expires_at=expires_at,
        payload=parts.payload,
        session=session,
        timestamp=parts.timestamp,
        max_age=max_age,
        size=len(parts.value),
        payload_size=parts.payload_size,
        compressed_size=parts.compressed_size,
        signature=parts.signature,
        options=options,
        keys_tried=keys_tried,
        warnings=tuple(warnings),
        unknown_tags=unknown,
    )
