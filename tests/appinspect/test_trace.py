"""``trace`` against real apps: what it records is checked with what the app really did
(its own call log, the next request's session, the test client's cookies, a browser-like
cookie jar from the standard library, and a real Redis's keys)."""

from __future__ import annotations

import http.cookiejar
import importlib
import json
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask

from flaskscope.appinspect.model import RequestSpec, Trace
from flaskscope.appinspect.trace import TraceInputError, trace_requests
from tests.redis_server import RedisServer, running_redis

pytestmark = pytest.mark.usefixtures("sample_apps")


def app_from(module: str, factory: str | None = None, **config: Any) -> Flask:
    loaded = importlib.import_module(module)
    app: Flask = getattr(loaded, factory)(**config) if factory else loaded.app
    return app


def names(trace: Trace, kind: str) -> list[str]:
    return [event.name for event in trace.events if event.kind == kind]


def mistake_ids(trace: Trace) -> list[str]:
    return [mistake.id for mistake in trace.mistakes]


def only(trace: Trace, kind: str, name: str, request: int | None = None) -> Any:
    pool = trace.events if request is None else trace.requests[request].events
    found = [event for event in pool if event.kind == kind and event.name == name]
    assert len(found) == 1, found
    return found[0]


def test_mutable_value_changed_in_place_is_caught_and_really_lost() -> None:
    app = app_from("trace_cart_app")
    trace = trace_requests(
        app,
        [
            RequestSpec("POST", "/login"),
            RequestSpec("GET", "/shop/add"),
            RequestSpec("GET", "/shop/cart"),
        ],
    )
    assert mistake_ids(trace) == ["mutated-without-modified"]
    mistake = trace.mistakes[0]
    assert mistake.seq in {event.seq for event in trace.requests[1].events}
    assert "cart" in mistake.message
    assert only(trace, "save", "skipped", request=1).detail["changes"]["changed"] == {
        "cart": "['apple']"
    }
    # Proof from the app itself: the next request's session has the old, empty cart ...
    assert trace.requests[2].status == 200
    client = app.test_client()
    client.post("/login")
    client.get("/shop/add")
    assert client.get("/shop/cart").get_json() == []
    # ... and the cookie the browser holds did not change after /add.
    assert trace.requests[0].cookies_after == trace.requests[1].cookies_after


def test_the_fixed_route_is_saved_and_gives_no_mistake() -> None:
    app = app_from("trace_cart_app")
    trace = trace_requests(
        app,
        [
            RequestSpec("POST", "/login"),
            RequestSpec("GET", "/shop/add-fixed"),
            RequestSpec("GET", "/shop/cart"),
        ],
    )
    assert mistake_ids(trace) == []
    assert only(trace, "save", "saved", request=1).detail["reason"] == "session.modified is true"
    assert trace.requests[0].cookies_after != trace.requests[1].cookies_after
    incoming = only(trace, "cookie", "incoming session cookie", request=2).detail
    assert incoming["status"] == "valid"
    assert incoming["session"]["cart"] == "['pear']"


def test_hooks_signals_and_contexts_are_in_the_order_flask_ran_them() -> None:
    module = importlib.import_module("trace_cart_app")
    module.CALLS.clear()
    trace = trace_requests(module.app, [RequestSpec("GET", "/shop/cart")])
    real = module.CALLS
    assert real == [
        "before:app.load_user",
        "before:shop.shop_before",
        "view:cart",
        "after:shop.shop_after",
        "after:app.stamp",
        "teardown:app.close_db",
    ]
    before = only(trace, "hook", "before_request").detail["functions"]
    assert [name.rsplit(".", 1)[-1] for name in before] == ["load_user", "shop_before"]
    after = only(trace, "hook", "after_request").detail["functions"]
    assert [name.rsplit(".", 1)[-1] for name in after] == ["shop_after", "stamp"]
    order = [(event.kind, event.name) for event in trace.events]
    expected = [
        ("context", "app context pushed"),
        ("signal", "appcontext_pushed"),
        ("context", "request context pushed"),
        ("cookie", "incoming session cookie"),
        ("session", "session opened"),
        ("signal", "request_started"),
        ("view", "routing"),
        ("hook", "before_request"),
        ("view", "view called"),
        ("view", "view returned"),
        ("hook", "after_request"),
        ("save", "skipped"),
        ("signal", "request_finished"),
        ("hook", "teardown_request"),
        ("signal", "request_tearing_down"),
        ("context", "request context popped"),
        ("signal", "appcontext_tearing_down"),
        ("signal", "appcontext_popped"),
        ("context", "app context popped"),
    ]
    assert [pair for pair in order if pair in expected] == expected
    assert [event.seq for event in trace.events] == list(range(1, len(trace.events) + 1))


