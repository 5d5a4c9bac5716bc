"""Floods of identical tiny frames (a file of zeros is 2-byte unexpected continuations) are
counted in bulk, Ping and Pong frames are skimmed whenever no frame is reported, and frames
that change no state are tallied once no violation is reported either: the result must be
exactly what parsing every frame gives."""

from __future__ import annotations

from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from flaskscope.frames import stream
from flaskscope.frames.records import FrameRecord
from flaskscope.frames.stream import FrameParser
from flaskscope.frames.violations import Violation
from flaskscope.handshake.deflate_negotiation import DeflateParams
from tests.profiles import examples

KEY = b"\x11\x22\x33\x44"

UNITS = [
    b"\x00\x00",  # unexpected continuation (zeros)
    b"\x80\x00",  # the same with FIN
    b"\x89\x00",  # ping
    b"\x8a\x03abc",  # pong with a payload
    b"\x09\x00",  # fragmented ping
    b"\x0b\x00",  # reserved opcode
    b"\xc9\x00",  # ping with RSV1
    b"\x49\x00",  # 'I': where an HTTP head is looked for
    b"\x3c\x00",  # '<'
    b"\x80\x80" + KEY,  # masked empty continuation
    b"\x89\x82" + KEY + b"\x01\x02",  # masked ping
    b"\x89\x80" + KEY + b"\x8a\x81\x55\x66\x77\x88\x99",  # masked ping and pong, other keys
    b"\x8a\x7e\x00\x7e" + bytes(126),  # a pong too long for a control frame
    b"\x00\x7e\x00\x00",  # non-minimal length
    b"\x82\x00",  # empty binary message
    b"\x81\x02hi",  # text message
    b"\x81\x02\xff\xfe",  # text that is not UTF-8
    b"\x01\x01a",  # a message begins ...
    b"\x80\x01b",  # ... and ends
    b"\x88\x02\x03\xe8",  # Close
    b"GET / HTTP/1.1\r\n\r\n",
]


def _parse(data: bytes, cuts: list[int], options: dict[str, Any]) -> tuple[Any, ...]:
    parser = FrameParser(**options)
    events: list[Any] = []
    positions = sorted({cut % (len(data) + 1) for cut in cuts})
    for start, end in zip([0, *positions], [*positions, len(data)], strict=True):
        for batch in parser.feed_in_slices(data[start:end]):
            events.extend(batch)
    events.extend(parser.finish())
    reported = sum(1 for event in events if isinstance(event, Violation))
    assert reported + sum(parser.violations_unreported.values()) == sum(
        parser.summary().violations.values()
    )
    assert parser.frames_recorded == sum(1 for event in events if isinstance(event, FrameRecord))
    return (
        events,
        parser.violations_unreported,
        parser.summary(),
        parser.complete,
        parser.bytes_needed,
        parser.role,
        parser.position,
        parser.violation_events_left,
    )


@settings(max_examples=examples(300))
@given(
    runs=st.lists(st.tuples(st.sampled_from(UNITS), st.integers(1, 400)), min_size=1, max_size=8),
    cuts=st.lists(st.integers(0, 200_000), max_size=6),
    role=st.sampled_from(["client", "server", "auto"]),
    deflate=st.booleans(),
    keep=st.sampled_from([0, 8, None]),
    records=st.booleans(),
    frame_records=st.sampled_from([None, False, True]),
    max_violation_events=st.sampled_from([None, 0, 3, 50]),
)
def test_bulk_counting_gives_what_parsing_every_frame_gives(
    runs: list[tuple[bytes, int]],
    cuts: list[int],
    role: str,
    deflate: bool,
    keep: int | None,
    records: bool,
    frame_records: bool | None,
    max_violation_events: int | None,
) -> None:
    data = b"".join(unit * count for unit, count in runs)
    options = {
        "role": role,
        "deflate": DeflateParams() if deflate else None,
        "keep": keep,
        "records": records,
        "frame_records": frame_records,
        "max_violation_events": max_violation_events,
    }
    bulk = _parse(data, cuts, options)
    with (  # every frame parsed one by one
        mock.patch.object(stream, "MAX_REPEAT_UNIT", 0),
        mock.patch.object(stream, "skim", _no_skim),
        mock.patch.object(stream, "tally", _no_tally),
    ):
        one_by_one = _parse(data, cuts, options)
    assert bulk == one_by_one


def _no_skim(
    view: bytes | memoryview, position: int, size: int, masked: bool, max_size: int, data: bool
) -> tuple[int, int, int, int, int, int]:
    return position, 0, 0, 0, 0, 0


def _no_tally(
    view: bytes | memoryview, position: int, continuation: bool, probe_http: bool
) -> tuple[int, dict[int, int], int]:
    return position, {}, 0


def test_a_file_of_zeros_is_counted_not_parsed_frame_by_frame() -> None:
    """4 MiB of zeros, read in 1 MiB chunks as the CLI reads: 2,097,152 frames, each an
    unexpected continuation (RFC 6455 §5.4). A handful go through the per-frame path (the
    first of each run, the violations still reported); the counts are exact."""
    parser = FrameParser(role="auto", keep=0, records=False, max_violation_events=20)
    chunk = bytes(1 << 20)
    started = 0
    start_frame = FrameParser._start_frame

    def counted(self: FrameParser, header: Any) -> None:
        nonlocal started
        started += 1
        start_frame(self, header)

    listed: list[Any] = []
    with mock.patch.object(FrameParser, "_start_frame", counted):
        for _ in range(4):
            for batch in parser.feed_in_slices(chunk):
                listed.extend(batch)
        listed.extend(parser.finish())
    summary = parser.summary()
    assert summary.frames == {"continuation": 2 * 1024 * 1024}
    assert summary.violations == {"unexpected-continuation": 2 * 1024 * 1024}
    assert summary.stream_bytes == 4 << 20
    assert [violation.frame for violation in listed] == list(range(20))
    assert started < 100


def test_counted_only_data_after_close_is_still_a_violation() -> None:
    """The skim must not count data frames after a Close (§5.5.1); control frames are fine."""
    data = b"\x88\x02\x03\xe8" + b"\x89\x00" * 3 + b"\x82\x00" * 3 + b"\x81\x01a"
    for records in (False, True):
        parser = FrameParser(role="server", keep=0, records=records, frame_records=False)
        parser.feed(data)
        parser.finish()
        summary = parser.summary()
        assert summary.violations == {"data-after-close": 4}
        assert summary.frames == {"close": 1, "ping": 3, "binary": 3, "text": 1}
