"""Flask-Session cookies from a real Flask app with a real Redis, read back by flaskscope."""

from __future__ import annotations

import json
import pickle
import time
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask, session
from flask_session import Session
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import Signer

from flaskscope.cookies import sign_cookie
from flaskscope.flaskapp.flask_session import FlaskSessionSettings, flask_session_settings
from flaskscope.sessions.ids import (
    FLASK_SESSION_DEFAULT_KEY_PREFIX,
    IdShape,
    SignatureStatus,
    parse_server_session_cookie,
    sign_session_id,
    verify_session_id,
)
from flaskscope.sessions.kind import NotASessionIdError, server_session_cookie
from flaskscope.sessions.report import inspect_server_session
from flaskscope.sessions.store import connect_redis, fetch_session
from tests.conftest import run_cli, run_json
from tests.peers import flask_cookie
from tests.profiles import examples
from tests.redis_server import RedisServer, free_port, running_redis

SECRET = "flask-session test secret"

# What the view writes. JSON and msgpack both carry these types unchanged.
WRITTEN = {"user": "alice", "roles": ["admin", "dev"], "visits": 3, "ratio": 0.5, "x": None}


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


def make_app(
    server: RedisServer,
    *,
    use_signer: bool,
    serialization_format: str = "msgpack",
    lifetime: timedelta = timedelta(days=31),
    key_prefix: str = FLASK_SESSION_DEFAULT_KEY_PREFIX,
) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=SECRET,
        SESSION_TYPE="redis",
        SESSION_REDIS=redis.Redis(host="127.0.0.1", port=server.port),
        SESSION_USE_SIGNER=use_signer,
        SESSION_SERIALIZATION_FORMAT=serialization_format,
        SESSION_KEY_PREFIX=key_prefix,
        PERMANENT_SESSION_LIFETIME=lifetime,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # use_signer is deprecated
        Session(app)

    @app.route("/login")
    def login() -> str:
        session.update(WRITTEN)
        return "ok"

    @app.route("/whoami")
    def whoami() -> str:
        return str(session.get("user"))

    @app.route("/logout")
    def logout() -> str:
        session.clear()
        return "bye"

    return app


def log_in(app: Flask) -> tuple[Any, str]:
    client = app.test_client()
    assert client.get("/login").status_code == 200
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return client, cookie.value


@pytest.mark.parametrize("serialization_format", ["msgpack", "json"])
@pytest.mark.parametrize("use_signer", [False, True])
def test_cookie_and_stored_session_match_what_the_view_wrote(
    redis_server: RedisServer, use_signer: bool, serialization_format: str
) -> None:
    app = make_app(redis_server, use_signer=use_signer, serialization_format=serialization_format)
    client, value = log_in(app)

    cookie = parse_server_session_cookie(value)
    assert cookie is not None
    assert cookie.kind == "server-side"
    assert cookie.signed is use_signer
    assert cookie.id_shape is IdShape.TOKEN
    if use_signer:
        # The peer: Flask-Session's own signer recovers the same id.
        signer = Signer(SECRET, salt="flask-session", key_derivation="hmac")
        assert signer.unsign(value).decode() == cookie.session_id
    else:
        assert cookie.session_id == value

    stored = fetch_session(
        connect_redis(redis_server.url, timeout=2), cookie.store_key(), store=redis_server.url
    )
    report = inspect_server_session(
        cookie, [SECRET], stored=stored, serialization_format=serialization_format
    )
    assert report.status == "found"
    assert report.ok
    assert report.payload is not None
    assert report.payload.format.value == serialization_format
    assert report.payload.data == {**WRITTEN, "_permanent": True}
    # The peer: what Flask-Session itself decodes from the same bytes.
    assert stored.value is not None
    assert report.payload.data == app.session_interface.serializer.decode(stored.value)
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    assert stored.ttl_seconds is not None
    assert lifetime - 5 <= stored.ttl_seconds <= lifetime
    expected_verification = SignatureStatus.VALID if use_signer else SignatureStatus.UNSIGNED
    assert report.verification.status is expected_verification

    # The app still sees the session (so flaskscope looked at the live one) ...
    assert client.get("/whoami").get_data(as_text=True) == "alice"
    # ... and after logout both agree it is gone.
    client.get("/logout")
    gone = fetch_session(
        connect_redis(redis_server.url, timeout=2), cookie.store_key(), store=redis_server.url
    )
    assert not gone.found
    after = inspect_server_session(cookie, [SECRET], stored=gone)
    assert after.status == "not-found"
    assert not after.ok
    assert any("expired" in note for note in after.warnings)


