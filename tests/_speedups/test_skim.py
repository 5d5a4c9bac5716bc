"""The native frame skim and UTF-8 check against their pure-Python twins.

``_native.utf8_valid`` must accept exactly what Python's strict UTF-8 decoder accepts (every
sequence of up to three bytes, and random text with errors); ``_native.skim`` must stop at the
same frame with the same counts as :func:`flaskscope.frames.skim.skim_python` on random streams
of frames (simple and not, masked and not, minimal lengths and not, valid and broken text), and
a whole counts-only parse must report the same on both engines.
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
from flaskscope.frames.skim import skim_python


def _python_valid(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_every_short_sequence(native: ModuleType) -> None:
    for first in range(256):
        one = bytes((first,))
        assert native.utf8_valid(one) == _python_valid(one), one
        for second in range(256):
            two = bytes((first, second))
            assert native.utf8_valid(two) == _python_valid(two), two
    for lead in range(0xE0, 0xF5):
        for second in range(0x70, 0xD0):
            for third in (0x00, 0x7F, 0x80, 0xBF, 0xC0):
                three = bytes((lead, second, third))
                assert native.utf8_valid(three) == _python_valid(three), three
                four = three + b"\x80"
                assert native.utf8_valid(four) == _python_valid(four), four


@settings(max_examples=500, deadline=None)
@given(
    text=st.text(max_size=60),
    noise=st.binary(max_size=6),
    where=st.integers(min_value=0, max_value=200),
)
def test_text_with_errors(native: ModuleType, text: str, noise: bytes, where: int) -> None:
    data = text.encode("utf-8", "surrogatepass")
    where = min(where, len(data))
    broken = data[:where] + noise + data[where:]
    assert native.utf8_valid(data) == _python_valid(data)
    assert native.utf8_valid(broken) == _python_valid(broken)


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
    return Frame(Opcode.PING, b"ping").serialize(rng.randbytes(4) if masked else None)


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
            for max_size in (1 << 20, 100, 0):
                expected = skim_python(piece, start, len(piece), masked, max_size)
                assert native.skim(piece, start, masked, max_size) == expected
                view = memoryview(bytearray(piece))
                assert native.skim(view, start, masked, max_size) == expected


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
