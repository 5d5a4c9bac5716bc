"""``flaskscope scan``: exit codes, filters, JSON shapes, and inputs that are not captures."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.captures.writer import Conversation, ethernet, pcap, timed
from tests.conftest import run_cli, run_json
from tests.scan.test_synthetic import SECRET, _cookie, _upgrade, frame


def _write(tmp_path: Path, packets: list[bytes], name: str = "c.pcap") -> str:
    path = tmp_path / name
    path.write_bytes(pcap(timed([ethernet(p) for p in packets], start=time.time() - 5)))
    return str(path)


def _cookie_capture(tmp_path: Path) -> str:
    cookie = _cookie({"user": "dan"}, time.time() - 60)
    talk = Conversation()
    request = f"GET / HTTP/1.1\r\nHost: x\r\nCookie: session={cookie}\r\n\r\n".encode()
    response = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    return _write(
        tmp_path, [*talk.handshake(), talk.packet(True, request), talk.packet(False, response)]
    )


def _ws_capture(tmp_path: Path, *, bad: bool = False) -> str:
    talk = Conversation(server_port=8765)
    server = frame(b"fine", mask=False) + (frame(b"x", mask=True) if bad else b"")
    packets = [
        *_upgrade(talk, None),
        talk.packet(True, frame(b"hi", mask=True)),
        talk.packet(False, server),
    ]
    return _write(tmp_path, [*packets, *talk.close()], "ws.pcap")


def test_valid_cookie_exits_0_and_the_summary_comes_first(tmp_path: Path) -> None:
    path = _cookie_capture(tmp_path)
    result = run_cli("scan", path, "-k", SECRET, "--no-color")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Scan: ")
    assert "cookies: 1 distinct (valid 1)" in result.stdout
    assert result.stdout.index("cookies: 1 distinct") < result.stdout.index("#0 http")
    assert '{"user":"dan"}' in result.stdout


def test_wrong_key_exits_1(tmp_path: Path) -> None:
    result = run_cli("scan", _cookie_capture(tmp_path), "-k", "wrong", "--no-color")
    assert result.exit_code == 1
    assert "invalid-signature" in result.stdout


def test_audit_finds_the_weak_key_and_exits_1(tmp_path: Path) -> None:
    wordlist = tmp_path / "words.txt"
    wordlist.write_text(f"one\ntwo\n{SECRET}\n")
    document = run_json(
        "scan", _cookie_capture(tmp_path), "--audit", "--wordlist", str(wordlist), code=1
    )
    [cookie] = document["cookies"]
    assert cookie["weak_key"] == SECRET
    assert document["audit"]["weak_keys"] == 1


def test_json_shape(tmp_path: Path) -> None:
    document = run_json("scan", _ws_capture(tmp_path))
    [connection] = document["connections"]
    for field in (
        "id",
        "client",
        "server",
        "start",
        "end",
        "kind",
        "exchanges",
        "cookies",
        "handshake",
        "frames",
        "messages",
        "violations",
        "gaps",
    ):
        assert field in connection
    assert connection["kind"] == "websocket"
    assert [m["text"] for m in connection["messages"]] == ["hi", "fine"]
    assert document["summary"]["websocket"]["messages"] == 2
    assert document["ok"] is True


def test_a_violation_exits_1_and_is_named(tmp_path: Path) -> None:
    result = run_cli("scan", _ws_capture(tmp_path, bad=True), "--no-color")
    assert result.exit_code == 1
    assert "masked-server-frame" in result.stdout


def test_json_lines_streams_connections_then_cookies_then_the_summary(tmp_path: Path) -> None:
    result = run_cli("scan", _cookie_capture(tmp_path), _ws_capture(tmp_path), "--json-lines")
    assert result.exit_code == 0
    kinds = [json.loads(line)["type"] for line in result.stdout.splitlines()]
    assert kinds == ["connection", "connection", "cookie", "summary"]
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()[:2]]
    assert ids == [0, 1]  # ids run across files


def test_connections_are_listed_in_the_order_they_opened_not_closed(tmp_path: Path) -> None:
    """The first connection closes last (a client that keeps its first socket open): the
    views still list #0 before #1; only --json-lines streams them as they end."""
    first, second = Conversation(client_port=50001), Conversation(client_port=50002)
    request = b"GET /%s HTTP/1.1\r\nHost: x\r\n\r\n"
    response = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    packets = [
        *first.handshake(),
        first.packet(True, request % b"first"),
        first.packet(False, response),
        *second.handshake(),
        second.packet(True, request % b"second"),
        second.packet(False, response),
        *second.close(),
        *first.close(),
    ]
    path = _write(tmp_path, packets)
    document = run_json("scan", path)
    assert [c["id"] for c in document["connections"]] == [0, 1]
    assert [c["exchanges"][0]["target"] for c in document["connections"]] == ["/first", "/second"]
    people = run_cli("scan", path, "--no-color")
    assert people.exit_code == 0, people.output
    assert people.stdout.index("#0 http") < people.stdout.index("#1 http")
    streamed = run_cli("scan", path, "--json-lines")
    ids = [json.loads(line)["id"] for line in streamed.stdout.splitlines()[:2]]
    assert ids == [1, 0]


