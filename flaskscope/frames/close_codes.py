"""Close status codes (RFC 6455 §7.4): the registry, their names, and which may be sent.

Pure data and two small functions, used by the checks (``invalid-close-code``), the frame
records and the renderers; the Close payload itself is read in :mod:`flaskscope.frames.checks`
and built in :mod:`flaskscope.frames.builder`.
"""

from __future__ import annotations

import enum

__all__ = [
    "CLOSE_CODE_NAMES",
    "NOT_SENT_IN_FRAMES",
    "CloseCode",
    "close_code_name",
    "close_code_problem",
]


class CloseCode(enum.IntEnum):
    """Registered close status codes (RFC 6455 §7.4.1, §11.7; IANA registry)."""

    NORMAL_CLOSURE = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    UNSUPPORTED_DATA = 1003
    RESERVED = 1004
    NO_STATUS_RCVD = 1005
    ABNORMAL_CLOSURE = 1006
    INVALID_DATA = 1007
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    MANDATORY_EXTENSION = 1010
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012
    TRY_AGAIN_LATER = 1013
    BAD_GATEWAY = 1014
    TLS_HANDSHAKE = 1015


CLOSE_CODE_NAMES: dict[int, str] = {
    1000: "Normal Closure",
    1001: "Going Away",
    1002: "Protocol Error",
    1003: "Unsupported Data",
    1004: "Reserved",
    1005: "No Status Rcvd",
    1006: "Abnormal Closure",
    1007: "Invalid Frame Payload Data",
    1008: "Policy Violation",
    1009: "Message Too Big",
    1010: "Mandatory Extension",
    1011: "Internal Error",
    1012: "Service Restart",
    1013: "Try Again Later",
    1014: "Bad Gateway",
    1015: "TLS Handshake",
}

NOT_SENT_IN_FRAMES = frozenset({1004, 1005, 1006, 1015})
"""Codes reserved for local use: an endpoint MUST NOT put them in a Close frame (§7.4.1)."""


def close_code_name(code: int) -> str:
    """The registered name, or what range the code falls into (§7.4.2)."""
    if code in CLOSE_CODE_NAMES:
        return CLOSE_CODE_NAMES[code]
    if 3000 <= code <= 3999:
        return "Registered for libraries and frameworks"
    if 4000 <= code <= 4999:
        return "Private use"
    if 1000 <= code <= 2999:
        return "Reserved for the protocol"
    return "Not a close code"


def close_code_problem(code: int) -> str | None:
    """Why ``code`` must not appear in a Close frame, or None when it may (§7.4)."""
    if code in NOT_SENT_IN_FRAMES:
        return f"{code} ({CLOSE_CODE_NAMES[code]}) must not be sent in a Close frame (§7.4.1)"
    if code in CLOSE_CODE_NAMES or 3000 <= code <= 4999:
        return None
    if code < 1000:
        return f"{code} is below 1000: not used (§7.4.2)"
    if code <= 2999:
        return f"{code} is reserved for future versions of the protocol (§7.4.2)"
    return f"{code} is above 4999: not a valid close code (§7.4.2)"