def test_expired_session_is_reported_gone(redis_server: RedisServer) -> None:
    app = make_app(redis_server, use_signer=False, lifetime=timedelta(seconds=1))
    client, value = log_in(app)
    cookie = parse_server_session_cookie(value)
    assert cookie is not None
    url = redis_server.url
    before = fetch_session(connect_redis(url), cookie.store_key(), store=url)
    assert before.found
    assert before.ttl_seconds == 1
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if not fetch_session(connect_redis(url), cookie.store_key(), store=url).found:
            break
        time.sleep(0.1)
    after = fetch_session(connect_redis(url), cookie.store_key(), store=url)
    assert not after.found
    assert inspect_server_session(cookie, stored=after).status == "not-found"
    # The app agrees: the session is gone, a request sees no user.
    assert client.get("/whoami").get_data(as_text=True) == "None"


def test_key_expired_with_redis_expire(redis_server: RedisServer) -> None:
    app = make_app(redis_server, use_signer=True, serialization_format="json")
    _client, value = log_in(app)
    cookie = parse_server_session_cookie(value)
    assert cookie is not None
    raw = redis.Redis(port=redis_server.port)
    assert raw.pexpire(cookie.store_key(), 1)
    time.sleep(0.05)
    stored = fetch_session(connect_redis(redis_server.url), cookie.store_key(), store="r")
    assert inspect_server_session(cookie, [SECRET], stored=stored).status == "not-found"


def test_custom_key_prefix(redis_server: RedisServer) -> None:
    app = make_app(redis_server, use_signer=False, key_prefix="myapp:sess:")
    _client, value = log_in(app)
    cookie = parse_server_session_cookie(value)
    assert cookie is not None
    client = connect_redis(redis_server.url)
    assert not fetch_session(client, cookie.store_key(), store="r").found
    assert fetch_session(client, cookie.store_key("myapp:sess:"), store="r").found


@pytest.mark.parametrize("use_signer", [False, True])
@pytest.mark.parametrize("serialization_format", ["msgpack", "json"])
def test_settings_read_from_the_app(
    redis_server: RedisServer, use_signer: bool, serialization_format: str
) -> None:
    app = make_app(
        redis_server,
        use_signer=use_signer,
        serialization_format=serialization_format,
        key_prefix="p:",
    )
    found = flask_session_settings(app)
    assert found is not None
    assert found.interface == "RedisSessionInterface"
    assert found.use_signer is use_signer
    assert found.serialization_format == serialization_format
    assert found.key_prefix == "p:"
    assert found.client is app.config["SESSION_REDIS"]
    assert found.keys == (SECRET,)


def test_a_plain_flask_app_has_no_flask_session_settings() -> None:
    app = Flask(__name__)
    app.secret_key = "x"
    assert flask_session_settings(app) is None


def test_signed_id_verification(redis_server: RedisServer) -> None:
    session_id = "abcdefghijklmnopqrstuvwxyz0123456789_-ABCDE"
    value = sign_session_id(session_id, SECRET)
    # The peer: Flask-Session's own signing of an id.
    app = make_app(redis_server, use_signer=True)
    assert value == app.session_interface._sign(app, session_id)
    cookie = parse_server_session_cookie(value)
    assert cookie is not None
    assert verify_session_id(cookie, [SECRET]).status is SignatureStatus.VALID
    assert verify_session_id(cookie, ["wrong"]).status is SignatureStatus.INVALID
    fallback = verify_session_id(cookie, ["new key", SECRET])
    assert fallback.status is SignatureStatus.VALID_FALLBACK_ONLY
    assert fallback.key_index == 1
    assert verify_session_id(cookie, []).status is SignatureStatus.NOT_CHECKED
    report = inspect_server_session(cookie, ["wrong"])
    assert report.status == "invalid-signature"
    assert not report.ok


