"""``Sec-WebSocket-Extensions`` values and permessage-deflate parameters (pure).

The header grammar is RFC 6455 §9.1::

    extension-list  = 1#extension
    extension       = extension-token *( ";" extension-param )
    extension-param = token [ "=" (token | quoted-string) ]

with RFC 7230 §7 list rules (optional whitespace, empty list elements ignored). The scanner
below is deliberately strict where generic header helpers are lenient (werkzeug's
``parse_options_header`` silently drops what it cannot read), because reporting bad syntax
is the point of a checker. permessage-deflate parameters are validated per RFC 7692 §7.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flaskscope.errors import InputError

__all__ = [
    "CLIENT_MAX_WINDOW_BITS",
    "CLIENT_NO_CONTEXT_TAKEOVER",
    "DEFLATE_PARAMETERS",
    "PERMESSAGE_DEFLATE",
    "SERVER_MAX_WINDOW_BITS",
    "SERVER_NO_CONTEXT_TAKEOVER",
    "DeflateParams",
    "Extension",
    "ExtensionError",
    "deflate_params",
    "deflate_params_from_header",
    "deflate_response_problem",
    "format_extension",
    "format_extensions",
    "negotiated_deflate_params",
    "parse_extensions",
]

PERMESSAGE_DEFLATE = "permessage-deflate"
"""The extension name registered by RFC 7692 §7."""

SERVER_NO_CONTEXT_TAKEOVER = "server_no_context_takeover"
CLIENT_NO_CONTEXT_TAKEOVER = "client_no_context_takeover"
SERVER_MAX_WINDOW_BITS = "server_max_window_bits"
CLIENT_MAX_WINDOW_BITS = "client_max_window_bits"
DEFLATE_PARAMETERS = (
    SERVER_NO_CONTEXT_TAKEOVER,
    CLIENT_NO_CONTEXT_TAKEOVER,
    SERVER_MAX_WINDOW_BITS,
    CLIENT_MAX_WINDOW_BITS,
)
"""The only parameters RFC 7692 §7.1 defines; anything else must be declined (§7)."""

MIN_WINDOW_BITS = 8
MAX_WINDOW_BITS = 15
"""RFC 7692 §7.1.2.1: "a decimal integer value without leading zeroes between 8 to 15"."""

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
_WINDOW_BITS_VALUE = re.compile(r"[89]|1[0-5]")


_BRIEF_CHARS = 60


def _brief(text: str) -> str:
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

    def param_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.params)


@dataclass(frozen=True)
class DeflateParams:
    """The permessage-deflate parameters an endpoint agreed to (RFC 7692 §7.1).

    Defaults are what RFC 7692 §7.1 means by the absence of a parameter: context takeover
    allowed and a 32 KiB (2**15) LZ77 window.
    """

    server_no_context_takeover: bool = False
    client_no_context_takeover: bool = False
    server_max_window_bits: int = MAX_WINDOW_BITS
    client_max_window_bits: int = MAX_WINDOW_BITS


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
                raise self.error(f"unterminated or malformed quoted value of {_brief(parameter)}")
            self.position = match.end()
            unquoted = _QUOTED_PAIR.sub(r"\1", match.group()[1:-1])
            if _TOKEN.fullmatch(unquoted) is None:
                raise ExtensionError(
                    f"quoted value {_brief(unquoted)} of {_brief(parameter)} is not a token "
                    "after unescaping",
                    parameter=parameter,
                    rfc="RFC 6455 §9.1",
                )
            return unquoted
        match = _TOKEN.match(self.text, self.position)
        if match is None:
            raise self.error(f"expected a value for {_brief(parameter)} after '='")
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


def _window_bits(parameter: str, value: str | None, *, bare_allowed: bool) -> int | None:
    if value is None:
        if bare_allowed:
            return None
        raise ExtensionError(
            f"{parameter} needs a value from {MIN_WINDOW_BITS} to {MAX_WINDOW_BITS}",
            parameter=parameter,
            rfc="RFC 7692 §7.1.2",
        )
    if _WINDOW_BITS_VALUE.fullmatch(value) is None:
        raise ExtensionError(
            f"{parameter}={_brief(value)} is not a decimal from {MIN_WINDOW_BITS} to "
            f"{MAX_WINDOW_BITS} without leading zeroes",
            parameter=parameter,
            rfc="RFC 7692 §7.1.2",
        )
    return int(value)


def deflate_params(extension: Extension, *, offer: bool = False) -> DeflateParams:
    """Validate a permessage-deflate offer or response and return its parameters.

    By default ``extension`` is a server's response (the negotiated parameters), where
    ``client_max_window_bits`` needs a value (RFC 7692 §7.1.2.2). With ``offer=True`` it is a
    client's offer, where a bare ``client_max_window_bits`` only says that the client
    supports the parameter (15 is returned for it). Unknown and duplicate parameters, values
    on the ``*_no_context_takeover`` flags and window sizes outside 8-15 raise
    :class:`ExtensionError` naming the parameter (RFC 7692 §7: such an offer or response
    must be declined or failed).
    """
    if extension.name.lower() != PERMESSAGE_DEFLATE:
        raise ExtensionError(
            f"extension {_brief(extension.name)} is not {PERMESSAGE_DEFLATE}", rfc="RFC 7692 §7"
        )
    seen: set[str] = set()
    flags = {SERVER_NO_CONTEXT_TAKEOVER: False, CLIENT_NO_CONTEXT_TAKEOVER: False}
    bits = {SERVER_MAX_WINDOW_BITS: MAX_WINDOW_BITS, CLIENT_MAX_WINDOW_BITS: MAX_WINDOW_BITS}
    for name, value in extension.params:
        if name not in DEFLATE_PARAMETERS:
            raise ExtensionError(
                f"unknown permessage-deflate parameter {_brief(name)}",
                parameter=name,
                rfc="RFC 7692 §7",
            )
        if name in seen:
            raise ExtensionError(
                f"duplicate permessage-deflate parameter {_brief(name)}",
                parameter=name,
                rfc="RFC 7692 §7",
            )
        seen.add(name)
        if name in flags:
            if value is not None:
                raise ExtensionError(
                    f"{name} takes no value, found {name}={_brief(value)}",
                    parameter=name,
                    rfc="RFC 7692 §7.1.1",
                )
            flags[name] = True
        else:
            bare_allowed = offer and name == CLIENT_MAX_WINDOW_BITS
            window = _window_bits(name, value, bare_allowed=bare_allowed)
            if window is not None:
                bits[name] = window
    return DeflateParams(
        server_no_context_takeover=flags[SERVER_NO_CONTEXT_TAKEOVER],
        client_no_context_takeover=flags[CLIENT_NO_CONTEXT_TAKEOVER],
        server_max_window_bits=bits[SERVER_MAX_WINDOW_BITS],
        client_max_window_bits=bits[CLIENT_MAX_WINDOW_BITS],
    )


def deflate_params_from_header(header_value: str, *, offer: bool = False) -> DeflateParams:
    """The parameters of the first permessage-deflate in a ``Sec-WebSocket-Extensions`` value."""
    for extension in parse_extensions(header_value):
        if extension.name.lower() == PERMESSAGE_DEFLATE:
            return deflate_params(extension, offer=offer)
    raise ExtensionError(f"no {PERMESSAGE_DEFLATE} in {_brief(header_value)}", rfc="RFC 7692 §7")


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


def deflate_response_problem(offer: Extension, response: Extension) -> str | None:
    """Why a permessage-deflate ``response`` cannot answer ``offer``, or None if it can.

    Both must be valid on their own (see :func:`deflate_params`); the rules are the
    offer/response pairings of RFC 7692 §7.1.1.1, §7.1.2.1 and §7.1.2.2, as websockets'
    client applies them.
    """
    offered = dict(offer.params)
    answered = dict(response.params)
    if SERVER_NO_CONTEXT_TAKEOVER in offered and SERVER_NO_CONTEXT_TAKEOVER not in answered:
        return (
            f"the offer asks for {SERVER_NO_CONTEXT_TAKEOVER} and the response lacks it "
            "(RFC 7692 §7.1.1.1)"
        )
    if SERVER_MAX_WINDOW_BITS in offered:
        limit = offered[SERVER_MAX_WINDOW_BITS]
        if SERVER_MAX_WINDOW_BITS not in answered:
            return (
                f"the offer limits {SERVER_MAX_WINDOW_BITS} to {limit} and the response does "
                "not include it (RFC 7692 §7.1.2.1)"
            )
        if int(answered[SERVER_MAX_WINDOW_BITS] or MAX_WINDOW_BITS) > int(limit or MAX_WINDOW_BITS):
            return (
                f"the response sets {SERVER_MAX_WINDOW_BITS}={answered[SERVER_MAX_WINDOW_BITS]}"
                f", above the offered {limit} (RFC 7692 §7.1.2.1)"
            )
    if CLIENT_MAX_WINDOW_BITS in answered:
        if CLIENT_MAX_WINDOW_BITS not in offered:
            return (
                f"the response sets {CLIENT_MAX_WINDOW_BITS} but the offer did not include it "
                "(RFC 7692 §7.1.2.2)"
            )
        limit = offered[CLIENT_MAX_WINDOW_BITS]
        value = answered[CLIENT_MAX_WINDOW_BITS]
        if limit is not None and int(value or MAX_WINDOW_BITS) > int(limit):
            return (
                f"the response sets {CLIENT_MAX_WINDOW_BITS}={value}, above the offered "
                f"{limit} (RFC 7692 §7.1.2.2)"
            )
    return None


def negotiated_deflate_params(offer: Extension, response: Extension) -> DeflateParams:
    """The parameters both sides use after ``response`` accepted ``offer`` (RFC 7692 §7.1).

    A client that offered ``client_no_context_takeover`` or a ``client_max_window_bits``
    value holds itself to it even when the response leaves it out (§7.1.1.2, §7.1.2.2).
    """
    params = deflate_params(response)
    offered = deflate_params(offer, offer=True)
    client_bits = params.client_max_window_bits
    if dict(response.params).get(CLIENT_MAX_WINDOW_BITS) is None:
        client_bits = offered.client_max_window_bits
    return DeflateParams(
        server_no_context_takeover=params.server_no_context_takeover,
        client_no_context_takeover=(
            params.client_no_context_takeover or offered.client_no_context_takeover
        ),
        server_max_window_bits=params.server_max_window_bits,
        client_max_window_bits=client_bits,
    )
