"""The handshake core: accept values, keys and the checklist, against RFC 6455 and real peers."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    ServerPerMessageDeflateFactory,
)
from websockets.server import ServerProtocol
from websockets.uri import parse_uri
from websockets.utils import accept_key
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request
from wsproto.extensions import PerMessageDeflate
from wsproto.utilities import generate_accept_token

from flaskscope import websocket_accept as exported_websocket_accept
from flaskscope.errors import FlaskscopeError, InputError, OptionError
from flaskscope.handshake.accept import (
    accept_report,
    generate_key,
    inspect_key,
    key_from_request,
    websocket_accept,
)
from flaskscope.handshake.check import check_handshake
from flaskscope.handshake.deflate_negotiation import DeflateParams
from flaskscope.handshake.extensions import Extension
from flaskscope.handshake.response_rules import negotiated_extensions
from tests.conftest import load_vectors

RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ=="
RFC_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

SETTINGS = settings(max_examples=200, deadline=None)


def test_rfc6455_section_1_3_example() -> None:
    assert websocket_accept(RFC_KEY) == RFC_ACCEPT
    assert exported_websocket_accept(RFC_KEY) == RFC_ACCEPT
    report = accept_report(RFC_KEY, verify=RFC_ACCEPT)
    assert report.key_valid
    assert report.key_bytes == 16
    assert report.verified is True
    assert report.ok
    # RFC 6455 §1.3 gives the SHA-1 as these bytes.
    assert report.sha1_hex == "b37a4f2cc0624f1690f64606cf385945b2bec4ea"


@SETTINGS
@given(st.binary(min_size=16, max_size=16))
def test_accept_matches_websockets_and_wsproto_for_random_keys(nonce: bytes) -> None:
    key = base64.b64encode(nonce).decode()
    expected = accept_key(key)
    assert websocket_accept(key) == expected
    assert websocket_accept(key) == generate_accept_token(key.encode()).decode()
    assert generate_key(nonce) == key
    assert inspect_key(key).valid


@SETTINGS
@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40))
def test_accept_of_any_ascii_key_matches_websockets(key: str) -> None:
    assert websocket_accept(key) == accept_key(key)


@SETTINGS
@given(st.binary(max_size=40))
def test_key_validity_agrees_with_websockets_server(raw: bytes) -> None:
    """websockets' server rejects a key unless it is base64 of 16 bytes; so do we."""
    key = base64.b64encode(raw).decode()
    assert inspect_key(key).valid == (len(raw) == 16)
    assert inspect_key(key).decoded_length == len(raw)


@pytest.mark.parametrize(
    ("key", "length", "problem"),
    [
        ("", 0, "decodes to 0 bytes"),
        ("abc", None, "not base64"),
        ("YWJj", 3, "decodes to 3 bytes"),
        ("AQIDBAUGBwgJCgsMDQ4PEBE=", 17, "decodes to 17 bytes"),
        ("dGhlIHNhbXBsZSBub25jZR==", 16, "trailing bits"),
        ("dGhlIHNhbXBsZSBub25jZQ", None, "not base64"),
        ("dGhlIHNhbXBsZSBub25jZQ==\u00e9", None, "not base64"),
        ("dGhlIHNhbXBsZSBub25jZQ==\u2603", None, "not base64"),
    ],
)
def test_invalid_keys_say_why(key: str, length: int | None, problem: str) -> None:
    info = inspect_key(key)
    assert not info.valid
    assert info.decoded_length == length
    assert info.problem is not None
    assert problem in info.problem
    report = accept_report(key)
    assert not report.ok
    assert report.accept == websocket_accept(key)


def test_verify_mismatch() -> None:
    report = accept_report(RFC_KEY, verify="s3pPLMBiTxaQ9kYGzzhZRbK+xOo")
    assert report.verified is False
    assert not report.ok


def test_generate_key_needs_16_bytes() -> None:
    with pytest.raises(OptionError):
        generate_key(b"short")


