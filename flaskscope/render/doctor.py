"""Human and JSON output for ``doctor``: findings grouped by severity, each with why and fix.

Finding texts quote the app's configuration (key names, hosts, routes): shown through
``safe_text``, never as markup.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from flaskscope.appinspect.findings import SEVERITIES, DoctorReport
from flaskscope.render.console import safe_text

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["doctor_json", "doctor_verdict", "render_doctor"]

_STYLES = {"high": "bold red", "medium": "bold yellow", "low": "cyan", "info": "dim"}


def doctor_json(report: DoctorReport, fail_on: str) -> dict[str, Any]:
    return {
        "app": report.app_name,
        "app_file": report.app_file,
        "session_interface": report.session_interface,
        "fail_on": fail_on,
        "failed": bool(report.at_or_above(fail_on)),
        "counts": {
            severity: sum(1 for f in report.findings if f.severity == severity)
            for severity in SEVERITIES
        },
        "store_scanned": report.store_scanned,
        "findings": [finding.as_json() for finding in report.findings],
    }


def doctor_verdict(report: DoctorReport, fail_on: str) -> str:
    """The terminal's last line: counts by severity and how many fail ``--fail-on``."""
    if not report.findings:
        return "no finding"
    counts = ", ".join(
        f"{sum(1 for f in report.findings if f.severity == s)} {s}" for s in SEVERITIES
    )
    failing = len(report.at_or_above(fail_on))
    return f"{counts}; {failing} at or above --fail-on {fail_on}"


def render_doctor(console: Console, report: DoctorReport, fail_on: str) -> None:
    from rich.text import Text

    head = Text("doctor ", style="bold")
    head.append_text(safe_text(report.app_name))
    head.append(f"  ({report.session_interface})")
    console.print(head)
    if report.store_scanned is not None:
        console.print(Text(f"store: {report.store_scanned} key(s) scanned"))
    if not report.findings:
        console.print(Text(doctor_verdict(report, fail_on), style="bold green"))
        return
    for severity in SEVERITIES:
        group = [finding for finding in report.findings if finding.severity == severity]
        if not group:
            continue
        console.print()
        console.print(Text(f"{severity.upper()} ({len(group)})", style=_STYLES[severity]))
        for finding in group:
            line = Text("  ")
            line.append(finding.id, style=_STYLES[severity])
            console.print(line)
            width = max(console.width - 10, 40)
            for label, text in (
                ("what", finding.what),
                ("why", finding.rule.why),
                ("fix", finding.rule.fix),
            ):
                for index, piece in enumerate(textwrap.wrap(text, width=width) or [""]):
                    lead = f"    {label}:".ljust(10) if index == 0 else " " * 10
                    console.print(Text(lead).append_text(safe_text(piece)), overflow="fold")
    console.print()
    failing = report.at_or_above(fail_on)
    console.print(
        Text(doctor_verdict(report, fail_on), style="bold red" if failing else "bold green")
    )
