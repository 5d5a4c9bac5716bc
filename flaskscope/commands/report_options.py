"""``--html FILE``: the option every reporting command shares, and writing the page.

The report is written in addition to the usual output (``-``: the page on stdout instead of
it). The command line shown on the page never carries a secret key.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from flaskscope.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Callable

    from flaskscope.render.html.model import Report

__all__ = ["command_line", "html_option", "save_report"]

F = TypeVar("F", bound="Callable[..., Any]")

_SECRET_OPTIONS = ("-k", "--secret-key", "--fallback-key")


def html_option(function: F) -> F:
    """``--html FILE``: also write a self-contained HTML report."""
    return click.option(
        "--html",
        "html",
        metavar="FILE",
        default=None,
        help="Also write a self-contained HTML report to FILE (one page, no network "
        "requests; '-' writes the page to stdout instead of the usual output).",
    )(function)


def command_line() -> str:
    """The command as typed, with secret keys replaced by ``***`` (for the page's header)."""
    context = click.get_current_context()
    name = Path(sys.argv[0]).name if sys.argv else ""
    if name not in ("flaskscope", "flask", "__main__.py"):
        return f"flaskscope {context.info_name}"
    words = ["flaskscope" if name == "__main__.py" else name]
    hide_next = False
    for word in sys.argv[1:]:
        if hide_next:
            words.append("***")
            hide_next = False
        elif word in _SECRET_OPTIONS:
            words.append(word)
            hide_next = True
        elif word.startswith(tuple(f"{option}=" for option in _SECRET_OPTIONS[1:])):
            words.append(word.partition("=")[0] + "=***")
        elif word.startswith("-k") and len(word) > 2:
            words.append("-k***")
        else:
            words.append(word)
    return shlex.join(words)


def save_report(report: Report, path: str) -> None:
    """Write the page (``-``: to stdout); a file that cannot be written is an input error."""
    from flaskscope.render.html.page import render_report, write_report

    if path == "-":
        sys.stdout.write(render_report(report))
        return
    try:
        write_report(report, path)
    except OSError as error:
        raise InputError(f"--html {path}: cannot write the report: {error.strerror}") from error
    click.echo(f"report: wrote {path}", err=True)
