"""``doctor`` on real app configurations: each finding where it should be, none on the
correct app; the risky ones shown real (a pickle Flask-Session would load, a WebSocket
handshake from a foreign origin accepted over loopback)."""

from __future__ import annotations

import pickle
import threading
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
import redis
from flask import Flask

from flaskscope.appinspect.doctor import diagnose, key_strength_bytes
from flaskscope.appinspect.findings import RULES, SEVERITIES
from flaskscope.audit.wordlists import file_source
from tests.redis_server import RedisServer, running_redis

pytestmark = pytest.mark.usefixtures("sample_apps")


def apps() -> Any:
    import doctor_apps

    return doctor_apps


def ids(app: Flask, **kwargs: Any) -> set[str]:
    return {finding.id for finding in diagnose(app, **kwargs).findings}


def test_the_correct_app_has_no_finding() -> None:
    assert ids(apps().good()) == set()


def test_weak_app_findings() -> None:
    report = diagnose(apps().weak())
    assert {f.id for f in report.findings} == {
        "secret-key-weak",
        "secret-key-fallbacks-present",
        "cookie-not-secure",
        "cookie-not-httponly",
        "samesite-unset",
        "lifetime-very-long",
        "refresh-each-request-off",
    }
    weak = next(f for f in report.findings if f.id == "secret-key-weak")
    assert weak.where == "SECRET_KEY"
    assert "built-in" in weak.what
    assert [f.severity for f in report.findings] == sorted(
        (f.severity for f in report.findings), key=SEVERITIES.index
    )
    assert report.app_file is not None
    assert report.app_file.endswith("doctor_apps.py")
    assert weak.line is not None


def test_short_key_and_samesite_none_without_secure() -> None:
    assert ids(apps().short_key()) == {
        "secret-key-short",
        "samesite-none-without-secure",
        "cookie-not-secure",
    }


def test_a_key_in_a_given_wordlist(tmp_path: Any) -> None:
    key = "Zq8#mP2$kL9!-but-longer-and-longer-and-longer"
    assert "secret-key-weak" not in ids(apps().short_key(key))
    wordlist = tmp_path / "words.txt"
    wordlist.write_text("password\n" + key + "\nletmein\n")
    found = ids(apps().short_key(key), wordlists=[file_source(str(wordlist))])
    assert "secret-key-weak" in found


def test_missing_key() -> None:
    assert ids(apps().no_key()) == {"secret-key-missing"}


@pytest.mark.parametrize(
    ("key", "short"),
    [
        ("a" * 47, True),  # 47 hex chars: 23.5 bytes
        ("a" * 48, False),
        ("correct horse", True),
        (bytes(range(24)), False),
        (bytes(range(23)), True),
    ],
)
def test_key_strength(key: str | bytes, short: bool) -> None:
    assert (key_strength_bytes(key) < 24) == short


def test_flask_session_signer_and_open_redis() -> None:
    with pytest.warns(DeprecationWarning, match="use_signer"):  # Flask-Session agrees
        app = apps().flask_session("redis://10.1.2.3:6379/0", SESSION_USE_SIGNER=True)
    assert ids(app) == {"flask-session-signer-deprecated", "redis-no-password-non-loopback"}
    assert ids(apps().flask_session("redis://:secret@10.1.2.3:6379/0")) == set()
    assert ids(apps().flask_session("redis://127.0.0.1:6379/0")) == set()


def test_flask_session_without_a_key_is_only_info() -> None:
    app = apps().flask_session()
    app.secret_key = None
    report = diagnose(app)
    assert [(f.id, f.severity) for f in report.findings] == [("secret-key-missing", "info")]


def test_pickle_serializer() -> None:
    assert ids(apps().flask_session_pickle()) == {"flask-session-pickle-serializer"}


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with running_redis(tmp_path_factory.mktemp("redis-doctor")) as server:
        yield server


def test_legacy_pickles_in_a_real_store_that_flask_session_would_load(
    redis_server: RedisServer,
) -> None:
    client = redis.Redis.from_url(redis_server.url)
    client.flushdb()
    client.set("session:legacy", pickle.dumps({"user": "ada"}))
    client.set("session:modern", msgspec.msgpack.encode({"user": "bob"}))
    client.set("other:pickle", pickle.dumps([1]))
    for index in range(30):
        client.set(f"session:m{index}", msgspec.msgpack.encode({"n": index}))
    app = apps().flask_session(redis_server.url)
    # Flask-Session itself would read the pickle with pickle.loads (the risk is real):
    assert app.session_interface.serializer.decode(client.get("session:legacy")) == {"user": "ada"}
    report = diagnose(app, store_client=client)
    assert report.store_scanned == 32
    legacy = [f for f in report.findings if f.id == "flask-session-legacy-pickles-in-store"]
    assert len(legacy) == 1
    assert "1 of 32" in legacy[0].what
    assert "session:legacy" in legacy[0].what
    bounded = diagnose(app, store_client=client, scan_limit=5)
    assert bounded.store_scanned == 5
    client.delete("session:legacy")
    assert "flask-session-legacy-pickles-in-store" not in ids(app, store_client=client)


def test_socketio_any_origin() -> None:
    assert ids(apps().socketio("*")) == {"websocket-cors-any-origin"}
    assert ids(apps().socketio(["https://example.com"])) == set()


def test_socketio_without_a_buffer_limit() -> None:
    from flask_socketio import SocketIO

    app = apps().good()
    SocketIO(app, max_http_buffer_size=1 << 31)
    assert ids(app) == {"websocket-no-max-message-size"}


def test_the_docs_list_every_rule_with_its_severity() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "trace-doctor.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"| `{rule.id}` | {rule.severity} |" in doc


def _serve(app: Flask) -> tuple[Any, int]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_port


def _handshake_accepted(port: int, origin: str) -> bool:
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    try:
        with connect(f"ws://127.0.0.1:{port}/echo", origin=origin, open_timeout=5) as ws:  # type: ignore[arg-type]
            ws.send("hi")
            return ws.recv(timeout=5) == "hi"
    except InvalidStatus:
        return False


@pytest.mark.parametrize("check_origin", [False, True])
def test_flask_sock_origin_check_against_a_real_cross_site_handshake(check_origin: bool) -> None:
    app = apps().sock(check_origin=check_origin, max_size=1 << 20)
    found = ids(app)
    assert ("websocket-origin-not-checked" in found) == (not check_origin)
    assert "websocket-no-max-message-size" not in found
    server, port = _serve(app)
    try:
        assert _handshake_accepted(port, "https://evil.example") == (not check_origin)
        assert _handshake_accepted(port, f"http://127.0.0.1:{port}")
    finally:
        server.shutdown()


def test_flask_sock_without_a_message_size_limit() -> None:
    found = ids(apps().sock(check_origin=True, max_size=None))
    assert found == {"websocket-no-max-message-size"}


def test_every_rule_is_documented_with_why_and_fix() -> None:
    for rule in RULES.values():
        assert rule.severity in SEVERITIES
        assert rule.why
        assert rule.fix
        assert rule.title
