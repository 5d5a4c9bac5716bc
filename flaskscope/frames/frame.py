"""WebSocket frames (RFC 6455 §5): opcodes, masking, header parsing, serializing.

A pure core: bytes in, frozen dataclasses out, no I/O (model: websockets' ``frames.py``).
The streaming parser that turns a captured byte stream into frames, messages and violations
lives in :mod:`flaskscope.frames.stream` (and :mod:`flaskscope.frames.capture` for whole captures);
this module holds what both it and the builder need; close status codes are in
:mod:`flaskscope.frames.close_codes`.
Masking never loops byte by byte in Python: :func:`apply_mask` XORs in C with the native engine
(:mod:`flaskscope._speedups`), else whole payloads at once (big integer, strided
``bytes.translate``, or numpy when installed).
"""

from __future__ import annotations

import enum
import importlib
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flaskscope import _speedups
from flaskscope.errors import FlaskscopeError

__all__ = [
    "MAX_CONTROL_PAYLOAD",
    "Frame",
    "FrameBuildError",
    "FrameHeader",
    "Opcode",
    "apply_mask",
    "opcode_name",
    "parse_header",
]

MAX_CONTROL_PAYLOAD = 125
"""Control frames carry at most 125 payload bytes (RFC 6455 §5.5)."""

MAX_7BIT_LENGTH = 125
"""Payload lengths up to 125 fit in the 7-bit field; 126 and 127 announce 16/64-bit (§5.2)."""

LENGTH_16BIT_MARKER = 126
LENGTH_64BIT_MARKER = 127
MAX_16BIT_LENGTH = 0xFFFF
MAX_64BIT_LENGTH = (1 << 63) - 1
"""The most significant bit of the 64-bit length MUST be 0 (§5.2)."""

MAX_HEADER_LENGTH = 14
"""2 bytes + 8 bytes of 64-bit length + 4 bytes of masking key (§5.2)."""

_U16 = struct.Struct("!H")
_U64 = struct.Struct("!Q")


class Opcode(enum.IntEnum):
    """Frame opcodes (RFC 6455 §5.2, §11.8). 3-7 and 11-15 are reserved."""

    CONTINUATION = 0x0
    TEXT = 0x1
    BINARY = 0x2
    CLOSE = 0x8
    PING = 0x9
    PONG = 0xA

    @property
    def is_control(self) -> bool:
        """Close, Ping and Pong are control frames (§5.5): short, never fragmented."""
        return self >= 0x8


_OPCODE_NAMES = tuple(
    Opcode(code).name.lower() if code in Opcode._value2member_map_ else "reserved"
    for code in range(16)
)


def opcode_name(opcode: int) -> str:
    """``continuation``, ``text``, ``binary``, ``close``, ``ping``, ``pong`` or ``reserved``."""
    return _OPCODE_NAMES[opcode] if 0 <= opcode <= 0xF else "reserved"


class FrameBuildError(FlaskscopeError):
    """A frame cannot be built from these parameters (exit 2)."""


def _mask_int(payload: bytes | bytearray | memoryview, key: bytes) -> bytes:
    """One XOR of two big integers: the fastest way for short payloads (a few C calls)."""
    length = len(payload)
    repeats, rest = divmod(length, 4)
    key_stream = key * repeats + key[:rest]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(key_stream, "big")).to_bytes(
        length, "big"
    )


_IDENTITY = int.from_bytes(bytes(range(256)), "big")
_XOR_TABLES = tuple(
    (_IDENTITY ^ int.from_bytes(bytes((key,)) * 256, "big")).to_bytes(256, "big")
    for key in range(256)
)
"""``_XOR_TABLES[k]`` maps every byte b to b ^ k, for :meth:`bytes.translate` (built with one
big-integer XOR per table: a generator per byte costs ~3 ms of every start-up)."""

_TRANSLATE_THRESHOLD = 1024
"""From this length on, four strided ``translate`` calls beat the big-integer XOR
(measured: ~900 MB/s against ~550 MB/s at 64 KiB; below 1 KiB the integer wins)."""


def _mask_translate(payload: bytes | bytearray | memoryview, key: bytes) -> bytearray:
    """XOR every 4th byte with one key byte: four C-speed passes, no Python loop per byte."""
    data = bytearray(payload)
    for lane in range(4):
        data[lane::4] = data[lane::4].translate(_XOR_TABLES[key[lane]])
    return data


