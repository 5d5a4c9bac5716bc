"""Raw HTTP/1.x heads parsed through h11, with the tolerances the checker needs."""

from __future__ import annotations

import contextlib
import http.client
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flaskscope.errors import InputError
from flaskscope.handshake.http import MAX_HEAD_BYTES, header_tokens, parse_request, parse_response

SETTINGS = settings(max_examples=200, deadline=None)

REQUEST = (
    b"GET /chat?x=1 HTTP/1.1\r\n"
    b"Host: server.example.com\r\n"
    b"upgrade: websocket\r\n"
    b"Connection: keep-alive, Upgrade\r\n"
    b"X-Latin: caf\xe9\r\n"
    b"\r\n"
    b"body"
)


def test_request_fields_in_order_with_their_case() -> None:
    request = parse_request(REQUEST)
    assert request.method == "GET"
    assert request.target == "/chat?x=1"
    assert request.http_version == "1.1"
    assert request.headers == (
        ("Host", "server.example.com"),
        ("upgrade", "websocket"),
        ("Connection", "keep-alive, Upgrade"),
        ("X-Latin", "caf\u00e9"),
    )
    assert request.get("UPGRADE") == "websocket"
    assert request.get("Missing") is None
    assert request.line_endings == "CRLF"
    assert request.terminated
    assert request.body == b"body"


def test_repeated_headers_are_joined_with_comma() -> None:
    request = parse_request(b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nx: 2\r\n\r\n")
    assert request.get_all("X") == ("1", "2")
    assert request.get("x") == "1, 2"


@pytest.mark.parametrize(
    ("data", "endings"),
    [
        (b"GET / HTTP/1.1\nHost: a\n\n", "LF"),
        (b"GET / HTTP/1.1\r\nHost: a\n\r\n", "mixed"),
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", "CRLF"),
    ],
)
def test_line_endings_are_recorded(data: bytes, endings: str) -> None:
    request = parse_request(data)
    assert request.line_endings == endings
    assert request.get("Host") == "a"


@pytest.mark.parametrize(
    "data",
    [b"GET / HTTP/1.1\r\nHost: a", b"GET / HTTP/1.1\r\nHost: a\r\n", b"GET / HTTP/1.1\nHost: a\n"],
)
def test_missing_empty_line_is_tolerated_and_recorded(data: bytes) -> None:
    request = parse_request(data)
    assert not request.terminated
    assert request.get("Host") == "a"


def test_missing_host_is_parsed_not_refused() -> None:
    request = parse_request(b"GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")
    assert request.get_all("Host") == ()
    assert request.headers == (("Upgrade", "websocket"),)


def test_several_hosts_are_kept_in_order() -> None:
    request = parse_request(b"GET / HTTP/1.1\nX: 0\nHost: a\nhost: b\nY: 1\n\n")
    assert request.headers == (("X", "0"), ("Host", "a"), ("Host", "b"), ("Y", "1"))
    assert request.line_endings == "LF"


def test_obsolete_line_folding_is_unfolded() -> None:
    request = parse_request(b"GET / HTTP/1.1\r\nHost: a\r\nX: one\r\n two\r\n\r\n")
    assert request.get("X") == "one two"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b" \r\n\r\n",
        b"hello",
        b"GET /\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nno colon here\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
        b"\x00\x01\x02",
    ],
)
def test_not_a_request(data: bytes) -> None:
    with pytest.raises(InputError, match="request") as caught:
        parse_request(data)
    assert "bytearray" not in str(caught.value)


def test_h11_reason_is_shown_readably() -> None:
    with pytest.raises(InputError) as caught:
        parse_request(b"GET / HTTP/1.1\r\nHost: a\r\nBad Name: x\r\n\r\n")
    assert str(caught.value) == (
        "the request is not an HTTP/1.x message: illegal header line: 'Bad Name: x'"
    )


def test_oversized_head_is_refused() -> None:
    data = b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"a" * (MAX_HEAD_BYTES + 10)
    with pytest.raises(InputError, match="longer than"):
        parse_request(data)


@pytest.mark.parametrize(
    ("data", "status", "version"),
    [
        (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x00", 101, "1.1"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", 200, "1.1"),
        (b"HTTP/1.0 403 Forbidden\n\n", 403, "1.0"),
        (b"HTTP/1.1 100 Continue\r\n\r\n", 100, "1.1"),
    ],
)
def test_responses(data: bytes, status: int, version: str) -> None:
    response = parse_response(data)
    assert response.status_code == status
    assert response.http_version == version


def test_bytes_after_a_101_are_kept() -> None:
    response = parse_response(b"HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x00")
    assert response.body == b"\x81\x00"
    assert response.reason == "Switching Protocols"


@pytest.mark.parametrize(
    "data", [b"", b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", b"HTTP/1.1 abc\r\n\r\n"]
)
def test_not_a_response(data: bytes) -> None:
    with pytest.raises(InputError, match="response"):
        parse_response(data)


@pytest.mark.parametrize(
    ("value", "tokens"),
    [
        (None, ()),
        ("Upgrade", ("Upgrade",)),
        ("keep-alive, Upgrade", ("keep-alive", "Upgrade")),
        (" ,keep-alive ,, upgrade,", ("keep-alive", "upgrade")),
    ],
)
def test_header_tokens(value: str | None, tokens: tuple[str, ...]) -> None:
    assert header_tokens(value) == tokens


# -- against the standard library's header parser, and random bytes --------------------------

_NAMES = st.text(alphabet="abcXYZ-_019!#$", min_size=1, max_size=10)
_VALUES = st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20)


@SETTINGS
@given(st.lists(st.tuples(_NAMES, _VALUES), max_size=8))
def test_headers_match_the_standard_library(headers: list[tuple[str, str]]) -> None:
    block = "".join(f"{name}: {value}\r\n" for name, value in [("Host", "h"), *headers])
    raw = f"GET / HTTP/1.1\r\n{block}\r\n".encode()
    ours = parse_request(raw).headers
    theirs = http.client.parse_headers(io.BytesIO(block.encode() + b"\r\n"))
    assert list(ours) == [(name, value.strip()) for name, value in theirs.items()]


@SETTINGS
@given(st.binary(max_size=200))
def test_random_bytes_raise_only_input_errors(data: bytes) -> None:
    for parse in (parse_request, parse_response):
        with contextlib.suppress(InputError):
            parse(data)
