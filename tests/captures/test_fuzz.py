"""Random and mutated captures: only FlaskscopeError comes out, and every loop ends."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flaskscope.errors import FlaskscopeError
from flaskscope.scan import CookieSettings, Scanner, ScanSettings
from tests.captures.writer import Conversation, ethernet, pcap, pcapng, sll2, timed

_REQUEST = (
    b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    b"Cookie: session=eyJhIjoxfQ.ZZZZZZ.abcdefghijklmnopqrstuvwxyz0\r\n\r\n"
)
_RESPONSE = (
    b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    b"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"
)


def _seed_packets() -> list[bytes]:
    talk = Conversation()
    return [
        *talk.handshake(),
        talk.packet(True, _REQUEST),
        talk.packet(False, _RESPONSE),
        talk.packet(True, b"\x81\x85\x01\x02\x03\x04ignjn"),
        talk.packet(False, b"\xc1\x07\xf2\x48\xcd\xc9\xc9\x07\x00"),
        *talk.close(),
    ]


SEEDS = [
    pcap(timed([ethernet(p) for p in _seed_packets()])),
    pcap(timed([sll2(p) for p in _seed_packets()]), linktype=276, order=">"),
    pcapng([([1, 276], [(0, 1.0, ethernet(p)) for p in _seed_packets()])]),
    b'{"log": {"entries": [{"request": {"headers": [{"name": "Cookie", "value": "session=a.b.c"}]},'
    b' "response": {"status": 101},'
    b' "_webSocketMessages": [{"type": "send", "opcode": 8, "data": "x"}]}]}}',
    b"\n===================================================================\nFollow: tcp,raw\n"
    b"Filter: tcp.stream eq 0\nNode 0: 1.2.3.4:5\nNode 1: 6.7.8.9:80\n"
    + _REQUEST.hex().encode()
    + b"\n\t"
    + _RESPONSE.hex().encode()
    + b"\n\t8105hello\n"
    b"===================================================================\n",
]


def _scan(data: bytes, chunk: int) -> None:
    scanner = Scanner(ScanSettings(cookies=CookieSettings(secret_key="k"), now=time.time()))
    chunks = [data[i : i + chunk] for i in range(0, len(data), chunk)] or [b""]
    try:
        for report in scanner.scan("fuzz", chunks):
            report.to_json()
        for cookie in scanner.cookies():
            cookie.to_json()
    except FlaskscopeError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=12),
    cut=st.integers(0, 10_000),
    chunk=st.integers(1, 4096),
)
def test_mutated_captures_raise_only_flaskscope_errors(
    seed: bytes, edits: list[tuple[int, int]], cut: int, chunk: int
) -> None:
    data = bytearray(seed)
    for position, value in edits:
        if data:
            data[position % len(data)] = value
    if cut < len(data):
        del data[cut:]
    _scan(bytes(data), chunk)


@settings(max_examples=100, deadline=None)
@given(
    head=st.sampled_from(
        [b"\xd4\xc3\xb2\xa1", b"\x0a\x0d\x0d\x0a", b'{"log"', b"=====\nFollow: tcp,hex\n", b""]
    ),
    body=st.binary(max_size=2000),
)
def test_random_bytes_behind_a_capture_magic(head: bytes, body: bytes) -> None:
    _scan(head + body, 512)
