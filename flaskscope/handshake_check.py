"""The opening-handshake checklist: one row per RFC 6455 / RFC 7692 rule (pure).

Each rule is a small function returning a :class:`Check` with a stable ``id``; the rules are
the client's obligations of RFC 6455 §4.1, the server's of §4.2.2 as the client verifies
them (§4.1, "If the server's response is validated ..."), and the permessage-deflate
negotiation of RFC 7692 §7. Rules never raise: broken input gives a failed row.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from flaskscope.errors import FlaskscopeError
from flaskscope.extensions import (
    PERMESSAGE_DEFLATE,
    DeflateParams,
    Extension,
    deflate_params,
    deflate_response_problem,
    format_extension,
    negotiated_deflate_params,
    parse_extensions,
)
from flaskscope.handshake import Check, HandshakeReport, Note, inspect_key, websocket_accept
from flaskscope.http import HttpRequest, HttpResponse, header_tokens, parse_request, parse_response

__all__ = ["check_handshake", "check_messages"]

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VERSION = re.compile(r"(\d+)\.(\d+)")
_ABSOLUTE_TARGET = re.compile(r"(?i)https?://[^/?#\s]+(?:[/?][^#\s]*)?")


_SHOWN_CHARS = 80
_SHOWN_ITEMS = 5


def _quote(value: str) -> str:
    """A header value quoted for a message, cut short so one row stays readable."""
    if len(value) <= _SHOWN_CHARS:
        return repr(value)
    return f"{value[:_SHOWN_CHARS]!r}... ({len(value)} characters)"


def _listing(items: Sequence[str], *, quote: bool = True) -> str:
    """The first few items, quoted, and how many more there are."""
    shown = ", ".join(_quote(item) if quote else item for item in items[:_SHOWN_ITEMS])
    more = len(items) - _SHOWN_ITEMS
    return f"{shown} and {more} more" if more > 0 else shown


def _shown(value: str | None) -> str:
    return "nothing" if value is None else _quote(value)


def _at_least_http11(version: str) -> bool:
    match = _VERSION.fullmatch(version)
    return match is not None and (int(match[1]), int(match[2])) >= (1, 1)


def _one(message: HttpRequest | HttpResponse, name: str) -> tuple[str | None, str | None]:
    """(the value, None) when ``name`` appears exactly once, else (None, a description)."""
    values = message.get_all(name)
    if not values:
        return None, f"no {name} header"
    if len(values) > 1:
        return None, f"{len(values)} {name} headers ({_listing(values)})"
    return values[0], None


def _has_token(message: HttpRequest | HttpResponse, name: str, token: str) -> bool:
    return any(item.lower() == token for item in header_tokens(message.get(name)))


@lru_cache(maxsize=8)
def _subprotocols(value: str) -> tuple[tuple[str, ...], str | None]:
    """The comma-separated subprotocol tokens (RFC 6455 §4.1 item 10) and a problem, if any."""
    items = [item.strip(" \t") for item in value.split(",")]
    tokens = tuple(item for item in items if item)
    bad = [item for item in tokens if _TOKEN.fullmatch(item) is None]
    if not tokens:
        return (), "it lists no subprotocol"
    if bad:
        return tokens, f"{_listing(bad)} is not a token"
    duplicates = sorted(item for item, count in Counter(tokens).items() if count > 1)
    if duplicates:
        return tokens, f"{_listing(duplicates)} is listed more than once"
    return tokens, None


@lru_cache(maxsize=8)
def _extensions(value: str | None) -> tuple[tuple[Extension, ...], str | None]:
    if value is None:
        return (), None
    try:
        return parse_extensions(value), None
    except FlaskscopeError as error:
        return (), str(error)


RFC_4_1 = "RFC 6455 §4.1"
RFC_4_2_2 = "RFC 6455 §4.2.2"


def _request_checks(request: HttpRequest) -> list[Check]:
    checks: list[Check] = []

    def add(check_id: str, ok: bool, rfc: str, message: str) -> None:
        checks.append(Check(check_id, ok, rfc, message))

    add(
        "request-method",
        request.method == "GET",
        RFC_4_1,
        f"method is {_quote(request.method)}, expected 'GET'",
    )
    add(
        "request-version",
        _at_least_http11(request.http_version),
        RFC_4_1,
        f"version is HTTP/{request.http_version}, expected HTTP/1.1 or later",
    )
    target = request.target
    target_ok = (target.startswith("/") and "#" not in target) or bool(
        _ABSOLUTE_TARGET.fullmatch(target)
    )
    add(
        "request-target",
        target_ok,
        "RFC 6455 §3, §4.1",
        f"request target is {_quote(target)}, expected a path like '/chat' (or an absolute http(s) "
        "URI) without a fragment",
    )
    host, host_problem = _one(request, "Host")
    add(
        "host",
        host is not None and host != "",
        f"{RFC_4_1}, RFC 7230 §5.4",
        f"Host is {_shown(host)}, expected exactly one non-empty Host"
        if host_problem is None
        else f"found {host_problem}, expected exactly one Host",
    )
    add(
        "upgrade",
        _has_token(request, "Upgrade", "websocket"),
        RFC_4_1,
        f"Upgrade is {_shown(request.get('Upgrade'))}, expected it to contain 'websocket'",
    )
    add(
        "connection",
        _has_token(request, "Connection", "upgrade"),
        RFC_4_1,
        f"Connection is {_shown(request.get('Connection'))}, expected it to contain the token "
        "'Upgrade'",
    )
    key, key_problem = _one(request, "Sec-WebSocket-Key")
    add(
        "key-present",
        key is not None,
        f"{RFC_4_1}, §11.3.1",
        f"Sec-WebSocket-Key is {_quote(key)}"
        if key is not None
        else f"found {key_problem}, expected exactly one Sec-WebSocket-Key",
    )
    if key is None:
        add("key-valid", False, RFC_4_1, "no single Sec-WebSocket-Key to check")
    else:
        info = inspect_key(key)
        add(
            "key-valid",
            info.valid,
            RFC_4_1,
            f"Sec-WebSocket-Key {_quote(key)} is base64 of 16 bytes"
            if info.valid
            else f"Sec-WebSocket-Key {_quote(key)} is invalid: {info.problem}; expected base64 of "
            "16 random bytes",
        )
    version, version_problem = _one(request, "Sec-WebSocket-Version")
    add(
        "version",
        version == "13",
        f"{RFC_4_1}, §4.4",
        f"Sec-WebSocket-Version is {_shown(version)}, expected '13'"
        if version_problem is None
        else f"found {version_problem}, expected exactly one 'Sec-WebSocket-Version: 13'",
    )
    protocol = request.get("Sec-WebSocket-Protocol")
    if protocol is None:
        add("protocol-syntax", True, f"{RFC_4_1}, §11.3.4", "no subprotocol offered (optional)")
    else:
        tokens, problem = _subprotocols(protocol)
        add(
            "protocol-syntax",
            problem is None,
            f"{RFC_4_1}, §11.3.4",
            f"offers {_listing(tokens)}"
            if problem is None
            else f"Sec-WebSocket-Protocol {_quote(protocol)}: {problem}; expected unique tokens",
        )
    offers, offers_problem = _extensions(request.get("Sec-WebSocket-Extensions"))
    add(
        "extensions-syntax",
        offers_problem is None,
        f"{RFC_4_1}, §9.1",
        offers_problem
        or (
            f"offers {_listing([format_extension(offer) for offer in offers], quote=False)}"
            if offers
            else "no extension offered (optional)"
        ),
    )
    deflate_offers = [offer for offer in offers if offer.name.lower() == PERMESSAGE_DEFLATE]
    offer_problems = []
    for offer in deflate_offers:
        try:
            deflate_params(offer, offer=True)
        except FlaskscopeError as error:
            offer_problems.append(f"{_quote(format_extension(offer))}: {error}")
    add(
        "deflate-offer",
        not offer_problems,
        "RFC 7692 §7",
        "; ".join(offer_problems[:_SHOWN_ITEMS])
        if offer_problems
        else f"{len(deflate_offers)} valid permessage-deflate offer(s)"
        if deflate_offers
        else "no permessage-deflate offered",
    )
    return checks


def _response_checks(
    request: HttpRequest, response: HttpResponse, expected_accept: str | None
) -> tuple[list[Check], str | None, tuple[Extension, ...], DeflateParams | None]:
    checks: list[Check] = []

    def add(check_id: str, ok: bool, rfc: str, message: str) -> None:
        checks.append(Check(check_id, ok, rfc, message))

    add(
        "response-version",
        _at_least_http11(response.http_version),
        "RFC 7230 §6.7",
        f"version is HTTP/{response.http_version}, expected HTTP/1.1 or later",
    )
    add(
        "response-status",
        response.status_code == 101,
        f"{RFC_4_1}, §4.2.2",
        f"status is {response.status_code} {_quote(response.reason)}, expected 101 "
        "Switching Protocols",
    )
    upgrade = header_tokens(response.get("Upgrade"))
    add(
        "response-upgrade",
        [token.lower() for token in upgrade] == ["websocket"],
        RFC_4_1,
        f"Upgrade is {_shown(response.get('Upgrade'))}, expected 'websocket'",
    )
    add(
        "response-connection",
        _has_token(response, "Connection", "upgrade"),
        RFC_4_1,
        f"Connection is {_shown(response.get('Connection'))}, expected it to contain the token "
        "'Upgrade'",
    )
    accept, accept_problem = _one(response, "Sec-WebSocket-Accept")
    if expected_accept is None:
        accept_message = "cannot be checked: the request has no single Sec-WebSocket-Key"
    elif accept_problem is not None:
        accept_message = f"found {accept_problem}, expected {_quote(expected_accept)}"
    else:
        accept_message = (
            f"Sec-WebSocket-Accept is {_shown(accept)}, expected {_quote(expected_accept)}"
        )
    add(
        "accept",
        expected_accept is not None and accept == expected_accept,
        f"{RFC_4_1}, §4.2.2",
        accept_message,
    )

    offered_protocols, _ = _subprotocols(request.get("Sec-WebSocket-Protocol") or "")
    selected_values = response.get_all("Sec-WebSocket-Protocol")
    subprotocol: str | None = None
    if not selected_values:
        add("subprotocol-offered", True, RFC_4_1, "no subprotocol selected")
    elif len(selected_values) == 1 and _TOKEN.fullmatch(selected_values[0]):
        subprotocol = selected_values[0]
        offered = subprotocol in offered_protocols
        add(
            "subprotocol-offered",
            offered,
            RFC_4_1,
            f"selected subprotocol {_quote(subprotocol)}, offered: "
            f"{_listing(offered_protocols) or 'none'}",
        )
    else:
        add(
            "subprotocol-offered",
            False,
            f"{RFC_4_1}, §4.2.2",
            f"Sec-WebSocket-Protocol is {_listing(selected_values)}, expected a "
            "single subprotocol the client offered",
        )

    offers, _ = _extensions(request.get("Sec-WebSocket-Extensions"))
    selected, selected_problem = _extensions(response.get("Sec-WebSocket-Extensions"))
    add(
        "response-extensions-syntax",
        selected_problem is None,
        f"{RFC_4_1}, §9.1",
        selected_problem
        or (
            f"selects {_listing([format_extension(item) for item in selected], quote=False)}"
            if selected
            else "no extension selected"
        ),
    )
    offered_names = {offer.name.lower() for offer in offers}
    names = [extension.name.lower() for extension in selected]
    unoffered = [name for name in names if name not in offered_names]
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if unoffered:
        extensions_message = f"selects {_listing(unoffered)}, which the client did not offer"
    elif repeated:
        extensions_message = f"selects {_listing(repeated)} more than once"
    else:
        extensions_message = (
            "every selected extension was offered" if selected else "no extension selected"
        )
    add(
        "extensions-offered",
        not unoffered and not repeated,
        f"{RFC_4_1}, §9.1, RFC 7692 §7",
        extensions_message,
    )

    deflate, deflate_message = _deflate_negotiation(offers, selected)
    add(
        "deflate-params",
        deflate_message is None,
        "RFC 7692 §7",
        deflate_message
        or (
            "permessage-deflate not negotiated"
            if deflate is None
            else "permessage-deflate parameters are valid and answer an offer"
        ),
    )
    return checks, subprotocol, selected, deflate


def _deflate_negotiation(
    offers: tuple[Extension, ...], selected: tuple[Extension, ...]
) -> tuple[DeflateParams | None, str | None]:
    """(parameters in force, problem) for the response's permessage-deflate, if any."""
    responses = [item for item in selected if item.name.lower() == PERMESSAGE_DEFLATE]
    if not responses:
        return None, None
    response = responses[0]
    try:
        deflate_params(response)
    except FlaskscopeError as error:
        return None, f"{_quote(format_extension(response))}: {error}"
    problems: list[str] = []
    for offer in offers:
        if offer.name.lower() != PERMESSAGE_DEFLATE:
            continue
        try:
            deflate_params(offer, offer=True)
        except FlaskscopeError:
            continue  # an invalid offer cannot be accepted; deflate-offer reports it
        problem = deflate_response_problem(offer, response)
        if problem is None:
            return negotiated_deflate_params(offer, response), None
        problems.append(problem)
    if not problems:
        return (
            None,
            f"{_quote(format_extension(response))} answers no valid permessage-deflate offer",
        )
    return (
        None,
        f"{_quote(format_extension(response))} answers no offer: "
        + "; ".join(problems[:_SHOWN_ITEMS]),
    )


