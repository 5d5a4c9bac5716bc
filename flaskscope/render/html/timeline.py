"""The timeline's geometry: lanes, ticks and one mark per entry, in SVG user units.

Computed here so the page needs no plotting code at view time: the template only writes
rectangles where this says. x is the entry's time or byte offset, scaled to the plot; the
height grows with the log of the length (a 1 MB message does not flatten the 10-byte ones).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flaskscope.render.html.model import Lane, Mark, Tick, Timeline

__all__ = ["Point", "draw_timeline"]

LEFT, RIGHT, TOP, BAND, GAP = 90.0, 20.0, 16.0, 72.0, 14.0
"""Margins, the height of a lane and the gap between lanes."""
MARK_WIDTH = 6.0
CONTROL_HEIGHT = 12.0
MIN_PLOT, PLOT_PER_MARK, MAX_PLOT = 1040, 10, 16000
"""The plot is 10 units a mark, between 1,040 (a screen) and 16,000 (a long scroll)."""


@dataclass(frozen=True)
class Point:
    """One entry to draw."""

    number: int
    lane: str
    position: float
    length: int
    kind: str
    compressed: bool
    control: bool
    violation: bool
    target: str
    """The anchor a click goes to."""
    label: str


def draw_timeline(
    points: Sequence[Point], *, when: Callable[[float], str], timed: bool, omitted: int
) -> Timeline | None:
    """Client and server lanes (and ``unknown`` when some entry has no direction), ticks
    labelled by ``when``, and the marks; None when there is nothing to draw."""
    if not points:
        return None
    lanes = ["client", "server"]
    if any(point.lane not in lanes for point in points):
        lanes.append("unknown")
    plot = float(min(max(MIN_PLOT, len(points) * PLOT_PER_MARK), MAX_PLOT))
    low = min(point.position for point in points)
    high = max(point.position for point in points)
    span = (high - low) or 1.0
    biggest = math.log2(max(point.length for point in points) + 2)
    lane_y = {name: TOP + index * (BAND + GAP) for index, name in enumerate(lanes)}
    marks = []
    for point in points:
        x = LEFT + (point.position - low) / span * plot if high > low else LEFT + plot / 2
        if point.control:
            height = CONTROL_HEIGHT
        else:
            height = 8.0 + (BAND - 12.0) * math.log2(point.length + 2) / biggest
        base = lane_y.get(point.lane, lane_y[lanes[-1]]) + BAND
        marks.append(
            Mark(
                anchor=point.target,
                number=point.number,
                lane=point.lane,
                x=round(x - MARK_WIDTH / 2, 1),
                y=round(base - height, 1),
                width=MARK_WIDTH,
                height=round(height, 1),
                kind=point.kind,
                compressed=point.compressed,
                violation=point.violation,
                control=point.control,
                label=point.label,
            )
        )
    counts = {name: sum(1 for point in points if point.lane == name) for name in lanes}
    ticks = tuple(
        Tick(x=round(LEFT + plot * step / 4, 1), label=when(low + span * step / 4))
        if high > low
        else Tick(x=round(LEFT + plot * step / 4, 1), label=when(low))
        for step in range(5)
    )
    return Timeline(
        width=LEFT + plot + RIGHT,
        height=TOP + len(lanes) * (BAND + GAP) + 24,
        axis="time since the first message" if timed else "byte offset in the capture",
        lanes=tuple(Lane(name, lane_y[name], BAND, counts[name]) for name in lanes),
        ticks=ticks,
        marks=tuple(marks),
        omitted=omitted,
    )