def test_filters(tmp_path: Path) -> None:
    files = (_cookie_capture(tmp_path), _ws_capture(tmp_path))
    only_ws = run_json("scan", *files, "--only", "websocket")
    assert [c["kind"] for c in only_ws["connections"]] == ["websocket"]
    assert only_ws["cookies"] == []
    only_cookies = run_json("scan", *files, "--only", "cookies")
    assert only_cookies["connections"] == []
    assert len(only_cookies["cookies"]) == 1
    one = run_json("scan", *files, "--connection", "1")
    assert [c["id"] for c in one["connections"]] == [1]
    summary = run_cli("scan", *files, "--summary", "--no-color")
    assert "frame 0" not in summary.stdout
    assert "client: 1 frames" in summary.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"just some text that is neither frames nor http", "not a capture"),
        (b"\xd4\xc3\xb2\xa1\x02\x00", "cut short"),
        (b"\n=====\nFollow: tcp,ascii\n", "cannot be recovered"),
    ],
)
def test_not_a_capture_exits_2(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(content)
    result = run_cli("scan", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr


def test_missing_file_exits_2() -> None:
    result = run_cli("scan", "/nonexistent/capture.pcap")
    assert result.exit_code == 2


def test_parse_frame_points_a_pcap_at_scan(tmp_path: Path) -> None:
    result = run_cli("parse-frame", "--file", _ws_capture(tmp_path))
    assert result.exit_code == 2
    assert "flaskscope scan" in result.stderr
    assert result.stdout == ""


def test_parse_frame_names_the_http_head_in_a_two_direction_dump() -> None:
    data = (
        frame(b"hi", mask=False)
        + b"HTTP/1.1 101 Switching Protocols\r\n\r\n"
        + frame(b"x", mask=False)
    )
    document = run_json("parse-frame", "--role", "server", data.hex(), code=1)
    assert [v["code"] for v in document["violations"]] == ["http-head-in-frames"]


def test_parse_frame_offer_only_hint_names_handshake() -> None:
    head = b"GET / HTTP/1.1\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n"
    result = run_cli("parse-frame", (head + frame(b"hi", mask=True)).hex())
    assert "--handshake" in result.stderr


@pytest.mark.usefixtures("sample_apps")
def test_app_gives_the_key_and_max_age(tmp_path: Path) -> None:
    """The cookie a real request to the app sets (Flask's test client), in a capture, is
    verified with the app's own key and lifetime (2 hours in fs_plain_app)."""
    from fs_plain_app import app  # type: ignore[import-not-found]

    client = app.test_client()
    client.post("/login/erin")
    value = client.get_cookie("session").value
    talk = Conversation()
    request = f"GET /whoami HTTP/1.1\r\nHost: x\r\nCookie: session={value}\r\n\r\n".encode()
    packets = [ethernet(p) for p in [*talk.handshake(), talk.packet(True, request)]]
    path = tmp_path / "c.pcap"
    path.write_bytes(pcap(timed(packets, start=time.time() + 1)))
    document = run_json("scan", str(path), "--app", "fs_plain_app")
    [cookie] = document["cookies"]
    assert cookie["verdict"] == "valid"
    assert json.loads(cookie["payload"])["user"] == "erin"
    late = tmp_path / "late.pcap"
    late.write_bytes(pcap(timed(packets, start=time.time() + 3 * 3600)))
    expired = run_json("scan", str(late), "--app", "fs_plain_app", code=1)
    assert expired["cookies"][0]["verdict"] == "expired"  # judged at the packet's time
