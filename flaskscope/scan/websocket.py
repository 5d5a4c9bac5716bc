"""One direction of a WebSocket connection in a capture: the frame parser, plus what a
capture adds to it (RFC 6455 §5): a start in the middle of the connection, and gaps.

Where the start of the stream is not a frame boundary (the capture began mid-connection, or
bytes are missing after a gap), :func:`find_frame_boundary` looks for the first offset from
which a chain of well-formed frame headers follows; the frames are parsed from there, and the
skipped bytes are reported, never parsed as frames. A permessage-deflate stream with context
takeover cannot be inflated after such a point (the window is gone, RFC 7692 §7.2.2): its
decompression failures become a note, not violations.
"""

from __future__ import annotations

from dataclasses import replace

from flaskscope.frames.deflate import DeflateSettings
from flaskscope.frames.frame import MAX_CONTROL_PAYLOAD, FrameHeader, parse_header
from flaskscope.frames.records import FrameRecord, MessageRecord
from flaskscope.frames.stream import FrameParser
from flaskscope.frames.violations import Violation

__all__ = ["MAX_RESYNC_BUFFER", "DirectionEvents", "WebSocketDirection", "find_frame_boundary"]

MAX_RESYNC_BUFFER = 256 * 1024
"""Bytes gathered while looking for a frame boundary before the oldest are dropped."""

RESYNC_CHAIN = 3
"""Well-formed headers in a row that mark a frame boundary (fewer when the data ends)."""

RESEARCH_STEP = 4096
"""While no boundary is found, search again only after this many more bytes."""
"""Well-formed headers in a row that mark a frame boundary (fewer when the data ends)."""

_VALID_OPCODES = frozenset((0, 1, 2, 8, 9, 10))

DirectionEvents = list[FrameRecord | MessageRecord | Violation | str]
"""What a feed produced: parser events, and notes (str)."""


def _plausible(header: FrameHeader, masked: bool | None, max_length: int) -> bool:
    if header.rsv2 or header.rsv3 or header.opcode not in _VALID_OPCODES:
        return False
    if masked is not None and header.masked != masked:
        return False
    length = header.payload_length
    if header.opcode >= 8 and (not header.fin or length > MAX_CONTROL_PAYLOAD or header.rsv1):
        return False
    if header.length_encoding == 16 and length < 126:
        return False
    return not (header.length_encoding == 64 and (length <= 0xFFFF or length > max_length))


def find_frame_boundary(
    data: bytes,
    masked: bool | None,
    *,
    start: int = 0,
    max_length: int = 1 << 24,
    at_end: bool = False,
) -> tuple[int | None, int]:
    """The first offset in ``data`` (from ``start``) from which well-formed frame headers
    chain (§5.2 header rules, §5.4 fragmentation order): at least :data:`RESYNC_CHAIN` of
    them; failing that, the first offset whose shorter chain ends exactly at the end of
    ``data``. ``masked`` is the mask bit the sender's frames carry (None: not known).

    Returns (the offset or None, where to resume when more data comes). An offset whose chain
    runs past the end of ``data`` is undecided: a later offset whose chain is whole within
    ``data`` wins over it (the two cannot both be right), otherwise the search resumes there
    when more data comes. ``at_end``: no more data will come, undecided offsets are refused."""
    first_undecided: int | None = None
    exact_end: int | None = None
    for offset in range(start, len(data)):
        position, count, mask = offset, 0, masked
        undecided = False
        in_message: bool | None = None  # unknown before the first frame
        while True:
            header = parse_header(data, position)
            if isinstance(header, int):
                undecided = count < RESYNC_CHAIN
                break
            if not _plausible(header, mask, max_length):
                break
            opcode = header.opcode
            if opcode < 8:  # §5.4: continuations only inside a message, RSV1 only on its start
                if opcode == 0:
                    if in_message is False or header.rsv1:
                        break
                elif in_message:
                    break
                in_message = not header.fin
            mask = header.masked
            count += 1
            position += header.header_length + header.payload_length
            if count >= RESYNC_CHAIN:
                break
            if position >= len(data):
                undecided = position > len(data)
                break
        if count >= RESYNC_CHAIN:
            return offset, offset
        if count and position == len(data) and exact_end is None:
            exact_end = offset
        if undecided and first_undecided is None and not at_end:
            first_undecided = offset
    if exact_end is not None:  # a shorter chain that ends exactly where the data does
        return exact_end, exact_end
    if first_undecided is not None:
        return None, first_undecided
    return None, len(data)


