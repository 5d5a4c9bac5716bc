"""What the stream parser reports: frames, messages and the summary of a whole capture.

Frozen dataclasses with a ``to_json`` each, so the rich renderer and ``--json`` show the same
facts. Payloads are the unmasked bytes, cut to what the caller asked to keep.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field, replace

from flaskscope.frames.close_codes import close_code_name
from flaskscope.frames.frame import FrameHeader, opcode_name
from flaskscope.frames.violations import Violation

__all__ = [
    "FrameRecord",
    "MessageRecord",
    "StreamResult",
    "StreamSummary",
    "cut_frame",
    "cut_message",
]


@dataclass(frozen=True)
class FrameRecord:
    """One frame of the stream, with its unmasked payload (or its first bytes)."""

    index: int
    offset: int
    header: FrameHeader
    payload: bytes
    """The unmasked payload, at most as many bytes as the parser was asked to keep."""
    received: int
    """Payload bytes present in the stream (less than the length when truncated)."""
    compressed: bool
    text: str | None = None
    close_code: int | None = None
    close_reason: str | None = None

    @property
    def truncated(self) -> bool:
        return self.received < self.header.payload_length

    @property
    def payload_complete(self) -> bool:
        return len(self.payload) == self.header.payload_length

    def to_json(self) -> dict[str, object]:
        header = self.header
        return {
            "index": self.index,
            "offset": self.offset,
            "fin": header.fin,
            "rsv1": header.rsv1,
            "rsv2": header.rsv2,
            "rsv3": header.rsv3,
            "opcode": header.opcode,
            "opcode_name": header.opcode_name,
            "masked": header.masked,
            "mask_key": header.mask_key.hex() if header.mask_key is not None else None,
            "payload_length": header.payload_length,
            "length_encoding": header.length_encoding,
            "header_length": header.header_length,
            "payload_hex": self.payload.hex(),
            "payload_truncated": not self.payload_complete,
            "text": self.text,
            "close_code": self.close_code,
            "close_code_name": (
                close_code_name(self.close_code) if self.close_code is not None else None
            ),
            "close_reason": self.close_reason,
            "compressed": self.compressed,
            "truncated": self.truncated,
        }


@dataclass(frozen=True)
class MessageRecord:
    """One message: a data frame and its continuations, reassembled (§5.4), inflated (RFC 7692)."""

    index: int
    opcode: int
    frames: tuple[int, ...]
    frame_count: int
    compressed: bool
    length: int
    """Length of the whole (decompressed) payload, even when only its start is kept."""
    payload: bytes
    text: str | None
    complete: bool
    """False when the stream ended (or a new message began) before the final fragment."""

    @property
    def opcode_name(self) -> str:
        return opcode_name(self.opcode)

    @property
    def payload_complete(self) -> bool:
        return len(self.payload) == self.length

    def to_json(self) -> dict[str, object]:
        return {
            "index": self.index,
            "opcode_name": self.opcode_name,
            "frames": list(self.frames),
            "frame_count": self.frame_count,
            "compressed": self.compressed,
            "length": self.length,
            "payload_hex": self.payload.hex(),
            "payload_truncated": not self.payload_complete,
            "text": self.text,
            "complete": self.complete,
        }


@dataclass(frozen=True)
class StreamSummary:
    """Counts for a whole capture (what ``--summary`` prints)."""

    stream_bytes: int = 0
    payload_bytes: int = 0
    frames: dict[str, int] = field(default_factory=dict)
    messages: dict[str, int] = field(default_factory=dict)
    violations: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "stream_bytes": self.stream_bytes,
            "payload_bytes": self.payload_bytes,
            "frames": {"total": sum(self.frames.values()), **self.frames},
            "messages": {"total": sum(self.messages.values()), **self.messages},
            "violations": {"total": sum(self.violations.values()), **self.violations},
        }


@dataclass(frozen=True)
class StreamResult:
    """Everything found in a capture."""

    frames: tuple[FrameRecord, ...]
    messages: tuple[MessageRecord, ...]
    violations: tuple[Violation, ...]
    complete: bool
    bytes_needed: int
    role: str | None
    role_detected: bool
    """True when ``--role auto`` decided the role from the first frame's mask bit."""
    summary: StreamSummary

    @property
    def ok(self) -> bool:
        return self.complete and not self.summary.violations

    def to_json(self) -> dict[str, object]:
        return {
            "role": self.role,
            "role_detected": self.role_detected,
            "frames": [frame.to_json() for frame in self.frames],
            "messages": [message.to_json() for message in self.messages],
            "violations": [violation.to_json() for violation in self.violations],
            "complete": self.complete,
            "bytes_needed": self.bytes_needed,
            "summary": self.summary.to_json(),
        }


def cut_frame(record: FrameRecord, keep: int) -> FrameRecord:
    """The frame as a parser keeping ``keep`` payload bytes would have recorded it: decoders
    read more of a payload than a view lists, and the record is cut back for the view."""
    if len(record.payload) <= keep:
        return record
    payload = record.payload[:keep]
    text = None if record.text is None else payload.decode("utf-8", "replace")
    return replace(record, payload=payload, text=text)


def cut_message(record: MessageRecord, keep: int) -> MessageRecord:
    """The message cut to ``keep`` payload bytes (see :func:`cut_frame`); a character cut in
    half is left out rather than shown as U+FFFD."""
    if len(record.payload) <= keep:
        return record
    payload = record.payload[:keep]
    text = None
    if record.text is not None:
        text = codecs.getincrementaldecoder("utf-8")("replace").decode(payload, False)
    return replace(record, payload=payload, text=text)