def test_key_from_request() -> None:
    request = b"GET / HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Key: " + RFC_KEY.encode() + b"\r\n\r\n"
    assert key_from_request(request) == RFC_KEY
    with pytest.raises(InputError, match="no Sec-WebSocket-Key"):
        key_from_request(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    with pytest.raises(InputError, match="2 Sec-WebSocket-Key"):
        key_from_request(
            b"GET / HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Key: a\r\nSec-WebSocket-Key: b\r\n\r\n"
        )
    with pytest.raises(InputError):
        key_from_request(b"this is not http")


# -- real peers -------------------------------------------------------------------------------


def _websockets_handshake(
    client_options: dict[str, Any], server_options: dict[str, Any]
) -> tuple[bytes, bytes]:
    client = ClientProtocol(parse_uri("ws://example.com:8080/chat?room=1"), **client_options)
    client.send_request(client.connect())
    request = client.data_to_send()[0]
    server = ServerProtocol(**server_options)
    server.receive_data(request)
    response = server.accept(server.events_received()[0])
    server.send_response(response)
    return request, server.data_to_send()[0]


WEBSOCKETS_CASES = {
    "plain": ({}, {}),
    "subprotocol": ({"subprotocols": ["chat", "superchat"]}, {"subprotocols": ["superchat"]}),
    "deflate default": (
        {"extensions": [ClientPerMessageDeflateFactory()]},
        {"extensions": [ServerPerMessageDeflateFactory()]},
    ),
    "deflate client window": (
        {"extensions": [ClientPerMessageDeflateFactory(client_max_window_bits=True)]},
        {"extensions": [ServerPerMessageDeflateFactory(client_max_window_bits=10)]},
    ),
    "deflate every parameter": (
        {
            "extensions": [
                ClientPerMessageDeflateFactory(
                    server_no_context_takeover=True,
                    client_no_context_takeover=True,
                    server_max_window_bits=12,
                    client_max_window_bits=11,
                )
            ]
        },
        {"extensions": [ServerPerMessageDeflateFactory(server_max_window_bits=10)]},
    ),
}


@pytest.mark.parametrize("case", WEBSOCKETS_CASES)
def test_websockets_handshakes_pass(case: str) -> None:
    client_options, server_options = WEBSOCKETS_CASES[case]
    request, response = _websockets_handshake(client_options, server_options)
    report = check_handshake(request, response)
    assert report.valid, report.failures()
    assert report.notes == ()
    assert report.expected_accept == report.accept
    server_protocols = server_options.get("subprotocols")
    assert report.subprotocol == (server_protocols[0] if server_protocols else None)
    assert negotiated_extensions(response) == report.extensions
    if "extensions" in server_options:
        assert [extension.name for extension in report.extensions] == ["permessage-deflate"]
        assert report.deflate is not None


def test_websockets_negotiated_parameters_are_ours() -> None:
    request, response = _websockets_handshake(*WEBSOCKETS_CASES["deflate every parameter"])
    report = check_handshake(request, response)
    # What websockets' client concludes from the same response (process_response_params).
    factory = ClientPerMessageDeflateFactory(
        server_no_context_takeover=True,
        client_no_context_takeover=True,
        server_max_window_bits=12,
        client_max_window_bits=11,
    )
    params = [(name, value) for name, value in report.extensions[0].params]
    theirs = factory.process_response_params(params, [])
    assert report.deflate == DeflateParams(
        server_no_context_takeover=theirs.remote_no_context_takeover,
        client_no_context_takeover=theirs.local_no_context_takeover,
        server_max_window_bits=theirs.remote_max_window_bits,
        client_max_window_bits=theirs.local_max_window_bits,
    )


def _wsproto_handshake(
    request_event: Request, accept_event: AcceptConnection
) -> tuple[bytes, bytes]:
    client = WSConnection(ConnectionType.CLIENT)
    request = client.send(request_event)
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(request)
    assert isinstance(next(server.events()), Request)
    response = server.send(accept_event)
    # The client side of wsproto accepts the same response (else it raises).
    client.receive_data(response)
    assert type(next(client.events())).__name__ == "AcceptConnection"
    return request, response


@pytest.mark.parametrize(
    ("request_event", "accept_event"),
    [
        (Request(host="example.com", target="/"), AcceptConnection()),
        (
            Request(host="example.com", target="/ws", subprotocols=["a", "b"]),
            AcceptConnection(subprotocol="b"),
        ),
        (
            Request(host="example.com", target="/ws", extensions=[PerMessageDeflate()]),
            AcceptConnection(extensions=[PerMessageDeflate()]),
        ),
        (
            Request(
                host="example.com",
                target="/ws",
                subprotocols=["mqtt"],
                extensions=[PerMessageDeflate(client_max_window_bits=9, server_max_window_bits=10)],
            ),
            AcceptConnection(
                subprotocol="mqtt",
                extensions=[PerMessageDeflate(client_max_window_bits=9, server_max_window_bits=10)],
            ),
        ),
    ],
    ids=["plain", "subprotocol", "deflate", "deflate-windows-and-subprotocol"],
)
def test_wsproto_handshakes_pass(request_event: Request, accept_event: AcceptConnection) -> None:
    request, response = _wsproto_handshake(request_event, accept_event)
    report = check_handshake(request, response)
    assert report.valid, report.failures()
    assert report.subprotocol == accept_event.subprotocol
    assert len(report.extensions) == len(accept_event.extensions)


# -- one rule broken at a time ----------------------------------------------------------------

VECTORS = load_vectors("handshake_mutations.json")


def _apply(lines: list[str], mutation: dict[str, Any]) -> list[str]:
    lines = list(lines)
    if "start_line" in mutation:
        lines[0] = mutation["start_line"]
    for name in mutation.get("remove", []):
        lines = [line for line in lines if not line.lower().startswith(name.lower() + ":")]
    for name, value in mutation.get("set", {}).items():
        prefix = name.lower() + ":"
        index = next((i for i, line in enumerate(lines) if line.lower().startswith(prefix)), None)
        if index is None:
            lines.append(f"{name}: {value}")
        else:
            lines[index] = f"{name}: {value}"
    for name, value in mutation.get("add", []):
        lines.append(f"{name}: {value}")
    return lines


def _message(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def test_unmutated_vector_passes_every_check() -> None:
    report = check_handshake(_message(VECTORS["request"]), _message(VECTORS["response"]))
    assert report.valid, report.failures()
    assert report.expected_accept == RFC_ACCEPT
    assert report.subprotocol == "chat"
    assert report.extensions == (
        Extension(
            "permessage-deflate",
            (("server_max_window_bits", "10"), ("client_max_window_bits", "9")),
        ),
    )
    assert report.deflate == DeflateParams(server_max_window_bits=10, client_max_window_bits=9)


@pytest.mark.parametrize("mutation", VECTORS["mutations"], ids=lambda m: m["name"])
def test_each_broken_rule_fails_with_its_check_id(mutation: dict[str, Any]) -> None:
    request, response = VECTORS["request"], VECTORS["response"]
    if mutation["in"] == "request":
        request = _apply(request, mutation)
    else:
        response = _apply(response, mutation)
    report = check_handshake(
        _message(request), _message(response), expected_origin=mutation.get("expected_origin")
    )
    failed = {check.id for check in report.failures()}
    assert failed == set(mutation["fails"]), [c for c in report.checks if not c.ok]
    assert not report.valid


def test_check_ids_are_unique_and_stable() -> None:
    report = check_handshake(_message(VECTORS["request"]), _message(VECTORS["response"]))
    ids = [check.id for check in report.checks]
    assert len(ids) == len(set(ids))
    assert ids[:12] == [
        "request-method",
        "request-version",
        "request-target",
        "host",
        "upgrade",
        "connection",
        "key-present",
        "key-valid",
        "version",
        "protocol-syntax",
        "extensions-syntax",
        "deflate-offer",
    ]
    assert all(check.rfc.startswith("RFC ") for check in report.checks)


def test_request_only_has_no_response_rows() -> None:
    report = check_handshake(_message(VECTORS["request"]))
    assert report.valid
    assert not report.has_response
    assert not any(
        check.id.startswith("response") or check.id == "accept" for check in report.checks
    )
    assert report.expected_accept == RFC_ACCEPT


def test_response_following_request_in_one_capture_is_checked() -> None:
    capture = _message(VECTORS["request"]) + _message(VECTORS["response"])
    report = check_handshake(capture)
    assert report.has_response
    assert report.valid
    assert [note.id for note in report.notes] == ["response-after-request"]


def test_lf_only_line_endings_are_tolerated_and_reported() -> None:
    request = ("\n".join(VECTORS["request"]) + "\n\n").encode()
    response = ("\n".join(VECTORS["response"]) + "\n").encode()  # and no closing empty line
    report = check_handshake(request, response)
    assert report.valid
    assert [note.id for note in report.notes] == [
        "request-line-endings",
        "response-line-endings",
        "response-head-end",
    ]


def test_message_says_found_and_expected() -> None:
    mutation = {"set": {"Sec-WebSocket-Version": "8"}}
    report = check_handshake(_message(_apply(VECTORS["request"], mutation)))
    (failure,) = report.failures()
    assert "'8'" in failure.message
    assert "'13'" in failure.message
    assert failure.rfc.startswith("RFC 6455 §4.1")


@pytest.mark.parametrize(
    "text",
    [b"", b"   \r\n", b"hello world", b"\x16\x03\x01\x02\x00\x01\x00", b"GET\r\n\r\n", b"{}"],
)
def test_not_http_is_an_input_error(text: bytes) -> None:
    with pytest.raises(InputError):
        check_handshake(text)
    with pytest.raises(InputError):
        check_handshake(_message(VECTORS["request"]), text)


# -- hypothesis: nothing but FlaskscopeError --------------------------------------------------

_BASE = _message(VECTORS["request"])
_BASE_RESPONSE = _message(VECTORS["response"])


@st.composite
def _mutated(draw: st.DrawFn, base: bytes) -> bytes:
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        chunk = draw(
            st.sampled_from([b"\r\n", b"\n", b":", b",", b";", b"=", b'"', b" ", b"\x00", b"\xff"])
            | st.binary(max_size=4)
        )
        if action == "insert":
            data[position:position] = chunk
        elif action == "delete":
            del data[position : position + len(chunk) + 1]
        else:
            data[position : position + len(chunk)] = chunk
    return bytes(data)


@SETTINGS
@given(st.binary(max_size=300), st.none() | st.binary(max_size=300))
def test_random_bytes_raise_only_flaskscope_errors(request: bytes, response: bytes | None) -> None:
    try:
        report = check_handshake(request, response)
    except FlaskscopeError:
        return
    assert isinstance(report.valid, bool)


@SETTINGS
@given(_mutated(_BASE), _mutated(_BASE_RESPONSE))
def test_mutated_handshakes_raise_only_flaskscope_errors(request: bytes, response: bytes) -> None:
    try:
        report = check_handshake(request, response)
    except FlaskscopeError:
        return
    assert all(isinstance(check.ok, bool) and check.message for check in report.checks)


_HEADERS = st.sampled_from(
    [
        "Host",
        "Upgrade",
        "Connection",
        "Sec-WebSocket-Key",
        "Sec-WebSocket-Version",
        "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Extensions",
        "Sec-WebSocket-Accept",
    ]
)
_PIECES = st.sampled_from(
    [*' \t,;="\\/#abcXYZ019_-+', "permessage-deflate", "server_max_window_bits", "=15"]
)
_VALUES = st.lists(_PIECES, max_size=12).map("".join)


@SETTINGS
@given(
    st.lists(st.tuples(st.booleans(), _HEADERS, _VALUES), min_size=1, max_size=5),
    st.sampled_from(["GET /x HTTP/1.1", "PUT / HTTP/1.0", "GET http://a/b HTTP/2.0"]),
    st.sampled_from(["HTTP/1.1 101 OK", "HTTP/1.0 200 OK", "HTTP/1.1 100 Continue"]),
)
def test_random_header_values_give_a_checklist(
    changes: list[tuple[bool, str, str]], request_line: str, status_line: str
) -> None:
    request, response = list(VECTORS["request"]), list(VECTORS["response"])
    request[0], response[0] = request_line, status_line
    for in_request, name, value in changes:
        if in_request:
            request = _apply(request, {"add": [[name, value]]})
        else:
            response = _apply(response, {"set": {name: value}})
    try:
        report = check_handshake(_message(request), _message(response))
    except FlaskscopeError:
        return
    assert len(report.checks) == 22
    assert report.valid == all(check.ok for check in report.checks)


@pytest.mark.parametrize(
    ("header", "value", "check_id"),
    [
        ("Sec-WebSocket-Extensions", "x;a=b, " * 20000 + "a b", "extensions-syntax"),
        ("Sec-WebSocket-Protocol", "a, " * 20000 + "a", "protocol-syntax"),
        ("Sec-WebSocket-Key", "k" * 100000, "key-valid"),
        ("Upgrade", "h2c, " * 20000, "upgrade"),
    ],
)
def test_huge_values_give_short_messages(header: str, value: str, check_id: str) -> None:
    request = _apply(VECTORS["request"], {"set": {header: value}})
    report = check_handshake(_message(request), _message(VECTORS["response"]))
    assert check_id in {check.id for check in report.failures()}
    assert max(len(check.message) for check in report.checks) < 600


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("http://example.com", "http://example.com"),
        ("HTTP://Example.COM:80", "http://example.com"),
        ("http://example.com/", "http://example.com"),
        ("https://example.com:443", "https://example.com"),
    ],
)
def test_the_same_origin_written_otherwise_passes(origin: str, expected: str) -> None:
    lines = [line for line in VECTORS["request"] if not line.startswith("Origin:")]
    lines.append(f"Origin: {origin}")
    report = check_handshake(_message(lines), expected_origin=expected)
    assert [check.ok for check in report.checks if check.id == "origin"] == [True]


def test_a_non_browser_client_may_omit_origin() -> None:
    lines = [line for line in VECTORS["request"] if not line.startswith("Origin:")]
    report = check_handshake(_message(lines))
    assert report.valid
