"""``scan`` for people: the summary first, then each connection, then each cookie.

Every value that came from the capture (targets, payloads, cookie payloads, notes quoting
bytes) goes through :func:`flaskscope.render.console.safe_text`, never markup.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from flaskscope.frames.frame import opcode_name
from flaskscope.render.console import safe_text
from flaskscope.render.subprotocols import render_decoded
from flaskscope.scan.model import ConnectionReport, CookieFinding, iso_time
from flaskscope.scan.totals import ScanTotals
from flaskscope.subprotocols.model import DecodedMessage

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

__all__ = ["render_connection", "render_cookie", "render_summary"]

OK, BAD, DIM = "green", "bold red", "dim"


def _print(console: Console, *parts: object, style: str | None = None) -> None:
    """One line as it is, never wrapped: the same output whatever the terminal width (long
    findings stay one line for grep; the terminal wraps them for the eye)."""
    console.print(*parts, style=style, soft_wrap=True)


def _line(*parts: str | tuple[str, str] | Text) -> Text:
    from rich.text import Text

    text = Text()
    for part in parts:
        if isinstance(part, tuple):
            text.append(part[0], style=part[1])
        elif isinstance(part, str):
            text.append(part)
        else:
            text.append_text(part)
    return text


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items())) or "none"


def render_summary(
    console: Console, totals: ScanTotals, files: list[dict[str, str]], *, only: str | None = None
) -> None:
    """The counts; ``only`` (``cookies`` or ``websocket``) leaves out the other part."""
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(totals.connections.items()))
    described = ", ".join(f"{item['name']} ({item['kind']})" for item in files)
    _print(console, _line(("Scan", "bold"), ": ", safe_text(described)))
    _print(
        console,
        _line(
            f"  connections: {sum(totals.connections.values())}",
            f" ({kinds})" if kinds else "",
            f", {totals.began_before_capture} began before the capture"
            if totals.began_before_capture
            else "",
            f"; packets: {totals.packets}" if totals.packets else "",
        ),
    )
    _print(console, f"  HTTP exchanges: {totals.exchanges}")
    cookie_style = BAD if totals.bad_cookies else OK
    if only != "websocket":
        _print(
            console,
            _line(
                f"  cookies: {sum(totals.cookies.values())} distinct (",
                (_counts(totals.cookies), cookie_style if totals.cookies else ""),
                ")",
                (f", {totals.weak_keys} with a weak key", BAD) if totals.weak_keys else "",
            ),
        )
    violations = sum(totals.violations.values())
    if only != "cookies":
        _print(
            console,
            _line(
                f"  WebSocket: {totals.websocket_connections} connections, "
                f"{totals.frames} frames, {totals.messages} messages, ",
                (f"{violations} violations", BAD if violations else OK),
                f" in {totals.websocket_with_violations} connections" if violations else "",
                (f", {totals.handshake_failures} failed handshakes", BAD)
                if totals.handshake_failures
                else "",
            ),
        )
        if totals.violations:
            _print(console, f"    {_counts(totals.violations)}")
    gap_style = BAD if totals.gaps else ""
    _print(
        console,
        _line(("  gaps: ", ""), (f"{totals.gaps} ({totals.gap_bytes} bytes missing)", gap_style)),
    )


def render_connection(
    console: Console,
    report: ConnectionReport,
    *,
    max_bytes: int,
    summary_only: bool,
    messages_only: bool = False,
) -> None:
    """One connection; ``messages_only``: no frame lines, and each decoded message as its
    decoding alone (``parse-frame --messages-only``)."""
    style = OK if report.ok else BAD
    _print(
        console,
    )
    _print(
        console,
        _line(
            (f"#{report.id} {report.kind}", f"bold {style}"),
            " ",
            safe_text(f"{report.client} -> {report.server}"),
            (f"  {iso_time(report.start)}", DIM) if report.timed else "",
            f"  client {report.client_bytes} B, server {report.server_bytes} B",
            (" (began before the capture)", DIM) if report.began_before_capture else "",
        ),
    )
    for exchange in report.exchanges[:20]:
        status = (
            "no response" if exchange.status is None else f"{exchange.status} {exchange.reason}"
        )
        _print(console, _line("  ", safe_text(f"{exchange.method} {exchange.target} -> {status}")))
    if len(report.exchanges) > 20:
        _print(console, f"  ... {len(report.exchanges) - 20} more exchanges (--json has them)")
    if report.cookies:
        _print(console, "  cookies: " + ", ".join(f"[{cookie}]" for cookie in report.cookies))
    handshake = report.handshake
    if handshake is not None:
        if handshake.valid:
            _print(console, _line("  handshake: ", (f"valid ({len(handshake.checks)} checks)", OK)))
        else:
            failed = ", ".join(check.id for check in handshake.failures())
            _print(console, _line("  handshake: ", (f"FAILED: {failed}", BAD)))
            for check in handshake.failures():
                _print(
                    console,
                    _line("    ", (check.id, BAD), f" ({check.rfc}): ", safe_text(check.message)),
                )
    if report.deflate:
        _print(console, _line("  deflate: ", safe_text(report.deflate)))
    detection = report.subprotocol
    if detection is not None:
        version = (
            ""
            if detection.engineio_version is None
            else f", Engine.IO v{detection.engineio_version}"
        )
        _print(
            console,
            _line(
                "  subprotocol: ",
                safe_text(detection.protocol, "bold magenta"),
                (" (", DIM),
                safe_text(detection.reason, DIM),
                (f"){version}", DIM),
            ),
        )
        if report.decoded_counts and detection.protocol != "none":
            _print(console, f"  decoded: {_counts(report.decoded_counts)}")
    for direction, counts in report.summaries.items():
        frames = sum(counts.frames.values())
        messages = sum(counts.messages.values())
        _print(
            console,
            f"  {direction}: {frames} frames ({_counts(counts.frames)}), {messages} messages",
        )
    if not summary_only:
        for frame in () if messages_only else report.frames:
            header = frame.record.header
            flags = "".join(
                name for name, on in (("FIN ", header.fin), ("RSV1 ", header.rsv1)) if on
            )
            _print(
                console,
                _line(
                    (f"    {frame.direction:>6} frame {frame.record.index}", DIM),
                    f" {header.opcode_name} {flags}{'masked ' if header.masked else ''}"
                    f"len {header.payload_length}",
                ),
            )
        if report.frames_omitted and not messages_only:
            _print(console, f"    ... {report.frames_omitted} more frames (--max-frames)")
        for message in report.messages:
            if messages_only and message.decoded is not None:
                render_decoded(
                    console,
                    message.decoded,
                    max_bytes=max_bytes,
                    numbered=True,
                    lead="    ",
                    indent="      ",
                    soft_wrap=True,
                )
                continue
            shown = (
                message.text if message.text is not None else message.payload[:max_bytes].hex(" ")
            )
            if len(shown) > max_bytes:
                shown = shown[:max_bytes] + "..."
            _print(
                console,
                _line(
                    f"    {message.direction:>6} "
                    f"{'' if message.number is None else f'message {message.number} '}"
                    f"{opcode_name(message.opcode)} {message.length} B"
                    f"{' compressed' if message.compressed else ''}"
                    f"{'' if message.complete else ' INCOMPLETE'}: ",
                    safe_text(repr(shown) if message.text is not None else shown),
                ),
            )
            if message.decoded is not None:
                _print(console, *_decoded_line(message.decoded, max_bytes))
        if report.messages_omitted:
            _print(console, f"    ... {report.messages_omitted} more messages (--max-frames)")
    for violation in report.violations:
        where = "" if violation.frame is None else f" frame {violation.frame}"
        _print(
            console,
            _line(
                "  ",
                (f"{violation.direction}{where}: {violation.code}", BAD),
                f" ({violation.rfc}): ",
                safe_text(violation.message),
            ),
        )
    listed = len(report.violations)
    total = sum(report.violation_counts.values())
    if total > listed:
        _print(
            console, f"  ... {total - listed} more violations ({_counts(report.violation_counts)})"
        )
    for gap in report.gaps:
        _print(
            console,
            _line(
                ("  gap", BAD),
                f": {gap.direction} misses {gap.size} bytes at offset {gap.offset} ({gap.reason}); "
                f"{gap.consequence}",
            ),
        )
    for note in report.notes:
        _print(console, _line(("  note: ", DIM), safe_text(note)))


def _decoded_line(decoded: DecodedMessage, max_bytes: int) -> tuple[Text, ...]:
    """A message's decoding on one line under it: protocol, title, the body as compact JSON
    (cut at ``max_bytes``), the pairing note (``--messages-only`` pretty-prints bodies)."""
    if decoded.subprotocol == "none":
        return ()
    parts: list[str | tuple[str, str] | Text] = [
        "      ",
        safe_text(decoded.subprotocol, "bold magenta"),
        "  ",
        safe_text(decoded.title, "bold"),
    ]
    if decoded.has_body:
        compact = json.dumps(decoded.body, ensure_ascii=False, default=str)
        if len(compact) > max_bytes:
            compact = compact[:max_bytes] + "..."
        parts += ["  ", safe_text(compact)]
    if decoded.note:
        parts += ["  (", safe_text(decoded.note, "cyan"), ")"]
    return (_line(*parts),)


def render_cookie(console: Console, cookie: CookieFinding) -> None:
    style = OK if cookie.ok else BAD
    where = ", ".join(
        f"{sighting.header} #{sighting.connection}" for sighting in cookie.sightings[:6]
    )
    if cookie.sighting_count > 6:
        where += ", ..."
    _print(
        console,
        _line(
            f"[{cookie.id}] ",
            safe_text(cookie.name),
            " ",
            (cookie.verdict, f"bold {style}"),
            f"  seen {cookie.sighting_count}x ({where})",
        ),
    )
    if cookie.weak_key is not None:
        _print(console, _line("    ", ("weak key found: ", BAD), safe_text(repr(cookie.weak_key))))
    decoded = cookie.decoded
    if decoded is not None:
        expiry = "" if decoded.expires_at is None else f", expires {decoded.expires_at.isoformat()}"
        key = f", key {decoded.matched_key}" if decoded.matched_key else ""
        _print(console, f"    signed {decoded.issued_at.isoformat()}{expiry}{key}")
        _print(console, _line("    ", safe_text(decoded.payload)))
        for warning in decoded.warnings:
            _print(console, _line(("    warning: ", DIM), safe_text(warning)))
    if cookie.expired_later:
        _print(console, _line("    ", ("seen again after it had expired", BAD)))
    if cookie.server_session is not None:
        _print(
            console,
            _line(
                "    Flask-Session id ",
                safe_text(cookie.server_session.session_id),
                " (decode-cookie --store reads its data)",
            ),
        )
    if cookie.error is not None:
        _print(console, _line("    ", safe_text(cookie.error)))
    _print(console, _line("    ", safe_text(cookie.value, DIM)))
