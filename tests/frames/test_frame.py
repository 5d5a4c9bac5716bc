"""Frames: RFC 6455 §5.7 examples byte for byte, and frames made by websockets and wsproto."""

from __future__ import annotations

import os

import pytest
from websockets.frames import Close
from websockets.frames import Frame as WsFrame
from websockets.frames import Opcode as WsOpcode
from websockets.streams import StreamReader
from wsproto.frame_protocol import FrameProtocol

from flaskscope.frames import frame as frames_module
from flaskscope.frames.capture import parse_stream
from flaskscope.frames.close_codes import CloseCode, close_code_name, close_code_problem
from flaskscope.frames.frame import (
    Frame,
    FrameBuildError,
    FrameHeader,
    Opcode,
    apply_mask,
    parse_header,
)
from tests.conftest import load_vectors

RFC_EXAMPLES = load_vectors("frames_rfc6455.json")


@pytest.mark.parametrize("example", RFC_EXAMPLES, ids=[e["name"] for e in RFC_EXAMPLES])
def test_rfc6455_section_5_7_examples(example: dict[str, object]) -> None:
    """The bytes printed in RFC 6455 §5.7, parsed field by field."""
    data = bytes.fromhex(str(example["hex"]))
    result = parse_stream(data)
    assert result.complete
    assert result.violations == ()
    expected_frames = example["frames"]
    assert isinstance(expected_frames, list)
    assert len(result.frames) == len(expected_frames)
    for record, expected in zip(result.frames, expected_frames, strict=True):
        header = record.header
        assert header.opcode_name == expected["opcode"]
        assert header.fin == expected["fin"]
        assert header.payload_length == expected["length"]
        assert header.length_encoding == expected["encoding"]
        assert (header.mask_key.hex() if header.mask_key else None) == expected.get("mask")
        if "payload" in expected:
            assert record.payload == expected["payload"].encode()
    if "message" in example:
        assert [m.payload for m in result.messages] == [example["message"].encode()]


def test_rfc_example_rebuilt_byte_for_byte() -> None:
    """A masked "Hello" with key 37fa213d is exactly the RFC's bytes (§5.7)."""
    built = Frame(Opcode.TEXT, b"Hello").serialize(bytes.fromhex("37fa213d"))
    assert built.hex() == "818537fa213d7f9f4d5158"
    assert Frame(Opcode.TEXT, b"Hello").serialize().hex() == "810548656c6c6f"


def test_256_byte_and_64k_headers_from_rfc() -> None:
    """§5.7: 256 bytes in one unmasked binary message -> 0x82 0x7E 0x0100; 64 KiB -> 0x7F."""
    assert Frame(Opcode.BINARY, bytes(256)).serialize()[:4] == bytes.fromhex("827e0100")
    assert Frame(Opcode.BINARY, bytes(65536)).serialize()[:10] == bytes.fromhex(
        "827f0000000000010000"
    )
    for prefix, size in (("827e0100", 256), ("827f0000000000010000", 65536)):
        payload = os.urandom(size)
        result = parse_stream(bytes.fromhex(prefix) + payload)
        assert result.violations == ()
        assert result.frames[0].payload == payload
        assert result.frames[0].header.header_length == len(prefix) // 2


def _websockets_parse(data: bytes, *, mask: bool) -> list[WsFrame]:
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    frames = []
    while True:
        parser = WsFrame.parse(reader.read_exact, mask=mask)
        try:
            next(parser)
        except StopIteration as stop:
            frames.append(stop.value)
            continue
        except EOFError:
            return frames
        return frames


BOUNDARIES = [0, 1, 125, 126, 127, 65535, 65536, 70000]


