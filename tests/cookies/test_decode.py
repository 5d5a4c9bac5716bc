"""decode_cookie / sign_cookie against cookies made and read by real Flask and itsdangerous."""

from __future__ import annotations

import hashlib
import os
import random
import uuid
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask, flash, session
from flask.sessions import session_json_serializer
from itsdangerous import BadSignature, Signer, URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner
from markupsafe import Markup

from flaskscope import decode_cookie, sign_cookie
from flaskscope.cookies import (
    DEFAULT_MAX_AGE,
    LEGACY_EPOCH,
    CookieInputError,
    DecompressionLimitError,
    MalformedCookieError,
    PayloadError,
    SigningOptionError,
    SigningOptions,
    derive_key,
    split_cookie,
)
from flaskscope.cookies.format import b64url_encode, int_to_bytes
from tests.cookies.test_tagged import type_structure

KEY = "test-secret-key"
T0 = 1_700_000_000  # 2023-11-14T22:13:20Z


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def make_app(secret_key: str = KEY, fallbacks: list[str] | None = None) -> Flask:
    app = Flask(__name__)
    app.secret_key = secret_key
    app.config["SECRET_KEY_FALLBACKS"] = fallbacks or []

    @app.route("/all-types")
    def all_types() -> str:
        session["tuple"] = (1, "two", (3.5, None))
        session["bytes"] = b"\x00\x01binary\xff"
        session["uuid"] = uuid.UUID("12345678-1234-5678-1234-567812345678")
        session["datetime"] = datetime(2024, 2, 29, 12, 30, 45, tzinfo=timezone.utc)
        session["markup"] = Markup("<em>hi</em> &amp; bye")
        session["escaped"] = {" t": [1, 2]}
        session["nested"] = {"list": [{"b": b"x"}, (1,)], "unicode": "h\u00e9llo \u2603 \U0001f600"}
        session["user_id"] = 42
        return "ok"

    @app.route("/permanent")
    def permanent() -> str:
        session.permanent = True
        session["user"] = "alice"
        return "ok"

    @app.route("/flash")
    def flashes() -> str:
        flash("saved")
        flash("careful", "warning")
        return "ok"

    @app.route("/large")
    def large() -> str:
        session["rows"] = [{"id": i, "name": "row", "tags": ["a", "b"]} for i in range(150)]
        return "ok"

    @app.route("/small")
    def small() -> str:
        session["a"] = 1
        return "ok"

    @app.route("/read")
    def read() -> str:
        return repr(sorted(session.items()))

    return app


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Set the clock itsdangerous signs and checks with."""

    def freeze(seconds: int) -> None:
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: seconds)

    freeze(T0)
    return freeze


def flask_cookie(app: Flask, path: str) -> str:
    client = app.test_client()
    client.get(path)
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def flask_loads(app: Flask, value: str) -> Any:
    """What Flask's session interface loads (max_age as Flask applies it)."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    max_age = int(app.permanent_session_lifetime.total_seconds())
    return serializer.loads(value, max_age=max_age)


@pytest.mark.parametrize("path", ["/all-types", "/permanent", "/flash", "/large", "/small"])
def test_flask_cookies_decode_to_what_flask_loads(frozen_time: Any, path: str) -> None:
    app = make_app()
    value = flask_cookie(app, path)
    decoded = decode_cookie(value, KEY, now=at(T0 + 5))
    expected = flask_loads(app, value)
    assert decoded.session == expected
    assert type_structure(decoded.session) == type_structure(expected)
    assert decoded.status == "valid"
    assert decoded.verified is True
    assert decoded.matched_key == "primary"
    assert decoded.issued_at == at(T0)
    assert decoded.age_seconds == 5
    assert decoded.expires_at == at(T0 + DEFAULT_MAX_AGE)
    assert decoded.compressed == value.startswith(".")
    assert decoded.warnings == ()


def test_payload_is_the_json_on_the_wire(frozen_time: Any) -> None:
    app = make_app()
    value = flask_cookie(app, "/all-types")
    decoded = decode_cookie(value, KEY, now=at(T0))
    with app.test_request_context():
        assert decoded.payload == session_json_serializer.dumps(flask_loads(app, value))
    assert '" t"' in decoded.payload