def test_old_uuid_session_ids() -> None:
    cookie = parse_server_session_cookie("3f2b8c1e-5d4a-4e8b-9c7d-1a2b3c4d5e6f")
    assert cookie is not None
    assert cookie.id_shape is IdShape.UUID


@pytest.mark.parametrize(
    "value",
    [
        "",
        "short",
        "eyJ1c2VyIjoiYWxpY2UifQ.ZmBc2w.Y0GJ7H-vZ4Z2zQ3xS3dQ6qJ1h9E",  # Flask cookie shape
        ".eJyrVkrNTczMUbJSSkrMS0nNUcpJLS5RqgUAVZwHyQ.ZmBc2w.Y0GJ7H-vZ4Z2zQ3xS3dQ6qJ1h9E",
        "has spaces in it not an id",
        "abcdefghijklmnopqrstuvwxyz.short",
    ],
)
def test_values_that_are_not_flask_session_cookies(value: str) -> None:
    assert parse_server_session_cookie(value) is None


def test_real_flask_signed_cookie_is_not_taken_for_a_session_id() -> None:
    cookie = flask_cookie(SECRET, {"user": "alice"})
    assert parse_server_session_cookie(cookie) is None


@settings(max_examples=examples(300))
@given(st.text(max_size=200))
def test_random_text_is_recognised_or_not_without_errors(value: str) -> None:
    cookie = parse_server_session_cookie(value)
    if cookie is not None:
        verify_session_id(cookie, [SECRET])


def test_json_rendering_keeps_types_and_stays_bounded() -> None:
    import datetime
    import json
    import pickle

    from flaskscope.render.server_session import MAX_NODES, to_json
    from flaskscope.sessions.safe_pickle import view_pickle

    moment = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    value = {"b": b"\x00", "t": (1,), "s": {2}, "d": moment, "nan": float("nan"), 1: "int key"}
    shown = to_json(value)
    json.dumps(shown, allow_nan=False)  # strict JSON: no NaN, only plain types
    items = {json.dumps(k): v for k, v in shown["items"]}
    assert shown["$type"] == "dict"
    assert items['"b"'] == {"$type": "bytes", "base64": "AA=="}
    assert items['"t"'] == {"$type": "tuple", "items": [1]}
    assert items['"d"'] == {"$type": "datetime", "iso": "2024-01-02T03:04:05+00:00"}
    assert items['"nan"'] == {"$type": "float", "value": "nan"}
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    assert to_json(view_pickle(pickle.dumps(cyclic)).value) == [{"$type": "cycle"}]
    # 2**40 leaves through shared references: cut off, quickly.
    shared: list[Any] = [1]
    for _ in range(40):
        shared = [shared, shared]
    text = json.dumps(to_json(shared))
    assert "truncated" in text
    assert text.count("1") < MAX_NODES * 2


# --- decode-cookie on the command line -------------------------------------------------


