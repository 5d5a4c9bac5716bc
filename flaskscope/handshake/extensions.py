"""``Sec-WebSocket-Extensions`` values: parse and format the header (pure).

The header grammar is RFC 6455 §9.1::

    extension-list  = 1#extension
    extension       = extension-token *( ";" extension-param )
    extension-param = token [ "=" (token | quoted-string) ]

with RFC 7230 §7 list rules (optional whitespace, empty list elements ignored). The scanner
below is deliberately strict where generic header helpers are lenient (werkzeug's
``parse_options_header`` silently drops what it cannot read), because reporting bad syntax
is the point of a checker. What the parameters of permessage-deflate mean is
:mod:`flaskscope.handshake.deflate_negotiation`'s business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flaskscope.errors import InputError

__all__ = [
    "Extension",
    "ExtensionError",
    "brief",
    "format_extension",
    "format_extensions",
    "parse_extensions",
]

# RFC 7230 §3.2.6: token = 1*tchar; quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_QUOTED_STRING = re.compile(
    r'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"'
)
_QUOTED_PAIR = re.compile(r"\\(.)")
_OWS = re.compile(r"[ \t]*")
# The same grammar as whole-element patterns: the fast path for well-formed values. Anything
# they do not match goes through the scanner, which says where and why it is malformed.
_VALUE_PATTERN = rf"(?:{_TOKEN.pattern}|{_QUOTED_STRING.pattern})"
_PARAM = re.compile(
    rf"[ \t]*;[ \t]*(?P<name>{_TOKEN.pattern})(?:[ \t]*=[ \t]*(?P<value>{_VALUE_PATTERN}))?"
)
_ELEMENT = re.compile(
    rf"[ \t,]*?[ \t]*(?P<name>{_TOKEN.pattern})"
    rf"(?P<params>(?:[ \t]*;[ \t]*{_TOKEN.pattern}(?:[ \t]*=[ \t]*{_VALUE_PATTERN})?)*)"
    r"[ \t]*(?P<end>,|\Z)"
)
_EMPTY_REST = re.compile(r"[ \t,]*\Z")

_BRIEF_CHARS = 60


def brief(text: str) -> str:
    """Quote untrusted text for an error message, cut short when it is long."""
    if len(text) <= _BRIEF_CHARS:
        return repr(text)
    return f"{text[:_BRIEF_CHARS]!r}... ({len(text)} characters)"


class ExtensionError(InputError):
    """A ``Sec-WebSocket-Extensions`` value or a permessage-deflate parameter is wrong.

    ``parameter`` names the offending parameter (or is None for a syntax error), ``rfc`` the
    section that the value breaks.
    """

    def __init__(self, reason: str, *, parameter: str | None = None, rfc: str) -> None:
        self.reason = reason
        self.parameter = parameter
        self.rfc = rfc
        super().__init__(f"{reason} ({rfc})")


@dataclass(frozen=True)
class Extension:
    """One offer or selection in ``Sec-WebSocket-Extensions`` (RFC 6455 §9.1)."""

    name: str
    params: tuple[tuple[str, str | None], ...] = ()
    """Parameters in order; the value is None for a bare parameter."""


class _Scanner:
    """A cursor over one header value; every method skips leading optional whitespace."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0

    def skip_ows(self) -> None:
        match = _OWS.match(self.text, self.position)
        if match is not None:
            self.position = match.end()

    def at_end(self) -> bool:
        self.skip_ows()
        return self.position >= len(self.text)

    def peek(self) -> str:
        self.skip_ows()
        return self.text[self.position : self.position + 1]

    def take(self, char: str) -> bool:
        if self.peek() == char:
            self.position += 1
            return True
        return False

    def token(self, what: str) -> str:
        self.skip_ows()
        match = _TOKEN.match(self.text, self.position)
        if match is None:
            raise self.error(f"expected {what} (an RFC 7230 token)")
        self.position = match.end()
        return match.group()

    def value(self, parameter: str) -> str:
        self.skip_ows()
        if self.text.startswith('"', self.position):
            match = _QUOTED_STRING.match(self.text, self.position)
            if match is None:
                raise self.error(f"unterminated or malformed quoted value of {brief(parameter)}")
            self.position = match.end()
            unquoted = _QUOTED_PAIR.sub(r"\1", match.group()[1:-1])
            if _TOKEN.fullmatch(unquoted) is None:
                raise ExtensionError(
                    f"quoted value {brief(unquoted)} of {brief(parameter)} is not a token "
                    "after unescaping",
                    parameter=parameter,
                    rfc="RFC 6455 §9.1",
                )
            return unquoted
        match = _TOKEN.match(self.text, self.position)
        if match is None:
            raise self.error(f"expected a value for {brief(parameter)} after '='")
        self.position = match.end()
        return match.group()

    def error(self, reason: str) -> ExtensionError:
        found = self.text[self.position : self.position + 20]
        where = f"at offset {self.position}, found {found!r}" if found else "at the end"
        return ExtensionError(f"{reason} {where}", rfc="RFC 6455 §9.1")