def test_large_session_is_compressed_and_decoded(frozen_time: Any) -> None:
    app = make_app()
    value = flask_cookie(app, "/large")
    assert value.startswith(".")
    decoded = decode_cookie(value, KEY, now=at(T0))
    assert decoded.compressed is True
    assert decoded.compressed_size is not None
    assert decoded.compressed_size < decoded.payload_size
    assert len(decoded.session["rows"]) == 150


def test_unverified_without_key(frozen_time: Any) -> None:
    app = make_app()
    value = flask_cookie(app, "/all-types")
    decoded = decode_cookie(value, now=at(T0))
    assert decoded.status == "unverified"
    assert decoded.verified is False
    assert decoded.matched_key is None
    assert decoded.session == flask_loads(app, value)
    assert any("NOT checked" in warning for warning in decoded.warnings)


def test_fallback_keys_as_flask_31_uses_them(frozen_time: Any) -> None:
    old_app = make_app("old-key")
    value = flask_cookie(old_app, "/small")
    new_app = make_app("new-key", fallbacks=["oldest-key", "old-key"])
    assert flask_loads(new_app, value) == {"a": 1}  # Flask itself accepts it
    decoded = decode_cookie(value, "new-key", fallback_keys=["oldest-key", "old-key"], now=at(T0))
    assert decoded.status == "valid"
    assert decoded.matched_key == "fallback:1"
    assert decode_cookie(value, "new-key", now=at(T0)).status == "invalid-signature"
    only_fallbacks = decode_cookie(value, fallback_keys=["old-key"], now=at(T0))
    assert only_fallbacks.matched_key == "fallback:0"


def test_flask_signs_with_the_current_key_when_fallbacks_exist(frozen_time: Any) -> None:
    app = make_app("new-key", fallbacks=["old-key"])
    value = flask_cookie(app, "/small")
    decoded = decode_cookie(value, "new-key", fallback_keys=["old-key"], now=at(T0))
    assert decoded.matched_key == "primary"


def test_wrong_key(frozen_time: Any) -> None:
    app = make_app()
    value = flask_cookie(app, "/small")
    with pytest.raises(BadSignature):
        flask_loads(make_app("wrong"), value)
    decoded = decode_cookie(value, "wrong", now=at(T0))
    assert decoded.status == "invalid-signature"
    assert decoded.verified is False
    assert decoded.matched_key is None
    assert decoded.session == {"a": 1}  # still shown


def _forge_payload(value: str, new_json: bytes) -> str:
    _payload, timestamp, signature = value.rsplit(".", 2)
    return ".".join([b64url_encode(new_json), timestamp, signature])


def test_tampered_payload(frozen_time: Any) -> None:
    app = make_app()
    value = flask_cookie(app, "/permanent")
    forged = _forge_payload(value, b'{"_permanent":true,"user":"admin"}')
    with pytest.raises(BadSignature):
        flask_loads(app, forged)
    decoded = decode_cookie(forged, KEY, now=at(T0))
    assert decoded.status == "invalid-signature"
    assert decoded.session["user"] == "admin"


def test_tampered_signature(frozen_time: Any) -> None:
    app = make_app()
    value = flask_cookie(app, "/small")
    flipped = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    with pytest.raises(BadSignature):
        flask_loads(app, flipped)
    assert decode_cookie(flipped, KEY, now=at(T0)).status == "invalid-signature"


@pytest.mark.parametrize("cut", [1, 2, 3, 10, 26])
def test_truncated_signature_is_an_invalid_signature(frozen_time: Any, cut: int) -> None:
    app = make_app()
    value = flask_cookie(app, "/small")[:-cut]
    with pytest.raises(BadSignature):
        flask_loads(app, value)
    decoded = decode_cookie(value, KEY, now=at(T0))
    assert decoded.status == "invalid-signature"
    assert decoded.warnings  # says the signature is malformed or too short


def test_truncated_into_the_payload_is_not_a_cookie(frozen_time: Any) -> None:
    app = make_app()
    value = flask_cookie(app, "/small")
    payload = value.split(".")[0]
    with pytest.raises(CookieInputError):
        decode_cookie(payload[:-3], KEY)


