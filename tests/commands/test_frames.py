"""``parse-frame`` and ``build-frame`` through the CLI: exit codes, messages, JSON, pipes."""

from __future__ import annotations

import base64
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from websockets.extensions import Extension as WsExtension
from websockets.extensions.permessage_deflate import PerMessageDeflate as WsDeflate
from websockets.frames import Frame as WsFrame
from websockets.frames import Opcode as WsOpcode
from websockets.streams import StreamReader
from websockets.typing import ExtensionName
from wsproto.extensions import Extension as WsprotoExtension
from wsproto.extensions import PerMessageDeflate as WsprotoDeflate
from wsproto.frame_protocol import FrameProtocol, ParseFailed, RsvBits

from flaskscope.commands.frames_input import decode_hex
from flaskscope.errors import InputError
from flaskscope.frames.builder import build_frames
from flaskscope.frames.capture import parse_stream
from flaskscope.frames.deflate import Deflater
from flaskscope.frames.frame import Opcode
from flaskscope.frames.violations import SUBPROTOCOL_VIOLATIONS
from flaskscope.subprotocols.detect import SUBPROTOCOL_CHOICES
from tests.conftest import run_cli, run_json
from tests.profiles import examples

RFC_MASKED_HELLO = "81 85 37 fa 21 3d 7f 9f 4d 51 58"
SAMPLES = Path(__file__).parent.parent.parent / "samples"


def _websockets_frames(data: bytes, *, mask: bool) -> list[WsFrame]:
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    frames = []
    while True:
        try:
            next(WsFrame.parse(reader.read_exact, mask=mask))
        except StopIteration as stop:
            frames.append(stop.value)
        except EOFError:
            return frames


# -- parse-frame -------------------------------------------------------------------------


def test_parse_rfc_example() -> None:
    result = run_cli("parse-frame", RFC_MASKED_HELLO)
    assert result.exit_code == 0, result.stderr
    assert "Hello" in result.stdout
    assert "37fa213d" in result.stdout
    assert "role: client (auto: the first frame is masked)" in result.stdout
    assert "complete, no violations" in result.stdout


@pytest.mark.parametrize(
    "spelling",
    [
        "818537fa213d7f9f4d5158",
        "81:85:37:fa:21:3d:7f:9f:4d:51:58",
        "0x81 0x85 0x37 0xfa 0x21 0x3d 0x7f 0x9f 0x4d 0x51 0x58",
        "\\x81\\x85\\x37\\xfa\\x21\\x3d\\x7f\\x9f\\x4d\\x51\\x58",
        "8185 37fa\n213d\n7f9f4d5158\n",
    ],
)
def test_hex_spellings(spelling: str) -> None:
    document = run_json("parse-frame", spelling)
    assert document["frames"][0]["text"] == "Hello"
    assert document["frames"][0]["mask_key"] == "37fa213d"


def test_json_fields_for_the_rfc_example() -> None:
    document = run_json("parse-frame", RFC_MASKED_HELLO)
    (frame,) = document["frames"]
    assert frame == {
        **frame,
        "index": 0,
        "offset": 0,
        "fin": True,
        "rsv1": False,
        "rsv2": False,
        "rsv3": False,
        "opcode": 1,
        "opcode_name": "text",
        "masked": True,
        "mask_key": "37fa213d",
        "payload_length": 5,
        "length_encoding": 7,
        "header_length": 6,
        "payload_hex": b"Hello".hex(),
        "text": "Hello",
        "close_code": None,
        "close_reason": None,
    }
    (message,) = document["messages"]
    assert message["opcode_name"] == "text"
    assert message["frames"] == [0]
    assert message["compressed"] is False
    assert message["payload_hex"] == b"Hello".hex()
    assert message["text"] == "Hello"
    assert document["violations"] == []
    assert document["complete"] is True
    assert document["bytes_needed"] == 0


def test_base64_input() -> None:
    data = bytes.fromhex(RFC_MASKED_HELLO.replace(" ", ""))
    document = run_json("parse-frame", "--base64", base64.b64encode(data).decode())
    assert document["messages"][0]["text"] == "Hello"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("parse-frame", "81 8"), "odd number"),
        (("parse-frame", "zz"), "not hex"),
        (("parse-frame", "--base64", "a$b"), "not base64"),
    ],
)
def test_undecodable_input_exits_2(args: tuple[str, ...], fragment: str) -> None:
    result = run_cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert fragment in result.stderr


def test_violation_exits_1_with_code_and_section() -> None:
    result = run_cli("parse-frame", "--role", "server", "a1 00")
    assert result.exit_code == 1
    assert "reserved-bits" in result.stdout
    assert "RFC 6455 §5.2" in result.stdout
    document = run_json("parse-frame", "--role", "server", "a1 00", code=1)
    assert document["violations"] == [
        {
            "code": "reserved-bits",
            "frame": 0,
            "rfc": "RFC 6455 §5.2",
            "message": document["violations"][0]["message"],
        }
    ]


