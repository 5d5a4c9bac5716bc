"""The native frame skim and UTF-8 check against their pure-Python twins.

``_native.utf8_valid`` must accept exactly what Python's strict UTF-8 decoder accepts, on both
of its paths (AVX2 and portable C) and with the masking key applied as it reads: every pair of
bytes at each offset around the AVX2 path's 32-byte blocks, every 3- and 4-byte sequence with a
lead of 3 bytes or more, and random text with errors; ``_native.skim`` must stop at the
same frame with the same counts as :func:`flaskscope.frames.skim.skim_python` on random streams
of frames (simple and not, masked and not, minimal lengths and not, valid and broken text),
``_native.tally`` the same as :func:`~flaskscope.frames.skim.tally_python` on random tiny frames,
and a whole counts-only parse must report the same on both engines.
"""

from __future__ import annotations

import os
import random
import struct
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flaskscope.frames import stream as stream_module
from flaskscope.frames.capture import parse_stream
from flaskscope.frames.frame import Frame, Opcode
from flaskscope.frames.skim import skim_python, tally_python
from tests.profiles import examples


def _python_valid(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _masked(data: bytes, key: bytes) -> bytes:
    return bytes(byte ^ key[index & 3] for index, byte in enumerate(data))


PATHS = pytest.mark.parametrize("simd", [True, False], ids=["avx2-if-any", "portable"])


def test_avx2_is_used_where_the_cpu_has_it(native: ModuleType, cpu_flags: set[str]) -> None:
    assert native.features()["avx2"] == ("avx2" in cpu_flags)


@PATHS
def test_every_pair_of_bytes_at_the_block_edges(native: ModuleType, simd: bool) -> None:
    """A pair at the start, across the 32-byte block edge, at the end of a block and of the
    payload: where the vector code looks back into the previous block or pads the tail."""
    check = native.utf8_valid
    for first in range(256):
        for second in range(256):
            pair = bytes((first, second))
            expected = _python_valid(pair)
            for before, after in ((0, 0), (0, 40), (30, 0), (31, 1), (63, 33), (62, 0)):
                data = b"a" * before + pair + b"b" * after
                assert check(data, simd=simd) == expected, (data, simd)


@PATHS
def test_every_long_sequence(native: ModuleType, simd: bool) -> None:
    rng = random.Random(8)
    check = native.utf8_valid
    for lead in range(0xE0, 0x100):
        for second in range(0x70, 0xD0):
            for third in (0x00, 0x7F, 0x80, 0xBF, 0xC0):
                for fourth in (b"", b"\x80", b"\xbf", b"A"):
                    sequence = bytes((lead, second, third)) + fourth
                    expected = _python_valid(sequence)
                    for before in (0, 29, 30, 31, 32):
                        data = b"x" * before + sequence
                        assert check(data, simd=simd) == expected, (data, simd)
                        key = rng.randbytes(4)
                        masked = _masked(data, key)
                        assert check(masked, mask=key, simd=simd) == expected, (data, key)


PIECES = [b"a", b"\xc3\xa9", b"\xe2\x98\x83", b"\xf0\x9f\x98\x80"]
BROKEN = [b"\x80", b"\xc3", b"\xe2\x98", b"\xf0\x9f", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]
BROKEN += [b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf", b"\xf8\x88\x80\x80\x80", b"\xff"]


def test_a_seeded_run_of_random_text_with_errors(native: ModuleType) -> None:
    """200,000 strings of 0-160 bytes of 1- to 4-byte characters, half with one broken
    sequence somewhere: both paths, plain and masked, agree with Python's decoder."""
    rng = random.Random(3629)
    check = native.utf8_valid
    for _ in range(200_000):
        parts = [rng.choice(PIECES) for _ in range(rng.randint(0, 40))]
        if rng.random() < 0.5:
            parts.insert(rng.randint(0, len(parts)), rng.choice(BROKEN))
        data = b"".join(parts)
        key = rng.randbytes(4)
        masked = _masked(data, key)
        expected = _python_valid(data)
        assert check(data) == expected, data
        assert check(masked, mask=key) == expected, data
        assert check(masked, mask=key, simd=False) == expected, data


@settings(max_examples=500, deadline=None)
@given(
    text=st.text(max_size=60),
    noise=st.binary(max_size=6),
    where=st.integers(min_value=0, max_value=200),
    key=st.binary(min_size=4, max_size=4),
    simd=st.booleans(),
)
def test_text_with_errors(
    native: ModuleType, text: str, noise: bytes, where: int, key: bytes, simd: bool
) -> None:
    data = text.encode("utf-8", "surrogatepass")
    where = min(where, len(data))
    broken = data[:where] + noise + data[where:]
    for sample in (data, broken):
        expected = _python_valid(sample)
        assert native.utf8_valid(sample, simd=simd) == expected
        assert native.utf8_valid(_masked(sample, key), mask=key, simd=simd) == expected


def test_a_mask_is_four_bytes(native: ModuleType) -> None:
    with pytest.raises(ValueError, match="4 bytes"):
        native.utf8_valid(b"abc", mask=b"abc")


def _frame(rng: random.Random, masked: bool) -> bytes:
    kind = rng.random()
    if kind < 0.93:
        opcode = rng.choice([Opcode.TEXT, Opcode.BINARY])
        length = rng.choice([0, 5, 125, 126, 200, 65535, 65536, 70000])
        if opcode == Opcode.TEXT:
            payload = ("é☃x" * length).encode()[:length].decode("utf-8", "ignore").encode()
            if rng.random() < 0.08:  # cut a character or break one
                payload = payload[: max(0, length - 1)] + rng.randbytes(1)
        else:
            payload = rng.randbytes(length)
        frame = Frame(opcode, payload, fin=rng.random() < 0.97)
        return frame.serialize(rng.randbytes(4) if masked != (rng.random() < 0.05) else None)
    if kind < 0.95:  # a non-minimal length: 16-bit for a short payload
        header = bytes((0x82, 126 | (0x80 if masked else 0))) + struct.pack("!H", 10)
        return header + (rng.randbytes(4) if masked else b"") + bytes(10)
    if kind < 0.97:  # a 64-bit length too big for anything
        return bytes((0x82, 127 | (0x80 if masked else 0))) + struct.pack("!Q", 1 << 63)
    control = Frame(rng.choice([Opcode.PING, Opcode.PONG]), rng.randbytes(rng.choice([0, 4, 125])))
    if rng.random() < 0.1:  # too long for a control frame (§5.5)
        control = Frame(Opcode.PING, bytes(126))
    return control.serialize(rng.randbytes(4) if masked else None)


@pytest.mark.parametrize("seed", range(40))
def test_the_skims_agree_on_random_streams(native: ModuleType, seed: int) -> None:
    rng = random.Random(seed)
    masked = seed % 2 == 0
    frames = [_frame(rng, masked) for _ in range(rng.randint(1, 30))]
    data = b"".join(frames)
    boundaries = [sum(map(len, frames[:index])) for index in range(len(frames))]
    for cut in sorted({len(data), rng.randint(0, len(data)), rng.randint(0, len(data))}):
        piece = data[:cut]
        for start in [*boundaries, rng.randint(0, max(0, cut - 1))]:
            for max_size, with_data in ((1 << 20, True), (100, True), (0, True), (1 << 20, False)):
                expected = skim_python(piece, start, len(piece), masked, max_size, with_data)
                assert native.skim(piece, start, masked, max_size, with_data) == expected
                view = memoryview(bytearray(piece))
                assert native.skim(view, start, masked, max_size, with_data) == expected


@settings(max_examples=examples(200))
@given(
    heads=st.lists(st.tuples(st.integers(0, 255), st.integers(0, 255)), max_size=40),
    start=st.integers(0, 300),
    continuation=st.booleans(),
    probe_http=st.booleans(),
)
def test_the_tallies_agree(
    native: ModuleType,
    heads: list[tuple[int, int]],
    start: int,
    continuation: bool,
    probe_http: bool,
) -> None:
    """Any first and second byte (any opcode, mask bit and 7-bit length), a payload of the
    length the second byte says, cut anywhere: both stop at the same frame, same counts."""
    data = b"".join(
        bytes((first, second)) + os.urandom((second & 0x7F) + (4 if second & 0x80 else 0))
        for first, second in heads
    )
    data = data[: len(data) - start % 3]
    position = start % (len(data) + 1)
    expected = tally_python(data, position, continuation, probe_http)
    assert native.tally(data, position, continuation, probe_http) == expected
    assert native.tally(memoryview(bytearray(data)), position, continuation, probe_http) == (
        expected
    )


@pytest.mark.parametrize("seed", range(6))
def test_a_counts_only_parse_is_the_same_on_both_engines(
    native: ModuleType, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(seed)
    data = b"".join(_frame(rng, True) for _ in range(200)) + os.urandom(7)
    chunks = [data[start : start + 4096] for start in range(0, len(data), 4096)]
    native_result = parse_stream(chunks, role="client", keep=0, records=False)
    monkeypatch.setattr(stream_module, "skim", skim_python)
    python_result = parse_stream(chunks, role="client", keep=0, records=False)
    assert native_result.summary == python_result.summary
    assert native_result.violations == python_result.violations