@pytest.mark.parametrize("size", BOUNDARIES)
@pytest.mark.parametrize("mask", [True, False])
def test_websockets_frames_of_every_length_encoding(size: int, mask: bool) -> None:
    payload = os.urandom(size)
    data = WsFrame(WsOpcode.BINARY, payload).serialize(mask=mask)
    result = parse_stream(data, role="client" if mask else "server")
    assert result.violations == ()
    (record,) = result.frames
    assert record.payload == payload
    assert record.header.length_encoding == (7 if size <= 125 else 16 if size <= 65535 else 64)
    assert record.header.header_length == len(data) - size
    if mask:
        assert record.header.mask_key == data[record.header.header_length - 4 :][:4]


@pytest.mark.parametrize("size", BOUNDARIES)
def test_flaskscope_frames_parsed_by_websockets(size: int) -> None:
    payload = os.urandom(size)
    key = os.urandom(4)
    data = Frame(Opcode.BINARY, payload).serialize(key)
    (frame,) = _websockets_parse(data, mask=True)
    assert frame.data == payload
    assert frame.opcode == WsOpcode.BINARY
    assert frame.fin


@pytest.mark.parametrize(
    ("code", "reason"), [(1000, ""), (1001, "going"), (1011, "héllo"), (3000, "x"), (4999, "")]
)
def test_websockets_close_frames(code: int, reason: str) -> None:
    data = WsFrame(WsOpcode.CLOSE, Close(code, reason).serialize()).serialize(mask=True)
    result = parse_stream(data)
    assert result.violations == ()
    (record,) = result.frames
    assert record.close_code == code
    assert record.close_reason == reason


def test_wsproto_messages_fragmented_with_control_interleaved() -> None:
    client = FrameProtocol(client=True, extensions=[])
    data = (
        bytes(client.send_data("Hé", fin=False))
        + bytes(client.ping(b"are you there"))
        + bytes(client.send_data("llo ☃", fin=True))
        + bytes(client.send_data(b"\x00\x01" * 40000, fin=True))
        + bytes(client.close(1000, "done"))
    )
    result = parse_stream(data)
    assert result.violations == ()
    assert [f.header.opcode_name for f in result.frames] == [
        "text",
        "ping",
        "continuation",
        "binary",
        "close",
    ]
    assert result.frames[1].payload == b"are you there"
    assert [m.opcode_name for m in result.messages] == ["text", "binary"]
    assert result.messages[0].text == "Héllo ☃"
    assert result.messages[0].frames == (0, 2)
    assert result.messages[1].payload == b"\x00\x01" * 40000
    assert result.frames[4].close_code == CloseCode.NORMAL_CLOSURE
    assert result.frames[4].close_reason == "done"


def test_wsproto_parses_what_flaskscope_builds() -> None:
    server = FrameProtocol(client=False, extensions=[])
    key = bytes.fromhex("01020304")
    data = b"".join(
        (
            Frame(Opcode.TEXT, "Grüße".encode(), fin=False).serialize(key),
            Frame(Opcode.CONTINUATION, b" from flaskscope").serialize(key),
            Frame(Opcode.BINARY, bytes(range(256)) * 300).serialize(key),
            Frame(Opcode.CLOSE, b"\x03\xe8bye").serialize(key),
        )
    )
    server.receive_bytes(data)
    frames = list(server.received_frames())
    assert frames[0].payload == "Grüße"
    assert frames[1].payload == " from flaskscope"
    assert frames[2].payload == bytes(range(256)) * 300
    assert frames[3].payload == (1000, "bye")


def test_apply_mask_matches_websockets_speedups_at_any_offset() -> None:
    from websockets.speedups import apply_mask as ws_apply_mask

    key = os.urandom(4)
    for size in (0, 1, 3, 4, 5, 17, 100, 4096, 70001):
        data = os.urandom(size)
        whole = apply_mask(data, key)
        assert whole == ws_apply_mask(data, key)
        split = size // 3
        assert apply_mask(data[:split], key) + apply_mask(data[split:], key, split) == whole


