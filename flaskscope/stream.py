"""The streaming frame parser: feed it captured bytes in chunks, get frames, messages and
violations (RFC 6455 §5, RFC 7692), sans-I/O in the manner of wsproto and websockets.

State stays bounded whatever the input: a partial header (at most 14 bytes), the first
``keep`` bytes of the current frame and message, an incremental UTF-8 decoder and a bounded
inflater. Payload bytes nobody needs (binary payloads under ``--summary``) are skipped without
being unmasked or copied, so a declared length of 2**63-1 costs nothing but a counter.
"""

from __future__ import annotations

import codecs
import struct
from collections.abc import Iterable

from flaskscope.deflate import (
    DecompressionFailed,
    DeflateSettings,
    Inflater,
    MessageTooBig,
    inflater_for,
)
from flaskscope.errors import OptionError
from flaskscope.frames import (
    MAX_64BIT_LENGTH,
    MAX_CONTROL_PAYLOAD,
    FrameHeader,
    Opcode,
    apply_mask,
    close_code_problem,
    opcode_name,
    parse_header,
)
from flaskscope.records import FrameRecord, MessageRecord, StreamResult, StreamSummary
from flaskscope.violations import Violation

__all__ = ["DEFAULT_MAX_MESSAGE_SIZE", "Event", "FrameParser", "parse_stream"]

DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024
PAYLOAD_PIECE = 1 << 16
"""Payload runs are unmasked and inflated in pieces of at most this many bytes."""
MAX_MESSAGE_FRAME_INDICES = 10_000
"""A message lists at most this many frame indices (``frame_count`` has the full count)."""

ROLES = ("client", "server", "auto")

Event = FrameRecord | MessageRecord | Violation

_U16 = struct.Struct("!H")
_UTF8_DECODER = codecs.getincrementaldecoder("utf-8")
_CONTINUATION, _TEXT, _BINARY, _CLOSE = (
    int(Opcode.CONTINUATION),
    int(Opcode.TEXT),
    int(Opcode.BINARY),
    int(Opcode.CLOSE),
)


class _Frame:
    """The frame being read (mutable, private; becomes a FrameRecord when it ends)."""

    __slots__ = (
        "abandoned",
        "header",
        "in_message",
        "index",
        "keep",
        "kept",
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
        abandoned: _Message | None,
    ) -> None:
        self.header = header
        self.index = index
        self.offset = offset
        self.remaining = header.payload_length
        self.keep = keep
        self.needs_data = needs_data
        self.in_message = in_message
        self.kept = bytearray()
        self.received = 0
        self.violations = violations
        self.abandoned = abandoned
        """A message this frame cut short by starting a new one (``expected-continuation``)."""


class _Message:
    """The message being reassembled (mutable, private; becomes a MessageRecord)."""

    __slots__ = (
        "compressed",
        "decoder",
        "failed",
        "frame_count",
        "frames",
        "index",
        "keep",
        "kept",
        "length",
        "opcode",
        "text_parts",
        "too_big",
    )

    def __init__(self, index: int, opcode: int, compressed: bool, keep: int) -> None:
        self.index = index
        self.opcode = opcode
        self.compressed = compressed
        self.keep = keep
        self.frames: list[int] = []
        self.frame_count = 0
        self.length = 0
        self.kept = bytearray()
        self.decoder: codecs.IncrementalDecoder | None = (
            _UTF8_DECODER("strict") if opcode == _TEXT else None
        )
        self.failed = False
        """Set once a message-too-big or decompression failure stops the inflating."""
        self.too_big = False
        self.text_parts: list[str] = []
        """What the UTF-8 check decoded of the kept bytes, so the text is not decoded twice."""


