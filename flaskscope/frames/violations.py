"""Protocol violations found in a frame stream, each with a stable code and its RFC section.

The codes are a public contract (scripts match on them): add new ones, never rename.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["VIOLATION_RFC", "Violation"]

VIOLATION_RFC: dict[str, str] = {
    "reserved-bits": "RFC 6455 §5.2",
    "reserved-opcode": "RFC 6455 §5.2",
    "control-too-long": "RFC 6455 §5.5",
    "fragmented-control": "RFC 6455 §5.5",
    "unmasked-client-frame": "RFC 6455 §5.1",
    "masked-server-frame": "RFC 6455 §5.1",
    "non-minimal-length": "RFC 6455 §5.2",
    "length-msb-set": "RFC 6455 §5.2",
    "unexpected-continuation": "RFC 6455 §5.4",
    "expected-continuation": "RFC 6455 §5.4",
    "invalid-utf8": "RFC 6455 §8.1",
    "invalid-close-code": "RFC 6455 §7.4",
    "close-payload-too-short": "RFC 6455 §5.5.1",
    "invalid-close-reason-utf8": "RFC 6455 §5.5.1",
    "data-after-close": "RFC 6455 §5.5.1",
    "truncated": "RFC 6455 §5.2",
    "incomplete-message": "RFC 6455 §5.4",
    "message-too-big": "RFC 6455 §10.4",
    "compressed-control": "RFC 7692 §6.1",
    "compressed-continuation": "RFC 7692 §6.1",
    "decompression-failed": "RFC 7692 §7.2.2",
    "http-head-in-frames": "RFC 6455 §4",
    "http-after-close": "RFC 6455 §5.5.1",
}
"""Every violation code and the section that it breaks."""


@dataclass(frozen=True)
class Violation:
    """One thing wrong with the stream: ``code`` is stable, ``message`` is for people."""

    code: str
    frame: int | None
    """Index of the frame where it was found (None when no frame can be blamed)."""
    message: str

    @property
    def rfc(self) -> str:
        return VIOLATION_RFC[self.code]

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "frame": self.frame, "rfc": self.rfc, "message": self.message}
