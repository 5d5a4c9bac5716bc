"""A HAR's entries as connections: each request/response pair, its Flask session cookies,
and for a WebSocket entry (status 101) the handshake and the messages Chrome recorded
(``_webSocketMessages``), checked at the message level: opcode (RFC 6455 §5.2), text as UTF-8
(§8.1), control payload sizes (§5.5), close codes (§7.4). A HAR holds no frame bytes, so
framing, masking and compression cannot be checked.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlsplit

from flaskscope.captures.har import HarEntry, HarMessage
from flaskscope.frames.close_codes import close_code_name
from flaskscope.frames.frame import MAX_CONTROL_PAYLOAD
from flaskscope.frames.violations import VIOLATION_RFC
from flaskscope.scan.cookies import CookieBook, cookie_in_set_cookie, cookies_in_request
from flaskscope.scan.model import (
    ConnectionReport,
    CookieSighting,
    Exchange,
    ScanMessage,
    ScanViolation,
)
from flaskscope.scan.settings import ScanSettings
from flaskscope.scan.subprotocol import ConnectionDecoding, DecodingOutput
from flaskscope.subprotocols.model import DecodedMessage, WireMessage

__all__ = ["HAR_NOTE", "har_reports"]

HAR_NOTE = "a HAR holds messages, not frame bytes: framing, masking and compression are not checked"

_VALID_OPCODES = (0, 1, 2, 8, 9, 10)


def _head(start_line: str, headers: tuple[tuple[str, str], ...]) -> bytes:
    lines = [
        start_line,
        *(f"{name}: {value}" for name, value in headers if not name.startswith(":")),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape")


def _valid_close_code(code: int) -> bool:
    """§7.4.1/§7.4.2: 1000-1003, 1007-1011 (and 1012-1014 registered), 3000-4999."""
    return code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014) or (
        3000 <= code <= 4999
    )


def _message_violations(message: HarMessage, index: int) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    opcode = message.opcode
    if opcode not in _VALID_OPCODES or opcode == 0:
        found.append(("reserved-opcode", f"message {index} has opcode {opcode}"))
        return found
    if message.problem is not None:
        found.append(("invalid-utf8" if opcode == 1 else "reserved-opcode", message.problem))
    if opcode >= 8 and len(message.payload) > MAX_CONTROL_PAYLOAD:
        found.append(
            ("control-too-long", f"control message {index} carries {len(message.payload)} bytes")
        )
    if opcode == 1 and message.text is not None:
        try:
            message.text.encode("utf-8")
        except UnicodeEncodeError:
            found.append(("invalid-utf8", f"text message {index} is not valid UTF-8"))
    if opcode == 8 and message.payload:
        if len(message.payload) == 1:
            found.append(("close-payload-too-short", f"close message {index} has one byte"))
        else:
            (code,) = struct.unpack("!H", message.payload[:2])
            if not _valid_close_code(code):
                name = close_code_name(code)
                found.append(("invalid-close-code", f"close code {code} ({name}) may not be sent"))
    return found


def _take(
    found: DecodingOutput,
    timestamp: float,
    settings: ScanSettings,
    decoded: dict[int, DecodedMessage],
    decoded_counts: dict[str, int],
    counts: dict[str, int],
    violations: list[ScanViolation],
) -> None:
    """Keep the decodings of listed messages; protocol faults join the violations."""
    for each in found.decoded:
        label = each.kind
        decoded_counts[label] = decoded_counts.get(label, 0) + 1
        if each.message < settings.max_frames:
            decoded[each.message] = each
    for direction, violation in found.violations:
        counts[violation.code] = counts.get(violation.code, 0) + 1
        violations.append(
            ScanViolation(
                direction, violation.code, None, violation.message, violation.rfc, timestamp
            )
        )


def har_reports(
    entries: list[HarEntry],
    *,
    first_id: int,
    source: str,
    settings: ScanSettings,
    book: CookieBook,
) -> Iterator[ConnectionReport]:
    """One report per entry, ids from ``first_id``."""
    names = settings.cookies.names
    for entry in entries:
        number = first_id + entry.index
        if settings.connection is not None and settings.connection != number:
            continue
        started = entry.started if entry.started > 0 else settings.now
        cookie_ids: dict[int, None] = {}
        seen: set[tuple[str, str, str]] = set()
        for name, value in entry.request_headers:
            if name.lower() == "cookie":
                for cookie_name, cookie_value in cookies_in_request(value, names):
                    seen.add(("Cookie", cookie_name, cookie_value))
        for cookie_name, cookie_value in entry.request_cookies:
            if cookie_name in names:
                seen.add(("Cookie", cookie_name, cookie_value))
        for name, value in entry.response_headers:
            if name.lower() == "set-cookie":
                for line in value.split("\n"):  # Firefox joins several Set-Cookie with \n
                    pair = cookie_in_set_cookie(line, names)
                    if pair is not None:
                        seen.add(("Set-Cookie", *pair))
        for cookie_name, cookie_value in entry.response_cookies:
            if cookie_name in names:
                seen.add(("Set-Cookie", cookie_name, cookie_value))
        for header, cookie_name, cookie_value in sorted(seen):
            found = book.see(cookie_name, cookie_value, CookieSighting(number, header, started))
            if found is not None:
                cookie_ids[found] = None
        url = urlsplit(entry.url)
        target = (url.path or "/") + (f"?{url.query}" if url.query else "")
        exchange = Exchange(
            entry.method, entry.url, entry.started, entry.status or None, entry.status_text, None
        )
        handshake = None
        kind = "http"
        notes: list[str] = []
        messages: list[ScanMessage] = []
        violations: list[ScanViolation] = []
        counts: dict[str, int] = {}
        decoding: ConnectionDecoding | None = None
        decoded: dict[int, DecodedMessage] = {}
        decoded_counts: dict[str, int] = {}

        if entry.status == 101 or entry.messages:
            kind = "websocket"
            notes.append(HAR_NOTE)
            version = "HTTP/1.1"
            request = _head(f"{entry.method} {target} {version}", entry.request_headers)
            response = _head(
                f"{version} {entry.status} {entry.status_text}", entry.response_headers
            )
            if entry.status == 101 and settings.only != "cookies":
                from flaskscope.handshake.check import check_handshake

                handshake = check_handshake(request, response)
            if settings.subprotocol != "none" and settings.only != "cookies":
                decoding = ConnectionDecoding(
                    settings.subprotocol, request=request, response=response
                )
            indices = {"client": 0, "server": 0}
            for position, message in enumerate(
                entry.messages if settings.only != "cookies" else ()
            ):
                direction = "client" if message.from_client else "server"
                index = indices[direction]
                indices[direction] += 1
                if decoding is not None and message.opcode in (1, 2):
                    wire = WireMessage(
                        position,
                        direction,
                        message.opcode,
                        message.payload,
                        message.timestamp if message.timestamp > 0 else None,
                    )
                    _take(
                        decoding.feed(wire),
                        message.timestamp,
                        settings,
                        decoded,
                        decoded_counts,
                        counts,
                        violations,
                    )
                record = ScanMessage(
                    number,
                    direction,
                    message.timestamp,
                    message.opcode,
                    message.payload[: settings.keep],
                    len(message.payload),
                    message.text,
                    True,
                    False,
                    index,
                    number=None if decoding is None or message.opcode >= 8 else position,
                )
                for hook in settings.on_message:
                    hook(record)
                if len(messages) < settings.max_frames:
                    messages.append(record)
                for code, text in _message_violations(message, index):
                    counts[code] = counts.get(code, 0) + 1
                    violations.append(
                        ScanViolation(
                            direction, code, None, text, VIOLATION_RFC[code], message.timestamp
                        )
                    )
            if decoding is not None:
                end = entry.messages[-1].timestamp if entry.messages else 0.0
                _take(decoding.finish(), end, settings, decoded, decoded_counts, counts, violations)
                messages = [
                    message
                    if message.number not in decoded
                    else replace(message, decoded=decoded[message.number])
                    for message in messages
                ]
        yield ConnectionReport(
            id=number,
            source=source,
            client="(browser)",
            server=url.netloc or entry.server_address or "?",
            start=entry.started,
            end=entry.started,
            kind=kind,
            began_before_capture=False,
            client_bytes=0,
            server_bytes=0,
            exchanges=(exchange,),
            cookies=tuple(cookie_ids),
            handshake=handshake,
            messages=tuple(messages),
            messages_omitted=max(0, len(entry.messages) - len(messages))
            if settings.only != "cookies"
            else 0,
            violations=tuple(violations[: settings.max_violations]),
            violation_counts=counts,
            notes=tuple(notes),
            subprotocol=None if decoding is None else decoding.detection,
            decoded_counts=decoded_counts,
        )
