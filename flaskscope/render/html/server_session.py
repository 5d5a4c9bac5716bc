"""A Flask-Session (server-side) cookie for the report: the terminal's facts and tree.

The facts (status, session id, signature, store key, store, TTL, format), the stored session
tree with types and the legacy pickle's opcode listing are the rich view's own
(:mod:`flaskscope.render.server_session`): rich ``Text`` cut into its runs of one style,
and the tree's nodes drawn with the same guides, so page and terminal say the same thing.
Their text was already made safe there (``safe_text``: controls and bidi overrides escaped);
the templates escape it for HTML.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from flaskscope.render.html.cookie import style_classes
from flaskscope.render.html.model import CookieSection, Piece, Report, SummaryItem
from flaskscope.render.html.text import visible
from flaskscope.render.server_session import (
    fact_rows,
    headline,
    pickle_lines,
    tree_lines,
)
from flaskscope.sessions.report import ServerSessionReport

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

__all__ = ["server_session_report", "server_session_section"]

_TONES = {
    "found": "ok",
    "id-only": "",
    "unverified": "warn",
    "not-found": "bad",
    "invalid-signature": "bad",
}


def _console() -> Console:
    from rich.console import Console

    return Console(file=io.StringIO(), color_system=None, force_terminal=False, highlight=False)


def _pieces(console: Console, text: Text) -> tuple[Piece, ...]:
    """A rich ``Text`` as pieces: its runs of one style, the style as classes. No layout is
    done (a 20,000-line tree stays fast), so nothing wraps."""
    return tuple(
        Piece(segment.text, style_classes(str(segment.style)) if segment.style else "")
        for segment in text.render(console, end="")
        if segment.text
    )


def _tree(console: Console, data: Any) -> tuple[tuple[Piece, ...], ...]:
    """The stored session as the terminal's tree draws it: guides, then each node's text."""
    lines: list[tuple[Piece, ...]] = [(Piece("stored session", "s-bold"),)]
    for lasts, text in tree_lines(data):
        guides = "".join("    " if last else "│   " for last in lasts[:-1])
        guides += "└── " if lasts[-1] else "├── "
        lines.append((Piece(guides), *_pieces(console, text)))
    return tuple(lines)


def server_session_section(
    report: ServerSessionReport,
    *,
    anchor: str = "session",
    title: str = "Flask-Session cookie",
    source: str = "",
) -> CookieSection:
    """One Flask-Session cookie and what its store holds."""
    console = _console()
    facts = []
    status: tuple[Piece, ...] = ()
    for label, value in fact_rows(report):
        pieces = _pieces(console, value)
        if label == "status":
            status = pieces
        facts.append((label, pieces))
    payload = report.payload
    tree: tuple[tuple[Piece, ...], ...] = ()
    tree_label = "No stored session: pass --store URL (or --app with its Redis) to read it."
    if payload is not None:
        tree = _tree(console, payload.data)
        tree_label = "The stored session as Flask-Session loads it, with Python types:"
    elif report.stored is not None:
        tree_label = "The store holds nothing under this key."
    listing: tuple[tuple[Piece, ...], ...] = ()
    if payload is not None and payload.pickle is not None:
        listing = tuple(_pieces(console, line) for line in pickle_lines(payload.pickle))
    tone = _TONES.get(report.status, "")
    if tone == "ok" and report.warnings:
        tone = "warn"  # found, but with something to look at (a legacy pickle, no TTL)
    return CookieSection(
        anchor=anchor,
        title=title,
        verdict=status,
        tone=tone,
        facts=tuple(facts),
        warnings=tuple(visible(note) for note in report.warnings),
        tree=tree,
        source=source,
        tree_label=tree_label,
        listing=listing,
        listing_label="Pickle opcodes (! = refused, never executed):" if listing else "",
    )


def server_session_report(report: ServerSessionReport, *, command: str) -> Report:
    """``decode-cookie --html`` for a Flask-Session cookie: the status on top, then the id,
    signature, store key, TTL and the stored session tree."""
    section = server_session_section(report)
    summary = [
        SummaryItem(label, "".join(piece.text for piece in value))
        for label, value in section.facts
        if label in ("signed", "store key", "TTL", "format")
    ]
    return Report(
        title="Flask-Session cookie",
        command=command,
        verdict=headline(report).plain,
        tone=section.tone,
        summary=tuple(summary),
        sections=(section,),
    )
