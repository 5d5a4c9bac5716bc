"""Human output for ``ws-accept`` and ``check-handshake`` (rich), from the core dataclasses;
JSON and the piped accept line are in :mod:`flaskscope.render.handshake_json`.

Header values are untrusted: everything taken from the input goes through ``safe_text``.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from flaskscope.handshake.accept import AcceptReport, HandshakeReport
from flaskscope.handshake.extensions import format_extension
from flaskscope.render.console import safe_text

__all__ = ["check_verdict", "render_accept", "render_check"]

_OK = "bold green"
_BAD = "bold red"
_NOTE = "yellow"
_LABEL = "bold"


def _row(table: Table, label: str, value: Text) -> None:
    table.add_row(Text(label, style=_LABEL), value)


def render_accept(console: Console, report: AcceptReport) -> None:
    """Every step of RFC 6455 §4.2.2 item 5.4: key, decoded length, GUID, SHA-1, accept."""
    table = Table.grid(padding=(0, 2))
    _row(table, "key", safe_text(report.key))
    if report.key_bytes is None:
        length = Text("not base64", style=_BAD)
    else:
        length = Text(f"{report.key_bytes} bytes", style=_OK if report.key_bytes == 16 else _BAD)
    _row(table, "decoded", length)
    _row(table, "GUID", Text(report.guid))
    _row(table, "SHA-1", Text(report.sha1_hex))
    _row(table, "accept", Text(report.accept, style="bold"))
    if report.expected is not None:
        if report.verified:
            verdict = Text("matches ", style=_OK) + safe_text(report.expected)
        else:
            verdict = Text("MISMATCH: got ", style=_BAD) + safe_text(report.expected)
        _row(table, "verify", verdict)
    if report.key_valid:
        status = Text("valid key (base64 of 16 bytes, RFC 6455 §4.1)", style=_OK)
    else:
        status = Text(f"invalid key: {report.key_problem} (RFC 6455 §4.1)", style=_BAD)
    _row(table, "status", status)
    console.print(table)


def render_check(console: Console, report: HandshakeReport) -> None:
    """The checklist: one row per rule, then notes, then a one-line verdict."""
    heading = Text("Request ", style=_LABEL) + safe_text(f"{report.method} {report.target}")
    if report.has_response:
        heading += Text("  Response ", style=_LABEL) + Text(str(report.status_code))
    console.print(heading)
    table = Table(show_header=True, header_style=_LABEL, box=None, padding=(0, 1))
    table.add_column("", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("found / expected (RFC)", overflow="fold", ratio=1)
    for check in report.checks:
        mark = Text("ok", style=_OK) if check.ok else Text("FAIL", style=_BAD)
        message = safe_text(check.message) + Text(f"  [{check.rfc}]", style="dim")
        table.add_row(mark, Text(check.id), message)
    console.print(table)
    for note in report.notes:
        console.print(
            Text("note ", style=_NOTE) + Text(f"{note.id} ({note.rfc}): ") + safe_text(note.message)
        )
    if report.expected_accept is not None:
        console.print(Text("expected accept ", style=_LABEL) + Text(report.expected_accept))
    if report.subprotocol is not None:
        console.print(Text("subprotocol ", style=_LABEL) + safe_text(report.subprotocol))
    if report.extensions:
        extensions = ", ".join(format_extension(extension) for extension in report.extensions)
        console.print(Text("extensions ", style=_LABEL) + safe_text(extensions))
    verdict, ok = check_verdict(report)
    console.print(Text(verdict, style=_OK if ok else _BAD))


def check_verdict(report: HandshakeReport) -> tuple[str, bool]:
    """The checklist's last line and whether it is good (shared with the HTML report)."""
    failures = report.failures()
    if not failures:
        return f"valid: all {len(report.checks)} checks passed", True
    names = ", ".join(check.id for check in failures)
    return f"invalid: {len(failures)} of {len(report.checks)} checks failed: {names}", False
