"""Consoles and safe text shared by every renderer.

Consoles are made per call (never at import) so that ``--color``, ``NO_COLOR``,
``FORCE_COLOR`` and a redirected stdout are seen as they are at the time of the call.
Untrusted text goes through :func:`safe_text`, never through rich markup, so a payload
cannot restyle or rewrite the user's terminal.
"""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TextIO, cast

if TYPE_CHECKING:
    # Imported where used, so that --json output and error lines do not pay for rich.
    from rich.console import Console
    from rich.text import Text

ESCAPED_STYLE = "bold magenta"
"""Style of the visible stand-ins for control characters in untrusted text."""

# Bidirectional overrides and isolates can reorder what the user sees (CVE-2021-42574,
# "Trojan Source"); they are shown escaped like control characters.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


COLOR_MODES = ("auto", "always", "never")
"""``--color`` values: ``auto`` colours a terminal only (``NO_COLOR`` / ``FORCE_COLOR`` decide
before the terminal test), ``always`` also a pipe (``| less -R``), ``never`` nowhere."""

_color_mode: ContextVar[str] = ContextVar("flaskscope_color_mode", default="auto")


def set_color_mode(mode: str) -> Callable[[], None]:
    """Set the ``--color`` of the running command (its option callback does, once per call);
    returns what puts the previous mode back (called when the command's context closes)."""
    if mode not in COLOR_MODES:
        raise ValueError(f"colour mode {mode!r} is not one of {', '.join(COLOR_MODES)}")
    token = _color_mode.set(mode)
    return lambda: _color_mode.reset(token)


def color_mode() -> str:
    """The ``--color`` in force: ``auto``, ``always`` or ``never``."""
    return _color_mode.get()


def wants_color(stream: TextIO, *, no_color: bool = False) -> bool:
    """Whether output on ``stream`` is coloured.

    Precedence: ``--no-color`` / ``--color never|always`` on the command line, then
    ``NO_COLOR`` (https://no-color.org: set and not empty), then ``FORCE_COLOR``
    (https://force-color.org: set and not empty), then whether ``stream`` is a terminal.
    """
    mode = "never" if no_color else color_mode()
    if mode != "auto":
        return mode == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _isatty(stream)


def make_console(*, no_color: bool = False, stderr: bool = False) -> Console:
    """A console on stdout (results) or stderr (errors and progress).

    On a terminal, rich lays the output out at the terminal's width. Anywhere else (a pipe,
    a file) the output is one logical line per line: laid out ``PIPE_WIDTH`` wide (nothing
    real is that long, so nothing wraps; ``COLUMNS`` is ignored) and written through
    :class:`TrimmedLines`, so table cells leave no trailing spaces. Colour follows
    :func:`wants_color`.
    """
    from rich.console import Console

    stream: TextIO = sys.stderr if stderr else sys.stdout
    terminal = _isatty(stream)
    color = wants_color(stream, no_color=no_color)
    width = None if terminal else PIPE_WIDTH
    if terminal and not _columns_given():
        # Unset, or not a positive number (COLUMNS=0 made rich print nothing at all).
        import shutil  # terminals only: shutil (and its bz2/lzma) is not worth it on pipes

        width = shutil.get_terminal_size().columns
    return Console(
        file=stream if terminal else cast(TextIO, TrimmedLines(stream)),
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )


PIPE_WIDTH = 1 << 20
"""Layout width when the output is not a terminal: wider than any line flaskscope writes
(values are cut long before), so a pipe or a file gets no wrapped line."""

_LINE_END = re.compile(r"(?:[ ]|\x1b\[[0-9;]*m)+(?=\n)")
_SGR = re.compile(r"\x1b\[[0-9;]*m")


def _without_spaces(match: re.Match[str]) -> str:
    return "".join(_SGR.findall(match.group()))


