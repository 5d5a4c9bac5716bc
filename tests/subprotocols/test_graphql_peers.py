"""GraphQL subscriptions between real server/client pairs through the recording relay:
the graphql-ws library (graphql-transport-ws) and subscriptions-transport-ws (the legacy
Apollo graphql-ws protocol), both from npm on node. Every operation's query, variables and
results come out of flaskscope, each result paired with the message that started it."""

from __future__ import annotations

import pytest

from flaskscope.subprotocols import decode_conversation
from tests.subprotocols.relay import conversation, run_js_peers

PEERS = [
    ("graphql_peers.js", "graphql-transport-ws", "subscribe", "next"),
    ("graphql_legacy_peers.js", "graphql-ws", "start", "data"),
]


@pytest.mark.parametrize(("script", "protocol", "start", "result_kind"), PEERS)
def test_graphql_server_and_client(
    script: str, protocol: str, start: str, result_kind: str
) -> None:
    log, recordings = run_js_peers(script)
    [recording] = recordings
    talk = conversation(recording)
    result = decode_conversation(talk.messages, talk.request, talk.response)

    assert result.detection.protocol == protocol
    assert result.detection.source == "sec-websocket-protocol"
    assert result.violations == ()
    assert (result.messages[0].direction, result.messages[0].kind) == ("client", "connection_init")
    assert result.messages[0].decoded["payload"] == {"token": "t0k"}
    assert ("server", "connection_ack") in [(m.direction, m.kind) for m in result.messages]
    starts = [m for m in result.messages if m.kind == start]
    assert [
        (m.decoded["query"], m.decoded["variables"], m.decoded["operation_name"]) for m in starts
    ] == [(op["query"], op["variables"], op["operationName"]) for op in log["operations"]]
    for started, operation in zip(starts, log["operations"], strict=True):
        results = [
            m.decoded["payload"]
            for m in result.messages
            if m.kind == result_kind and m.decoded["operation_of"] == started.message
        ]
        assert results == operation["results"]
        ends = [
            m
            for m in result.messages
            if m.kind == "complete" and m.decoded["id"] == started.decoded["id"]
        ]
        assert ends
        assert ends[0].decoded["operation_of"] == started.message
