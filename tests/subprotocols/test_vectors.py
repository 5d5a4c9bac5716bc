"""Vectors made by python-socketio's and python-engineio's own encoders decode to what the
encoders were given; each deliberately broken conversation gives its violation code."""

from __future__ import annotations

from typing import Any

import pytest

from flaskscope.frames.violations import SUBPROTOCOL_VIOLATIONS, VIOLATION_RFC
from flaskscope.subprotocols import decode_conversation
from tests.subprotocols.helpers import load, wire_messages

PACKETS = load("socketio-packets.json")
BROKEN = load("subprotocol_violations.json")["violations"]


def test_vectors_are_what_the_installed_libraries_encode() -> None:
    from tests.vectors.make_socketio_vectors import build

    assert build() == PACKETS


def test_every_subprotocol_code_has_a_broken_vector_and_a_spec_section() -> None:
    assert {vector["code"] for vector in BROKEN} == set(SUBPROTOCOL_VIOLATIONS)
    for code in SUBPROTOCOL_VIOLATIONS:
        assert VIOLATION_RFC[code].split(" §")[1], code


def _binary_sizes(value: Any) -> Any:
    """The decoder's {"_binary": {...}} as the vectors' {"_binary_size": n}."""
    if isinstance(value, dict):
        if set(value) == {"_binary"}:
            return {"_binary_size": value["_binary"]["size"]}
        return {key: _binary_sizes(each) for key, each in value.items()}
    if isinstance(value, list):
        return [_binary_sizes(each) for each in value]
    return value


@pytest.mark.parametrize("vector", PACKETS["socketio"], ids=lambda v: v["name"])
def test_socketio_packet_from_the_reference_encoder(vector: dict[str, Any]) -> None:
    entries = [{"d": "client", **each} for each in vector["messages"]]
    result = decode_conversation(wire_messages(entries), choice="socketio")
    assert result.violations == ()
    assert len(result.messages) == len(entries)
    decoded = result.messages[0].decoded
    expected = vector["expected"]
    assert decoded["engineio_type"] == "message"
    assert decoded["socketio_type"] == expected["socketio_type"]
    assert decoded["namespace"] == expected["namespace"]
    assert decoded["ack_id"] == expected["ack_id"]
    if "event" in expected:
        assert decoded["event"] == expected["event"]
    if "args" in expected:
        assert _binary_sizes(decoded["args"]) == expected["args"]
    if "data" in expected:
        assert decoded["data"] == expected["data"]
    sizes = [each["size"] for each in decoded["attachments"] or []]
    assert sizes == expected["attachment_sizes"]
    for attached in result.messages[1:]:
        assert attached.decoded["socketio_type"] == "attachment"
        assert attached.decoded["attachment_of"] == 0


@pytest.mark.parametrize("vector", PACKETS["engineio"], ids=lambda v: v["name"])
def test_engineio_packet_from_the_reference_encoder(vector: dict[str, Any]) -> None:
    # engine.io-protocol §Upgrade and §Heartbeat (v4): who sends which packet.
    sender = "client" if vector["name"] in ("upgrade", "ping-probe", "pong") else "server"
    entries = [{"d": sender, **each} for each in vector["messages"]]
    result = decode_conversation(wire_messages(entries), choice="engineio")
    assert result.violations == ()
    decoded = result.messages[0].decoded
    expected = vector["expected"]
    assert decoded["engineio_type"] == expected["engineio_type"].lower()
    if "size" in expected:
        assert decoded["size"] == expected["size"]
    elif expected["engineio_type"] == "OPEN":
        assert decoded["open"] == {
            "sid": expected["data"]["sid"],
            "upgrades": [],
            "ping_interval": expected["data"]["pingInterval"],
            "ping_timeout": expected["data"]["pingTimeout"],
            "max_payload": expected["data"]["maxPayload"],
        }
    elif isinstance(expected["data"], str):
        assert decoded["data"] == expected["data"]
        assert decoded.get("probe", False) == (expected["data"] == "probe")


@pytest.mark.parametrize("vector", BROKEN, ids=[f"{v['code']}:{v['note']}" for v in BROKEN])
def test_broken_conversation_gives_its_code(vector: dict[str, Any]) -> None:
    request = vector.get("handshake_request")
    result = decode_conversation(
        wire_messages(vector["messages"]),
        handshake_request=request.encode() if request else None,
        choice=vector["choice"],
    )
    codes = [violation.code for violation in result.violations]
    assert vector["code"] in codes, (vector["note"], codes)
    assert len(result.messages) == len(vector["messages"])
    assert [each.message for each in result.messages] == list(range(len(vector["messages"])))


def test_broken_vectors_become_clean_when_fixed() -> None:
    """The checks are not trigger-happy: the same shapes, done right, give nothing."""
    conversation = [
        {"d": "server", "text": '0{"sid":"a","upgrades":[],"pingInterval":1000,'
                                '"pingTimeout":500,"maxPayload":100000}', "t": 0.0},
        {"d": "client", "text": "40", "t": 0.01},
        {"d": "server", "text": '40{"sid":"b"}', "t": 0.02},
        {"d": "client", "text": '4217["ask",1]', "t": 0.03},
        {"d": "server", "text": '4317["answer"]', "t": 0.04},
        {"d": "server", "text": "2", "t": 1.0},
        {"d": "client", "text": "3", "t": 1.2},
        {"d": "client", "text": '451-["up",{"_placeholder":true,"num":0}]', "t": 1.3},
        {"d": "client", "hex": "00ff", "t": 1.3},
        {"d": "server", "text": "2", "t": 2.1},
        {"d": "client", "text": "3", "t": 2.2},
    ]  # fmt: skip
    result = decode_conversation(wire_messages(conversation))
    assert result.detection.protocol == "socketio"
    assert result.violations == ()
    assert result.messages[4].decoded["ack_of"] == 3
    assert result.messages[4].note == "ack of message 3"
