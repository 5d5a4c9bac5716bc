"""The reference JavaScript implementation (socket.io and socket.io-client from npm, run
with the machine's node) talking to itself over the websocket transport, through the
recording relay: every event, namespace, ack and binary attachment the peers logged comes out
of flaskscope exactly."""

from __future__ import annotations

import base64
from typing import Any

from flaskscope.subprotocols import decode_conversation
from tests.subprotocols.relay import conversation, run_js_peers
from tests.subprotocols.test_socketio_peers import events_of


def js_bytes(value: Any) -> Any:
    """The peers' {"$bytes": base64} back to bytes."""
    if isinstance(value, dict):
        if set(value) == {"$bytes"}:
            return base64.b64decode(value["$bytes"])
        return {key: js_bytes(each) for key, each in value.items()}
    if isinstance(value, list):
        return [js_bytes(each) for each in value]
    return value


def test_reference_javascript_socketio_peers() -> None:
    log, recordings = run_js_peers("socketio_peers.js")
    assert log["acks"]["chat"] == ["ok", 8]
    logged = [tuple(js_bytes(e)) for e in log["server"]] + [
        tuple(js_bytes(e)) for e in log["client"]
    ]

    assert len(recordings) == 1  # one Manager multiplexes both namespaces
    decoded: list[Any] = []
    answers: dict[str, Any] = {}
    for recording in recordings:
        talk = conversation(recording)
        result = decode_conversation(talk.messages, talk.request, talk.response)
        assert result.detection.protocol == "socketio"
        assert result.violations == ()
        decoded += events_of(result.messages)
        by_index = {message.message: message for message in result.messages}
        for message in result.messages:
            if message.decoded.get("socketio_type") in ("ACK", "BINARY_ACK"):
                asked = by_index[message.decoded["ack_of"]]
                answers[asked.decoded["event"]] = message.decoded["args"]
    assert sorted(map(repr, decoded)) == sorted(map(repr, logged))
    assert answers == {
        "chat": log["acks"]["chat"],
        "upload": [log["acks"]["upload"]],
        "question": [log["acks"]["question"]],
    }


def test_socketio_2_engineio_v3_peers() -> None:
    """socket.io 2 (Engine.IO v3): the client pings and the server pongs, binary attachments
    carry Engine.IO v3's type byte; events, acks and attachments come out as the peers
    logged them, with no violation."""
    log, recordings = run_js_peers("socketio_v2_peers.js")
    logged = [tuple(js_bytes(e)) for e in log["server"] + log["client"]]
    decoded: list[Any] = []
    answers: dict[str, Any] = {}
    pings: set[tuple[str | None, str]] = set()
    for recording in recordings:
        talk = conversation(recording)
        result = decode_conversation(talk.messages, talk.request, talk.response)
        assert result.detection.protocol == "socketio"
        assert result.detection.engineio_version == 3
        assert result.violations == ()
        decoded += events_of(result.messages)
        by_index = {message.message: message for message in result.messages}
        for message in result.messages:
            kind = message.decoded["engineio_type"]
            if kind in ("ping", "pong") and not message.decoded.get("probe"):
                pings.add((message.direction, kind))
            if message.decoded.get("socketio_type") in ("ACK", "BINARY_ACK"):
                asked = by_index[message.decoded["ack_of"]]
                answers[asked.decoded["event"]] = message.decoded["args"]
    assert sorted(map(repr, decoded)) == sorted(map(repr, logged))
    assert answers == {"chat": log["acks"]["chat"], "upload": [log["acks"]["upload"]]}
    assert pings == {("client", "ping"), ("server", "pong")}
