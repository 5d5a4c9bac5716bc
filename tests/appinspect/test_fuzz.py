"""Bad input is a feature: the Set-Cookie and Origin parsers and a trace of odd requests give
results or a :class:`FlaskscopeError`, never another exception."""

from __future__ import annotations

from flask import Flask, session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flaskscope.appinspect.model import RequestSpec
from flaskscope.appinspect.setcookie import domain_matches, parse_set_cookie
from flaskscope.appinspect.trace import trace_requests
from flaskscope.errors import FlaskscopeError
from flaskscope.handshake.request_rules import serialize_origin

_APP = Flask("fuzz")
_APP.secret_key = "fuzz-secret-key-0123456789abcdef0123456789"


@_APP.route("/<path:anything>", methods=["GET", "POST"])
@_APP.route("/", methods=["GET", "POST"])
def _echo(anything: str = "") -> str:
    session["seen"] = anything
    return anything


@given(st.text(st.characters(exclude_categories=()), max_size=300))
def test_set_cookie_parser_takes_any_text(header: str) -> None:
    cookie = parse_set_cookie(header)
    assert cookie.size == len(header.encode("utf-8", "surrogatepass"))
    assert isinstance(cookie.as_json(), dict)


@given(st.text(max_size=100), st.text(max_size=100))
def test_domain_match_takes_any_text(host: str, domain: str) -> None:
    assert isinstance(domain_matches(host, domain), bool)


@given(st.text(max_size=200))
def test_origin_serializer_takes_any_text(text: str) -> None:
    result = serialize_origin(text)
    assert result is None or "://" in result


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.text(max_size=60).map(lambda text: "/" + text),
    header_name=st.text(max_size=20),
    header_value=st.text(max_size=40),
    cookie=st.text(max_size=80),
)
def test_trace_of_odd_requests_never_crashes(
    path: str, header_name: str, header_value: str, cookie: str
) -> None:
    spec = RequestSpec("GET", path, headers=((header_name, header_value),))
    try:
        trace = trace_requests(_APP, [spec], cookies=[("session", cookie)])
    except FlaskscopeError:
        return
    assert trace.requests[0].status is not None, trace.events
