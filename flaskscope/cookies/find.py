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
"""

from __future__ import annotations

import re

from flaskscope.cookies.errors import CookieInputError, CookieNotFoundError

__all__ = ["DEFAULT_COOKIE_NAME", "find_cookie", "parse_cookie_pairs"]

DEFAULT_COOKIE_NAME = "session"
"""Flask's ``SESSION_COOKIE_NAME`` default."""

_BARE_VALUE = re.compile(r"[A-Za-z0-9_\-.=\s]+")
_HEADER = re.compile(r"(?i)\s*(set-cookie2?|cookie)\s*:\s*(.*)")
_START_LINE = re.compile(r"(?i)\s*([A-Z]+ \S+ HTTP/\d(\.\d)?|HTTP/\d(\.\d)? \d{3}\b.*)\s*")
_NETSCAPE_FIELDS = 7


def _clean(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    return value


def parse_cookie_pairs(text: str) -> list[tuple[str, str]]:
    """``name=value`` pairs of a ``Cookie`` header value, in order (items without ``=`` are
    skipped, like Set-Cookie flags such as ``HttpOnly``)."""
    pairs: list[tuple[str, str]] = []
    for item in text.split(";"):
        name, found, value = item.partition("=")
        if found and name.strip():
            pairs.append((name.strip(), _clean(value)))
    return pairs


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


def _from_lines(lines: list[str], name: str) -> tuple[bool, str | None, list[str]]:
    """Search header or cookie-jar lines. Returns (recognised, value, names seen)."""
    recognised = False
    in_message = False
    from_request: str | None = None
    from_response: str | None = None
    seen: list[str] = []
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
                for cookie_name, cookie_value in parse_cookie_pairs(header.group(2)):
                    seen.append(cookie_name)
                    if cookie_name == name and from_request is None:
                        from_request = cookie_value
            else:
                pair = _set_cookie_pair(header.group(2))
                if pair is not None:
                    seen.append(pair[0])
                    if pair[0] == name:
                        from_response = pair[1]
            continue
        pair = _netscape_pair(line)
        if pair is not None:
            recognised = True
            seen.append(pair[0])
            if pair[0] == name:
                from_response = pair[1]
    value = from_request if from_request is not None else from_response
    return recognised, value, seen


def find_cookie(text: str, name: str = DEFAULT_COOKIE_NAME) -> str:
    """The value of cookie ``name`` in ``text`` (see the module docstring for the forms).

    Raises :class:`CookieNotFoundError` when there is no such cookie, and
    :class:`CookieInputError` for an empty input or an empty (deleted) cookie.
    """
    text = text.lstrip("\ufeff").strip()
    if not text:
        raise CookieInputError("the input is empty; expected a cookie value or headers")

    lines = text.splitlines()
    recognised, value, seen = _from_lines(lines, name)
    if not recognised:
        if _BARE_VALUE.fullmatch(text) and "=" not in text.rstrip("="):
            return _require_value("".join(text.split()), name)
        if len(lines) == 1 or "=" in text:
            seen = []
            joined = " ".join(line.strip() for line in lines)
            for cookie_name, cookie_value in parse_cookie_pairs(joined):
                seen.append(cookie_name)
                if cookie_name == name:
                    return _require_value(cookie_value, name)
            if not seen:
                quoted = _clean(text)
                if quoted != text and _BARE_VALUE.fullmatch(quoted):
                    return _require_value(quoted, name)
                if len(lines) == 1 and not any(c.isspace() or c in ";:" for c in text):
                    # One word with foreign characters: a mangled value. Return it so the
                    # cookie parser can name the exact character and part.
                    return text
                raise CookieInputError(
                    "the input is neither a cookie value, name=value pairs nor HTTP headers"
                )
    if value is None:
        raise CookieNotFoundError(name, list(dict.fromkeys(seen)))
    return _require_value(value, name)


def _require_value(value: str, name: str) -> str:
    if not value:
        raise CookieInputError(
            f"the cookie {name!r} is empty (a server deletes a cookie by setting it empty)"
        )
    return value
