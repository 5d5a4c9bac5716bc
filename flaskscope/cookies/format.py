"""The wire format of a signed Flask session cookie, before any key is involved.

Flask's ``SecureCookieSessionInterface`` writes the session with itsdangerous'
``URLSafeTimedSerializer``::

    [.]PAYLOAD.TIMESTAMP.SIGNATURE

* PAYLOAD: the session JSON, zlib-compressed when that is shorter (then the whole value
  starts with ``.``; ``URLSafeSerializerMixin.dump_payload``), in base64url without padding.
* TIMESTAMP: unix seconds as a big-endian integer with leading zero bytes removed, base64url
  (``TimestampSigner.sign``). itsdangerous < 1.0 counted from 2011-01-01 instead.
* SIGNATURE: HMAC over everything before the last ``.``, base64url.

This module splits a value into those parts and decodes them, bounding decompression so a
zlib bomb costs at most ``max_decompressed`` bytes of memory.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from dataclasses import dataclass

from flaskscope.cookies.errors import DecompressionLimitError, MalformedCookieError, PayloadError

__all__ = [
    "COMPRESSED_MARKER",
    "DEFAULT_MAX_DECOMPRESSED",
    "LEGACY_EPOCH",
    "SEPARATOR",
    "CookieParts",
    "b64url_decode",
    "b64url_encode",
    "decompress_bounded",
    "int_to_bytes",
    "split_cookie",
]

SEPARATOR = "."
"""itsdangerous' ``Signer.sep``: between payload, timestamp and signature."""

COMPRESSED_MARKER = "."
"""A leading ``.`` marks a zlib-compressed payload (``URLSafeSerializerMixin``)."""

LEGACY_EPOCH = 1293840000
"""2011-01-01T00:00:00Z: itsdangerous < 1.0 counted timestamps from here (``EPOCH``)."""

DEFAULT_MAX_DECOMPRESSED = 1 << 20
"""1 MiB. A browser keeps at most ~4 KB per cookie, and zlib inflates at most ~1032:1, so a
genuine cookie fits with room to spare while a bomb stops early."""

_B64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_TIMESTAMP_MAX_BYTES = 8  # itsdangerous unpacks the timestamp as a 64-bit ">Q"


@dataclass(frozen=True)
class CookieParts:
    """The structure of a signed Flask cookie, decoded as far as possible without a key."""

    value: str
    """The cookie value as given (whitespace stripped)."""
    compressed: bool
    payload: str
    """The session JSON exactly as on the wire (decompressed when it was compressed)."""
    signed_part: bytes
    """The bytes the HMAC covers: everything before the last ``.``."""
    signature: bytes
    """The decoded signature (empty when it is not valid base64, see ``signature_malformed``)."""
    timestamp: int
    """Unix seconds (the legacy epoch already added when ``legacy`` was asked for)."""
    payload_b64: str
    timestamp_b64: str
    signature_b64: str
    signature_malformed: bool
    signature_lenient: bool
    """The signature is not clean base64url, but itsdangerous' lenient decoder (which drops
    foreign characters) reads it, so Flask may still accept the cookie."""
    raw_timestamp: int
    """The integer as stored, before any legacy epoch."""
    compressed_size: int | None
    """Bytes of zlib data when compressed, else ``None``."""
    trailing_zlib_bytes: int
    """Bytes after the end of the zlib stream (zlib.decompress, and so Flask, ignores them)."""

    @property
    def payload_size(self) -> int:
        """Bytes of session JSON (after decompression)."""
        return len(self.payload.encode("utf-8"))


