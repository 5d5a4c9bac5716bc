"""The cookie side of ``audit-secret``: what the search is given, and what counts as a hit.

:mod:`flaskscope.audit.checker` only reproduces a signature from candidates. Here that search is
tied to a cookie: a signature no candidate could make means the signing options are wrong (said
before searching, not reported as a strong key); a hit counts only when the normal decode
path accepts the key; and the report says whether the cookie is past its max age.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from flaskscope.audit.checker import AuditReport, AuditSpec, BatchChecker
from flaskscope.audit.runner import AuditRun
from flaskscope.cookies.decode import (
    CookieParts,
    DecodedCookie,
    PayloadError,
    SigningOptions,
    cookie_age,
    decode_cookie,
    is_expired,
    split_cookie,
    verify_signature,
)
from flaskscope.cookies.signing import DIGEST_SIZES
from flaskscope.errors import OptionError

__all__ = ["audit_report", "audit_spec", "check_signature_size", "confirmer"]


def audit_spec(parts: CookieParts, options: SigningOptions) -> AuditSpec:
    """The signature over the signed part, and how the app makes it."""
    return AuditSpec(
        parts.signed_part,
        parts.signature,
        salt=options.salt.encode("utf-8", "surrogateescape"),
        digest=options.digest,
        key_derivation=options.key_derivation,
    )


def check_signature_size(parts: CookieParts, options: SigningOptions) -> None:
    """A signature no candidate can match means the options are wrong, not the key strong."""
    checker = BatchChecker(AuditSpec(parts.signed_part, parts.signature, digest=options.digest))
    if parts.signature_malformed or not checker.can_match:
        hint = DIGEST_SIZES.get(len(parts.signature))
        guess = f" (try --digest {hint})" if hint and hint != options.digest else ""
        raise OptionError(
            f"the cookie's signature is {len(parts.signature)} bytes but {options.digest} "
            f"makes {checker.digest_size}-byte signatures{guess}; no key could match"
        )


def confirmer(
    value: str, options: SigningOptions, now: datetime, serializer: object | None
) -> tuple[Callable[[bytes], bool], list[DecodedCookie]]:
    """A hit counts only when the normal decode path says ``valid`` for that key.

    ``max_age=None`` here: an expired cookie with the right key still proves the key (its
    expiry is reported separately). A payload that is not Flask's tagged JSON (a custom
    serializer) cannot be decoded, so there the same signature check ``decode_cookie`` uses
    (:func:`flaskscope.cookies.decode.verify_signature`) decides. The list collects the decodes that
    confirmed a key.
    """
    confirmed: list[DecodedCookie] = []

    def confirm(candidate: bytes) -> bool:
        try:
            decoded = decode_cookie(
                value,
                candidate,
                **options.keywords(),
                max_age=None,
                now=now,
                serializer=serializer,
            )
        except PayloadError:
            parts = split_cookie(value, legacy=options.legacy)
            return verify_signature(parts, candidate, options)
        if decoded.status != "valid":
            return False
        confirmed.append(decoded)
        return True

    return confirm, confirmed


def audit_report(
    run: AuditRun,
    *,
    parts: CookieParts,
    options: SigningOptions,
    sources: Sequence[str],
    confirmed: Sequence[DecodedCookie],
    now: datetime,
    max_age: int | None,
) -> AuditReport:
    """What the search found, with the cookie's expiry judged only when a key was found."""
    expired = None
    if run.key is not None and max_age is not None:
        expired = is_expired(cookie_age(parts.timestamp, now), max_age)
    return AuditReport(
        key=run.key,
        candidates_tried=run.candidates_tried,
        seconds=run.seconds,
        jobs=run.jobs,
        sources=tuple(sources),
        salt=options.salt,
        digest=options.digest,
        key_derivation=options.key_derivation,
        legacy=options.legacy,
        issued_at=confirmed[0].issued_at if confirmed else None,
        max_age=max_age,
        expired=expired,
        unconfirmed_hits=run.unconfirmed_hits,
        engine=run.engine,
    )
