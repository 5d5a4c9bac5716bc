"""HTML reports: one self-contained page (``--html FILE``) from the cores' dataclasses.

:mod:`.model` is the page model (a :class:`Report` of sections), the builders make sections
from the cores' results (:mod:`.conversation` for frame streams, with :mod:`.frame_view` and
:mod:`.timeline`; :mod:`.cookie`, :mod:`.server_session`, :mod:`.handshake`),
:mod:`.reports`, :mod:`.doctor` and :mod:`.trace` assemble the commands' pages, and
:func:`write_report` renders ``templates/`` (Jinja2, autoescaped) with ``assets/`` (style and
script, inline, allowed by hash in the page's CSP). See docs/reports.md for how a command
adds a report.

May import: the standard library, Jinja2/MarkupSafe, the cores, and the other renderers (the
terminal's wording and hex-dump regions are reused, so page and terminal agree). Never Click.
"""

from __future__ import annotations

from flaskscope.render.html.conversation import ConversationBuilder, Limits
from flaskscope.render.html.cookie import cookie_section
from flaskscope.render.html.handshake import handshake_section
from flaskscope.render.html.model import (
    Conversation,
    CookieSection,
    Finding,
    FindingsSection,
    HandshakeSection,
    Piece,
    Report,
    Section,
    SummaryItem,
    TraceEventRow,
    TraceSection,
)
from flaskscope.render.html.page import render_report, write_report

__all__ = [
    "Conversation",
    "ConversationBuilder",
    "CookieSection",
    "Finding",
    "FindingsSection",
    "HandshakeSection",
    "Limits",
    "Piece",
    "Report",
    "Section",
    "SummaryItem",
    "TraceEventRow",
    "TraceSection",
    "cookie_section",
    "handshake_section",
    "render_report",
    "write_report",
]
