"""Counting simple frames fast: the counts-only parser's skim over a chunk.

:meth:`flaskscope.frames.stream.FrameParser._skim` hands each chunk here. Whole, final,
unfragmented binary and text frames that lie entirely in the chunk, masked as the role requires
(RFC 6455 §5.1), with minimal lengths (§5.2) and, for text, valid UTF-8 (§8.1), are counted; the
first frame that is anything else stops the skim, and the general parser reads it from its first
byte. With the native engine (:mod:`flaskscope._speedups`) the loop is C (``_native.skim``: no
Python object per frame, text unmasked into a scratch buffer and validated in place);
:func:`skim_python` is the same loop for the pure-Python engine, and the tests hold the two to
the same answers.
"""

from __future__ import annotations

import codecs
import struct
from collections.abc import Callable

from flaskscope import _speedups
from flaskscope.frames.frame import MAX_64BIT_LENGTH, apply_mask

__all__ = ["skim", "skim_python"]

_U16 = struct.Struct("!H")
_U64 = struct.Struct("!Q")
_utf_8_decode = codecs.utf_8_decode

Counts = tuple[int, int, int, int]
"""(position of the first frame not counted, binary frames, text frames, payload bytes)."""


def skim_python(
    view: bytes | memoryview, position: int, size: int, masked: bool, max_size: int
) -> Counts:
    """The skim in Python: see the module docstring."""
    mask_bit = 0x80 if masked else 0
    header_extra = 4 if mask_bit else 0
    binary = text = payload_bytes = 0
    while size - position >= 2:
        first = view[position]
        second = view[position + 1]
        if second & 0x80 != mask_bit or (first != 0x82 and first != 0x81):
            break
        length = second & 0x7F
        if length < 126:
            header_length = 2 + header_extra
        elif length == 126:
            header_length = 4 + header_extra
            if size - position < header_length:
                break
            (length,) = _U16.unpack_from(view, position + 2)
            if length < 126:
                break
        else:
            header_length = 10 + header_extra
            if size - position < header_length:
                break
            (length,) = _U64.unpack_from(view, position + 2)
            if length <= 0xFFFF or length > MAX_64BIT_LENGTH:
                break
        end = position + header_length + length
        if end > size or length > max_size:
            break
        if first == 0x82:
            binary += 1
        else:
            body = position + header_length
            if mask_bit:
                data = apply_mask(view[body:end], bytes(view[body - 4 : body]))
            else:
                data = bytes(view[body:end])
            if not data.isascii():
                try:
                    _utf_8_decode(data, "strict", True)
                except UnicodeDecodeError:
                    break
            text += 1
        payload_bytes += length
        position = end
    return position, binary, text, payload_bytes


NativeSkim = Callable[[bytes | memoryview, int, bool, int], Counts]
Skim = Callable[[bytes | memoryview, int, int, bool, int], Counts]


def _native_skim(function: NativeSkim) -> Skim:
    """The C skim (``_native.skim``) behind :func:`skim_python`'s signature."""

    def skim_native(
        view: bytes | memoryview, position: int, size: int, masked: bool, max_size: int
    ) -> Counts:
        # size is len(view), as the parser always passes it; C reads the length itself.
        return function(view, position, masked, min(max_size, MAX_64BIT_LENGTH))

    return skim_native


skim: Skim = skim_python if _speedups.native is None else _native_skim(_speedups.native.skim)
"""The engine's skim."""
