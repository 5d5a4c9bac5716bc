"""The native ``apply_mask`` against the pure-Python masking and websockets' C masking: every
length around the 8-, 16- and 64-byte strides, every alignment of the input, every offset."""

from __future__ import annotations

import os
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flaskscope.frames import frame as frame_module
from flaskscope.frames.frame import apply_mask, mask_pure_python


def test_every_length_and_alignment(native: ModuleType) -> None:
    from websockets.speedups import apply_mask as websockets_mask

    data = os.urandom(300 + 16)
    key = os.urandom(4)
    for start in range(16):  # the buffer's address modulo 16
        for length in range(300):
            piece = memoryview(data)[start : start + length]
            expected = websockets_mask(bytes(piece), key)
            assert native.apply_mask(piece, key) == expected, (start, length)
            assert mask_pure_python(piece, key) == expected, (start, length)


@pytest.mark.parametrize("size", [64 * 1024 - 1, 64 * 1024, (1 << 20) + 7])
def test_large_payloads_released_from_the_gil(native: ModuleType, size: int) -> None:
    data = os.urandom(size)
    key = os.urandom(4)
    assert native.apply_mask(data, key) == mask_pure_python(data, key)
    assert native.apply_mask(bytearray(data), key) == mask_pure_python(data, key)


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=2000), key=st.binary(min_size=4, max_size=4), offset=st.integers(0, 7)
)
def test_offsets_match_the_pure_python_path(
    native: ModuleType, data: bytes, key: bytes, offset: int
) -> None:
    shift = offset % 4
    rotated = key[shift:] + key[:shift]
    assert apply_mask(data, key, offset) == mask_pure_python(data, rotated)
    assert native.apply_mask(data, rotated) == mask_pure_python(data, rotated)


def test_the_native_engine_unmasks_frames(native: ModuleType) -> None:
    assert frame_module._native_mask is native.apply_mask


def test_a_key_that_is_not_four_bytes_is_refused(native: ModuleType) -> None:
    with pytest.raises(ValueError, match="4 bytes"):
        native.apply_mask(b"abc", b"12345")
