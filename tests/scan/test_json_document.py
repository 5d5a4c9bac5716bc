"""``scan --json`` is written one connection at a time, byte for byte what ``json.dumps``
would write for the whole document."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from flaskscope.render.scan_json import scan_document, write_scan_document
from flaskscope.scan import Scanner, ScanSettings
from flaskscope.scan.totals import ScanTotals

SAMPLES = Path(__file__).parents[2] / "samples"


@pytest.mark.parametrize(
    "name", ["scan-websocket.pcap", "scan-cookies.har", "scan-broken.pcap", "scan-socketio.pcap"]
)
@pytest.mark.parametrize("keep", [0, 2, None])
def test_streamed_document_is_the_whole_document(name: str, keep: int | None) -> None:
    scanner = Scanner(ScanSettings(now=0.0))
    reports = list(scanner.scan(name, [(SAMPLES / name).read_bytes()]))
    if keep is not None:
        reports = reports[:keep]
    totals = ScanTotals()
    for report in reports:
        totals.add(report)
    cookies = scanner.cookies()
    parts = {
        "files": [{"name": name, "kind": "x"}],
        "totals": totals,
        "connections": reports,
        "cookies": cookies,
        "audit": None,
        "notes": ["a note with \\u202e"],
    }
    out = io.StringIO()
    write_scan_document(out.write, **parts)  # type: ignore[arg-type]
    whole = json.dumps(scan_document(**parts), indent=2, ensure_ascii=True) + "\n"  # type: ignore[arg-type]
    assert out.getvalue() == whole
    assert json.loads(out.getvalue())["connections"] == json.loads(whole)["connections"]
