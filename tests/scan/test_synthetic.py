"""``scan`` on hand-written captures: what loopback traffic does not produce (a capture that
starts mid-connection or mid-frame, a lost segment among frames, cookies judged at the
packet's time, pipelined keep-alive HTTP with chunked bodies, TLS)."""

from __future__ import annotations

import os
import struct
import time
import zlib
from datetime import datetime, timezone

import pytest

from flaskscope.scan import ConnectionReport, CookieSettings, Scanner, ScanSettings
from tests.captures.writer import ACK, PSH, Conversation, ethernet, pcap

SECRET = "synthetic-secret"


def frame(
    payload: bytes, opcode: int = 1, *, fin: bool = True, mask: bool, rsv1: bool = False
) -> bytes:
    """RFC 6455 §5.2, written out here (not with flaskscope's builder)."""
    first = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    length = len(payload)
    if length < 126:
        head = struct.pack("!BB", first, (0x80 if mask else 0) | length)
    elif length < 65536:
        head = struct.pack("!BBH", first, (0x80 if mask else 0) | 126, length)
    else:
        head = struct.pack("!BBQ", first, (0x80 if mask else 0) | 127, length)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(byte ^ key[i % 4] for i, byte in enumerate(payload))


def scan(
    packets: list[tuple[float, bytes]], **settings: object
) -> tuple[Scanner, list[ConnectionReport]]:
    scanner = Scanner(ScanSettings(keep=1 << 20, now=time.time(), **settings))  # type: ignore[arg-type]
    capture = pcap(
        [(t, ethernet(p, ethertype=0x86DD if p[0] >> 4 == 6 else 0x0800)) for t, p in packets]
    )
    return scanner, list(scanner.scan("synthetic.pcap", [capture]))


def texts(report: ConnectionReport, direction: str) -> list[str | None]:
    return [m.text for m in report.messages if m.direction == direction]


def _timed(packets: list[bytes], start: float = 1_700_000_000.0) -> list[tuple[float, bytes]]:
    return [(start + n * 0.01, p) for n, p in enumerate(packets)]


def test_mid_connection_websocket_roles_from_the_mask_bits() -> None:
    talk = Conversation(client_port=40000, server_port=8765)
    packets = [
        talk.packet(False, frame(b"from server 1", mask=False)),  # the server speaks first
        talk.packet(True, frame(b"from client", mask=True)),
        talk.packet(False, frame(b"from server 2", mask=False) + frame(b"\x03\xe8", 8, mask=False)),
    ]
    _, [report] = scan(_timed(packets))
    assert report.kind == "websocket"
    assert report.began_before_capture
    assert report.role_inferred
    assert report.client.endswith(":40000")
    assert texts(report, "client") == ["from client"]
    assert texts(report, "server") == ["from server 1", "from server 2"]
    assert report.violation_counts == {}


def test_mid_frame_start_is_resynchronised_not_misparsed() -> None:
    talk = Conversation(client_port=40000, server_port=8765)
    stream = frame(b"A" * 300, mask=False) + b"".join(
        frame(f"message {n}".encode(), mask=False) for n in range(5)
    )
    packets = [talk.packet(False, stream[100:])]  # the capture starts inside the first frame
    _, [report] = scan(_timed(packets))
    assert report.kind == "websocket"
    assert texts(report, "server") == [f"message {n}" for n in range(5)]
    assert report.violation_counts == {}
    assert any("skipped" in note for note in report.notes)


def _deflate_messages(messages: list[bytes], *, takeover: bool) -> list[bytes]:
    compressor = zlib.compressobj(wbits=-15)
    out = []
    for message in messages:
        if not takeover:
            compressor = zlib.compressobj(wbits=-15)
        data = compressor.compress(message) + compressor.flush(zlib.Z_SYNC_FLUSH)
        out.append(data[:-4])  # RFC 7692 §7.2.1: the empty block's tail is removed
    return out