class WebSocketDirection:
    """The frames one side sent, fed as the capture delivers them."""

    def __init__(
        self,
        *,
        role: str | None,
        deflate: DeflateSettings | None,
        keep: int,
        records: bool,
        max_message_size: int,
        aligned: bool,
        context_known: bool,
        frame_records: bool | None = None,
        max_violation_events: int | None = None,
    ) -> None:
        self.role = role
        self.deflate = deflate
        self.keep = keep
        self.records = records
        self.frame_records = frame_records
        self.max_violation_events = max_violation_events
        self.max_message_size = max_message_size
        self.context_known = context_known
        self.parsers: list[FrameParser] = []
        self._inflatable: list[bool] = []
        """Per parser: whether its deflate context was known (else its decompression
        failures are a note, not violations)."""
        self.parser: FrameParser | None = None
        self._pending = bytearray()
        self._resume = 0
        self._searched = 0
        self.skipped = 0
        self.offset = 0
        self.context_notes = 0
        self.frames_before = 0
        self.messages_before = 0
        if aligned:
            self._start_parser(0)

    def _start_parser(self, offset: int) -> None:
        previous = self.parsers[-1] if self.parsers else None
        if previous is not None:
            self.frames_before += sum(previous.summary().frames.values())
            self.messages_before += sum(previous.summary().messages.values())
        self.parser = FrameParser(
            role=self.role or "auto",
            deflate=self.deflate,
            keep=self.keep,
            records=self.records,
            max_message_size=self.max_message_size,
            offset=offset,
            frame_records=self.frame_records,
            max_violation_events=self.max_violation_events,
        )
        self.parsers.append(self.parser)
        self._inflatable.append(self.context_known)

    def set_output(self, *, keep: int, records: bool) -> None:
        """What the parsers keep from now on (the subprotocol settled on none)."""
        self.keep, self.records = keep, records
        if self.parser is not None:
            self.parser.keep, self.parser.records = keep, records

    def count_only(self) -> None:
        """Nothing more is listed or decoded: the parsers only count from now on (a message
        that ends without its record is counted by :meth:`messages_unrecorded`)."""
        self.keep, self.records, self.frame_records = 0, False, False
        if self.parser is not None:
            self.parser.count_only()

    def messages_unrecorded(self) -> int:
        """Messages parsed but not reported as records (after :meth:`count_only`)."""
        return sum(parser.messages_parsed - parser.messages_recorded for parser in self.parsers)

    def stop_frame_records(self) -> None:
        """Frames are counted from now on, not reported: the listing is full."""
        self.frame_records = False
        if self.parser is not None:
            self.parser.frame_records = False

    def frames_unrecorded(self) -> int:
        """Frames parsed but not reported as records (after :meth:`stop_frame_records`)."""
        return sum(parser.frames_parsed - parser.frames_recorded for parser in self.parsers)

    def violations_unreported(self) -> dict[str, int]:
        """Violations the parsers counted past ``max_violation_events``, by code, as the
        events would have been counted (see :meth:`_filter`)."""
        counts: dict[str, int] = {}
        for parser, inflatable in zip(self.parsers, self._inflatable, strict=True):
            for code, count in parser.violations_unreported.items():
                if code != "decompression-failed" or inflatable:
                    counts[code] = counts.get(code, 0) + count
        return counts

    @property
    def stopped(self) -> bool:
        return self.parser is not None and self.parser.stopped is not None

    def feed(self, data: bytes) -> DirectionEvents:
        events: DirectionEvents = []
        if self.parser is None:
            self._pending += data
            if len(self._pending) - self._searched < RESEARCH_STEP and self._searched:
                return events  # searched recently: wait for more bytes (bounded work)
            self._searched = len(self._pending)
            boundary, self._resume = find_frame_boundary(
                bytes(self._pending),
                None if self.role is None else self.role == "client",
                start=self._resume,
            )
            if boundary is None:
                if len(self._pending) > MAX_RESYNC_BUFFER:
                    drop = len(self._pending) - MAX_RESYNC_BUFFER // 2
                    del self._pending[:drop]
                    self.skipped += drop
                    self.offset += drop
                    self._resume = 0
                    self._searched = len(self._pending)
                return events
            self._resume = 0
            self._searched = 0
            pending = bytes(self._pending)
            self._pending.clear()
            return self._start_at(boundary, pending)
        return self._parse(data)

    def _start_at(self, boundary: int, pending: bytes) -> DirectionEvents:
        """Frames start at ``boundary`` of ``pending``: what is before it is skipped."""
        events: DirectionEvents = []
        self.skipped += boundary
        self.offset += boundary
        if boundary:
            events.append(
                f"{boundary} bytes before the first frame boundary were skipped (not parsed "
                "as frames)"
            )
        self._start_parser(self.offset)
        events.extend(self._parse(pending[boundary:]))
        return events

    def _parse(self, data: bytes) -> DirectionEvents:
        events: DirectionEvents = []
        assert self.parser is not None
        for batch in self.parser.feed_in_slices(data):
            events.extend(self._filter(batch))
        self.offset += len(data)
        if self.role is None and self.parser.role is not None:
            self.role = self.parser.role
        return events

    def _renumbered(
        self, batch: list[FrameRecord | MessageRecord | Violation]
    ) -> list[FrameRecord | MessageRecord | Violation]:
        """After a resynchronisation a new parser counts from 0: its frame and message
        indices continue those of the parsers before it."""
        frames, messages = self.frames_before, self.messages_before
        out: list[FrameRecord | MessageRecord | Violation] = []
        for event in batch:
            if isinstance(event, FrameRecord):
                out.append(replace(event, index=event.index + frames))
            elif isinstance(event, MessageRecord):
                shifted = tuple(index + frames for index in event.frames)
                out.append(replace(event, index=event.index + messages, frames=shifted))
            elif event.frame is not None:
                out.append(replace(event, frame=event.frame + frames))
            else:
                out.append(event)
        return out

    def _filter(self, batch: list[FrameRecord | MessageRecord | Violation]) -> DirectionEvents:
        if self.frames_before or self.messages_before:
            batch = self._renumbered(batch)
        if self.context_known:
            return list(batch)
        out: DirectionEvents = []
        for event in batch:
            if isinstance(event, Violation) and event.code == "decompression-failed":
                self._context_note(out)
                continue
            out.append(event)
        return out

    def _context_note(self, out: DirectionEvents) -> None:
        self.context_notes += 1
        if self.context_notes == 1:
            out.append(
                "compressed messages cannot be inflated: the deflate context (context "
                "takeover, RFC 7692 §7.1.1) began before the bytes the capture has"
            )

    def gap(self, size: int) -> tuple[DirectionEvents, str]:
        """Bytes are missing: end the frames before them, look for a boundary after them."""
        events: DirectionEvents = []
        parser = self.parser
        if parser is not None:
            for event in parser.finish():
                if isinstance(event, Violation) and event.code in (
                    "truncated",
                    "incomplete-message",
                ):
                    events.append(f"cut by the gap: {event.message}")
                else:
                    events.extend(self._filter([event]))
            self.parser = None
        self._pending.clear()
        self._resume = 0
        self._searched = 0
        self.offset += size
        if self.deflate is not None and not _no_takeover(self.deflate, self.role):
            self.context_known = False
        return events, "frames after it are parsed from the next frame boundary found"

    def finish(self) -> DirectionEvents:
        events: DirectionEvents = []
        if self.parser is None and self._pending:
            boundary, _ = find_frame_boundary(
                bytes(self._pending),
                None if self.role is None else self.role == "client",
                at_end=True,
            )
            if boundary is not None:
                rest = bytes(self._pending)
                self._pending.clear()
                self._searched = 0
                events.extend(self._start_at(boundary, rest))
        if self.parser is not None:
            events.extend(self._filter(self.parser.finish()))
        elif self._pending:
            self.skipped += len(self._pending)
            events.append(
                f"{len(self._pending)} bytes at the end hold no frame boundary (not parsed)"
            )
            self._pending.clear()
        if any(
            not inflatable and parser.violations_unreported.get("decompression-failed")
            for parser, inflatable in zip(self.parsers, self._inflatable, strict=True)
        ):
            self._context_note(events)  # failures past the listed ones: only counted
        return events


def _no_takeover(deflate: DeflateSettings, role: str | None) -> bool:
    if role == "client":
        return deflate.client_no_context_takeover
    if role == "server":
        return deflate.server_no_context_takeover
    return False
