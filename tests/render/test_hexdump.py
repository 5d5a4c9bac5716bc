"""The hex dump: layout checked against Python's own hex formatting, styles by region."""

from __future__ import annotations

import os

from flaskscope.frames.capture import parse_stream
from flaskscope.frames.frame import Frame, Opcode
from flaskscope.render.frames import REGION_STYLES, _header_regions
from flaskscope.render.hexdump import hexdump, printable


def _styles_by_byte(text: object) -> list[str]:
    """The style of each hex pair in a one-line dump, in order."""
    from rich.text import Text

    assert isinstance(text, Text)
    plain = text.plain
    styles = []
    for span in text.spans:
        chunk = plain[span.start : span.end]
        if len(chunk) == 2 and all(c in "0123456789abcdef" for c in chunk):
            styles.append(str(span.style))
    return styles


def test_lines_match_bytes_hex() -> None:
    data = os.urandom(40)
    lines = hexdump([(data, "")], indent="").plain.split("\n")
    assert len(lines) == 3
    for number, line in enumerate(lines):
        row = data[number * 16 : number * 16 + 16]
        assert line.startswith(f"{number * 16:08x}  ")
        left, right = row[:8].hex(" "), row[8:].hex(" ")
        assert (left + "  " + right).strip() in line
        assert line.endswith(printable(row))


def test_ascii_column_never_carries_control_characters() -> None:
    data = b"\x1b[31mred\x07\x00\x7f\xc3\xa9"
    assert printable(data) == ".[31mred....."  # then BEL, NUL, DEL and é (2 bytes)
    rendered = hexdump([(data, "")]).plain
    assert "\x1b" not in rendered
    assert "\x07" not in rendered


def test_rfc_masked_frame_regions() -> None:
    """81 | 85 | 37 fa 21 3d | 7f 9f 4d 51 58 (RFC 6455 §5.7), each region in its style."""
    data = bytes.fromhex("818537fa213d7f9f4d5158")
    record = parse_stream(data).frames[0]
    regions = [*_header_regions(record.header), (data[6:], REGION_STYLES["payload (as sent)"])]
    assert b"".join(part for part, _ in regions) == data
    styles = _styles_by_byte(hexdump(regions))
    flags, length, _, key, payload = REGION_STYLES.values()
    assert styles == [flags, length] + [key] * 4 + [payload] * 5


def test_extended_length_region() -> None:
    data = Frame(Opcode.BINARY, bytes(300)).serialize(b"\x01\x02\x03\x04")
    header = parse_stream(data).frames[0].header
    regions = _header_regions(header)
    assert [part for part, _ in regions] == [b"\x82", b"\xfe", b"\x01\x2c", b"\x01\x02\x03\x04"]
    assert regions[2][1] == REGION_STYLES["extended length"]


def test_rendered_frame_in_colour_never_interprets_the_payload() -> None:
    """On a colour terminal the payload is plain text: no markup, escapes shown escaped."""
    import io

    from rich.console import Console

    from flaskscope.render.frames import render_frame

    payload = b"[bold red]markup[/bold red] \x1b[31mred\x1b[0m"
    record = parse_stream(Frame(Opcode.TEXT, payload).serialize(b"\x01\x02\x03\x04")).frames[0]
    output = io.StringIO()
    console = Console(file=output, force_terminal=True, color_system="truecolor", width=120)
    render_frame(console, record, max_bytes=256)
    rendered = output.getvalue()
    assert "[bold red]markup[/bold red]" in rendered
    assert "\\x1b\x1b[0m[31mred" in rendered  # shown as \x1b (highlighted), then the text
    assert "\x1b[31mred" not in rendered  # the payload's own escape never reaches the terminal
    assert "\x1b[" in rendered  # while flaskscope's colours do
