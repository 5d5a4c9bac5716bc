"""parse-frame --subprotocol and build-frame --socketio-event/--engineio through the CLI:
the fields added to --json and --json-lines, the exit codes, --summary's counts, --max-bytes
cutting what is shown but not what is decoded, and --handshake choosing the protocol."""

from __future__ import annotations

import json
from pathlib import Path

from flaskscope.frames.builder import build_frames
from tests.conftest import run_cli, run_json

OPEN = b'0{"sid":"a","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":9}'


def _server(*texts: bytes) -> bytes:
    return b"".join(build_frames(1, text).data for text in texts)


def _write(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "capture.bin"
    path.write_bytes(data)
    return str(path)


def test_json_messages_carry_subprotocol_and_decoded(tmp_path: Path) -> None:
    path = _write(tmp_path, _server(OPEN, b'42/chat,["say",{"text":"hi"}]'))
    document = run_json("parse-frame", "--file", path)
    assert document["subprotocol"]["protocol"] == "socketio"
    assert document["subprotocol"]["source"] == "content"
    event = document["messages"][1]
    assert event["subprotocol"] == "socketio"
    assert event["decoded"]["namespace"] == "/chat"
    assert event["decoded"]["event"] == "say"
    assert event["decoded"]["args"] == [{"text": "hi"}]
    none = run_json("parse-frame", "--file", path, "--subprotocol", "none")
    assert "subprotocol" not in none
    assert "decoded" not in none["messages"][1]


def test_json_lines_merge_the_decoding_into_the_message_line(tmp_path: Path) -> None:
    path = _write(tmp_path, _server(OPEN, b'42["x"]'))
    result = run_cli("parse-frame", "--file", path, "--json-lines")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    messages = [line for line in lines if line["type"] == "message"]
    assert [m["decoded"]["engineio_type"] for m in messages] == ["open", "message"]
    assert lines[-1]["type"] == "end"
    assert lines[-1]["subprotocol"]["protocol"] == "socketio"


def test_protocol_violation_exits_1_in_every_view(tmp_path: Path) -> None:
    path = _write(tmp_path, _server(OPEN, b'42["chat",'))
    for view in ([], ["--json"], ["--json-lines"], ["--summary"], ["--messages-only"]):
        result = run_cli("parse-frame", "--file", path, *view)
        assert result.exit_code == 1, view
        assert "socketio-bad-json" in result.stdout, view
    summary = run_json("parse-frame", "--file", path, "--summary", code=1)
    assert summary["summary"]["violations"] == {"total": 1, "socketio-bad-json": 1}
    assert run_cli("parse-frame", "--file", path, "--subprotocol", "none").exit_code == 0


def test_max_bytes_cuts_the_output_not_the_decoding(tmp_path: Path) -> None:
    long_text = "x" * 5000
    path = _write(tmp_path, _server(OPEN, b'42["long","' + long_text.encode() + b'"]'))
    document = run_json("parse-frame", "--file", path, "--max-bytes", "10")
    message = document["messages"][1]
    assert len(bytes.fromhex(message["payload_hex"])) == 10
    assert message["payload_truncated"] is True
    assert message["decoded"]["args"] == [long_text]
    assert document["violations"] == []


def test_handshake_file_gives_the_negotiated_protocol(tmp_path: Path) -> None:
    response = tmp_path / "response.http"
    response.write_bytes(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
        b"Sec-WebSocket-Protocol: v12.stomp\r\n\r\n"
    )
    path = _write(tmp_path, _server(b"CONNECTED\nversion:1.2\n\n\x00"))
    document = run_json("parse-frame", "--file", path, "--handshake", str(response))
    assert document["subprotocol"]["source"] == "sec-websocket-protocol"
    assert document["messages"][0]["decoded"]["command"] == "CONNECTED"


def test_build_frame_socketio_round_trip() -> None:
    built = run_cli(
        "build-frame",
        *("--socketio-event", "upload", "--args", '[{"name": "f"}]', "--namespace", "/files"),
        *("--ack-id", "3", "--attachment-hex", "0001ff", "--mask", "--format", "base64"),
    )
    assert built.exit_code == 0, built.stderr
    document = run_json("parse-frame", "--base64", built.stdout.strip())
    packet, attachment = document["messages"]
    assert packet["text"] == '451-/files,3["upload",{"name":"f"},{"_placeholder":true,"num":0}]'
    assert packet["decoded"]["socketio_type"] == "BINARY_EVENT"
    assert packet["decoded"]["attachments"][0]["base64"] == "AAH/"
    assert attachment["decoded"]["attachment_of"] == 0
    assert run_cli("build-frame", "--engineio", "pong", "--engineio-data", "probe").stdout == (
        "81063370726f6265\n"
    )


def test_build_frame_refuses_mixed_sources() -> None:
    result = run_cli("build-frame", "--socketio-event", "x", "--text", "hi")
    assert result.exit_code == 2
    assert run_cli("build-frame", "--args", "[1]").exit_code == 2
    assert run_cli("build-frame", "--socketio-event", "x", "--args", "[").exit_code == 2
    assert run_cli("build-frame", "--socketio-event", "x", "--namespace", "chat").exit_code == 2