class FrameParser:
    """Turns a byte stream into events; call :meth:`feed` per chunk, then :meth:`finish`.

    ``role`` says who sent the bytes (``client`` frames must be masked, ``server`` frames must
    not, RFC 6455 §5.1); ``auto`` takes it from the first frame's mask bit. ``deflate`` gives
    the negotiated permessage-deflate parameters (None: not negotiated, RSV1 is a violation).
    ``keep`` is how many payload bytes of each frame and message to keep (None: all of them,
    up to ``max_message_size``); ``records=False`` reports only violations and counts.
    """

    def __init__(
        self,
        *,
        role: str = "auto",
        deflate: DeflateSettings | None = None,
        keep: int | None = None,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        records: bool = True,
    ) -> None:
        if role not in ROLES:
            raise OptionError(f"role is one of {', '.join(ROLES)}, not {role!r}")
        if max_message_size < 0 or (keep is not None and keep < 0):
            raise OptionError("sizes cannot be negative")
        self.role: str | None = None if role == "auto" else role
        self.role_detected = False
        self.deflate = deflate
        self.max_message_size = max_message_size
        self.keep = max_message_size if keep is None else min(keep, max_message_size)
        self.records = records
        self.closed = False
        self.position = 0
        self.payload_bytes = 0
        self._frame_counts = [0] * 16
        self._message_counts = [0] * 16
        self.violation_counts: dict[str, int] = {}
        self._inflater: Inflater | None = None
        self._header_buffer = bytearray()
        self._frame: _Frame | None = None
        self._message: _Message | None = None
        self._frame_index = 0
        self._message_index = 0
        self._finished = False
        self._complete = True
        self.bytes_needed = 0

    # -- feeding -------------------------------------------------------------------------

    def feed(self, data: bytes | bytearray | memoryview) -> list[Event]:
        """Parse the next chunk of the stream; return the events it completed."""
        if self._finished:
            raise OptionError("the parser has finished; make a new one for another stream")
        events: list[Event] = []
        raw = memoryview(data).cast("B")
        whole = data if isinstance(data, bytes) else None
        view: bytes | memoryview = raw if whole is None else whole
        position = 0
        size = len(view)
        while position < size:
            frame = self._frame
            if frame is None:
                if self._header_buffer or whole is None:
                    position = self._read_header(view, position, size)
                else:
                    header = parse_header(whole, position)
                    if isinstance(header, int):
                        self._header_buffer += whole[position:size]
                        break
                    self._start_frame(header)
                    self.position += header.header_length
                    position += header.header_length
                frame = self._frame
                if frame is None:
                    break
            else:
                take = min(frame.remaining, size - position)
                if frame.needs_data:
                    self._payload(frame, raw[position : position + take])
                elif frame.in_message and self._message is not None:
                    self._count_only(self._message, take, frame)
                frame.remaining -= take
                frame.received += take
                self.position += take
                position += take
            if frame.remaining == 0:
                self._end_frame(frame, events)
        return events

    def _read_header(self, view: bytes | memoryview, position: int, size: int) -> int:
        buffered = len(self._header_buffer)
        if buffered:
            self._header_buffer += view[position : position + 14 - buffered]
            source: bytes | bytearray = self._header_buffer
            start = 0
        else:
            source = view if isinstance(view, bytes) else bytes(view[position : position + 14])
            start = position if isinstance(view, bytes) else 0
        header = parse_header(source, start)
        if isinstance(header, int):
            if not buffered:
                self._header_buffer += view[position:size]
            return size
        consumed = header.header_length - buffered
        self._header_buffer.clear()
        self._start_frame(header)
        self.position += header.header_length
        return position + consumed

    def finish(self) -> list[Event]:
        """The stream has ended: report a truncated frame and an unfinished message."""
        if self._finished:
            return []
        self._complete = self.complete
        self._finished = True
        events: list[Event] = []
        frame = self._frame
        if frame is not None:
            self.bytes_needed = frame.remaining
            frame.violations.append(
                self._violation(
                    "truncated",
                    frame.index,
                    f"the stream ends {frame.remaining} bytes before the end of frame "
                    f"{frame.index} (payload length {frame.header.payload_length}, "
                    f"{frame.received} present)",
                )
            )
            self._emit_frame(frame, events)
            self._frame = None
        elif self._header_buffer:
            needed = parse_header(self._header_buffer)
            self.bytes_needed = needed if isinstance(needed, int) else 0
            events.append(
                self._violation(
                    "truncated",
                    self._frame_index,
                    f"the stream ends inside the header of frame {self._frame_index}: "
                    f"{len(self._header_buffer)} bytes, at least {self.bytes_needed} more needed",
                )
            )
        message = self._message
        if message is not None and (frame is None or not frame.in_message):
            events.append(
                self._violation(
                    "incomplete-message",
                    message.frames[-1] if message.frames else None,
                    f"the stream ends inside {opcode_name(message.opcode)} message "
                    f"{message.index}: no final fragment (FIN) after {message.frame_count} "
                    "frames",
                )
            )
        if message is not None:
            self._emit_message(message, events, complete=False)
        return events

    @property
    def complete(self) -> bool:
        """No frame, header or message is left unfinished (as of :meth:`finish`)."""
        if self._finished:
            return self._complete
        return self._frame is None and not self._header_buffer and self._message is None

    # -- frames ----------------------------------------------------------------------------

    def _start_frame(self, header: FrameHeader) -> None:
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
        problems: list[Violation] = []
        encoding = header.length_encoding
        if (
            self.closed
            or header.raw[0] & 0x70
            or (opcode > 2 and (opcode < 8 or opcode > 10 or length > 125 or not header.fin))
            or header.masked != (self.role == "client")
            or (
                encoding != 7 and (header.minimal_encoding != encoding or length > MAX_64BIT_LENGTH)
            )
        ):
            self._check_header(header, index, problems)
        message = self._message
        abandoned: _Message | None = None
        in_message = False
        if opcode == _CONTINUATION:
            if message is None:
                problems.append(
                    self._violation(
                        "unexpected-continuation",
                        index,
                        f"frame {index} continues a message, but no message is in progress",
                    )
                )
            else:
                in_message = True
        elif (
            opcode == _BINARY
            and message is None
            and header.fin
            and not self.records
            and not self.keep
            and not (header.rsv1 and self.deflate is not None)
        ):
            # A whole binary message in one frame that nobody keeps (``--summary``): count it
            # here and skip its payload, no reassembly state needed.
            self._message_counts[_BINARY] += 1
            self._message_index += 1
            if length > self.max_message_size:
                problems.append(
                    self._violation(
                        "message-too-big",
                        index,
                        f"message {self._message_index - 1} is larger than the "
                        f"{self.max_message_size}-byte limit (--max-message-size)",
                    )
                )
        elif opcode <= 2:
            if message is not None:
                problems.append(
                    self._violation(
                        "expected-continuation",
                        index,
                        f"frame {index} starts a new {opcode_name(opcode)} message while "
                        f"{opcode_name(message.opcode)} message {message.index} still "
                        "waits for its final fragment",
                    )
                )
                abandoned = message
            message = self._message = self._new_message(header, index, problems)
            in_message = True
        keep = self.keep if self.keep < length else length
        if in_message and message is not None:
            message.frame_count += 1
            if len(message.frames) < MAX_MESSAGE_FRAME_INDICES:
                message.frames.append(index)
            needs_data = bool(keep) or _wants_content(message)
        else:
            needs_data = bool(keep) or opcode == _CLOSE
            if opcode == _CLOSE:
                keep = min(max(keep, MAX_CONTROL_PAYLOAD), length)
        self._frame = _Frame(
            header, index, self.position, keep, needs_data, in_message, problems, abandoned
        )

    def _new_message(self, header: FrameHeader, index: int, problems: list[Violation]) -> _Message:
        compressed = header.rsv1 and self.deflate is not None
        message = _Message(self._message_index, header.opcode, compressed, self.keep)
        self._message_index += 1
        if compressed and self._inflater is not None:
            try:
                self._inflater.begin_message()
            except DecompressionFailed as error:
                message.failed = True
                problems.append(self._violation("decompression-failed", index, str(error)))
        return message

    def _check_header(self, header: FrameHeader, index: int, problems: list[Violation]) -> None:
        if self.closed:
            problems.append(
                self._violation(
                    "data-after-close",
                    index,
                    f"frame {index} ({header.opcode_name}) comes after a Close frame; "
                    "nothing may be sent after Close",
                )
            )
        is_control = header.opcode >= 0x8
        if header.rsv2 or header.rsv3:
            bits = ", ".join(
                name for name, on in (("RSV2", header.rsv2), ("RSV3", header.rsv3)) if on
            )
            problems.append(
                self._violation(
                    "reserved-bits", index, f"frame {index} sets {bits}; no extension defines it"
                )
            )
        if header.rsv1:
            if self.deflate is None:
                problems.append(
                    self._violation(
                        "reserved-bits",
                        index,
                        f"frame {index} sets RSV1 but no extension was negotiated "
                        "(pass --deflate if permessage-deflate was)",
                    )
                )
            elif is_control:
                problems.append(
                    self._violation(
                        "compressed-control",
                        index,
                        f"frame {index} is a {header.opcode_name} frame with RSV1 set; "
                        "control frames are never compressed",
                    )
                )
            elif header.opcode == _CONTINUATION:
                problems.append(
                    self._violation(
                        "compressed-continuation",
                        index,
                        f"frame {index} is a continuation frame with RSV1 set; only the first "
                        "frame of a compressed message has it",
                    )
                )
        if header.opcode_name == "reserved":
            problems.append(
                self._violation(
                    "reserved-opcode",
                    index,
                    f"frame {index} uses reserved opcode {header.opcode:#x}",
                )
            )
        elif is_control:
            if header.payload_length > MAX_CONTROL_PAYLOAD:
                problems.append(
                    self._violation(
                        "control-too-long",
                        index,
                        f"{header.opcode_name} frame {index} carries {header.payload_length} "
                        f"bytes; control frames carry at most {MAX_CONTROL_PAYLOAD}",
                    )
                )
            if not header.fin:
                problems.append(
                    self._violation(
                        "fragmented-control",
                        index,
                        f"{header.opcode_name} frame {index} has FIN clear; control frames "
                        "must not be fragmented",
                    )
                )
        if self.role == "client" and not header.masked:
            problems.append(
                self._violation(
                    "unmasked-client-frame",
                    index,
                    f"frame {index} is not masked; a client masks every frame it sends",
                )
            )
        elif self.role == "server" and header.masked:
            problems.append(
                self._violation(
                    "masked-server-frame",
                    index,
                    f"frame {index} is masked; a server never masks its frames",
                )
            )
        if header.payload_length > MAX_64BIT_LENGTH:
            problems.append(
                self._violation(
                    "length-msb-set",
                    index,
                    f"frame {index} has the most significant bit of its 64-bit length set "
                    f"({header.payload_length})",
                )
            )
        elif header.length_encoding != header.minimal_encoding:
            problems.append(
                self._violation(
                    "non-minimal-length",
                    index,
                    f"frame {index} encodes length {header.payload_length} in the "
                    f"{header.length_encoding}-bit field; the minimal encoding is "
                    f"{header.minimal_encoding}-bit",
                )
            )

    def _payload(self, frame: _Frame, chunk: memoryview) -> None:
        """Unmask and use a run of payload bytes, 64 KiB at a time (cache-sized pieces keep
        the temporary copies small whatever the chunk size)."""
        key = frame.header.mask_key
        message = self._message if frame.in_message else None
        if message is not None and len(frame.kept) >= frame.keep and not _wants_content(message):
            self._count_only(message, len(chunk), frame)
            return
        offset = frame.received
        for start in range(0, len(chunk), PAYLOAD_PIECE):
            piece = chunk[start : start + PAYLOAD_PIECE]
            data = apply_mask(piece, key, offset + start) if key is not None else bytes(piece)
            room = frame.keep - len(frame.kept)
            if room > 0:
                frame.kept += data[:room]
            if message is not None:
                self._message_data(message, data, frame)
            elif room <= len(data):
                return

    def _count_only(self, message: _Message, count: int, frame: _Frame) -> None:
        """Binary bytes nobody will see: count them, do not unmask them."""
        if message.length + count > self.max_message_size:
            self._too_big(message, frame)
        message.length += count

    def _message_data(self, message: _Message, data: bytes, frame: _Frame) -> None:
        if message.failed:
            return
        if message.compressed and self._inflater is not None:
            try:
                data = self._inflater.feed(data, self.max_message_size - message.length)
            except MessageTooBig:
                message.failed = True
                self._too_big(message, frame)
                return
            except DecompressionFailed as error:
                message.failed = True
                frame.violations.append(
                    self._violation("decompression-failed", frame.index, str(error))
                )
                return
        self._message_output(message, data, frame)

    def _message_output(self, message: _Message, data: bytes, frame: _Frame) -> None:
        if message.length + len(data) > self.max_message_size:
            self._too_big(message, frame)
        message.length += len(data)
        room = message.keep - len(message.kept)
        if room > 0:
            message.kept += data[:room]
        if message.decoder is not None:
            pending = len(message.decoder.getstate()[0])
            try:
                piece = message.decoder.decode(data)
            except UnicodeDecodeError as error:
                position = message.length - len(data) - pending + error.start
                message.decoder = None
                frame.violations.append(
                    self._violation(
                        "invalid-utf8",
                        frame.index,
                        f"text message {message.index} is not valid UTF-8 "
                        f"(byte {position} of the message: "
                        f"{error.reason})",
                    )
                )
            else:
                if room > 0 and self.records:
                    message.text_parts.append(piece)

    def _too_big(self, message: _Message, frame: _Frame) -> None:
        if not message.too_big:
            message.too_big = True
            frame.violations.append(
                self._violation(
                    "message-too-big",
                    frame.index,
                    f"message {message.index} is larger than the {self.max_message_size}-byte "
                    "limit (--max-message-size)"
                    + ("; inflating stopped there" if message.compressed else ""),
                )
            )

    def _end_frame(self, frame: _Frame, events: list[Event]) -> None:
        self._frame = None
        header = frame.header
        if header.opcode == _CLOSE:
            self.closed = True
        message = self._message if frame.in_message else None
        if message is not None and header.fin and (message.compressed or message.decoder):
            self._finish_message(message, frame)
        if self.records or frame.violations or frame.abandoned or header.opcode == _CLOSE:
            self._emit_frame(frame, events)
        if message is not None and header.fin:
            self._message = None
            self._emit_message(message, events, complete=True)

    def _finish_message(self, message: _Message, frame: _Frame) -> None:
        if message.compressed and self._inflater is not None and not message.failed:
            try:
                tail = self._inflater.end_message(self.max_message_size - message.length)
            except MessageTooBig:
                message.failed = True
                self._too_big(message, frame)
            except DecompressionFailed as error:
                message.failed = True
                frame.violations.append(
                    self._violation("decompression-failed", frame.index, str(error))
                )
            else:
                self._message_output(message, tail, frame)
        if message.decoder is not None and not message.failed:
            try:
                message.decoder.decode(b"", True)
            except UnicodeDecodeError:
                message.decoder = None
                frame.violations.append(
                    self._violation(
                        "invalid-utf8",
                        frame.index,
                        f"text message {message.index} ends inside a UTF-8 sequence",
                    )
                )

    def _emit_frame(self, frame: _Frame, events: list[Event]) -> None:
        header = frame.header
        is_close = header.opcode == _CLOSE
        kept = bytes(frame.kept)
        close_code: int | None = None
        close_reason: str | None = None
        if is_close and frame.received == header.payload_length:
            close_code, close_reason = self._close(kept, frame)
        if self.records:
            text: str | None = None
            message = self._message
            if (
                frame.in_message
                and message is not None
                and message.opcode == _TEXT
                and not message.compressed
            ):
                whole = header.fin and message.frame_count == 1
                text = _message_text(message, kept) if whole else kept.decode("utf-8", "replace")
            display = kept[: self.keep] if is_close else kept
            events.append(
                FrameRecord(
                    index=frame.index,
                    offset=frame.offset,
                    header=header,
                    payload=display,
                    received=frame.received,
                    compressed=frame.in_message and message is not None and message.compressed,
                    text=text,
                    close_code=close_code,
                    close_reason=close_reason,
                )
            )
        events.extend(frame.violations)
        if frame.abandoned is not None:
            self._emit_message(frame.abandoned, events, complete=False)

    def _close(self, payload: bytes, frame: _Frame) -> tuple[int | None, str | None]:
        if len(payload) == 1:
            frame.violations.append(
                self._violation(
                    "close-payload-too-short",
                    frame.index,
                    f"close frame {frame.index} has a 1-byte payload; a close code takes 2",
                )
            )
            return None, None
        if len(payload) < 2:
            return None, None
        (code,) = _U16.unpack_from(payload)
        problem = close_code_problem(code)
        if problem is not None:
            frame.violations.append(
                self._violation(
                    "invalid-close-code", frame.index, f"close frame {frame.index}: {problem}"
                )
            )
        raw_reason = payload[2:]
        try:
            reason = raw_reason.decode("utf-8")
        except UnicodeDecodeError as error:
            reason = raw_reason.decode("utf-8", "replace")
            frame.violations.append(
                self._violation(
                    "invalid-close-reason-utf8",
                    frame.index,
                    f"the reason in close frame {frame.index} is not valid UTF-8 "
                    f"({error.reason} at byte {error.start})",
                )
            )
        return code, reason

    def _emit_message(self, message: _Message, events: list[Event], *, complete: bool) -> None:
        self._message_counts[message.opcode] += 1
        if not self.records:
            return
        kept = bytes(message.kept)
        text = _message_text(message, kept) if message.opcode == _TEXT else None
        events.append(
            MessageRecord(
                index=message.index,
                opcode=message.opcode,
                frames=tuple(message.frames),
                frame_count=message.frame_count,
                compressed=message.compressed,
                length=message.length,
                payload=kept,
                text=text,
                complete=complete,
            )
        )

    def _violation(self, code: str, frame: int | None, message: str) -> Violation:
        self.violation_counts[code] = self.violation_counts.get(code, 0) + 1
        return Violation(code=code, frame=frame, message=message)

    def summary(self) -> StreamSummary:
        return StreamSummary(
            stream_bytes=self.position + len(self._header_buffer),
            payload_bytes=self.payload_bytes,
            frames=_by_name(self._frame_counts),
            messages=_by_name(self._message_counts),
            violations=dict(self.violation_counts),
        )


