"""A handshake checklist for the report: one row per rule with a link to its RFC section."""

from __future__ import annotations

from flaskscope.handshake.accept import HandshakeReport
from flaskscope.handshake.extensions import format_extension
from flaskscope.render.handshake import check_verdict
from flaskscope.render.html.model import HandshakeCheck, HandshakeSection
from flaskscope.render.html.text import visible

__all__ = ["handshake_section"]


def handshake_section(
    report: HandshakeReport, *, anchor: str = "handshake", title: str = "Opening handshake"
) -> HandshakeSection:
    """The checklist of ``check-handshake`` (and of each connection ``scan`` finds)."""
    heading = f"Request {report.method} {report.target}"
    if report.has_response:
        heading += f"  Response {report.status_code}"
    facts = []
    if report.key is not None:
        facts.append(("Sec-WebSocket-Key", report.key))
    if report.expected_accept is not None:
        facts.append(("expected accept", report.expected_accept))
    if report.accept is not None:
        facts.append(("Sec-WebSocket-Accept", report.accept))
    if report.offered_subprotocols:
        facts.append(("subprotocols offered", ", ".join(report.offered_subprotocols)))
    if report.subprotocol is not None:
        facts.append(("subprotocol", report.subprotocol))
    if report.offered_extensions:
        offered = ", ".join(format_extension(e) for e in report.offered_extensions)
        facts.append(("extensions offered", offered))
    if report.extensions:
        facts.append(("extensions", ", ".join(format_extension(e) for e in report.extensions)))
    verdict, ok = check_verdict(report)
    return HandshakeSection(
        anchor=anchor,
        title=title,
        heading=visible(heading),
        checks=tuple(
            HandshakeCheck(check.id, check.ok, check.rfc, visible(check.message))
            for check in report.checks
        ),
        notes=tuple(
            HandshakeCheck(note.id, True, note.rfc, visible(note.message)) for note in report.notes
        ),
        facts=tuple((label, visible(value)) for label, value in facts),
        verdict=verdict,
        ok=ok,
    )
