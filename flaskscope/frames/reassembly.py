"""One message being reassembled from its frames (RFC 6455 §5.4), inflated (RFC 7692 §7.2.2)
and checked as UTF-8 across fragment boundaries (§8.1), with bounded memory.

Private to :mod:`flaskscope.frames.stream`: the parser hands each run of unmasked payload bytes to
:meth:`PartialMessage.data` and collects the violations it reports.
"""

from __future__ import annotations

import codecs
from typing import cast

from flaskscope.frames.deflate import DecompressionFailed, Inflater, MessageTooBig
from flaskscope.frames.frame import Opcode, opcode_name
from flaskscope.frames.records import MessageRecord
from flaskscope.frames.violations import Violation

__all__ = ["MAX_MESSAGE_FRAME_INDICES", "PartialMessage"]

MAX_MESSAGE_FRAME_INDICES = 10_000
"""A message lists at most this many frame indices (``frame_count`` has the full count)."""

UTF8_DECODER = cast(
    "type[codecs.BufferedIncrementalDecoder]", codecs.getincrementaldecoder("utf-8")
)
"""Its ``buffer`` holds an unfinished character; a failing ``decode`` leaves it untouched."""

INFLATE_PIECE = 1 << 14
"""Compressed bytes are inflated 16 KiB at a time, counted from the start of the message."""


class InflateBudget:
    """Decompressed bytes left for the whole run (``--max-total-decompressed``), shared by
    every message: each message is bounded by ``--max-message-size``, and this bounds their
    sum, so 200 messages just under the message limit cannot inflate to gigabytes (RFC 6455
    §10.4 asks for implementation limits; RFC 7692 §8 warns of decompression bombs)."""

    __slots__ = ("exhausted", "limit", "remaining")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.remaining = limit
        self.exhausted = False

    def stop(self, message: int, frame: int, found: list[Violation]) -> None:
        """Reached: one violation for the run; later compressed messages are not inflated."""
        if not self.exhausted:
            self.exhausted = True
            found.append(
                Violation(
                    "decompression-limit",
                    frame,
                    f"the run's decompressed bytes reached the {self.limit}-byte limit"
                    f" (--max-total-decompressed) in message {message}; it and later"
                    " compressed messages are not inflated",
                )
            )


