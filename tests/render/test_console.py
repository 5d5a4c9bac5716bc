"""The shared console and safe text: what every renderer relies on."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flaskscope.render import console
from flaskscope.render.console import PIPE_WIDTH, emit_json, make_console, safe_str, safe_text


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text", "plain text"),
        ("\x1b[2J\x1b]0;pwned\x07", "\\x1b[2J\\x1b]0;pwned\\x07"),
        ("line\nbreak\r\ttab", "line\\nbreak\\r\\ttab"),
        ("\x7f\x9b31m", "\\x7f\\x9b31m"),  # DEL and the 8-bit CSI
        ("admin\u202e\u2066gnp.exe", "admin\\u202e\\u2066gnp.exe"),  # Trojan Source
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("caf\u00e9 \u2603", "caf\u00e9 \u2603"),  # printable Unicode stays as it is
    ],
)
def test_unsafe_characters_are_shown_escaped(raw: str, shown: str) -> None:
    assert safe_str(raw) == shown
    assert safe_text(raw).plain == shown


def test_escapes_are_highlighted_and_never_markup() -> None:
    text = safe_text("[bold red]x[/]\x1b")
    assert text.plain == "[bold red]x[/]\\x1b"
    assert [span.style for span in text.spans] == [console.ESCAPED_STYLE]


def test_keep_newlines() -> None:
    assert safe_text("a\nb\x1b", keep_newlines=True).plain == "a\nb\\x1b"


def test_piped_console_is_wide_and_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr("sys.stdout", io.StringIO())
    made = make_console()
    assert made.width == PIPE_WIDTH
    assert not made.is_terminal
    assert made.color_system is None


def test_a_pipe_gets_whole_lines_without_trailing_spaces(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.table import Table

    monkeypatch.setenv("COLUMNS", "60")  # a terminal's width says nothing about a pipe
    output = io.StringIO()
    monkeypatch.setattr("sys.stdout", output)
    made = make_console()
    table = Table(box=None)
    table.add_column("a")
    table.add_column("b")
    table.add_row("short", "x")
    table.add_row("a much longer cell", "word " * 40)
    made.print(table)
    made.print("y " * 100)
    lines = output.getvalue().splitlines()
    assert len(lines) == 4
    assert all(line == line.rstrip() for line in lines)
    assert lines[1].split() == ["short", "x"]


def test_trimmed_lines_keeps_colour_codes_after_the_spaces() -> None:
    output = io.StringIO()
    stream = console.TrimmedLines(output)
    stream.write("\x1b[1mword   \x1b[0m\nnext  ")
    stream.write("line  \n")
    stream.flush()
    assert output.getvalue() == "\x1b[1mword\x1b[0m\nnext  line\n"


def test_no_color_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert make_console().no_color


def test_emit_json_is_one_ascii_object(capsys: pytest.CaptureFixture[str]) -> None:
    emit_json({"text": "\x1b[31m\u202e\u00e9"})
    out = capsys.readouterr().out
    assert out.isascii()
    assert json.loads(out) == {"text": "\x1b[31m\u202e\u00e9"}


def test_the_colour_option_lasts_one_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--color always`` in one in-process run does not colour the next console made."""
    from tests.conftest import run_cli

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = run_cli("ws-accept", "dGhlIHNhbXBsZSBub25jZQ==", "--explain", "--color", "always")
    assert "\x1b[" in result.stdout
    assert console.color_mode() == "auto"
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert make_console().color_system is None


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P"]), min_size=1),
        max_size=30,
    ),
    width=st.integers(min_value=4, max_value=120),
    indent=st.integers(min_value=0, max_value=20),
)
def test_hanging_wrap_keeps_every_word_and_the_width(
    words: list[str], width: int, indent: int
) -> None:
    """Every line fits ``width`` cells, continuation lines start with the indent, and the
    words come back in order: only a word wider than a line is ever cut."""
    from rich.cells import cell_len
    from rich.text import Text

    text = " ".join(words)
    lines = console.hang(Text(text), width=width, indent=indent).plain.split("\n")
    shift = min(indent, width // 2)
    assert all(cell_len(line) <= max(width, 2) for line in lines)
    assert all(line.startswith(" " * shift) for line in lines[1:])
    rejoined = [line[shift:] if number else line for number, line in enumerate(lines)]
    if all(cell_len(word) <= width - shift for word in words):
        assert " ".join(rejoined).split() == text.split()
    else:
        assert "".join(rejoined).replace(" ", "") == text.replace(" ", "")
