"""JSON for the frame commands: ``parse-frame --json`` (one object, written as events are
parsed), ``parse-frame --json-lines`` (one object per line) and ``build-frame --json``.

No rich here, so the JSON paths never import it. Field names are a public contract
(issue 4): add fields, never rename them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Sequence
from typing import IO, TYPE_CHECKING

from flaskscope.frames.frame import opcode_name
from flaskscope.frames.records import FrameRecord, MessageRecord, StreamSummary
from flaskscope.subprotocols.model import DecodedMessage

if TYPE_CHECKING:
    # Annotations only: build-frame does not load the stream parser.
    from flaskscope.frames.builder import BuiltFrames
    from flaskscope.frames.capture import HttpHead
    from flaskscope.frames.stream import Event, FrameParser
    from flaskscope.subprotocols.stream import StageEvent, SubprotocolStage

__all__ = [
    "JSON_VIOLATIONS",
    "built_frames_json",
    "json_end_line",
    "json_event_line",
    "json_head_line",
    "json_message_line",
    "stream_totals",
    "write_json_document",
]

JSON_VIOLATIONS = 10_000
"""``parse-frame --json`` lists this many violations; the summary counts them all."""

_SPOOL_IN_MEMORY = 1 << 20
"""Messages and violations wait for the end of the frames list in a file past this size."""


def _line(document: dict[str, object]) -> str:
    return json.dumps(document, ensure_ascii=True) + "\n"


def json_head_line(head: HttpHead) -> str:
    """``--json-lines``: the HTTP head skipped in front of the frames."""
    return _line({"type": "http_head", "kind": head.kind, "length": head.length})


def json_event_line(event: Event) -> str:
    """``--json-lines``: one frame, message or violation, typed."""
    kind = (
        "frame"
        if isinstance(event, FrameRecord)
        else "message"
        if isinstance(event, MessageRecord)
        else "violation"
    )
    return _line({"type": kind, **event.to_json()})


def message_json(record: MessageRecord, decoded: DecodedMessage) -> dict[str, object]:
    """A message with what its application protocol made of it (``subprotocol``,
    ``decoded``; see docs/subprotocols.md)."""
    return {**record.to_json(), **decoded.to_json()}


def json_message_line(record: MessageRecord, decoded: DecodedMessage) -> str:
    """``--json-lines``: one message with its ``subprotocol`` and ``decoded`` fields."""
    return _line({"type": "message", **message_json(record, decoded)})


def stream_totals(parser: FrameParser, stage: SubprotocolStage | None = None) -> StreamSummary:
    """The parser's totals, with the subprotocol decoder's violations counted in when a stage
    decoded the messages: what every view of ``parse-frame`` reports."""
    frames = parser.summary()
    return frames if stage is None else stage.summary(frames)


def _ending(
    parser: FrameParser,
    role_source: str,
    stage: SubprotocolStage | None,
    summary: StreamSummary,
    *,
    role_detected: bool,
) -> dict[str, object]:
    """The closing fields of both JSON forms (the document also says ``role_detected``)."""
    ending: dict[str, object] = {"role": parser.role}
    if role_detected:
        ending["role_detected"] = parser.role_detected
    ending.update(
        role_source=role_source,
        complete=parser.complete,
        bytes_needed=parser.bytes_needed,
        summary=summary.to_json(),
    )
    if stage is not None:
        detection = stage.decoder.detection
        ending["subprotocol"] = None if detection is None else detection.to_json()
    return ending


def json_end_line(
    parser: FrameParser, role_source: str, stage: SubprotocolStage | None = None
) -> str:
    """``--json-lines``: the last line, with the totals of the finished parser."""
    summary = stream_totals(parser, stage)
    return _line(
        {"type": "end", **_ending(parser, role_source, stage, summary, role_detected=False)}
    )


def _dumps(value: object, indent: str) -> str:
    """``value`` as indented JSON, nested ``indent`` deep (no raw newline is inside a string:
    ``ensure_ascii`` escapes them)."""
    return json.dumps(value, indent=2, ensure_ascii=True).replace("\n", "\n" + indent)


_ELEMENT = json.JSONEncoder(ensure_ascii=True, separators=(", ", ": ")).encode
"""One record a line: without ``indent`` json uses its C encoder, ~5x faster per record."""


def _write_element(write: Callable[[str], object], value: object, count: int) -> None:
    write(("\n    " if count == 0 else ",\n    ") + _ELEMENT(value))


def _close_list(write: Callable[[str], object], count: int) -> None:
    write("\n  ]" if count else "]")


class _Spool:
    """Text kept in memory up to ``limit`` characters, then in a temporary file: what
    ``tempfile.SpooledTemporaryFile`` does, with tempfile (and the shutil, random, bz2 and lzma
    it imports, a few milliseconds of every start) loaded only once a document needs the disk."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._parts: list[str] = []
        self._size = 0
        self._file: IO[str] | None = None

    def write(self, text: str) -> None:
        if self._file is not None:
            self._file.write(text)
            return
        self._parts.append(text)
        self._size += len(text)
        if self._size > self._limit:
            import tempfile

            self._file = tempfile.TemporaryFile("w+", encoding="ascii")  # noqa: SIM115 (close())
            self._file.write("".join(self._parts))
            self._parts = []

    def copy_to(self, write: Callable[[str], object]) -> None:
        if self._file is None:
            for part in self._parts:
                write(part)
            return
        self._file.seek(0)
        while block := self._file.read(self._limit):
            write(block)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def _copy_list(write: Callable[[str], object], name: str, spool: _Spool, count: int) -> None:
    write(f',\n  "{name}": [')
    spool.copy_to(write)
    _close_list(write, count)


