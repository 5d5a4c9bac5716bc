"""How Flask signs a session cookie: itsdangerous' key derivation and HMAC, without Flask.

Flask's ``SecureCookieSessionInterface`` uses salt ``"cookie-session"``, ``hashlib.sha1`` and
key derivation ``"hmac"``: the signing key is ``HMAC(secret_key, salt)`` and the signature is
``HMAC(signing_key, PAYLOAD.TIMESTAMP)`` (itsdangerous ``Signer.derive_key`` and
``HMACAlgorithm``). Apps with their own session interface may change any of the three.

With Flask >= 3.1 ``SECRET_KEY_FALLBACKS`` the serializer gets ``[*fallbacks, secret_key]``;
itsdangerous signs with the last key and verifies with ``reversed(keys)``, so the current key
first, then the fallbacks from the last one back.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from flaskscope.cookies.errors import SigningOptionError
from flaskscope.cookies.format import CookieParts

__all__ = [
    "DEFAULT_SALT",
    "DIGEST_SIZES",
    "KEY_DERIVATIONS",
    "SigningOptions",
    "compute_signature",
    "derive_key",
    "digest_constructor",
    "digest_size",
    "find_other_options",
    "matching_key",
    "verify_signature",
]

DEFAULT_SALT = "cookie-session"
"""``SecureCookieSessionInterface.salt``."""

KEY_DERIVATIONS = ("hmac", "concat", "django-concat", "none")
"""itsdangerous ``Signer.derive_key`` choices; Flask uses ``hmac``."""

DIGEST_SIZES: dict[int, str] = {
    16: "md5",
    20: "sha1",
    28: "sha224",
    32: "sha256",
    48: "sha384",
    64: "sha512",
}
"""Signature length in bytes -> the usual digest of that size (for hints only)."""


class SigningKeywords(TypedDict):
    """``salt``, ``digest``, ``key_derivation``, ``legacy`` as keyword arguments."""

    salt: str
    digest: str
    key_derivation: str
    legacy: bool


@dataclass(frozen=True)
class SigningOptions:
    """How the app signs, as itsdangerous defines it (Flask's defaults)."""

    salt: str = DEFAULT_SALT
    digest: str = "sha1"
    """Any :mod:`hashlib` name with a fixed size (``sha1``, ``sha256``, ``sha3_256`` ...)."""
    key_derivation: str = "hmac"
    """``hmac`` | ``concat`` | ``django-concat`` | ``none``."""
    legacy: bool = False
    """Timestamps counted from 2011-01-01 (itsdangerous < 1.0)."""

    def keywords(self) -> SigningKeywords:
        """The options as the keyword arguments ``decode_cookie`` and ``sign_cookie`` take."""
        return {
            "salt": self.salt,
            "digest": self.digest,
            "key_derivation": self.key_derivation,
            "legacy": self.legacy,
        }

    def validated(self) -> SigningOptions:
        """The same options with the digest name normalised; raises on unusable values."""
        if self.key_derivation not in KEY_DERIVATIONS:
            choices = ", ".join(KEY_DERIVATIONS)
            raise SigningOptionError(
                f"unknown key derivation {self.key_derivation!r} (choose from {choices})"
            )
        name = normalise_digest(self.digest)
        if name == self.digest:
            return self
        return SigningOptions(self.salt, name, self.key_derivation, self.legacy)


def normalise_digest(name: str) -> str:
    """A hashlib name for ``name``: case and ``-`` forgiven (``SHA-256`` -> ``sha256``)."""
    wanted = name.strip().lower()
    candidates = [wanted, wanted.replace("-", ""), wanted.replace("-", "_")]
    for candidate in candidates:
        if candidate in hashlib.algorithms_available:
            _check_fixed_size(candidate, name)
            return candidate
    known = ", ".join(sorted(hashlib.algorithms_guaranteed))
    raise SigningOptionError(f"unknown digest {name!r} (hashlib knows: {known})")


def _check_fixed_size(candidate: str, name: str) -> None:
    try:
        hashlib.new(candidate).digest()
    except (TypeError, ValueError) as error:
        raise SigningOptionError(
            f"digest {name!r} cannot be used for an HMAC ({error}); pick a fixed-size hash"
        ) from error


def digest_constructor(name: str) -> Callable[..., Any]:
    """A callable like ``hashlib.sha1`` for a (normalised) digest name."""

    def construct(data: bytes = b"") -> Any:
        return hashlib.new(name, data)

    return construct


def digest_size(name: str) -> int:
    return hashlib.new(name).digest_size


def _want_bytes(value: str | bytes) -> bytes:
    """UTF-8; a key given on a command line in another encoding reaches Python as
    surrogate-escaped text and is taken as the bytes it came from."""
    return value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value


def derive_key(secret_key: str | bytes, options: SigningOptions) -> bytes:
    """The signing key, exactly as itsdangerous ``Signer.derive_key`` makes it."""
    options = options.validated()
    key = _want_bytes(secret_key)
    salt = _want_bytes(options.salt)
    if options.key_derivation == "concat":
        return hashlib.new(options.digest, salt + key).digest()
    if options.key_derivation == "django-concat":
        return hashlib.new(options.digest, salt + b"signer" + key).digest()
    if options.key_derivation == "hmac":
        return hmac.new(key, salt, options.digest).digest()
    return key


def compute_signature(
    signed_part: bytes, secret_key: str | bytes, options: SigningOptions
) -> bytes:
    """The raw HMAC bytes itsdangerous would append for ``signed_part``."""
    options = options.validated()
    return hmac.new(derive_key(secret_key, options), signed_part, options.digest).digest()


def verify_signature(parts: CookieParts, secret_key: str | bytes, options: SigningOptions) -> bool:
    """True when ``secret_key`` made this cookie's signature (constant-time comparison)."""
    if parts.signature_malformed:
        return False
    expected = compute_signature(parts.signed_part, secret_key, options)
    return hmac.compare_digest(expected, parts.signature)


def matching_key(
    parts: CookieParts,
    secret_key: str | bytes | None,
    fallback_keys: Sequence[str | bytes],
    options: SigningOptions,
) -> str | None:
    """Which key signed the cookie: ``"primary"``, ``"fallback:N"`` or ``None``.

    Keys are tried in itsdangerous' order: the current key, then the fallbacks from the last
    to the first (``Signer.verify_signature`` walks ``reversed([*fallbacks, secret_key])``).
    """
    options = options.validated()
    if secret_key is not None and verify_signature(parts, secret_key, options):
        return "primary"
    for index in reversed(range(len(fallback_keys))):
        if verify_signature(parts, fallback_keys[index], options):
            return f"fallback:{index}"
    return None


COMMON_SALTS = (DEFAULT_SALT, "itsdangerous", "itsdangerous.Signer")
"""Flask's salt and itsdangerous' defaults (``URLSafeTimedSerializer``, ``Signer``)."""


def find_other_options(
    parts: CookieParts, keys: Sequence[str | bytes], options: SigningOptions
) -> SigningOptions | None:
    """Signing options, other than ``options``, under which one of ``keys`` made the cookie.

    For the user who has the right key but an app that signs differently: tries the common
    salts, every key derivation, and the digests whose size fits the signature.
    """
    options = options.validated()
    digest = DIGEST_SIZES.get(len(parts.signature))
    if parts.signature_malformed or digest is None or not keys:
        return None
    sizes_fit = [n for n in (options.digest, digest) if digest_size(n) == len(parts.signature)]
    for salt in dict.fromkeys((options.salt, *COMMON_SALTS)):
        for name in dict.fromkeys(sizes_fit):
            for derivation in KEY_DERIVATIONS:
                candidate = SigningOptions(salt, name, derivation, options.legacy)
                if candidate == options:
                    continue
                if any(verify_signature(parts, key, candidate) for key in keys):
                    return candidate
    return None