class PartialMessage:
    """The message in progress: counts every byte, keeps the first ``keep`` of them."""

    __slots__ = (
        "budget",
        "compressed",
        "compressed_pending",
        "decoder",
        "failed",
        "frame_count",
        "frames",
        "index",
        "inflater",
        "keep",
        "keep_text",
        "kept",
        "kept_length",
        "length",
        "max_size",
        "opcode",
        "text_parts",
        "too_big",
    )

    def __init__(
        self,
        index: int,
        opcode: int,
        *,
        keep: int,
        max_size: int,
        inflater: Inflater | None,
        keep_text: bool,
        budget: InflateBudget | None = None,
    ) -> None:
        self.index = index
        self.budget = budget
        self.opcode = opcode
        self.compressed = inflater is not None
        self.inflater = inflater
        self.compressed_pending = bytearray()
        """Compressed bytes not yet handed to zlib (less than INFLATE_PIECE)."""
        self.keep = keep
        self.max_size = max_size
        self.keep_text = keep_text
        self.frames: list[int] = []
        self.frame_count = 0
        self.length = 0
        self.kept: list[bytes] = []
        """The first ``keep`` bytes, as pieces (shared with the frames when uncompressed)."""
        self.kept_length = 0
        self.decoder: codecs.BufferedIncrementalDecoder | None = (
            UTF8_DECODER("strict") if opcode == Opcode.TEXT else None
        )
        self.failed = False
        """Set once a message-too-big or decompression failure stops the inflating."""
        self.too_big = False
        self.text_parts: list[str] = []
        """What the UTF-8 check decoded of the kept bytes, so the text is not decoded twice."""

    def begin(self, frame: int, found: list[Violation]) -> None:
        """Start inflating (a lost context-takeover window is reported here)."""
        if self.inflater is not None and self.budget is not None and self.budget.exhausted:
            self.failed = True  # said once for the run, by InflateBudget.stop
            return
        if self.inflater is not None:
            try:
                self.inflater.begin_message()
            except DecompressionFailed as error:
                self.failed = True
                found.append(Violation("decompression-failed", frame, str(error)))

    def add_frame(self, frame: int) -> None:
        self.frame_count += 1
        if len(self.frames) < MAX_MESSAGE_FRAME_INDICES:
            self.frames.append(frame)

    @property
    def wants_content(self) -> bool:
        """Whether its bytes must be unmasked at all: to inflate, to check UTF-8, to keep."""
        return (
            (self.compressed and not self.failed)
            or self.decoder is not None
            or self.kept_length < self.keep
        )

    def declare(self, length: int, frame: int, found: list[Violation]) -> None:
        """A frame of ``length`` payload bytes joins the message: an uncompressed message is
        too big as soon as a header says so (the way a receiver would refuse it), whether or
        not the bytes ever arrive."""
        if not self.compressed and self.length + length > self.max_size:
            self._too_big(frame, found)

    def count_only(self, count: int, frame: int, found: list[Violation]) -> None:
        """Binary bytes nobody will see: count them, do not unmask them."""
        if self.length + count > self.max_size:
            self._too_big(frame, found)
        self.length += count

    def data(self, data: bytes, frame: int, found: list[Violation]) -> None:
        """The next unmasked payload bytes of the message, as they were on the wire."""
        if self.failed:
            return
        inflater = self.inflater
        if inflater is None:
            self._output(data, frame, found)
            return
        # Compressed bytes go to zlib in fixed pieces counted from the message start, so the
        # output before a corrupt spot or the size limit does not depend on how the capture
        # was chunked (zlib gives nothing back from a call that fails).
        self.compressed_pending += data
        while len(self.compressed_pending) >= INFLATE_PIECE and not self.failed:
            piece = bytes(self.compressed_pending[:INFLATE_PIECE])
            del self.compressed_pending[:INFLATE_PIECE]
            self._inflate(inflater, piece, frame, found)

    def _inflate(
        self,
        inflater: Inflater,
        piece: bytes,
        frame: int,
        found: list[Violation],
        *,
        last: bool = False,
    ) -> None:
        budget = self.max_size - self.length
        run = self.budget
        run_limited = run is not None and run.remaining < budget
        if run is not None and run_limited:
            budget = run.remaining
        try:
            output = inflater.end_message(budget, piece) if last else inflater.feed(piece, budget)
        except MessageTooBig:
            self.failed = True
            if run is not None and run_limited:
                run.stop(self.index, frame, found)
            else:
                self._too_big(frame, found)
        except DecompressionFailed as error:
            self.failed = True
            found.append(Violation("decompression-failed", frame, str(error)))
        else:
            if run is not None:
                run.remaining -= len(output)
            self._output(output, frame, found)

    def _output(self, data: bytes, frame: int, found: list[Violation]) -> None:
        if self.length + len(data) > self.max_size:
            self._too_big(frame, found)
        self.length += len(data)
        room = self.keep - self.kept_length
        if room > 0:
            part = data[:room]
            self.kept.append(part)
            self.kept_length += len(part)
        if self.decoder is not None:
            wants_text = room > 0 and self.keep_text
            if not self.decoder.buffer and not wants_text and data.isascii():
                return  # ASCII is UTF-8: checked at memory speed, no str built
            try:
                piece = self.decoder.decode(data)
            except UnicodeDecodeError as error:
                pending = len(self.decoder.buffer)  # still what it was before the call
                position = self.length - len(data) - pending + error.start
                self.decoder = None
                found.append(
                    Violation(
                        "invalid-utf8",
                        frame,
                        f"text message {self.index} is not valid UTF-8 (byte {position} of "
                        f"the message: {error.reason})",
                    )
                )
            else:
                if wants_text:
                    self.text_parts.append(piece)

    def _too_big(self, frame: int, found: list[Violation]) -> None:
        if not self.too_big:
            self.too_big = True
            found.append(
                Violation(
                    "message-too-big",
                    frame,
                    f"message {self.index} is larger than the {self.max_size}-byte limit "
                    "(--max-message-size)"
                    + ("; inflating stopped there" if self.compressed else ""),
                )
            )

    def end(self, frame: int, found: list[Violation]) -> None:
        """The final fragment arrived: flush the inflater (§7.2.2) and the UTF-8 check."""
        if self.inflater is not None and not self.failed:
            piece = bytes(self.compressed_pending)
            self.compressed_pending.clear()
            self._inflate(self.inflater, piece, frame, found, last=True)
        if self.decoder is not None and not self.failed:
            try:
                self.decoder.decode(b"", True)
            except UnicodeDecodeError:
                self.decoder = None
                found.append(
                    Violation(
                        "invalid-utf8",
                        frame,
                        f"text message {self.index} ends inside a UTF-8 sequence",
                    )
                )

    def text(self, kept: bytes) -> str:
        """The text of the kept bytes: what the UTF-8 check decoded when all is valid and kept,
        else a lenient decoding (U+FFFD for bad bytes, a cut last character dropped)."""
        if self.decoder is not None and len(kept) == self.length:
            return "".join(self.text_parts)
        if len(kept) == self.length:
            return kept.decode("utf-8", "replace")
        return UTF8_DECODER("replace").decode(kept, False)

    def record(self, *, complete: bool) -> MessageRecord:
        kept = b"".join(self.kept)
        return MessageRecord(
            index=self.index,
            opcode=self.opcode,
            frames=tuple(self.frames),
            frame_count=self.frame_count,
            compressed=self.compressed,
            length=self.length,
            payload=kept,
            text=self.text(kept) if self.opcode == Opcode.TEXT else None,
            complete=complete,
        )

    def describe(self) -> str:
        return f"{opcode_name(self.opcode)} message {self.index}"
