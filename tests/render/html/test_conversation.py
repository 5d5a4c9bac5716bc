"""The conversation builder as ``scan`` will use it: both directions of a connection, events
placed by time, violations kept with the direction they belong to; and any bytes at all
make a page (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.frames import Frame, Opcode

from flaskscope.frames.capture import iter_events
from flaskscope.frames.stream import FrameParser
from flaskscope.render.html import ConversationBuilder, Limits, Report, render_report


def _events(data: bytes, role: str) -> list[object]:
    parser = FrameParser(role=role, keep=64)
    return [event for batch in iter_events(parser, [data]) for event in batch]


def test_two_directions_by_time() -> None:
    client = b"".join(
        Frame(Opcode.TEXT, f"question {n}".encode()).serialize(mask=True) for n in range(3)
    )
    # the server's frame 1 is masked: a violation at index 1 of the server side only
    server = (
        Frame(Opcode.TEXT, b"answer 0").serialize(mask=False)
        + Frame(Opcode.TEXT, b"answer 1").serialize(mask=True)
        + Frame(Opcode.CLOSE, b"\x03\xe8").serialize(mask=False)
    )
    timed = [(0.5 * n, "client", e) for n, e in enumerate(_events(client, "client"))]
    timed += [(0.5 * n + 0.25, "server", e) for n, e in enumerate(_events(server, "server"))]
    builder = ConversationBuilder("conn-1", "127.0.0.1:50000 -> 127.0.0.1:8765")
    for time, direction, event in sorted(timed, key=lambda item: item[0]):
        builder.add(event, direction=direction, time=time)  # type: ignore[arg-type]
    section = builder.finish()
    timeline = section.timeline
    assert timeline is not None
    assert timeline.axis == "time since the first message"
    assert [(lane.name, lane.count) for lane in timeline.lanes] == [("client", 3), ("server", 3)]
    assert [mark.lane for mark in timeline.marks] == ["client", "server"] * 3
    flagged = [(m.lane, m.kind) for m in timeline.marks if m.violation]
    assert flagged == [("server", "text")]
    bad = next(entry for entry in section.entries if entry.violations)
    assert bad.direction == "server"
    assert bad.violations[0][0] == "masked-server-frame"
    assert bad.text == "answer 1"
    assert section.entries[0].when.startswith("+0.000 s")
    assert all(tick.label.endswith(" s") for tick in timeline.ticks)
    # the marks are placed by time: left to right as sent
    xs = [mark.x for mark in timeline.marks]
    assert xs == sorted(xs)
    assert len(set(xs)) == 6


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["client", "server", "auto"]))
def test_any_bytes_make_a_page(data: bytes, role: str) -> None:
    parser = FrameParser(role=role, keep=32)
    builder = ConversationBuilder("c", "c", limits=Limits(marks=8, entries=4, violations=3))
    for batch in iter_events(parser, [data]):
        for event in batch:
            builder.add(event, direction=parser.role or "unknown")
    text = render_report(
        Report(title="t", command="c", verdict="v", tone="bad", sections=(builder.finish(),))
    )
    assert text.count("<script>") == 1
    assert "<img" not in text