_NUMPY_THRESHOLD = 4096
"""From this length on numpy, when installed, XORs 8 bytes at a time (measured: ~1 GB/s at
4 KiB, ~13 GB/s at 64 KiB, against ~0.4-0.6 GB/s for the translate passes)."""

NUMPY_AFTER_BYTES = 32 << 20
"""numpy (optional) is imported only once this many bytes were unmasked without it: its
import costs ~0.05 s, what the translate passes need for ~30 MB, so short runs skip it."""

_numpy: Any = None
_numpy_checked = False
_unmasked_without_numpy = 0


def _find_numpy() -> Any:
    """numpy if installed (it is optional), looked for once per process."""
    global _numpy, _numpy_checked
    if not _numpy_checked:
        _numpy_checked = True
        try:
            _numpy = importlib.import_module("numpy")
        except ImportError:
            _numpy = None
    return _numpy


def apply_mask(payload: bytes | bytearray | memoryview, key: bytes, offset: int = 0) -> bytes:
    """XOR ``payload`` with the 4-byte masking ``key`` (RFC 6455 §5.3); masking == unmasking.

    ``offset`` is the position of ``payload`` inside the frame payload, so a payload that
    arrives in chunks can be unmasked chunk by chunk. Never a Python loop per byte: the native
    engine XORs in C at memory speed; the pure-Python one XORs short payloads as one big
    integer, longer ones with four strided ``bytes.translate`` passes, and with numpy (when
    installed) once a process unmasks a lot.
    """
    if len(key) != 4:
        raise FrameBuildError(f"a masking key is 4 bytes, not {len(key)}")
    shift = offset % 4
    if shift:
        key = key[shift:] + key[:shift]
    if _native_mask is not None:
        return _native_mask(payload, key)
    return mask_pure_python(payload, key)


_native_mask: Callable[[bytes | bytearray | memoryview, bytes], bytes] | None = (
    None if _speedups.native is None else _speedups.native.apply_mask
)


def mask_pure_python(payload: bytes | bytearray | memoryview, key: bytes) -> bytes:
    """:func:`apply_mask` without the native engine (``key`` already rotated to the offset)."""
    length = len(payload)
    if length == 0:
        return b""
    if length < _TRANSLATE_THRESHOLD:
        return _mask_int(payload, key)
    if length >= _NUMPY_THRESHOLD:
        if _numpy is not None:
            return _mask_numpy(_numpy, payload, key)
        global _unmasked_without_numpy
        _unmasked_without_numpy += length
        if _unmasked_without_numpy >= NUMPY_AFTER_BYTES and _find_numpy() is not None:
            return _mask_numpy(_numpy, payload, key)
    return bytes(_mask_translate(payload, key))


