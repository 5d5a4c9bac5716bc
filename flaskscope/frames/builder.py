"""Craft frames for tests and demos (``flaskscope build-frame``), valid or broken on purpose.

Masking keys are parameters: the caller draws random ones (the CLI does, with os.urandom),
so the same arguments always give the same bytes here.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from flaskscope.frames.deflate import Deflater
from flaskscope.frames.frame import Frame, FrameBuildError, Opcode

__all__ = [
    "BuiltFrames",
    "build_frames",
    "close_payload",
    "parse_opcode",
]

_U16 = struct.Struct("!H")


def parse_opcode(value: str) -> int:
    """An opcode by name (``text``, ``close`` ...) or number (0-15, decimal or 0x..)."""
    try:
        return int(Opcode[value.strip().upper()])
    except KeyError:
        pass
    try:
        number = int(value, 0)
    except ValueError:
        names = ", ".join(opcode.name.lower() for opcode in Opcode)
        raise FrameBuildError(f"unknown opcode {value!r}: use {names} or 0-15") from None
    if not 0 <= number <= 0xF:
        raise FrameBuildError(f"opcode {number} does not fit in 4 bits (0-15)")
    return number


def close_payload(code: int | None, reason: str | bytes = b"") -> bytes:
    """The payload of a Close frame: 2-byte code then the UTF-8 reason (§5.5.1)."""
    reason_bytes = reason.encode("utf-8") if isinstance(reason, str) else reason
    if code is None:
        if reason_bytes:
            raise FrameBuildError("a close reason needs a close code (RFC 6455 §5.5.1)")
        return b""
    if not 0 <= code <= 0xFFFF:
        raise FrameBuildError(f"close code {code} does not fit in 2 bytes")
    return _U16.pack(code) + reason_bytes


@dataclass(frozen=True)
class BuiltFrames:
    """The crafted bytes and the frames they are made of."""

    data: bytes
    frames: tuple[Frame, ...]
    mask_keys: tuple[bytes | None, ...]


def build_frames(
    opcode: int,
    payload: bytes = b"",
    *,
    fragments: int = 1,
    fin: bool = True,
    rsv1: bool = False,
    rsv2: bool = False,
    rsv3: bool = False,
    mask_keys: Sequence[bytes | None] | None = None,
    deflater: Deflater | None = None,
    length_encoding: int | None = None,
) -> BuiltFrames:
    """One message as ``fragments`` frames (§5.4): the first carries the opcode, the others
    are continuations, the last has FIN (unless ``fin`` is False).

    With ``deflater`` the whole message is compressed first and RSV1 set on the first frame
    only (RFC 7692 §6.1). ``mask_keys`` has one key (or None) per frame.
    """
    if fragments < 1:
        raise FrameBuildError("a message has at least one frame (--fragment 1)")
    if mask_keys is None:
        mask_keys = [None] * fragments
    if len(mask_keys) != fragments:
        raise FrameBuildError(f"{len(mask_keys)} masking keys for {fragments} frames")
    compressed = deflater is not None
    if deflater is not None:
        payload = deflater.compress(payload)
    size, extra = divmod(len(payload), fragments)
    frames: list[Frame] = []
    start = 0
    for number in range(fragments):
        end = start + size + (1 if number < extra else 0)
        last = number == fragments - 1
        frames.append(
            Frame(
                opcode=opcode if number == 0 else Opcode.CONTINUATION,
                payload=payload[start:end],
                fin=fin and last,
                rsv1=rsv1 or (compressed and number == 0),
                rsv2=rsv2,
                rsv3=rsv3,
            )
        )
        start = end
    data = b"".join(
        frame.serialize(key, length_encoding=length_encoding)
        for frame, key in zip(frames, mask_keys, strict=True)
    )
    return BuiltFrames(data=data, frames=tuple(frames), mask_keys=tuple(mask_keys))
