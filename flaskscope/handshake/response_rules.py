"""The server's side of the opening handshake, as the client verifies it (pure): RFC 6455
§4.2.2 read through the client-side checks of §4.1 ("If the server's response is validated
..."), and the permessage-deflate negotiation of RFC 7692 §7. Rules never raise.
:func:`negotiated_extensions` and :func:`negotiated_deflate` read what a response selected
(``parse-frame --handshake``).
"""

from __future__ import annotations

from collections import Counter

from flaskscope.errors import FlaskscopeError
from flaskscope.handshake.accept import Check
from flaskscope.handshake.deflate_negotiation import (
    PERMESSAGE_DEFLATE,
    DeflateParams,
    deflate_params,
    deflate_response_problem,
    negotiated_deflate_params,
)
from flaskscope.handshake.extensions import Extension, format_extension, parse_extensions
from flaskscope.handshake.fields import (
    RFC_4_1,
    SHOWN_ITEMS,
    TOKEN,
    at_least_http11,
    connection_check,
    header_is,
    listing,
    one_header,
    parsed_extensions,
    quoted,
    subprotocols,
)
from flaskscope.handshake.http import HttpRequest, HttpResponse, header_tokens, parse_response

__all__ = ["negotiated_deflate", "negotiated_extensions", "response_checks"]


def response_checks(
    request: HttpRequest, response: HttpResponse, expected_accept: str | None
) -> tuple[list[Check], str | None, tuple[Extension, ...], DeflateParams | None]:
    """Every server rule, and what the response settled: (checks, subprotocol, selected
    extensions, permessage-deflate parameters in force)."""
    checks: list[Check] = []

    def add(check_id: str, ok: bool, rfc: str, message: str) -> None:
        checks.append(Check(check_id, ok, rfc, message))

    add(
        "response-version",
        at_least_http11(response.http_version),
        "RFC 7230 §6.7",
        f"version is HTTP/{response.http_version}, expected HTTP/1.1 or later",
    )
    add(
        "response-status",
        response.status_code == 101,
        f"{RFC_4_1}, §4.2.2",
        f"status is {response.status_code} {quoted(response.reason)}, expected 101 "
        "Switching Protocols",
    )
    upgrade = header_tokens(response.get("Upgrade"))
    add(
        "response-upgrade",
        [token.lower() for token in upgrade] == ["websocket"],
        RFC_4_1,
        f"{header_is('Upgrade', response.get('Upgrade'))}, expected 'websocket'",
    )
    checks.append(connection_check("response-connection", response))
    accept, accept_problem = one_header(response, "Sec-WebSocket-Accept")
    if expected_accept is None:
        accept_message = "cannot be checked: the request has no single Sec-WebSocket-Key"
    elif accept_problem is not None:
        accept_message = f"found {accept_problem}, expected {quoted(expected_accept)}"
    else:
        accept_message = (
            f"{header_is('Sec-WebSocket-Accept', accept)}, expected {quoted(expected_accept)}"
        )
    add(
        "accept",
        expected_accept is not None and accept == expected_accept,
        f"{RFC_4_1}, §4.2.2",
        accept_message,
    )

    offered_protocols, _ = subprotocols(request.get("Sec-WebSocket-Protocol") or "")
    selected_values = response.get_all("Sec-WebSocket-Protocol")
    subprotocol: str | None = None
    if not selected_values:
        add("subprotocol-offered", True, RFC_4_1, "no subprotocol selected")
    elif len(selected_values) == 1 and TOKEN.fullmatch(selected_values[0]):
        subprotocol = selected_values[0]
        offered = subprotocol in offered_protocols
        add(
            "subprotocol-offered",
            offered,
            RFC_4_1,
            f"selected subprotocol {quoted(subprotocol)}, offered: "
            f"{listing(offered_protocols) or 'none'}",
        )
    else:
        add(
            "subprotocol-offered",
            False,
            f"{RFC_4_1}, §4.2.2",
            f"Sec-WebSocket-Protocol is {listing(selected_values)}, expected a "
            "single subprotocol the client offered",
        )

    offers, _ = parsed_extensions(request.get("Sec-WebSocket-Extensions"))
    selected, selected_problem = parsed_extensions(response.get("Sec-WebSocket-Extensions"))
    add(
        "response-extensions-syntax",
        selected_problem is None,
        f"{RFC_4_1}, §9.1",
        selected_problem
        or (
            f"selects {listing([format_extension(item) for item in selected], quote=False)}"
            if selected
            else "no extension selected"
        ),
    )
    offered_names = {offer.name.lower() for offer in offers}
    names = [extension.name.lower() for extension in selected]
    unoffered = [name for name in names if name not in offered_names]
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if unoffered:
        extensions_message = f"selects {listing(unoffered)}, which the client did not offer"
    elif repeated:
        extensions_message = f"selects {listing(repeated)} more than once"
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
        return None, f"{quoted(format_extension(response))}: {error}"
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
            f"{quoted(format_extension(response))} answers no valid permessage-deflate offer",
        )
    return (
        None,
        f"{quoted(format_extension(response))} answers no offer: "
        + "; ".join(problems[:SHOWN_ITEMS]),
    )


def negotiated_extensions(response_text: str | bytes) -> tuple[Extension, ...]:
    """The extensions a raw HTTP response selects in ``Sec-WebSocket-Extensions`` (§9.1).

    An empty tuple when the response has no such header; InputError when it is not HTTP or
    the header is malformed.
    """
    data = (
        response_text.encode("utf-8", "surrogateescape")
        if isinstance(response_text, str)
        else response_text
    )
    value = parse_response(data).get("Sec-WebSocket-Extensions")
    return () if value is None else parse_extensions(value)


def negotiated_deflate(response_text: str | bytes) -> DeflateParams | None:
    """The permessage-deflate parameters a raw 101 response selected (RFC 7692 §7), or None
    when it selected none; InputError when the response or its parameters are malformed."""
    for extension in negotiated_extensions(response_text):
        if extension.name.lower() == PERMESSAGE_DEFLATE:
            return deflate_params(extension)
    return None
