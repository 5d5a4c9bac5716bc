"""Find one cookie's value in whatever the user pasted.

Accepted, in the order they are recognised:

* a raw HTTP request or response, or a list of header lines: ``Cookie:`` headers (the first
  cookie of the name wins, as ``request.cookies.get`` in Werkzeug) and ``Set-Cookie:`` headers
  (the last one wins, as a browser applies them in order);
* a Netscape ``cookies.txt`` jar (``curl -c``), tab-separated, ``#HttpOnly_`` lines included;
* one line ``name=value`` pairs: a ``Cookie`` header value (``a=1; session=...``) or a
  ``Set-Cookie`` value with attributes (``session=...; Path=/; HttpOnly``);
* a bare value (only base64url characters and dots; line breaks from wrapping are joined).

Values are stripped of whitespace and of the double quotes RFC 6265 allows around them.

Finding is one pass over the text that keeps nothing per cookie: lines and pairs are
iterated, not split into lists, the search stops at the first ``Cookie:`` match (it wins
over anything later), and at most :data:`NAMES_KEPT` names are kept for the "not found"
message. A 59 MB header of five million cookies took 1.2 GB and 16 s when split whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from flaskscope.cookies.errors import CookieInputError, CookieNotFoundError

__all__ = ["DEFAULT_COOKIE_NAME", "find_cookie", "parse_cookie_pairs"]

DEFAULT_COOKIE_NAME = "session"
"""Flask's ``SESSION_COOKIE_NAME`` default."""

_BARE_VALUE = re.compile(r"[A-Za-z0-9_\-.=\s]+")
_HEADER = re.compile(r"(?i)\s*(set-cookie2?|cookie)\s*:\s*(.*)")
_START_LINE = re.compile(r"(?i)\s*([A-Z]+ \S+ HTTP/\d(\.\d)?|HTTP/\d(\.\d)? \d{3}\b.*)\s*")
_NETSCAPE_FIELDS = 7
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
"""What ``str.splitlines`` splits on."""
_LINE = re.compile(f"([^{_LINE_BREAKS}]*)(?:\r\n|[{_LINE_BREAKS}]|$)")
_ANY_BREAK = re.compile(f"[{_LINE_BREAKS}]")

NAMES_KEPT = 10
"""Distinct cookie names kept to list in a "no cookie named ..." message."""


def _lines(text: str) -> Iterator[str]:
    """``text.splitlines()`` one line at a time (no list of every line)."""
    position, end = 0, len(text)
    while position < end:
        match = _LINE.match(text, position)
        if match is None:  # pragma: no cover - the pattern matches at every position
            return
        yield match.group(1)
        position = match.end()


class _Names:
    """The first :data:`NAMES_KEPT` distinct cookie names seen, in order."""

    def __init__(self) -> None:
        self.names: dict[str, None] = {}

    def add(self, name: str) -> None:
        if len(self.names) < NAMES_KEPT:
            self.names.setdefault(name)

    def clear(self) -> None:
        self.names.clear()

    def __bool__(self) -> bool:
        return bool(self.names)

    def listed(self) -> list[str]:
        return list(self.names)


