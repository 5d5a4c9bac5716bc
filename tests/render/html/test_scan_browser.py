"""``scan --html`` opened in a real headless Chromium (tests/browser.py): the whole capture on
one page (summary, each WebSocket connection's handshake and conversation over capture time,
each cookie), no console error, no network request, one timeline mark per message or control
frame of each connection, the subprotocol decodings listed, and hostile text from captured
frames and a captured cookie never runs."""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import Browser, running_chromium
from tests.captures.writer import Conversation, ethernet, pcap
from tests.conftest import run_cli
from tests.render.html.captures import HOSTILE, HOSTILE_IMG, HOSTILE_SCRIPT, pasted_unescaped

SAMPLES = Path(__file__).resolve().parents[3] / "samples"
KEY_FILE = SAMPLES / "cookie-secret-key.txt"
WS_KEY, WS_ACCEPT = "dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with running_chromium() as chromium:
        yield chromium


def _frame(payload: bytes, opcode: int = 1, *, mask: bool) -> bytes:
    """RFC 6455 §5.2, written out here."""
    head = struct.pack("!B", 0x80 | opcode)
    length = len(payload)
    if length < 126:
        head += struct.pack("!B", (0x80 if mask else 0) | length)
    else:
        head += struct.pack("!BH", (0x80 if mask else 0) | 126, length)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(byte ^ key[i % 4] for i, byte in enumerate(payload))


def hostile_capture(path: Path) -> None:
    """A Socket.IO connection whose events, raw text and close reason carry hostile HTML,
    and a second connection (plain text) with a protocol violation."""
    packets: list[bytes] = []
    talk = Conversation(client_port=41000, server_port=5000)
    packets += talk.handshake()
    packets.append(
        talk.packet(
            True,
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {WS_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode(),
        )
    )
    packets.append(
        talk.packet(
            False,
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {WS_ACCEPT}\r\n\r\n"
            ).encode(),
        )
    )
    opened = '0{"sid":"s1","upgrades":[],"pingInterval":25000,"pingTimeout":20000}'
    packets.append(talk.packet(False, _frame(opened.encode(), mask=False)))
    packets.append(talk.packet(True, _frame(b"40", mask=True)))
    packets.append(talk.packet(False, _frame(b'40{"sid":"m1"}', mask=False)))
    for hostile in HOSTILE:
        event = json.dumps(["say", hostile]).encode()
        packets.append(talk.packet(True, _frame(b"421" + event, mask=True)))
        packets.append(
            talk.packet(False, _frame(b"431" + json.dumps([hostile]).encode(), mask=False))
        )
    packets.append(
        talk.packet(False, _frame(b"\x03\xe8" + HOSTILE_IMG.encode()[:100], 8, mask=False))
    )
    packets.append(talk.packet(True, _frame(b"\x03\xe8", 8, mask=True)))
    packets += talk.close()
    other = Conversation(client_port=41002, server_port=5000, client_seq=9000, server_seq=19000)
    packets += other.handshake()
    packets.append(
        other.packet(
            True,
            (
                "GET /live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {WS_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode(),
        )
    )
    packets.append(
        other.packet(
            False,
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {WS_ACCEPT}\r\n\r\n"
            ).encode(),
        )
    )
    packets.append(other.packet(True, _frame(HOSTILE_SCRIPT.encode(), mask=True)))
    packets.append(other.packet(False, _frame(b"unmasked from the client", mask=True)))
    packets += other.close()
    start = 1_772_443_800.0
    path.write_bytes(
        pcap([(start + n * 0.25, ethernet(packet)) for n, packet in enumerate(packets)])
    )


def _scan_page(tmp_path: Path) -> tuple[Path, dict[str, object], int]:
    capture = tmp_path / "hostile.pcap"
    hostile_capture(capture)
    page = tmp_path / "scan.html"
    files = (
        str(capture),
        str(SAMPLES / "scan-websocket.pcap"),
        str(SAMPLES / "scan-socketio.pcap"),
        str(SAMPLES / "scan-cookies.har"),  # messages without frames, at their own times
    )
    args = (*files, "--secret-key-file", str(KEY_FILE))
    result = run_cli("scan", *args, "--html", str(page))
    assert f"report: wrote {page}" in result.stderr
    document = json.loads(run_cli("scan", *args, "--json").stdout)
    return page, document, result.exit_code


def test_scan_page_in_chromium(browser: Browser, tmp_path: Path) -> None:
    page, document, code = _scan_page(tmp_path)
    assert code == 1  # the page changes neither the output nor the exit code
    load = browser.open(page)
    browser.screenshot(tmp_path / "scan.png")
    assert load.console == [], load.console
    assert load.other_requests() == [], load.other_requests()
    assert browser.script("return typeof window.__pwned") == "undefined"
    assert browser.script("return document.images.length") == 0
    assert browser.script("return document.scripts.length") == 1

    connections = [c for c in document["connections"] if c["kind"] == "websocket"]  # type: ignore[index, union-attr]
    assert len(connections) == 6
    text = browser.script("return document.body.textContent")  # collapsed entries too
    for connection in connections:
        anchor = f"conn-{connection['id']}"
        controls = [f for f in connection["frames"] if f["opcode"] >= 8]
        marks = browser.script(
            "return document.getElementById(arguments[0]).querySelectorAll('a.mark').length",
            anchor,
        )
        assert marks == len(connection["messages"]) + len(controls), anchor
        handshake = browser.script(
            "return document.getElementById(arguments[0]) !== null", f"{anchor}-handshake"
        )
        assert handshake
        # both directions on one timeline over capture time
        lanes = browser.script(
            "return Array.from(document.getElementById(arguments[0])"
            ".querySelectorAll('a.mark')).map(a => a.getAttribute('aria-label'))",
            anchor,
        )
        assert any("client" in label for label in lanes)
        assert any("server" in label for label in lanes)
        assert all(" at +" in label and label.split(" at +")[1].split(" s")[0] for label in lanes)
    for hostile in HOSTILE:  # shown as text (inside the JSON of a Socket.IO event)
        assert json.dumps(hostile)[1:-1] in text
    assert HOSTILE_IMG in text  # the close reason, verbatim
    # decodings as decoded fields, pairing notes included
    assert "ack of message 3" in text
    assert "socketio" in text
    # the cookie of scan-websocket.pcap has its section, verified with the key
    assert browser.script("return document.getElementById('cookie-0') !== null")
    assert "valid" in browser.script("return document.getElementById('cookie-0').innerText")
    # the violations of the plain connection and of the late pong are listed
    codes = {v["code"] for c in connections for v in c["violations"]}
    assert {"engineio-ping-timeout-exceeded", "socketio-unknown-ack-id"} < codes
    for code in codes:
        assert code in text


def test_scan_page_to_stdout_replaces_the_output(tmp_path: Path) -> None:
    capture = SAMPLES / "scan-socketio.pcap"
    result = run_cli("scan", str(capture), "--html", "-")
    assert result.exit_code == 1
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert "Scan:" not in result.stdout


def test_control_unescaped_capture_payload_runs(browser: Browser, tmp_path: Path) -> None:
    """The check can fail: the same page with a payload pasted in unescaped, no CSP, runs it."""
    page, _, _ = _scan_page(tmp_path)
    pasted = pasted_unescaped(page, tmp_path, (HOSTILE_IMG, HOSTILE_SCRIPT), keep_csp=False)
    browser.open(pasted)
    assert browser.script("return window.__pwned") in ("img", "script")