@pytest.mark.parametrize("size", [1, 4, 7, 1023, 1024, 4096, 65536, 65541])
def test_every_masking_method_matches_websockets(size: int) -> None:
    """Big integer, strided translate and (when installed) numpy all give the C result."""
    from websockets.speedups import apply_mask as ws_apply_mask

    data = os.urandom(size)
    key = os.urandom(4)
    expected = ws_apply_mask(data, key)
    assert frames_module._mask_int(data, key) == expected
    assert bytes(frames_module._mask_translate(data, key)) == expected
    numpy = frames_module._find_numpy()
    if numpy is not None:
        assert frames_module._mask_numpy(numpy, data, key) == expected
        assert frames_module._mask_numpy(numpy, memoryview(data), key) == expected


def test_mask_key_must_be_four_bytes() -> None:
    with pytest.raises(FrameBuildError):
        apply_mask(b"abc", b"123")


def test_parse_header_asks_for_more_bytes() -> None:
    assert parse_header(b"") == 2
    assert parse_header(b"\x81") == 1
    assert parse_header(b"\x81\xfe") == 6  # 2 length bytes + 4 key bytes
    assert parse_header(b"\x82\x7f\x00") == 7
    header = parse_header(b"\x82\x7e\x01\x00")
    assert isinstance(header, FrameHeader)
    assert header.payload_length == 256


@pytest.mark.parametrize(
    ("code", "name", "sendable"),
    [
        (1000, "Normal Closure", True),
        (1004, "Reserved", False),
        (1005, "No Status Rcvd", False),
        (1006, "Abnormal Closure", False),
        (1011, "Internal Error", True),
        (1015, "TLS Handshake", False),
        (1016, "Reserved for the protocol", False),
        (2999, "Reserved for the protocol", False),
        (3000, "Registered for libraries and frameworks", True),
        (4999, "Private use", True),
        (5000, "Not a close code", False),
        (999, "Not a close code", False),
    ],
)
def test_close_codes(code: int, name: str, sendable: bool) -> None:
    assert close_code_name(code) == name
    assert (close_code_problem(code) is None) == sendable
    # websockets agrees on which codes may appear in a Close frame.
    from websockets.exceptions import ProtocolError

    try:
        Close(code, "").check()
        websockets_ok = True
    except ProtocolError:
        websockets_ok = False
    assert websockets_ok == sendable


def test_wsproto_close_code_names_agree() -> None:
    from wsproto.frame_protocol import CloseReason

    for reason in CloseReason:
        assert CloseCode(reason.value).value == reason.value


@pytest.mark.parametrize("opcode", [0, 1, 2, 8, 9, 10])
@pytest.mark.parametrize("rsv1", [False, True])
@pytest.mark.parametrize("fin", [False, True])
def test_no_frame_of_a_defined_opcode_looks_like_an_http_head(
    opcode: int, rsv1: bool, fin: bool
) -> None:
    """The capture's HTTP head detection can only be fooled by reserved opcodes."""
    from flaskscope.frames.capture import find_http_head

    payload = b" / HTTP/1.1\r\nHost: x\r\n\r\n"
    for key in (None, b"ET /"):
        data = Frame(opcode, payload, fin=fin, rsv1=rsv1).serialize(key)
        assert find_http_head(data) is None


def test_http_heads_are_found() -> None:
    from flaskscope.frames.capture import HttpHead, find_http_head

    response = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"
    found = find_http_head(response + b"\x81\x00")
    assert isinstance(found, HttpHead)
    assert (found.kind, found.head, found.role) == ("response", response, "server")
    request = b"GET /chat HTTP/1.1\nHost: x\n\n"
    found = find_http_head(request + b"\x81\x80")
    assert isinstance(found, HttpHead)
    assert (found.kind, found.length, found.role) == ("request", len(request), "client")
    partial = b"HTTP/1.1 101 Switching\r\nUpgr"
    assert find_http_head(partial) == len(partial)  # more bytes needed


def test_xor_tables_map_every_byte() -> None:
    for key in (0, 1, 0x5A, 0xFF):
        assert frames_module._XOR_TABLES[key] == bytes(value ^ key for value in range(256))
