"""Whole pages for the commands: the summary on top (the terminal's verdict and counts),
then the sections. ``scan`` and ``doctor`` assemble theirs from the same sections
(docs/reports.md)."""

from __future__ import annotations

from flaskscope.cookies import DecodedCookie
from flaskscope.frames.capture import HttpHead
from flaskscope.frames.deflate import DeflateSettings
from flaskscope.frames.records import StreamSummary
from flaskscope.handshake.accept import HandshakeReport
from flaskscope.render.cookie import verdict_segment
from flaskscope.render.frames import status_segments
from flaskscope.render.html.conversation import ConversationBuilder
from flaskscope.render.html.cookie import cookie_section, style_classes
from flaskscope.render.html.handshake import handshake_section
from flaskscope.render.html.model import Piece, Report, SummaryItem

__all__ = ["cookie_report", "frames_report", "handshake_report", "stream_summary_items"]


def stream_summary_items(summary: StreamSummary) -> list[SummaryItem]:
    """``parse-frame --summary``'s table: bytes, then frames, messages, violations by kind."""
    items = [
        SummaryItem("bytes (stream)", str(summary.stream_bytes)),
        SummaryItem("bytes (payload, declared)", str(summary.payload_bytes)),
    ]
    for section, counts, tone in (
        ("frames", summary.frames, ""),
        ("messages", summary.messages, ""),
        ("violations", summary.violations, "bad"),
    ):
        total = sum(counts.values())
        detail = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
        value = f"{total}" + (f" ({detail})" if detail else "")
        items.append(SummaryItem(section, value, tone if total else ("ok" if tone else "")))
    return items


def _deflate_words(settings: DeflateSettings) -> str:
    sides = []
    for side in ("client", "server"):
        takeover = getattr(settings, f"{side}_no_context_takeover")
        bits = getattr(settings, f"{side}_max_window_bits")
        sides.append(
            f"{side} {'no context takeover' if takeover else 'context takeover'}, {bits}-bit window"
        )
    return "; ".join(sides)


def frames_report(
    builder: ConversationBuilder,
    summary: StreamSummary,
    *,
    complete: bool,
    bytes_needed: int,
    role: str | None,
    role_source: str,
    head: HttpHead | None,
    deflate: DeflateSettings | None,
    command: str,
    counted_by_parser: bool = False,
) -> Report:
    """``parse-frame --html``: one conversation (one direction of a connection).
    ``counted_by_parser``: the builder stopped getting messages once full; its counts of
    messages and control frames come from ``summary``."""
    violations = sum(summary.violations.values())
    pieces = status_segments(
        summary, complete=complete, bytes_needed=bytes_needed, shown=violations
    )
    status = tuple(Piece(text, style_classes(style)) for text, style in pieces)
    facts = []
    if role is not None:
        facts.append(SummaryItem("role", f"{role} ({role_source})"))
    if head is not None:
        facts.append(SummaryItem("HTTP head", f"{head.kind}, {head.length} bytes skipped"))
    if deflate is not None:
        facts.append(SummaryItem("permessage-deflate", _deflate_words(deflate)))
    counts = None
    if counted_by_parser:
        direction = role or "unknown"
        counts = {(direction, kind): n for kind, n in summary.messages.items()}
        for kind in ("close", "ping", "pong"):
            if summary.frames.get(kind):
                counts[(direction, kind)] = summary.frames[kind]
    section = builder.finish(status=status, facts=facts, counts=counts)
    notes = (f"Left out: {section.limits_note}.",) if section.limits_note else ()
    return Report(
        title="WebSocket frames",
        command=command,
        verdict="".join(text for text, _ in pieces),
        tone="ok" if complete and not violations else "bad",
        summary=tuple(stream_summary_items(summary)),
        sections=(section,),
        notes=notes,
    )


def cookie_report(decoded: DecodedCookie, *, command: str) -> Report:
    """``decode-cookie --html``: the verdict on top, then the cookie's facts and tree."""
    section = cookie_section(decoded)
    summary = [SummaryItem(label, "".join(p.text for p in value)) for label, value in section.facts]
    return Report(
        title="Flask session cookie",
        command=command,
        verdict=verdict_segment(decoded).text,
        tone=section.tone,
        summary=tuple(summary[:3]),
        sections=(section,),
    )


def handshake_report(report: HandshakeReport, *, command: str) -> Report:
    """``check-handshake --html``: the verdict, the counts, the checklist."""
    section = handshake_section(report)
    failed = len(report.failures())
    summary = (
        SummaryItem("checks", str(len(report.checks))),
        SummaryItem("passed", str(len(report.checks) - failed), "ok"),
        SummaryItem("failed", str(failed), "bad" if failed else "ok"),
        SummaryItem("notes", str(len(report.notes))),
    )
    return Report(
        title="WebSocket opening handshake",
        command=command,
        verdict=section.verdict,
        tone="ok" if section.ok else "bad",
        summary=summary,
        sections=(section,),
    )
