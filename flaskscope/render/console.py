"""Consoles and safe text shared by every renderer.

Consoles are made per call (never at import) so that ``--no-color``, ``NO_COLOR`` and a
redirected stdout are seen as they are at the time of the call. Untrusted text goes through
:func:`safe_text`, never through rich markup, so a payload cannot restyle or rewrite the
user's terminal.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import unicodedata
from typing import TYPE_CHECKING, Any, TextIO

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


def make_console(*, no_color: bool = False, stderr: bool = False) -> Console:
    """A console on stdout (results) or stderr (errors).

    Colour is off when asked, when ``NO_COLOR`` is set (https://no-color.org) or when the
    stream is not a terminal (rich's own detection, kept as it is). Piped output is laid out
    ``PIPE_WIDTH`` wide (``COLUMNS`` still wins) rather than rich's 80, so that a frame's
    header line or a hex dump row reaches a file or ``less`` unbroken.
    """
    from rich.console import Console

    stream: TextIO = sys.stderr if stderr else sys.stdout
    no_color = no_color or bool(os.environ.get("NO_COLOR"))
    width = None
    if not _columns_given():
        # Unset, or not a positive number (COLUMNS=0 made rich print nothing at all).
        width = shutil.get_terminal_size().columns if _isatty(stream) else PIPE_WIDTH
    return Console(
        file=stream,
        width=width,
        no_color=no_color,
        color_system=None if no_color else "auto",
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )


PIPE_WIDTH = 120
"""Layout width when the output is not a terminal and ``COLUMNS`` is not set."""


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
    return "".join(escape_char(c) if is_unsafe_char(c) else c for c in value)


def emit_json(document: dict[str, Any]) -> None:
    """Write one JSON object on stdout and nothing else.

    ``ensure_ascii`` keeps every control and bidi character escaped even in JSON mode.
    """
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=True, sort_keys=False))
    sys.stdout.write("\n")