def _upgrade(talk: Conversation, extensions: str | None) -> list[bytes]:
    offer = "Sec-WebSocket-Extensions: permessage-deflate\r\n" if extensions else ""
    request = (
        "GET /chat HTTP/1.1\r\nHost: example\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        f"{offer}\r\n"
    ).encode()
    answer = f"Sec-WebSocket-Extensions: {extensions}\r\n" if extensions else ""
    response = (
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n{answer}\r\n"
    ).encode()
    return [*talk.handshake(), talk.packet(True, request), talk.packet(False, response)]


def test_deflate_with_context_takeover_across_messages_and_fragments() -> None:
    talk = Conversation(server_port=8765)
    words = [b"repeat " * 20, b"repeat " * 20, b"other words " * 10]
    compressed = _deflate_messages(words, takeover=True)
    packets = _upgrade(talk, "permessage-deflate")
    first = compressed[2]
    server_frames = (
        frame(compressed[0], mask=False, rsv1=True)
        + frame(compressed[1], mask=False, rsv1=True)
        # the third message in two fragments: RSV1 on the first only (RFC 7692 §6.1)
        + frame(first[:5], mask=False, rsv1=True, fin=False)
        + frame(first[5:], 0, mask=False)
    )
    packets += [talk.packet(False, server_frames[:50]), talk.packet(False, server_frames[50:])]
    packets += talk.close()
    _, [report] = scan(_timed(packets))
    assert report.handshake is not None
    assert report.handshake.valid, report.handshake
    assert [m.payload for m in report.messages] == words
    assert all(m.compressed for m in report.messages)
    assert report.violation_counts == {}


@pytest.mark.parametrize("max_violations", [200, 0])
def test_mid_connection_deflate_with_takeover_is_a_note_not_violations(
    max_violations: int,
) -> None:
    """Also when no violation is listed (the parser then only counts them): the failure is
    still a note, not a violation."""
    talk = Conversation(client_port=40000, server_port=8765)
    compressed = _deflate_messages(
        [b"hello hello hello", b"hello hello hello world"], takeover=True
    )
    packets = [
        talk.packet(False, frame(b"first seen", mask=False)),
        talk.packet(False, frame(compressed[1], mask=False, rsv1=True)),  # refers to message 0
    ]
    _, [report] = scan(_timed(packets), max_violations=max_violations)
    assert report.violation_counts == {}
    assert any("deflate context" in note for note in report.notes)


@pytest.mark.parametrize("records", [True, False], ids=["listed", "summary"])
def test_a_flood_of_tiny_frames_is_counted_exactly(records: bool) -> None:
    """50 text messages, 150,000 empty unexpected continuations (300 KB of zeros: §5.4) cut
    across TCP segments of odd sizes, a gap, then 30 more messages, from the server; 40,000
    masked pings from the client. Past what is listed, frames and violations are only
    counted: the counts are what arithmetic says."""
    talk = Conversation(server_port=8765)
    packets = _upgrade(talk, None)
    words = [f"message {n}".encode() for n in range(80)]
    server = b"".join(frame(w, mask=False) for w in words[:50]) + bytes(300_000)
    after_gap = b"".join(frame(w, mask=False) for w in words[50:])
    ping = b"\x89\x80\x01\x02\x03\x04"
    client = ping * 40_000
    for start in range(0, len(server), 9_999):
        packets.append(talk.packet(False, server[start : start + 9_999]))
    for start in range(0, len(client), 7_001):
        packets.append(talk.packet(True, client[start : start + 7_001]))
    talk.server_seq += 1_000  # a lost segment
    packets.append(talk.packet(False, after_gap))
    packets.append(talk.packet(True, b"", flags=ACK))
    _, [report] = scan(_timed(packets), max_frames=100, max_violations=20, records=records)
    server_counts = report.summaries["server"]
    assert server_counts.frames == {"text": 80, "continuation": 150_000}
    assert report.summaries["client"].frames == {"ping": 40_000}
    assert report.violation_counts == {"unexpected-continuation": 150_000}
    assert len(report.violations) == 20
    listed = [m.payload for m in report.messages if m.direction == "server"]
    assert listed == (words if records else [])
    [gap] = report.gaps
    assert gap.size == 1_000
    if records:
        assert len(report.frames) == 100
        assert report.frames_omitted == 80 + 150_000 + 40_000 - 100
    else:
        assert (report.frames, report.frames_omitted) == ((), 0)