@pytest.mark.parametrize(
    ("age", "status"),
    [(0, "valid"), (DEFAULT_MAX_AGE, "valid"), (DEFAULT_MAX_AGE + 1, "expired"), (-1, "expired")],
)
def test_expiry_boundary_is_flasks(frozen_time: Any, age: int, status: str) -> None:
    app = make_app()
    value = flask_cookie(app, "/small")
    frozen_time(T0 + age)
    flask_accepts = True
    try:
        flask_loads(app, value)
    except BadSignature:
        flask_accepts = False
    decoded = decode_cookie(value, KEY, now=at(T0 + age))
    assert decoded.status == status
    assert (status == "valid") == flask_accepts
    assert decoded.age_seconds == age


def test_custom_lifetime_and_no_max_age(frozen_time: Any) -> None:
    app = make_app()
    app.permanent_session_lifetime = timedelta(seconds=60)
    value = flask_cookie(app, "/small")
    frozen_time(T0 + 61)
    with pytest.raises(BadSignature):
        flask_loads(app, value)
    assert decode_cookie(value, KEY, max_age=60, now=at(T0 + 61)).status == "expired"
    unlimited = decode_cookie(value, KEY, max_age=None, now=at(T0 + 10**8))
    assert unlimited.status == "valid"
    assert unlimited.expires_at is None


def test_unverified_cookie_past_its_age_is_flagged(frozen_time: Any) -> None:
    value = flask_cookie(make_app(), "/small")
    decoded = decode_cookie(value, now=at(T0 + DEFAULT_MAX_AGE + 100))
    assert decoded.status == "unverified"
    assert decoded.expired
    assert any("expired 1 min 40 s ago" in warning for warning in decoded.warnings)


def test_naive_now_is_utc(frozen_time: Any) -> None:
    value = flask_cookie(make_app(), "/small")
    naive = datetime(2023, 11, 14, 22, 13, 30)
    assert decode_cookie(value, KEY, now=naive).age_seconds == 10


def _itsdangerous_cookie(
    data: Any,
    key: str,
    *,
    salt: str = "cookie-session",
    digest: Any = hashlib.sha1,
    key_derivation: str = "hmac",
) -> str:
    serializer = URLSafeTimedSerializer(
        key,
        salt=salt,
        serializer=session_json_serializer,
        signer_kwargs={"key_derivation": key_derivation, "digest_method": digest},
    )
    return serializer.dumps(data)


@pytest.mark.parametrize("key_derivation", ["hmac", "concat", "django-concat", "none"])
@pytest.mark.parametrize("digest", ["sha1", "sha256", "sha512", "md5", "sha3_256"])
def test_signing_options_match_itsdangerous(
    frozen_time: Any, key_derivation: str, digest: str
) -> None:
    def digest_method(data: bytes = b"") -> Any:
        return hashlib.new(digest, data)

    data = {"user": "bob", "when": (1, 2)}
    value = _itsdangerous_cookie(
        data, KEY, salt="my-salt", digest=digest_method, key_derivation=key_derivation
    )
    options = SigningOptions(salt="my-salt", digest=digest, key_derivation=key_derivation)
    signer = Signer(KEY, salt="my-salt", key_derivation=key_derivation, digest_method=digest_method)
    assert derive_key(KEY, options) == signer.derive_key()
    decoded = decode_cookie(
        value,
        KEY,
        salt="my-salt",
        digest=digest,
        key_derivation=key_derivation,
        now=at(T0),
    )
    assert decoded.status == "valid"
    assert decoded.session == data
    signed = sign_cookie(
        data, KEY, salt="my-salt", digest=digest, key_derivation=key_derivation, timestamp=T0
    )
    assert signed == value
    assert decode_cookie(value, KEY, now=at(T0)).status == "invalid-signature"


@pytest.mark.parametrize(
    ("salt", "digest", "key_derivation", "hint"),
    [
        ("cookie-session", hashlib.sha256, "concat", "--digest sha256 --key-derivation concat"),
        ("itsdangerous", hashlib.sha1, "hmac", "--salt itsdangerous"),
        ("cookie-session", hashlib.sha512, "django-concat", "--digest sha512"),
    ],
)
def test_right_key_other_options_gets_a_hint(
    frozen_time: Any, salt: str, digest: Any, key_derivation: str, hint: str
) -> None:
    value = _itsdangerous_cookie(
        {"a": 1}, KEY, salt=salt, digest=digest, key_derivation=key_derivation
    )
    decoded = decode_cookie(value, "wrong", fallback_keys=[KEY], now=at(T0))
    assert decoded.status == "invalid-signature"
    assert any(hint in warning and "a key given" in warning for warning in decoded.warnings)
    assert not any("a key given" in w for w in decode_cookie(value, "wrong", now=at(T0)).warnings)


