"""``doctor --html``: the findings grouped by severity, each with its id, severity (a word,
not colour alone), what was found and where, why it matters, the fix and a reference.

The verdict on top is the terminal's last line (:func:`flaskscope.render.doctor.doctor_verdict`);
finding texts quote the app's configuration and store keys, so they go in as plain text for
the templates to escape.
"""

from __future__ import annotations

import os

from flaskscope.appinspect.findings import SEVERITIES, DoctorReport
from flaskscope.appinspect.findings import Finding as DoctorFinding
from flaskscope.render.doctor import doctor_verdict
from flaskscope.render.html.model import Finding, FindingsSection, Report, SummaryItem
from flaskscope.render.html.text import visible

__all__ = ["doctor_report"]

_COUNT_TONES = {"high": "bad", "medium": "warn", "low": "warn", "info": ""}


def _shown_path(file: str, base: str) -> str:
    """``file`` relative to ``base`` when inside it (as SARIF shows it), else as it is."""
    relative = os.path.relpath(file, base) if os.path.isabs(file) else file
    return file if relative.startswith("..") else relative


def _where(finding: DoctorFinding, base: str) -> str:
    """The setting or route, and the app's line that names it when one was found."""
    if finding.file and finding.line:
        return f"{finding.where} ({_shown_path(finding.file, base)}, line {finding.line})"
    return finding.where


def doctor_report(
    report: DoctorReport, fail_on: str, *, command: str, base: str | None = None
) -> Report:
    """The page: verdict and counts on top, then one section per severity that has findings.
    File names are shown relative to ``base`` (default: the current directory)."""
    base = base or os.getcwd()
    failing = report.at_or_above(fail_on)
    sections = []
    for severity in SEVERITIES:
        group = [finding for finding in report.findings if finding.severity == severity]
        if not group:
            continue
        sections.append(
            FindingsSection(
                anchor=f"severity-{severity}",
                title=f"{severity.upper()} ({len(group)})",
                findings=tuple(
                    Finding(
                        id=finding.id,
                        severity=finding.severity,
                        title=finding.rule.title,
                        what=visible(finding.what),
                        where=visible(_where(finding, base)),
                        why=finding.rule.why,
                        fix=finding.rule.fix,
                        reference=finding.rule.reference,
                        reference_url=""
                        if finding.rule.reference.startswith("RFC ")
                        else finding.rule.url,
                    )
                    for finding in group
                ),
            )
        )
    if not sections:
        sections.append(
            FindingsSection(
                anchor="findings", title="Findings", empty="No finding: nothing to fix."
            )
        )
    summary = [
        SummaryItem("app", visible(report.app_name)),
        SummaryItem(
            "app file",
            visible(_shown_path(report.app_file, base) if report.app_file else "(unknown)"),
        ),
        SummaryItem("session interface", visible(report.session_interface)),
    ]
    if report.store_scanned is not None:
        summary.append(SummaryItem("store", f"{report.store_scanned} key(s) scanned"))
    for severity in SEVERITIES:
        count = sum(1 for finding in report.findings if finding.severity == severity)
        summary.append(SummaryItem(severity, str(count), _COUNT_TONES[severity] if count else ""))
    summary.append(
        SummaryItem(
            f"at or above --fail-on {fail_on}", str(len(failing)), "bad" if failing else "ok"
        )
    )
    if failing:
        tone = "bad"
    elif report.at_or_above("low"):
        tone = "warn"
    else:
        tone = "ok"
    return Report(
        title=f"Session-security audit: {visible(report.app_name)}",
        command=command,
        verdict=doctor_verdict(report, fail_on),
        tone=tone,
        summary=tuple(summary),
        sections=tuple(sections),
    )