@pytest.mark.parametrize("serialization_format", ["msgpack", "json"])
@pytest.mark.parametrize("use_signer", [False, True])
def test_cli_reads_the_stored_session_and_reports_it_gone_after_logout(
    redis_server: RedisServer, use_signer: bool, serialization_format: str
) -> None:
    app = make_app(redis_server, use_signer=use_signer, serialization_format=serialization_format)
    client, value = log_in(app)
    # name=value form: a token_urlsafe id may start with "-", which Click takes for an option.
    args = ["decode-cookie", f"session={value}", "--store", redis_server.url]
    args += ["--serialization-format", serialization_format]
    if use_signer:
        args += ["-k", SECRET]
    expected_id = app.session_interface._unsign(app, value) if use_signer else value

    document = run_json(*args)
    assert document["kind"] == "server-side"
    assert document["status"] == "found"
    assert document["session_id"] == expected_id
    assert document["signed"] is use_signer
    assert document["signature_status"] == ("valid" if use_signer else "unsigned")
    assert document["store_key"] == "session:" + expected_id
    assert document["payload"] == {**WRITTEN, "_permanent": True}
    assert document["payload_format"] == serialization_format
    assert document["legacy_pickle"] is False
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    assert lifetime - 5 <= document["store_ttl_seconds"] <= lifetime

    # Pasted as a Cookie header, in the human view.
    human = run_cli(*args[:1], f"Cookie: theme=dark; session={value}", *args[2:], "--no-color")
    assert human.exit_code == 0, human.stderr
    assert "found in the store" in human.stdout
    assert human.stdout.splitlines()[0] == "found: found in the store (data below)"
    assert "'alice'" in human.stdout
    # The values as the signed-cookie view shows them: key = value  type.
    assert any(line.endswith("= 'alice'  str") for line in human.stdout.splitlines())
    # One JSON representation of values for both kinds of session: "data".
    assert document["data"] == document["payload"]
    assert "\x1b[" not in human.stdout

    client.get("/logout")
    gone = run_json(*args, code=1)
    assert gone["status"] == "not-found"
    assert gone["found"] is False
    assert gone["payload"] is None
    assert gone["store_ttl_seconds"] is None
    human = run_cli(*args, "--no-color")
    assert human.exit_code == 1
    assert "NOT FOUND" in human.stdout


def test_cli_key_prefix_option(redis_server: RedisServer) -> None:
    app = make_app(redis_server, use_signer=False, key_prefix="shop:")
    _client, value = log_in(app)
    run_json("decode-cookie", f"session={value}", "--store", redis_server.url, code=1)
    document = run_json(
        "decode-cookie", f"session={value}", "--store", redis_server.url, "--key-prefix", "shop:"
    )
    assert document["status"] == "found"
    assert document["store_key"] == "shop:" + value


def test_cli_expired_session(redis_server: RedisServer) -> None:
    app = make_app(redis_server, use_signer=False)
    _client, value = log_in(app)
    assert redis.Redis(port=redis_server.port).expire("session:" + value, 1)
    args = ("decode-cookie", f"session={value}", "--store", redis_server.url)
    assert run_json(*args)["store_ttl_seconds"] == 1
    time.sleep(1.2)
    assert run_json(*args, code=1)["status"] == "not-found"


def test_cli_signed_id_with_wrong_key_exits_1() -> None:
    value = sign_session_id("x" * 43, SECRET)
    document = run_json("decode-cookie", value, "-k", "not the key", code=1)
    assert document["status"] == "invalid-signature"
    assert document["signature_status"] == "invalid"
    fallback = run_json("decode-cookie", value, "-k", "new", "--fallback-key", SECRET, code=1)
    assert fallback["signature_status"] == "valid-fallback-only"
    assert fallback["matched_key"] == "fallback:0"
    unverified = run_json("decode-cookie", value)
    assert unverified["status"] == "unverified"


def test_cli_flask_signed_cookie_is_handled_as_before() -> None:
    cookie = flask_cookie(SECRET, {"user": "alice"})
    result = run_cli("decode-cookie", cookie, "-k", SECRET, "--json", "--store", "redis://x")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["kind"] == "signed-cookie"
    assert document["status"] == "valid"
    assert "--store ignored" in result.stderr
    human = run_cli("decode-cookie", cookie, "-k", SECRET, "--no-color")
    assert human.exit_code == 0
    assert "signed-cookie" in human.stdout
    assert "server-side" not in human.stdout


class _WritesAFile:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.path, "w"))