def test_a_before_request_that_answers_skips_the_view() -> None:
    module = importlib.import_module("trace_cart_app")
    module.CALLS.clear()
    trace = trace_requests(module.app, [RequestSpec("GET", "/admin/panel")])
    assert module.CALLS == [
        "before:app.load_user",
        "before:admin.admins_only",
        "after:app.stamp",
        "teardown:app.close_db",
    ]
    assert trace.requests[0].status == 403
    assert names(trace, "view") == ["routing"]
    skipped = only(trace, "hook", "before_request returned a response").detail
    assert skipped["status"] == 403


def test_the_app_is_left_exactly_as_it_was() -> None:
    from flask import signals

    app = app_from("trace_cart_app")
    interface = app.session_interface
    hooks = {
        name: {key: list(value) for key, value in getattr(app, name).items()}
        for name in ("before_request_funcs", "after_request_funcs", "teardown_request_funcs")
    }
    receivers = {
        name: len(getattr(signals, name).receivers)
        for name in ("request_started", "template_rendered")
    }
    trace_requests(app, [RequestSpec("GET", "/hello"), RequestSpec("GET", "/boom")])
    assert app.session_interface is interface
    for name, before in hooks.items():
        assert {key: list(value) for key, value in getattr(app, name).items()} == before
    assert {name: len(getattr(signals, name).receivers) for name in receivers} == receivers


def test_templates_flashes_and_exceptions_are_signals_in_the_timeline() -> None:
    app = app_from("trace_cart_app")
    trace = trace_requests(app, [RequestSpec("GET", "/hello"), RequestSpec("GET", "/boom")])
    first = [event.name for event in trace.requests[0].events if event.kind == "signal"]
    assert first.index("message_flashed") < first.index("template_rendered")
    assert only(trace, "signal", "message_flashed").detail["message"] == "'welcome'"
    assert trace.requests[1].status == 500
    assert "the view failed" in only(trace, "signal", "got_request_exception").detail["exception"]


def test_bad_signature_cookie_gives_an_empty_session() -> None:
    app = app_from("trace_cart_app")
    other = Flask("other")
    other.secret_key = "not-the-apps-key"
    with other.test_request_context():
        from flask import session

        session["cart"] = ["stolen"]
        forged = other.session_interface.get_signing_serializer(other).dumps(dict(session))
    trace = trace_requests(app, [RequestSpec("GET", "/shop/cart")], cookies=[("session", forged)])
    incoming = only(trace, "cookie", "incoming session cookie").detail
    assert incoming["status"] == "invalid-signature"
    assert "silently starts an empty session" in incoming["meaning"]
    assert mistake_ids(trace) == ["cookie-rejected"]
    assert (
        app.test_client().get("/shop/cart", headers={"Cookie": f"session={forged}"}).get_json()
        == []
    )


def test_no_secret_key_is_a_null_session() -> None:
    trace = trace_requests(app_from("trace_nokey_app"), [RequestSpec("GET", "/")])
    assert mistake_ids(trace) == ["session-unusable"]
    assert only(trace, "session", "session opened").detail["null"] is True


def _browser_accepts(url: str, header: str) -> bool:
    """The standard library's cookie jar (RFC 2965/Netscape rules) as a second browser."""
    jar = http.cookiejar.CookieJar()
    request = urllib.request.Request(url)

    class _Response:
        def info(self) -> Message:
            message = Message()
            message["Set-Cookie"] = header
            return message

    jar.extract_cookies(_Response(), request)  # type: ignore[arg-type]
    return len(jar) == 1


def _set_cookie_header(app: Flask, path: str, base_url: str) -> str:
    response = app.test_client().get(path, base_url=base_url)
    return str(response.headers["Set-Cookie"])


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [("http://localhost", ["cookie-domain-mismatch"]), ("http://www.example.com", [])],
)
def test_cookie_domain_that_does_not_match_the_host(base_url: str, expected: list[str]) -> None:
    app = app_from("trace_cookie_mistakes_app", "create_app", SESSION_COOKIE_DOMAIN="example.com")
    trace = trace_requests(app, [RequestSpec("GET", "/login")], base_url=base_url)
    assert mistake_ids(trace) == expected
    header = _set_cookie_header(app, "/login", base_url)
    assert _browser_accepts(f"{base_url}/login", header) == (not expected)


