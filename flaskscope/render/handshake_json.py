"""JSON (and the one plain line) for ``ws-accept`` and ``check-handshake``: no rich, so a
piped run or a ``--json`` run never imports it.

Field names are a public contract (issue 3): add fields, never rename them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flaskscope.handshake.accept import AcceptReport, HandshakeReport

if TYPE_CHECKING:
    from flaskscope.handshake.deflate_negotiation import DeflateParams
    from flaskscope.handshake.extensions import Extension

__all__ = [
    "accept_json",
    "check_json",
    "deflate_json",
    "extension_json",
    "render_accept_plain",
]


def extension_json(extension: Extension) -> dict[str, Any]:
    """An extension as ``{name, params: [[name, value-or-null], ...], header}``."""
    from flaskscope.handshake.extensions import (
        format_extension,  # the checklist has loaded it already
    )

    return {
        "name": extension.name,
        "params": [[name, value] for name, value in extension.params],
        "header": format_extension(extension),
    }


def deflate_json(params: DeflateParams | None) -> dict[str, Any] | None:
    if params is None:
        return None
    return {
        "server_no_context_takeover": params.server_no_context_takeover,
        "client_no_context_takeover": params.client_no_context_takeover,
        "server_max_window_bits": params.server_max_window_bits,
        "client_max_window_bits": params.client_max_window_bits,
    }


def accept_json(report: AcceptReport) -> dict[str, Any]:
    return {
        "key": report.key,
        "key_valid": report.key_valid,
        "key_bytes": report.key_bytes,
        "key_problem": report.key_problem,
        "guid": report.guid,
        "sha1_hex": report.sha1_hex,
        "accept": report.accept,
        "expected": report.expected,
        "verified": report.verified,
        "ok": report.ok,
    }


def render_accept_plain(report: AcceptReport, *, with_key: bool) -> str:
    """The line for a pipe: the accept value alone (``KEY ACCEPT`` for ``--generate``)."""
    return f"{report.key} {report.accept}" if with_key else report.accept


def check_json(report: HandshakeReport) -> dict[str, Any]:
    return {
        "valid": report.valid,
        "checks": [
            {"id": check.id, "ok": check.ok, "rfc": check.rfc, "message": check.message}
            for check in report.checks
        ],
        "notes": [
            {"id": note.id, "rfc": note.rfc, "message": note.message} for note in report.notes
        ],
        "failed": [check.id for check in report.failures()],
        "request": {
            "method": report.method,
            "target": report.target,
            "key": report.key,
            "subprotocols": list(report.offered_subprotocols),
            "extensions": [extension_json(offer) for offer in report.offered_extensions],
        },
        "expected_accept": report.expected_accept,
        "has_response": report.has_response,
        "status_code": report.status_code,
        "accept": report.accept,
        "subprotocol": report.subprotocol,
        "extensions": [extension_json(extension) for extension in report.extensions],
        "deflate": deflate_json(report.deflate),
    }