@pytest.mark.parametrize("protocol", [0, 2, 5])
def test_cli_legacy_pickle_is_shown_and_never_run(
    redis_server: RedisServer, tmp_path: Path, protocol: int
) -> None:
    marker = tmp_path / f"pwned-{protocol}"
    session_id = f"LegacyPickleSessionId{protocol}xxxxxxxxxxxxxxxxxxxxxx"
    stored = pickle.dumps(
        {"_permanent": True, "user": "mallory", "x": _WritesAFile(str(marker))},
        protocol=protocol,
    )
    redis.Redis(port=redis_server.port).set("session:" + session_id, stored, ex=60)

    document = run_json("decode-cookie", session_id, "--store", redis_server.url)
    human = run_cli("decode-cookie", session_id, "--store", redis_server.url, "--no-color")

    assert not marker.exists()
    assert document["status"] == "found"
    assert document["legacy_pickle"] is True
    assert document["payload_format"] == "pickle"
    assert document["pickle"]["would_run_code"] is True
    assert any(name.endswith(".open") for name in document["pickle"]["unsafe_imports"])
    payload_text = json.dumps(document["payload"])
    assert "mallory" in payload_text
    assert str(marker) in payload_text
    assert any("legacy pickle" in note for note in document["warnings"])
    assert human.exit_code == 0
    assert "LEGACY PICKLE" in human.stdout
    assert "REDUCE" in human.stdout
    # The control: Flask-Session 0.8 itself would unpickle it and run the code.
    app = make_app(redis_server, use_signer=False)
    app.session_interface.serializer.decode(stored)
    assert marker.exists()


def test_cli_store_failures_are_one_line_errors(redis_server: RedisServer) -> None:
    value = "y" * 43
    refused = run_cli("decode-cookie", value, "--store", f"redis://127.0.0.1:{free_port()}/0")
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert refused.stderr.startswith("Error: redis://127.0.0.1:")
    assert "Connection refused" in refused.stderr
    assert refused.stderr.count("\n") == 1

    redis_server.pause()
    try:
        started = time.monotonic()
        slow = run_cli("decode-cookie", value, "--store", redis_server.url, "--timeout", "0.3")
        elapsed = time.monotonic() - started
    finally:
        redis_server.resume()
    assert slow.exit_code == 2
    assert "no answer within 0.3 s" in slow.stderr
    assert elapsed < 5  # bounded by the 0.3 s deadline; room for a busy machine

    bad_url = run_cli("decode-cookie", value, "--store", "mysql://localhost/0")
    assert bad_url.exit_code == 2
    assert "must be a Redis URL" in bad_url.stderr


def test_cli_wrong_and_missing_password(tmp_path: Path) -> None:
    with running_redis(tmp_path / "locked", password="s3cret") as locked:
        value = "z" * 43
        wrong = run_cli("decode-cookie", value, "--store", locked.url_with(password="guess"))
        assert wrong.exit_code == 2
        assert "authentication failed" in wrong.stderr
        assert "guess" not in wrong.stderr
        assert "***@" in wrong.stderr
        missing = run_cli("decode-cookie", value, "--store", locked.url_with())
        assert missing.exit_code == 2
        assert "authentication required" in missing.stderr
        right = run_cli("decode-cookie", value, "--store", locked.url, "--json")
        assert right.exit_code == 1  # reachable, and no such session
        assert json.loads(right.stdout)["status"] == "not-found"


def test_cli_undecodable_stored_value(redis_server: RedisServer) -> None:
    session_id = "GarbageValueSessionIdxxxxxxxxxxxxxxxxxxxxxx"
    redis.Redis(port=redis_server.port).set("session:" + session_id, b"\xc1 not a session")
    result = run_cli("decode-cookie", session_id, "--store", redis_server.url)
    assert result.exit_code == 2
    assert "neither msgpack, JSON nor a pickle" in result.stderr


