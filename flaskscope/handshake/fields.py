"""Header fields as the handshake checklist reads and quotes them (pure).

Shared by the client-side rules (:mod:`flaskscope.handshake.request_rules`) and the server-side
ones (:mod:`flaskscope.handshake.response_rules`): a header that must appear once, comma-separated
token lists (RFC 7230 §7), the subprotocol and extension lists of RFC 6455 §4.1 and §9.1, and
header values quoted short enough that one checklist row stays readable.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from flaskscope.errors import FlaskscopeError
from flaskscope.handshake.accept import Check
from flaskscope.handshake.extensions import Extension, parse_extensions
from flaskscope.handshake.http import HttpRequest, HttpResponse, header_tokens

__all__ = [
    "RFC_4_1",
    "SHOWN_ITEMS",
    "TOKEN",
    "at_least_http11",
    "connection_check",
    "has_token",
    "header_is",
    "listing",
    "one_header",
    "parsed_extensions",
    "quoted",
    "subprotocols",
]

RFC_4_1 = "RFC 6455 §4.1"

TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VERSION = re.compile(r"(\d+)\.(\d+)")

_SHOWN_CHARS = 80
SHOWN_ITEMS = 5
"""A message lists at most this many items (header values, problems) and counts the rest."""


def quoted(value: str) -> str:
    """A header value quoted for a message, cut short so one row stays readable."""
    if len(value) <= _SHOWN_CHARS:
        return repr(value)
    return f"{value[:_SHOWN_CHARS]!r}... ({len(value)} characters)"


def listing(items: Sequence[str], *, quote: bool = True) -> str:
    """The first few items, quoted, and how many more there are."""
    text = ", ".join(quoted(item) if quote else item for item in items[:SHOWN_ITEMS])
    more = len(items) - SHOWN_ITEMS
    return f"{text} and {more} more" if more > 0 else text


def header_is(name: str, value: str | None) -> str:
    """``Name is 'value'``, or which way it is missing: no such header, or an empty one."""
    if value is None:
        return f"no {name} header"
    if not value.strip(" \t"):
        return f"{name} is empty"
    return f"{name} is {quoted(value)}"


def at_least_http11(version: str) -> bool:
    match = _VERSION.fullmatch(version)
    return match is not None and (int(match[1]), int(match[2])) >= (1, 1)


def one_header(message: HttpRequest | HttpResponse, name: str) -> tuple[str | None, str | None]:
    """(the value, None) when ``name`` appears exactly once, else (None, a description)."""
    values = message.get_all(name)
    if not values:
        return None, f"no {name} header"
    if len(values) > 1:
        return None, f"{len(values)} {name} headers ({listing(values)})"
    return values[0], None


def has_token(message: HttpRequest | HttpResponse, name: str, token: str) -> bool:
    return any(item.lower() == token for item in header_tokens(message.get(name)))


@lru_cache(maxsize=8)
def subprotocols(value: str) -> tuple[tuple[str, ...], str | None]:
    """The comma-separated subprotocol tokens (RFC 6455 §4.1 item 10) and a problem, if any."""
    items = [item.strip(" \t") for item in value.split(",")]
    tokens = tuple(item for item in items if item)
    bad = [item for item in tokens if TOKEN.fullmatch(item) is None]
    if not tokens:
        return (), "it lists no subprotocol"
    if bad:
        return tokens, f"{listing(bad)} is not a token"
    duplicates = sorted(item for item, count in Counter(tokens).items() if count > 1)
    if duplicates:
        return tokens, f"{listing(duplicates)} is listed more than once"
    return tokens, None


@lru_cache(maxsize=8)
def parsed_extensions(value: str | None) -> tuple[tuple[Extension, ...], str | None]:
    if value is None:
        return (), None
    try:
        return parse_extensions(value), None
    except FlaskscopeError as error:
        return (), str(error)


def connection_check(check_id: str, message: HttpRequest | HttpResponse) -> Check:
    """``Connection`` contains the token ``Upgrade``: the same rule for both sides (§4.1)."""
    return Check(
        check_id,
        has_token(message, "Connection", "upgrade"),
        RFC_4_1,
        f"{header_is('Connection', message.get('Connection'))}, expected it to contain the token "
        "'Upgrade'",
    )
