"""The streaming frame parser: feed it captured bytes in chunks, get frames, messages and
violations (RFC 6455 §5, RFC 7692), sans-I/O in the manner of wsproto and websockets.

State stays bounded whatever the input: a partial header (at most 14 bytes), the first
``keep`` bytes of the current frame and message, an incremental UTF-8 decoder and a bounded
inflater. Payload bytes nobody needs (binary payloads under ``--summary``) are skipped without
being unmasked or copied, so a declared length of 2**63-1 costs nothing but a counter.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flaskscope.errors import OptionError
from flaskscope.frames.checks import header_violations, maybe_bad, tallied_violations
from flaskscope.frames.deflate import DeflateSettings, Inflater, inflater_for
from flaskscope.frames.frame import (
    MAX_CONTROL_PAYLOAD,
    MAX_HEADER_LENGTH,
    FrameHeader,
    Opcode,
    opcode_name,
    parse_header,
)
from flaskscope.frames.http_probe import HttpInFrames, http09_body_at, http_head_at
from flaskscope.frames.partial import PartialFrame
from flaskscope.frames.reassembly import InflateBudget, PartialMessage
from flaskscope.frames.records import FrameRecord, MessageRecord, StreamSummary
from flaskscope.frames.skim import count_copies, skim, tally
from flaskscope.frames.violations import Violation

__all__ = ["DEFAULT_MAX_MESSAGE_SIZE", "DEFAULT_MAX_TOTAL_DECOMPRESSED", "Event", "FrameParser"]

DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024

DEFAULT_MAX_TOTAL_DECOMPRESSED = 256 * 1024 * 1024
"""Decompressed bytes a whole run may inflate (``--max-total-decompressed``): sixteen messages
at the default message limit. Past it: one ``decompression-limit`` violation."""
EVENT_BATCH = 4096
""":meth:`FrameParser.feed_in_slices` hands out the events about this many at a time."""

MAX_REPEAT_UNIT = 256
"""Frames up to this size (header and payload) are looked for repeating, byte for byte, right
after themselves: see :meth:`FrameParser._repeats`."""

ROLES = ("client", "server", "auto")

Event = FrameRecord | MessageRecord | Violation

_CONTINUATION, _TEXT = int(Opcode.CONTINUATION), int(Opcode.TEXT)
_BINARY, _CLOSE = int(Opcode.BINARY), int(Opcode.CLOSE)
_PING, _PONG = int(Opcode.PING), int(Opcode.PONG)
_STATEFUL_OPCODES = frozenset((_TEXT, _BINARY, _CLOSE))
"""A frame of any other opcode outside a message leaves the parser's state as it was."""


