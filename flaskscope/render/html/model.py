"""The page model: what a report shows, as frozen dataclasses the templates walk.

Builders (:mod:`.conversation`, :mod:`.cookie`, :mod:`.handshake`) make these from the cores'
dataclasses; :func:`flaskscope.render.html.page.write_report` turns a :class:`Report` into one
HTML file. Text here is untrusted as it stands: only the templates' autoescaping turns it
into HTML. ``Piece.tone`` and ``Piece.classes`` are fixed words chosen by the builders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from flaskscope.render.hexdump import HexRow

__all__ = [
    "Conversation",
    "CookieSection",
    "Entry",
    "Finding",
    "FindingsSection",
    "FrameView",
    "HandshakeCheck",
    "HandshakeSection",
    "Lane",
    "Mark",
    "Piece",
    "Report",
    "Section",
    "SummaryItem",
    "Tick",
    "Timeline",
    "TraceEventRow",
    "TraceSection",
]

TONES = ("ok", "bad", "warn", "")
"""``ok`` green, ``bad`` red, ``warn`` amber, ``""`` plain; always shown with words too."""


@dataclass(frozen=True)
class Piece:
    """A run of text with CSS classes (``s-bold s-green``: the terminal's style, as classes)."""

    text: str
    classes: str = ""


@dataclass(frozen=True)
class SummaryItem:
    """One count or fact of the summary table at the top."""

    label: str
    value: str
    tone: str = ""


@dataclass(frozen=True)
class Section:
    """Something the page shows below the summary; ``kind`` names its template
    (``templates/section_<kind>.html.j2``)."""

    kind: ClassVar[str] = ""
    anchor: str
    """The element id of the section (unique in the page, letters, digits and ``-``)."""
    title: str


@dataclass(frozen=True)
class FrameView:
    """One frame: header facts, the region-coloured dump as sent, the unmasked payload."""

    index: int
    offset: int
    title: str
    flags: tuple[tuple[str, bool], ...]
    facts: tuple[tuple[str, str], ...]
    wire_rows: tuple[HexRow, ...]
    unmasked_rows: tuple[HexRow, ...]
    hidden_bytes: int
    violations: tuple[str, ...]
    anchor: str = ""
    """Set on frames outside any message (the violation list links to them)."""


@dataclass(frozen=True)
class Entry:
    """One message (a data message, or a control frame, which stands alone: RFC 6455 §5.5)
    with its frames; the timeline's marks point at these by ``anchor``."""

    anchor: str
    number: int
    """Position in the conversation, from 0, over every entry (what marks count)."""
    direction: str
    """``client``, ``server`` or ``unknown``."""
    kind: str
    """The opcode name: ``text``, ``binary``, ``close``, ``ping``, ``pong``, ..."""
    title: str
    length: int
    compressed: bool
    complete: bool
    when: str
    """Where it is: ``offset 42`` or ``+1.250 s``."""
    text: str | None
    """The (unmasked, decompressed) text, cut to the bytes shown; control characters
    escaped."""
    payload_rows: tuple[HexRow, ...]
    """The binary payload when it is not text."""
    hidden_bytes: int
    decoded: tuple[tuple[str, str], ...]
    """Decoded subprotocol message (``(field, value)`` rows), close code and reason."""
    frames: tuple[FrameView, ...]
    violations: tuple[tuple[str, str, str], ...]
    """``(code, RFC section, message)``."""
    open: bool
    """Shown open (the first screen); the rest are collapsed."""


@dataclass(frozen=True)
class Mark:
    """One mark of the timeline: geometry in SVG user units, decided by the renderer."""

    anchor: str
    number: int
    lane: str
    x: float
    y: float
    width: float
    height: float
    kind: str
    compressed: bool
    violation: bool
    control: bool
    label: str
    """What hovering or focusing shows (and what screen readers say)."""


@dataclass(frozen=True)
class Lane:
    name: str
    y: float
    height: float
    count: int


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    width: float
    height: float
    axis: str
    """``time (s)`` or ``byte offset``."""
    lanes: tuple[Lane, ...]
    ticks: tuple[Tick, ...]
    marks: tuple[Mark, ...]
    omitted: int
    """Entries past the mark limit: counted, not drawn."""


@dataclass(frozen=True)
class Conversation(Section):
    """One WebSocket connection (or one direction of it): timeline, entries, violations."""

    kind: ClassVar[str] = "conversation"
    facts: tuple[SummaryItem, ...] = ()
    status: tuple[Piece, ...] = ()
    timeline: Timeline | None = None
    entries: tuple[Entry, ...] = ()
    stray_frames: tuple[FrameView, ...] = ()
    """Frames no message or control entry claimed (an unexpected continuation)."""
    violations: tuple[tuple[str, str, str, str], ...] = ()
    """``(code, RFC section, message, anchor of the entry or "")``, the first few."""
    omitted_entries: int = 0
    omitted_violations: int = 0
    limits_note: str = ""


@dataclass(frozen=True)
class CookieSection(Section):
    """A decoded session cookie: verdict, facts (issued, expires, key matched), warnings,
    and the session tree with types, as the terminal lays them out. A Flask-Session cookie
    uses it too: its facts are the id, signature, store key and TTL, its tree the stored
    session (none when the store was not read: ``tree_label`` says so)."""

    kind: ClassVar[str] = "cookie"
    verdict: tuple[Piece, ...] = ()
    tone: str = ""
    facts: tuple[tuple[str, tuple[Piece, ...]], ...] = ()
    warnings: tuple[str, ...] = ()
    tree: tuple[tuple[Piece, ...], ...] = ()
    source: str = ""
    """Where the cookie was found (``Set-Cookie`` of response 3, ...), for scan."""
    tree_label: str = "The session as Flask loads it, with Python types:"
    listing: tuple[tuple[Piece, ...], ...] = ()
    """More lines under the tree (a stored legacy pickle's opcodes), with ``listing_label``."""
    listing_label: str = ""


@dataclass(frozen=True)
class HandshakeCheck:
    """One rule (or note) of the checklist; ``rfc`` becomes one link per section."""

    id: str
    ok: bool
    rfc: str
    message: str


@dataclass(frozen=True)
class HandshakeSection(Section):
    """The opening-handshake checklist, one row per rule, each with its RFC link."""

    kind: ClassVar[str] = "handshake"
    heading: str = ""
    checks: tuple[HandshakeCheck, ...] = ()
    notes: tuple[HandshakeCheck, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()
    verdict: str = ""
    ok: bool = True


@dataclass(frozen=True)
class Finding:
    """One doctor finding: stable ``id``, ``severity`` (``error``, ``warning``, ``info``),
    what was seen, why it matters, how to fix it, and an optional RFC/spec reference."""

    id: str
    severity: str
    what: str
    why: str
    fix: str
    reference: str = ""
    reference_url: str = ""
    title: str = ""
    """The rule's one-line title, shown after the id."""
    where: str = ""
    """Where it was found: a config key, a route, ``app.py line 12``."""


@dataclass(frozen=True)
class FindingsSection(Section):
    """Findings, in the order given (``doctor`` makes one section per severity)."""

    kind: ClassVar[str] = "findings"
    findings: tuple[Finding, ...] = ()
    empty: str = "No findings."
    """What the section says when it has none."""


@dataclass(frozen=True)
class TraceEventRow:
    """One event of ``trace``'s timeline: its number, kind, name and what it holds."""

    anchor: str
    seq: int
    kind: str
    name: str
    summary: str
    mistake: bool = False


@dataclass(frozen=True)
class TraceSection(Section):
    """One request of a ``trace``: its events in order, the mistakes named at them (``(id,
    message, fix, anchor of the event)``), and the cookies a browser would hold after it."""

    kind: ClassVar[str] = "trace"
    status: str = ""
    tone: str = ""
    events: tuple[TraceEventRow, ...] = ()
    mistakes: tuple[tuple[str, str, str, str], ...] = ()
    cookies_after: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Report:
    """A whole page: a title, the verdict and summary on top, then the sections."""

    title: str
    command: str
    """The command line that made it (for the reader: what was run on what)."""
    verdict: str
    tone: str
    summary: tuple[SummaryItem, ...] = ()
    sections: tuple[Section, ...] = ()
    notes: tuple[str, ...] = field(default=())
    """Page-wide notes (limits reached, what was left out)."""
