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
The names here load on first use: a command imports Jinja2 only when it writes a page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flaskscope._paths import lazy_exports

if TYPE_CHECKING:  # the names, for type checkers; at run time they load on first use
    from flaskscope.render.html.conversation import ConversationBuilder as ConversationBuilder
    from flaskscope.render.html.conversation import Limits as Limits
    from flaskscope.render.html.cookie import cookie_section as cookie_section
    from flaskscope.render.html.handshake import handshake_section as handshake_section
    from flaskscope.render.html.model import Conversation as Conversation
    from flaskscope.render.html.model import CookieSection as CookieSection
    from flaskscope.render.html.model import Finding as Finding
    from flaskscope.render.html.model import FindingsSection as FindingsSection
    from flaskscope.render.html.model import HandshakeSection as HandshakeSection
    from flaskscope.render.html.model import Piece as Piece
    from flaskscope.render.html.model import Report as Report
    from flaskscope.render.html.model import Section as Section
    from flaskscope.render.html.model import SummaryItem as SummaryItem
    from flaskscope.render.html.model import TraceEventRow as TraceEventRow
    from flaskscope.render.html.model import TraceSection as TraceSection
    from flaskscope.render.html.page import render_report as render_report
    from flaskscope.render.html.page import write_report as write_report

_EXPORTS: dict[str, str] = {
    "Conversation": "flaskscope.render.html.model",
    "ConversationBuilder": "flaskscope.render.html.conversation",
    "CookieSection": "flaskscope.render.html.model",
    "Finding": "flaskscope.render.html.model",
    "FindingsSection": "flaskscope.render.html.model",
    "HandshakeSection": "flaskscope.render.html.model",
    "Limits": "flaskscope.render.html.conversation",
    "Piece": "flaskscope.render.html.model",
    "Report": "flaskscope.render.html.model",
    "Section": "flaskscope.render.html.model",
    "SummaryItem": "flaskscope.render.html.model",
    "TraceEventRow": "flaskscope.render.html.model",
    "TraceSection": "flaskscope.render.html.model",
    "cookie_section": "flaskscope.render.html.cookie",
    "handshake_section": "flaskscope.render.html.handshake",
    "render_report": "flaskscope.render.html.page",
    "write_report": "flaskscope.render.html.page",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
