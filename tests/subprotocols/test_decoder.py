"""The decoder's bounds and order: what ``auto`` holds while it decides, one decoding per
message in the order fed, and the choice's reason."""

from __future__ import annotations

from flaskscope.subprotocols import ConversationDecoder, decode_conversation
from flaskscope.subprotocols.decoder import HOLD_BYTES
from flaskscope.subprotocols.model import DecodedMessage, WireMessage


def test_auto_stops_holding_big_binary_messages() -> None:
    decoder = ConversationDecoder()
    chunk = b"\x00" * (1 << 20)
    released: list[DecodedMessage] = []
    for index in range(HOLD_BYTES // len(chunk) + 1):
        assert not released, index
        outputs = decoder.feed(WireMessage(index, "server", 2, chunk))
        released += [each for each in outputs if isinstance(each, DecodedMessage)]
    assert [each.message for each in released] == list(range(HOLD_BYTES // len(chunk) + 1))
    assert decoder.detection is not None
    assert decoder.detection.protocol == "none"


def test_auto_holds_at_most_32_uninformative_messages() -> None:
    decoder = ConversationDecoder()
    count = 0
    for index in range(40):
        count += len(decoder.feed(WireMessage(index, "client", 1, b"\n")))
        if count:
            break
    assert index == 31


def test_graphql_shared_types_wait_for_one_that_tells() -> None:
    messages = [
        WireMessage(0, "client", 1, b'{"type":"connection_init"}'),
        WireMessage(1, "server", 1, b'{"type":"connection_ack"}'),
        WireMessage(2, "server", 1, b'{"type":"ka"}'),
    ]
    result = decode_conversation(messages)
    assert result.detection.protocol == "graphql-ws"
    assert "'ka'" in result.detection.reason
    assert result.violations == ()


def test_only_shared_graphql_types_mean_the_current_protocol() -> None:
    messages = [WireMessage(0, "client", 1, b'{"type":"connection_init"}')]
    result = decode_conversation(messages)
    assert result.detection.protocol == "graphql-transport-ws"


def test_plain_text_is_none_and_json_is_json() -> None:
    assert decode_conversation([WireMessage(0, None, 1, b"hello")]).detection.protocol == "none"
    json_result = decode_conversation([WireMessage(0, None, 1, b'{"a": [1, 2]}')])
    assert json_result.detection.protocol == "json"
    assert json_result.messages[0].decoded["json"] == {"a": [1, 2]}


def test_cut_messages_are_shown_not_judged() -> None:
    cut = WireMessage(0, "client", 1, b'42["chat", {"msg": "hel', complete=False, length=90)
    result = decode_conversation([cut], choice="socketio")
    assert result.violations == ()
    assert result.messages[0].kind == "incomplete"


def test_json_that_only_looks_like_graphql_is_json() -> None:
    """An app's own ``{"type": "subscribe", ...}`` without an operation id is not GraphQL:
    judging it as GraphQL would invent violations (and exit 1) on a clean capture."""
    messages = [
        WireMessage(0, "client", 1, b'{"type": "subscribe", "channel": "prices"}'),
        WireMessage(1, "server", 1, b'{"type": "ping"}'),
    ]
    result = decode_conversation(messages)
    assert result.detection.protocol == "json"
    assert result.violations == ()
    heartbeat_only = decode_conversation([WireMessage(0, "server", 1, b'{"type": "ping"}')])
    assert heartbeat_only.detection.protocol != "graphql-transport-ws"
