"""The WebSocket opening handshake: accept values and keys (RFC 6455 §1.3, §4) (pure).

``Sec-WebSocket-Accept`` is ``base64(SHA-1(key + GUID))`` (RFC 6455 §1.3, §4.2.2 item 5.4).
Randomness is a parameter (:func:`generate_key` takes the 16 bytes), the clock is never read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flaskscope.errors import InputError, OptionError

if TYPE_CHECKING:
    # Only named in the report's annotations: ``ws-accept`` does not load the header parsers.
    from flaskscope.handshake.deflate_negotiation import DeflateParams
    from flaskscope.handshake.extensions import Extension

__all__ = [
    "KEY_BYTES",
    "WEBSOCKET_GUID",
    "AcceptReport",
    "Check",
    "HandshakeReport",
    "KeyInfo",
    "Note",
    "accept_report",
    "generate_key",
    "inspect_key",
    "key_from_request",
    "websocket_accept",
]

WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
"""The globally unique identifier of RFC 6455 §1.3, appended to the key before hashing."""

KEY_BYTES = 16
"""RFC 6455 §4.1 item 7: the key is "a randomly selected 16-byte value" base64-encoded."""


def _key_octets(key: str) -> bytes:
    """The octets a server hashes: header values are ISO-8859-1 on the wire (RFC 7230 §3.2.4)."""
    try:
        return key.encode("latin-1")
    except UnicodeEncodeError:
        return key.encode("utf-8", "surrogateescape")


def _sha1(key: str) -> bytes:
    return hashlib.sha1(_key_octets(key) + WEBSOCKET_GUID.encode("ascii")).digest()


def websocket_accept(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` value a server answers ``key`` with (RFC 6455 §4.2.2).

    Computed for any key, valid or not, as servers do: the key is not decoded first.
    """
    return base64.b64encode(_sha1(key)).decode("ascii")


@dataclass(frozen=True)
class KeyInfo:
    """Whether a ``Sec-WebSocket-Key`` is what RFC 6455 §4.1 item 7 asks for, and why not."""

    key: str
    valid: bool
    decoded_length: int | None
    """Length of the base64-decoded key, or None when it is not base64 at all."""
    problem: str | None
    """Why the key is invalid, in words; None when it is valid."""


def inspect_key(key: str) -> KeyInfo:
    """Check that ``key`` is the canonical base64 (RFC 4648 §4) of exactly 16 bytes."""
    try:
        decoded = base64.b64decode(_key_octets(key), validate=True)
    except (binascii.Error, ValueError):
        return KeyInfo(key, False, None, _not_base64(key))
    if len(decoded) != KEY_BYTES:
        return KeyInfo(
            key, False, len(decoded), f"it decodes to {len(decoded)} bytes, not {KEY_BYTES}"
        )
    if base64.b64encode(decoded).decode("ascii") != key:
        return KeyInfo(
            key,
            False,
            len(decoded),
            "its unused trailing bits are not zero, so no base64 encoder produced it "
            "(RFC 4648 §3.5)",
        )
    return KeyInfo(key, True, len(decoded), None)


def _unpadded_length(key: str) -> int | None:
    """The decoded length of ``key`` with the ``=`` padding it lacks put back, else None."""
    if not key or "=" in key or len(key) % 4 == 1:
        return None
    try:
        return len(base64.b64decode(_key_octets(key) + b"=" * (-len(key) % 4), validate=True))
    except (binascii.Error, ValueError):
        return None


def _not_base64(key: str) -> str:
    """Why ``key`` is not base64; a key whose ``=`` padding was stripped is told so, since
    servers compare the header text and the accept value is computed from it as it is."""
    if _unpadded_length(key) == KEY_BYTES:
        padding = "=" * (-len(key) % 4)
        return (
            f"it is not base64: its padding is stripped (base64 of 16 bytes ends in "
            f"'{padding}': {key}{padding}); servers hash the key as sent, so this accept "
            "value is not the one for the padded key"
        )
    return "it is not base64 (RFC 4648 §4 alphabet and padding)"


def generate_key(random_bytes: bytes) -> str:
    """A ``Sec-WebSocket-Key`` from 16 caller-supplied random bytes (RFC 6455 §4.1 item 7)."""
    if len(random_bytes) != KEY_BYTES:
        raise OptionError(f"a key needs exactly {KEY_BYTES} random bytes, got {len(random_bytes)}")
    return base64.b64encode(random_bytes).decode("ascii")


@dataclass(frozen=True)
class AcceptReport:
    """Everything ``ws-accept`` shows: the key, its validity, the hash steps and the answer."""

    key: str
    key_valid: bool
    key_bytes: int | None
    key_problem: str | None
    guid: str
    sha1_hex: str
    accept: str
    expected: str | None
    """The accept value given to compare with (``--verify``), if any."""
    verified: bool | None
    """True or False when ``expected`` was given, otherwise None."""

    @property
    def ok(self) -> bool:
        return self.key_valid and self.verified is not False


def accept_report(key: str, *, verify: str | None = None) -> AcceptReport:
    """Compute and explain the accept value for ``key``; compare with ``verify`` if given."""
    info = inspect_key(key)
    accept = websocket_accept(key)
    verified = None if verify is None else verify.strip() == accept
    return AcceptReport(
        key=key,
        key_valid=info.valid,
        key_bytes=info.decoded_length,
        key_problem=info.problem,
        guid=WEBSOCKET_GUID,
        sha1_hex=_sha1(key).hex(),
        accept=accept,
        expected=verify,
        verified=verified,
    )


def key_from_request(request: bytes) -> str:
    """The ``Sec-WebSocket-Key`` of a raw HTTP upgrade request (InputError if not exactly one)."""
    from flaskscope.handshake.http import parse_request  # h11: only ``--request`` needs it

    keys = parse_request(request).get_all("Sec-WebSocket-Key")
    if not keys:
        raise InputError("the request has no Sec-WebSocket-Key header (RFC 6455 §4.1 item 7)")
    if len(keys) > 1:
        raise InputError(
            f"the request has {len(keys)} Sec-WebSocket-Key headers, RFC 6455 §11.3.1 allows one"
        )
    return keys[0]


@dataclass(frozen=True)
class Check:
    """One rule of the opening handshake, checked: stable ``id``, verdict, RFC section, why."""

    id: str
    ok: bool
    rfc: str
    message: str


@dataclass(frozen=True)
class Note:
    """Something tolerated but worth knowing (LF-only line endings, a missing empty line)."""

    id: str
    rfc: str
    message: str


@dataclass(frozen=True)
class HandshakeReport:
    """The checklist for a request and, when given, the response that answered it."""

    checks: tuple[Check, ...]
    notes: tuple[Note, ...]
    method: str
    target: str
    key: str | None
    expected_accept: str | None
    offered_subprotocols: tuple[str, ...]
    offered_extensions: tuple[Extension, ...]
    has_response: bool
    status_code: int | None
    accept: str | None
    subprotocol: str | None
    extensions: tuple[Extension, ...]
    """The extensions the response selected (empty without a response)."""
    deflate: DeflateParams | None
    """The permessage-deflate parameters in force, when it was negotiated validly."""

    @property
    def valid(self) -> bool:
        return all(check.ok for check in self.checks)

    def failures(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.ok)