def test_wrong_digest_gets_a_hint(frozen_time: Any) -> None:
    value = _itsdangerous_cookie({"a": 1}, KEY, digest=hashlib.sha256)
    decoded = decode_cookie(value, KEY, now=at(T0))
    assert decoded.status == "invalid-signature"
    assert any("--digest sha256" in warning for warning in decoded.warnings)


class LegacyTimestampSigner(TimestampSigner):
    """itsdangerous 0.24's clock: seconds since 2011-01-01 (``EPOCH = 1293840000``)."""

    def get_timestamp(self) -> int:
        return T0 - LEGACY_EPOCH


def test_legacy_timestamps(frozen_time: Any) -> None:
    serializer = URLSafeTimedSerializer(
        KEY,
        salt="cookie-session",
        serializer=session_json_serializer,
        signer=LegacyTimestampSigner,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    value = serializer.dumps({"a": 1})
    decoded = decode_cookie(value, KEY, legacy=True, now=at(T0 + 3))
    assert decoded.status == "valid"
    assert decoded.issued_at == at(T0)
    assert decoded.age_seconds == 3
    assert sign_cookie({"a": 1}, KEY, legacy=True, timestamp=T0) == value
    modern = decode_cookie(value, KEY, max_age=None, now=at(T0))
    assert any("--legacy" in warning for warning in modern.warnings)


@pytest.mark.parametrize("path", ["/all-types", "/permanent", "/flash", "/large", "/small"])
def test_sign_cookie_is_byte_for_byte_flasks(frozen_time: Any, path: str) -> None:
    app = make_app()
    value = flask_cookie(app, path)
    loaded = flask_loads(app, value)
    assert sign_cookie(loaded, KEY, timestamp=T0) == value
    assert sign_cookie(loaded, KEY, timestamp=at(T0)) == value


def test_sign_cookie_is_accepted_by_a_real_app(frozen_time: Any) -> None:
    app = make_app()
    data = {
        "user_id": 7,
        "roles": ("admin", "staff"),
        "token": b"\x01\x02",
        "id": uuid.UUID(int=1),
        "seen": datetime(2024, 1, 1, tzinfo=timezone.utc),
        "html": Markup("<b>x</b>"),
    }
    client = app.test_client()
    client.set_cookie("session", sign_cookie(data, KEY, timestamp=T0))
    body = client.get("/read").get_data(as_text=True)
    assert body == repr(sorted(data.items()))


def test_sign_cookie_with_the_wrong_key_is_refused_by_flask(frozen_time: Any) -> None:
    app = make_app()
    client = app.test_client()
    client.set_cookie("session", sign_cookie({"user_id": 7}, "not-the-key", timestamp=T0))
    assert client.get("/read").get_data(as_text=True) == "[]"


def test_sign_cookie_compresses_exactly_when_itsdangerous_does(frozen_time: Any) -> None:
    for size in range(0, 60, 3):
        data = {"k": "ab" * size}
        assert sign_cookie(data, KEY, timestamp=T0) == _itsdangerous_cookie(data, KEY)


def test_sign_cookie_reads_the_clock_only_when_not_given() -> None:
    before = int(datetime.now(timezone.utc).timestamp())
    decoded = decode_cookie(sign_cookie({"a": 1}, KEY), KEY)
    assert before <= decoded.timestamp <= before + 5
    assert decoded.status == "valid"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: sign_cookie({"a": 1}, KEY, digest="nope"), SigningOptionError),
        (lambda: sign_cookie({"a": 1}, KEY, digest="shake_128"), SigningOptionError),
        (lambda: sign_cookie({"a": 1}, KEY, key_derivation="md5"), SigningOptionError),
        (lambda: sign_cookie({"a": object()}, KEY), SigningOptionError),
        (lambda: sign_cookie([1], KEY), SigningOptionError),  # type: ignore[arg-type]
        (lambda: sign_cookie({"a": 1}, KEY, timestamp=-1), SigningOptionError),
        (lambda: sign_cookie({"a": 1}, KEY, legacy=True, timestamp=5), SigningOptionError),
        (lambda: decode_cookie("a.b.c", KEY, max_age=-1), SigningOptionError),
        (lambda: decode_cookie("a.b.c", KEY, fallback_keys="old"), SigningOptionError),
    ],
)
def test_bad_options_are_errors(call: Callable[[], Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        call()


def test_digest_names_are_forgiving(frozen_time: Any) -> None:
    value = _itsdangerous_cookie({"a": 1}, KEY, digest=hashlib.sha256)
    assert decode_cookie(value, KEY, digest="SHA-256", now=at(T0)).status == "valid"


def _raw_cookie(payload: bytes, *, compress: bool = False, timestamp: bytes = b"ZW") -> str:
    body = zlib.compress(payload) if compress else payload
    head = ("." if compress else "") + b64url_encode(body)
    return f"{head}.{timestamp.decode()}.AAAA"


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", MalformedCookieError),
        ("   ", MalformedCookieError),
        ("nodots", MalformedCookieError),
        ("one.dot", MalformedCookieError),
        (".eJw.ZW.sig", PayloadError),  # compressed marker, bad zlib
        ("e*J.ZW.sig", MalformedCookieError),
        ("eyJhIjoxfQ.Z!.sig", MalformedCookieError),
        ("eyJhIjoxfQ.AAAAAAAAAAAAAA.sig", MalformedCookieError),  # timestamp > 64 bits
        ("eyJhIjoxfQ.ZW\u00e9.sig", MalformedCookieError),
        ("..ZW.sig", MalformedCookieError),
        (_raw_cookie(b"not json"), PayloadError),
        (_raw_cookie(b"[1, 2]"), PayloadError),
        (_raw_cookie(b"\xff\xfe"), PayloadError),
        (_raw_cookie(b'{"a": {" u": "bad"}}'), PayloadError),
        (_raw_cookie(b"{}", compress=True).replace(".", ".e", 1), PayloadError),
    ],
)
def test_not_a_cookie(value: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode_cookie(value, KEY)


def test_truncated_zlib_stream() -> None:
    data = zlib.compress(b'{"a": "' + os.urandom(200).hex().encode() + b'"}')
    value = "." + b64url_encode(data[:-10]) + ".ZW.AAAA"
    with pytest.raises(PayloadError, match="truncated"):
        decode_cookie(value)


def test_zlib_bomb_is_stopped_with_bounded_memory() -> None:
    bomb = zlib.compress(b"[" + b" " * (50 * 1024 * 1024) + b"]", 9)
    assert len(bomb) < 100_000
    value = "." + b64url_encode(bomb) + ".ZW.AAAA"
    with pytest.raises(DecompressionLimitError, match="1048576"):
        split_cookie(value)
    with pytest.raises(DecompressionLimitError):
        decode_cookie(value, max_decompressed=1000)


def test_trailing_bytes_after_zlib_are_reported_not_fatal() -> None:
    value = "." + b64url_encode(zlib.compress(b'{"a":1}') + b"junk") + ".ZW.AAAA"
    decoded = decode_cookie(value)
    assert decoded.session == {"a": 1}
    assert any("after the end of the zlib stream" in warning for warning in decoded.warnings)


def test_timestamp_and_empty_signature_forms_itsdangerous_accepts(frozen_time: Any) -> None:
    value = sign_cookie({"a": 1}, KEY, timestamp=T0)
    head, timestamp, _ = value.rsplit(".", 2)
    decoded = decode_cookie(f"{head}.{timestamp}.", KEY, now=at(T0))
    assert decoded.status == "invalid-signature"
    assert decode_cookie(f"{head}..AAAA", max_age=None).timestamp == 0
    assert b64url_encode(int_to_bytes(T0)) == timestamp


def test_size_warnings() -> None:
    rng = random.Random(4096)
    sizes = [
        sign_cookie({"blob": rng.randbytes(n)}, KEY, timestamp=T0) for n in range(2000, 4000, 50)
    ]
    near = next(value for value in sizes if 3600 <= len(value) <= 4093)
    over = next(value for value in sizes if len(value) > 4093)
    assert 3600 <= len(near) <= 4093 < len(over)
    assert any("near the ~4 KB" in warning for warning in decode_cookie(near, KEY).warnings)
    assert any("over the ~4 KB" in warning for warning in decode_cookie(over, KEY).warnings)
    small = decode_cookie(sign_cookie({"a": 1}, KEY), KEY)
    assert not any("4 KB" in warning for warning in small.warnings)


def test_custom_serializer_is_used() -> None:
    class Upper:
        def loads(self, text: str) -> Any:
            return {"text": text.upper()}

        def dumps(self, value: Any) -> str:
            return "payload"

    value = sign_cookie({"x": 1}, KEY, serializer=Upper(), timestamp=T0)
    decoded = decode_cookie(value, KEY, serializer=Upper(), now=at(T0))
    assert decoded.session == {"text": "PAYLOAD"}
    assert decoded.status == "valid"


def test_decoded_cookie_is_frozen(frozen_time: Any) -> None:
    decoded = decode_cookie(flask_cookie(make_app(), "/small"), KEY, now=at(T0))
    with pytest.raises(AttributeError):
        decoded.status = "valid"  # type: ignore[misc]


def test_aware_times_before_year_one_in_utc_are_refused() -> None:
    """datetime.astimezone overflows for them; the API says so instead of leaking it."""
    moment = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    with pytest.raises(SigningOptionError, match="timestamp is out of range"):
        sign_cookie({"a": 1}, KEY, timestamp=moment)
    with pytest.raises(SigningOptionError, match="now is out of range"):
        decode_cookie(sign_cookie({"a": 1}, KEY), KEY, now=moment)


LAST_SECOND = 253402300799  # 9999-12-31T23:59:59Z, datetime's last whole second


@pytest.mark.parametrize("days_before_the_end", [0, 1, 30, 31])
def test_timestamps_near_year_9999_are_judged_not_crashed(
    frozen_time: Any, days_before_the_end: int
) -> None:
    """issued_at + 31 days is past datetime.max: the verdict is still Flask's (signed in the
    future, so expired), expires_at is left empty, and a warning says why."""
    app = make_app()
    frozen_time(LAST_SECOND - days_before_the_end * 86400)
    value = flask_cookie(app, "/small")
    frozen_time(T0)
    with pytest.raises(BadSignature):
        flask_loads(app, value)
    decoded = decode_cookie(value, KEY, now=at(T0))
    assert decoded.status == "expired"
    assert decoded.verified
    assert decoded.issued_at == at(LAST_SECOND - days_before_the_end * 86400)
    if days_before_the_end >= 31:
        assert decoded.expires_at == decoded.issued_at + timedelta(seconds=DEFAULT_MAX_AGE)
    else:
        assert decoded.expires_at is None
        assert any("past the dates Python can represent" in w for w in decoded.warnings)
    assert decode_cookie(value, now=at(T0)).status == "unverified"


@pytest.mark.parametrize("max_age", [3_000_000_000_000, 10**20, 999_999_999_999 * 7 * 86400])
def test_huge_max_age_keeps_a_fresh_cookie_valid(frozen_time: Any, max_age: int) -> None:
    """itsdangerous compares integers, so any max age works there; so it does here."""
    app = make_app()
    value = flask_cookie(app, "/small")
    frozen_time(T0 + 10**9)
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer.loads(value, max_age=max_age) == {"a": 1}
    decoded = decode_cookie(value, KEY, max_age=max_age, now=at(T0 + 10**9))
    assert decoded.status == "valid"
    assert decoded.expires_at is None
    assert decoded.expires_in_seconds == max_age - 10**9


def test_signing_options_keywords_are_the_api_keywords() -> None:
    from dataclasses import asdict

    options = SigningOptions("other-salt", "sha256", "concat", True)
    assert options.keywords() == asdict(options)
    signed = sign_cookie({"a": 1}, "k", timestamp=1_700_000_000, **options.keywords())
    assert decode_cookie(signed, "k", max_age=None, **options.keywords()).status == "valid"
    assert decode_cookie(signed, "k", max_age=None).status == "invalid-signature"
