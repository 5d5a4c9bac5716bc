"""``--html FILE`` on parse-frame, decode-cookie, check-handshake and doctor: the usual output and
exit code unchanged, the page's verdict in the terminal's words, ``-`` for stdout, a file
that cannot be written is exit 2, and no secret key on the page."""

from __future__ import annotations

import json
import re
import sys
from html import unescape
from pathlib import Path

import pytest
from websockets.frames import Frame, Opcode

from tests.conftest import run_cli
from tests.peers import flask_cookie

SAMPLES = Path(__file__).parent.parent.parent / "samples"

CASES = [
    ("parse-frame", "--file", str(SAMPLES / "frames-capture.bin")),
    ("parse-frame", "--hex", "--file", str(SAMPLES / "frames-bad.hex")),
    (
        "parse-frame",
        "--file",
        str(SAMPLES / "frames-deflate.bin"),
        "--handshake",
        str(SAMPLES / "frames-handshake-response.http"),
        "--summary",
    ),
    (
        "decode-cookie",
        "--file",
        str(SAMPLES / "cookie.txt"),
        "--secret-key-file",
        str(SAMPLES / "cookie-secret-key.txt"),
        "--now",
        "2025-06-01T12:05:00Z",
    ),
    ("decode-cookie", "--file", str(SAMPLES / "cookie.txt"), "-k", "wrong"),
    (
        "check-handshake",
        str(SAMPLES / "handshake-request.http"),
        str(SAMPLES / "handshake-response.http"),
    ),
    (
        "check-handshake",
        str(SAMPLES / "handshake-request.http"),
        str(SAMPLES / "handshake-response-bad.http"),
    ),
    ("decode-cookie", "--file", str(SAMPLES / "flask-session-cookie.txt")),
    ("decode-cookie", "--file", str(SAMPLES / "flask-session-signed-cookie.txt"), "-k", "wrong"),
    ("doctor", "--app", str(SAMPLES / "doctor_weak_app.py")),
    ("doctor", "--app", str(SAMPLES / "doctor_weak_app.py"), "--fail-on", "low"),
    ("doctor", "--app", str(SAMPLES / "doctor_good_app.py")),
]


def _verdict(page: str) -> str:
    found = re.search(r'<span class="verdict-text">(.*?)</span>', page)
    assert found is not None
    return unescape(found.group(1))


def _terminal_verdict(command: str, stdout: str) -> str:
    lines = [line for line in stdout.splitlines() if line.strip()]
    return lines[-1] if command in ("parse-frame", "doctor") else lines[0]


@pytest.mark.parametrize("args", CASES, ids=lambda args: f"{args[0]}-{Path(args[-1]).stem}")
def test_the_page_says_what_the_terminal_says(args: tuple[str, ...], tmp_path: Path) -> None:
    plain = run_cli(*args)
    page = tmp_path / "report.html"
    with_html = run_cli(*args, "--html", str(page))
    assert with_html.exit_code == plain.exit_code
    assert with_html.stdout == plain.stdout
    assert with_html.stderr.endswith(f"report: wrote {page}\n")
    text = page.read_text(encoding="utf-8")
    assert _verdict(text) == _terminal_verdict(args[0], plain.stdout)


def test_html_dash_writes_only_the_page(tmp_path: Path) -> None:
    result = run_cli("check-handshake", str(SAMPLES / "handshake-request.http"), "--html", "-")
    assert result.exit_code == 0
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert result.stdout.rstrip().endswith("</html>")
    framed = run_cli("parse-frame", "--file", str(SAMPLES / "frames-capture.bin"), "--html", "-")
    assert framed.stdout.startswith("<!DOCTYPE html>")
    assert framed.stdout.count("<!DOCTYPE html>") == 1


def test_a_file_that_cannot_be_written_is_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "r.html"
    result = run_cli("parse-frame", "81 00", "--html", str(target))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --html ")
    assert "cannot write the report" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_secret_key_on_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cookie = flask_cookie("s3cret-key", {"user": "alice"})
    page = tmp_path / "c.html"
    argv = ["flaskscope", "decode-cookie", cookie, "-k", "s3cret-key", "--fallback-key=old-k3y"]
    monkeypatch.setattr(sys, "argv", [*argv, "--html", str(page)])
    result = run_cli(*argv[1:], "--html", str(page))
    assert result.exit_code == 0
    text = page.read_text(encoding="utf-8")
    assert "s3cret-key" not in text
    assert "old-k3y" not in text
    assert "decode-cookie" in text
    assert "-k &#39;***&#39;" in text
    assert "--fallback-key=***" in text


