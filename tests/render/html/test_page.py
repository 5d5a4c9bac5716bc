"""The page as text: self-contained, CSP hashes that match, autoescaped input, limits said
on the page, hex-dump rows laid out as the terminal's dump. (tests/render/html/test_browser.py
opens the pages in Chromium.)"""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.frames import Frame, Opcode

from flaskscope.frames.capture import (
    iter_events,
    parse_stream,
    settings_from_head,
    split_http_head,
)
from flaskscope.frames.stream import FrameParser
from flaskscope.handshake.response_rules import negotiated_deflate
from flaskscope.render.hexdump import frame_regions, hexdump, hexdump_rows
from flaskscope.render.html import (
    ConversationBuilder,
    Finding,
    FindingsSection,
    Limits,
    Report,
    render_report,
    write_report,
)
from flaskscope.render.html.text import rfc_url, visible
from tests.render.html.captures import HOSTILE, client_capture


class _Page(HTMLParser):
    """Tags, attributes and the text of inline style and script, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline: dict[str, list[str]] = {"style": [], "script": []}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open = tag if tag in self.inline else None

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.inline[self._open].append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def _conversation_report(limits: Limits | None = None, data: bytes | None = None) -> Report:
    """The websockets client's capture (its head skipped, deflate as its server agreed),
    or ``data`` as it is."""
    if data is None:
        capture = client_capture()
        head, chunks = split_http_head(iter([capture.data]))
        settings = settings_from_head(
            head, role="auto", deflate=negotiated_deflate(capture.response), deflate_given=True
        )
        parser = FrameParser(
            role=settings.role, keep=256, deflate=settings.deflate, offset=settings.offset
        )
    else:
        chunks, parser = iter([data]), FrameParser(keep=256)
    builder = ConversationBuilder("c", "conversation", limits=limits)
    for events in iter_events(parser, chunks):  # in the order they happened
        for event in events:
            builder.add(event, direction=parser.role or "unknown")
    return Report(title="t", command="c", verdict="v", tone="ok", sections=(builder.finish(),))


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_csp_allows_exactly_the_inline_style_and_script() -> None:
    text = render_report(_conversation_report())
    page = _parse(text)
    metas = [a for tag, a in page.tags if tag == "meta" and a.get("http-equiv")]
    assert len(metas) == 1
    policy = dict(part.strip().split(" ", 1) for part in (metas[0]["content"] or "").split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["img-src"] == "'none'"
    assert len(page.inline["style"]) == len(page.inline["script"]) == 1
    assert policy["style-src"] == _sha256(page.inline["style"][0])
    assert policy["script-src"] == _sha256(page.inline["script"][0])
    assert "unsafe" not in metas[0]["content"]  # type: ignore[operator]
    # the policy comes before anything it governs
    assert text.index("Content-Security-Policy") < text.index("<style>")


def test_nothing_is_loaded_from_anywhere_and_no_handler_is_inline() -> None:
    page = _parse(render_report(_conversation_report()))
    for tag, attributes in page.tags:
        assert tag not in ("img", "iframe", "link", "object", "embed", "base", "form"), tag
        for name, value in attributes.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name == "src":
                pytest.fail(f"{tag} loads {value}")
            if name == "href" and value and not value.startswith("#"):
                assert value.startswith("https://www.rfc-editor.org/rfc/"), value
    assert sum(tag == "script" for tag, _ in page.tags) == 1


def test_hostile_text_is_text() -> None:
    text = render_report(_conversation_report())
    for hostile in HOSTILE:
        assert hostile not in text
    assert "&lt;img src=x onerror=&#34;window.__pwned=&#39;img&#39;&#34;&gt;" in text
    assert "&lt;/script&gt;&lt;script&gt;" in text
    # in attributes (the marks' labels) the quote cannot end the attribute either
    label = re.search(r'aria-label="(#3 client text message[^"]*)"', text)
    assert label is not None
    assert "&#34; onmouseover=&#34;" in label.group(1)


def test_one_mark_per_message_and_control_frame() -> None:
    capture = client_capture()
    page = _parse(render_report(_conversation_report()))
    marks = [a for tag, a in page.tags if tag == "a" and "mark" in (a.get("class") or "")]
    assert len(marks) == capture.entries
    entries = {a["id"] for tag, a in page.tags if tag == "details"}
    assert {mark["href"].removeprefix("#") for mark in marks} == entries  # type: ignore[union-attr]
    kinds = [re.search(r"op-(\w+)", mark["class"] or "").group(1) for mark in marks]  # type: ignore[union-attr]
    assert kinds == ["text"] * 5 + ["binary", "text", "ping", "close"]


def test_limits_are_said_on_the_page() -> None:
    frame = Frame(Opcode.TEXT, b"hi").serialize(mask=False)
    bad = bytes([0x81 | 0x40, 0x02]) + b"hi"  # RSV1 without deflate: reserved-bits
    data = (frame + bad) * 30
    limits = Limits(marks=20, entries=10, violations=5)
    report = _conversation_report(limits, data)
    section = report.sections[0]
    assert section.timeline is not None  # type: ignore[attr-defined]
    assert len(section.timeline.marks) == 20  # type: ignore[attr-defined]
    assert len(section.entries) == 10  # type: ignore[attr-defined]
    text = render_report(report)
    assert "50 of 60 messages and control frames are counted but not shown in detail" in text
    assert "the timeline draws the first 20 of them; 40 are not drawn" in text
    assert "25 of 30 violations are counted but not listed" in text
    violation_marks = [m for m in section.timeline.marks if m.violation]  # type: ignore[attr-defined]
    assert [m.number for m in violation_marks] == list(range(1, 20, 2))


def test_findings_section_for_doctor() -> None:
    finding = Finding(
        id="cookie-secure-off",
        severity="warning",
        what="SESSION_COOKIE_SECURE is False <b>",
        why="the cookie travels over plain HTTP",
        fix="set SESSION_COOKIE_SECURE = True",
        reference="RFC 6265 §4.1.2.5",
    )
    report = Report(
        title="doctor",
        command="flaskscope doctor",
        verdict="1 warning",
        tone="warn",
        sections=(FindingsSection(anchor="findings", title="Findings", findings=(finding,)),),
    )
    text = render_report(report)
    assert "SESSION_COOKIE_SECURE is False &lt;b&gt;" in text
    assert 'href="https://www.rfc-editor.org/rfc/rfc6265#section-4.1.2.5"' in text
    assert '<span class="badge tone-warn">warning</span>' in text


def test_write_report_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "r.html"
    target.write_text("old")
    write_report(_conversation_report(), target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
    assert target.stat().st_mode & 0o044  # readable by others, as umask allows


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(min_size=0, max_size=40), min_size=1, max_size=4), st.integers(0, 99))
def test_hexdump_rows_lay_out_as_the_terminal_dump(parts: list[bytes], offset: int) -> None:
    regions = [(part, f"r{index}") for index, part in enumerate(parts)]
    rows = hexdump_rows(regions, start_offset=offset)
    terminal = hexdump(regions, start_offset=offset, indent="").plain.split("\n")
    html_lines = [
        f"{row.offset:08x}  "
        + "".join(text for text, _ in row.hex_runs)
        + row.padding
        + " "
        + "".join(text for text, _ in row.ascii_runs)
        for row in rows
    ]
    assert html_lines == (terminal if any(parts) else [])


def test_frame_regions_name_every_header_byte() -> None:
    record = parse_stream(bytes.fromhex("81fe0100") + b"k3y!" + bytes(256), keep=0).frames[0]
    regions = frame_regions(record.header, b"")
    assert [(len(data), name) for data, name in regions] == [
        (1, "flags/opcode byte"),
        (1, "mask bit + length byte"),
        (2, "extended length"),
        (4, "masking key"),
    ]


def test_visible_and_rfc_links() -> None:
    assert visible("a\u202eb\x1b[0m\nc") == "a\\u202eb\\x1b[0m\nc"
    assert rfc_url("RFC 7692 §7.2.2") == "https://www.rfc-editor.org/rfc/rfc7692#section-7.2.2"
    assert rfc_url("RFC 6455") == "https://www.rfc-editor.org/rfc/rfc6455"
    assert rfc_url("Flask docs") == ""