@pytest.mark.parametrize("subprotocol", ["auto", "none"])
def test_past_the_listing_messages_are_counted_exactly(subprotocol: str) -> None:
    """90 messages, one in 3,000 fragments, 2,000 more, from the server; 5 from the client.
    Once 100 frames and 100 messages are listed and nothing is decoded, the rest of the
    connection is only counted: the omitted counts are what arithmetic says."""
    talk = Conversation(server_port=8765)
    packets = _upgrade(talk, None)
    words = [f"word {n}".encode() for n in range(90)]
    server = b"".join(frame(w, mask=False) for w in words)
    server += frame(b"start", fin=False, mask=False)
    server += b"".join(frame(b"p", 0, fin=False, mask=False) for _ in range(2998))
    server += frame(b"end", 0, mask=False) + frame(b"x", mask=False) * 2000
    for start in range(0, len(server), 4_321):
        packets.append(talk.packet(False, server[start : start + 4_321]))
    for n in range(5):
        packets.append(talk.packet(True, frame(f"client {n}".encode(), mask=True)))
    packets.append(talk.packet(False, b"", flags=ACK))
    _, [report] = scan(_timed(packets), max_frames=100, subprotocol=subprotocol)
    assert report.summaries["server"].messages == {"text": 2091}
    assert report.summaries["server"].frames == {"text": 2091, "continuation": 2999}
    assert len(report.messages) == 100
    assert report.messages_omitted == 2091 + 5 - 100
    assert len(report.frames) == 100
    assert report.frames_omitted == 2091 + 2999 + 5 - 100
    listed = [m.payload for m in report.messages if m.direction == "server"]
    assert listed[:91] == [*words, b"start" + b"p" * 2998 + b"end"]
    assert report.violation_counts == {}
    seen: list[object] = []  # a message hook sees every message: nothing is skipped for it
    scan(_timed(packets), max_frames=100, subprotocol=subprotocol, on_message=(seen.append,))
    assert len(seen) == 2091 + 5


def test_a_lost_segment_among_frames_is_a_gap_and_parsing_resumes() -> None:
    talk = Conversation(server_port=8765)
    packets = _upgrade(talk, None)
    head = len(packets[-1]) - 40  # the 101 response: IPv4 and TCP headers are 40 bytes
    messages = [f"message number {n:03d} ".encode() * 4 for n in range(12)]
    stream = b"".join(frame(m, mask=False) for m in messages)
    start = talk.server_seq
    cut_from, cut_to = 150, 260
    packets.append(talk.packet(False, stream[:cut_from], seq=start))
    packets.append(talk.packet(False, stream[cut_to:], seq=start + cut_to))
    talk.server_seq = start + len(stream)
    packets.append(talk.packet(True, b"", flags=ACK))  # the client acknowledges everything
    _, [report] = scan(_timed(packets))
    [gap] = report.gaps
    assert (gap.direction, gap.offset, gap.size) == ("server", head + cut_from, cut_to - cut_from)
    # frames are 78 bytes: the gap runs from inside message 1 to inside message 3
    got = [m.payload for m in report.messages if m.complete]
    assert got == [messages[0], *messages[4:]]
    assert report.violation_counts == {}


def _cookie(session: dict[str, object], issued: float) -> str:
    from unittest import mock

    from flask import Flask

    app = Flask(__name__)
    app.secret_key = SECRET
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer is not None
    with mock.patch("time.time", return_value=issued):
        return str(serializer.dumps(session))