def test_big_capture_counts_match_the_json(tmp_path: Path) -> None:
    """Past the marks limit the parser counts (--summary's fast path); the page's counts
    are still every frame's, as --json reports them."""
    one = (
        Frame(Opcode.TEXT, b"hello").serialize(mask=False)
        + Frame(Opcode.PING, b"p").serialize(mask=False)
        + Frame(Opcode.BINARY, b"\x00" * 40).serialize(mask=False)
    )
    data = tmp_path / "big.bin"
    data.write_bytes(one * 2500 + Frame(Opcode.CLOSE, b"\x03\xe8").serialize(mask=False))
    page = tmp_path / "big.html"
    result = run_cli("parse-frame", "--file", str(data), "--summary", "--html", str(page))
    assert result.exit_code == 0
    summary = json.loads(run_cli("parse-frame", "--file", str(data), "--json").stdout)["summary"]
    text = unescape(page.read_text(encoding="utf-8"))
    assert summary["frames"] == {
        "total": 7501,
        "text": 2500,
        "ping": 2500,
        "binary": 2500,
        "close": 1,
    }
    assert "2500 binary, 1 close, 2500 ping, 2500 text" in text
    assert "6501 of 7501 messages and control frames are counted but not shown in detail" in text
    assert "the timeline draws the first 5000 of them; 2501 are not drawn" in text
    assert text.count('class="mark ') == 5000


def test_html_dash_keeps_the_exit_code(tmp_path: Path) -> None:
    """``--html -``: the page instead of the usual output; the exit code is the command's."""
    doctor = run_cli("doctor", "--app", str(SAMPLES / "doctor_weak_app.py"), "--html", "-")
    assert doctor.exit_code == 1
    assert doctor.stdout.startswith("<!DOCTYPE html>")
    assert doctor.stdout.count("<!DOCTYPE html>") == 1
    assert "HIGH (2)" in doctor.stdout
    forged = run_cli(
        "decode-cookie",
        "--file",
        str(SAMPLES / "flask-session-signed-cookie.txt"),
        "-k",
        "wrong",
        "--html",
        "-",
    )
    assert forged.exit_code == 1
    assert forged.stdout.startswith("<!DOCTYPE html>")
    assert "INVALID SIGNATURE" in forged.stdout
    assert "wrong" not in forged.stdout.replace("-k &#39;***&#39;", "")


def test_doctor_page_lists_every_finding_of_the_json(tmp_path: Path) -> None:
    args = ("doctor", "--app", str(SAMPLES / "doctor_weak_app.py"))
    document = json.loads(run_cli(*args, "--json").stdout)
    page = unescape(run_cli(*args, "--html", "-").stdout)
    ids = re.findall(r'<code class="finding-id">([^<]*)</code>', page)
    assert ids == [finding["id"] for finding in document["findings"]]
    for finding in document["findings"]:
        assert finding["what"] in page
        assert finding["fix"] in page
        assert finding["reference"] in page


@pytest.mark.parametrize("args", CASES, ids=lambda args: f"{args[0]}-{Path(args[-1]).stem}")
def test_every_link_in_the_page_has_its_target(args: tuple[str, ...]) -> None:
    page = run_cli(*args, "--html", "-").stdout
    ids = set(re.findall(r' id="([^"]+)"', page))
    targets = set(re.findall(r' href="#([^"]*)"', page))
    assert targets <= ids, targets - ids
    if "frames-bad" in args[-1]:
        # every violation of the broken sample links to its message or frame
        listed = re.findall(r"<li><span class=\"badge tone-bad\">violation</span>.*?</li>", page)
        assert len(listed) == 9
        assert all("see it</a>" in item for item in listed)


def test_trace_page_says_what_the_terminal_says(tmp_path: Path) -> None:
    args = ("trace", "--app", str(SAMPLES / "trace_app.py"), "POST", "/login", "--", "GET", "/")
    plain = run_cli(*args)
    page = tmp_path / "trace.html"
    with_html = run_cli(*args[:3], "--html", str(page), *args[3:])
    assert with_html.exit_code == plain.exit_code == 0
    assert with_html.stdout == plain.stdout
    assert with_html.stderr.endswith(f"report: wrote {page}\n")
    text = page.read_text(encoding="utf-8")
    assert _verdict(text) == "no session mistake seen" == plain.stdout.rstrip().splitlines()[-1]
    document = json.loads(run_cli(*args, "--json").stdout)
    assert text.count('<li class="event') == len(document["events"])
    only_page = run_cli(*args[:3], "--html", "-", *args[3:])
    assert only_page.stdout.startswith("<!DOCTYPE html>")
    assert only_page.exit_code == 0


@pytest.mark.usefixtures("sample_apps")
def test_doctor_badge_says_note_below_fail_on_and_problem_at_it() -> None:
    """Findings below --fail-on exit 0: the page says NOTE, not OK; at --fail-on, PROBLEM."""
    app = "doctor_apps:sock(check_origin=True, max_size=None)"
    below = run_cli("doctor", "--app", app, "--html", "-")
    assert below.exit_code == 0
    assert '<p class="verdict tone-warn" id="verdict"><span class="badge tone-warn">note' in (
        below.stdout
    )
    assert "websocket-no-max-message-size" in below.stdout
    at = run_cli("doctor", "--app", app, "--fail-on", "medium", "--html", "-")
    assert at.exit_code == 1
    assert '<span class="badge tone-bad">problem</span>' in at.stdout
    assert _verdict(at.stdout).endswith("1 at or above --fail-on medium")
