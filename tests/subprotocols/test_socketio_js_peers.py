"""The reference JavaScript implementation (socket.io and socket.io-client from npm, run
with the machine's node) talking to itself over the websocket transport, through the
recording relay: every event, namespace, ack and binary attachment the peers logged comes out
of flaskscope exactly."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from flaskscope.subprotocols import decode_conversation
from tests.subprotocols.relay import Relay, conversation
from tests.subprotocols.test_socketio_peers import events_of

JS = Path(__file__).parent.parent / "js"


def node_peers() -> Path:
    """tests/js with its npm packages installed (``make test`` runs ``npm ci`` there)."""
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "socket.io-client").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("node and tests/js/node_modules are required under CI (make test)")
        pytest.skip("node or tests/js/node_modules missing: run make test (npm ci)")
    return JS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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
    directory = node_peers()
    port = free_port()
    relay = Relay(port)
    try:
        done = subprocess.run(
            ["node", "socketio_peers.js", str(port), str(relay.port)],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        relay.close()
    assert done.returncode == 0, done.stderr
    log = json.loads(done.stdout)
    assert log["acks"]["chat"] == ["ok", 8]
    logged = [tuple(js_bytes(e)) for e in log["server"]] + [
        tuple(js_bytes(e)) for e in log["client"]
    ]

    assert len(relay.recordings) == 1  # one Manager multiplexes both namespaces
    decoded: list[Any] = []
    answers: dict[str, Any] = {}
    for recording in relay.recordings:
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
    directory = node_peers()
    port = free_port()
    relay = Relay(port)
    try:
        done = subprocess.run(
            ["node", "socketio_v2_peers.js", str(port), str(relay.port)],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        relay.close()
    assert done.returncode == 0, done.stderr
    log = json.loads(done.stdout)
    logged = [tuple(js_bytes(e)) for e in log["server"] + log["client"]]
    decoded: list[Any] = []
    answers: dict[str, Any] = {}
    pings: set[tuple[str | None, str]] = set()
    for recording in relay.recordings:
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