def test_command_defaults_match_the_cores() -> None:
    from flaskscope.commands import server_session as glue
    from flaskscope.sessions.payload import DEFAULT_SERIALIZATION_FORMAT, SERIALIZATION_FORMATS
    from flaskscope.sessions.store import DEFAULT_TIMEOUT, MAX_TIMEOUT

    assert glue.DEFAULT_TIMEOUT == DEFAULT_TIMEOUT
    assert glue.MAX_TIMEOUT == MAX_TIMEOUT
    assert glue.DEFAULT_KEY_PREFIX == FLASK_SESSION_DEFAULT_KEY_PREFIX
    assert glue.DEFAULT_SERIALIZATION_FORMAT == DEFAULT_SERIALIZATION_FORMAT
    assert glue.SERIALIZATION_FORMATS == SERIALIZATION_FORMATS


# --- --app: store, prefix, signer and serializer from the app's Flask-Session config ---

FLASK_SESSION_APP = """
import os
import warnings

import redis
from flask import Flask, session
from flask_session import Session

app = Flask(__name__)
app.config.update(
    SECRET_KEY="app secret",
    SESSION_TYPE="redis",
    SESSION_REDIS=redis.Redis(host="127.0.0.1", port=int(os.environ["FS_TEST_REDIS_PORT"])),
    SESSION_KEY_PREFIX="appsess:",
    SESSION_USE_SIGNER=os.environ.get("FS_TEST_SIGNER") == "1",
    SESSION_SERIALIZATION_FORMAT=os.environ.get("FS_TEST_FORMAT", "msgpack"),
    SESSION_COOKIE_NAME="sid",
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    Session(app)


@app.route("/login")
def login():
    session["user"] = "grace"
    session["cart"] = [1, 2]
    return "ok"
"""


@pytest.mark.usefixtures("sample_apps")
@pytest.mark.parametrize(("use_signer", "fmt"), [(False, "msgpack"), (True, "json")])
def test_cli_app_supplies_store_prefix_signer_and_format(
    redis_server: RedisServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    use_signer: bool,
    fmt: str,
) -> None:
    module = f"fs_redis_app_{int(use_signer)}_{fmt}"
    (tmp_path / f"{module}.py").write_text(FLASK_SESSION_APP)
    monkeypatch.setenv("FS_TEST_REDIS_PORT", str(redis_server.port))
    monkeypatch.setenv("FS_TEST_SIGNER", "1" if use_signer else "0")
    monkeypatch.setenv("FS_TEST_FORMAT", fmt)
    from flask.cli import ScriptInfo

    monkeypatch.syspath_prepend(str(tmp_path))
    app = ScriptInfo(module, set_debug_flag=False).load_app()  # the test's own copy of the app
    client = app.test_client()
    client.get("/login")
    cookie = client.get_cookie("sid")
    assert cookie is not None
    app_args = ["--app-dir", str(tmp_path), "--app", module]

    # No --store, no key, no prefix: all from the app. The cookie pasted as a header.
    document = run_json("decode-cookie", f"Cookie: sid={cookie.value}", *app_args)
    assert document["status"] == "found"
    assert document["key_prefix"] == "appsess:"
    assert document["signature_status"] == ("valid" if use_signer else "unsigned")
    assert document["payload_format"] == fmt
    assert document["payload"] == {"user": "grace", "cart": [1, 2], "_permanent": True}
    assert document["store"] == f"redis://127.0.0.1:{redis_server.port}/0"

    # Options still override the app: another prefix finds nothing.
    other = run_json(
        "decode-cookie", f"sid={cookie.value}", *app_args, "--key-prefix", "x:", code=1
    )
    assert other["status"] == "not-found"
    # A forged signature (or a bare id where the app signs) is refused as the app would.
    forged = cookie.value + "x" if use_signer else cookie.value
    if use_signer:
        assert run_json("decode-cookie", f"sid={forged}", *app_args, code=1)["status"] == (
            "invalid-signature"
        )
    # A Flask signed cookie given to a Flask-Session app is an input error, one line.
    plain = run_cli("decode-cookie", "eyJhIjoxfQ.ZmBc2w.Y0GJ7H-vZ4Z2zQ3xS3dQ6qJ1h9E", *app_args)
    assert plain.exit_code == 2
    assert "Flask-Session" in plain.stderr
    assert plain.stderr.count("\n") == 1

    # The same through Flask's own CLI: `flask --app PATH scope decode-cookie`.
    from click.testing import CliRunner
    from flask.cli import FlaskGroup

    under_flask = CliRunner().invoke(
        FlaskGroup(),
        [
            "--app",
            str(tmp_path / f"{module}.py"),
            "scope",
            "decode-cookie",
            f"sid={cookie.value}",
            "--json",
        ],
        catch_exceptions=False,
    )
    assert under_flask.exit_code == 0, under_flask.stderr
    assert json.loads(under_flask.stdout)["payload"] == document["payload"]