def test_truncated_stream_reports_bytes_needed() -> None:
    document = run_json("parse-frame", "81 05 48 65", code=1)
    assert document["complete"] is False
    assert document["bytes_needed"] == 3
    assert [v["code"] for v in document["violations"]] == ["truncated"]
    result = run_cli("parse-frame", "81 05 48 65")
    assert "3 more bytes needed" in result.stdout


def test_huge_declared_length_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.bin"
    path.write_bytes(bytes.fromhex("827f7fffffffffffffff") + b"\x00" * 100)
    document = run_json("parse-frame", "--file", str(path), code=1)
    assert document["bytes_needed"] == (1 << 63) - 1 - 100
    assert document["frames"][0]["payload_length"] == (1 << 63) - 1


def test_raw_stdin_and_hex_stdin() -> None:
    data = bytes.fromhex(RFC_MASKED_HELLO.replace(" ", ""))
    raw = run_json("parse-frame", "-", input=data)
    assert raw["messages"][0]["text"] == "Hello"
    detected = run_json("parse-frame", input=RFC_MASKED_HELLO + "\n")
    assert detected["messages"][0]["text"] == "Hello"
    forced_raw = run_json("parse-frame", "--raw", input="8100", code=1)
    assert forced_raw["frames"][0]["rsv2"] is True  # '8' = 0x38: the text read as bytes


def test_terminal_escapes_in_payload_are_escaped() -> None:
    hex_data = build_frames(Opcode.TEXT, b"\x1b[2Jgotcha\x1b]0;title\x07").data.hex()
    result = run_cli("parse-frame", hex_data)
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert "\\x1b[2Jgotcha" in result.stdout


def test_summary(tmp_path: Path) -> None:
    client = FrameProtocol(client=True, extensions=[])
    data = b"".join(
        bytes(part)
        for part in (
            client.send_data("one"),
            client.send_data(b"\x00" * 70000),
            client.ping(),
            client.close(1000),
        )
    )
    path = tmp_path / "capture.bin"
    path.write_bytes(data)
    document = run_json("parse-frame", "--file", str(path), "--summary")
    assert document["frames"] == []
    assert document["summary"]["frames"] == {
        "total": 4,
        "text": 1,
        "binary": 1,
        "ping": 1,
        "close": 1,
    }
    assert document["summary"]["messages"]["total"] == 2
    assert document["summary"]["stream_bytes"] == len(data)
    human = run_cli("parse-frame", "--file", str(path), "--summary")
    assert human.exit_code == 0
    assert "binary" in human.stdout
    assert "complete, no violations" in human.stdout


def _compressed_client_stream() -> bytes:
    extension = WsDeflate(False, True, 15, 15)
    return b"".join(
        WsFrame(WsOpcode.TEXT, text.encode()).serialize(mask=True, extensions=[extension])
        for text in ("compressed hello", "compressed hello again")
    )


def test_deflate_options(tmp_path: Path) -> None:
    path = tmp_path / "deflate.bin"
    path.write_bytes(_compressed_client_stream())
    without = run_json("parse-frame", "--file", str(path), code=1)
    # Without the extension RSV1 is unexplained, and the compressed bytes are not UTF-8.
    assert {v["code"] for v in without["violations"]} == {"reserved-bits", "invalid-utf8"}
    for options in (
        ("--deflate",),
        ("--deflate-params", "permessage-deflate; client_no_context_takeover"),
        ("--handshake", str(SAMPLES / "frames-handshake-response.http")),
    ):
        document = run_json("parse-frame", "--file", str(path), *options)
        assert [m["text"] for m in document["messages"]] == [
            "compressed hello",
            "compressed hello again",
        ]
        assert all(m["compressed"] for m in document["messages"])


def test_handshake_without_deflate_means_rsv1_is_a_violation(tmp_path: Path) -> None:
    response = tmp_path / "response.http"
    response.write_bytes(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
    )
    path = tmp_path / "deflate.bin"
    path.write_bytes(_compressed_client_stream())
    document = run_json("parse-frame", "--file", str(path), "--handshake", str(response), code=1)
    assert "reserved-bits" in {v["code"] for v in document["violations"]}


def test_bad_deflate_params_exit_2() -> None:
    result = run_cli("parse-frame", "--deflate-params", "permessage-deflate; bogus=1", "8100")
    assert result.exit_code == 2
    assert "bogus" in result.stderr


def test_deflate_bomb_sample_is_a_violation() -> None:
    result = run_cli(
        "parse-frame",
        "--file",
        str(SAMPLES / "frames-bomb.bin"),
        "--deflate",
        "--max-message-size",
        "1048576",
        "--summary",
    )
    assert result.exit_code == 1
    assert "message-too-big" in result.stdout