def _clean(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    return value


def parse_cookie_pairs(text: str) -> list[tuple[str, str]]:
    """``name=value`` pairs of a ``Cookie`` header value, in order (items without ``=`` are
    skipped, like Set-Cookie flags such as ``HttpOnly``)."""
    return list(iter_cookie_pairs(text))


def iter_cookie_pairs(text: str) -> Iterator[tuple[str, str]]:
    """:func:`parse_cookie_pairs` one pair at a time, so a search can stop at its match.

    The text is split at C speed a block at a time (cut at a ``;``), so no list of every
    item is ever built.
    """
    start, end = 0, len(text)
    while True:
        cut = -1 if end - start <= _PAIR_BLOCK else text.rfind(";", start, start + _PAIR_BLOCK)
        if cut < 0 and end - start > _PAIR_BLOCK:
            cut = text.find(";", start + _PAIR_BLOCK)
        items = text[start:].split(";") if cut < 0 else text[start:cut].split(";")
        for item in items:
            name, found, value = item.partition("=")
            if found and name.strip():
                yield name.strip(), _clean(value)
        if cut < 0:
            return
        start = cut + 1


_PAIR_BLOCK = 1 << 16
"""Characters of a cookie header split into items at once."""


def _first_in_header(text: str, name: str, seen: _Names) -> str | None:
    """The first value of cookie ``name`` in a ``Cookie`` header value, else None (the names
    seen go to ``seen``). A regular expression finds it at C speed; the pairs are walked
    only when it is absent, for the names to list."""
    pattern = _name_pattern(name)
    if pattern is not None:
        match = pattern.search(text)
        if match is not None:
            end = text.find(";", match.end())
            return _clean(text[match.end() : end if end >= 0 else len(text)])
    for cookie_name, cookie_value in iter_cookie_pairs(text):
        seen.add(cookie_name)
        if cookie_name == name:
            return cookie_value
    return None


def _name_pattern(name: str) -> re.Pattern[str] | None:
    """``name=`` at the start of an item (``str.strip``'s whitespace around the name), as
    :func:`iter_cookie_pairs` reads items; None for names it cannot express."""
    if not name or name != name.strip() or "=" in name or ";" in name:
        return None
    return re.compile(rf"(?:^|;)\s*{re.escape(name)}\s*=")


def _set_cookie_pair(text: str) -> tuple[str, str] | None:
    """The cookie of a ``Set-Cookie`` value: its first pair; attributes are not cookies."""
    first = text.split(";", 1)[0]
    name, found, value = first.partition("=")
    if not found or not name.strip():
        return None
    return name.strip(), _clean(value)


def _netscape_pair(line: str) -> tuple[str, str] | None:
    if line.startswith("#HttpOnly_"):
        line = line[len("#HttpOnly_") :]
    elif line.startswith("#"):
        return None
    fields = line.split("\t")
    if len(fields) != _NETSCAPE_FIELDS:
        return None
    return fields[5].strip(), _clean(fields[6])


def _from_lines(lines: Iterator[str], name: str, seen: _Names) -> tuple[bool, str | None]:
    """Search header or cookie-jar lines. Returns (recognised, value); names go to ``seen``."""
    recognised = False
    in_message = False
    from_response: str | None = None
    for line in lines:
        if not line.strip():
            if in_message:
                break  # the blank line that ends an HTTP message's headers: the body follows
            continue
        if _START_LINE.fullmatch(line):
            recognised = in_message = True
            continue
        header = _HEADER.fullmatch(line)
        if header is not None:
            recognised = True
            if header.group(1).lower() == "cookie":
                found = _first_in_header(header.group(2), name, seen)
                if found is not None:
                    return True, found  # the request's first one wins outright
            else:
                pair = _set_cookie_pair(header.group(2))
                if pair is not None:
                    seen.add(pair[0])
                    if pair[0] == name:
                        from_response = pair[1]
            continue
        pair = _netscape_pair(line)
        if pair is not None:
            recognised = True
            seen.add(pair[0])
            if pair[0] == name:
                from_response = pair[1]
    return recognised, from_response


def find_cookie(text: str, name: str = DEFAULT_COOKIE_NAME) -> str:
    """The value of cookie ``name`` in ``text`` (see the module docstring for the forms).

    Raises :class:`CookieNotFoundError` when there is no such cookie, and
    :class:`CookieInputError` for an empty input or an empty (deleted) cookie.
    """
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise CookieInputError("the input is empty; expected a cookie value or headers")

    seen = _Names()
    recognised, value = _from_lines(_lines(text), name, seen)
    if not recognised:
        if _BARE_VALUE.fullmatch(text) and "=" not in text.rstrip("="):
            return _require_value("".join(text.split()), name)
        one_line = _ANY_BREAK.search(text) is None
        if one_line or "=" in text:
            seen.clear()
            joined = text if one_line else " ".join(line.strip() for line in _lines(text))
            for cookie_name, cookie_value in iter_cookie_pairs(joined):
                seen.add(cookie_name)
                if cookie_name == name:
                    return _require_value(cookie_value, name)
            if not seen:
                quoted = _clean(text)
                if quoted != text and _BARE_VALUE.fullmatch(quoted):
                    return _require_value(quoted, name)
                if one_line and not any(c.isspace() or c in ";:" for c in text):
                    # One word with foreign characters: a mangled value. Return it so the
                    # cookie parser can name the exact character and part.
                    return text
                raise CookieInputError(
                    "the input is neither a cookie value, name=value pairs nor HTTP headers"
                )
    if value is None:
        raise CookieNotFoundError(name, seen.listed())
    return _require_value(value, name)


def _require_value(value: str, name: str) -> str:
    if not value:
        raise CookieInputError(
            f"the cookie {name!r} is empty (a server deletes a cookie by setting it empty)"
        )
    return value