def _head_notes(message: HttpRequest | HttpResponse, what: str) -> list[Note]:
    notes = []
    if message.line_endings != "CRLF":
        kind = "bare LF" if message.line_endings == "LF" else "a mix of CRLF and bare LF"
        notes.append(
            Note(
                f"{what}-line-endings",
                "RFC 7230 §3.5",
                f"the {what} head uses {kind} line endings; HTTP requires CRLF (tolerated "
                "here as many parsers do)",
            )
        )
    if not message.terminated:
        notes.append(
            Note(
                f"{what}-head-end",
                "RFC 7230 §3",
                f"the {what} ends before the empty line that closes its head (read as if "
                "it were there)",
            )
        )
    return notes


def check_messages(request: HttpRequest, response: HttpResponse | None = None) -> HandshakeReport:
    """Run every rule on parsed messages. Never raises for any parsed input."""
    checks = _request_checks(request)
    notes = _head_notes(request, "request")
    keys = request.get_all("Sec-WebSocket-Key")
    key = keys[0] if len(keys) == 1 else None
    expected_accept = None if key is None else websocket_accept(key)
    offered_protocols, _ = _subprotocols(request.get("Sec-WebSocket-Protocol") or "")
    offers, _ = _extensions(request.get("Sec-WebSocket-Extensions"))
    subprotocol: str | None = None
    selected: tuple[Extension, ...] = ()
    deflate: DeflateParams | None = None
    if response is not None:
        response_checks, subprotocol, selected, deflate = _response_checks(
            request, response, expected_accept
        )
        checks.extend(response_checks)
        notes.extend(_head_notes(response, "response"))
    accepts = () if response is None else response.get_all("Sec-WebSocket-Accept")
    return HandshakeReport(
        checks=tuple(checks),
        notes=tuple(notes),
        method=request.method,
        target=request.target,
        key=key,
        expected_accept=expected_accept,
        offered_subprotocols=offered_protocols,
        offered_extensions=offers,
        has_response=response is not None,
        status_code=None if response is None else response.status_code,
        accept=accepts[0] if len(accepts) == 1 else None,
        subprotocol=subprotocol,
        extensions=selected,
        deflate=deflate,
    )


def check_handshake(request: bytes, response: bytes | None = None) -> HandshakeReport:
    """Parse a raw request (and response) and check them; InputError when not HTTP at all.

    Without ``response``, a response that follows the request head in the same capture
    (``GET ...`` then ``HTTP/1.1 101 ...``) is found and checked too.
    """
    parsed_request = parse_request(request)
    found_in_request = response is None and parsed_request.body.lstrip().startswith(b"HTTP/")
    if found_in_request:
        response = parsed_request.body.lstrip()
    parsed_response = None if response is None else parse_response(response)
    report = check_messages(parsed_request, parsed_response)
    if found_in_request:
        note = Note(
            "response-after-request",
            "RFC 6455 §4",
            "the response was read from the text that follows the request head",
        )
        report = replace(report, notes=(*report.notes, note))
    return report
