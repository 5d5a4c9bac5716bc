"""Errors of the cookie cores: input that is not a Flask session cookie, and bad options.

A cookie whose signature does not match or that has expired is *not* an error: it was
understood, and :class:`flaskscope.cookies.decode.DecodedCookie` reports it through ``status``.
These errors are for input that cannot be read at all (exit code 2).
"""

from __future__ import annotations

from collections.abc import Sequence

from flaskscope.errors import InputError, OptionError

__all__ = [
    "CookieInputError",
    "CookieNotFoundError",
    "DecompressionLimitError",
    "MalformedCookieError",
    "PayloadError",
    "SigningOptionError",
]


class CookieInputError(InputError):
    """The input is not a Flask session cookie (bad structure, base64, zlib or JSON)."""


class CookieNotFoundError(CookieInputError):
    """No cookie of the wanted name in the text given."""

    def __init__(self, name: str, found: Sequence[str] = ()) -> None:
        self.name = name
        self.found = tuple(found)
        message = f"no cookie named {name!r} in the input"
        if self.found:
            listed = ", ".join(repr(item) for item in self.found[:10])
            message += f" (cookies found: {listed}; pick one with --cookie-name)"
        super().__init__(message)


class MalformedCookieError(CookieInputError):
    """The value does not have the shape ``[.]payload.timestamp.signature`` in base64url."""

    def __init__(self, part: str, reason: str) -> None:
        self.part = part
        self.reason = reason
        super().__init__(f"not a Flask session cookie: {part}: {reason}")


class PayloadError(CookieInputError):
    """The payload decodes but cannot be loaded (zlib, UTF-8, JSON or a tag Flask rejects)."""


class DecompressionLimitError(PayloadError):
    """The compressed payload inflates past the limit (a zlib bomb, or a huge session)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(
            f"the compressed payload inflates to more than {limit} bytes; refusing to"
            " decompress further (raise the limit only for input you trust)"
        )


class SigningOptionError(OptionError):
    """A digest, key derivation or timestamp that itsdangerous cannot use."""
