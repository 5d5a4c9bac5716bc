"""The client's side of the opening handshake: the rules of RFC 6455 §4.1 for the request
(pure). Each rule gives one :class:`~flaskscope.handshake.accept.Check` row; none raises.
"""

from __future__ import annotations

import re

from flaskscope.errors import FlaskscopeError
from flaskscope.handshake.accept import Check, inspect_key
from flaskscope.handshake.deflate_negotiation import PERMESSAGE_DEFLATE, deflate_params
from flaskscope.handshake.extensions import format_extension
from flaskscope.handshake.fields import (
    RFC_4_1,
    SHOWN_ITEMS,
    at_least_http11,
    connection_check,
    has_token,
    header_is,
    listing,
    one_header,
    parsed_extensions,
    quoted,
    subprotocols,
)
from flaskscope.handshake.http import HttpRequest

__all__ = ["request_checks"]

_ABSOLUTE_TARGET = re.compile(r"(?i)https?://[^/?#\s]+(?:[/?][^#\s]*)?")


def request_checks(request: HttpRequest, *, expected_origin: str | None = None) -> list[Check]:
    """Every client rule, in the order RFC 6455 §4.1 lists the request's requirements.

    ``expected_origin``: the origin the server serves (``https://example.com``); an Origin
    that is not it fails the ``origin`` rule (RFC 6455 §10.2).
    """
    checks: list[Check] = []

    def add(check_id: str, ok: bool, rfc: str, message: str) -> None:
        checks.append(Check(check_id, ok, rfc, message))

    add(
        "request-method",
        request.method == "GET",
        RFC_4_1,
        f"method is {quoted(request.method)}, expected 'GET'",
    )
    add(
        "request-version",
        at_least_http11(request.http_version),
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
        f"request target is {quoted(target)}, expected a path like '/chat' (or an absolute http(s) "
        "URI) without a fragment",
    )
    host, host_problem = one_header(request, "Host")
    add(
        "host",
        host is not None and host != "",
        f"{RFC_4_1}, RFC 7230 §5.4",
        f"{header_is('Host', host)}, expected exactly one non-empty Host"
        if host_problem is None
        else f"found {host_problem}, expected exactly one Host",
    )
    add(
        "upgrade",
        has_token(request, "Upgrade", "websocket"),
        RFC_4_1,
        f"{header_is('Upgrade', request.get('Upgrade'))}, expected it to contain 'websocket'",
    )
    checks.append(connection_check("connection", request))
    key, key_problem = one_header(request, "Sec-WebSocket-Key")
    add(
        "key-present",
        key is not None,
        f"{RFC_4_1}, §11.3.1",
        f"Sec-WebSocket-Key is {quoted(key)}"
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
            f"Sec-WebSocket-Key {quoted(key)} is base64 of 16 bytes"
            if info.valid
            else f"Sec-WebSocket-Key {quoted(key)} is invalid: {info.problem}; expected base64 of "
            "16 random bytes",
        )
    version, version_problem = one_header(request, "Sec-WebSocket-Version")
    add(
        "version",
        version == "13",
        f"{RFC_4_1}, §4.4",
        f"{header_is('Sec-WebSocket-Version', version)}, expected '13'"
        if version_problem is None
        else f"found {version_problem}, expected exactly one 'Sec-WebSocket-Version: 13'",
    )
    protocol = request.get("Sec-WebSocket-Protocol")
    if protocol is None:
        add("protocol-syntax", True, f"{RFC_4_1}, §11.3.4", "no subprotocol offered (optional)")
    else:
        tokens, problem = subprotocols(protocol)
        add(
            "protocol-syntax",
            problem is None,
            f"{RFC_4_1}, §11.3.4",
            f"offers {listing(tokens)}"
            if problem is None
            else f"Sec-WebSocket-Protocol {quoted(protocol)}: {problem}; expected unique tokens",
        )
    offers, offers_problem = parsed_extensions(request.get("Sec-WebSocket-Extensions"))
    add(
        "extensions-syntax",
        offers_problem is None,
        f"{RFC_4_1}, §9.1",
        offers_problem
        or (
            f"offers {listing([format_extension(offer) for offer in offers], quote=False)}"
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
            offer_problems.append(f"{quoted(format_extension(offer))}: {error}")
    add(
        "deflate-offer",
        not offer_problems,
        "RFC 7692 §7",
        "; ".join(offer_problems[:SHOWN_ITEMS])
        if offer_problems
        else f"{len(deflate_offers)} valid permessage-deflate "
        f"{'offer' if len(deflate_offers) == 1 else 'offers'}"
        if deflate_offers
        else "no permessage-deflate offered",
    )
    checks.append(origin_check(request, expected_origin))
    return checks


RFC_ORIGIN = "RFC 6455 §4.1 item 8, §10.2, RFC 6454 §7"
_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}


def is_browser_request(request: HttpRequest) -> bool:
    """A browser's handshake: a ``Mozilla/`` User-Agent (every browser sends one) or the
    ``Sec-Fetch-*`` / ``Sec-CH-UA`` headers only browsers add (Fetch Metadata, UA hints)."""
    agent = (request.get("User-Agent") or "").strip()
    if agent.startswith("Mozilla/"):
        return True
    return any(name.lower().startswith(("sec-fetch-", "sec-ch-ua")) for name, _ in request.headers)


def serialize_origin(text: str) -> str | None:
    """RFC 6454 §6.1 ASCII serialization of an origin (lower-case scheme and host, default
    port dropped); None for ``null`` or text that is not scheme://host[:port]."""
    match = re.fullmatch(
        r"(?i)([a-z][a-z0-9+.-]*)://([^/?#:@\s]+|\[[0-9a-f:.]+\])(?::(\d+))?/?", text.strip()
    )
    if match is None:
        return None
    scheme, host, port = match.group(1).lower(), match.group(2).lower(), match.group(3)
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{int(port)}"


def origin_check(request: HttpRequest, expected_origin: str | None) -> Check:
    """RFC 6455 §4.1 item 8: browsers MUST send Origin; §10.2: servers should check it."""
    origins = request.get_all("Origin")
    if len(origins) > 1:
        return Check(
            "origin", False, RFC_ORIGIN, f"found {len(origins)} Origin headers, expected one"
        )
    origin = origins[0] if origins else None
    if origin is None:
        if is_browser_request(request):
            return Check(
                "origin",
                False,
                RFC_ORIGIN,
                "a browser handshake (User-Agent/Sec-Fetch headers) without Origin: browsers "
                "must send it, and a server cannot tell a cross-site page from its own",
            )
        return Check("origin", True, RFC_ORIGIN, "no Origin (optional for non-browser clients)")
    if expected_origin is None:
        return Check("origin", True, RFC_ORIGIN, f"Origin is {quoted(origin)}")
    wanted = serialize_origin(expected_origin)
    got = serialize_origin(origin)
    ok = got is not None and got == wanted
    return Check(
        "origin",
        ok,
        RFC_ORIGIN,
        f"Origin {quoted(origin)} is the expected {quoted(wanted or expected_origin)}"
        if ok
        else f"Origin is {quoted(origin)}, expected {quoted(wanted or expected_origin)}: a "
        "cross-site page (cross-site WebSocket hijacking) unless the server refuses it",
    )