def test_max_bytes_limits_the_dump() -> None:
    hex_data = build_frames(Opcode.BINARY, bytes(range(200))).data.hex()
    document = run_json("parse-frame", "--max-bytes", "10", hex_data)
    assert document["frames"][0]["payload_hex"] == bytes(range(10)).hex()
    assert document["frames"][0]["payload_truncated"] is True
    result = run_cli("parse-frame", "--max-bytes", "10", hex_data)
    assert "190 more payload bytes" in result.stdout


@pytest.mark.parametrize("option", ["--json", "--json-lines"])
def test_json_carries_the_whole_unmasked_payload(tmp_path: Path, option: str) -> None:
    """Issue 4: ``payload_hex`` (unmasked) per frame; --max-bytes is for people unless given."""
    payload = bytes(range(256)) * 8
    text = "é" * 700
    data = WsFrame(WsOpcode.BINARY, payload).serialize(mask=True) + WsFrame(
        WsOpcode.TEXT, text.encode()
    ).serialize(mask=True)
    path = tmp_path / "client.bin"
    path.write_bytes(data)
    result = run_cli("parse-frame", "--file", str(path), option)
    assert result.exit_code == 0, result.stderr
    if option == "--json":
        frames = json.loads(result.stdout)["frames"]
    else:
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        frames = [line for line in lines if line["type"] == "frame"]
    assert bytes.fromhex(frames[0]["payload_hex"]) == payload
    assert frames[0]["payload_truncated"] is False
    assert frames[1]["text"] == text
    cut = run_json("parse-frame", "--file", str(path), "--max-bytes", "10")
    assert cut["frames"][0]["payload_hex"] == payload[:10].hex()
    assert cut["frames"][0]["payload_truncated"] is True
    limited = run_json("parse-frame", "--file", str(path), "--max-message-size", "1000", code=1)
    assert limited["frames"][0]["payload_hex"] == payload[:1000].hex()
    assert limited["frames"][0]["payload_truncated"] is True


def test_samples_parse_as_documented() -> None:
    rfc = run_json("parse-frame", "--hex", "--file", str(SAMPLES / "frames-rfc.hex"))
    assert [m["text"] for m in rfc["messages"]] == ["Hello", "Hello"]
    bad = run_json("parse-frame", "--hex", "--file", str(SAMPLES / "frames-bad.hex"), code=1)
    assert {v["code"] for v in bad["violations"]} >= {
        "reserved-bits",
        "reserved-opcode",
        "invalid-utf8",
        "non-minimal-length",
        "unexpected-continuation",
        "invalid-close-code",
        "data-after-close",
        "truncated",
    }
    client = run_json("parse-frame", "--file", str(SAMPLES / "frames-client.bin"))
    assert client["role"] == "client"
    assert client["violations"] == []


# -- build-frame -------------------------------------------------------------------------


def test_build_rfc_example() -> None:
    result = run_cli("build-frame", "--text", "Hello", "--mask-key", "37fa213d")
    assert result.exit_code == 0
    assert result.stdout == "818537fa213d7f9f4d5158\n"
    unmasked = run_cli("build-frame", "--text", "Hello")
    assert unmasked.stdout == "810548656c6c6f\n"


def test_build_close_is_read_by_websockets_and_wsproto() -> None:
    result = run_cli("build-frame", "--close-code", "1001", "--reason", "bye", "--mask")
    data = decode_hex(result.stdout)
    (frame,) = _websockets_frames(data, mask=True)
    assert frame.opcode == WsOpcode.CLOSE
    assert frame.data == b"\x03\xe9bye"
    server = FrameProtocol(client=False, extensions=[])
    server.receive_bytes(data)
    assert next(server.received_frames()).payload == (1001, "bye")


def test_build_fragments_read_by_websockets() -> None:
    result = run_cli(
        "build-frame", "--text", "Hello, fragmented world", "--fragment", "3", "--mask"
    )
    frames = _websockets_frames(decode_hex(result.stdout), mask=True)
    assert [f.opcode for f in frames] == [WsOpcode.TEXT, WsOpcode.CONT, WsOpcode.CONT]
    assert [f.fin for f in frames] == [False, False, True]
    assert b"".join(f.data for f in frames) == b"Hello, fragmented world"


def test_build_compressed_read_by_wsproto() -> None:
    result = run_cli("build-frame", "--text", "squeeze me " * 20, "--compress", "--mask")
    extension = WsprotoDeflate()
    extension.finalize("permessage-deflate")
    server = FrameProtocol(client=False, extensions=[extension])
    server.receive_bytes(decode_hex(result.stdout))
    assert next(server.received_frames()).payload == "squeeze me " * 20


def test_build_formats_and_json(tmp_path: Path) -> None:
    raw = run_cli("build-frame", "--payload-hex", "0102", "--format", "raw")
    assert raw.stdout_bytes == b"\x82\x02\x01\x02"
    b64 = run_cli("build-frame", "--payload-hex", "0102", "--format", "base64")
    assert base64.b64decode(b64.stdout) == b"\x82\x02\x01\x02"
    payload = tmp_path / "payload.bin"
    payload.write_bytes(b"\x00" * 300)
    document = run_json("build-frame", "--payload-file", str(payload), "--length-encoding", "64")
    assert document["hex"].startswith("827f000000000000012c")
    assert document["frames"][0]["opcode_name"] == "binary"