def test_server_name_that_is_not_the_request_host() -> None:
    app = app_from("trace_cookie_mistakes_app", "create_app", SERVER_NAME="example.com")
    trace = trace_requests(app, [RequestSpec("GET", "/login")], base_url="http://example.com")
    assert mistake_ids(trace) == []
    trace = trace_requests(app, [RequestSpec("GET", "/login")], base_url="http://app.internal")
    assert "server-name-mismatch" in mistake_ids(trace)


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [("http://shop.example", ["secure-cookie-over-http"]), ("https://shop.example", [])],
)
def test_secure_cookie_on_plain_http(base_url: str, expected: list[str]) -> None:
    app = app_from("trace_cookie_mistakes_app", "create_app", SESSION_COOKIE_SECURE=True)
    trace = trace_requests(
        app, [RequestSpec("GET", "/login"), RequestSpec("GET", "/seen")], base_url=base_url
    )
    assert mistake_ids(trace) == expected
    assert only(trace, "set-cookie", "session").detail["secure"] is True
    # The standard library's jar stores it but, like a browser, never sends it over http.
    jar = http.cookiejar.CookieJar()
    request = urllib.request.Request(f"{base_url}/login")

    class _Response:
        def info(self) -> Message:
            message = Message()
            message["Set-Cookie"] = _set_cookie_header(app, "/login", base_url)
            return message

    jar.extract_cookies(_Response(), request)  # type: ignore[arg-type]
    follow = urllib.request.Request(f"{base_url}/seen")
    jar.add_cookie_header(follow)
    assert follow.has_header("Cookie") == (not expected)


def test_cookie_over_the_browser_limit() -> None:
    app = app_from("trace_cookie_mistakes_app", "create_app")
    trace = trace_requests(app, [RequestSpec("GET", "/big")])
    assert mistake_ids(trace) == ["cookie-too-large"]
    # Werkzeug itself warns about the same header, at its place in the timeline.
    warned = [event for event in trace.events if event.kind == "warning"]
    assert len(warned) == 1
    assert "too large" in warned[0].detail["message"]
    with pytest.warns(UserWarning, match="too large"):
        header = _set_cookie_header(app, "/big", "http://localhost")
    assert only(trace, "set-cookie", "session").detail["header_size"] == len(header) > 4093


def test_cookie_near_the_browser_limit_is_a_note_not_a_mistake() -> None:
    app = app_from("trace_cookie_mistakes_app", "create_app")
    trace = trace_requests(app, [RequestSpec("GET", "/nearly-big")])
    assert mistake_ids(trace) == []
    near = only(trace, "cookie", "near the browser size limit").detail
    assert 3600 < near["size"] <= 4093
    assert near["size"] == len(_set_cookie_header(app, "/nearly-big", "http://localhost"))


def test_session_set_in_a_streamed_body_is_named_and_really_lost() -> None:
    app = app_from("trace_cookie_mistakes_app", "create_app")
    trace = trace_requests(
        app,
        [RequestSpec("GET", "/login"), RequestSpec("GET", "/stream"), RequestSpec("GET", "/seen")],
    )
    assert mistake_ids(trace) == ["session-set-after-headers"]
    assert "streamed" in trace.mistakes[0].message
    view = only(trace, "view", "view returned", request=1).detail
    assert view["streamed"] is True
    # The next request's session (through the trace's own client) has no "streamed" key.
    incoming = only(trace, "cookie", "incoming session cookie", request=2).detail
    assert "streamed" not in incoming["session"]


def test_session_in_a_generator_without_stream_with_context() -> None:
    app = app_from("trace_cookie_mistakes_app", "create_app")
    trace = trace_requests(app, [RequestSpec("GET", "/stream-bare")])
    failed = only(trace, "response", "exception while streaming").detail
    assert "RuntimeError" in failed["exception"]
    assert "stream_with_context" in failed["hint"]
    with pytest.raises(RuntimeError, match="request context"):
        app.test_client().get("/stream-bare").get_data()


def test_emptied_session_deletes_the_cookie() -> None:
    app = app_from("trace_cookie_mistakes_app", "create_app")
    trace = trace_requests(app, [RequestSpec("GET", "/login"), RequestSpec("GET", "/logout")])
    assert only(trace, "save", "deleted").detail["modified"] is True
    deleting = [event for event in trace.requests[1].events if event.kind == "set-cookie"]
    assert deleting[0].detail["deletes"] is True
    assert "session" not in trace.requests[1].cookies_after


def test_good_app_has_no_mistake_and_refreshes_its_permanent_session() -> None:
    app = app_from("trace_good_app")
    trace = trace_requests(
        app,
        [
            RequestSpec("POST", "/login"),
            RequestSpec("POST", "/add"),
            RequestSpec("GET", "/profile"),
        ],
        base_url="https://localhost",
    )
    assert mistake_ids(trace) == []
    assert names(trace, "save") == ["saved", "saved", "refreshed"]
    assert (
        only(trace, "cookie", "incoming session cookie", request=2).detail["session"]["cart"]
        == "['apple']"
    )


