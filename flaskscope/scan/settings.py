"""What a scan is asked for: cookie settings, what to keep, and the per-message hooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flaskscope.frames.stream import DEFAULT_MAX_MESSAGE_SIZE
from flaskscope.scan.cookies import CookieSettings
from flaskscope.scan.model import ScanMessage

__all__ = ["MessageHook", "ScanSettings"]

MessageHook = Callable[[ScanMessage], None]
"""Called with every WebSocket message as it is found (application protocols, issue 14)."""


@dataclass(frozen=True)
class ScanSettings:
    cookies: CookieSettings = field(default_factory=CookieSettings)
    max_frames: int = 1000
    """Frame and message records kept per connection (all are counted)."""
    keep: int = 4096
    """Payload bytes kept per frame and message."""
    records: bool = True
    """False (``--summary``): counts and violations only, the fast path."""
    max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE
    max_violations: int = 200
    """Violations listed per connection (all are counted)."""
    max_exchanges: int = 1000
    only: str | None = None
    """``cookies`` (no frame parsing) or ``websocket``."""
    connection: int | None = None
    """Analyse only this connection id."""
    on_message: tuple[MessageHook, ...] = ()
    subprotocol: str = "auto"
    """How WebSocket messages are decoded: ``auto`` (from the handshake, else the first
    messages), ``none``, or a protocol name (``SUBPROTOCOL_CHOICES``)."""
    now: float = 0.0
    """The time (unix seconds) cookies are judged at when the input has no timestamps
    (follow dumps, raw streams): the caller passes the clock."""