def _mask_numpy(np: Any, payload: bytes | bytearray | memoryview, key: bytes) -> bytes:
    """XOR 8 bytes at a time as uint64 words; the last ``length % 8`` bytes as an integer."""
    length = len(payload)
    body = length - length % 8
    words = np.frombuffer(payload, dtype=np.uint64, count=body // 8)
    result: bytes = np.bitwise_xor(words, np.frombuffer(key * 2, dtype=np.uint64)[0]).tobytes()
    if body < length:
        result += _mask_int(memoryview(payload)[body:], key)
    return result


@dataclass(frozen=True)
class FrameHeader:
    """One frame header as it was on the wire (RFC 6455 §5.2)."""

    fin: bool
    rsv1: bool
    rsv2: bool
    rsv3: bool
    opcode: int
    masked: bool
    mask_key: bytes | None
    payload_length: int
    length_encoding: int
    """7, 16 or 64: which length field carried the payload length."""
    header_length: int
    raw: bytes
    """The header bytes themselves (2 to 14), for the hex dump."""

    @property
    def opcode_name(self) -> str:
        return opcode_name(self.opcode)

    @property
    def is_control(self) -> bool:
        """Opcodes 0x8-0xF are control frames, reserved ones included (§5.5)."""
        return self.opcode >= 0x8

    @property
    def minimal_encoding(self) -> int:
        """The length encoding the payload length needs (§5.2: "the minimal number of bytes")."""
        if self.payload_length <= MAX_7BIT_LENGTH:
            return 7
        if self.payload_length <= MAX_16BIT_LENGTH:
            return 16
        return 64


def parse_header(buffer: bytes | bytearray | memoryview, start: int = 0) -> FrameHeader | int:
    """Parse the frame header at ``buffer[start:]``.

    Returns the header, or how many more bytes are needed (at least) when it is incomplete.
    Never raises: every 2..14-byte sequence is a header; what is wrong with it is for the
    stream parser to name as a violation.
    """
    available = len(buffer) - start
    if available < 2:
        return 2 - available
    first = buffer[start]
    second = buffer[start + 1]
    masked = second > 0x7F
    length = second & 0x7F
    if length < LENGTH_16BIT_MARKER:
        encoding, header_length = 7, 6 if masked else 2
    elif length == LENGTH_16BIT_MARKER:
        encoding, header_length = 16, 8 if masked else 4
    else:
        encoding, header_length = 64, 14 if masked else 10
    if available < header_length:
        return header_length - available
    if encoding == 16:
        (length,) = _U16.unpack_from(buffer, start + 2)
    elif encoding == 64:
        (length,) = _U64.unpack_from(buffer, start + 2)
    end = start + header_length
    raw = bytes(buffer[start:end])
    header: FrameHeader = _new_object(FrameHeader)
    # A frozen dataclass's __init__ costs ~2 us (one object.__setattr__ per field); filling
    # __dict__ at once is 5x cheaper, and this runs once per frame of multi-GiB captures.
    _set_attribute(
        header,
        "__dict__",
        {
            "fin": first > 0x7F,
            "rsv1": first & 0x40 == 0x40,
            "rsv2": first & 0x20 == 0x20,
            "rsv3": first & 0x10 == 0x10,
            "opcode": first & 0x0F,
            "masked": masked,
            "mask_key": raw[-4:] if masked else None,
            "payload_length": length,
            "length_encoding": encoding,
            "header_length": header_length,
            "raw": raw,
        },
    )
    return header


_new_object = object.__new__
_set_attribute = object.__setattr__


@dataclass(frozen=True)
class Frame:
    """A frame to build: what goes on the wire once :meth:`serialize` adds a header."""

    opcode: int
    payload: bytes = b""
    fin: bool = True
    rsv1: bool = False
    rsv2: bool = False
    rsv3: bool = False

    def serialize(
        self, mask_key: bytes | None = None, *, length_encoding: int | None = None
    ) -> bytes:
        """The frame's bytes, masked with ``mask_key`` when given (§5.2, §5.3).

        ``length_encoding`` (7, 16 or 64) forces a length field, minimal when None; a
        non-minimal one crafts a ``non-minimal-length`` violation on purpose.
        """
        if not 0 <= self.opcode <= 0xF:
            raise FrameBuildError(f"opcode {self.opcode} does not fit in 4 bits")
        first = (
            (0x80 if self.fin else 0)
            | (0x40 if self.rsv1 else 0)
            | (0x20 if self.rsv2 else 0)
            | (0x10 if self.rsv3 else 0)
            | self.opcode
        )
        mask_bit = 0x80 if mask_key is not None else 0
        length = len(self.payload)
        if length_encoding is None:
            length_encoding = (
                7 if length <= MAX_7BIT_LENGTH else 16 if length <= MAX_16BIT_LENGTH else 64
            )
        if length_encoding == 7:
            if length > MAX_7BIT_LENGTH:
                raise FrameBuildError(f"{length} bytes do not fit the 7-bit length field")
            header = bytes((first, mask_bit | length))
        elif length_encoding == 16:
            if length > MAX_16BIT_LENGTH:
                raise FrameBuildError(f"{length} bytes do not fit the 16-bit length field")
            header = bytes((first, mask_bit | LENGTH_16BIT_MARKER)) + _U16.pack(length)
        elif length_encoding == 64:
            header = bytes((first, mask_bit | LENGTH_64BIT_MARKER)) + _U64.pack(length)
        else:
            raise FrameBuildError(f"length encoding is 7, 16 or 64, not {length_encoding}")
        if mask_key is None:
            return header + self.payload
        if len(mask_key) != 4:
            raise FrameBuildError(f"a masking key is 4 bytes, not {len(mask_key)}")
        return header + mask_key + apply_mask(self.payload, mask_key)
