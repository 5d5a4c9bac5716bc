"""A decoded session cookie for the report: the terminal's lines, as pieces with classes.

The verdict, the facts (status, which key matched, issued at, expires at, size) and the
session tree with Python types come from :mod:`flaskscope.render.cookie`, so the page and
the terminal say the same thing in the same words.
"""

from __future__ import annotations

import re

from flaskscope.cookies import DecodedCookie
from flaskscope.render.cookie import Segment, fact_lines, session_lines, verdict_segment
from flaskscope.render.html.model import CookieSection, Piece
from flaskscope.render.html.text import visible

__all__ = ["cookie_section", "style_classes"]

_WORD = re.compile(r"[a-z]+")
_TONES = {"valid": "ok", "unverified": "warn", "invalid-signature": "bad", "expired": "bad"}


def style_classes(style: str) -> str:
    """A rich style (``bold green``) as the page's classes (``s-bold s-green``)."""
    return " ".join(f"s-{word}" for word in _WORD.findall(style))


def _pieces(segments: list[Segment]) -> tuple[Piece, ...]:
    return tuple(
        Piece(
            visible(segment.text) if segment.untrusted else segment.text,
            style_classes(segment.style),
        )
        for segment in segments
    )


def cookie_section(
    decoded: DecodedCookie,
    *,
    anchor: str = "cookie",
    title: str = "Session cookie",
    source: str = "",
) -> CookieSection:
    """One cookie's section; ``source`` says where a capture had it (for ``scan``)."""
    facts = []
    for line in fact_lines(decoded):
        label, *value = line
        facts.append((label.text.strip(), _pieces(value)))
    return CookieSection(
        anchor=anchor,
        title=title,
        verdict=_pieces([verdict_segment(decoded)]),
        tone=_TONES.get(decoded.status, ""),
        facts=tuple(facts),
        warnings=tuple(visible(warning) for warning in decoded.warnings),
        tree=tuple(_pieces(line) for line in session_lines(decoded.session)),
        source=source,
    )
