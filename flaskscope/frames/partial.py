"""One frame being read from the stream (RFC 6455 §5.2, §5.3): its unmasked payload as it
arrives, the first ``keep`` bytes of it, and its record once it ends.

Private to :mod:`flaskscope.frames.stream`, which decides what a frame means for the message it
belongs to; :mod:`flaskscope.frames.reassembly` is the same for one message in progress.
"""

from __future__ import annotations

from flaskscope.frames.checks import close_frame
from flaskscope.frames.frame import FrameHeader, Opcode, apply_mask
from flaskscope.frames.reassembly import PartialMessage
from flaskscope.frames.records import FrameRecord
from flaskscope.frames.violations import Violation

__all__ = ["PAYLOAD_PIECE", "PartialFrame"]

PAYLOAD_PIECE = 1 << 16
"""Payload runs are unmasked and inflated in pieces of at most this many bytes."""

_TEXT, _CLOSE = int(Opcode.TEXT), int(Opcode.CLOSE)


class PartialFrame:
    """The frame being read (mutable; becomes a :class:`FrameRecord` when it ends)."""

    __slots__ = (
        "abandoned",
        "header",
        "in_message",
        "index",
        "keep",
        "kept",
        "kept_length",
        "needs_data",
        "offset",
        "received",
        "remaining",
        "violations",
    )

    def __init__(
        self,
        header: FrameHeader,
        index: int,
        offset: int,
        keep: int,
        needs_data: bool,
        in_message: bool,
        violations: list[Violation],
        abandoned: PartialMessage | None,
    ) -> None:
        self.header = header
        self.index = index
        self.offset = offset
        self.remaining = header.payload_length
        self.keep = keep
        self.needs_data = needs_data
        """False when nobody looks at the payload: it is skipped, never unmasked."""
        self.in_message = in_message
        self.kept: list[bytes] = []
        """The first ``keep`` unmasked payload bytes, as the pieces they arrived in (joined
        once at the end: a payload that came in one piece is never copied)."""
        self.kept_length = 0
        self.received = 0
        self.violations = violations
        self.abandoned = abandoned
        """A message this frame cut short by starting a new one (``expected-continuation``)."""

    def payload(self, chunk: memoryview, message: PartialMessage | None) -> None:
        """Unmask and use a run of payload bytes, 64 KiB at a time (cache-sized pieces keep
        the temporary copies small whatever the chunk size). ``message`` is the message this
        frame belongs to, if any; it sees every byte, the frame keeps the first ``keep``."""
        key = self.header.mask_key
        if message is not None and self.kept_length >= self.keep and not message.wants_content:
            message.count_only(len(chunk), self.index, self.violations)
            return
        offset = self.received
        for start in range(0, len(chunk), PAYLOAD_PIECE):
            piece = chunk[start : start + PAYLOAD_PIECE]
            data = apply_mask(piece, key, offset + start) if key is not None else bytes(piece)
            room = self.keep - self.kept_length
            if room > 0:
                part = data[:room]
                self.kept.append(part)
                self.kept_length += len(part)
            if message is not None:
                message.data(data, self.index, self.violations)
            elif room <= len(data):
                return

    def record(
        self, message: PartialMessage | None, *, keep: int, with_record: bool
    ) -> FrameRecord | None:
        """Check a complete Close payload (§5.5.1, adding to :attr:`violations`), then the
        frame's record, or None when ``with_record`` is False (counts only)."""
        header = self.header
        is_close = header.opcode == _CLOSE
        kept = b"".join(self.kept)
        close_code: int | None = None
        close_reason: str | None = None
        if is_close and self.received == header.payload_length:
            close_code, close_reason = close_frame(kept, self.index, self.violations)
        if not with_record:
            return None
        text: str | None = None
        whole = (
            message is not None
            and header.fin
            and message.frame_count == 1
            and not message.compressed
            and message.kept_length == len(kept)
        )
        if whole and message is not None:
            message.kept = [kept]  # the same bytes: the record shares them, no copy
        if message is not None and message.opcode == _TEXT and not message.compressed:
            text = message.text(kept) if whole else kept.decode("utf-8", "replace")
        return FrameRecord(
            index=self.index,
            offset=self.offset,
            header=header,
            payload=kept[:keep] if is_close else kept,
            received=self.received,
            compressed=message is not None and message.compressed,
            text=text,
            close_code=close_code,
            close_reason=close_reason,
        )
