"""Make the frame samples for ``make demo`` with the real peers (websockets and wsproto).

Run from the repository root: ``.venv/bin/python samples/frames_make_samples.py``. The peers
draw their own random masking keys, so the bytes change from run to run, the content not.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Close, Frame, Opcode
from wsproto.frame_protocol import FrameProtocol

HERE = Path(__file__).parent


def rfc_examples() -> str:
    """RFC 6455 §5.7 server-side examples in a row, then a Close 1000 (hex, as printed)."""
    return "\n".join(
        [
            "81 05 48 65 6c 6c 6f",  # single-frame unmasked text "Hello"
            "01 03 48 65 6c",  # fragmented unmasked text: "Hel"
            "89 05 48 65 6c 6c 6f",  # unmasked ping "Hello", between the fragments
            "80 02 6c 6f",  # ... "lo"
            "88 02 03 e8",  # close 1000
            "",
        ]
    )


def client_frames() -> bytes:
    """What a wsproto client sends: text, a fragmented message, binary, ping, close."""
    client = FrameProtocol(client=True, extensions=[])
    parts = [
        client.send_data("Hello from wsproto ☃"),
        client.send_data("fragmented ", fin=False),
        client.ping(b"keepalive"),
        client.send_data("message", fin=True),
        client.send_data(bytes(range(256)) * 2),
        client.close(1000, "bye"),
    ]
    return b"".join(bytes(part) for part in parts)


def bad_frames() -> str:
    """Server frames with something wrong in each (hex)."""
    return "\n".join(
        [
            "a1 02 68 69",  # RSV2 set without an extension
            "83 00",  # reserved opcode 0x3
            "81 02 c3 28",  # invalid UTF-8
            "82 7e 00 03 01 02 03",  # 16-bit length for 3 bytes
            "80 01 21",  # continuation with no message started
            "88 02 03 ed",  # close 1005: must not be sent
            "81 02 68 69",  # data after close
            "81 10 74 72 75 6e",  # truncated: 16 bytes announced, 4 present
            "",
        ]
    )


def deflate_frames() -> bytes:
    """A websockets client with permessage-deflate and client_no_context_takeover."""
    extension = PerMessageDeflate(
        remote_no_context_takeover=False,
        local_no_context_takeover=True,
        remote_max_window_bits=15,
        local_max_window_bits=15,
    )
    messages = [
        Frame(Opcode.TEXT, b'{"type": "subscribe", "channel": "prices"}'),
        Frame(Opcode.TEXT, b'{"type": "subscribe", "channel": "prices"}' * 20),
        Frame(Opcode.BINARY, bytes(4096)),
        Frame(Opcode.CLOSE, Close(1001, "going away").serialize()),
    ]
    return b"".join(frame.serialize(mask=True, extensions=[extension]) for frame in messages)


HANDSHAKE_RESPONSE = (
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n"
    "\r\n"
)


def server_capture() -> bytes:
    """One direction of a TCP stream as Wireshark saves it: the 101 response, then the
    server's compressed frames (websockets, context takeover), a ping and a close."""
    head = (
        b"HTTP/1.1 101 Switching Protocols\r\n"
        b"Upgrade: websocket\r\n"
        b"Connection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
        b"Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=12\r\n"
        b"\r\n"
    )
    extension = PerMessageDeflate(
        remote_no_context_takeover=False,
        local_no_context_takeover=False,
        remote_max_window_bits=15,
        local_max_window_bits=12,
    )
    frames = [
        Frame(Opcode.TEXT, b'{"event": "welcome", "user": "ada"}'),
        Frame(Opcode.TEXT, b'{"event": "tick", "price": 101.25}', fin=False),
        Frame(Opcode.PING, b"are you there?"),
        Frame(Opcode.CONT, b' {"event": "tick", "price": 101.5}'),
        Frame(Opcode.CLOSE, Close(1000, "done").serialize()),
    ]
    return head + b"".join(frame.serialize(mask=False, extensions=[extension]) for frame in frames)


def deflate_bomb() -> bytes:
    """64 MiB of zeros compressed into one small server frame (RSV1 set)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = compressor.compress(bytes(64 << 20)) + compressor.flush(zlib.Z_SYNC_FLUSH)
    # websockets refuses to serialize RSV1 without its extension object, so flaskscope's own
    # builder writes the (unmasked, server) frame.
    from flaskscope.frames.frame import Frame as FlaskscopeFrame

    return FlaskscopeFrame(Opcode.BINARY, data[:-4], rsv1=True).serialize()


def main() -> None:
    (HERE / "frames-rfc.hex").write_text(rfc_examples())
    (HERE / "frames-client.bin").write_bytes(client_frames())
    (HERE / "frames-bad.hex").write_text(bad_frames())
    (HERE / "frames-deflate.bin").write_bytes(deflate_frames())
    (HERE / "frames-handshake-response.http").write_bytes(HANDSHAKE_RESPONSE.encode())
    (HERE / "frames-bomb.bin").write_bytes(deflate_bomb())
    (HERE / "frames-capture.bin").write_bytes(server_capture())


if __name__ == "__main__":
    main()
