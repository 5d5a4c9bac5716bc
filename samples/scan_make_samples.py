"""Make the ``scan`` samples (docs/scan.md): small captures written deterministically.

Run from the repository root: ``.venv/bin/python samples/scan_make_samples.py``. Everything
is fixed (timestamps, sequence numbers, masking keys), so the files and the documented output
are the same on every run. The cookies are signed with samples/cookie-secret-key.txt at the
capture's own time; compression is websockets' permessage-deflate implementation.

- scan-websocket.pcap: a login setting a Flask session cookie, a WebSocket connection
  (permessage-deflate, a fragmented compressed message), and a TLS connection.
- scan-broken.pcap: a WebSocket connection with a lost segment, and a server that writes an
  HTTP response after its Close (as Werkzeug does behind flask-sock).
- scan-cookies.har: a Chrome HAR export with the cookie and ``_webSocketMessages``.
- scan-follow.txt: ``tshark -q -z follow,tcp,raw,1`` of the WebSocket connection.
"""

from __future__ import annotations

import base64
import json
import socket
import struct
from datetime import datetime, timezone
from pathlib import Path

from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Frame, Opcode

from flaskscope.cookies.sign import sign_cookie

HERE = Path(__file__).parent
KEY = (HERE / "cookie-secret-key.txt").read_text().strip()
START = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc).timestamp()
CLIENT, SERVER = "192.168.1.20", "192.168.1.10"
WS_KEY, WS_ACCEPT = "dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


class Capture:
    def __init__(self) -> None:
        self.packets: list[tuple[float, bytes]] = []
        self.time = START

    def add(self, data: bytes, step: float = 0.002) -> None:
        self.time += step
        self.packets.append((self.time, data))

    def pcap(self) -> bytes:
        out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)]
        for timestamp, data in self.packets:
            seconds = int(timestamp)
            micros = round((timestamp - seconds) * 1_000_000)
            frame = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + data
            out.append(struct.pack("<IIII", seconds, micros, len(frame), len(frame)) + frame)
        return b"".join(out)


class Tcp:
    """One connection's segments, with its own sequence numbers."""

    def __init__(self, capture: Capture, client_port: int, server_port: int, seed: int) -> None:
        self.capture = capture
        self.ports = {True: (client_port, server_port), False: (server_port, client_port)}
        self.seq = {True: 1_000_000 * seed, False: 2_000_000 * seed + 7}
        self.sent: dict[bool, list[bytes]] = {True: [], False: []}

    def segment(
        self, from_client: bool, payload: bytes = b"", flags: int = 0x18, *, skip: bool = False
    ) -> None:
        source, destination = (CLIENT, SERVER) if from_client else (SERVER, CLIENT)
        header = struct.pack(
            "!HHIIBBHHH",
            *self.ports[from_client],
            self.seq[from_client] & 0xFFFFFFFF,
            self.seq[not from_client] & 0xFFFFFFFF,
            0x50,
            flags,
            65535,
            0,
            0,
        )
        ip = struct.pack("!BBHHHBBH", 0x45, 0, 40 + len(payload), 0, 0x4000, 64, 6, 0)
        packet = ip + socket.inet_aton(source) + socket.inet_aton(destination) + header + payload
        if not skip:
            self.capture.add(packet)
        self.seq[from_client] += len(payload) + (1 if flags & 0x03 else 0)
        if payload:
            self.sent[from_client].append(payload)

    def open(self) -> None:
        self.segment(True, flags=0x02)
        self.segment(False, flags=0x12)
        self.segment(True, flags=0x10)

    def close(self) -> None:
        self.segment(True, flags=0x11)
        self.segment(False, flags=0x11)
        self.segment(True, flags=0x10)


def cookie(session: dict[str, object], at: float) -> str:
    return sign_cookie(session, KEY, timestamp=int(at))


def login(capture: Capture, value: str) -> None:
    tcp = Tcp(capture, 51000, 5000, 1)
    tcp.open()
    tcp.segment(
        True, b"POST /login HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 9\r\n\r\nuser=ana"
    )
    tcp.segment(
        False,
        b"HTTP/1.1 302 FOUND\r\nLocation: /\r\nContent-Length: 0\r\n"
        + f"Set-Cookie: session={value}; HttpOnly; Path=/\r\n\r\n".encode(),
    )
    tcp.close()


