"""HAR 1.2 for the tests: a WebSocket upgrade entry as Chrome exports it, with its
``_webSocketMessages`` (what ``scan`` reads from a browser's export), so each test says only
what differs: the URL, the messages, a cookie or a subprotocol header."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

HANDSHAKE_KEY = "dGhlIHNhbXBsZSBub25jZQ=="
HANDSHAKE_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
"""The key and accept of RFC 6455 §1.3's example handshake."""


def header(name: str, value: str) -> dict[str, str]:
    return {"name": name, "value": value}


def websocket_entry(
    url: str,
    messages: Sequence[dict[str, Any]],
    *,
    request_headers: Sequence[dict[str, str]] = (),
    response_headers: Sequence[dict[str, str]] = (),
    request_cookies: Sequence[dict[str, Any]] = (),
    started: str = "2026-03-02T09:30:00.000Z",
    elapsed: float = 1,
) -> dict[str, Any]:
    """The 101 exchange of ``url`` (``ws://host:port/path``) and its messages; the headers
    given are added after the handshake's own."""
    host = url.split("/")[2]
    return {
        "startedDateTime": started,
        "time": elapsed,
        "_resourceType": "websocket",
        "request": {
            "method": "GET",
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": [
                header("Host", host),
                header("Connection", "Upgrade"),
                header("Upgrade", "websocket"),
                header("Sec-WebSocket-Version", "13"),
                header("Sec-WebSocket-Key", HANDSHAKE_KEY),
                *request_headers,
            ],
            "cookies": list(request_cookies),
            "queryString": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": 101,
            "statusText": "Switching Protocols",
            "httpVersion": "HTTP/1.1",
            "headers": [
                header("Upgrade", "websocket"),
                header("Connection", "Upgrade"),
                header("Sec-WebSocket-Accept", HANDSHAKE_ACCEPT),
                *response_headers,
            ],
            "cookies": [],
            "content": {"size": 0, "mimeType": "x-unknown"},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": 0,
        },
        "cache": {},
        "timings": {},
        "_webSocketMessages": list(messages),
    }
