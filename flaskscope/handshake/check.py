"""The opening-handshake checklist: one row per RFC 6455 / RFC 7692 rule (pure).

Runs the client's rules on the request (:mod:`flaskscope.handshake.request_rules`, RFC 6455 §4.1)
and, when there is one, the server's rules on the response as the client verifies them
(:mod:`flaskscope.handshake.response_rules`, §4.2.2 and RFC 7692 §7), then gathers what the
report shows. Rules never raise: broken input gives a failed row.
"""

from __future__ import annotations

from dataclasses import replace

from flaskscope.handshake.accept import HandshakeReport, Note, websocket_accept
from flaskscope.handshake.deflate_negotiation import DeflateParams
from flaskscope.handshake.extensions import Extension
from flaskscope.handshake.fields import parsed_extensions, subprotocols
from flaskscope.handshake.http import HttpRequest, HttpResponse, parse_request, parse_response
from flaskscope.handshake.request_rules import request_checks
from flaskscope.handshake.response_rules import response_checks

__all__ = ["check_handshake", "check_messages"]


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


def check_messages(
    request: HttpRequest,
    response: HttpResponse | None = None,
    *,
    expected_origin: str | None = None,
) -> HandshakeReport:
    """Run every rule on parsed messages. Never raises for any parsed input."""
    checks = request_checks(request, expected_origin=expected_origin)
    notes = _head_notes(request, "request")
    keys = request.get_all("Sec-WebSocket-Key")
    key = keys[0] if len(keys) == 1 else None
    expected_accept = None if key is None else websocket_accept(key)
    offered_protocols, _ = subprotocols(request.get("Sec-WebSocket-Protocol") or "")
    offers, _ = parsed_extensions(request.get("Sec-WebSocket-Extensions"))
    subprotocol: str | None = None
    selected: tuple[Extension, ...] = ()
    deflate: DeflateParams | None = None
    if response is not None:
        server_checks, subprotocol, selected, deflate = response_checks(
            request, response, expected_accept
        )
        checks.extend(server_checks)
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


def check_handshake(
    request: bytes, response: bytes | None = None, *, expected_origin: str | None = None
) -> HandshakeReport:
    """Parse a raw request (and response) and check them; InputError when not HTTP at all.

    Without ``response``, a response that follows the request head in the same capture
    (``GET ...`` then ``HTTP/1.1 101 ...``) is found and checked too.
    """
    parsed_request = parse_request(request)
    found_in_request = response is None and parsed_request.body.lstrip().startswith(b"HTTP/")
    if found_in_request:
        response = parsed_request.body.lstrip()
    parsed_response = None if response is None else parse_response(response)
    report = check_messages(parsed_request, parsed_response, expected_origin=expected_origin)
    if found_in_request:
        note = Note(
            "response-after-request",
            "RFC 6455 §4",
            "the response was read from the text that follows the request head",
        )
        report = replace(report, notes=(*report.notes, note))
    return report
