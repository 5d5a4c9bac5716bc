"""Counting simple frames fast: the counts-only parser's skim over a chunk.

:meth:`flaskscope.frames.stream.FrameParser._skim` hands each chunk here. Whole, final,
unfragmented binary and text frames (when ``data``: outside a message, records off) and Ping and
Pong frames (they change no state, §5.5) that lie entirely in the chunk, masked as the role
requires (RFC 6455 §5.1), with minimal lengths (§5.2), at most 125 bytes in a control frame
(§5.5) and, for text, valid UTF-8 (§8.1), are counted; the first frame that is anything else
stops the skim, and the general parser reads it from its first byte. With the native engine
(:mod:`flaskscope._speedups`) the loop is C (``_native.skim``: no Python object per frame, text
unmasked into a scratch buffer and validated in place); :func:`skim_python` is the same loop for
the pure-Python engine, and the tests hold the two to the same answers. :func:`tally_python`
(``_native.tally``) counts the frames that change no state once no violation is reported.
"""

from __future__ import annotations

import codecs
import struct
from collections.abc import Callable

from flaskscope import _speedups
from flaskscope.frames.frame import MAX_64BIT_LENGTH, apply_mask

__all__ = ["count_copies", "skim", "skim_python", "tally", "tally_python"]

REPEAT_BLOCK = 64 * 1024
"""Copies are compared against the unit doubled up to about this size at a time."""

_U16 = struct.Struct("!H")
_U64 = struct.Struct("!Q")
_utf_8_decode = codecs.utf_8_decode

Counts = tuple[int, int, int, int, int, int]
"""(position of the first frame not counted, binary, text, ping and pong frames, payload
bytes)."""


def skim_python(
    view: bytes | memoryview,
    position: int,
    size: int,
    masked: bool,
    max_size: int,
    data: bool = True,
) -> Counts:
    """The skim in Python: see the module docstring."""
    mask_bit = 0x80 if masked else 0
    header_extra = 4 if mask_bit else 0
    binary = text = ping = pong = payload_bytes = 0
    while size - position >= 2:
        first = view[position]
        second = view[position + 1]
        if second & 0x80 != mask_bit:
            break
        length = second & 0x7F
        if first == 0x89 or first == 0x8A:
            end = position + 2 + header_extra + length
            if length > 125 or end > size:
                break
            if first == 0x89:
                ping += 1
            else:
                pong += 1
            payload_bytes += length
            position = end
            continue
        if not data or (first != 0x82 and first != 0x81):
            break
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
                payload = apply_mask(view[body:end], bytes(view[body - 4 : body]))
            else:
                payload = bytes(view[body:end])
            if not payload.isascii():
                try:
                    _utf_8_decode(payload, "strict", True)
                except UnicodeDecodeError:
                    break
            text += 1
        payload_bytes += length
        position = end
    return position, binary, text, ping, pong, payload_bytes


Tally = tuple[int, dict[int, int], int]
"""(position of the first frame not counted, {first byte | mask bit << 1: frames}, payload
bytes)."""


def tally_python(
    view: bytes | memoryview, position: int, continuation: bool, probe_http: bool
) -> Tally:
    """Frames that change no parser state, counted by what their violations depend on, for the
    counts-only parser once it reports no more violations: any opcode but text, binary and
    Close (continuation only with ``continuation``: no message in progress, §5.4), a 7-bit
    length (at most 125), whole in the view; with ``probe_http``, not a first byte where an
    HTTP line may start ('A'-'Z', '<'). What a frame like that breaks depends only on its
    first byte and its mask bit (and the parser's state, which such frames leave as it was).
    With the native engine the loop is C (``_native.tally``)."""
    size = len(view)
    buckets: dict[int, int] = {}
    payload_bytes = 0
    while size - position >= 2:
        first = view[position]
        second = view[position + 1]
        opcode = first & 0x0F
        if opcode in (1, 2, 8) or (opcode == 0 and not continuation):
            break
        if probe_http and (0x41 <= first <= 0x5A or first == 0x3C):
            break
        length = second & 0x7F
        end = position + (6 if second & 0x80 else 2) + length
        if length > 125 or end > size:
            break
        key = first | (second & 0x80) << 1
        buckets[key] = buckets.get(key, 0) + 1
        payload_bytes += length
        position = end
    return position, buckets, payload_bytes


def count_copies(
    view: bytes | memoryview, position: int, size: int, unit: bytes
) -> tuple[int, int]:
    """How many byte-identical copies of ``unit`` follow at ``position`` (and where the first
    byte that is not one is), compared in blocks that double while they match and halve where
    they stop: a few comparisons per 64 KiB of copies."""
    block, copies, count = unit, 1, 0
    while True:
        end = position + len(block)
        if end <= size and view[position:end] == block:
            position = end
            count += copies
            if len(block) < REPEAT_BLOCK:
                block += block
                copies *= 2
        elif copies > 1:
            copies //= 2
            block = block[: len(unit) * copies]
        else:
            return position, count


NativeSkim = Callable[[bytes | memoryview, int, bool, int, bool], Counts]
Skim = Callable[[bytes | memoryview, int, int, bool, int, bool], Counts]


def _native_skim(function: NativeSkim) -> Skim:
    """The C skim (``_native.skim``) behind :func:`skim_python`'s signature."""

    def skim_native(
        view: bytes | memoryview,
        position: int,
        size: int,
        masked: bool,
        max_size: int,
        data: bool = True,
    ) -> Counts:
        # size is len(view), as the parser always passes it; C reads the length itself.
        return function(view, position, masked, min(max_size, MAX_64BIT_LENGTH), data)

    return skim_native


skim: Skim = skim_python if _speedups.native is None else _native_skim(_speedups.native.skim)
"""The engine's skim."""

tally: Callable[[bytes | memoryview, int, bool, bool], Tally] = (
    tally_python if _speedups.native is None else _speedups.native.tally
)
"""The engine's tally."""
