"""The committed scan samples are what samples/scan_make_samples.py makes (docs/scan.md shows
their output), and scan reads them as documented."""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

from flaskscope.scan import CookieSettings, Scanner, ScanSettings

SAMPLES = Path(__file__).parents[2] / "samples"
NAMES = ("scan-websocket.pcap", "scan-broken.pcap", "scan-cookies.har", "scan-follow.txt")


def test_the_generator_makes_the_committed_samples(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "scan_make_samples", SAMPLES / "scan_make_samples.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for name in NAMES:
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name


@pytest.mark.parametrize("name", NAMES)
def test_samples_scan(name: str) -> None:
    key = (SAMPLES / "cookie-secret-key.txt").read_text().strip()
    scanner = Scanner(ScanSettings(cookies=CookieSettings(secret_key=key), now=time.time()))
    reports = list(scanner.scan(name, [(SAMPLES / name).read_bytes()]))
    websocket = [report for report in reports if report.kind == "websocket"]
    assert websocket
    # a follow dump has no timestamps: its cookie is judged now, long after it expired
    expected = "expired" if name == "scan-follow.txt" else "valid"
    assert [cookie.verdict for cookie in scanner.cookies()] == [expected]
    if name == "scan-broken.pcap":
        assert websocket[0].violation_counts == {"http-after-close": 1}
        assert [gap.size for gap in websocket[0].gaps] == [15]


def test_summary_counts_json_from_the_content_without_decoding_it() -> None:
    """``--summary`` with JSON recognised from the content: nothing there can be judged (a
    text that is not JSON is only text), so the rest of the connection is parsed on the
    fast path; the verdict and counts are the full scan's, and ``--subprotocol json`` (where
    a message that is not JSON is a fault) still decodes every message."""
    from tests.conftest import run_json

    capture = str(SAMPLES / "scan-websocket.pcap")
    full = run_json("scan", capture, "--only", "websocket")
    summary = run_json("scan", capture, "--only", "websocket", "--summary")
    # The text message is a json-bad-json fault when JSON is asked for: exit 1.
    strict = run_json(
        "scan", capture, "--only", "websocket", "--summary", "--subprotocol", "json", code=1
    )
    assert full["connections"][0]["subprotocol"]["protocol"] == "json"
    assert full["connections"][0]["decoded_counts"] == {"json": 3, "text": 1}
    assert summary["connections"][0]["decoded_counts"] == {}
    assert summary["ok"] == full["ok"]
    assert summary["connections"][0]["violations"] == full["connections"][0]["violations"]
    assert strict["connections"][0]["decoded_counts"] == {"json": 3, "text": 1}
    assert [v["code"] for v in strict["connections"][0]["violations"]] == ["json-bad-json"]