def test_raw_to_a_terminal_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import flaskscope.commands.frames_build as commands

    monkeypatch.setattr(commands, "stdout_is_terminal", lambda: True)
    result = run_cli("build-frame", "--text", "x", "--format", "raw")
    assert result.exit_code == 2
    assert "redirect" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("build-frame", "--text", "a", "--payload-hex", "00"),
        ("build-frame", "--reason", "no code"),
        ("build-frame", "--mask-key", "0102"),
        ("build-frame", "--opcode", "16"),
        ("build-frame", "--opcode", "bogus"),
        ("build-frame", "--mask", "--mask-key", "01020304"),
    ],
)
def test_build_usage_errors(args: tuple[str, ...]) -> None:
    result = run_cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Error" in result.stderr


def test_built_violations_are_found() -> None:
    """build-frame crafts broken frames on purpose; parse-frame names what is wrong."""
    rsv = run_cli("build-frame", "--text", "x", "--rsv2")
    assert "reserved-bits" in run_cli("parse-frame", rsv.stdout.strip()).stdout
    long_len = run_cli("build-frame", "--text", "x", "--length-encoding", "16")
    assert "non-minimal-length" in run_cli("parse-frame", long_len.stdout.strip()).stdout
    ping = run_cli("build-frame", "--opcode", "ping", "--no-fin")
    assert "fragmented-control" in run_cli("parse-frame", ping.stdout.strip()).stdout


def test_pipe_build_into_parse() -> None:
    built = run_cli("build-frame", "--text", "piped", "--mask")
    document = run_json("parse-frame", input=built.stdout)
    assert document["messages"][0]["text"] == "piped"


@settings(max_examples=examples(150))
@given(
    opcode=st.sampled_from([Opcode.TEXT, Opcode.BINARY]),
    payload=st.binary(max_size=3000),
    text=st.text(max_size=300),
    fragments=st.integers(1, 5),
    key=st.one_of(st.none(), st.binary(min_size=4, max_size=4)),
    compress=st.booleans(),
)
def test_round_trip_build_then_parse(
    opcode: Opcode,
    payload: bytes,
    text: str,
    fragments: int,
    key: bytes | None,
    compress: bool,
) -> None:
    from flaskscope.handshake.deflate_negotiation import DeflateParams

    message = text.encode("utf-8", "surrogatepass") if opcode == Opcode.TEXT else payload
    try:
        message.decode("utf-8")
        valid_text = True
    except UnicodeDecodeError:
        valid_text = False
    built = build_frames(
        opcode,
        message,
        fragments=fragments,
        mask_keys=[key] * fragments,
        deflater=Deflater() if compress else None,
    )
    result = parse_stream(built.data, deflate=DeflateParams() if compress else None)
    (parsed,) = result.messages
    assert parsed.payload == message
    assert parsed.frame_count == fragments
    codes = {v.code for v in result.violations}
    if opcode == Opcode.TEXT and not valid_text:
        assert codes == {"invalid-utf8"}
    else:
        assert codes == set()
        if opcode == Opcode.TEXT:
            assert parsed.text == text
    if not compress:
        frames = _websockets_frames(built.data, mask=key is not None)
        assert b"".join(frame.data for frame in frames) == message


def test_decode_hex_errors() -> None:
    with pytest.raises(InputError):
        decode_hex("abc")
    assert decode_hex("0xAB 0Xcd \\xef") == b"\xab\xcd\xef"


_SPELLINGS = ("{:02x}", "{:02X}", "0x{:02x}", "0X{:02X}", "\\x{:02x}", "\\X{:02x}")


@settings(max_examples=examples(200))
@given(
    data=st.binary(max_size=200),
    spellings=st.lists(st.sampled_from(_SPELLINGS), min_size=1),
    separators=st.lists(st.sampled_from([" ", ":", ",", "\n", "\t", "  ", " :\r\n"]), min_size=1),
    chunk=st.integers(1, 64),
)
def test_decode_hex_in_chunks_gives_the_bytes(
    data: bytes, spellings: list[str], separators: list[str], chunk: int
) -> None:
    """Bytes written the ways people paste hex decode back to the same bytes (checked with
    ``bytes.hex``), whatever the chunk size cuts through."""
    from unittest import mock

    text = "".join(
        separators[i % len(separators)] + spellings[i % len(spellings)].format(byte)
        for i, byte in enumerate(data)
    )
    assert bytes.fromhex(data.hex()) == data
    with mock.patch("flaskscope.commands.frames_input.HEX_CHUNK", chunk):
        assert decode_hex(text) == data
        if data:
            with pytest.raises(InputError, match="odd number"):
                decode_hex(text + " a")
            with pytest.raises(InputError, match="unexpected character 'g'"):
                decode_hex(text + " g0")