def test_cookies_are_decoded_once_and_judged_at_their_packets_time() -> None:
    issued = datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp()
    cookie = _cookie({"user": "bob"}, issued)
    old = _cookie({"user": "eve"}, issued)
    talk = Conversation()
    body = b"5\r\nhello\r\n0\r\n\r\n"
    first = (
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
        f"Set-Cookie: session={cookie}; HttpOnly; Path=/\r\n\r\n"
    ).encode() + body
    requests = (
        f"GET /a HTTP/1.1\r\nHost: x\r\nCookie: theme=dark; session={old}\r\n\r\n"
        f"POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nCookie: session={cookie}\r\n\r\nbody"
    ).encode()
    second = b"HTTP/1.1 204 No Content\r\n\r\n"
    day = 86400
    packets = [(issued + day, p) for p in talk.handshake()]
    packets.append((issued + day, talk.packet(True, requests)))
    packets.append((issued + day, talk.packet(False, first)))
    packets.append((issued + 40 * day, talk.packet(False, second)))
    scanner, [report] = scan(packets, cookies=CookieSettings(secret_key=SECRET))
    assert [(e.method, e.target, e.status) for e in report.exchanges] == [
        ("GET", "/a", 200),
        ("POST", "/b", 204),
    ]
    findings = {f.value: f for f in scanner.cookies()}
    assert set(findings) == {cookie, old}
    assert findings[cookie].verdict == "valid"  # at the packet's time: one day old
    assert findings[cookie].sighting_count == 2
    assert findings[cookie].decoded is not None
    assert findings[cookie].decoded.session == {"user": "bob"}


def test_expired_at_the_packets_time() -> None:
    issued = datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp()
    cookie = _cookie({"user": "bob"}, issued)
    talk = Conversation()
    request = f"GET / HTTP/1.1\r\nCookie: session={cookie}\r\n\r\n".encode()
    packets = [(issued + 40 * 86400, p) for p in [*talk.handshake(), talk.packet(True, request)]]
    scanner, _ = scan(packets, cookies=CookieSettings(secret_key=SECRET))
    [finding] = scanner.cookies()
    assert finding.verdict == "expired"
    scanner, _ = scan(packets, cookies=CookieSettings(secret_key="wrong"))
    assert scanner.cookies()[0].verdict == "invalid-signature"


def test_audit_finds_a_weak_key_for_every_cookie_signed_with_it() -> None:
    now = time.time()
    weak = [_cookie({"n": n}, now - 60) for n in range(3)]
    talk = Conversation()
    request = "".join(
        f"GET /{n} HTTP/1.1\r\nCookie: session={c}\r\n\r\n" for n, c in enumerate(weak)
    )
    packets = [(now, p) for p in [*talk.handshake(), talk.packet(True, request.encode())]]
    scanner, _ = scan(packets)
    tried = scanner.audit(iter([[b"password", b"secret"], [b"nope", SECRET.encode()]]))
    assert tried == 4
    assert {f.weak_key for f in scanner.cookies()} == {SECRET}


def test_tls_is_listed_with_a_hint() -> None:
    talk = Conversation(server_port=443)
    hello = (
        bytes.fromhex("160301002a010000260303") + os.urandom(32) + b"\x00\x00\x02\x13\x01\x01\x00"
    )
    _, [report] = scan(_timed([*talk.handshake(), talk.packet(True, hello)]))
    assert report.kind == "tls"
    assert any("SSLKEYLOGFILE" in note for note in report.notes)


def test_other_protocols_are_other() -> None:
    talk = Conversation(server_port=6379)
    _, [report] = scan(_timed([*talk.handshake(), talk.packet(True, b"*1\r\n$4\r\nPING\r\n")]))
    assert report.kind == "other"


@pytest.mark.parametrize("version", [4, 6])
def test_ipv6_websocket(version: int) -> None:
    talk = (
        Conversation(client="2001:db8::1", server="2001:db8::2", version=6)
        if version == 6
        else Conversation()
    )
    packets = [*_upgrade(talk, None), talk.packet(True, frame(b"hi", mask=True)), *talk.close()]
    _, [report] = scan(_timed(packets))
    assert texts(report, "client") == ["hi"]
    assert not report.began_before_capture