def test_cli_ids_that_start_with_a_dash() -> None:
    session_id = "-" + "a" * 42  # token_urlsafe gives this about once in 64 ids
    as_pair = run_json("decode-cookie", f"session={session_id}")
    assert as_pair["session_id"] == session_id
    after_separator = run_cli("decode-cookie", "--no-color", "--", session_id)
    assert after_separator.exit_code == 0, after_separator.stderr
    assert session_id in after_separator.stdout


@settings(max_examples=examples(200))
@given(st.binary(max_size=300))
def test_any_decodable_stored_value_renders_in_both_views(data: bytes) -> None:
    import io

    from rich.console import Console

    from flaskscope.errors import FlaskscopeError
    from flaskscope.render.server_session import render_server_session, server_session_json
    from flaskscope.sessions.store import StoredSession

    cookie = parse_server_session_cookie("A" * 43)
    assert cookie is not None
    stored = StoredSession("redis://h:1/0", cookie.store_key(), "string", data, 10)
    try:
        report = inspect_server_session(cookie, stored=stored)
    except FlaskscopeError:
        return
    json.dumps(server_session_json(report), allow_nan=False)
    render_server_session(report, Console(file=io.StringIO(), width=100))


def test_long_strings_are_cut_in_the_human_view_only() -> None:
    import io

    from rich.console import Console

    from flaskscope.render.server_session import render_server_session, server_session_json
    from flaskscope.sessions.payload import decode_stored_payload
    from flaskscope.sessions.store import StoredSession

    long_text = "x" * 100_000
    data = pickle.dumps({"blob": long_text}, protocol=4)
    assert decode_stored_payload(data).data == {"blob": long_text}
    cookie = parse_server_session_cookie("B" * 43)
    assert cookie is not None
    report = inspect_server_session(
        cookie, stored=StoredSession("r", cookie.store_key(), "string", data, 5)
    )
    out = io.StringIO()
    render_server_session(report, Console(file=out, width=100))
    assert "100000 characters" in out.getvalue()
    assert len(out.getvalue()) < 10_000
    assert server_session_json(report)["payload"] == {"blob": long_text}


def test_short_session_id_length(redis_server: RedisServer) -> None:
    app = make_app(redis_server, use_signer=False)
    app.session_interface.sid_length = 12  # SESSION_ID_LENGTH = 12 -> 16 characters
    _client, value = log_in(app)
    assert len(value) == 16
    document = run_json("decode-cookie", f"session={value}", "--store", redis_server.url)
    assert document["status"] == "found"
    assert document["payload"] == {**WRITTEN, "_permanent": True}


def test_shorter_ids_only_with_an_app_that_uses_flask_session() -> None:
    short = "abcdefgh"  # SESSION_ID_LENGTH = 6
    assert parse_server_session_cookie(short) is None
    recognised = parse_server_session_cookie(short, min_id_length=1)
    assert recognised is not None
    assert recognised.session_id == short


@settings(max_examples=examples(300))
@given(
    st.text(alphabet='ab-_." 0Z', max_size=40)
    | st.from_regex(r"[A-Za-z0-9_-]{16,50}(\.[A-Za-z0-9_-]{27})?", fullmatch=True)
)
def test_cookie_kind_without_an_app_is_the_session_id_shape(value: str) -> None:
    """The quick turn-away of Flask's own cookies never changes what the shape check says."""
    assert server_session_cookie(value) == parse_server_session_cookie(value)


