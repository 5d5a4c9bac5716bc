"""The streaming parser: every violation code, chunking, bounded memory, fuzzing."""

from __future__ import annotations

import os
import random
import tracemalloc
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.frames import Close
from websockets.frames import Frame as WsFrame
from websockets.frames import Opcode as WsOpcode
from wsproto.frame_protocol import FrameProtocol

from flaskscope.errors import FlaskscopeError
from flaskscope.frames.capture import parse_stream
from flaskscope.frames.frame import Frame, Opcode, apply_mask
from flaskscope.frames.records import FrameRecord
from flaskscope.frames.stream import FrameParser
from flaskscope.frames.violations import SUBPROTOCOL_VIOLATIONS, VIOLATION_RFC
from flaskscope.handshake.deflate_negotiation import DeflateParams
from tests.conftest import load_vectors
from tests.profiles import examples

VIOLATIONS = load_vectors("frames_violations.json")
ISSUE_CODES = {
    "reserved-bits",
    "reserved-opcode",
    "control-too-long",
    "fragmented-control",
    "unmasked-client-frame",
    "masked-server-frame",
    "non-minimal-length",
    "length-msb-set",
    "unexpected-continuation",
    "expected-continuation",
    "invalid-utf8",
    "invalid-close-code",
    "close-payload-too-short",
    "data-after-close",
    "truncated",
}


def _parse_vector(vector: dict[str, Any], **extra: Any) -> Any:
    return parse_stream(
        bytes.fromhex(vector["hex"]),
        role=vector["role"],
        deflate=DeflateParams() if vector.get("deflate") else None,
        max_message_size=vector.get("max_message_size", 1 << 24),
        max_total_decompressed=vector.get("max_total_decompressed", 1 << 28),
        **extra,
    )


def test_every_code_has_a_vector() -> None:
    assert set(VIOLATION_RFC) >= ISSUE_CODES
    frame_codes = set(VIOLATION_RFC) - set(SUBPROTOCOL_VIOLATIONS)  # tests/subprotocols
    assert {vector["code"] for vector in VIOLATIONS} == frame_codes


@pytest.mark.parametrize(
    "vector", VIOLATIONS, ids=[f"{v['code']}:{v['hex'][:20]}" for v in VIOLATIONS]
)
def test_violation_vectors(vector: dict[str, Any]) -> None:
    result = _parse_vector(vector)
    found = [(v.code, v.frame) for v in result.violations]
    assert (vector["code"], vector["frame"]) in found, found
    violation = next(v for v in result.violations if v.code == vector["code"])
    assert violation.rfc.startswith(("RFC 6455 §", "RFC 7692 §"))
    assert violation.message
    assert not result.ok
    if "bytes_needed" in vector:
        assert result.bytes_needed == vector["bytes_needed"]
        assert not result.complete


@pytest.mark.parametrize(
    "vector", VIOLATIONS, ids=[f"{v['code']}:{v['hex'][:20]}" for v in VIOLATIONS]
)
def test_violation_vectors_byte_by_byte(vector: dict[str, Any]) -> None:
    """Feeding one byte at a time finds exactly the same things."""
    data = bytes.fromhex(vector["hex"])
    whole = _parse_vector(vector)
    split = parse_stream(
        [data[i : i + 1] for i in range(len(data))],
        role=vector["role"],
        deflate=DeflateParams() if vector.get("deflate") else None,
        max_message_size=vector.get("max_message_size", 1 << 24),
        max_total_decompressed=vector.get("max_total_decompressed", 1 << 28),
    )
    assert split == whole


def test_websockets_agrees_these_frames_are_bad() -> None:
    """The crafted frames for the header rules are refused by websockets too."""
    from websockets.exceptions import ProtocolError
    from websockets.streams import StreamReader

    for vector in VIOLATIONS:
        if vector["code"] not in {
            "reserved-opcode",
            "masked-server-frame",
            "unmasked-client-frame",
            "control-too-long",
            "fragmented-control",
        }:
            continue
        reader = StreamReader()
        reader.feed_data(bytes.fromhex(vector["hex"]))
        reader.feed_eof()
        parser = WsFrame.parse(reader.read_exact, mask=vector["role"] == "client")
        with pytest.raises(ProtocolError):
            next(parser)