def upgrade(tcp: Tcp, value: str, *, deflate: bool) -> None:
    offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    tcp.segment(
        True,
        (
            "GET /live HTTP/1.1\r\nHost: shop.example\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {WS_KEY}\r\nSec-WebSocket-Version: 13\r\n"
            f"{offer if deflate else ''}Cookie: session={value}\r\n\r\n"
        ).encode(),
    )
    answer = "Sec-WebSocket-Extensions: permessage-deflate\r\n" if deflate else ""
    tcp.segment(
        False,
        (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {WS_ACCEPT}\r\n{answer}\r\n"
        ).encode(),
    )


def frame_bytes(
    frame: Frame, *, mask: bool, extension: PerMessageDeflate | None, key: int
) -> bytes:
    extensions = [extension] if extension is not None else []
    return (
        frame.serialize(mask=mask, extensions=extensions)
        if not mask
        else _masked(frame, extensions, key)
    )


def _masked(frame: Frame, extensions: list[PerMessageDeflate], key: int) -> bytes:
    import websockets.frames as frames_module

    original = frames_module.secrets.token_bytes
    frames_module.secrets.token_bytes = lambda n: bytes([key, key + 1, key + 2, key + 3])  # type: ignore[assignment]
    try:
        return frame.serialize(mask=True, extensions=extensions)
    finally:
        frames_module.secrets.token_bytes = original  # type: ignore[assignment]


def websocket(capture: Capture, value: str) -> Tcp:
    tcp = Tcp(capture, 51002, 5000, 2)
    tcp.open()
    upgrade(tcp, value, deflate=True)
    client = PerMessageDeflate(False, False, 15, 15)
    server = PerMessageDeflate(False, False, 15, 15)
    tcp.segment(
        True,
        frame_bytes(
            Frame(Opcode.TEXT, b'{"subscribe": "orders"}'), mask=True, extension=client, key=1
        ),
    )
    for order in (1041, 1042):
        text = json.dumps({"order": order, "status": "paid", "total": "12.50"}).encode()
        tcp.segment(
            False, frame_bytes(Frame(Opcode.TEXT, text), mask=False, extension=server, key=0)
        )
    # a fragmented compressed message: RSV1 on the first fragment only (RFC 7692 §6.1)
    parts = [Frame(Opcode.TEXT, b"report: ", fin=False), Frame(Opcode.CONT, b"all orders shipped")]
    tcp.segment(False, b"".join(frame_bytes(p, mask=False, extension=server, key=0) for p in parts))
    tcp.segment(
        True, frame_bytes(Frame(Opcode.CLOSE, b"\x03\xe8"), mask=True, extension=client, key=5)
    )
    tcp.segment(
        False, frame_bytes(Frame(Opcode.CLOSE, b"\x03\xe8"), mask=False, extension=server, key=0)
    )
    tcp.close()
    return tcp


def tls(capture: Capture) -> None:
    tcp = Tcp(capture, 51004, 443, 3)
    tcp.open()
    hello = (
        bytes.fromhex("16030100310100002d0303")
        + bytes(32)
        + bytes.fromhex("000002130101000002ff01")
    )
    tcp.segment(True, hello)
    tcp.close()


