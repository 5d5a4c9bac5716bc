"""``scan --html``: one page for a whole capture. The summary on top (the terminal's counts and
a verdict), then per WebSocket connection its handshake checklist and its conversation (both
directions on one timeline over capture time, subprotocol decodings as ``decoded`` fields),
then per cookie its section.

The page has one budget shared by its connections (:func:`page_limits`): a capture of many
connections gets fewer detailed entries each, and past :data:`MAX_CONNECTIONS` sections the
connections are counted, not drawn.
"""

from __future__ import annotations

from collections.abc import Sequence

from flaskscope.frames.records import FrameRecord, MessageRecord
from flaskscope.frames.violations import Violation
from flaskscope.render.html.conversation import ConversationBuilder, Limits
from flaskscope.render.html.cookie import cookie_section, style_classes
from flaskscope.render.html.decoded import decoded_fields
from flaskscope.render.html.handshake import handshake_section
from flaskscope.render.html.model import (
    Finding,
    FindingsSection,
    Piece,
    Report,
    Section,
    SummaryItem,
)
from flaskscope.scan.model import ConnectionReport, CookieFinding, ScanMessage, iso_time
from flaskscope.scan.totals import ScanTotals

__all__ = ["MAX_CONNECTIONS", "page_limits", "scan_report"]

MAX_CONNECTIONS = 100
"""WebSocket connections drawn as sections; the others are counted in the page's notes."""

PAGE_ENTRIES = 1000
"""Detailed entries (messages and control frames) in the whole page (parse-frame's page
holds as many for one connection)."""

PAGE_MARKS = 10000
"""Timeline marks in the whole page."""