def test_huge_declared_length_allocates_nothing() -> None:
    data = bytes.fromhex("827f7fffffffffffffff") + b"x" * 1000
    tracemalloc.start()
    result = parse_stream(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1 << 20
    assert result.bytes_needed == (1 << 63) - 1 - 1000
    # Refused on its header (over the 16 MiB default limit), then cut short.
    assert [v.code for v in result.violations] == ["message-too-big", "truncated"]
    assert result.frames[0].received == 1000


def test_large_payload_in_chunks_keeps_only_what_is_asked() -> None:
    size = 8 << 20
    payload = os.urandom(size)
    data = WsFrame(WsOpcode.BINARY, payload).serialize(mask=True)
    chunks = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    apply_mask(bytes(1 << 16), b"1234")  # imports numpy (when installed) before measuring
    tracemalloc.start()
    result = parse_stream(chunks, keep=100)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 2 << 20
    assert result.frames[0].payload == payload[:100]
    assert result.messages[0].length == size
    assert result.ok
    counted = parse_stream(chunks, keep=0)
    assert counted.messages[0].length == size
    assert counted.messages[0].payload == b""
    too_big = parse_stream(chunks, keep=0, max_message_size=size - 1)
    assert [v.code for v in too_big.violations] == ["message-too-big"]
    summary_only = parse_stream(chunks, keep=0, records=False, max_message_size=size - 1)
    assert summary_only.violations == too_big.violations
    assert summary_only.summary == too_big.summary


def test_control_frames_after_close_are_not_data() -> None:
    """§5.5.1 forbids data frames after Close; a pong (or the peer's echo) is not one."""
    result = parse_stream(bytes.fromhex("880203e8" + "8a00" + "820100"), role="server")
    assert [(v.code, v.frame) for v in result.violations] == [("data-after-close", 2)]


def test_role_auto_from_first_frame_and_mixed_masking() -> None:
    key = b"\x01\x02\x03\x04"
    data = Frame(Opcode.TEXT, b"a").serialize(key) + Frame(Opcode.TEXT, b"b").serialize()
    result = parse_stream(data)
    assert (result.role, result.role_detected) == ("client", True)
    assert [(v.code, v.frame) for v in result.violations] == [("unmasked-client-frame", 1)]
    given_role = parse_stream(data, role="server")
    assert (given_role.role, given_role.role_detected) == ("server", False)
    assert [v.code for v in given_role.violations] == ["masked-server-frame"]


def test_summary_mode_counts_without_records() -> None:
    client = FrameProtocol(client=True, extensions=[])
    data = b"".join(
        bytes(part)
        for part in (
            client.send_data("a" * 300),
            client.send_data(b"b" * 70000),
            client.ping(b"p"),
            client.close(1000),
        )
    )
    result = parse_stream(data, keep=0, records=False)
    assert result.frames == ()
    assert result.summary.frames == {"text": 1, "binary": 1, "ping": 1, "close": 1}
    assert result.summary.messages == {"text": 1, "binary": 1}
    assert result.summary.stream_bytes == len(data)
    assert result.summary.payload_bytes == 300 + 70000 + 1 + 2
    assert result.ok


def _valid_stream(seed: int) -> bytes:
    """A mix of websockets and wsproto frames (client side, masked), the same for a seed:
    the libraries' own random masking keys are drawn from the seeded generator."""
    rng = random.Random(seed)
    with (
        mock.patch("websockets.frames.secrets.token_bytes", rng.randbytes),
        mock.patch("wsproto.frame_protocol.os.urandom", rng.randbytes),
    ):
        return _mixed_frames(rng)


def _mixed_frames(rng: random.Random) -> bytes:
    client = FrameProtocol(client=True, extensions=[])
    parts: list[bytes] = []
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(["text", "binary", "fragmented", "ping", "ws"])
        size = rng.choice([0, 5, 125, 126, 300, 65535, 65536])
        if kind == "text":
            parts.append(bytes(client.send_data("é" * (size // 2))))
        elif kind == "binary":
            parts.append(bytes(client.send_data(rng.randbytes(size))))
        elif kind == "fragmented":
            parts.append(bytes(client.send_data("€uro", fin=False)))
            parts.append(bytes(client.pong(b"interleaved")))
            parts.append(bytes(client.send_data("s" * size, fin=True)))
        elif kind == "ping":
            parts.append(bytes(client.ping(rng.randbytes(min(size, 125)))))
        else:
            parts.append(WsFrame(WsOpcode.BINARY, rng.randbytes(size)).serialize(mask=True))
    parts.append(WsFrame(WsOpcode.CLOSE, Close(1001, "bye").serialize()).serialize(mask=True))
    return b"".join(parts)


@settings(max_examples=examples(60))
@given(seed=st.integers(0, 2**32), cuts=st.lists(st.integers(1, 200_000), max_size=20))
def test_random_chunk_sizes_give_the_same_result(seed: int, cuts: list[int]) -> None:
    data = _valid_stream(seed)
    whole = parse_stream(data, keep=64)
    assert whole.ok, whole.violations
    positions = sorted({c % (len(data) + 1) for c in cuts})
    chunks = [data[a:b] for a, b in zip([0, *positions], [*positions, len(data)], strict=True)]
    assert parse_stream(chunks, keep=64) == whole


@settings(max_examples=examples(200))
@given(data=st.binary(max_size=600), role=st.sampled_from(["client", "server", "auto"]))
def test_random_bytes_never_raise(data: bytes, role: str) -> None:
    for deflate in (None, DeflateParams()):
        try:
            result = parse_stream(data, role=role, deflate=deflate, max_message_size=1 << 16)
        except FlaskscopeError:
            continue
        assert result.summary.stream_bytes == len(data)


MAX_PARTS = 4000
"""Chunks a mutated stream is cut into at most (see the test below)."""


@settings(max_examples=examples(150))
@given(
    seed=st.integers(0, 2**32),
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
    chunk=st.integers(1, 5000),
)
def test_mutated_streams_never_raise_and_chunking_agrees(
    seed: int, flips: list[tuple[int, int]], chunk: int
) -> None:
    data = bytearray(_valid_stream(seed))
    for position, value in flips:
        data[position % len(data)] = value
    mutated = bytes(data)
    # At most MAX_PARTS chunks: small chunks still cut every header and payload of a short
    # stream, and a 400 KB stream is no longer fed one byte at a time (88 s on a busy machine).
    chunk = max(chunk, -(-len(mutated) // MAX_PARTS))
    for deflate in (None, DeflateParams()):
        whole = parse_stream(mutated, deflate=deflate, keep=32, max_message_size=1 << 20)
        parts = [mutated[i : i + chunk] for i in range(0, len(mutated), chunk)]
        assert parse_stream(parts, deflate=deflate, keep=32, max_message_size=1 << 20) == whole
        # The --summary path (no records, nothing kept) counts exactly the same things.
        counted = parse_stream(
            parts, deflate=deflate, keep=0, records=False, max_message_size=1 << 20
        )
        assert counted.summary == whole.summary
        assert counted.violations == whole.violations


def test_feed_after_finish_is_an_error() -> None:
    parser = FrameParser()
    parser.feed(b"\x81\x00")
    parser.finish()
    with pytest.raises(FlaskscopeError):
        parser.feed(b"\x81\x00")


def test_bad_options() -> None:
    with pytest.raises(FlaskscopeError):
        FrameParser(role="browser")
    with pytest.raises(FlaskscopeError):
        FrameParser(keep=-1)


def test_records_json_fields() -> None:
    result = parse_stream(bytes.fromhex("818537fa213d7f9f4d5158"))
    frame = result.frames[0]
    assert isinstance(frame, FrameRecord)
    document = result.to_json()
    assert set(document) >= {"frames", "messages", "violations", "complete", "bytes_needed"}
    assert set(document["frames"][0]) >= {
        "index",
        "offset",
        "fin",
        "rsv1",
        "rsv2",
        "rsv3",
        "opcode",
        "opcode_name",
        "masked",
        "mask_key",
        "payload_length",
        "length_encoding",
        "header_length",
        "payload_hex",
        "text",
        "close_code",
        "close_reason",
    }
    assert set(document["messages"][0]) >= {
        "opcode_name",
        "frames",
        "compressed",
        "payload_hex",
        "text",
    }


def _compressed_stream(seed: int, no_context_takeover: bool) -> bytes:
    """websockets client messages with permessage-deflate (seeded masking keys)."""
    from websockets.extensions.permessage_deflate import PerMessageDeflate

    rng = random.Random(seed)
    extension = PerMessageDeflate(False, no_context_takeover, 15, 15)
    frames = [
        WsFrame(WsOpcode.TEXT, ("ünïcode " * rng.randint(0, 3000)).encode()),
        WsFrame(WsOpcode.BINARY, rng.randbytes(rng.randint(0, 40000)), fin=False),
        WsFrame(WsOpcode.CONT, bytes(rng.randint(0, 100000))),
        WsFrame(WsOpcode.TEXT, b"again " * rng.randint(1, 500)),
    ]
    with mock.patch("websockets.frames.secrets.token_bytes", rng.randbytes):
        return b"".join(f.serialize(mask=True, extensions=[extension]) for f in frames)


@settings(max_examples=examples(80))
@given(
    seed=st.integers(0, 2**32),
    no_context_takeover=st.booleans(),
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=4),
    chunk=st.integers(1, 70000),
    limit=st.sampled_from([1 << 10, 1 << 16, 1 << 20]),
)
def test_compressed_streams_any_chunking(
    seed: int, no_context_takeover: bool, flips: list[tuple[int, int]], chunk: int, limit: int
) -> None:
    """Inflating (also past a corrupt byte or the size limit) does not depend on chunking."""
    data = bytearray(_compressed_stream(seed, no_context_takeover))
    for position, value in flips:
        data[position % len(data)] = value
    params = DeflateParams(client_no_context_takeover=no_context_takeover)
    whole = parse_stream(bytes(data), deflate=params, keep=64, max_message_size=limit)
    if not flips and limit == 1 << 20:
        assert whole.ok, whole.violations
    parts = [bytes(data[i : i + chunk]) for i in range(0, len(data), chunk)]
    assert parse_stream(parts, deflate=params, keep=64, max_message_size=limit) == whole


def test_a_flood_of_broken_frames_keeps_memory_bounded() -> None:
    """128 KiB of zeros are 65536 empty continuation frames, each a violation: the parser
    hands them out a few thousand at a time, so they never pile up by the hundred thousand."""
    data = bytes(128 << 10)
    tracemalloc.start()
    try:
        result = parse_stream([data], keep=0, records=False, max_violations=100)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.summary.violations == {"unexpected-continuation": 65536}
    assert len(result.violations) == 100
    assert peak < 24 << 20


def test_events_come_out_in_bounded_batches_from_one_large_chunk() -> None:
    """One 1 MiB chunk of empty frames (each a violation, with a frame record) comes out in
    batches of about EVENT_BATCH events, and the batches together are what ``feed`` gives."""
    from flaskscope.frames.stream import EVENT_BATCH, FrameParser

    data = b"\x80\x00" * (1 << 19)
    batches = list(FrameParser(role="server").feed_in_slices(data))
    assert len(batches) >= (1 << 20) // EVENT_BATCH  # a frame record and a violation each
    assert max(len(batch) for batch in batches) <= EVENT_BATCH + 8
    assert [event for batch in batches for event in batch] == FrameParser(role="server").feed(data)


def test_werkzeug_http09_error_page_after_close_is_one_finding() -> None:
    """Werkzeug reads a peer's frames after the closing handshake as an HTTP/0.9 request and
    answers 400 as HTTP/0.9 (a page, no status line): one http-after-close, not a cascade."""
    from flaskscope.frames.stream import FrameParser

    page = b"<!DOCTYPE HTML>\n<html lang=en>\n<title>400 Bad Request</title>\n"
    close = b"\x88\x02\x03\xe8"
    for cut in range(len(close), len(close) + 12):  # the page split anywhere
        data = close + page
        parser = FrameParser(role="server")
        events = [*parser.feed(data[:cut]), *parser.feed(data[cut:]), *parser.finish()]
        codes = [event.code for event in events if hasattr(event, "code")]
        assert codes == ["http-after-close"], (cut, codes)
    # before any Close, "<" is a frame header like any other (reserved opcode 0xC)
    parser = FrameParser(role="server")
    codes = [e.code for e in [*parser.feed(page), *parser.finish()] if hasattr(e, "code")]
    assert "http-after-close" not in codes
    assert "reserved-opcode" in codes
