"""Real peers, real traffic: a Flask-SocketIO app (threading mode, simple-websocket) and the
python-socketio client talk over the websocket transport through a recording relay; every
event, namespace, ack and binary attachment the peers logged must come out of flaskscope
exactly, from the library call and from ``parse-frame --json`` on each direction's bytes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from flaskscope.subprotocols import decode_conversation
from flaskscope.subprotocols.model import DecodedMessage
from tests.conftest import run_cli
from tests.socketio_peers import BLOB, flask_socketio_server, restore
from tests.socketio_peers import talk as client_talks
from tests.subprotocols.relay import Relay, conversation

flask_socketio = pytest.importorskip("flask_socketio")
socketio = pytest.importorskip("socketio")


def events_of(messages: tuple[DecodedMessage, ...] | list[DecodedMessage]) -> list[Any]:
    out = []
    for message in messages:
        decoded = message.decoded
        if decoded.get("socketio_type") in ("EVENT", "BINARY_EVENT"):
            args = restore(decoded["args"], decoded["attachments"] or [])
            out.append((message.direction, decoded["namespace"], decoded["event"], args))
    return out


@pytest.fixture
def socketio_server() -> Iterator[tuple[int, list[Any]]]:
    with flask_socketio_server() as running:
        yield running


def test_flask_socketio_and_python_socketio_client(
    socketio_server: tuple[int, list[Any]], tmp_path: Any
) -> None:
    port, server_log = socketio_server
    relay = Relay(port)
    try:
        client_log, acks = client_talks(relay.port, server_log)
    finally:
        relay.close()

    assert acks == {"chat": ("ok", 8), "upload": {"got": len(BLOB)}}
    assert ("ack", "because") in server_log
    [recording] = relay.recordings
    talk = conversation(recording)
    result = decode_conversation(talk.messages, talk.request, talk.response)

    assert result.detection.protocol == "socketio"
    assert result.detection.source == "handshake-target"
    assert result.violations == ()
    decoded = events_of(result.messages)
    logged = [event for event in server_log if event[0] == "client"] + client_log
    assert sorted(map(repr, decoded)) == sorted(map(repr, logged))
    for side in ("client", "server"):
        assert [e for e in decoded if e[0] == side] == [e for e in logged if e[0] == side]

    # Acks: paired with the events that asked for them, with the values the askers got.
    by_index = {message.message: message for message in result.messages}
    answers = {}
    for message in result.messages:
        if message.decoded.get("socketio_type") in ("ACK", "BINARY_ACK"):
            asked = by_index[message.decoded["ack_of"]]
            answers[asked.decoded["event"]] = message.decoded["args"]
            assert asked.decoded["ack_id"] == message.decoded["ack_id"]
            assert asked.direction != message.direction
    assert answers == {"chat": ["ok", 8], "upload": [{"got": len(BLOB)}], "question": ["because"]}
    namespaces = {
        m.decoded["namespace"] for m in result.messages if m.decoded["socketio_type"] == "CONNECT"
    }
    assert namespaces == {"/", "/chat"}
    opened = [m for m in result.messages if m.decoded["engineio_type"] == "open"]
    assert opened[0].direction == "server"
    assert opened[0].decoded["open"]["sid"]

    # The CLI on each direction's bytes (HTTP head first) decodes the same events.
    for side in ("client", "server"):
        path = tmp_path / f"{side}.bin"
        path.write_bytes(recording.until_close(side))
        out = run_cli("parse-frame", "--file", str(path), "--json")
        assert out.exit_code == 0, out.stdout[-3000:]
        document = json.loads(out.stdout)
        assert document["subprotocol"]["protocol"] == "socketio"
        cli_events = [
            (
                side,
                message["decoded"]["namespace"],
                message["decoded"]["event"],
                restore(message["decoded"]["args"], message["decoded"]["attachments"] or []),
            )
            for message in document["messages"]
            if message["decoded"]["socketio_type"] in ("EVENT", "BINARY_EVENT")
        ]
        assert cli_events == [e for e in logged if e[0] == side]


def test_real_heartbeat_directions_and_a_late_pong(tmp_path: Any) -> None:
    """A Flask-SocketIO server pinging every second (Engine.IO v4: the server pings, the client
    pongs): the real exchange is clean; the same messages with one pong moved past
    pingTimeout give engineio-ping-timeout-exceeded."""
    from dataclasses import replace

    from flask import Flask
    from werkzeug.serving import make_server

    app = Flask(__name__)
    flask_socketio.SocketIO(app, async_mode="threading", ping_interval=1, ping_timeout=1)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    relay = Relay(server.server_port)
    client = socketio.Client()
    try:
        client.connect(f"http://127.0.0.1:{relay.port}", transports=["websocket"], wait_timeout=10)
        time.sleep(2.3)
    finally:
        client.disconnect()
        time.sleep(0.2)
        relay.close()
        server.shutdown()
        thread.join(timeout=10)
    [recording] = relay.recordings
    talk = conversation(recording)
    result = decode_conversation(talk.messages, talk.request, talk.response)
    assert result.violations == ()
    beats = [(m.direction, m.decoded["engineio_type"]) for m in result.messages]
    pings = [m for m in result.messages if m.decoded["engineio_type"] == "ping"]
    assert len(pings) >= 2
    assert {direction for direction, kind in beats if kind == "ping"} == {"server"}
    assert {direction for direction, kind in beats if kind == "pong"} == {"client"}
    opened = result.messages[0].decoded["open"]
    assert (opened["ping_interval"], opened["ping_timeout"]) == (1000, 1000)

    late = list(talk.messages)
    pong = next(i for i, m in enumerate(late) if m.direction == "client" and m.payload == b"3")
    shift = 1.5  # past pingTimeout (1 s): every later message moves too, order unchanged
    late[pong:] = [replace(m, timestamp=(m.timestamp or 0) + shift) for m in late[pong:]]
    codes = [v.code for v in decode_conversation(late, talk.request, talk.response).violations]
    assert "engineio-ping-timeout-exceeded" in codes