def write_json_document(
    write: Callable[[str], object],
    batches: Iterable[Sequence[StageEvent]],
    parser: FrameParser,
    head: HttpHead | None,
    role_source: str,
    stage: SubprotocolStage | None = None,
) -> bool:
    """``parse-frame --json``: one JSON object written while the capture is parsed.

    Frames go out as they are parsed; messages and the first :data:`JSON_VIOLATIONS`
    violations wait in a spooled temporary file (memory past 1 MiB goes to disk) and follow
    the frames list; the totals close the object. Memory does not grow with the number of
    frames. Returns True when the capture is complete and has no violation.
    """
    frames = messages = violations = 0
    held: MessageRecord | None = None
    write("{\n")
    http_head = None if head is None else {"kind": head.kind, "length": head.length}
    write(f'  "http_head": {_dumps(http_head, "  ")},\n  "frames": [')
    message_spool = _Spool(_SPOOL_IN_MEMORY)
    violation_spool = _Spool(_SPOOL_IN_MEMORY)
    try:
        for events in batches:
            for event in events:
                if isinstance(event, FrameRecord):
                    _write_element(write, event.to_json(), frames)
                    frames += 1
                elif isinstance(event, MessageRecord):
                    if stage is None:
                        _write_element(message_spool.write, event.to_json(), messages)
                        messages += 1
                    else:
                        held = event  # its DecodedMessage comes next
                elif isinstance(event, DecodedMessage):
                    if held is not None and held.index == event.message:
                        document = message_json(held, event)
                        _write_element(message_spool.write, document, messages)
                        messages += 1
                        held = None
                elif violations < JSON_VIOLATIONS:
                    _write_element(violation_spool.write, event.to_json(), violations)
                    violations += 1
        _close_list(write, frames)
        _copy_list(write, "messages", message_spool, messages)
        _copy_list(write, "violations", violation_spool, violations)
    finally:
        message_spool.close()
        violation_spool.close()
    summary = stream_totals(parser, stage)
    violations_total = sum(summary.violations.values())
    ending = {
        "violations_omitted": violations_total - violations,
        **_ending(parser, role_source, stage, summary, role_detected=True),
    }
    for key, value in ending.items():
        write(f',\n  "{key}": {_dumps(value, "  ")}')
    write("\n}\n")
    return parser.complete and not violations_total


def built_frames_json(built: BuiltFrames) -> dict[str, object]:
    """``build-frame --json``: the bytes (hex and base64) and each frame as it was built."""
    return {
        "hex": built.data.hex(),
        "base64": base64.b64encode(built.data).decode("ascii"),
        "length": len(built.data),
        "frames": [
            {
                "opcode": frame.opcode,
                "opcode_name": opcode_name(frame.opcode),
                "fin": frame.fin,
                "rsv1": frame.rsv1,
                "rsv2": frame.rsv2,
                "rsv3": frame.rsv3,
                "mask_key": key.hex() if key is not None else None,
                "payload_hex": frame.payload.hex(),
            }
            for frame, key in zip(built.frames, built.mask_keys, strict=True)
        ],
    }
