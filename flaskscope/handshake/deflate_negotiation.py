"""permessage-deflate parameters: validate an offer or a response and work out what both
sides use after the negotiation (RFC 7692 §7) (pure).

The extension header itself is parsed by :mod:`flaskscope.handshake.extensions`; this module gives
the parameters their meaning, with the offer/response pairing rules websockets' client applies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flaskscope.handshake.extensions import Extension, ExtensionError, brief, parse_extensions

__all__ = [
    "CLIENT_MAX_WINDOW_BITS",
    "CLIENT_NO_CONTEXT_TAKEOVER",
    "DEFLATE_PARAMETERS",
    "PERMESSAGE_DEFLATE",
    "SERVER_MAX_WINDOW_BITS",
    "SERVER_NO_CONTEXT_TAKEOVER",
    "DeflateParams",
    "deflate_params",
    "deflate_params_from_header",
    "deflate_response_problem",
    "negotiated_deflate_params",
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

_WINDOW_BITS_VALUE = re.compile(r"[89]|1[0-5]")


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


def _window_bits(parameter: str, value: str | None, *, bare_allowed: bool) -> int | None:
    """A window size 8-15 (§7.1.2), or None for a bare ``client_max_window_bits`` in an offer
    (the client only says it supports the parameter, §7.1.2.2)."""
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
            f"{parameter}={brief(value)} is not a decimal from {MIN_WINDOW_BITS} to "
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
            f"extension {brief(extension.name)} is not {PERMESSAGE_DEFLATE}", rfc="RFC 7692 §7"
        )
    seen: set[str] = set()
    flags = {SERVER_NO_CONTEXT_TAKEOVER: False, CLIENT_NO_CONTEXT_TAKEOVER: False}
    bits = {SERVER_MAX_WINDOW_BITS: MAX_WINDOW_BITS, CLIENT_MAX_WINDOW_BITS: MAX_WINDOW_BITS}
    for name, value in extension.params:
        if name not in DEFLATE_PARAMETERS:
            raise ExtensionError(
                f"unknown permessage-deflate parameter {brief(name)}",
                parameter=name,
                rfc="RFC 7692 §7",
            )
        if name in seen:
            raise ExtensionError(
                f"duplicate permessage-deflate parameter {brief(name)}",
                parameter=name,
                rfc="RFC 7692 §7",
            )
        seen.add(name)
        if name in flags:
            if value is not None:
                raise ExtensionError(
                    f"{name} takes no value, found {name}={brief(value)}",
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
    raise ExtensionError(f"no {PERMESSAGE_DEFLATE} in {brief(header_value)}", rfc="RFC 7692 §7")


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