class TrimmedLines:
    """A text stream that drops spaces at the end of each line (before any closing colour
    codes), so ``grep``, ``diff`` and ``wc`` see what a person sees."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tail = ""

    def write(self, text: str) -> int:
        text = self._tail + text
        cut = text.rfind("\n") + 1
        self._tail = text[cut:]
        if cut:
            self._stream.write(_LINE_END.sub(_without_spaces, text[:cut]))
        return len(text)

    def flush(self) -> None:
        if self._tail.strip(" "):
            self._stream.write(self._tail)
            self._tail = ""
        self._stream.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def is_screen(console: Console) -> bool:
    """True when ``console`` writes to a terminal a person reads (not a pipe, even with
    ``--color always``)."""
    return console.is_terminal and not isinstance(console.file, TrimmedLines)


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """``1 frame``, ``2 frames``, ``1,024 bytes``: a count with its noun in the right number."""
    word = noun if count == 1 else (plural_form or noun + "s")
    return f"{count:,} {word}"


def print_hanging(console: Console, text: Text, *, indent: int) -> None:
    """``text`` as one logical line: on a terminal wrapped at its width between words, the
    continuation lines indented by ``indent`` cells (a hanging indent under the label); on
    a pipe left whole."""
    if is_screen(console):
        text = hang(text, width=console.width, indent=indent)
    console.print(text, soft_wrap=True)


def hang(text: Text, *, width: int, indent: int) -> Text:
    """``text`` broken between words to ``width`` cells, later lines indented by ``indent``.

    A word longer than a whole line is the only thing cut inside (a key, a base64 value).
    """
    from rich.cells import cell_len
    from rich.text import Text

    indent = min(indent, max(0, width // 2))
    plain = text.plain
    breaks: list[int] = []
    room = width
    used = 0
    for match in _WORD.finditer(plain):
        word, space = match.group(1), match.group(2)
        if word is None:  # spaces before the first word
            used += cell_len(match.group(3))
            continue
        size = cell_len(word)
        start = match.start()
        # To the next line, unless the word is wider than any line and part of it fits
        # here: then it is folded from here.
        full = used and used + size > room
        if full and (size <= width - indent or not _fit(word, room - used)):
            breaks.append(start)
            room, used = width - indent, 0
        while used + size > room:  # a word wider than the line: fold it
            start += max(1, _fit(word, room - used))
            breaks.append(start)
            word = plain[start : match.end(1)]
            size = cell_len(word)
            room, used = width - indent, 0
        used += size + cell_len(space)
    if not breaks:
        return text
    pieces = text.divide(breaks)
    result = Text(style=text.style, end=text.end)
    for position, piece in enumerate(pieces):
        if position:
            result.append("\n" + " " * indent)
        if position < len(pieces) - 1:
            piece.rstrip()
        result.append_text(piece)
    return result


_WORD = re.compile(r"(\S+)(\s*)|(\s+)")


def _fit(word: str, room: int) -> int:
    from rich.cells import cell_len

    """How many characters of ``word`` fit in ``room`` cells (0 when not even one)."""
    fitted = 0
    for index, char in enumerate(word):
        fitted += cell_len(char)
        if fitted > room:
            return index
    return len(word)


def _columns_given() -> bool:
    """``COLUMNS`` holds a usable width (rich takes any digits, ``0`` included, as given)."""
    columns = os.environ.get("COLUMNS", "").strip()
    return columns.isdigit() and int(columns) > 0


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def is_unsafe_char(char: str) -> bool:
    """True for characters that must not reach a terminal as they are."""
    if char in _BIDI_CONTROLS:
        return True
    category = unicodedata.category(char)
    # Cc: C0/C1 controls and DEL (ESC starts terminal sequences); Cf: other format characters;
    # Zl/Zp: line and paragraph separators.
    return category in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn")


def escape_char(char: str) -> str:
    """The printable stand-in for one unsafe character, as Python would write it."""
    code = ord(char)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def safe_text(value: str, style: str = "", *, keep_newlines: bool = False) -> Text:
    """Untrusted text as a rich ``Text``, control characters shown escaped and highlighted."""
    from rich.text import Text

    if value.isprintable():  # no Cc, Cf (bidi controls included), Zl, Zp, Cs, Co, Cn: fast
        return Text(value, style=style)
    text = Text(style=style)
    run: list[str] = []
    for char in value:
        if is_unsafe_char(char) and not (keep_newlines and char == "\n"):
            if run:
                text.append("".join(run))
                run.clear()
            text.append(escape_char(char), style=ESCAPED_STYLE)
        else:
            run.append(char)
    if run:
        text.append("".join(run))
    return text


def safe_str(value: str) -> str:
    """Untrusted text as a plain string with unsafe characters escaped (for plain output)."""
    if value.isprintable():
        return value
    return "".join(escape_char(c) if is_unsafe_char(c) else c for c in value)


def emit_json(document: dict[str, Any]) -> None:
    """Write one JSON object on stdout and nothing else.

    ``ensure_ascii`` keeps every control and bidi character escaped even in JSON mode.
    """
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=True, sort_keys=False))
    sys.stdout.write("\n")
