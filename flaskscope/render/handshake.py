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
from flaskscope.render.console import is_screen, plural, print_hanging, safe_str, safe_text

__all__ = ["accept_verdict", "check_verdict", "render_accept", "render_check"]

_OK = "bold green"
_BAD = "bold red"
_NOTE = "yellow"
_LABEL = "bold"


def _row(table: Table, label: str, value: Text) -> None:
    table.add_row(Text(label, style=_LABEL), value)


def render_accept(console: Console, report: AcceptReport) -> None:
    """Every step of RFC 6455 §4.2.2 item 5.4: key, decoded length, GUID, SHA-1, accept;
    then the verdict, last, so that a mismatch is what the eye lands on."""
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
        _row(table, "given", safe_text(report.expected))
    if report.key_valid:
        status = Text("valid (base64 of 16 bytes, RFC 6455 §4.1)", style=_OK)
    else:
        status = Text(f"invalid: {report.key_problem} (RFC 6455 §4.1)", style=_BAD)
    _row(table, "key check", status)
    console.print(table)
    console.print(accept_verdict(report))


def accept_verdict(report: AcceptReport) -> Text:
    """One line: does the key hold, and does the given accept match (``--verify``)."""
    if report.verified is False:
        return Text(
            f"MISMATCH: --verify {safe_str(report.expected or '')} is not the accept value "
            f"{report.accept}",
            style=_BAD,
        )
    if not report.key_valid:
        return Text(f"invalid key: {report.key_problem}", style=_BAD)
    if report.verified:
        return Text("match: the given accept value is right for this key", style=_OK)
    return Text("valid key", style=_OK)


def render_check(console: Console, report: HandshakeReport, *, show_all: bool = False) -> None:
    """The verdict first, then the failing rules (every rule with ``show_all``, or on a
    terminal when every rule passes), then notes and what was negotiated."""
    failures = report.failures()
    total = len(report.checks)
    verdict, ok = check_verdict(report)
    print_hanging(console, Text(verdict, style=_OK if ok else _BAD), indent=9)
    heading = Text("Request ", style=_LABEL) + safe_text(f"{report.method} {report.target}")
    if report.has_response:
        heading += Text("  Response ", style=_LABEL) + Text(str(report.status_code))
    console.print(heading)
    everything = show_all or (not failures and is_screen(console))
    rows = report.checks if everything else failures
    if rows:
        table = Table(show_header=True, header_style=_LABEL, box=None, padding=(0, 1))
        table.add_column("", no_wrap=True)
        table.add_column("check", no_wrap=True)
        table.add_column("found / expected (RFC)", overflow="fold")
        for check in rows:
            mark = Text("ok", style=_OK) if check.ok else Text("FAIL", style=_BAD)
            message = safe_text(check.message) + Text(f"  [{check.rfc}]", style="dim")
            table.add_row(mark, Text(check.id), message)
        console.print(table)
    passing = total - len(failures)
    if not everything and passing and failures:
        console.print(
            Text(f"{plural(passing, 'passing check')} not listed (--all lists them)", "dim")
        )
    for note in report.notes:
        print_hanging(
            console,
            Text("note ", style=_NOTE)
            + Text(f"{note.id} ({note.rfc}): ")
            + safe_text(note.message),
            indent=5,
        )
    if report.expected_accept is not None:
        console.print(Text("expected accept ", style=_LABEL) + Text(report.expected_accept))
    if report.subprotocol is not None:
        console.print(Text("subprotocol ", style=_LABEL) + safe_text(report.subprotocol))
    if report.extensions:
        extensions = ", ".join(format_extension(extension) for extension in report.extensions)
        print_hanging(console, Text("extensions ", style=_LABEL) + safe_text(extensions), indent=11)


def check_verdict(report: HandshakeReport) -> tuple[str, bool]:
    """The checklist's verdict and whether it is good (shared with the HTML report)."""
    failures = report.failures()
    total = len(report.checks)
    if not failures:
        return f"valid: {total} of {total} checks pass", True
    names = ", ".join(check.id for check in failures)
    return f"invalid: {len(failures)} of {total} checks fail: {names}", False
