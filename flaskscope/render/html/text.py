"""Text helpers for the report: untrusted text made visible, RFC references made links.

Escaping for HTML is the templates' job (autoescaping); this only makes invisible or
reordering characters (controls, bidi overrides: "Trojan Source", CVE-2021-42574) visible, as
the terminal does, so what the page shows is what the bytes say.
"""

from __future__ import annotations

import re

from flaskscope.render.console import escape_char, is_unsafe_char

__all__ = ["rfc_links", "rfc_url", "visible"]

_KEEP = frozenset("\n")
_REFERENCE = re.compile(r"RFC\s*(\d{3,5})(?:\s*§\s*([0-9]+(?:\.[0-9]+)*))?")
_SECTION = re.compile(r"\s*§\s*([0-9]+(?:\.[0-9]+)*)")


def visible(value: str) -> str:
    """``value`` with every unsafe character but newline written as Python would escape it."""
    if value.isprintable():
        return value
    return "".join(
        escape_char(char) if char not in _KEEP and is_unsafe_char(char) else char for char in value
    )


def rfc_url(reference: str) -> str:
    """The rfc-editor.org address of ``RFC 6455 §5.2`` (the section when one is named); ``""``
    when ``reference`` names no RFC."""
    found = _REFERENCE.search(reference)
    if found is None:
        return ""
    number, section = found.groups()
    url = f"https://www.rfc-editor.org/rfc/rfc{number}"
    return f"{url}#section-{section}" if section else url


def rfc_links(reference: str) -> list[tuple[str, str]]:
    """``RFC 6455 §4.1, §11.3.1, RFC 7230 §5.4`` as ``(text, url)`` parts, one per section
    (a bare ``§`` belongs to the RFC named before it); url ``""`` where none applies."""
    parts: list[tuple[str, str]] = []
    number = ""
    for index, part in enumerate(reference.split(",")):
        text = part if index == 0 else "," + part
        found = _REFERENCE.search(part)
        if found is not None:
            number = found.group(1)
            parts.append((text, rfc_url(part)))
            continue
        section = _SECTION.fullmatch(part)
        if section is not None and number:
            url = f"https://www.rfc-editor.org/rfc/rfc{number}#section-{section.group(1)}"
            parts.append((text, url))
        else:
            parts.append((text, ""))
    return parts