def page_limits(connections: int, payload_bytes: int) -> Limits:
    """Each connection's share of the page (at least 10 entries and 100 marks each: with
    :data:`MAX_CONNECTIONS` drawn, the page stays within its budget)."""
    share = max(1, min(connections, MAX_CONNECTIONS))
    return Limits(
        marks=max(100, PAGE_MARKS // share),
        entries=max(10, PAGE_ENTRIES // share),
        violations=max(50, 500 // share),
        payload_bytes=payload_bytes,
    )


def _message_record(message: ScanMessage) -> MessageRecord:
    return MessageRecord(
        index=message.index,
        opcode=message.opcode,
        frames=message.frames,
        frame_count=len(message.frames),
        compressed=message.compressed,
        length=message.length,
        payload=message.payload,
        text=message.text,
        complete=message.complete,
    )


def _events(
    report: ConnectionReport,
) -> list[tuple[float, int, int, str, FrameRecord | MessageRecord | Violation, ScanMessage | None]]:
    """The connection's kept records in capture order: at one instant a frame before the
    message it ends, violations last (they attach to their frame whenever they come)."""
    events: list[
        tuple[float, int, int, str, FrameRecord | MessageRecord | Violation, ScanMessage | None]
    ] = []
    for number, frame in enumerate(report.frames):
        events.append((frame.timestamp, 0, number, frame.direction, frame.record, None))
    for number, message in enumerate(report.messages):
        record = _message_record(message)
        events.append((message.timestamp, 1, number, message.direction, record, message))
    for number, found in enumerate(report.violations):
        violation = Violation(found.code, found.frame, found.message)
        events.append((found.timestamp, 2, number, found.direction, violation, None))
    events.sort(key=lambda event: event[:3])
    return events


def _conversation(report: ConnectionReport, limits: Limits) -> Section:
    peers = f"{report.client} -> {report.server}"
    builder = ConversationBuilder(
        f"conn-{report.id}", f"Connection #{report.id}: {peers}", limits=limits
    )
    for timestamp, _, _, direction, event, message in _events(report):
        when = timestamp - report.start if report.timed else None
        fields: tuple[tuple[str, str], ...] = ()
        if message is not None and message.decoded is not None:
            fields = decoded_fields(message.decoded)
            if fields and message.number is not None:  # what notes like "ack of message 6" name
                fields = (("number", f"message {message.number} of the connection"), *fields)
        builder.add(event, direction=direction, time=when, decoded=fields)
    total = sum(report.violation_counts.values())
    status: list[Piece] = []
    if total:
        status.append(Piece(f"{total} violation(s)", style_classes("bold red")))
    else:
        status.append(Piece("no violation", style_classes("green")))
    if report.handshake is not None and not report.handshake.valid:
        status.append(Piece("; handshake failed", style_classes("bold red")))
    facts = [SummaryItem("client", report.client), SummaryItem("server", report.server)]
    if report.timed:
        facts.append(SummaryItem("start", iso_time(report.start) or "?"))
    for exchange in report.exchanges[:1]:
        status_text = "no response" if exchange.status is None else str(exchange.status)
        facts.append(
            SummaryItem("request", f"{exchange.method} {exchange.target} -> {status_text}")
        )
    if report.deflate:
        facts.append(SummaryItem("permessage-deflate", report.deflate))
    detection = report.subprotocol
    if detection is not None:
        facts.append(SummaryItem("subprotocol", f"{detection.protocol} ({detection.reason})"))
    if report.gaps or report.gaps_omitted:
        missing = sum(gap.size for gap in report.gaps) + report.gap_bytes_omitted
        gaps = len(report.gaps) + report.gaps_omitted
        facts.append(SummaryItem("gaps", f"{gaps} ({missing} bytes missing)", "bad"))
    for note in report.notes[:10]:
        facts.append(SummaryItem("note", note))
    listed = len(report.messages)
    if report.messages_omitted or report.frames_omitted:
        facts.append(
            SummaryItem(
                "kept",
                f"{listed} messages and {len(report.frames)} frames of the capture's "
                f"{listed + report.messages_omitted} and "
                f"{len(report.frames) + report.frames_omitted} (--max-frames)",
            )
        )
    counts = None
    if report.messages_omitted or report.frames_omitted:
        counts = {}
        for direction, summary in report.summaries.items():
            for kind, n in summary.messages.items():
                counts[(direction, kind)] = n
            for kind in ("close", "ping", "pong"):
                if summary.frames.get(kind):
                    counts[(direction, kind)] = summary.frames[kind]
    return builder.finish(status=status, facts=facts, counts=counts)


def _where(cookie: CookieFinding) -> str:
    places = ", ".join(
        f"{sighting.header} #{sighting.connection} at {iso_time(sighting.timestamp)}"
        for sighting in cookie.sightings[:6]
    )
    more = cookie.sighting_count - min(6, len(cookie.sightings))
    return f"seen {cookie.sighting_count}x: {places}" + (f", {more} more" if more > 0 else "")


def _cookie_sections(cookies: Sequence[CookieFinding]) -> list[Section]:
    sections: list[Section] = []
    others: list[Finding] = []
    for cookie in cookies:
        title = f"Cookie [{cookie.id}] {cookie.name}"
        if cookie.weak_key is not None:
            title += f": weak key {cookie.weak_key!r}"
        if cookie.decoded is not None:
            sections.append(
                cookie_section(
                    cookie.decoded,
                    anchor=f"cookie-{cookie.id}",
                    title=title,
                    source=_where(cookie),
                )
            )
            continue
        what = cookie.error or ""
        if cookie.server_session is not None:
            what = f"Flask-Session id {cookie.server_session.session_id}"
        others.append(
            Finding(
                id=cookie.verdict,
                severity="info" if cookie.ok else "high",
                title=title,
                what=what or cookie.value[:200],
                why="a Flask-Session id holds no data: the session is in the store"
                if cookie.server_session is not None
                else "the value is not a Flask session cookie this scan can decode",
                fix="flaskscope decode-cookie ID --store URL reads the stored session"
                if cookie.server_session is not None
                else "check --cookie-name and the signing options",
                where=_where(cookie),
            )
        )
    if others:
        sections.append(
            FindingsSection(anchor="cookies-other", title="Other cookies", findings=tuple(others))
        )
    return sections


def _summary(totals: ScanTotals, files: Sequence[dict[str, str]]) -> list[SummaryItem]:
    violations = sum(totals.violations.values())
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(totals.connections.items()))
    cookie_counts = ", ".join(f"{n} {verdict}" for verdict, n in sorted(totals.cookies.items()))
    items = [
        SummaryItem("files", ", ".join(f"{item['name']} ({item['kind']})" for item in files)),
        SummaryItem("connections", f"{sum(totals.connections.values())} ({kinds or 'none'})"),
        SummaryItem("HTTP exchanges", str(totals.exchanges)),
        SummaryItem(
            "cookies",
            f"{sum(totals.cookies.values())} distinct ({cookie_counts or 'none'})",
            "bad" if totals.bad_cookies else "",
        ),
        SummaryItem(
            "WebSocket",
            f"{totals.websocket_connections} connections, {totals.frames} frames, "
            f"{totals.messages} messages",
        ),
        SummaryItem(
            "violations",
            f"{violations}"
            + (
                " (" + ", ".join(f"{n} {c}" for c, n in sorted(totals.violations.items())) + ")"
                if violations
                else ""
            ),
            "bad" if violations else "ok",
        ),
        SummaryItem("gaps", f"{totals.gaps} ({totals.gap_bytes} bytes missing)"),
    ]
    if totals.packets:
        items.insert(1, SummaryItem("packets", str(totals.packets)))
    if totals.weak_keys:
        items.append(SummaryItem("weak keys", str(totals.weak_keys), "bad"))
    return items


def _verdict(totals: ScanTotals) -> str:
    problems = []
    violations = sum(totals.violations.values())
    if violations:
        problems.append(
            f"{violations} violation(s) in {totals.websocket_with_violations} connection(s)"
        )
    if totals.handshake_failures:
        problems.append(f"{totals.handshake_failures} failed handshake(s)")
    if totals.bad_cookies:
        problems.append(f"{totals.bad_cookies} invalid or expired cookie(s)")
    if totals.weak_keys:
        problems.append(f"{totals.weak_keys} cookie(s) with a weak key")
    return "; ".join(problems) if problems else "no problem found"


def scan_report(
    connections: Sequence[ConnectionReport],
    cookies: Sequence[CookieFinding],
    totals: ScanTotals,
    *,
    files: Sequence[dict[str, str]],
    notes: Sequence[str],
    command: str,
    payload_bytes: int = 256,
) -> Report:
    """The page: summary, then each WebSocket connection (handshake, conversation), then
    each cookie."""
    websocket = [report for report in connections if report.kind == "websocket"]
    limits = page_limits(len(websocket), payload_bytes)
    sections: list[Section] = []
    for report in websocket[:MAX_CONNECTIONS]:
        if report.handshake is not None:
            sections.append(
                handshake_section(
                    report.handshake,
                    anchor=f"conn-{report.id}-handshake",
                    title=f"Connection #{report.id}: handshake",
                )
            )
        sections.append(_conversation(report, limits))
    sections.extend(_cookie_sections(cookies))
    page_notes = list(notes)
    if len(websocket) > MAX_CONNECTIONS:
        page_notes.append(
            f"Left out: {len(websocket) - MAX_CONNECTIONS} of {len(websocket)} WebSocket "
            f"connections are counted in the summary but not drawn (the first {MAX_CONNECTIONS} "
            "are; --connection ID draws one)."
        )
    others = len(connections) - len(websocket)
    if others:
        page_notes.append(
            f"{others} connection(s) that are not WebSocket (HTTP, TLS, other) are counted in "
            "the summary; their cookies have sections below."
        )
    verdict = _verdict(totals)
    return Report(
        title="Capture scan",
        command=command,
        verdict=verdict,
        tone="ok" if totals.ok else "bad",
        summary=tuple(_summary(totals, files)),
        sections=tuple(sections),
        notes=tuple(page_notes),
    )