def test_form_and_json_bodies_reach_the_view() -> None:
    app = Flask("bodies")
    app.secret_key = "bodies-secret"
    seen: list[Any] = []

    @app.post("/form")
    def form() -> str:
        from flask import request

        seen.append(request.form.getlist("tag"))
        return "ok"

    @app.post("/json")
    def json_view() -> str:
        from flask import request

        seen.append(request.get_json())
        return "ok"

    trace_requests(
        app,
        [
            RequestSpec("POST", "/form", form=(("tag", "a"), ("tag", "b"))),
            RequestSpec("POST", "/json", json_body={"x": [1]}, has_json_body=True),
        ],
    )
    assert seen == [["a", "b"], {"x": [1]}]


def test_bad_input_is_a_trace_input_error() -> None:
    app = app_from("trace_good_app")
    with pytest.raises(TraceInputError):
        trace_requests(app, [])
    with pytest.raises(TraceInputError):
        trace_requests(app, [RequestSpec("GET", "/")], base_url="ftp://x")


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with running_redis(tmp_path_factory.mktemp("redis-trace")) as server:
        yield server


def test_flask_session_store_reads_and_writes_match_the_real_redis(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACE_REDIS_URL", redis_server.url)
    app = importlib.import_module("trace_redis_app").create_app()
    trace = trace_requests(
        app,
        [
            RequestSpec("POST", "/login"),
            RequestSpec("GET", "/profile"),
            RequestSpec("GET", "/logout"),
        ],
    )
    assert mistake_ids(trace) == []
    writes = [
        event
        for event in trace.requests[0].events
        if event.kind == "store" and event.name == "store SET"
    ]
    assert len(writes) == 1
    key = writes[0].detail["key"]
    assert key.startswith("trace:")
    assert writes[0].detail["ttl_requested"] == 1800
    assert 1790 <= writes[0].detail["ttl"] <= 1800
    assert writes[0].detail["serializer"] == "msgpack"
    sid = key.removeprefix("trace:")
    assert trace.requests[0].cookies_after["session"] == sid
    reads = [event for event in trace.requests[1].events if event.name == "store GET"]
    assert reads[0].detail["key"] == key
    assert reads[0].detail["found"] is True
    incoming = only(trace, "cookie", "incoming session cookie", request=1).detail
    assert incoming["store_key"] == key
    deletes = [event for event in trace.requests[2].events if event.name == "store DELETE"]
    assert deletes[0].detail["key"] == key
    assert redis.Redis.from_url(redis_server.url).exists(key) == 0


def test_flask_session_signed_id_with_a_bad_signature(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACE_REDIS_URL", redis_server.url)
    app = importlib.import_module("trace_redis_app").create_app()
    app.session_interface.use_signer = True  # what SESSION_USE_SIGNER = True sets
    trace = trace_requests(app, [RequestSpec("POST", "/login")])
    sid = trace.requests[0].cookies_after["session"]
    session_id, _, signature = sid.partition(".")
    assert signature
    forged = f"{session_id}.{'A' * len(signature)}"
    trace = trace_requests(app, [RequestSpec("GET", "/profile")], cookies=[("session", forged)])
    incoming = only(trace, "cookie", "incoming session cookie").detail
    assert incoming["status"] == "invalid-signature"
    assert app.test_client().get("/profile", headers={"Cookie": f"session={forged}"}).text == "None"


def test_flask_session_write_is_in_the_store(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACE_REDIS_URL", redis_server.url)
    app = importlib.import_module("trace_redis_app").create_app()
    trace = trace_requests(app, [RequestSpec("POST", "/login")])
    key = next(event.detail["key"] for event in trace.events if event.name == "store SET")
    client = redis.Redis.from_url(redis_server.url)
    assert client.exists(key) == 1
    assert 0 < client.ttl(key) <= 1800
    assert json.dumps(trace.requests[0].cookies_after)
    assert isinstance(Path(__file__), Path)


def test_cookies_are_judged_at_the_time_given() -> None:
    """``now`` is a parameter: judged in 2020, a cookie signed today is from the future,
    which itsdangerous rejects (and Flask would, on a server whose clock is behind)."""
    from datetime import datetime, timezone

    app = app_from("trace_good_app")
    steps = [RequestSpec("POST", "/login"), RequestSpec("GET", "/profile")]
    past = trace_requests(app, steps, now=datetime(2020, 1, 1, tzinfo=timezone.utc))
    assert only(past, "cookie", "incoming session cookie", request=1).detail["status"] == "expired"
    today = trace_requests(app, steps)
    assert only(today, "cookie", "incoming session cookie", request=1).detail["status"] == "valid"
