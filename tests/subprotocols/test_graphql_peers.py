"""A GraphQL subscription over graphql-transport-ws between the graphql-ws library's own
server and client (npm, node) through the recording relay: every operation's query,
variables and results come out of flaskscope, each result paired with its subscribe."""

from __future__ import annotations

import json
import subprocess

from flaskscope.subprotocols import decode_conversation
from tests.subprotocols.relay import Relay, conversation
from tests.subprotocols.test_socketio_js_peers import free_port, node_peers


def test_graphql_ws_server_and_client() -> None:
    directory = node_peers()
    port = free_port()
    relay = Relay(port)
    try:
        done = subprocess.run(
            ["node", "graphql_peers.js", str(port), str(relay.port)],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        relay.close()
    assert done.returncode == 0, done.stderr
    log = json.loads(done.stdout)
    [recording] = relay.recordings
    talk = conversation(recording)
    result = decode_conversation(talk.messages, talk.request, talk.response)

    assert result.detection.protocol == "graphql-transport-ws"
    assert result.detection.source == "sec-websocket-protocol"
    assert result.violations == ()
    kinds = [(m.direction, m.kind) for m in result.messages]
    assert kinds[:2] == [("client", "connection_init"), ("server", "connection_ack")]
    assert result.messages[0].decoded["payload"] == {"token": "t0k"}
    subscribes = [m for m in result.messages if m.kind == "subscribe"]
    assert [
        (m.decoded["query"], m.decoded["variables"], m.decoded["operation_name"])
        for m in subscribes
    ] == [(op["query"], op["variables"], op["operationName"]) for op in log["operations"]]
    for subscribe, operation in zip(subscribes, log["operations"], strict=True):
        results = [
            m.decoded["payload"]
            for m in result.messages
            if m.kind == "next" and m.decoded["operation_of"] == subscribe.message
        ]
        assert results == operation["results"]
        ends = [
            m
            for m in result.messages
            if m.kind == "complete" and m.decoded["id"] == subscribe.decoded["id"]
        ]
        assert ends
        assert ends[0].decoded["operation_of"] == subscribe.message