def broken(capture: Capture, value: str) -> None:
    tcp = Tcp(capture, 51006, 5000, 4)
    tcp.open()
    upgrade(tcp, value, deflate=False)
    for number in range(3):
        tcp.segment(
            False,
            frame_bytes(
                Frame(Opcode.TEXT, f"tick {number}".encode()), mask=False, extension=None, key=0
            ),
        )
    tcp.segment(
        False,
        frame_bytes(Frame(Opcode.TEXT, b"tick 3 (lost)"), mask=False, extension=None, key=0),
        skip=True,
    )
    for number in range(4, 6):
        tcp.segment(
            False,
            frame_bytes(
                Frame(Opcode.TEXT, f"tick {number}".encode()), mask=False, extension=None, key=0
            ),
        )
    tcp.segment(True, b"", flags=0x10)  # the client acknowledges everything, the lost one too
    tcp.segment(
        False, frame_bytes(Frame(Opcode.CLOSE, b"\x03\xe8"), mask=False, extension=None, key=0)
    )
    tcp.segment(False, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n")
    tcp.close()


def follow_dump(tcp: Tcp) -> str:
    lines = [
        "",
        "=" * 67,
        "Follow: tcp,raw",
        "Filter: tcp.stream eq 1",
        f"Node 0: {CLIENT}:51002",
        f"Node 1: {SERVER}:5000",
    ]
    for from_client, payload in tcp.order:
        lines.append(("" if from_client else "\t") + payload.hex())
    lines.append("=" * 67)
    return "\n".join(lines) + "\n"


def har(value: str) -> str:
    started = datetime.fromtimestamp(START, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    headers = [
        {"name": "Host", "value": "shop.example"},
        {"name": "Upgrade", "value": "websocket"},
        {"name": "Connection", "value": "Upgrade"},
        {"name": "Sec-WebSocket-Key", "value": WS_KEY},
        {"name": "Sec-WebSocket-Version", "value": "13"},
        {"name": "Cookie", "value": f"session={value}"},
    ]
    messages = [
        {"type": "send", "time": START + 1, "opcode": 1, "data": '{"subscribe": "orders"}'},
        {
            "type": "receive",
            "time": START + 1.5,
            "opcode": 1,
            "data": '{"order": 1041, "status": "paid"}',
        },
        {
            "type": "receive",
            "time": START + 2,
            "opcode": 8,
            "data": base64.b64encode(b"\x03\xed").decode(),
        },
    ]
    entries = [
        {
            "startedDateTime": started,
            "time": 10,
            "request": {
                "method": "POST",
                "url": "http://shop.example/login",
                "httpVersion": "HTTP/1.1",
                "headers": [{"name": "Host", "value": "shop.example"}],
                "cookies": [],
                "queryString": [],
                "headersSize": -1,
                "bodySize": 9,
            },
            "response": {
                "status": 302,
                "statusText": "FOUND",
                "httpVersion": "HTTP/1.1",
                "headers": [{"name": "Set-Cookie", "value": f"session={value}; HttpOnly; Path=/"}],
                "cookies": [{"name": "session", "value": value, "httpOnly": True}],
                "content": {"size": 0, "mimeType": "text/html"},
                "redirectURL": "/",
                "headersSize": -1,
                "bodySize": 0,
            },
            "cache": {},
            "timings": {"send": 1, "wait": 8, "receive": 1},
        },
        {
            "startedDateTime": started,
            "time": 0,
            "_resourceType": "websocket",
            "request": {
                "method": "GET",
                "url": "ws://shop.example/live",
                "httpVersion": "HTTP/1.1",
                "headers": headers,
                "cookies": [{"name": "session", "value": value}],
                "queryString": [],
                "headersSize": -1,
                "bodySize": 0,
            },
            "response": {
                "status": 101,
                "statusText": "Switching Protocols",
                "httpVersion": "HTTP/1.1",
                "headers": [
                    {"name": "Upgrade", "value": "websocket"},
                    {"name": "Connection", "value": "Upgrade"},
                    {"name": "Sec-WebSocket-Accept", "value": WS_ACCEPT},
                ],
                "cookies": [],
                "content": {"size": 0, "mimeType": "x-unknown"},
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": 0,
            },
            "cache": {},
            "timings": {},
            "_webSocketMessages": messages,
        },
    ]
    document = {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "pages": [],
            "entries": entries,
        }
    }
    return json.dumps(document, indent=2) + "\n"


def main(out: Path = HERE) -> None:
    value = cookie({"cart": [3, 7], "user_id": 42}, START)
    capture = Capture()
    login(capture, value)
    order: list[tuple[bool, bytes]] = []
    original = Tcp.segment

    def recording(
        self: Tcp, from_client: bool, payload: bytes = b"", flags: int = 0x18, *, skip: bool = False
    ) -> None:
        if payload and self.ports[True][0] == 51002:
            order.append((from_client, payload))
        original(self, from_client, payload, flags, skip=skip)

    Tcp.segment = recording  # type: ignore[method-assign]
    ws = websocket(capture, value)
    Tcp.segment = original  # type: ignore[method-assign]
    ws.order = order  # type: ignore[attr-defined]
    tls(capture)
    (out / "scan-websocket.pcap").write_bytes(capture.pcap())
    bad = Capture()
    broken(bad, value)
    (out / "scan-broken.pcap").write_bytes(bad.pcap())
    (out / "scan-cookies.har").write_text(har(value))
    (out / "scan-follow.txt").write_text(follow_dump(ws))


if __name__ == "__main__":
    main()
