"""``scan``: whole captures analysed in one pass (pure).

Every TCP connection of a pcap/pcapng (read by :mod:`flaskscope.captures`), every entry of a
HAR, every stream of a tshark follow dump, is classified (HTTP, WebSocket, TLS, other) and
analysed: HTTP/1.x request/response pairs and the Flask session cookies in them, decoded once
per distinct value (``cookies``, ``sessions``) and optionally audited for weak keys
(``audit``); WebSocket handshakes checked (``handshake``) and both directions parsed
(``frames``). ``Scanner`` drives it, ``model`` holds what it reports; every WebSocket message
also goes to the ``on_message`` hooks of :class:`ScanSettings` (application protocols).

May import: the standard library, :mod:`flaskscope.errors` and every core package (captures,
cookies, sessions, audit, handshake, frames). Never Click or rich.
"""

from __future__ import annotations

from flaskscope.scan.cookies import CookieSettings
from flaskscope.scan.model import (
    ConnectionReport,
    CookieFinding,
    CookieSighting,
    Exchange,
    ScanFrame,
    ScanGap,
    ScanMessage,
    ScanReport,
    ScanViolation,
)
from flaskscope.scan.scanner import Scanner
from flaskscope.scan.settings import MessageHook, ScanSettings

__all__ = [
    "ConnectionReport",
    "CookieFinding",
    "CookieSettings",
    "CookieSighting",
    "Exchange",
    "MessageHook",
    "ScanFrame",
    "ScanGap",
    "ScanMessage",
    "ScanReport",
    "ScanSettings",
    "ScanViolation",
    "Scanner",
]
