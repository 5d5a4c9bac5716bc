"""Bad input is a feature: random and mutated cookies give a result or a FlaskscopeError.

Every mutated cookie that still decodes is also handed to itsdangerous + Flask's serializer:
when Flask accepts it, flaskscope must call it valid with the same session.
"""

from __future__ import annotations

import zlib
from datetime import datetime, timezone
from typing import Any

from flask.sessions import session_json_serializer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import BadData, URLSafeTimedSerializer

from flaskscope.cookie import decode_cookie, sign_cookie, split_cookie
from flaskscope.cookie_format import b64url_encode
from flaskscope.errors import FlaskscopeError

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


def flask_accepts(value: str) -> Any:
    try:
        return True, FLASK.loads(value)
    except BadData:
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


def check(value: str) -> None:
    """flaskscope and Flask agree: valid exactly when Flask accepts, with the same session."""
    accepted, session = flask_accepts(value.strip())
    try:
        decoded = decode_cookie(value, KEY, max_age=None, now=NOW)
    except FlaskscopeError:
        assert not accepted, value
        return
    assert decoded.status in ("valid", "invalid-signature")
    assert isinstance(decoded.session, dict)
    assert (decoded.status == "valid") == accepted, value
    if accepted:
        assert session == decoded.session


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_cookies(value: str) -> None:
    check(value)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text(value: str) -> None:
    check(value)
    try:
        parts = split_cookie(value)
    except FlaskscopeError:
        return
    assert parts.signed_part + b"." == value.strip().encode()[: len(parts.signed_part) + 1]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.booleans(), st.binary(max_size=10), st.binary(max_size=30))
def test_random_bytes_in_every_part(
    payload: bytes, compress: bool, timestamp: bytes, signature: bytes
) -> None:
    body = zlib.compress(payload) if compress else payload
    head = ("." if compress else "") + b64url_encode(body)
    check(f"{head}.{b64url_encode(timestamp)}.{b64url_encode(signature)}")


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(SEEDS), st.integers(0, 200))
def test_every_prefix_of_a_cookie(value: str, cut: int) -> None:
    check(value[: max(0, len(value) - cut)])