def test_the_message_hook_sees_every_message_with_direction_and_time() -> None:
    talk = Conversation(server_port=8765)
    packets = [*_upgrade(talk, None), talk.packet(True, frame(b"ping?", mask=True))]
    packets += [talk.packet(False, frame(b"\x01\x02", 2, mask=False))]
    seen = []
    timed = _timed(packets)
    scan(timed, on_message=(seen.append,))
    assert [(m.direction, m.opcode, m.payload, m.timestamp) for m in seen] == [
        ("client", 1, b"ping?", timed[-2][0]),
        ("server", 2, b"\x01\x02", timed[-1][0]),
    ]


def test_websocket_request_refused_keeps_http_going() -> None:
    talk = Conversation()
    request = (
        b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    response = (
        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    )
    packets = [
        *talk.handshake(),
        talk.packet(True, request),
        talk.packet(False, response),
        *talk.close(),
    ]
    _, [report] = scan(_timed(packets))
    assert report.kind == "http"
    assert [(e.target, e.status) for e in report.exchanges] == [("/ws", 400), ("/next", 200)]


def test_ack_and_psh_constants_are_the_writer_s() -> None:
    assert (ACK, PSH) == (0x10, 0x08)


def test_a_flask_session_id_is_recognised_as_decode_cookie_does() -> None:
    import secrets

    session_id = secrets.token_urlsafe(32)  # Flask-Session's own id shape
    talk = Conversation()
    response = f"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nSet-Cookie: session={session_id}\r\n\r\n"
    packets = [*talk.handshake(), talk.packet(True, b"GET / HTTP/1.1\r\n\r\n")]
    packets.append(talk.packet(False, response.encode()))
    scanner, _ = scan(_timed(packets))
    [finding] = scanner.cookies()
    assert finding.kind == "server-session"
    assert finding.server_session is not None
    assert finding.server_session.session_id == session_id


def test_http_resumes_after_a_gap_and_still_finds_the_cookies() -> None:
    issued = time.time() - 60
    cookies = [_cookie({"n": n}, issued) for n in range(3)]
    talk = Conversation()
    requests = [
        f"GET /{n} HTTP/1.1\r\nHost: x\r\nCookie: session={c}\r\n\r\n".encode()
        for n, c in enumerate(cookies)
    ]
    packets = talk.handshake()
    start = talk.client_seq
    lost = len(requests[0]) + 10  # the first request and part of the second are not captured
    stream = b"".join(requests)
    packets.append(talk.packet(True, stream[lost:], seq=start + lost))
    talk.client_seq = start + len(stream)
    packets.append(talk.packet(False, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
    timed = _timed(packets, start=issued + 1)
    scanner, [report] = scan(timed, cookies=CookieSettings(secret_key=SECRET))
    [gap] = report.gaps
    assert (gap.direction, gap.offset, gap.size) == ("client", 0, lost)
    assert [e.target for e in report.exchanges] == ["/2"]  # /1 lost its request line
    assert [f.value for f in scanner.cookies()] == [cookies[2]]
    assert all(f.verdict == "valid" for f in scanner.cookies())


def _scan_stream(data: bytes) -> ConnectionReport:
    scanner = Scanner(ScanSettings(now=time.time()))
    [report] = list(scanner.scan("one-direction.bin", [data[:7], data[7:]]))
    return report


def test_one_direction_server_stream_with_its_101_head() -> None:
    head = (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
    )
    report = _scan_stream(head + frame(b"one", mask=False) + frame(b"two", mask=False))
    assert report.kind == "websocket"
    assert texts(report, "server") == ["one", "two"]
    assert report.handshake is None  # the request is not there to check


def test_one_direction_client_stream_with_its_upgrade_request() -> None:
    head = (
        b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    report = _scan_stream(head + frame(b"hello", mask=True) + frame(b"\x03\xe8", 8, mask=True))
    assert report.kind == "websocket"
    assert texts(report, "client") == ["hello"]
    assert report.violation_counts == {}
    assert any("response to the upgrade request" in note for note in report.notes)
