"""The doctor's findings as a SARIF 2.1.0 log (OASIS SARIF v2.1.0, §3.13 sarifLog).

One run; the tool's rules are the whole catalogue (so a dashboard can show what was checked),
each result names its rule by id and index, with ``level`` from the severity (§3.27.10:
high -> error, medium -> warning, low and info -> note) and GitHub code scanning's
``security-severity`` property. A location is given when the app's file is known.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flaskscope.appinspect.findings import RULES, DoctorReport, Finding

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "sarif_log"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

LEVELS = {"high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"high": "8.0", "medium": "5.0", "low": "3.0", "info": "0.0"}


def _uri(file: str, base: str) -> str:
    path = Path(file).resolve()
    try:
        return path.relative_to(Path(base).resolve()).as_posix()
    except ValueError:
        return path.as_uri()


def _result(finding: Finding, index: int, base: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.id,
        "ruleIndex": index,
        "level": LEVELS[finding.severity],
        "message": {"text": f"{finding.what}. {finding.rule.why} Fix: {finding.rule.fix}"},
        "properties": {"severity": finding.severity, "where": finding.where},
    }
    if finding.file:
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(finding.file, base)}}
        if finding.line:
            physical["region"] = {"startLine": finding.line}
        result["locations"] = [
            {
                "physicalLocation": physical,
                "logicalLocations": [{"name": finding.where, "kind": "variable"}],
            }
        ]
    return result


def sarif_log(report: DoctorReport, *, version: str, base: str | None = None) -> dict[str, Any]:
    """The SARIF document; file URIs are relative to ``base`` (default: the current
    directory, which CI systems take as the repository root) when the file is inside it."""
    base = base or os.getcwd()
    rule_ids = list(RULES)
    rules = [
        {
            "id": rule.id,
            "name": "".join(part.capitalize() for part in rule.id.split("-")),
            "shortDescription": {"text": rule.title},
            "fullDescription": {"text": rule.why},
            "help": {"text": rule.fix},
            "helpUri": rule.url,
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
            "properties": {
                "security-severity": SECURITY_SEVERITY[rule.severity],
                "tags": ["security", "flask", "session"],
            },
        }
        for rule in RULES.values()
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flaskscope",
                        "version": version,
                        "rules": rules,
                    }
                },
                "results": [
                    _result(finding, rule_ids.index(finding.id), base)
                    for finding in report.findings
                ],
                "properties": {"app": report.app_name},
            }
        ],
    }
