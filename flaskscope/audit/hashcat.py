"""The hash line for hashcat's mode 29100 ("Flask Session Cookie"), and when there is none.

For searches that outgrow one machine (GPUs, distributed through hashtopolis) hashcat is the
existing engine. Its mode 29100 takes the cookie value itself, ``PAYLOAD.TIMESTAMP.SIGNATURE``
(``hashcat -m 29100 --example-hashes`` shows
``eyJ1c2VybmFtZSI6ImFkbWluIn0.YjdgRQ.1OTlf1PD0H9wXsu_qS0aywAJVD8``), and hard-codes Flask's
defaults: salt ``cookie-session``, sha1, ``hmac`` key derivation. Its tokenizer
(``src/modules/module_29100.c``) splits at ``.`` into three base64url tokens: a payload of at
most 56 characters in current sources (27 in hashcat 6.2.6, Debian 12's package, checked by
loading cookies into it), a timestamp of 1-6 characters and a 20-27 character signature that
must decode to 20 bytes. A compressed cookie (leading ``.``) is refused, as is everything
else outside those limits; this module says so instead of handing over a line that will not
load.
"""

from __future__ import annotations

from dataclasses import dataclass

from flaskscope.cookies.format import CookieParts
from flaskscope.cookies.signing import DEFAULT_SALT, SigningOptions
from flaskscope.errors import OptionError

__all__ = [
    "HASHCAT_MODE",
    "HashcatLine",
    "HashcatUnsupportedError",
    "hashcat_line",
]

HASHCAT_MODE = 29100
PAYLOAD_MAX = 56
"""Longest payload token hashcat's current tokenizer accepts."""
PAYLOAD_MAX_626 = 27
"""Longest payload token hashcat 6.2.6 (Debian 12) accepts."""
TIMESTAMP_LENGTHS = range(1, 7)
SIGNATURE_LENGTHS = range(20, 28)
SIGNATURE_BYTES = 20


class HashcatUnsupportedError(OptionError):
    """hashcat's mode 29100 cannot load this cookie (exit 2: nothing to hand over)."""


@dataclass(frozen=True)
class HashcatLine:
    """One line for a hashcat hash file, with what the user should know about it."""

    line: str
    mode: int = HASHCAT_MODE
    warnings: tuple[str, ...] = ()

    @property
    def command(self) -> str:
        """A hashcat command line that uses it (wordlist attack, hash in ``cookie.hash``)."""
        return f"hashcat -m {self.mode} -a 0 cookie.hash WORDLIST"


def hashcat_line(parts: CookieParts, options: SigningOptions) -> HashcatLine:
    """The mode 29100 line for a cookie, or :class:`HashcatUnsupportedError` saying why not."""
    refusals: list[str] = []
    if options.salt != DEFAULT_SALT:
        refusals.append(f"it only knows the salt {DEFAULT_SALT!r}, not {options.salt!r}")
    if options.digest != "sha1":
        refusals.append(f"it only knows sha1, not {options.digest}")
    if options.key_derivation != "hmac":
        refusals.append(f"it only knows hmac key derivation, not {options.key_derivation}")
    if parts.compressed:
        refusals.append(
            "the cookie is compressed (its value starts with '.'), which hashcat rejects"
        )
    elif len(parts.payload_b64) > PAYLOAD_MAX:
        refusals.append(
            f"the payload is {len(parts.payload_b64)} characters and hashcat takes at most "
            f"{PAYLOAD_MAX}"
        )
    if len(parts.timestamp_b64) not in TIMESTAMP_LENGTHS:
        refusals.append(f"the timestamp is {len(parts.timestamp_b64)} characters, not 1-6")
    if (
        parts.signature_malformed
        or parts.signature_lenient
        or len(parts.signature_b64) not in SIGNATURE_LENGTHS
        or len(parts.signature) != SIGNATURE_BYTES
    ):
        refusals.append("the signature is not 20 bytes of clean base64url (sha1)")
    if refusals:
        raise HashcatUnsupportedError(
            f"hashcat mode {HASHCAT_MODE} cannot load this cookie: " + "; ".join(refusals)
        )
    warnings = []
    if len(parts.payload_b64) > PAYLOAD_MAX_626:
        warnings.append(
            f"the payload is {len(parts.payload_b64)} characters: hashcat 6.2.6 (Debian 12) "
            f"rejects payloads over {PAYLOAD_MAX_626} ('Token length exception'); "
            "use a newer hashcat",
        )
    line = f"{parts.payload_b64}.{parts.timestamp_b64}.{parts.signature_b64}"
    return HashcatLine(line=line, warnings=tuple(warnings))
