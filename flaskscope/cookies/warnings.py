"""What a careful reader of a Flask session cookie should be told, as sentences.

:func:`flaskscope.cookies.decode.decode_cookie` gives the verdict; these are the findings around it
(no key given, clock skew, a signature of the wrong size for the digest, a cookie near the
size browsers keep, tags Flask does not know) that explain a verdict or warn before it fails.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flaskscope.cookies.format import CookieParts
from flaskscope.cookies.signing import DIGEST_SIZES, SigningOptions, digest_size

__all__ = [
    "BROWSER_COOKIE_LIMIT",
    "COOKIE_SIZE_WARNING",
    "cookie_warnings",
    "describe_duration",
    "other_options_hint",
    "size_warning",
]

BROWSER_COOKIE_LIMIT = 4093
"""Werkzeug's ``max_cookie_size``: browsers keep about 4096 bytes per cookie (name, value and
attributes); Werkzeug warns when a ``Set-Cookie`` passes 4093."""

COOKIE_SIZE_WARNING = 3600
"""Warn from here on: a few more session keys and the browser drops the cookie silently."""

_PLAUSIBLE_SINCE = datetime(2010, 4, 1, tzinfo=timezone.utc)  # Flask 0.1 was released then


def cookie_warnings(
    parts: CookieParts,
    options: SigningOptions,
    status: str,
    age: int,
    max_age: int | None,
    issued_at: datetime,
    secret_key: str | bytes | None,
    unknown: tuple[str, ...],
) -> list[str]:
    """Everything a careful reader would want pointed out, as sentences."""
    notes: list[str] = []
    if status == "unverified":
        notes.append(
            "no secret key given: the signature was NOT checked, so anyone could have"
            " written this content (pass --secret-key to verify)"
        )
    if secret_key is not None and not secret_key:
        notes.append("the secret key is empty: Flask refuses to use sessions without one")
    if max_age is not None and age < 0:
        notes.append(
            f"signed {describe_duration(age)} in the future (clock skew or a forged timestamp):"
            " itsdangerous rejects it as expired"
        )
    elif max_age is not None and age > max_age and status != "expired":
        notes.append(
            f"by its timestamp this cookie expired {describe_duration(age - max_age)} ago"
            f" (max age {describe_duration(max_age)})"
        )
    if parts.signature_malformed:
        notes.append("the signature is not valid base64url (a truncated or mangled cookie?)")
    else:
        if parts.signature_lenient:
            notes.append(
                "the signature has characters outside base64url (or bad padding) that"
                " itsdangerous silently ignores"
            )
        expected = digest_size(options.digest)
        if len(parts.signature) != expected:
            guess = DIGEST_SIZES.get(len(parts.signature))
            hint = f"; it looks like --digest {guess}" if guess else " (truncated?)"
            notes.append(
                f"the signature is {len(parts.signature)} bytes but {options.digest} gives"
                f" {expected}{hint}"
            )
    if not options.legacy and issued_at < _PLAUSIBLE_SINCE:
        notes.append(
            f"issued {issued_at:%Y-%m-%d}, before Flask existed: if the app uses"
            " itsdangerous < 1.0, try --legacy (timestamps counted from 2011-01-01)"
        )
    size_note = size_warning(len(parts.value))
    if size_note:
        notes.append(size_note)
    if parts.trailing_zlib_bytes:
        notes.append(
            f"{parts.trailing_zlib_bytes} bytes after the end of the zlib stream"
            " (zlib, and so Flask, ignores them)"
        )
    if unknown:
        listed = ", ".join(repr(item) for item in unknown)
        notes.append(
            f"tag-like keys Flask's default serializer does not know: {listed}"
            " (the app may register its own tags); shown as plain dicts"
        )
    return notes


def describe_duration(seconds: int) -> str:
    """``3 d 4 h``, ``5 min 2 s``: the largest unit and the next one, for people."""
    seconds = abs(seconds)
    units = (("d", 86400), ("h", 3600), ("min", 60), ("s", 1))
    for index, (name, size) in enumerate(units):
        if seconds >= size or name == "s":
            count, rest = divmod(seconds, size)
            text = f"{count} {name}"
            if index + 1 < len(units):
                next_name, next_size = units[index + 1]
                if rest // next_size:
                    text += f" {rest // next_size} {next_name}"
            return text
    return f"{seconds} s"


def other_options_hint(other: SigningOptions, given: SigningOptions) -> str:
    """For a bad signature that a key given does make with other options: which options."""
    changes = []
    if other.salt != given.salt:
        changes.append(f"--salt {other.salt}")
    if other.digest != given.digest:
        changes.append(f"--digest {other.digest}")
    if other.key_derivation != given.key_derivation:
        changes.append(f"--key-derivation {other.key_derivation}")
    return (
        f"a key given does sign this cookie with {' '.join(changes)}: the app signs with"
        " other options than these"
    )


def size_warning(size: int) -> str | None:
    """A warning for a cookie value of ``size`` bytes near or over what browsers keep."""
    if size > BROWSER_COOKIE_LIMIT:
        return (
            f"the cookie is {size} bytes, over the ~4 KB browsers keep ({BROWSER_COOKIE_LIMIT}):"
            " browsers drop it silently"
        )
    if size >= COOKIE_SIZE_WARNING:
        return (
            f"the cookie is {size} bytes, near the ~4 KB browsers keep ({BROWSER_COOKIE_LIMIT});"
            " a bigger session will be dropped silently"
        )
    return None