class FrameParser:
    """Turns a byte stream into events; call :meth:`feed` per chunk, then :meth:`finish`.

    ``role`` says who sent the bytes (``client`` frames must be masked, ``server`` frames must
    not, RFC 6455 §5.1); ``auto`` takes it from the first frame's mask bit. ``deflate`` gives
    the negotiated permessage-deflate parameters (None: not negotiated, RSV1 is a violation).
    ``keep`` is how many payload bytes of each frame and message to keep (None: all of them,
    up to ``max_message_size``); ``records=False`` reports only violations and counts.
    ``frame_records`` (None: as ``records``) says whether frames are reported too, when
    messages are (a subprotocol reads the messages of a ``--summary``); it may change
    between chunks. ``max_violation_events`` (None: all) is how many violations are
    reported as events while bytes are fed; the ones after it are only counted (in
    :meth:`summary` and :attr:`violations_unreported`); :meth:`finish` reports its own.
    ``max_total_decompressed`` bounds what all the compressed messages together may inflate to.
    """

    def __init__(
        self,
        *,
        role: str = "auto",
        deflate: DeflateSettings | None = None,
        keep: int | None = None,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        records: bool = True,
        offset: int = 0,
        max_total_decompressed: int = DEFAULT_MAX_TOTAL_DECOMPRESSED,
        frame_records: bool | None = None,
        max_violation_events: int | None = None,
    ) -> None:
        if role not in ROLES:
            raise OptionError(f"role is one of {', '.join(ROLES)}, not {role!r}")
        if max_message_size < 0 or max_total_decompressed < 0 or (keep is not None and keep < 0):
            raise OptionError("sizes cannot be negative")
        self.role: str | None = None if role == "auto" else role
        self.role_detected = False
        self.deflate = deflate
        self.max_message_size = max_message_size
        self._inflate_budget = InflateBudget(max_total_decompressed)
        self.keep = max_message_size if keep is None else min(keep, max_message_size)
        self.records = records
        self._frame_records = frame_records
        self.violation_events_left = max_violation_events
        """Violations still to report as events (None: no limit); past it, only counted."""
        self.violations_unreported: dict[str, int] = {}
        """Violations counted but not reported as events (``max_violation_events``), by code."""
        self.frames_recorded = 0
        """Frames reported as a FrameRecord (the others were only counted)."""
        self.messages_recorded = 0
        """Messages reported as a MessageRecord (the others were only counted)."""
        self.closed = False
        self.position = offset
        """Offset in the capture of the next byte (``offset``: where the frames start)."""
        self._start = offset
        self.payload_bytes = 0
        self.bytes_needed = 0
        self.violation_counts: dict[str, int] = {}
        self._frame_counts = [0] * 16
        self._message_counts = [0] * 16
        self._inflater: Inflater | None = None
        self._header_buffer = bytearray()
        self._frame: PartialFrame | None = None
        self._message: PartialMessage | None = None
        self._frame_index = 0
        self._message_index = 0
        self._finished = False
        self._complete = True
        self.stopped: HttpInFrames | None = None
        """Set when an HTTP head stood where a frame header was expected: parsing stopped."""
        self.skipped_bytes = 0
        self._http_pending = bytearray()
        """Bytes at a frame boundary that may be the start of an HTTP start line."""
        self._probe_http = True
        self._frame_start = -1
        """Where the current frame's header starts in the chunk (-1: in an earlier one)."""

    @property
    def frames_parsed(self) -> int:
        """Frames whose header has been read so far (the next frame's index)."""
        return self._frame_index

    @property
    def messages_parsed(self) -> int:
        """Messages that ended (or were cut off) so far, reported or only counted."""
        return sum(self._message_counts)

    @property
    def in_message(self) -> bool:
        """A data message has begun and not ended (its next frame is a continuation)."""
        return self._message is not None

    def count_only(self) -> None:
        """From now on nothing is reported but violations: no frame or message record, no
        payload kept (the skim and the tally may run). Between two chunks, at any point."""
        self.records = False
        self._frame_records = False
        self.keep = 0

    @property
    def frame_records(self) -> bool:
        """Whether each frame is reported (a FrameRecord event), not only counted."""
        return self.records if self._frame_records is None else self._frame_records

    @frame_records.setter
    def frame_records(self, value: bool | None) -> None:
        self._frame_records = value

    # -- feeding -------------------------------------------------------------------------

    def feed(self, data: bytes | bytearray | memoryview) -> list[Event]:
        """Parse the next chunk of the stream; return the events it completed."""
        events: list[Event] = []
        view, raw = self._begin_chunk(data, events)
        if view is not None:
            self._parse(view, raw, 0, events, None)
        return events

    def feed_in_slices(self, data: bytes | bytearray | memoryview) -> Iterator[list[Event]]:
        """:meth:`feed` in batches of about :data:`EVENT_BATCH` events, so that the events
        waiting to be handled stay few even when a chunk holds hundreds of thousands of tiny
        frames. The chunk is never cut: a cut would take every frame spanning it out of the
        counts-only skim."""
        events: list[Event] = []
        view, raw = self._begin_chunk(data, events)
        if view is None:
            yield events
            return
        position = 0
        size = len(view)
        while True:
            position = self._parse(view, raw, position, events, EVENT_BATCH)
            if position >= size:
                yield events
                return
            yield events
            events = []

    def _begin_chunk(
        self, data: bytes | bytearray | memoryview, events: list[Event]
    ) -> tuple[bytes | memoryview | None, memoryview]:
        """The chunk as the parse loop reads it (bytes kept as bytes, for speed; anything else
        as a byte view), with the bytes held back for the HTTP probe in front; ``None`` when
        parsing has stopped at an HTTP head and the chunk is only counted as skipped."""
        if self._finished:
            raise OptionError("the parser has finished; make a new one for another stream")
        if self.stopped is not None:
            self.position += len(data)
            self.skipped_bytes += len(data)
            return None, memoryview(b"")
        if self._http_pending:
            data = bytes(self._http_pending) + bytes(data)
            self._http_pending.clear()
        raw = memoryview(data).cast("B")
        self._frame_start = -1
        return (data if isinstance(data, bytes) else raw), raw

    def _parse(
        self,
        view: bytes | memoryview,
        raw: memoryview,
        position: int,
        events: list[Event],
        budget: int | None,
    ) -> int:
        """The parse loop over ``view`` from ``position``; stops early, between frames or
        payload pieces, once ``events`` holds ``budget`` events. Returns where it stopped
        (``len(view)`` when the chunk is done)."""
        size = len(view)
        while position < size:
            if budget is not None and len(events) >= budget:
                return position
            frame = self._frame
            if frame is None:
                if self._may_skim_control():
                    position = self._skim(view, position, size, data=self._may_skim())
                    if position < size and self.violation_events_left == 0:
                        position = self._tally(view, position, size)
                    if position >= size:
                        break
                if self._header_buffer:
                    position = self._read_header(view, position, size)
                else:
                    first = view[position]
                    if self._probe_http and (
                        0x41 <= first <= 0x5A or (first == 0x3C and self.closed)
                    ):
                        found = self._http_head(view, position, size, events)
                        if found:
                            if self.stopped is not None:
                                self.position += size - position
                            break
                    header = parse_header(view, position)
                    if isinstance(header, int):
                        self._header_buffer += view[position:size]
                        break
                    self._start_frame(header)
                    self._frame_start = position
                    self.position += header.header_length
                    position += header.header_length
                frame = self._frame
                if frame is None:
                    break
            take = frame.remaining
            if take > size - position:
                take = size - position
            if take:
                if frame.needs_data:
                    frame.payload(
                        raw[position : position + take],
                        self._message if frame.in_message else None,
                    )
                elif frame.in_message and self._message is not None:
                    self._message.count_only(take, frame.index, frame.violations)
                frame.remaining -= take
                frame.received += take
                self.position += take
                position += take
            if frame.remaining == 0:
                self._end_frame(frame, events)
                if position < size and self._silent_repeat(frame, position):
                    position = self._repeats(view, position, size, frame)
        return size

    def _may_skim_control(self) -> bool:
        """Whether :meth:`_skim` may count the Ping and Pong frames at the next byte: no
        frame is reported, at a frame boundary, role known, nothing buffered. Control frames
        change no state (§5.5), inside a message or after a Close."""
        return (
            not self.frame_records
            and self._frame is None
            and self.role is not None
            and not self._header_buffer
            and not self._http_pending
            and self.stopped is None
        )

    def _may_skim(self) -> bool:
        """Whether :meth:`_skim` may count data frames too: counts only (no message record,
        nothing kept), outside any message, before any Close, the inflater ready."""
        return (
            not self.records
            and not self.keep
            and self._message is None
            and not self.closed
            and (self.deflate is None or self._inflater is not None)
        )

    def _skim(self, view: bytes | memoryview, position: int, size: int, *, data: bool) -> int:
        """Whole, flawless Ping and Pong frames, and with ``data`` (counts only: ``records``
        off, ``keep=0``) whole, flawless, unfragmented binary and text frames, that lie
        entirely in this chunk are counted in one tight loop, with no header object, frame or
        message state. Binary and control payloads are skipped; a text payload is unmasked
        and checked as UTF-8 (§8.1) at once. The first frame that is anything else (or spans
        the chunk's end, or is wrong in any way) is left to the general path, from its first
        byte, so what is reported never depends on which path counted a frame.
        Returns the position of the first frame not counted here."""
        start = position
        position, binary, text, ping, pong, payload_bytes = skim(
            view, position, size, self.role == "client", self.max_message_size, data
        )
        if position != start:
            self._frame_index += binary + text + ping + pong
            self._message_index += binary + text
            self._frame_counts[_BINARY] += binary
            self._message_counts[_BINARY] += binary
            self._frame_counts[_TEXT] += text
            self._message_counts[_TEXT] += text
            self._frame_counts[_PING] += ping
            self._frame_counts[_PONG] += pong
            self.payload_bytes += payload_bytes
            self.position += position - start
        return position

    def _tally(self, view: bytes | memoryview, position: int, size: int) -> int:
        """No frame and no more violations are reported: count the frames that change no
        state (:func:`~flaskscope.frames.skim.tally_python`) in one loop, their violations
        judged once per kind of header, as the general path would judge each of them (a
        flood of different tiny broken frames, where :meth:`_repeats` finds no copies)."""
        start = position
        position, buckets, payload_bytes = tally(
            view, position, self._message is None, self._probe_http
        )
        if position == start:
            return position
        deflate = self.deflate is not None
        for key, count in buckets.items():
            self._frame_counts[key & 0x0F] += count
            self._frame_index += count
            codes = tallied_violations(
                key, after_close=self.closed, role=self.role, deflate=deflate
            )
            self._count_unreported(codes, count)
        self.payload_bytes += payload_bytes
        self.position += position - start
        return position

    def _silent_repeat(self, frame: PartialFrame, position: int) -> bool:
        """Whether a copy of ``frame`` right after it would change nothing but counts: no
        event (no frame record, no violation event left to report), no state (a frame
        outside any message that neither starts one nor closes, §5.4-§5.5), and it lay whole
        in this chunk, small (:data:`MAX_REPEAT_UNIT`) and not where HTTP is looked for."""
        header = frame.header
        start = self._frame_start
        if (
            start < 0
            or position - start > MAX_REPEAT_UNIT
            or frame.in_message
            or header.opcode in _STATEFUL_OPCODES
            or self.frame_records
            or (frame.violations and self.violation_events_left != 0)
            or self._frame is not None
            or self.stopped is not None
            or self._http_pending
        ):
            return False
        first = header.raw[0]
        return not (self._probe_http and (0x41 <= first <= 0x5A or first == 0x3C))

    def _repeats(
        self, view: bytes | memoryview, position: int, size: int, frame: PartialFrame
    ) -> int:
        """Count the byte-identical copies of ``frame`` that follow it at once, without
        parsing each: the same header in the same state gives the same violations and
        counts, so a flood of tiny frames (64 MiB of zeros: 33 million unexpected
        continuations) costs a few comparisons per 64 KiB, not a parse per frame.
        Returns where the first frame that is not a copy starts."""
        unit = bytes(view[self._frame_start : position])
        position, count = count_copies(view, position, size, unit)
        if count:
            header = frame.header
            self._frame_index += count
            self._frame_counts[header.opcode] += count
            self.payload_bytes += count * header.payload_length
            self.position += count * len(unit)
            self._count_unreported([violation.code for violation in frame.violations], count)
        self._frame_start = -1
        return position

    def _count_unreported(self, codes: Iterable[str], count: int) -> None:
        """``count`` frames, each with these violations: counted, not reported."""
        for code in codes:
            self.violation_counts[code] = self.violation_counts.get(code, 0) + count
            self.violations_unreported[code] = self.violations_unreported.get(code, 0) + count

    def _http_head(
        self, view: bytes | memoryview, position: int, size: int, events: list[Event]
    ) -> bool:
        """An HTTP head where a frame header was expected (§4: the handshake comes before
        the frames, never among them): one finding and parsing stops, instead of a cascade
        of reserved-opcode and fragmented-control violations. "HTTP/1.1 ..." read as a frame
        is a non-final Close with RSV1, "GET ..." a reserved opcode: never a valid frame."""
        found = http_head_at(view, position)
        if found is None and self.closed:
            found = http09_body_at(view, position)
        if found is None:
            return False
        if isinstance(found, str):  # "more": too few bytes to tell, wait for the next chunk
            self._http_pending += view[position:size]
            return True
        self.stopped = found
        self.skipped_bytes += len(view) - position
        if found.response and self.closed:
            code, what = "http-after-close", "an HTTP response after the Close frame"
        else:
            code = "http-head-in-frames"
            what = f"an HTTP {'response' if found.response else 'request'} head"
        detail = (
            "parsing stops here: the bytes after it are HTTP, not frames"
            if code == "http-after-close"
            else "the input holds HTTP where frames were expected (both directions of a "
            "connection, or a second exchange?): give one direction's frames, or read the "
            "whole capture with 'flaskscope scan'"
        )
        self._emit_violation(
            Violation(
                code,
                self._frame_index,
                f"{what} ({found.line!r}) at byte {self.position}: {detail}",
            ),
            events,
        )
        return True

    def _read_header(self, view: bytes | memoryview, position: int, size: int) -> int:
        """A header split across chunks: buffer at most 14 bytes (§5.2)."""
        buffered = len(self._header_buffer)
        self._header_buffer += view[position : position + MAX_HEADER_LENGTH - buffered]
        header = parse_header(self._header_buffer)
        if isinstance(header, int):
            return size
        del self._header_buffer[:]
        self._frame_start = -1
        self._start_frame(header)
        self.position += header.header_length
        return position + header.header_length - buffered

    def finish(self) -> list[Event]:
        """The stream has ended: report a truncated frame and an unfinished message."""
        if self._finished:
            return []
        early: list[Event] = []
        if self._http_pending:  # the stream ended before an HTTP line could be told apart
            pending = bytes(self._http_pending)
            self._http_pending.clear()
            self._probe_http = False
            early = self.feed(pending)
        self._complete = self.complete
        self._finished = True
        events: list[Event] = []
        frame = self._frame
        if frame is not None:
            self.bytes_needed = frame.remaining
            frame.violations.append(
                Violation(
                    "truncated",
                    frame.index,
                    f"the stream ends {frame.remaining} "
                    f"{'byte' if frame.remaining == 1 else 'bytes'} before the end of frame "
                    f"{frame.index} (payload length {frame.header.payload_length}, "
                    f"{frame.received} present)",
                )
            )
            self._emit_frame(frame, events)
            self._frame = None
        elif self._header_buffer:
            needed = parse_header(self._header_buffer)
            self.bytes_needed = needed if isinstance(needed, int) else 0
            self._emit_violation(
                Violation(
                    "truncated",
                    self._frame_index,
                    f"the stream ends inside the header of frame {self._frame_index}: "
                    f"{len(self._header_buffer)} bytes, at least {self.bytes_needed} more needed",
                ),
                events,
            )
        message = self._message
        if message is not None:
            if frame is None or not frame.in_message:
                self._emit_violation(
                    Violation(
                        "incomplete-message",
                        message.frames[-1] if message.frames else None,
                        f"the stream ends inside {message.describe()}: no final fragment "
                        f"(FIN) after {message.frame_count} frames",
                    ),
                    events,
                )
            self._emit_message(message, events, complete=False)
        return early + events

    @property
    def complete(self) -> bool:
        """No frame, header or message is left unfinished (as of :meth:`finish`)."""
        if self._finished:
            return self._complete
        return self._frame is None and not self._header_buffer and self._message is None

    # -- frames ----------------------------------------------------------------------------

    def _start_frame(self, header: FrameHeader) -> None:
        """Judge a new header and decide where the frame goes: a new message, the current
        one (continuation), or none (control frames); RFC 6455 §5.4 fragmentation rules."""
        index = self._frame_index
        self._frame_index = index + 1
        opcode = header.opcode
        length = header.payload_length
        self._frame_counts[opcode] += 1
        self.payload_bytes += length
        if self.role is None:
            self.role = "client" if header.masked else "server"
            self.role_detected = True
        if self.deflate is not None and self._inflater is None:
            self._inflater = inflater_for(self.deflate, self.role)
        problems: list[Violation] = (
            header_violations(
                header,
                index,
                after_close=self.closed,
                role=self.role,
                deflate=self.deflate is not None,
            )
            if maybe_bad(header, after_close=self.closed, role=self.role)
            else []
        )
        message = self._message
        abandoned: PartialMessage | None = None
        in_message = False
        if opcode == _CONTINUATION:
            if message is None:
                problems.append(
                    Violation(
                        "unexpected-continuation",
                        index,
                        f"frame {index} continues a message, but no message is in progress",
                    )
                )
            else:
                in_message = True
        elif opcode == _BINARY and message is None and self._counted_whole(header, index, problems):
            pass  # counted as a whole message already; its payload is skipped, never kept
        elif opcode <= 2:
            if message is not None:
                problems.append(
                    Violation(
                        "expected-continuation",
                        index,
                        f"frame {index} starts a new {opcode_name(opcode)} message while "
                        f"{message.describe()} still waits for its final fragment",
                    )
                )
                abandoned = message
            message = self._message = self._new_message(header, index, problems)
            in_message = True
        keep = self.keep if self.keep < length else length
        if in_message and message is not None:
            message.add_frame(index)
            message.declare(length, index, problems)
            needs_data = bool(keep) or message.wants_content
        else:
            needs_data = bool(keep) or opcode == _CLOSE
            if opcode == _CLOSE:
                keep = min(max(keep, MAX_CONTROL_PAYLOAD), length)
        self._frame = PartialFrame(
            header, index, self.position, keep, needs_data, in_message, problems, abandoned
        )

    def _counted_whole(self, header: FrameHeader, index: int, problems: list[Violation]) -> bool:
        """A whole binary message in one frame that nobody keeps (``--summary``): count it
        here and skip its payload, no reassembly state needed. False when that won't do."""
        if not header.fin or self.records or self.keep or (header.rsv1 and self.deflate):
            return False
        self._message_counts[_BINARY] += 1
        self._message_index += 1
        if header.payload_length > self.max_message_size:
            problems.append(
                Violation(
                    "message-too-big",
                    index,
                    f"message {self._message_index - 1} is larger than the "
                    f"{self.max_message_size}-byte limit (--max-message-size)",
                )
            )
        return True

    def _new_message(
        self, header: FrameHeader, index: int, problems: list[Violation]
    ) -> PartialMessage:
        message = PartialMessage(
            self._message_index,
            header.opcode,
            keep=self.keep,
            max_size=self.max_message_size,
            inflater=self._inflater if header.rsv1 else None,
            keep_text=self.records,
            budget=self._inflate_budget,
        )
        self._message_index += 1
        message.begin(index, problems)
        return message

    def _end_frame(self, frame: PartialFrame, events: list[Event]) -> None:
        """The last payload byte arrived: report the frame (always when something is wrong
        or it is a Close, even under ``records=False``) and its message when FIN ends it."""
        self._frame = None
        header = frame.header
        if header.opcode == _CLOSE:
            self.closed = True
        message = self._message if frame.in_message else None
        if message is not None and header.fin and (message.compressed or message.decoder):
            message.end(frame.index, frame.violations)
        if self.frame_records or frame.violations or frame.abandoned or header.opcode == _CLOSE:
            self._emit_frame(frame, events)
        if message is not None and header.fin:
            self._message = None
            self._emit_message(message, events, complete=True)

    def _emit_frame(self, frame: PartialFrame, events: list[Event]) -> None:
        message = self._message if frame.in_message else None
        record = frame.record(message, keep=self.keep, with_record=self.frame_records)
        if record is not None:
            self.frames_recorded += 1
            events.append(record)
        for violation in frame.violations:
            self._emit_violation(violation, events)
        if frame.abandoned is not None:
            self._emit_message(frame.abandoned, events, complete=False)

    def _emit_message(
        self, message: PartialMessage, events: list[Event], *, complete: bool
    ) -> None:
        self._message_counts[message.opcode] += 1
        if self.records:
            self.messages_recorded += 1
            events.append(message.record(complete=complete))

    def _emit_violation(self, violation: Violation, events: list[Event]) -> None:
        code = violation.code
        self.violation_counts[code] = self.violation_counts.get(code, 0) + 1
        left = self.violation_events_left
        if left is None or self._finished:
            events.append(violation)
        elif left > 0:
            self.violation_events_left = left - 1
            events.append(violation)
        else:
            self.violations_unreported[code] = self.violations_unreported.get(code, 0) + 1

    def summary(self) -> StreamSummary:
        """Counts so far (final after :meth:`finish`); kept even when records are not."""
        return StreamSummary(
            stream_bytes=self.position - self._start + len(self._header_buffer),
            payload_bytes=self.payload_bytes,
            frames=_by_name(self._frame_counts),
            messages=_by_name(self._message_counts),
            violations=dict(self.violation_counts),
        )


def _by_name(counts: list[int]) -> dict[str, int]:
    named: dict[str, int] = {}
    for opcode, count in enumerate(counts):
        if count:
            name = opcode_name(opcode)
            named[name] = named.get(name, 0) + count
    return named
