"""``flaskscope scan``: whole captures (pcap, pcapng, HAR, tshark follow dumps) in, every
connection, cookie and WebSocket conversation out. Options, input in chunks, the scan core,
a renderer, an exit code."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator

import click

from flaskscope.cli import EXIT_INVALID, EXIT_OK, command, output_options
from flaskscope.commands.cookie_options import (
    key_options,
    max_age_option,
    resolve_keys,
    resolve_max_age,
    resolve_signing,
    signing_options,
)
from flaskscope.commands.report_options import command_line, html_option, save_report
from flaskscope.commands.server_session import server_session_app
from flaskscope.flask_commands import (
    CommandDefaults,
    app_options,
    defaults_from_app,
    resolve_flask_app,
)
from flaskscope.frames.stream import DEFAULT_MAX_MESSAGE_SIZE
from flaskscope.scan.cookies import CookieSettings
from flaskscope.scan.model import ConnectionReport, CookieFinding
from flaskscope.scan.scanner import Scanner
from flaskscope.scan.settings import ScanSettings
from flaskscope.scan.totals import ScanTotals
from flaskscope.subprotocols.detect import SUBPROTOCOL_CHOICES

__all__ = ["scan_command"]

READ_CHUNK = 1024 * 1024

DEFAULT_MAX_FRAMES = 100
"""Frames and messages listed per connection in the console view."""

JSON_MAX_FRAMES = 10_000
"""Frames and messages kept per connection for ``--json`` unless --max-frames says."""


def _chunks(path: str) -> Iterator[bytes]:
    try:
        handle = click.open_file(path, "rb")
    except OSError as error:
        raise click.BadParameter(f"{path}: {error.strerror}", param_hint="FILE") from error
    with handle:
        while True:
            chunk = handle.read(READ_CHUNK)
            if not chunk:
                return
            yield chunk


def _candidate_batches(wordlists: tuple[str, ...]) -> Iterator[list[bytes]]:
    from flaskscope.audit.wordlists import (
        BUILTIN_EXTRA_KEYS,
        builtin_source,
        file_source,
    )

    yield list(BUILTIN_EXTRA_KEYS)
    for source in (builtin_source(), *(file_source(path) for path in wordlists)):
        for chunk in source.chunks():
            yield chunk.lines()


@command(
    "scan",
    help="""Read whole captures and report every HTTP exchange, Flask session cookie and
    WebSocket conversation in them.

    FILE is a pcap or pcapng (tcpdump, Wireshark; Ethernet, VLAN, Linux SLL/SLL2, loopback,
    raw IP; IPv4 and IPv6), a HAR 1.2 export (Chrome's WebSocket messages included), a
    tshark 'follow,tcp,raw' or 'follow,tcp,hex' dump, or one direction's raw bytes;
    recognised by content. TCP is reassembled (out-of-order, retransmitted and overlapping
    segments; missing bytes reported as gaps). Every distinct session cookie is decoded
    once, judged at the time of its packet, verified with the keys given; WebSocket
    handshakes are checked and both directions parsed as parse-frame does, deflate
    parameters taken from the response, and the messages decoded as Socket.IO/Engine.IO,
    GraphQL over WebSocket, STOMP or JSON (--subprotocol), both directions together: acks
    paired across directions, heartbeats judged on the packet times.

    \b
    Examples:
      flaskscope scan capture.pcap
      flaskscope scan capture.pcapng -k "$SECRET" --audit
      flaskscope scan export.har --only cookies
      flaskscope scan big.pcap --summary
      flaskscope scan socketio.pcap --messages-only
      flaskscope scan capture.pcap --html scan.html
      flaskscope scan big.pcap --json-lines | jq 'select(.type == "connection")'

    \b
    Exit codes: 0 everything valid; 1 an invalid or expired cookie, a weak key, a failed
    handshake, a protocol violation or a subprotocol fault; 2 a file that is not a capture,
    or a usage error.
    """,
)
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--cookie-name",
    "cookie_names",
    metavar="NAME",
    multiple=True,
    help="Session cookie name to look for; repeat for several (default: session, or the app's).",
)
@app_options
@key_options
@signing_options
@max_age_option
@click.option("--audit", is_flag=True, help="Search the built-in weak keys (and --wordlist).")
@click.option(
    "--wordlist",
    "wordlists",
    metavar="PATH",
    multiple=True,
    help="More candidate keys for --audit, one per line (.gz read through gzip); repeatable.",
)
@click.option(
    "--json-lines",
    "json_lines",
    is_flag=True,
    help="One JSON object per line, each connection as it ends (for large captures).",
)
@click.option("--connection", "connection", type=click.IntRange(min=0), help="Only this id.")
@click.option(
    "--only",
    type=click.Choice(["cookies", "websocket"]),
    help="Only cookies (frames are not parsed), or only WebSocket connections.",
)
@click.option(
    "--max-frames",
    type=click.IntRange(min=0),
    default=None,
    help=f"Frames and messages listed per connection (default: {DEFAULT_MAX_FRAMES}; "
    f"--json: {JSON_MAX_FRAMES}).",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=0),
    default=None,
    help="Payload bytes shown per message (default 256; --json keeps 64 KiB).",
)
@click.option(
    "--max-message-size",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_MESSAGE_SIZE,
    show_default=True,
    help="Largest (decompressed) message; past it: message-too-big.",
)
@click.option(
    "--subprotocol",
    type=click.Choice(SUBPROTOCOL_CHOICES),
    default="auto",
    show_default=True,
    help="Decode each WebSocket connection's messages as Socket.IO/Engine.IO, GraphQL over "
    "WebSocket, STOMP or JSON (auto: from its handshake's Sec-WebSocket-Protocol or target, "
    "else the first messages; none: frames only). See docs/subprotocols.md.",
)
@click.option(
    "--messages-only",
    is_flag=True,
    help="People's view: each WebSocket message as its subprotocol decoding, no frame lines.",
)
@click.option("--summary", is_flag=True, help="Counts and violations only (the fast path).")
@html_option
@output_options
def scan_command(
    files: tuple[str, ...],
    cookie_names: tuple[str, ...],
    app_import: str | None,
    app_dir: str | None,
    secret_key: str | None,
    secret_key_file: str | None,
    fallback_keys: tuple[str, ...],
    salt: str | None,
    digest: str | None,
    key_derivation: str | None,
    legacy: bool | None,
    max_age: int | str | None,
    audit: bool,
    wordlists: tuple[str, ...],
    json_lines: bool,
    connection: int | None,
    only: str | None,
    max_frames: int | None,
    max_bytes: int | None,
    max_message_size: int,
    subprotocol: str,
    messages_only: bool,
    summary: bool,
    html: str | None,
    as_json: bool,
    no_color: bool,
) -> None:
    if as_json and json_lines:
        raise click.UsageError("give --json or --json-lines, not both")
    if wordlists and not audit:
        raise click.UsageError("--wordlist is for --audit")
    app = resolve_flask_app(app_import, app_dir)
    server_app = server_session_app(app)  # Flask-Session: its cookies are session ids
    key_given = secret_key is not None or secret_key_file is not None
    base = (
        CommandDefaults()
        if app is None or server_app is not None
        else defaults_from_app(app, key_given=key_given)
    )
    default_name = base.cookie_name if server_app is None else server_app.cookie_name
    primary, fallbacks = resolve_keys(
        base.command_line_key(secret_key),
        secret_key_file,
        fallback_keys,
        base.secret_key,
        base.fallback_keys,
    )
    machine = as_json or json_lines
    settings = ScanSettings(
        cookies=CookieSettings(
            names=cookie_names or (default_name,),
            secret_key=primary,
            fallback_keys=fallbacks,
            options=resolve_signing(salt, digest, key_derivation, legacy, base.signing),
            max_age=resolve_max_age(max_age, base.max_age),
            serializer=base.serializer,
            app_loaded=app is not None,
            server_interface=None if server_app is None else server_app.interface,
        ),
        max_frames=(
            max_frames
            if max_frames is not None
            else (JSON_MAX_FRAMES if machine else DEFAULT_MAX_FRAMES)
        ),
        keep=max_bytes if max_bytes is not None else (64 * 1024 if machine else 4096),
        records=not summary or html is not None,
        max_message_size=max_message_size,
        only=only,
        connection=connection,
        subprotocol=subprotocol,
        now=time.time(),
    )
    scanner = Scanner(settings)
    totals = ScanTotals()
    kept: list[ConnectionReport] = []
    described: list[dict[str, str]] = []
    if json_lines:
        from flaskscope.render.scan_json import json_line
    for path in files:
        for report in scanner.scan(path, _chunks(path)):
            if only == "websocket" and report.kind != "websocket":
                continue
            totals.add(report)
            if json_lines and html != "-":
                json_line("connection", report.to_json())
            if (not json_lines or html is not None) and only != "cookies":
                kept.append(report)
        described.append({"name": path, "kind": scanner.kinds.get(path, "?")})
    # Reports come as connections close (bounded memory); people, JSON and HTML list them
    # in the order they opened, which is their id order, whatever order they closed in.
    kept.sort(key=lambda report: report.id)
    totals.packets = scanner.packets
    audit_result = None
    if audit:
        tried = scanner.audit(_candidate_batches(wordlists))
        audit_result = {"candidates_tried": tried, "sources": ["built-in", *wordlists]}
    cookies: list[CookieFinding] = [] if only == "websocket" else scanner.cookies()
    totals.add_cookies(cookies)
    if audit_result is not None:
        audit_result["weak_keys"] = totals.weak_keys
    notes = list(scanner.notes)
    if html is not None:
        from flaskscope.render.html.scan import scan_report

        page = scan_report(
            kept,
            cookies,
            totals,
            files=described,
            notes=notes,
            command=command_line(),
            payload_bytes=256 if max_bytes is None else max_bytes,
        )
        save_report(page, html)
    if html != "-":  # '-': the page is the output
        if json_lines:
            for cookie in cookies:
                json_line("cookie", cookie.to_json())
            json_line(
                "summary",
                {
                    "files": described,
                    **totals.to_json(),
                    "audit": audit_result,
                    "notes": notes,
                    "ok": totals.ok,
                },
            )
        elif as_json:
            from flaskscope.render.scan_json import write_scan_document

            write_scan_document(
                sys.stdout.write,
                files=described,
                totals=totals,
                connections=kept,
                cookies=cookies,
                audit=audit_result,
                notes=notes,
            )
        else:
            _show(
                kept,
                cookies,
                totals,
                described,
                notes,
                audit_result,
                no_color,
                summary,
                max_bytes,
                only,
                messages_only,
            )
    ctx = click.get_current_context()
    ctx.exit(EXIT_OK if totals.ok else EXIT_INVALID)


def _show(
    kept: list[ConnectionReport],
    cookies: list[CookieFinding],
    totals: ScanTotals,
    described: list[dict[str, str]],
    notes: list[str],
    audit_result: dict[str, object] | None,
    no_color: bool,
    summary: bool,
    max_bytes: int | None,
    only: str | None,
    messages_only: bool,
) -> None:
    from flaskscope.render.console import make_console, safe_text
    from flaskscope.render.scan import render_connection, render_cookie, render_summary

    console = make_console(no_color=no_color)
    render_summary(console, totals, described, only=only)
    if audit_result is not None:
        console.print(
            f"  audit: {audit_result['candidates_tried']} candidates, "
            f"{audit_result['weak_keys']} weak keys",
            soft_wrap=True,
        )
    for note in notes:
        console.print(safe_text(f"  note: {note}", "dim"), soft_wrap=True)
    for report in kept:
        render_connection(
            console,
            report,
            max_bytes=256 if max_bytes is None else max_bytes,
            summary_only=summary,
            messages_only=messages_only,
        )
    if cookies:
        console.print()
        console.print("Cookies:", style="bold", soft_wrap=True)
        for cookie in cookies:
            render_cookie(console, cookie)