def parse_extensions(header_value: str) -> tuple[Extension, ...]:
    """Parse a ``Sec-WebSocket-Extensions`` value into its extensions, in order.

    Raises :class:`ExtensionError` (an ``InputError``) on anything RFC 6455 §9.1 does not
    allow. Several header fields are combined by joining their values with ``", "`` first
    (RFC 7230 §3.2.2).
    """
    fast = _parse_well_formed(header_value)
    if fast is not None:
        return fast
    return _parse_with_reasons(header_value)


def _parse_well_formed(header_value: str) -> tuple[Extension, ...] | None:
    """Element-at-a-time parse; None when the value needs the scanner's diagnosis."""
    extensions: list[Extension] = []
    position = 0
    while _EMPTY_REST.match(header_value, position) is None:
        element = _ELEMENT.match(header_value, position)
        if element is None:
            return None
        params: list[tuple[str, str | None]] = []
        for param in _PARAM.finditer(element["params"]):
            value = param["value"]
            if value is not None and value.startswith('"'):
                value = _QUOTED_PAIR.sub(r"\1", value[1:-1])
                if _TOKEN.fullmatch(value) is None:
                    return None
            params.append((param["name"], value))
        extensions.append(Extension(element["name"], tuple(params)))
        position = element.end()
        if not element["end"]:
            break
    return tuple(extensions) if extensions else None


def _parse_with_reasons(header_value: str) -> tuple[Extension, ...]:
    scanner = _Scanner(header_value)
    extensions: list[Extension] = []
    while True:
        while scanner.take(","):
            pass  # RFC 7230 §7: empty list elements are ignored.
        if scanner.at_end():
            break
        name = scanner.token("an extension name")
        params: list[tuple[str, str | None]] = []
        while scanner.take(";"):
            param = scanner.token("a parameter name after ';'")
            value = scanner.value(param) if scanner.take("=") else None
            params.append((param, value))
        extensions.append(Extension(name, tuple(params)))
        if scanner.at_end():
            break
        if not scanner.take(","):
            raise scanner.error("expected ',' or ';'")
    if not extensions:
        raise ExtensionError("no extension in the header value", rfc="RFC 6455 §9.1")
    return tuple(extensions)


def _format_value(value: str) -> str:
    return value if _TOKEN.fullmatch(value) else '"' + re.sub(r'(["\\])', r"\\\1", value) + '"'


def format_extension(extension: Extension) -> str:
    """One extension in header syntax: ``permessage-deflate; server_max_window_bits=10``."""
    parts = [extension.name]
    for name, value in extension.params:
        parts.append(name if value is None else f"{name}={_format_value(value)}")
    return "; ".join(parts)


def format_extensions(extensions: tuple[Extension, ...]) -> str:
    """A whole ``Sec-WebSocket-Extensions`` value."""
    return ", ".join(format_extension(extension) for extension in extensions)