def test_cookie_kind_with_an_app() -> None:
    settings = FlaskSessionSettings(
        interface="RedisSessionInterface",
        cookie_name="session",
        key_prefix="session:",
        use_signer=False,
        serialization_format="msgpack",
    )
    flask_cookie_value = sign_cookie({"a": 1}, SECRET)
    assert server_session_cookie("short", app_loaded=True, interface=settings.interface) is not None
    assert server_session_cookie("A" * 43, app_loaded=True, interface=None) is None
    with pytest.raises(NotASessionIdError, match="RedisSessionInterface"):
        server_session_cookie(flask_cookie_value, app_loaded=True, interface=settings.interface)


@pytest.mark.parametrize("timeout", ["1e308", "86401", "0", "-1", "inf", "nan"])
def test_cli_timeout_out_of_range_is_a_usage_error(timeout: str) -> None:
    """1e308 used to reach the socket module (OverflowError: timestamp out of range)."""
    result = run_cli(
        "decode-cookie",
        "y" * 43,
        "--store",
        f"redis://127.0.0.1:{free_port()}/0",
        "--timeout",
        timeout,
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("Error:")
    assert "--timeout" in result.stderr
    assert result.stderr.count("\n") == 1


OTHER_STORE_APP = """
import os
import warnings

from cachelib import SimpleCache
from flask import Flask, session
from flask_session import Session

app = Flask(__name__)
app.config.update(SECRET_KEY="app secret", SESSION_TYPE=os.environ["FS_TEST_TYPE"])
if app.config["SESSION_TYPE"] == "memcached":
    app.config["SESSION_MEMCACHED"] = SimpleCache()  # get/set/delete: a client Flask-Session takes
elif app.config["SESSION_TYPE"] == "cachelib":
    app.config["SESSION_CACHELIB"] = SimpleCache()
else:
    app.config["SESSION_FILE_DIR"] = os.environ["FS_TEST_DIR"]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    Session(app)


@app.route("/login")
def login():
    session["user"] = "grace"
    return "ok"
"""


@pytest.mark.usefixtures("sample_apps")
@pytest.mark.parametrize(
    ("session_type", "interface"),
    [
        ("memcached", "MemcachedSessionInterface"),  # its `client` is not a Redis client
        ("cachelib", "CacheLibSessionInterface"),
        ("filesystem", "FileSystemSessionInterface"),
    ],
)
def test_cli_app_with_another_session_type_shows_the_id_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session_type: str, interface: str
) -> None:
    module = f"fs_other_store_{session_type}"
    (tmp_path / f"{module}.py").write_text(OTHER_STORE_APP)
    monkeypatch.setenv("FS_TEST_TYPE", session_type)
    monkeypatch.setenv("FS_TEST_DIR", str(tmp_path / "sessions"))
    from flask.cli import ScriptInfo

    monkeypatch.syspath_prepend(str(tmp_path))
    app = ScriptInfo(module, set_debug_flag=False).load_app()
    assert flask_session_settings(app) is not None
    assert flask_session_settings(app).client is None  # type: ignore[union-attr]
    client = app.test_client()
    client.get("/login")
    cookie = client.get_cookie("session")
    assert cookie is not None
    # name=value: a token_urlsafe id starts with "-" about once in 64 (Click takes it for an
    # option); the flaky failures of this test were exactly those ids.
    given = f"session={cookie.value}"
    result = run_cli("decode-cookie", given, "--app-dir", str(tmp_path), "--app", module)
    assert result.exit_code == 0, result.stderr
    document = run_json("decode-cookie", given, "--app-dir", str(tmp_path), "--app", module)
    assert document["status"] == "id-only"
    assert document["session_id"] == cookie.value
    assert any(
        f"the app keeps sessions with {interface}; flaskscope reads Redis stores only" in warning
        for warning in document["warnings"]
    )
