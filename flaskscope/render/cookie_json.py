"""``--json`` output of the cookie commands; imports neither rich nor Click.

Kept apart from :mod:`flaskscope.render.cookie` so a script's ``decode-cookie --json`` does not
pay for importing rich. The documents are written by :func:`flaskscope.render.console.emit_json`
(``ensure_ascii``: control and bidi characters stay escaped); non-finite floats in a session
become strings here, so the JSON stays valid.
"""

from __future__ import annotations

import base64
import math
from datetime import datetime, timezone
from typing import Any

from flaskscope.cookies import DecodedCookie
from flaskscope.render.values import typed_json

__all__ = ["decoded_json", "iso_z", "plain_session", "signed_json"]


def iso_z(moment: datetime) -> str:
    """ISO 8601 in UTC ending in ``Z`` (``2024-01-02T03:04:05Z``)."""
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat() + "Z"


def plain_session(value: Any, depth: int = 0) -> Any:
    """The session as plain JSON: tuples as arrays, bytes as base64 (as Flask tags them),
    UUIDs as their canonical string, datetimes as ISO 8601, Markup as its string.

    The lossless form is ``payload`` (the tagged JSON as on the wire).
    """
    if depth > 500:
        return "..."
    if isinstance(value, dict):
        return {str(key): plain_session(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_session(item, depth + 1) for item in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime):
        return iso_z(value) if value.tzinfo is not None else value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # NaN and Infinity are not JSON
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def decoded_json(decoded: DecodedCookie) -> dict[str, Any]:
    """Every field a script needs; never the secret key."""
    options = decoded.options
    return {
        "kind": "signed-cookie",
        "status": decoded.status,
        "verified": decoded.verified,
        "matched_key": decoded.matched_key,
        "compressed": decoded.compressed,
        "issued_at": iso_z(decoded.issued_at),
        "age_seconds": decoded.age_seconds,
        "expires_at": None if decoded.expires_at is None else iso_z(decoded.expires_at),
        "expires_in_seconds": decoded.expires_in_seconds,
        "max_age": decoded.max_age,
        "timestamp": decoded.timestamp,
        "payload": decoded.payload,
        "session": plain_session(decoded.session),
        "data": typed_json(decoded.session),
        "size": decoded.size,
        "payload_size": decoded.payload_size,
        "compressed_size": decoded.compressed_size,
        "signature_hex": decoded.signature.hex(),
        "keys_tried": decoded.keys_tried,
        "signing": {
            "salt": options.salt,
            "digest": options.digest,
            "key_derivation": options.key_derivation,
            "legacy": options.legacy,
        },
        "unknown_tags": list(decoded.unknown_tags),
        "warnings": list(decoded.warnings),
    }


def signed_json(cookie: str, decoded: DecodedCookie, warnings: list[str]) -> dict[str, Any]:
    """``sign-cookie --json``: the value and what it carries."""
    return {
        "cookie": cookie,
        "compressed": decoded.compressed,
        "issued_at": iso_z(decoded.issued_at),
        "timestamp": decoded.timestamp,
        "payload": decoded.payload,
        "size": decoded.size,
        "signing": decoded_json(decoded)["signing"],
        "warnings": warnings,
    }
