"""Bad input is a feature: random text and bytes into every decoder give decodings and
violations, never another exception; one decoding per message, in order."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from flaskscope.errors import FlaskscopeError
from flaskscope.subprotocols import SUBPROTOCOL_CHOICES, decode_conversation
from flaskscope.subprotocols.model import WireMessage
from flaskscope.subprotocols.socketio import parse_socket_packet

PREFIXES = [
    *("", "0", "2", "3", "4", "40", "42", "43", "45", "451-", "46", "461-", "4/x,", "0{"),
    *('{"type":"', "SEND\n", "MESSAGE\n", "CONNECT\n", "\n", '{"type":"next","id":"'),
]

message = st.builds(
    lambda prefix, text, binary, direction, opcode, moment: WireMessage(
        0,
        direction,
        opcode,
        (prefix + text).encode("utf-8", "surrogatepass") if opcode == 1 else binary,
        moment,
    ),
    st.sampled_from(PREFIXES),
    st.text(max_size=60),
    st.binary(max_size=40),
    st.sampled_from(["client", "server", None]),
    st.sampled_from([1, 2]),
    st.one_of(st.none(), st.floats(min_value=0, max_value=1e6)),
)


@settings(max_examples=300, deadline=None)
@given(
    messages=st.lists(message, max_size=12),
    choice=st.sampled_from(SUBPROTOCOL_CHOICES),
)
def test_random_messages_into_each_decoder(messages: list[WireMessage], choice: str) -> None:
    numbered = [
        WireMessage(index, m.direction, m.opcode, m.payload, m.timestamp)
        for index, m in enumerate(messages)
    ]
    try:
        result = decode_conversation(numbered, choice=choice)
    except FlaskscopeError:
        return
    assert [each.message for each in result.messages] == list(range(len(numbered)))
    for violation in result.violations:
        assert violation.rfc


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80))
def test_socketio_packet_parser_raises_only_flaskscope_errors(text: str) -> None:
    with contextlib.suppress(FlaskscopeError):
        parse_socket_packet(text)


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=300))
def test_parse_frame_on_random_bytes_with_each_subprotocol(data: bytes) -> None:
    from tests.conftest import run_cli

    for choice in ("auto", "socketio", "stomp", "graphql-transport-ws"):
        result = run_cli("parse-frame", "--raw", "-", "--subprotocol", choice, input=data)
        assert result.exit_code in (0, 1, 2), result.stderr
        assert "Traceback" not in result.stderr