def b64url_decode(text: str, *, part: str) -> bytes:
    """Strict base64url (``-_``, padding optional) as itsdangerous writes it.

    itsdangerous itself decodes leniently (it drops characters outside the alphabet); being
    strict here turns a mangled copy-paste into a clear error instead of a silent guess.
    """
    if not _B64URL.fullmatch(text):
        bad = next(
            (c for c in text if not (c.isascii() and (c.isalnum() or c in "-_="))),
            text[-1:],
        )
        raise MalformedCookieError(part, f"{bad!r} is not a base64url character")
    stripped = text.rstrip("=")
    if len(stripped) % 4 == 1:
        raise MalformedCookieError(part, f"{len(stripped)} characters is not a base64 length")
    padded = stripped + "=" * (-len(stripped) % 4)
    try:
        return base64.b64decode(padded, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as error:
        raise MalformedCookieError(part, f"invalid base64: {error}") from error


def _itsdangerous_b64decode(text: str) -> bytes | None:
    """itsdangerous ``base64_decode`` as ``Signer.unsign`` calls it: on the UTF-8 bytes,
    padding added by byte length, bytes outside the alphabet discarded by the decoder."""
    data = text.encode("utf-8", "surrogatepass")
    data += b"=" * (-len(data) % 4)
    try:
        return base64.urlsafe_b64decode(data)
    except (binascii.Error, ValueError):
        return None


def b64url_encode(data: bytes) -> str:
    """base64url without padding (itsdangerous ``base64_encode``)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def int_to_bytes(number: int) -> bytes:
    """itsdangerous ``int_to_bytes``: big-endian 64-bit with leading zero bytes removed."""
    return number.to_bytes(_TIMESTAMP_MAX_BYTES, "big").lstrip(b"\x00")


def decompress_bounded(data: bytes, max_size: int) -> tuple[bytes, int]:
    """Inflate zlib data producing at most ``max_size`` bytes; also return trailing bytes.

    ``zlib.decompress`` (what itsdangerous calls) has no output limit; a decompressobj with
    ``max_length`` stops as soon as the limit is passed, so memory stays bounded.
    """
    inflater = zlib.decompressobj()
    try:
        output = inflater.decompress(data, max_size + 1)
    except zlib.error as error:
        raise PayloadError(f"the compressed payload is not valid zlib data ({error})") from error
    if len(output) > max_size:
        raise DecompressionLimitError(max_size)
    if not inflater.eof:
        raise PayloadError("the compressed payload is truncated (zlib stream does not end)")
    return output, len(inflater.unused_data)


def split_cookie(
    value: str, *, legacy: bool = False, max_decompressed: int = DEFAULT_MAX_DECOMPRESSED
) -> CookieParts:
    """Split and decode a cookie value; raises :class:`CookieInputError` when it is not one.

    The signature is only decoded here, not checked: a signature that is not even base64
    (a truncated cookie, say) is reported through ``signature_malformed`` so the caller can
    call the cookie what Flask would: one with a bad signature.
    """
    value = value.strip()
    if not value:
        raise MalformedCookieError("value", "it is empty")
    signed_text, found, signature_b64 = value.rpartition(SEPARATOR)
    if not found:
        raise MalformedCookieError(
            "value", "no '.' in it; expected PAYLOAD.TIMESTAMP.SIGNATURE in base64url"
        )
    payload_field, found, timestamp_b64 = signed_text.rpartition(SEPARATOR)
    if not found:
        raise MalformedCookieError(
            "value", "only one '.' in it; expected PAYLOAD.TIMESTAMP.SIGNATURE in base64url"
        )
    compressed = payload_field.startswith(COMPRESSED_MARKER)
    payload_b64 = payload_field[1:] if compressed else payload_field
    if not payload_b64:
        raise MalformedCookieError("payload", "it is empty")

    timestamp_bytes = b64url_decode(timestamp_b64, part="timestamp")
    if len(timestamp_bytes) > _TIMESTAMP_MAX_BYTES:
        raise MalformedCookieError(
            "timestamp", f"{len(timestamp_bytes)} bytes is longer than a 64-bit integer"
        )
    raw_timestamp = int.from_bytes(timestamp_bytes, "big")

    signature_lenient = False
    try:
        signature = b64url_decode(signature_b64, part="signature")
        signature_malformed = False
    except MalformedCookieError:
        lenient = _itsdangerous_b64decode(signature_b64)
        signature_malformed = lenient is None
        signature_lenient = not signature_malformed
        signature = lenient or b""

    data = b64url_decode(payload_b64, part="payload")
    compressed_size: int | None = None
    trailing = 0
    if compressed:
        compressed_size = len(data)
        data, trailing = decompress_bounded(data, max_decompressed)
    elif len(data) > max_decompressed:
        raise DecompressionLimitError(max_decompressed)
    try:
        payload = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PayloadError(f"the payload is not UTF-8 text ({error.reason})") from error

    return CookieParts(
        value=value,
        compressed=compressed,
        payload=payload,
        signed_part=signed_text.encode("ascii"),
        signature=signature,
        timestamp=raw_timestamp + LEGACY_EPOCH if legacy else raw_timestamp,
        payload_b64=payload_b64,
        timestamp_b64=timestamp_b64,
        signature_b64=signature_b64,
        signature_malformed=signature_malformed,
        signature_lenient=signature_lenient,
        raw_timestamp=raw_timestamp,
        compressed_size=compressed_size,
        trailing_zlib_bytes=trailing,
    )
