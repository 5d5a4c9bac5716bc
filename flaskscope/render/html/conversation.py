"""A WebSocket conversation for the report, built event by event from the stream parser.

:class:`ConversationBuilder` takes the parser's events (frames, messages, violations) of
one connection in the order they happened, each with its direction and, when known, its
time; ``parse-frame`` feeds one direction by byte offset, ``scan`` both directions by time.
Memory is bounded by :class:`Limits`, not by the capture: past the limits entries and
violations are counted, not kept, and the page says how many were left out.

A data message and its frames form one entry; a control frame (close, ping, pong) is an
entry by itself (RFC 6455 §5.5: control frames stand alone, even inside a fragmented
message). The timeline draws one mark per entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from flaskscope.frames.close_codes import close_code_name
from flaskscope.frames.records import FrameRecord, MessageRecord
from flaskscope.frames.violations import Violation
from flaskscope.render.hexdump import hexdump_rows
from flaskscope.render.html.frame_view import frame_view
from flaskscope.render.html.model import (
    Conversation,
    Entry,
    FrameView,
    Piece,
    SummaryItem,
    Timeline,
)
from flaskscope.render.html.text import visible
from flaskscope.render.html.timeline import Point, draw_timeline

__all__ = ["ConversationBuilder", "Limits"]

Event = FrameRecord | MessageRecord | Violation

LANES = ("client", "server", "unknown")


@dataclass(frozen=True)
class Limits:
    """How much of a conversation the page holds (measured: 2,000 detailed entries of
    256-byte payloads make a ~5 MB page that Chromium opens in about a second)."""

    marks: int = 5000
    """Entries drawn on the timeline."""
    entries: int = 1000
    """Entries shown in detail (frames, dumps, payloads)."""
    open_entries: int = 5
    """Entries shown open: the first screen; the others are collapsed ``<details>``."""
    violations: int = 500
    """Violations listed (all are counted)."""
    payload_bytes: int = 256
    """Payload bytes shown per frame and message (``--max-bytes``)."""


@dataclass
class _Draft:
    """An entry while the conversation is still being read (violations may come later)."""

    number: int
    direction: str
    kind: str
    position: float
    length: int
    compressed: bool
    complete: bool
    control: bool
    preview: str
    detail: Entry | None
    violations: list[tuple[str, str, str, int | None]] = field(default_factory=list)
    """``(code, RFC section, message, frame index)``."""


@dataclass
class _Pending:
    """A data frame waiting for the message that will claim it."""

    position: float
    view: FrameView | None


class ConversationBuilder:
    """Feed :meth:`add` every event of one connection, then :meth:`finish`."""

    def __init__(self, anchor: str, title: str, *, limits: Limits | None = None) -> None:
        self.anchor = anchor
        self.title = title
        self.limits = limits or Limits()
        self._drafts: list[_Draft] = []
        self._entry_count = 0
        self._detailed = 0
        self._pending: dict[tuple[str, int], _Pending] = {}
        self._by_frame: dict[tuple[str, int], _Draft] = {}
        self._loose_violations: dict[tuple[str, int], list[tuple[str, str, str, int | None]]] = {}
        self._violations: list[tuple[str, str, str, tuple[str, int] | None]] = []
        self._violation_count = 0
        self._violation_codes: dict[str, int] = {}
        self._timed = False
        self._counts: dict[tuple[str, str], int] = {}

    def add(
        self,
        event: Event,
        *,
        direction: str = "unknown",
        time: float | None = None,
        decoded: Sequence[tuple[str, str]] = (),
    ) -> None:
        """One event, with who sent it and when (seconds; None: place it by byte offset).
        ``decoded`` is the subprotocol message a message carries, as ``(field, value)``."""
        if time is not None:
            self._timed = True
        if isinstance(event, FrameRecord):
            self._add_frame(event, direction, time)
        elif isinstance(event, MessageRecord):
            self._add_message(event, direction, decoded, time)
        else:
            self._add_violation(event, direction)

    # -- events --------------------------------------------------------------------------

    def _wants_detail(self) -> bool:
        return self._detailed < self.limits.entries

    def _add_frame(self, record: FrameRecord, direction: str, time: float | None) -> None:
        position = float(record.offset if time is None else time)
        key = (direction, record.index)
        if record.header.opcode < 0x8:
            if self._entry_count < self.limits.marks:
                view = (
                    frame_view(record, self.limits.payload_bytes) if self._wants_detail() else None
                )
                self._pending[key] = _Pending(position, view)
            return
        view = frame_view(record, self.limits.payload_bytes) if self._wants_detail() else None
        decoded: list[tuple[str, str]] = []
        if record.close_code is not None:
            decoded.append(
                ("close code", f"{record.close_code} {close_code_name(record.close_code)}")
            )
        if record.close_reason:
            decoded.append(("close reason", visible(record.close_reason)))
        self._new_entry(
            direction=direction,
            kind=record.header.opcode_name,
            position=position,
            length=record.header.payload_length,
            compressed=record.compressed,
            complete=not record.truncated,
            control=True,
            payload=record.payload,
            text=None,
            decoded=decoded,
            frames=(view,) if view is not None else (),
            frame_keys=(key,),
        )

    def _add_message(
        self,
        record: MessageRecord,
        direction: str,
        decoded: Sequence[tuple[str, str]],
        time: float | None = None,
    ) -> None:
        keys = [(direction, index) for index in record.frames]
        pending = [self._pending.pop(key, None) for key in keys]
        first = pending[0] if pending else None
        # Placed at its first frame; a message without frames (a HAR's) at its own time.
        position = (
            first.position
            if first is not None
            else time
            if time is not None
            else self._last_position()
        )
        self._new_entry(
            direction=direction,
            kind=record.opcode_name,
            position=position,
            length=record.length,
            compressed=record.compressed,
            complete=record.complete,
            control=False,
            payload=record.payload,
            text=record.text,
            decoded=list(decoded),
            frames=tuple(item.view for item in pending if item is not None and item.view),
            frame_keys=tuple(keys),
            more_frames=record.frame_count - len(record.frames),
        )

    def _last_position(self) -> float:
        return self._drafts[-1].position if self._drafts else 0.0

    def _add_violation(self, violation: Violation, direction: str) -> None:
        self._violation_count += 1
        self._violation_codes[violation.code] = self._violation_codes.get(violation.code, 0) + 1
        key = None if violation.frame is None else (direction, violation.frame)
        row = (violation.code, violation.rfc, visible(violation.message), violation.frame)
        if len(self._violations) < self.limits.violations:
            self._violations.append((*row[:3], key))
        if key is None:
            return
        draft = self._by_frame.get(key)
        if draft is not None:
            draft.violations.append(row)
        elif key in self._pending or len(self._loose_violations) < self.limits.marks:
            self._loose_violations.setdefault(key, []).append(row)

    def _new_entry(
        self,
        *,
        direction: str,
        kind: str,
        position: float,
        length: int,
        compressed: bool,
        complete: bool,
        control: bool,
        payload: bytes,
        text: str | None,
        decoded: list[tuple[str, str]],
        frames: tuple[FrameView, ...],
        frame_keys: tuple[tuple[str, int], ...],
        more_frames: int = 0,
    ) -> None:
        number = self._entry_count
        self._entry_count += 1
        self._counts[(direction, kind)] = self._counts.get((direction, kind), 0) + 1
        if number >= self.limits.marks:
            for key in frame_keys:
                self._loose_violations.pop(key, None)
            return
        shown = payload[: self.limits.payload_bytes]
        kept_text = None if text is None else text[: self.limits.payload_bytes]
        shown_text = None if kept_text is None else visible(kept_text)
        draft = _Draft(
            number=number,
            direction=direction,
            kind=kind,
            position=position,
            length=length,
            compressed=compressed,
            complete=complete,
            control=control,
            preview=_preview(shown_text, shown),
            detail=None,
        )
        for key in frame_keys:
            draft.violations.extend(self._loose_violations.pop(key, ()))
            self._by_frame[key] = draft
        if self._wants_detail():
            self._detailed += 1
            if more_frames > 0:
                decoded.append(("frames", f"{more_frames} more frame(s) not listed"))
            draft.detail = Entry(
                anchor=f"{self.anchor}-e{number}",
                number=number,
                direction=direction,
                kind=kind,
                title="",
                length=length,
                compressed=compressed,
                complete=complete,
                when="",
                text=shown_text,
                payload_rows=() if text is not None else tuple(hexdump_rows([(shown, "")])),
                hidden_bytes=max(
                    0,
                    length
                    - (
                        len(shown)
                        if kept_text is None
                        else len(kept_text.encode("utf-8", "replace"))
                    ),
                ),
                decoded=tuple(decoded),
                frames=frames,
                violations=(),
                open=number < self.limits.open_entries,
            )
        self._drafts.append(draft)

    @property
    def full(self) -> bool:
        """Every mark is drawn: later events only add to counts (a caller that can count
        them some cheaper way may stop feeding entries and pass ``counts`` to finish)."""
        return self._entry_count >= self.limits.marks

    # -- the end -------------------------------------------------------------------------

    def finish(
        self,
        *,
        status: Sequence[Piece] = (),
        facts: Sequence[SummaryItem] = (),
        counts: dict[tuple[str, str], int] | None = None,
    ) -> Conversation:
        """The section: ``status`` is the verdict line (the terminal's words), ``facts`` the
        conversation's own counts and settings shown above the timeline. ``counts``
        (``(direction, kind)`` -> entries) replaces the builder's own count when the caller
        stopped feeding messages once :attr:`full` (``parse-frame`` counts them in the parser).
        """
        if counts is not None:
            self._counts = dict(counts)
            self._entry_count = max(self._entry_count, sum(counts.values()))
        entries = [self._entry(draft) for draft in self._drafts if draft.detail is not None]
        detailed = {entry.number for entry in entries}
        stray = tuple(
            replace(
                item.view,
                anchor=self._stray_anchor(key),
                violations=tuple(row[0] for row in self._loose_violations.get(key, ())),
            )
            for key, item in self._pending.items()
            if item.view is not None
        )
        violations = tuple(
            (code, rfc, message, self._anchor_of(key, detailed))
            for code, rfc, message, key in self._violations
        )
        omitted = self._entry_count - len(entries)
        notes = []
        if omitted:
            notes.append(
                f"{omitted} of {self._entry_count} messages and control frames are counted"
                f" but not shown in detail (the first {self.limits.entries} are)"
            )
        undrawn = max(0, self._entry_count - self.limits.marks)
        if undrawn:
            notes.append(
                f"the timeline draws the first {self.limits.marks} of them; {undrawn} are not drawn"
            )
        if self._violation_count > len(self._violations):
            notes.append(
                f"{self._violation_count - len(self._violations)} of {self._violation_count}"
                " violations are counted but not listed"
            )
        return Conversation(
            anchor=self.anchor,
            title=self.title,
            facts=(*facts, *self._count_facts()),
            status=tuple(status),
            timeline=self._timeline(detailed, undrawn),
            entries=tuple(entries),
            stray_frames=stray,
            violations=violations,
            omitted_entries=omitted,
            omitted_violations=self._violation_count - len(self._violations),
            limits_note="; ".join(notes),
        )

    def _count_facts(self) -> list[SummaryItem]:
        items = []
        for direction in LANES:
            kinds = {kind: n for (side, kind), n in self._counts.items() if side == direction}
            if kinds:
                listed = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
                items.append(SummaryItem(f"{direction} entries", listed))
        if self._violation_codes:
            listed = ", ".join(f"{n} {code}" for code, n in sorted(self._violation_codes.items()))
            items.append(SummaryItem("violations", listed, "bad"))
        return items

    def _anchor_of(self, key: tuple[str, int] | None, detailed: set[int]) -> str:
        if key is None:
            return ""
        draft = self._by_frame.get(key)
        if draft is None:
            pending = self._pending.get(key)
            return self._stray_anchor(key) if pending and pending.view else ""
        return f"{self.anchor}-e{draft.number}" if draft.number in detailed else ""

    def _stray_anchor(self, key: tuple[str, int]) -> str:
        direction, index = key
        return f"{self.anchor}-{direction}-f{index}"

    def _entry(self, draft: _Draft) -> Entry:
        assert draft.detail is not None
        entry = draft.detail
        frames = tuple(
            replace(
                view, violations=tuple(row[0] for row in draft.violations if row[3] == view.index)
            )
            for view in entry.frames
        )
        return Entry(
            anchor=entry.anchor,
            number=draft.number,
            direction=draft.direction,
            kind=draft.kind,
            title=_title(draft),
            length=draft.length,
            compressed=draft.compressed,
            complete=draft.complete,
            when=self._when(draft.position),
            text=entry.text,
            payload_rows=entry.payload_rows,
            hidden_bytes=entry.hidden_bytes,
            decoded=entry.decoded,
            frames=frames,
            violations=tuple(row[:3] for row in draft.violations),
            open=entry.open or bool(draft.violations and draft.number < 50),
        )

    def _when(self, position: float) -> str:
        return f"+{position:.3f} s" if self._timed else f"offset {int(position)}"

    def _timeline(self, detailed: set[int], undrawn: int) -> Timeline | None:
        points = [
            Point(
                number=draft.number,
                lane=draft.direction,
                position=draft.position,
                length=draft.length,
                kind=draft.kind,
                compressed=draft.compressed,
                control=draft.control,
                violation=bool(draft.violations),
                target=(
                    f"{self.anchor}-e{draft.number}"
                    if draft.number in detailed
                    else f"{self.anchor}-omitted"
                ),
                label=_label(draft, self._when(draft.position)),
            )
            for draft in self._drafts
        ]
        return draw_timeline(points, when=self._when, timed=self._timed, omitted=undrawn)


def _preview(text: str | None, payload: bytes) -> str:
    if text is not None:
        return text[:80] + ("..." if len(text) > 80 else "")
    if payload:
        return payload[:24].hex(" ") + (" ..." if len(payload) > 24 else "")
    return ""


def _title(draft: _Draft) -> str:
    what = f"{draft.kind} frame" if draft.control else f"{draft.kind} message"
    extras = [f"{draft.length} bytes"]
    if draft.compressed:
        extras.append("compressed")
    if not draft.complete:
        extras.append("incomplete")
    if draft.violations:
        extras.append(f"{len(draft.violations)} violation(s)")
    return f"#{draft.number} {draft.direction} {what}, " + ", ".join(extras)


def _label(draft: _Draft, when: str) -> str:
    label = f"{_title(draft)}, at {when}"
    if draft.violations:
        label += ": " + ", ".join(sorted({row[0] for row in draft.violations}))
    if draft.preview:
        label += f"; {draft.preview}"
    return label
