"""Output of ``audit-secret``: the verdict for people, one JSON object for scripts.

The key is the point of the audit, so it is shown, but through :func:`safe_text` (a wordlist
line can hold terminal escapes); a key that is not UTF-8 is shown as a Python bytes literal,
which is also what to paste into a Flask config to reproduce it.
"""

from __future__ import annotations

from datetime import timezone
from typing import Any

from rich.console import Console
from rich.text import Text

from flaskscope.audit.checker import AuditReport
from flaskscope.audit.hashcat import HashcatLine
from flaskscope.render.console import plural, print_hanging, safe_text

__all__ = ["ADVICE", "audit_json", "hashcat_json", "render_audit", "render_hashcat"]

ADVICE = (
    "Anyone who knows this key can forge any session (log in as any user). Set a new random "
    "SECRET_KEY (python -c 'import secrets; print(secrets.token_hex(32))'). With Flask >= 3.1 "
    "you may move the weak key to SECRET_KEY_FALLBACKS so current sessions survive the "
    "rotation, but cookies signed with it are still accepted (and still forgeable) while it "
    "is there: remove it as soon as you can, at once if it may already be known."
)


def _rate(report: AuditReport) -> str:
    jobs = f"{report.jobs} job" + ("" if report.jobs == 1 else "s")
    return f"{report.candidates_per_second:,.0f} candidates/s, {jobs}, {report.engine} engine"


def audit_json(report: AuditReport) -> dict[str, Any]:
    """``--json``: ``found``, ``secret_key``, ``candidates_tried``, ``seconds`` and more."""
    key = report.key
    return {
        "found": report.found,
        "secret_key": report.key_text,
        "secret_key_hex": None if key is None else key.hex(),
        "secret_key_utf8": None if key is None else report.key_text is not None,
        "candidates_tried": report.candidates_tried,
        "seconds": round(report.seconds, 6),
        "candidates_per_second": round(report.candidates_per_second, 1),
        "jobs": report.jobs,
        "engine": report.engine,
        "sources": list(report.sources),
        "salt": report.salt,
        "digest": report.digest,
        "key_derivation": report.key_derivation,
        "legacy": report.legacy,
        "issued_at": None
        if report.issued_at is None
        else report.issued_at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
        "max_age": report.max_age,
        "expired": report.expired,
        "unconfirmed_hits": report.unconfirmed_hits,
        "advice": ADVICE if report.found else None,
    }


def render_audit(report: AuditReport, console: Console) -> None:
    sources = ", ".join(report.sources)
    if report.key is None:
        console.print(Text("No weak secret key found.", style="bold green"))
        console.print(
            f"  {report.candidates_tried:,} candidates tried in {report.seconds:.2f} s "
            f"({_rate(report)})"
        )
        print_hanging(console, Text("Sources: ") + safe_text(sources), indent=9)
    else:
        title = Text("Weak secret key found: ", style="bold red")
        display = report.key_display or ""
        title.append_text(safe_text(display, style="bold"))
        if report.key == b"":
            title.append(" (the empty key)", style="bold")
        console.print(title)
        console.print(
            f"  found after {report.candidates_tried:,} candidates in {report.seconds:.2f} s "
            f"({_rate(report)})"
        )
        if report.key_text is None:
            console.print(f"  not UTF-8; hex {report.key.hex()}")
        if report.issued_at is not None:
            stamp = report.issued_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
            state = ""
            if report.expired:
                state = " - expired, but the key is proven all the same"
            console.print(f"  cookie issued {stamp}{state}")
        print_hanging(console, Text("Sources: ") + safe_text(sources), indent=9)
        print_hanging(console, Text("Advice: ", style="bold") + Text(ADVICE), indent=8)
    if report.unconfirmed_hits:
        hits = plural(report.unconfirmed_hits, "fast-check match", "fast-check matches")
        verb = "was" if report.unconfirmed_hits == 1 else "were"
        console.print(
            Text(
                f"Note: {hits} {verb} not confirmed by the full decode and not reported.",
                style="yellow",
            )
        )
    settings = (
        f"Signing: salt {report.salt!r}, {report.digest}, {report.key_derivation} key derivation"
        + (", legacy timestamps" if report.legacy else "")
    )
    console.print(safe_text(settings, style="dim"))


def hashcat_json(line: HashcatLine) -> dict[str, Any]:
    return {
        "hashcat_mode": line.mode,
        "hash": line.line,
        "command": line.command,
        "warnings": list(line.warnings),
    }


def render_hashcat(line: HashcatLine, console: Console, *, plain: bool) -> None:
    """The hash line alone on stdout when piped (``> cookie.hash``), with help on a terminal."""
    if plain:
        console.print(line.line, soft_wrap=True)
        return
    console.print(Text(f"hashcat mode {line.mode} (Flask Session Cookie):", style="bold"))
    console.print(line.line, soft_wrap=True)
    console.print(Text(f"Save it to cookie.hash and run: {line.command}", style="dim"))
