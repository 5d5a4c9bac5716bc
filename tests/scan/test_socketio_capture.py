"""Real peers, real capture: a Flask-SocketIO app (threading mode, simple-websocket) and the
python-socketio client talk over loopback while tcpdump records; every event, namespace, ack
and binary attachment the peers logged must come out of ``flaskscope scan --json`` on the
pcap, acks paired across directions, no violation, and the protocol chosen from the
handshake target. The Engine.IO heartbeat (the server pings every second) is judged on the
packets' times."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.scan.loopback import capture_loopback
from tests.socketio_peers import BLOB, flask_socketio_server, restore, talk

flask_socketio = pytest.importorskip("flask_socketio")
socketio = pytest.importorskip("socketio")


@pytest.fixture
def socketio_server() -> Iterator[tuple[int, list[Any]]]:
    with flask_socketio_server(ping_interval=1, ping_timeout=2) as running:
        yield running


def test_scan_decodes_a_real_socketio_capture(
    tmp_path: Path, socketio_server: tuple[int, list[Any]]
) -> None:
    port, server_log = socketio_server
    path = tmp_path / "socketio.pcap"
    with capture_loopback(path, port):
        client_log, acks = talk(port, server_log, linger=2.3)  # two heartbeats
    assert acks == {"chat": ("ok", 8), "upload": {"got": len(BLOB)}}
    assert ("ack", "because") in server_log

    out = run_cli("scan", str(path), "--json", "--only", "websocket")
    document = json.loads(out.stdout)
    [connection] = document["connections"]
    assert connection["kind"] == "websocket"
    assert connection["handshake"]["ok"]
    detection = connection["subprotocol"]
    assert (detection["protocol"], detection["source"]) == ("socketio", "handshake-target")
    assert detection["engineio_version"] == 4
    # No Socket.IO or Engine.IO fault. What the real peers do get wrong at the end, on the
    # wire: python-socketio's client may send its disconnect packets after its Close frame,
    # and Werkzeug answers the frames after the closing handshake with an HTTP/0.9 error page.
    codes = {violation["code"] for violation in connection["violations"]}
    assert codes <= {"data-after-close", "http-after-close"}, connection["violations"]
    assert out.exit_code == (1 if codes else 0)
    messages = connection["messages"]
    assert [m["message"] for m in messages] == list(range(len(messages)))
    assert all(m["subprotocol"] == "socketio" for m in messages)

    events = [
        (
            m["direction"],
            m["decoded"]["namespace"],
            m["decoded"]["event"],
            restore(m["decoded"]["args"], m["decoded"]["attachments"] or []),
        )
        for m in messages
        if m["decoded"]["socketio_type"] in ("EVENT", "BINARY_EVENT")
    ]
    events = json.loads(json.dumps(events, default=lambda b: base64.b64encode(b).decode()))
    logged = [event for event in server_log if event[0] == "client"] + client_log
    logged = json.loads(json.dumps(logged, default=lambda b: base64.b64encode(b).decode()))
    for side in ("client", "server"):
        assert [e for e in events if e[0] == side] == [e for e in logged if e[0] == side]

    # Acks pair across directions with the events that asked for them.
    by_number = {m["message"]: m for m in messages}
    answers = {}
    for message in messages:
        if message["decoded"]["socketio_type"] in ("ACK", "BINARY_ACK"):
            asked = by_number[message["decoded"]["ack_of"]]
            assert asked["direction"] != message["direction"]
            assert asked["decoded"]["ack_id"] == message["decoded"]["ack_id"]
            answers[asked["decoded"]["event"]] = message["decoded"]["args"]
    assert answers == {"chat": ["ok", 8], "upload": [{"got": len(BLOB)}], "question": ["because"]}

    # Binary attachments are their own WebSocket messages, claimed by their packet.
    binary = [m for m in messages if m["opcode"] == 2]
    assert len(binary) == 3  # BLOB and RAW from the client, SERVER_BLOB from the server
    # The heartbeat: the server pings, the client pongs, in time.
    kinds = [(m["direction"], m["decoded"]["engineio_type"]) for m in messages]
    assert kinds.count(("server", "ping")) >= 2
    assert kinds.count(("client", "pong")) == kinds.count(("server", "ping"))
    counts = connection["decoded_counts"]
    assert counts["event"] + counts["binary_event"] == len(events)

    # People's view: the decoded events, under their messages.
    shown = run_cli("scan", str(path), "--only", "websocket")
    assert shown.exit_code == out.exit_code
    assert "subprotocol: socketio" in shown.stdout
    assert "/chat  joined" in shown.stdout

    # --json-lines: the same connection, with the same decodings.
    lines = run_cli("scan", str(path), "--json-lines", "--only", "websocket")
    [streamed] = [json.loads(line) for line in lines.stdout.splitlines()[:1]]
    assert [m["decoded"] for m in streamed["messages"]] == [m["decoded"] for m in messages]

    # --subprotocol none: frames only, no decoding fields.
    plain = json.loads(run_cli("scan", str(path), "--json", "--subprotocol", "none").stdout)
    [ws] = [c for c in plain["connections"] if c["kind"] == "websocket"]
    assert ws["subprotocol"] is None
    assert "decoded" not in ws["messages"][0]
