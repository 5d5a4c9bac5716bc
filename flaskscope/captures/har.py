"""HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), as Chrome and Firefox export it:
each entry's request and response (headers, cookie arrays, status) and Chrome's
``_webSocketMessages`` (``type`` send/receive, ``time`` in seconds, ``opcode``, ``data``:
text, or base64 for binary messages). A HAR holds no frame bytes, only messages.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flaskscope.captures.errors import CaptureError

__all__ = ["MAX_HAR_BYTES", "HarEntry", "HarMessage", "parse_har"]

MAX_HAR_BYTES = 128 * 1024 * 1024
"""A HAR is one JSON document, read whole: larger ones are refused."""


@dataclass(frozen=True)
class HarMessage:
    from_client: bool
    timestamp: float
    opcode: int
    payload: bytes
    text: str | None
    problem: str | None = None
    """Why the payload could not be read as the opcode says (binary that is not base64)."""


@dataclass(frozen=True)
class HarEntry:
    index: int
    started: float
    method: str
    url: str
    http_version: str
    request_headers: tuple[tuple[str, str], ...]
    request_cookies: tuple[tuple[str, str], ...]
    status: int
    status_text: str
    response_headers: tuple[tuple[str, str], ...]
    response_cookies: tuple[tuple[str, str], ...]
    server_address: str
    messages: tuple[HarMessage, ...]


def _pairs(items: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(items, list):
        return ()
    return tuple(
        (str(item.get("name", "")), str(item.get("value", "")))
        for item in items
        if isinstance(item, dict)
    )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _time(text: Any) -> float:
    if not isinstance(text, str):
        return 0.0
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (ValueError, OverflowError, OSError):
        return 0.0


def _message(item: Any) -> HarMessage | None:
    if not isinstance(item, dict):
        return None
    kind = item.get("type")
    opcode = item.get("opcode")
    data = item.get("data", "")
    moment = item.get("time", 0.0)
    if kind not in ("send", "receive") or not isinstance(opcode, int) or isinstance(opcode, bool):
        return None
    if not isinstance(data, str):
        data = ""
    timestamp = float(moment) if isinstance(moment, (int, float)) else 0.0
    if opcode == 1:
        return HarMessage(
            kind == "send", timestamp, opcode, data.encode("utf-8", "surrogatepass"), data
        )
    try:
        payload = base64.b64decode(data, validate=True)
        problem = None
    except (binascii.Error, ValueError):
        payload, problem = data.encode("utf-8", "surrogatepass"), "the data is not base64"
    return HarMessage(kind == "send", timestamp, opcode, payload, None, problem)


def parse_har(data: bytes, *, name: str = "the HAR") -> list[HarEntry]:
    if len(data) > MAX_HAR_BYTES:
        raise CaptureError(f"{name} is larger than {MAX_HAR_BYTES // (1024 * 1024)} MiB")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise CaptureError(f"{name} is not a HAR: not JSON ({error})") from error
    log = document.get("log") if isinstance(document, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise CaptureError(f"{name} is not a HAR: no log.entries list")
    found = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        request = _object(entry.get("request"))
        response = _object(entry.get("response"))
        status = response.get("status", 0)
        messages = entry.get("_webSocketMessages")
        found.append(
            HarEntry(
                index=index,
                started=_time(entry.get("startedDateTime")),
                method=str(request.get("method", "")),
                url=str(request.get("url", "")),
                http_version=str(request.get("httpVersion", "")),
                request_headers=_pairs(request.get("headers")),
                request_cookies=_pairs(request.get("cookies")),
                status=status if isinstance(status, int) and not isinstance(status, bool) else 0,
                status_text=str(response.get("statusText", "")),
                response_headers=_pairs(response.get("headers")),
                response_cookies=_pairs(response.get("cookies")),
                server_address=str(entry.get("serverIPAddress", "")),
                messages=tuple(
                    message
                    for message in (
                        _message(item) for item in (messages if isinstance(messages, list) else [])
                    )
                    if message is not None
                ),
            )
        )
    return found