def parse_stream(
    data: bytes | Iterable[bytes],
    *,
    role: str = "auto",
    deflate: DeflateSettings | None = None,
    keep: int | None = None,
    max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
    records: bool = True,
    max_violations: int = 10_000,
) -> StreamResult:
    """Parse a whole capture (bytes, or an iterable of chunks read incrementally).

    Keeps every frame and message record (use ``records=False`` for counts only) and at
    most ``max_violations`` violations (the summary counts all of them).
    """
    parser = FrameParser(
        role=role, deflate=deflate, keep=keep, max_message_size=max_message_size, records=records
    )
    frames: list[FrameRecord] = []
    messages: list[MessageRecord] = []
    violations: list[Violation] = []
    chunks: Iterable[bytes] = (data,) if isinstance(data, (bytes, bytearray)) else data
    for chunk in chunks:
        _collect(parser.feed(chunk), frames, messages, violations, max_violations)
    _collect(parser.finish(), frames, messages, violations, max_violations)
    return StreamResult(
        frames=tuple(frames),
        messages=tuple(messages),
        violations=tuple(violations),
        complete=parser.complete,
        bytes_needed=parser.bytes_needed,
        role=parser.role,
        role_detected=parser.role_detected,
        summary=parser.summary(),
    )


def _collect(
    events: list[Event],
    frames: list[FrameRecord],
    messages: list[MessageRecord],
    violations: list[Violation],
    max_violations: int,
) -> None:
    for event in events:
        if isinstance(event, FrameRecord):
            frames.append(event)
        elif isinstance(event, MessageRecord):
            messages.append(event)
        elif len(violations) < max_violations:
            violations.append(event)


def _wants_content(message: _Message) -> bool:
    """Whether the message's bytes must be unmasked: to inflate, to check UTF-8, to keep."""
    return (
        (message.compressed and not message.failed)
        or message.decoder is not None
        or len(message.kept) < message.keep
    )


def _message_text(message: _Message, kept: bytes) -> str:
    """The text of the kept bytes: what the UTF-8 check already decoded when all is valid and
    kept, else a lenient decoding (U+FFFD for bad bytes, a cut last character dropped)."""
    if message.decoder is not None and len(kept) == message.length:
        return "".join(message.text_parts)
    if len(kept) == message.length:
        return kept.decode("utf-8", "replace")
    return _UTF8_DECODER("replace").decode(kept, False)


def _by_name(counts: list[int]) -> dict[str, int]:
    named: dict[str, int] = {}
    for opcode, count in enumerate(counts):
        if count:
            name = opcode_name(opcode)
            named[name] = named.get(name, 0) + count
    return named
