"""permessage-deflate (RFC 7692): messages compressed by websockets and wsproto, bombs."""

from __future__ import annotations

import tracemalloc
import zlib

import pytest
from websockets.extensions.permessage_deflate import PerMessageDeflate as WsDeflate
from websockets.frames import Frame as WsFrame
from websockets.frames import Opcode as WsOpcode
from wsproto.extensions import PerMessageDeflate as WsprotoDeflate
from wsproto.frame_protocol import FrameProtocol

from flaskscope.frames.capture import parse_stream
from flaskscope.frames.deflate import Deflater, Inflater, MessageTooBig
from flaskscope.frames.frame import Frame, Opcode, apply_mask
from flaskscope.handshake.deflate_negotiation import DeflateParams

MESSAGES = ["Hello, Hello, Hello!", "Hello again " * 50, "ünïcödé ☃" * 20, "", "Hello, Hello!"]


@pytest.mark.parametrize("no_context_takeover", [False, True])
@pytest.mark.parametrize("window_bits", [15, 10, 9])
def test_websockets_client_messages(no_context_takeover: bool, window_bits: int) -> None:
    extension = WsDeflate(
        remote_no_context_takeover=False,
        local_no_context_takeover=no_context_takeover,
        remote_max_window_bits=15,
        local_max_window_bits=window_bits,
    )
    data = b"".join(
        WsFrame(WsOpcode.TEXT, text.encode()).serialize(mask=True, extensions=[extension])
        for text in MESSAGES
    )
    params = DeflateParams(
        client_no_context_takeover=no_context_takeover, client_max_window_bits=window_bits
    )
    result = parse_stream(data, deflate=params)
    assert result.violations == ()
    assert [m.text for m in result.messages] == MESSAGES
    assert all(m.compressed for m in result.messages if m.length)


@pytest.mark.parametrize("no_context_takeover", [False, True])
def test_websockets_fragmented_compressed_message_from_server(no_context_takeover: bool) -> None:
    extension = WsDeflate(False, no_context_takeover, 15, 12)
    frames = [
        WsFrame(WsOpcode.TEXT, b"first part, ", fin=False),
        WsFrame(WsOpcode.CONT, b"second part, ", fin=False),
        WsFrame(WsOpcode.CONT, b"last part"),
        WsFrame(WsOpcode.BINARY, bytes(range(256)) * 40),
    ]
    data = b"".join(frame.serialize(mask=False, extensions=[extension]) for frame in frames)
    params = DeflateParams(
        server_no_context_takeover=no_context_takeover, server_max_window_bits=12
    )
    result = parse_stream(data, deflate=params, role="server")
    assert result.violations == ()
    assert result.messages[0].text == "first part, second part, last part"
    assert result.messages[0].frames == (0, 1, 2)
    assert [f.header.rsv1 for f in result.frames] == [True, False, False, True]
    assert result.messages[1].payload == bytes(range(256)) * 40


def test_context_takeover_matters() -> None:
    """With takeover the second message refers back to the first: decoding it as if the
    window had been reset must fail, which proves the parser keeps the window."""
    extension = WsDeflate(False, False, 15, 15)
    data = b"".join(
        WsFrame(WsOpcode.TEXT, text.encode()).serialize(mask=True, extensions=[extension])
        for text in ("A fairly long repeated sentence.", "A fairly long repeated sentence.")
    )
    right = parse_stream(data, deflate=DeflateParams())
    assert [m.text for m in right.messages] == ["A fairly long repeated sentence."] * 2
    wrong = parse_stream(data, deflate=DeflateParams(client_no_context_takeover=True))
    assert "decompression-failed" in {v.code for v in wrong.violations}


@pytest.mark.parametrize("no_context_takeover", [False, True])
def test_wsproto_client_messages(no_context_takeover: bool) -> None:
    extension = WsprotoDeflate(client_no_context_takeover=no_context_takeover)
    extension.finalize(
        "permessage-deflate" + ("; client_no_context_takeover" if no_context_takeover else "")
    )
    client = FrameProtocol(client=True, extensions=[extension])
    data = b"".join(bytes(client.send_data(text)) for text in MESSAGES)
    data += bytes(client.send_data(b"\x00" * 100000))
    data += bytes(client.close(1000, "done"))
    params = DeflateParams(client_no_context_takeover=no_context_takeover)
    result = parse_stream(data, deflate=params)
    assert result.violations == ()
    assert [m.text for m in result.messages[:-1]] == MESSAGES
    assert result.messages[-1].payload == b"\x00" * 100000
    assert result.frames[-1].close_code == 1000


@pytest.mark.parametrize("no_context_takeover", [False, True])
def test_compressed_frames_we_build_are_read_by_wsproto(no_context_takeover: bool) -> None:
    deflater = Deflater(no_context_takeover=no_context_takeover)
    extension = WsprotoDeflate()
    extension.finalize(
        "permessage-deflate" + ("; client_no_context_takeover" if no_context_takeover else "")
    )
    server = FrameProtocol(client=False, extensions=[extension])
    key = b"\xaa\xbb\xcc\xdd"
    data = b"".join(
        Frame(Opcode.TEXT, deflater.compress(text.encode()), rsv1=True).serialize(key)
        for text in MESSAGES
    )
    server.receive_bytes(data)
    assert [frame.payload for frame in server.received_frames()] == MESSAGES


def test_deflate_bomb_is_a_violation_with_bounded_memory() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    bomb = compressor.compress(b"\x00" * (64 << 20)) + compressor.flush(zlib.Z_SYNC_FLUSH)
    bomb = bomb[:-4]
    assert len(bomb) < 100_000
    data = Frame(Opcode.BINARY, bomb, rsv1=True).serialize(b"\x01\x02\x03\x04")
    data += Frame(Opcode.TEXT, Deflater().compress(b"after"), rsv1=True).serialize(b"1234")
    apply_mask(bytes(1 << 16), b"1234")  # imports numpy (when installed) before measuring
    tracemalloc.start()
    result = parse_stream(data, deflate=DeflateParams(), max_message_size=1 << 20, keep=64)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8 << 20
    codes = [(v.code, v.frame) for v in result.violations]
    assert ("message-too-big", 0) in codes
    # The bomb's window is lost (context takeover), so the next message says so.
    assert ("decompression-failed", 1) in codes


def test_inflater_budget() -> None:
    deflater = Deflater()
    inflater = Inflater()
    inflater.begin_message()
    compressed = deflater.compress(b"x" * 1000)
    with pytest.raises(MessageTooBig):
        inflater.feed(compressed, 999)
    fresh = Inflater(no_context_takeover=True)
    fresh.begin_message()
    assert fresh.feed(Deflater().compress(b"x" * 1000), 1000) + fresh.end_message(0) == b"x" * 1000