def test_decode_hex_memory_is_a_small_multiple_of_the_text() -> None:
    """Spaced hex (3 characters a byte) used to peak at ~22x the text in ``re.sub``."""
    import tracemalloc

    data = bytes(range(256)) * (4 << 10)
    text = data.hex(" ")
    tracemalloc.start()
    try:
        decoded = decode_hex(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert decoded == data
    assert peak < len(text), (peak, len(text))


def test_json_is_one_object() -> None:
    result = run_cli("parse-frame", "--json", RFC_MASKED_HELLO)
    assert json.loads(result.stdout)["complete"] is True


def test_big_file_is_read_in_chunks(tmp_path: Path) -> None:
    """A 256 MiB frame (a sparse file) is parsed with a few MiB of Python memory."""
    import struct
    import tracemalloc

    size = 256 << 20
    path = tmp_path / "big.bin"
    with path.open("wb") as handle:
        handle.write(b"\x82\x7f" + struct.pack("!Q", size - 10))
        handle.truncate(size)
    tracemalloc.start()
    try:
        document = run_json(
            "parse-frame", "--file", str(path), "--summary", "--max-message-size", str(size)
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20
    assert document["complete"] is True
    assert document["summary"]["stream_bytes"] == size
    assert document["summary"]["messages"] == {"total": 1, "binary": 1}


_PEAK_RSS = """
import resource, sys
from flaskscope.cli import main
try:
    main()
finally:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _json_peak_kib(path: Path, frames: int, out: Path) -> int:
    """Peak RSS (KiB, Linux) of a fresh ``parse-frame --json`` over ``frames`` unmasked
    "Hello" frames (RFC 6455 §5.7) then ``frames // 2`` stray continuations (violations)."""
    hello = WsFrame(WsOpcode.TEXT, b"Hello").serialize(mask=False)
    stray = b"\x00\x00"
    path.write_bytes(hello * frames + stray * (frames // 2))
    with out.open("wb") as stdout:
        done = subprocess.run(
            [sys.executable, "-c", _PEAK_RSS, "parse-frame", "--file", str(path), "--json"],
            stdout=stdout,
            stderr=subprocess.PIPE,
            check=False,
        )
    assert done.returncode == 1, done.stderr
    return int(done.stderr.split()[-1])


def test_json_memory_does_not_grow_with_frames(tmp_path: Path) -> None:
    """--json writes frames as they are parsed: 10x the frames, about the same peak memory
    (it used to keep every record: ~7.6 KiB per 7-byte frame)."""
    small = _json_peak_kib(tmp_path / "small.bin", 5_000, tmp_path / "small.json")
    big = _json_peak_kib(tmp_path / "big.bin", 50_000, tmp_path / "big.json")
    assert big - small < 16 << 10, (small, big)
    document = json.loads((tmp_path / "big.json").read_text())
    assert len(document["frames"]) == 75_000
    assert document["frames"][-1]["offset"] == 50_000 * 7 + 24_999 * 2
    assert [message["text"] for message in document["messages"]] == ["Hello"] * 50_000
    assert document["summary"]["violations"]["total"] == 25_000
    assert {violation["code"] for violation in document["violations"]} == {
        "unexpected-continuation"
    }
    assert len(document["violations"]) + document["violations_omitted"] == 25_000


def _server_capture(*, extensions: str | None, line_end: bytes = b"\r\n") -> bytes:
    head = [
        b"HTTP/1.1 101 Switching Protocols",
        b"Upgrade: websocket",
        b"Connection: Upgrade",
        b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
    ]
    if extensions is not None:
        head.append(b"Sec-WebSocket-Extensions: " + extensions.encode())
    extension = WsDeflate(False, False, 15, 15)
    frames = b"".join(
        WsFrame(WsOpcode.TEXT, text.encode()).serialize(mask=False, extensions=[extension])
        for text in ("from the server", "again from the server")
    )
    return line_end.join([*head, b"", b""]) + frames


@pytest.mark.parametrize("line_end", [b"\r\n", b"\n"])
def test_capture_with_http_response_head(tmp_path: Path, line_end: bytes) -> None:
    """A raw TCP stream (Wireshark "Follow TCP Stream") starts with the 101 response: it is
    skipped, its Sec-WebSocket-Extensions gives the deflate parameters, the role is server."""
    data = _server_capture(extensions="permessage-deflate", line_end=line_end)
    path = tmp_path / "capture.bin"
    path.write_bytes(data)
    document = run_json("parse-frame", "--file", str(path))
    head_length = data.index(line_end * 2) + 2 * len(line_end)
    assert document["http_head"] == {"kind": "response", "length": head_length}
    assert document["role"] == "server"
    assert document["role_source"] == "http-head"
    assert document["frames"][0]["offset"] == head_length
    assert [m["text"] for m in document["messages"]] == [
        "from the server",
        "again from the server",
    ]
    human = run_cli("parse-frame", "--file", str(path))
    assert "skipped the HTTP response head" in human.stdout
    assert "the capture starts with an HTTP response head" in human.stdout


def test_capture_head_without_deflate_and_explicit_options(tmp_path: Path) -> None:
    path = tmp_path / "capture.bin"
    path.write_bytes(_server_capture(extensions=None))
    plain = run_json("parse-frame", "--file", str(path), code=1)
    assert "reserved-bits" in {v["code"] for v in plain["violations"]}
    forced = run_json("parse-frame", "--file", str(path), "--deflate", "--role", "server")
    assert forced["role_source"] == "option"
    assert forced["violations"] == []


def test_capture_with_http_request_head() -> None:
    request = (
        b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    )
    client = FrameProtocol(client=True, extensions=[])
    data = request + bytes(client.send_data("hello server"))
    document = run_json("parse-frame", "-", input=data)
    assert document["http_head"]["kind"] == "request"
    assert document["role"] == "client"
    assert document["messages"][0]["text"] == "hello server"


def test_unterminated_http_head_exits_2() -> None:
    result = run_cli("parse-frame", "-", input=b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: w")
    assert result.exit_code == 2
    assert "blank line" in result.stderr


def test_json_lines_stream_the_same_records_as_json() -> None:
    data = (
        build_frames(Opcode.TEXT, "héllo wörld".encode(), fragments=3).data
        + bytes.fromhex("8a00")
        + build_frames(Opcode.TEXT, b"\xc3\x28").data
        + bytes.fromhex("880203e8")
    ).hex()
    document = run_json("parse-frame", data, code=1)
    result = run_cli("parse-frame", "--json-lines", data)
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    by_type: dict[str, list[dict[str, object]]] = {}
    for line in lines:
        by_type.setdefault(str(line.pop("type")), []).append(line)
    assert by_type["frame"] == document["frames"]
    assert by_type["message"] == document["messages"]
    assert by_type["violation"] == document["violations"]
    (end,) = by_type["end"]
    assert end["complete"] is True
    assert end["summary"] == document["summary"]
    assert lines[-1] is end  # the end record comes last


def test_json_and_json_lines_together_is_a_usage_error() -> None:
    result = run_cli("parse-frame", "--json", "--json-lines", "8100")
    assert result.exit_code == 2


class _RecordingWsExtension(WsExtension):
    """A websockets extension that claims the RSV bits and remembers the frames it saw."""

    name = ExtensionName("x-flaskscope-test")

    def __init__(self) -> None:
        self.seen: list[WsFrame] = []

    def decode(self, frame: WsFrame, *, max_size: int | None = None) -> WsFrame:
        self.seen.append(frame)
        return dataclasses.replace(frame, rsv1=False, rsv2=False, rsv3=False)

    def encode(self, frame: WsFrame) -> WsFrame:
        return frame


class _RecordingWsprotoExtension(WsprotoExtension):
    """A wsproto extension that claims the RSV bits it is shown and remembers them."""

    name = "x-flaskscope-test"

    def __init__(self) -> None:
        self.seen: list[RsvBits] = []

    def enabled(self) -> bool:
        return True

    def offer(self) -> bool:
        return True

    def frame_inbound_header(
        self, proto: object, opcode: object, rsv: RsvBits, payload_length: int
    ) -> RsvBits:
        self.seen.append(rsv)
        return rsv


@pytest.mark.parametrize(
    ("flag", "bits", "first_byte"),
    [("--rsv1", (True, False, False), 0xC1), ("--rsv3", (False, False, True), 0x91)],
)
def test_build_rsv_bits_in_the_bytes(
    flag: str, bits: tuple[bool, bool, bool], first_byte: int
) -> None:
    """RFC 6455 §5.2: FIN is 0x80, RSV1 0x40, RSV2 0x20, RSV3 0x10; text is opcode 0x1."""
    result = run_cli("build-frame", "--text", "x", flag, "--format", "hex")
    assert result.exit_code == 0
    data = bytes.fromhex(result.stdout.strip())
    assert data[0] == first_byte
    assert data[1:] == b"\x01x"
    # websockets reads the bits and hands them to the negotiated extension (it refuses them
    # without one: "reserved bits must be 0").
    ws_extension = _RecordingWsExtension()
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    parsing = WsFrame.parse(reader.read_exact, mask=False, extensions=[ws_extension])
    with pytest.raises(StopIteration):
        next(parsing)
    (seen,) = ws_extension.seen
    assert (seen.rsv1, seen.rsv2, seen.rsv3) == bits
    assert seen.fin
    assert seen.opcode == WsOpcode.TEXT
    assert seen.data == b"x"
    # wsproto: without an extension the bit is a protocol error; with one it is shown.
    plain = FrameProtocol(client=True, extensions=[])
    plain.receive_bytes(data)
    with pytest.raises(ParseFailed, match="Reserved bit"):
        list(plain.received_frames())
    wsproto_extension = _RecordingWsprotoExtension()
    claimed = FrameProtocol(client=True, extensions=[wsproto_extension])
    claimed.receive_bytes(data)
    (frame,) = claimed.received_frames()
    assert frame.payload == "x"
    (rsv,) = wsproto_extension.seen
    assert tuple(rsv) == bits
    parsed = run_json("parse-frame", result.stdout.strip(), code=1)
    assert (parsed["frames"][0]["rsv1"], parsed["frames"][0]["rsv3"]) == (bits[0], bits[2])
    assert parsed["violations"][0]["code"] == "reserved-bits"


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (("parse-frame", "-"), b""),
        (("parse-frame",), b""),
        (("parse-frame", ""), None),
        (("parse-frame", " : "), None),
        (("parse-frame", "--file", "EMPTY"), None),
        (("parse-frame", "--file", "EMPTY", "--hex"), None),
        (("parse-frame", "--summary", "-"), b""),
        (("parse-frame", "--json", "-"), b""),
        (("parse-frame", "--json-lines", "-"), b""),
    ],
)
def test_empty_input_exits_2(tmp_path: Path, args: tuple[str, ...], stdin: bytes | None) -> None:
    """An empty capture is a broken pipeline upstream, not a clean stream."""
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    result = run_cli(*(str(empty) if arg == "EMPTY" else arg for arg in args), input=stdin)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "Error: no bytes to parse\n"


@pytest.mark.parametrize(
    ("args", "limit"),
    [
        (("--text", "x", "--fragment", "100000000"), "at most 1"),
        (("--text", "hello", "--fragment", "6", "--mask"), "at most 5"),
        (("--fragment", "2"), "at most 1"),
    ],
)
def test_build_fragment_count_capped(args: tuple[str, ...], limit: str) -> None:
    """More frames than payload bytes is refused at once (it used to hang on 10^8)."""
    result = run_cli("build-frame", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: --fragment ")
    assert limit in result.stderr
    assert result.stderr.count("\n") == 1


def test_build_one_frame_per_byte_is_allowed() -> None:
    built = run_cli("build-frame", "--text", "hello", "--fragment", "5", "--format", "hex")
    assert built.exit_code == 0
    protocol = FrameProtocol(client=True, extensions=[])
    protocol.receive_bytes(bytes.fromhex(built.stdout.strip()))
    frames = list(protocol.received_frames())
    assert [frame.payload for frame in frames] == ["h", "e", "l", "l", "o"]
    assert [frame.message_finished for frame in frames] == [False] * 4 + [True]


def test_human_view_shows_the_first_frames_and_counts_the_rest(tmp_path: Path) -> None:
    """--max-frames N: N frames in full; the rest are parsed, counted and their violations
    listed (a stray continuation, §5.4, after 150 websockets frames)."""
    frames = [WsFrame(WsOpcode.TEXT, f"m{n}".encode()).serialize(mask=False) for n in range(150)]
    path = tmp_path / "server.bin"
    path.write_bytes(b"".join(frames) + b"\x00\x00")
    result = run_cli("parse-frame", "--file", str(path), "--max-frames", "100", "--no-color")
    assert result.exit_code == 1
    out = result.stdout
    assert "frame 99 at offset" in out
    assert "frame 100 at offset" not in out
    assert "text: m99" in out
    assert "text: m100" not in out
    assert "51 more frames and 50 messages parsed, not shown (--max-frames 100" in out
    assert "unexpected-continuation (RFC 6455 §5.4, frame 150)" in out
    assert "151 frames, 150 messages" in out
    every = run_cli("parse-frame", "--file", str(path), "--max-frames", "0", "--no-color")
    assert "text: m149" in every.stdout
    assert "not shown" not in every.stdout
    default = run_cli("parse-frame", "--file", str(path), "--no-color")
    assert default.stdout == out


@pytest.mark.parametrize("subprotocol", ["auto", "none"])
def test_past_the_shown_frames_a_message_begun_among_them_is_still_shown(
    tmp_path: Path, subprotocol: str
) -> None:
    """95 messages, one in 5,000 fragments (frames 95-5094: it begins among the 100 shown and
    is still open when the parser has read thousands of frames), 100 more and a stray
    continuation (§5.4): past frame 100 the parser only counts, but not before that message is
    whole; the hidden counts are what arithmetic says."""
    text = [WsFrame(WsOpcode.TEXT, f"m{n}".encode()) for n in range(95)]
    pieces = [WsFrame(WsOpcode.TEXT, b"start", fin=False)]
    pieces += [WsFrame(WsOpcode.CONT, b"p", fin=False) for _ in range(4998)]
    pieces += [WsFrame(WsOpcode.CONT, b"end")]
    later = [WsFrame(WsOpcode.TEXT, b"x") for _ in range(100)]
    data = b"".join(frame.serialize(mask=False) for frame in [*text, *pieces, *later])
    path = tmp_path / "server.bin"
    path.write_bytes(data + b"\x00\x00")
    result = run_cli("parse-frame", "--file", str(path), "--subprotocol", subprotocol, "--no-color")
    assert result.exit_code == 1
    out = result.stdout.replace(",", "")
    assert "=> message 95 text 5006 bytes from frames 95 96 97" in out  # shown, whole
    assert "frame 100 at offset" not in out
    assert "5096 more frames and 100 messages parsed not shown (--max-frames 100" in out
    assert "5196 frames 196 messages" in out
    assert "unexpected-continuation (RFC 6455 §5.4 frame 5195)" in out


def build_frame_bytes(payload: bytes) -> str:
    """A server's binary frame carrying ``payload``, as hex, written by websockets."""
    return WsFrame(WsOpcode.BINARY, payload).serialize(mask=False).hex()


def test_human_view_lists_at_most_200_violations(tmp_path: Path) -> None:
    path = tmp_path / "strays.bin"
    path.write_bytes(b"\x00\x00" * 250)
    result = run_cli("parse-frame", "--file", str(path), "--role", "server", "--no-color")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    verdict = "250 frames, 0 messages, 500 bytes: complete, 250 violations (50 not listed)"
    assert lines[0] == verdict  # the verdict first, the first five violations under it
    assert [line.split()[1] for line in lines[1:6]] == ["unexpected-continuation"] * 5
    assert lines[6] == "  ... the other violations are listed with their frames below"
    assert result.stdout.count("! unexpected-continuation") == 200 + 5
    assert lines[-1] == verdict


def test_human_view_speaks_in_the_singular_for_one() -> None:
    one_frame = run_cli("parse-frame", "81 01 41", "--no-color")  # one text frame, one byte
    assert one_frame.stdout.splitlines()[0] == (
        "1 frame, 1 message, 3 bytes: complete, no violations"
    )
    assert "1 byte from frame 0" in one_frame.stdout
    short = run_cli("parse-frame", "81 02 41", "--no-color")  # one payload byte missing
    assert short.stdout.splitlines()[0] == (
        "1 frame, 1 message, 3 bytes: incomplete (1 more byte needed), 1 violation"
    )


def test_max_bytes_0_shows_every_byte_like_max_frames_0_shows_every_frame() -> None:
    payload = bytes(range(256)) * 2
    data = build_frame_bytes(payload)
    capped = run_cli("parse-frame", data, "--max-bytes", "16", "--no-color").stdout
    assert "496 more payload bytes (--max-bytes 16; 0 shows all)" in capped
    everything = run_cli("parse-frame", data, "--max-bytes", "0", "--no-color").stdout
    assert "more payload bytes" not in everything
    assert "  000001f0  f0 f1 f2 f3" in everything  # the last row of the 512-byte payload


def test_max_message_size_0_is_no_limit() -> None:
    data = build_frame_bytes(b"x" * 300)
    limited = run_json("parse-frame", data, "--max-message-size", "100", code=1)
    assert [v["code"] for v in limited["violations"]] == ["message-too-big"]
    unlimited = run_json("parse-frame", data, "--max-message-size", "0")
    assert unlimited["violations"] == []


@settings(max_examples=examples(100))
@given(
    data=st.binary(min_size=1, max_size=400),
    role=st.sampled_from(["client", "server", "auto"]),
)
def test_streamed_json_is_one_object_agreeing_with_the_parser(data: bytes, role: str) -> None:
    """Random bytes: the streamed --json document parses as one object whose lists are what
    the in-memory parser (``parse_stream``) finds."""
    from flaskscope.captures import CaptureKind, detect_kind

    assume(detect_kind(data) is CaptureKind.STREAM)  # a pcap/HAR magic is sent to `scan`
    result = run_cli("parse-frame", "--raw", "-", "--role", role, "--json", input=data)
    assert result.exit_code in (0, 1), result.stderr
    document = json.loads(result.stdout)
    assume(document["http_head"] is None)  # an HTTP start line: the frames begin after it
    expected = parse_stream(data, role=role).to_json()
    for message in document["messages"]:  # what --subprotocol auto adds (tests/subprotocols)
        assert message.pop("subprotocol") in SUBPROTOCOL_CHOICES
        assert "decoded" in message
        message.pop("decoded")
    subprotocol_codes = [v for v in document["violations"] if v["code"] in SUBPROTOCOL_VIOLATIONS]
    for violation in subprotocol_codes:
        document["violations"].remove(violation)
        counts = document["summary"]["violations"]
        counts[violation["code"]] -= 1
        counts["total"] -= 1
        if not counts[violation["code"]]:
            del counts[violation["code"]]
    for key in ("frames", "messages", "violations", "complete", "bytes_needed", "summary"):
        assert document[key] == expected[key], key
    assert document["violations_omitted"] == 0
    clean = document["complete"] and not document["violations"] and not subprotocol_codes
    assert result.exit_code == (0 if clean else 1)
