"""Flask session cookies found in a capture: each distinct value decoded once, judged at the
time of the packet that carried it, and audited together.

Cookie values come from ``Cookie`` request fields (RFC 6265 §5.4: ``name=value`` pairs
separated by ``;``) and ``Set-Cookie`` response fields (§5.2: the first ``name=value`` pair;
an empty value is a deletion, not a cookie). A value is a Flask-Session id or Flask's own
signed cookie as ``decode-cookie`` decides (:func:`flaskscope.sessions.kind.server_session_cookie`).
The audit derives each candidate's signing key once per signing configuration (salt, digest,
key derivation) and checks it against every cookie signed that way (a hit is confirmed through
:func:`flaskscope.cookies.decode.decode_cookie`, as ``audit-secret`` does).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from itertools import repeat

from flaskscope.audit.checker import AuditSpec, BatchChecker
from flaskscope.audit.cookie import confirmer
from flaskscope.cookies.decode import DecodedCookie, SigningOptions, decode_cookie, split_cookie
from flaskscope.errors import FlaskscopeError
from flaskscope.scan.model import CookieFinding, CookieSighting
from flaskscope.sessions.ids import ServerSessionCookie
from flaskscope.sessions.kind import server_session_cookie

__all__ = [
    "MAX_COOKIES",
    "MAX_SIGHTINGS",
    "CookieBook",
    "CookieSettings",
    "cookie_in_set_cookie",
    "cookies_in_request",
]

MAX_SIGHTINGS = 50
"""Sightings listed per cookie (all are counted)."""

MAX_COOKIES = 100_000
"""Distinct cookie values kept; past that, values are counted, not decoded."""


@dataclass(frozen=True)
class CookieSettings:
    """What ``decode-cookie`` would be given: the names to look for, keys and signing."""

    names: tuple[str, ...] = ("session",)
    secret_key: str | bytes | None = None
    fallback_keys: tuple[str | bytes, ...] = ()
    options: SigningOptions = field(default_factory=SigningOptions)
    max_age: int | None = 31 * 24 * 3600
    serializer: object | None = None
    app_loaded: bool = False
    server_interface: str | None = None


def cookies_in_request(value: str, names: Sequence[str]) -> list[tuple[str, str]]:
    """The (name, value) pairs of a ``Cookie`` field whose names are in ``names``."""
    found = []
    for pair in value.split(";"):
        name, equals, cookie = pair.partition("=")
        name = name.strip()
        if equals and name in names:
            found.append((name, _unquote(cookie.strip())))
    return found


def cookie_in_set_cookie(value: str, names: Sequence[str]) -> tuple[str, str] | None:
    """The (name, value) a ``Set-Cookie`` field sets, when its name is in ``names``."""
    pair = value.split(";", 1)[0]
    name, equals, cookie = pair.partition("=")
    name = name.strip()
    if not equals or name not in names:
        return None
    return name, _unquote(cookie.strip())


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


class _Entry:
    __slots__ = ("count", "expired_later", "finding", "sightings")

    def __init__(self, finding: CookieFinding) -> None:
        self.finding = finding
        self.sightings: list[CookieSighting] = []
        self.count = 0
        self.expired_later = False


class CookieBook:
    """Every distinct cookie value seen, decoded at its first sighting."""

    def __init__(self, settings: CookieSettings) -> None:
        self.settings = settings
        self._entries: dict[tuple[str, str], _Entry] = {}
        self.dropped = 0
        self._weak: dict[int, str] = {}

    def see(self, name: str, value: str, sighting: CookieSighting) -> int | None:
        """Record a sighting; returns the cookie's id (None when the book is full)."""
        if not value:
            return None
        key = (name, value)
        entry = self._entries.get(key)
        if entry is None:
            if len(self._entries) >= MAX_COOKIES:
                self.dropped += 1
                return None
            entry = _Entry(self._judge(len(self._entries), name, value, sighting.timestamp))
            self._entries[key] = entry
        entry.count += 1
        if len(entry.sightings) < MAX_SIGHTINGS:
            entry.sightings.append(sighting)
        decoded = entry.finding.decoded
        if (
            decoded is not None
            and decoded.max_age is not None
            and entry.count > 1
            and int(sighting.timestamp) - decoded.timestamp > decoded.max_age
        ):
            entry.expired_later = True
        return entry.finding.id

    def _judge(self, number: int, name: str, value: str, timestamp: float) -> CookieFinding:
        settings = self.settings
        empty = CookieFinding(
            number, name, value, "undecodable", "undecodable", None, None, None, (), 0
        )
        try:
            server: ServerSessionCookie | None = server_session_cookie(
                value, app_loaded=settings.app_loaded, interface=settings.server_interface
            )
        except FlaskscopeError as error:
            return replace(empty, error=str(error))
        if server is not None:
            return replace(
                empty, kind="server-session", verdict="server-session", server_session=server
            )
        try:
            decoded = decode_cookie(
                value,
                settings.secret_key,
                fallback_keys=settings.fallback_keys,
                **settings.options.keywords(),
                max_age=settings.max_age,
                now=_moment(timestamp),
                serializer=settings.serializer,
            )
        except FlaskscopeError as error:
            return replace(empty, error=str(error))
        return replace(empty, kind="signed", verdict=decoded.status, decoded=decoded)

    def findings(self) -> list[CookieFinding]:
        return [
            replace(
                entry.finding,
                sightings=tuple(entry.sightings),
                sighting_count=entry.count,
                expired_later=entry.expired_later,
                weak_key=self._weak.get(entry.finding.id),
            )
            for entry in self._entries.values()
        ]

    def audit(self, candidate_batches: Iterable[list[bytes]]) -> tuple[int, dict[int, str]]:
        """Search the candidates for the keys of every signed cookie; returns the number of
        candidates tried and, per cookie id, the key found."""
        options = self.settings.options
        targets: list[tuple[_Entry, bytes, bytes]] = []
        for entry in self._entries.values():
            if entry.finding.kind != "signed":
                continue
            try:
                parts = split_cookie(entry.finding.value, legacy=options.legacy)
            except FlaskscopeError:
                continue
            if parts.signature_malformed:
                continue
            targets.append((entry, parts.signed_part, parts.signature))
        tried = 0
        if not targets:
            return tried, {}
        checker = BatchChecker(
            AuditSpec(
                targets[0][1],
                targets[0][2],
                salt=options.salt.encode("utf-8"),
                digest=options.digest,
                key_derivation=options.key_derivation,
            )
        )
        digest = options.digest
        left = list(targets)
        for batch in candidate_batches:
            if not left:
                break
            tried += len(batch)
            if options.key_derivation == "none":
                keys: list[bytes] = batch
            else:
                keys = list(checker.derived_keys(batch))
            for target in list(left):
                entry, signed_part, signature = target
                produced = list(map(hmac.digest, keys, repeat(signed_part), repeat(digest)))
                if signature not in produced:
                    continue
                position = produced.index(signature)
                candidate = batch[position]
                confirm, _ = confirmer(
                    entry.finding.value, options, _moment(time_of(entry)), self.settings.serializer
                )
                if confirm(candidate):
                    self._weak[entry.finding.id] = _display(candidate)
                    left.remove(target)
        return tried, dict(self._weak)


def time_of(entry: _Entry) -> float:
    return entry.sightings[0].timestamp if entry.sightings else 0.0


def _display(key: bytes) -> str:
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError:
        return repr(key)


def _moment(timestamp: float) -> datetime:
    try:
        return datetime.fromtimestamp(timestamp, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return datetime(1970, 1, 1, tzinfo=timezone.utc)


def decoded_of(finding: CookieFinding) -> DecodedCookie | None:
    return finding.decoded
