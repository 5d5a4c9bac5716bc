"""Make samples/scan-socketio.pcap (docs/scan.md): two Socket.IO connections over the
Engine.IO v4 websocket transport, written deterministically (fixed times, sequence numbers,
masking keys and session ids) with the packet layout of scan_make_samples.py.

Run from the repository root: ``.venv/bin/python samples/scan_socketio_make_sample.py``.

- Connection 0 (``/socket.io/?EIO=4&transport=websocket``): the Engine.IO open packet, the
  namespace connections, an event the server emits, an event with an acknowledgement, a binary
  event whose attachment is its own WebSocket message and its ack, a heartbeat (the server
  pings, the client pongs), the closing handshake. The packets are those Flask-SocketIO and
  the python-socketio client exchange (tests/scan/test_socketio_capture.py captures the real
  ones).
- Connection 1: the same app, where the client answers a ping 26 s late (pingTimeout is 20 s)
  and acknowledges an id nobody asked for.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from websockets.frames import Frame, Opcode

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from scan_make_samples import WS_ACCEPT, WS_KEY, Capture, Tcp, frame_bytes  # noqa: E402

OPEN = {
    "sid": "{sid}",
    "upgrades": [],
    "pingTimeout": 20000,
    "pingInterval": 25000,
    "maxPayload": 1000000,
}


def upgrade(tcp: Tcp) -> None:
    tcp.segment(
        True,
        (
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: chat.example\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {WS_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode(),
    )
    tcp.segment(
        False,
        (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {WS_ACCEPT}\r\n\r\n"
        ).encode(),
    )


class Peers:
    """Frames of one connection: text or binary, masked from the client (§5.3)."""

    def __init__(self, tcp: Tcp) -> None:
        self.tcp = tcp
        self.key = 1

    def send(self, from_client: bool, payload: str | bytes, *, wait: float = 0.002) -> None:
        opcode = Opcode.TEXT if isinstance(payload, str) else Opcode.BINARY
        data = payload.encode() if isinstance(payload, str) else payload
        self.tcp.capture.time += wait - 0.002
        self.key += 4
        self.tcp.segment(
            from_client,
            frame_bytes(Frame(opcode, data), mask=from_client, extension=None, key=self.key),
        )

    def close(self) -> None:
        self.tcp.segment(
            True, frame_bytes(Frame(Opcode.CLOSE, b"\x03\xe8"), mask=True, extension=None, key=9)
        )
        self.tcp.segment(
            False, frame_bytes(Frame(Opcode.CLOSE, b"\x03\xe8"), mask=False, extension=None, key=0)
        )
        self.tcp.close()


def opening(peers: Peers, sid: str) -> None:
    peers.send(False, "0" + json.dumps(OPEN, separators=(",", ":")).replace("{sid}", sid))
    peers.send(True, "40")
    peers.send(True, "40/chat,")
    peers.send(False, f'40{{"sid":"{sid}-main"}}')
    peers.send(False, f'40/chat,{{"sid":"{sid}-chat"}}')


def clean(capture: Capture) -> None:
    peers = Peers(Tcp(capture, 51010, 5000, 4))
    peers.tcp.open()
    upgrade(peers.tcp)
    opening(peers, "Xq3vJ2mLpA0bT9cDAAAB")
    peers.send(False, '42["welcome",{"hello":"alice"}]')
    peers.send(True, '420["chat",{"msg":"hello, world"}]')
    peers.send(False, '430["ok",12]')
    peers.send(True, '451-1["upload",{"_placeholder":true,"num":0},{"name":"f.bin"}]')
    peers.send(True, bytes(range(16)))
    peers.send(False, '431[{"got":16}]')
    peers.send(True, '42/chat,["join","lobby"]')
    peers.send(False, '42/chat,["joined",{"room":"lobby","who":["alice"]}]')
    peers.send(False, "2", wait=25.0)
    peers.send(True, "3")
    peers.send(True, "41/chat,", wait=1.0)
    peers.close()


def late(capture: Capture) -> None:
    peers = Peers(Tcp(capture, 51012, 5000, 5))
    peers.tcp.open()
    upgrade(peers.tcp)
    opening(peers, "Rk8wq1ZcYb5nE4hFAAAC")
    peers.send(False, "2", wait=25.0)
    peers.send(True, "3", wait=26.0)
    peers.send(True, '437["late"]')
    peers.close()


def main(out: Path = HERE) -> None:
    capture = Capture()
    clean(capture)
    late(capture)
    (out / "scan-socketio.pcap").write_bytes(capture.pcap())


if __name__ == "__main__":
    main()
