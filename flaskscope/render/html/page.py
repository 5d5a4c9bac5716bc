"""One self-contained HTML file from a :class:`~flaskscope.render.html.model.Report`.

Everything is inline (style, script, SVG): the page makes no network request, so it opens
offline and can be attached to a ticket. Untrusted text reaches the page only through
Jinja2's autoescaping, and a Content-Security-Policy meta tag (``default-src 'none'``, the
page's own style and script allowed by their SHA-256 hashes, computed here) stops anything
that would slip through from running or loading: no inline event handlers, no other script,
no images, fonts, frames or connections (CSP Level 3, "hash-source").
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import cache
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from flaskscope import __version__
from flaskscope.render.hexdump import FRAME_REGIONS, HexRow
from flaskscope.render.html.model import Report
from flaskscope.render.html.text import rfc_links

__all__ = ["content_security_policy", "render_report", "write_report"]

_REGION_CLASSES = dict(
    zip(FRAME_REGIONS, ("r-flags", "r-length", "r-extended", "r-key", "r-payload"), strict=True)
)
_BADGES = {"ok": "ok", "bad": "problem", "warn": "note"}
_SEVERITY_TONES = {
    "error": "bad",
    "critical": "bad",
    "high": "bad",
    "warning": "warn",
    "medium": "warn",
}


def _asset(name: str) -> str:
    return (resources.files(__package__) / "assets" / name).read_text(encoding="utf-8")


def _hash_source(content: str) -> str:
    digest = hashlib.sha256(content.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(style: str, script: str) -> str:
    """Nothing allowed but this style and this script, each by the hash of its text."""
    return "; ".join(
        (
            "default-src 'none'",
            f"style-src {_hash_source(style)}",
            f"script-src {_hash_source(script)}",
            "img-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )


def _tone_badge(tone: str) -> Markup:
    """The tone in words (the page never says ok or bad by colour alone)."""
    word = _BADGES.get(tone)
    if word is None:
        return Markup("")
    return Markup('<span class="badge tone-{0}">{1}</span>').format(tone, word)


def hexdump_markup(rows: tuple[HexRow, ...], label: str) -> Markup:
    """A hex dump as a ``<pre>``, each run of one region in a ``<span>``.

    Made here rather than by a template macro: a 100,000-frame page holds ~70,000 rows and
    the macro took half of the page's time. The ASCII column is escaped with the function
    autoescaping uses (it holds ``<``, ``&`` and quotes when the payload does); offsets and
    hex digits are made of ``0-9a-f`` and the classes come from a fixed table.
    """
    lines = []
    for row in rows:
        hex_part = "".join(
            f'<span class="{_REGION_CLASSES.get(region, "")}">{text}</span>'
            for text, region in row.hex_runs
        )
        ascii_part = "".join(
            f'<span class="{_REGION_CLASSES.get(region, "")}">{escape(text)}</span>'
            for text, region in row.ascii_runs
        )
        lines.append(
            f'<span class="off">{row.offset:08x}</span>  {hex_part}{row.padding} '
            f'<span class="asc">{ascii_part}</span>\n'
        )
    return Markup('<pre class="hex" aria-label="{0}">{1}</pre>').format(
        label, Markup("".join(lines))
    )


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("flaskscope.render.html", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.globals.update(
        hexdump=hexdump_markup,
        rfc_links=rfc_links,
        tone_badge=_tone_badge,
        severity_tone=lambda severity: _SEVERITY_TONES.get(severity, ""),
        version=__version__,
    )
    return environment


def render_report(report: Report) -> str:
    """The page as text."""
    style, script = _asset("report.css"), _asset("report.js")
    template = _environment().get_template("page.html.j2")
    return template.render(
        report=report,
        css=Markup(style),
        js=Markup(script),
        csp=content_security_policy(style, script),
    )


def write_report(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write the page to ``path`` (replaced whole: a reader never sees half a page)."""
    target = Path(path)
    text = render_report(report)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target
