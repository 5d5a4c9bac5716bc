"""``scan --json`` and ``--json-lines``: the same facts as the console view, as JSON.

``--json`` is one object: ``files``, ``summary``, ``connections`` (each
:meth:`flaskscope.scan.model.ConnectionReport.to_json`), ``cookies`` (deduplicated, with
where each was seen), ``audit`` and ``notes``. ``--json-lines`` writes one object per line as
it is known: ``{"type": "connection", ...}`` per connection as it closes, then
``{"type": "cookie", ...}`` per cookie, then ``{"type": "summary", ...}`` last.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Callable
from typing import Any

from flaskscope.scan.model import ConnectionReport, CookieFinding
from flaskscope.scan.totals import ScanTotals

__all__ = ["json_line", "scan_document", "write_scan_document"]


def json_line(kind: str, body: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps({"type": kind, **body}, ensure_ascii=True) + "\n")


def write_scan_document(
    write: Callable[[str], object],
    *,
    files: list[dict[str, str]],
    totals: ScanTotals,
    connections: list[ConnectionReport],
    cookies: list[CookieFinding],
    audit: dict[str, Any] | None,
    notes: list[str],
) -> None:
    """:func:`scan_document` written as ``json.dumps(indent=2)`` writes it, byte for byte,
    but one connection at a time: a capture of thousands of connections never holds its
    whole document (dicts and text) in memory at once."""
    head = {"files": files, "summary": totals.to_json(), "connections": []}
    tail = {
        "cookies": [cookie.to_json() for cookie in cookies],
        "audit": audit,
        "notes": notes,
        "ok": totals.ok,
    }
    if not connections:
        write(_dumps({**head, **tail}) + "\n")
        return
    opening = _dumps(head)
    write(opening[: opening.rindex("[]")] + "[\n")
    for index, connection in enumerate(connections):
        separator = ",\n" if index < len(connections) - 1 else "\n"
        write(textwrap.indent(_dumps(connection.to_json()), "    ") + separator)
    closing = _dumps({"connections": [], **tail})
    write("  ]" + closing[closing.index("[]") + 2 :] + "\n")


def _dumps(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=True, sort_keys=False)


def scan_document(
    *,
    files: list[dict[str, str]],
    totals: ScanTotals,
    connections: list[ConnectionReport],
    cookies: list[CookieFinding],
    audit: dict[str, Any] | None,
    notes: list[str],
) -> dict[str, Any]:
    return {
        "files": files,
        "summary": totals.to_json(),
        "connections": [connection.to_json() for connection in connections],
        "cookies": [cookie.to_json() for cookie in cookies],
        "audit": audit,
        "notes": notes,
        "ok": totals.ok,
    }
