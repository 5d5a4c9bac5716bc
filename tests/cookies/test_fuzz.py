"""Bad input is a feature: random and mutated cookies give a result or a FlaskscopeError.

Every mutated cookie that still decodes is also handed to itsdangerous + Flask's serializer:
when Flask accepts it, flaskscope must call it valid with the same session.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timezone
from typing import Any

from flask.sessions import session_json_serializer
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import BadData, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from flaskscope.cookies import DEFAULT_MAX_AGE, decode_cookie, sign_cookie, split_cookie
from flaskscope.cookies.format import b64url_encode
from flaskscope.errors import FlaskscopeError
from tests.profiles import examples

KEY = "fuzz-key"
T0 = 1_700_000_000
NOW = datetime.fromtimestamp(T0 + 60, tz=timezone.utc)
SEEDS = [
    sign_cookie({"a": 1}, KEY, timestamp=T0),
    sign_cookie({"user": ("x", b"y"), "n": [1, 2, {" t": 3}]}, KEY, timestamp=T0),
    sign_cookie({"rows": ["row"] * 200}, KEY, timestamp=T0),  # compressed
]
ALPHABET = "ABCabc019-_.=!\u00e9 \n"
FLASK = URLSafeTimedSerializer(
    KEY,
    salt="cookie-session",
    serializer=session_json_serializer,
    signer_kwargs={"key_derivation": "hmac", "digest_method": "sha1"},
)


LAST_SECOND = 253402300799  # 9999-12-31T23:59:59Z
BOUNDARY_TIMESTAMPS = [
    *(LAST_SECOND - k * 86400 for k in (0, 1, 2, 15, 30, 31, 32, 366)),
    LAST_SECOND + 1,
    0,
    1,
    T0,
    2**31 - 1,
    2**32,
    2**63 - 1,
    2**64 - 1,
]
MAX_AGES = st.one_of(
    st.just(DEFAULT_MAX_AGE),
    st.none(),
    st.sampled_from([0, 1, 3_000_000_000_000, 10**20, 999_999_999_999 * 604800, 2**63]),
    st.integers(min_value=-(10**6), max_value=10**30),
)
NOWS = st.one_of(
    st.just(NOW),
    st.sampled_from([0, -86400, LAST_SECOND, T0 + DEFAULT_MAX_AGE + 1]).map(
        lambda seconds: datetime.fromtimestamp(seconds, tz=timezone.utc)
    ),
    st.datetimes(timezones=st.just(timezone.utc)),
)


class FrozenSigner(TimestampSigner):
    """itsdangerous' signer with its clock at ``NOW``, so Flask and flaskscope judge age alike."""

    def get_timestamp(self) -> int:
        return int(NOW.timestamp())


FLASK_AT_NOW = URLSafeTimedSerializer(
    KEY,
    salt="cookie-session",
    serializer=session_json_serializer,
    signer=FrozenSigner,
    signer_kwargs={"key_derivation": "hmac", "digest_method": "sha1"},
)


def flask_accepts(value: str, max_age: int | None = None) -> Any:
    """What Flask's session interface loads; an itsdangerous crash (a date past year 9999 in
    its SignatureExpired) is a refusal too: Flask would answer 500, not load a session."""
    try:
        if max_age is None:
            return True, FLASK.loads(value)
        return True, FLASK_AT_NOW.loads(value, max_age=max_age)
    except (BadData, OverflowError, OSError, ValueError):
        return False, None


@st.composite
def mutated(draw: st.DrawFn) -> str:
    value = list(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(value)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        char = draw(st.sampled_from(ALPHABET))
        if action == "insert":
            value.insert(position, char)
        elif action == "delete" and position < len(value):
            del value[position]
        elif action == "replace" and position < len(value):
            value[position] = char
        elif action == "truncate":
            del value[position:]
    return "".join(value)


def check(value: str, max_age: int | None = None) -> None:
    """flaskscope and Flask agree: valid exactly when Flask accepts, with the same session."""
    accepted, session = flask_accepts(value.strip(), max_age)
    try:
        decoded = decode_cookie(value, KEY, max_age=max_age, now=NOW)
    except FlaskscopeError:
        assert not accepted, value
        return
    assert decoded.status in ("valid", "invalid-signature", "expired")
    assert isinstance(decoded.session, dict)
    assert (decoded.status == "valid") == accepted, value
    if accepted:
        assert session == decoded.session


@settings(max_examples=examples(300))
@given(mutated())
def test_mutated_cookies(value: str) -> None:
    check(value)


@settings(max_examples=examples(300))
@given(mutated())
def test_mutated_cookies_with_flasks_default_max_age(value: str) -> None:
    check(value, DEFAULT_MAX_AGE)


@settings(max_examples=examples(300))
@given(
    st.one_of(st.sampled_from(BOUNDARY_TIMESTAMPS), st.integers(0, 2**64 - 1)),
    MAX_AGES,
    NOWS,
    st.booleans(),
)
def test_any_timestamp_max_age_and_now(
    timestamp: int, max_age: int | None, now: datetime, legacy: bool
) -> None:
    """Timestamps up to 2**64 - 1 (near and past year 9999 too), max ages up to 10**30 and
    clocks from year 1 to 9999: a verdict or a FlaskscopeError, never a bare OverflowError."""
    value = sign_cookie(
        {"a": 1}, KEY, timestamp=timestamp + (1_293_840_000 if legacy else 0), legacy=legacy
    )
    try:
        decoded = decode_cookie(value, KEY, max_age=max_age, now=now, legacy=legacy)
    except FlaskscopeError:
        return
    assert decoded.verified
    assert decoded.status in ("valid", "expired")
    assert (decoded.status == "expired") == decoded.expired
    if decoded.expires_at is not None:
        assert max_age is not None
        assert decoded.expires_at.year <= 9999
    if max_age is not None and now == NOW and not legacy:
        assert (decoded.status == "valid") == flask_accepts(value, max_age)[0]


@settings(max_examples=examples(300))
@given(st.text(max_size=200))
def test_random_text(value: str) -> None:
    check(value)
    try:
        parts = split_cookie(value)
    except FlaskscopeError:
        return
    assert parts.signed_part + b"." == value.strip().encode()[: len(parts.signed_part) + 1]


@settings(max_examples=examples(200))
@given(st.binary(max_size=300), st.booleans(), st.binary(max_size=10), st.binary(max_size=30))
def test_random_bytes_in_every_part(
    payload: bytes, compress: bool, timestamp: bytes, signature: bytes
) -> None:
    body = zlib.compress(payload) if compress else payload
    head = ("." if compress else "") + b64url_encode(body)
    check(f"{head}.{b64url_encode(timestamp)}.{b64url_encode(signature)}")


@settings(max_examples=examples(100))
@given(st.sampled_from(SEEDS), st.integers(0, 200))
def test_every_prefix_of_a_cookie(value: str, cut: int) -> None:
    check(value[: max(0, len(value) - cut)])
