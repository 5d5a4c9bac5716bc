"""``scan`` decodes each WebSocket connection's application protocol: both directions through
one decoder in capture order (acks pair across directions), packet times for the Engine.IO
heartbeat, the protocol from the handshake; HAR ``_webSocketMessages`` the same way; the
protocol faults are the connection's violations (exit 1)."""

from __future__ import annotations

import base64
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flaskscope.errors import FlaskscopeError
from flaskscope.scan import Scanner, ScanSettings
from flaskscope.scan.model import ScanMessage
from tests.captures.har import header, websocket_entry
from tests.conftest import run_cli

SAMPLES = Path(__file__).resolve().parent.parent.parent / "samples"
SOCKETIO = SAMPLES / "scan-socketio.pcap"


def test_the_generator_makes_the_committed_sample(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "scan_socketio_make_sample", SAMPLES / "scan_socketio_make_sample.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    assert (tmp_path / SOCKETIO.name).read_bytes() == SOCKETIO.read_bytes()


def _scan(path: Path, **settings: Any) -> list[Any]:
    scanner = Scanner(ScanSettings(**settings))
    return list(scanner.scan(str(path), [path.read_bytes()]))


def test_sample_clean_connection_pairs_acks_across_directions() -> None:
    clean, _late = _scan(SOCKETIO)
    assert clean.subprotocol.protocol == "socketio"
    assert clean.subprotocol.source == "handshake-target"
    assert clean.subprotocol.engineio_version == 4
    assert clean.violation_counts == {}
    by_number = {m.number: m for m in clean.messages}
    assert sorted(by_number) == list(range(len(clean.messages)))
    acks = [m for m in clean.messages if m.decoded.decoded["socketio_type"] == "ACK"]
    assert [(m.direction, m.decoded.decoded["ack_of"]) for m in acks] == [
        ("server", 6),
        ("server", 8),
    ]
    for ack in acks:
        asked = by_number[ack.decoded.decoded["ack_of"]]
        assert asked.direction == "client"
        assert asked.decoded.decoded["ack_id"] == ack.decoded.decoded["ack_id"]
    [attachment] = [m for m in clean.messages if m.opcode == 2]
    assert attachment.decoded.kind == "attachment"
    upload = by_number[attachment.number - 1].decoded.decoded
    assert base64.b64decode(upload["attachments"][0]["base64"]) == bytes(range(16))


def test_sample_late_pong_and_unknown_ack_are_violations() -> None:
    _, late = _scan(SOCKETIO)
    assert late.violation_counts == {
        "engineio-ping-timeout-exceeded": 1,
        "socketio-unknown-ack-id": 1,
    }
    timeout = next(v for v in late.violations if v.code == "engineio-ping-timeout-exceeded")
    assert timeout.direction == "client"
    assert "26.000 s" in timeout.message
    assert not late.ok


def test_cli_exit_codes_json_and_json_lines() -> None:
    out = run_cli("scan", str(SOCKETIO), "--json")
    assert out.exit_code == 1
    document = json.loads(out.stdout)
    clean, late = document["connections"]
    assert clean["subprotocol"]["protocol"] == "socketio"
    assert clean["messages"][7]["decoded"]["ack_of"] == 6
    assert clean["messages"][7]["subprotocol"] == "socketio"
    assert [v["code"] for v in late["violations"]] == [
        "engineio-ping-timeout-exceeded",
        "socketio-unknown-ack-id",
    ]
    assert document["summary"]["websocket"]["violations"] == {
        "total": 2,
        "engineio-ping-timeout-exceeded": 1,
        "socketio-unknown-ack-id": 1,
    }
    lines = run_cli("scan", str(SOCKETIO), "--json-lines")
    streamed = [json.loads(line) for line in lines.stdout.splitlines()]
    assert [c["messages"] for c in streamed if c["type"] == "connection"] == [
        clean["messages"],
        late["messages"],
    ]
    # --subprotocol none: the frames alone are valid
    plain = run_cli("scan", str(SOCKETIO), "--json", "--subprotocol", "none")
    assert plain.exit_code == 0
    assert all(c["subprotocol"] is None for c in json.loads(plain.stdout)["connections"])
    # a protocol named by the user wins over the handshake
    forced = json.loads(run_cli("scan", str(SOCKETIO), "--json", "--subprotocol", "json").stdout)
    assert forced["connections"][0]["subprotocol"]["source"] == "option"


def test_summary_still_judges_the_protocol() -> None:
    out = run_cli("scan", str(SOCKETIO), "--summary")
    assert out.exit_code == 1
    assert "engineio-ping-timeout-exceeded 1, socketio-unknown-ack-id 1" in out.stdout
    assert "message 0" not in out.stdout
    [_, late] = _scan(SOCKETIO, records=False)
    assert late.messages == ()
    assert late.decoded_counts["pong"] == 1


def test_messages_only_view_shows_decodings_and_escapes_them(tmp_path: Path) -> None:
    out = run_cli("scan", str(SOCKETIO), "--messages-only", "--connection", "0")
    assert "message 7 <- socketio  /  ACK 0" in out.stdout
    assert "(ack of message 6)" in out.stdout
    assert "frame 0" not in out.stdout


def test_hook_sees_every_message_with_its_number() -> None:
    seen: list[ScanMessage] = []
    _scan(SOCKETIO, on_message=(seen.append,))
    assert [m.number for m in seen if m.connection == 0] == list(range(16))


def test_decodings_kept_only_for_listed_messages() -> None:
    clean, _ = _scan(SOCKETIO, max_frames=3)
    assert len(clean.messages) == 3
    assert all(m.decoded is not None for m in clean.messages)
    assert clean.messages_omitted == 13
    assert sum(clean.decoded_counts.values()) == 16


def _har(messages: list[dict[str, Any]], target: str, protocol: str | None) -> bytes:
    offered = [] if protocol is None else [header("Sec-WebSocket-Protocol", protocol)]
    entry = websocket_entry(
        f"ws://127.0.0.1:5000{target}",
        messages,
        request_headers=offered,
        response_headers=offered,
    )
    document = {
        "log": {"version": "1.2", "creator": {"name": "x", "version": "1"}, "entries": [entry]}
    }
    return json.dumps(document).encode()


def test_har_socketio_messages_are_decoded_with_their_times(tmp_path: Path) -> None:
    start = 1772443800.0
    messages = [
        {
            "type": "receive",
            "time": start,
            "opcode": 1,
            "data": '0{"sid":"a","upgrades":[],"pingInterval":25000,"pingTimeout":5000,'
            '"maxPayload":100}',
        },
        {"type": "send", "time": start + 0.1, "opcode": 1, "data": "40"},
        {"type": "receive", "time": start + 0.2, "opcode": 1, "data": '40{"sid":"b"}'},
        {"type": "send", "time": start + 0.3, "opcode": 1, "data": '421["hi",1]'},
        {"type": "receive", "time": start + 0.4, "opcode": 1, "data": "431[2]"},
        {"type": "receive", "time": start + 25, "opcode": 1, "data": "2"},
        {"type": "send", "time": start + 31, "opcode": 1, "data": "3"},
    ]
    path = tmp_path / "socketio.har"
    path.write_bytes(_har(messages, "/socket.io/?EIO=4&transport=websocket", None))
    out = run_cli("scan", str(path), "--json")
    assert out.exit_code == 1
    [connection] = json.loads(out.stdout)["connections"]
    assert connection["subprotocol"]["source"] == "handshake-target"
    decoded = [m["decoded"] for m in connection["messages"]]
    assert decoded[4]["ack_of"] == 3
    assert [v["code"] for v in connection["violations"]] == ["engineio-ping-timeout-exceeded"]
    assert connection["violations"][0]["direction"] == "client"


def test_har_graphql_by_sec_websocket_protocol(tmp_path: Path) -> None:
    messages = [
        {"type": "send", "time": 1.0, "opcode": 1, "data": '{"type":"connection_init"}'},
        {"type": "receive", "time": 1.1, "opcode": 1, "data": '{"type":"connection_ack"}'},
        {
            "type": "send",
            "time": 1.2,
            "opcode": 1,
            "data": '{"type":"subscribe","id":"1","payload":{"query":"subscription { n }"}}',
        },
        {
            "type": "receive",
            "time": 1.3,
            "opcode": 1,
            "data": '{"type":"next","id":"1","payload":{"data":{"n":1}}}',
        },
        {"type": "receive", "time": 1.4, "opcode": 1, "data": '{"type":"complete","id":"1"}'},
        {
            "type": "receive",
            "time": 1.5,
            "opcode": 1,
            "data": '{"type":"next","id":"9","payload":{}}',
        },
    ]
    path = tmp_path / "graphql.har"
    path.write_bytes(_har(messages, "/graphql", "graphql-transport-ws"))
    out = run_cli("scan", str(path), "--json")
    [connection] = json.loads(out.stdout)["connections"]
    assert connection["subprotocol"]["protocol"] == "graphql-transport-ws"
    assert connection["subprotocol"]["source"] == "sec-websocket-protocol"
    assert [m["subprotocol"] for m in connection["messages"]] == ["graphql-transport-ws"] * 6
    codes = [v["code"] for v in connection["violations"]]
    assert codes
    assert all(code.startswith("graphql-") for code in codes)
    assert out.exit_code == 1


@pytest.mark.parametrize("choice", ["none", "auto"])
def test_follow_dump_and_plain_json_capture(choice: str) -> None:
    out = run_cli("scan", str(SAMPLES / "scan-follow.txt"), "--json", "--subprotocol", choice)
    assert out.exit_code == 0
    [connection] = json.loads(out.stdout)["connections"]
    if choice == "none":
        assert connection["subprotocol"] is None
    else:
        assert connection["subprotocol"]["protocol"] == "json"
        assert connection["messages"][0]["decoded"]["json"] == {"subscribe": "orders"}


_PACKETS = st.one_of(
    st.sampled_from(["2", "3", "40", "41", "2probe", "5", "6", '0{"sid":"x"}', "4", ""]),
    st.builds(
        lambda kind, ack, body: f"4{kind}{ack}{body}",
        st.sampled_from("0123456"),
        st.sampled_from(["", "1", "99", "1-", "2-", "/chat,"]),
        st.text(max_size=40),
    ),
    st.text(max_size=60),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.booleans(), st.one_of(_PACKETS, st.binary(max_size=40)), st.floats(0, 60)),
        max_size=25,
    ),
    st.sampled_from(["auto", "socketio", "graphql-transport-ws", "stomp", "json"]),
)
def test_any_socketio_conversation_decodes_without_crashing(
    messages: list[tuple[bool, str | bytes, float]], choice: str
) -> None:
    """Random Engine.IO/Socket.IO-shaped (and arbitrary) messages both ways in a real pcap:
    every listed message gets a decoding, the faults are violations, nothing else escapes."""
    from tests.captures.writer import Conversation, ethernet, pcap
    from tests.scan.test_synthetic import frame

    talk = Conversation(client_port=42000, server_port=5000)
    packets = [*talk.handshake()]
    packets.append(
        talk.packet(
            True,
            b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n"
            b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        )
    )
    packets.append(
        talk.packet(
            False,
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
        )
    )
    times = [1_700_000_000.0 + n * 0.001 for n in range(len(packets))]
    clock = times[-1]
    for from_client, payload, delay in messages:
        data = payload.encode() if isinstance(payload, str) else payload
        opcode = 1 if isinstance(payload, str) else 2
        packets.append(talk.packet(from_client, frame(data, opcode, mask=from_client)))
        clock += delay
        times.append(clock)
    capture = pcap([(when, ethernet(packet)) for when, packet in zip(times, packets, strict=True)])
    scanner = Scanner(ScanSettings(subprotocol=choice, now=1_700_000_000.0))
    try:
        [report] = list(scanner.scan("fuzz.pcap", [capture]))
    except FlaskscopeError:
        return
    assert len(report.messages) == len(messages)
    assert [m.number for m in report.messages] == list(range(len(messages)))
    assert all(m.decoded is not None for m in report.messages)
    assert report.subprotocol is not None
    assert sum(report.decoded_counts.values()) == len(messages)
    json.dumps([m.to_json() for m in report.messages])
