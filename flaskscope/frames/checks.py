"""The per-frame rules of RFC 6455 (§5.1-§5.5, §7.4) and RFC 7692 §6.1, as violations.

Pure functions of one header (or one Close payload) and the little context they need; the
stream parser calls them and keeps the state (role, negotiated extension, Close seen).
"""

from __future__ import annotations

import functools
import struct

from flaskscope.frames.close_codes import close_code_problem
from flaskscope.frames.frame import (
    MAX_64BIT_LENGTH,
    MAX_CONTROL_PAYLOAD,
    FrameHeader,
    Opcode,
    parse_header,
)
from flaskscope.frames.violations import Violation

__all__ = ["close_frame", "header_violations", "maybe_bad", "tallied_violations"]

_U16 = struct.Struct("!H")


def maybe_bad(header: FrameHeader, *, after_close: bool, role: str | None) -> bool:
    """A cheap test that is True whenever :func:`header_violations` could find something.

    Nearly every frame of a real capture is fine; this keeps the full check off its path.
    """
    opcode = header.opcode
    length = header.payload_length
    encoding = header.length_encoding
    return bool(
        (after_close and opcode <= 2)
        or header.raw[0] & 0x70
        or (opcode > 2 and (opcode < 8 or opcode > 10 or length > 125 or not header.fin))
        or header.masked != (role == "client")
        or (encoding != 7 and (header.minimal_encoding != encoding or length > MAX_64BIT_LENGTH))
    )


def header_violations(
    header: FrameHeader, index: int, *, after_close: bool, role: str | None, deflate: bool
) -> list[Violation]:
    """What is wrong with frame ``index`` judged by its header alone."""
    found: list[Violation] = []
    name = header.opcode_name
    if after_close and header.opcode <= 2:
        found.append(
            Violation(
                "data-after-close",
                index,
                f"frame {index} ({name}) comes after a Close frame; no data frame may be "
                "sent after Close",
            )
        )
    _reserved_bits(header, index, deflate, found)
    if name == "reserved":
        found.append(
            Violation(
                "reserved-opcode", index, f"frame {index} uses reserved opcode {header.opcode:#x}"
            )
        )
    elif header.is_control:
        if header.payload_length > MAX_CONTROL_PAYLOAD:
            found.append(
                Violation(
                    "control-too-long",
                    index,
                    f"{name} frame {index} carries {header.payload_length} bytes; control "
                    f"frames carry at most {MAX_CONTROL_PAYLOAD}",
                )
            )
        if not header.fin:
            found.append(
                Violation(
                    "fragmented-control",
                    index,
                    f"{name} frame {index} has FIN clear; control frames must not be fragmented",
                )
            )
    if role == "client" and not header.masked:
        found.append(
            Violation(
                "unmasked-client-frame",
                index,
                f"frame {index} is not masked; a client masks every frame it sends",
            )
        )
    elif role == "server" and header.masked:
        found.append(
            Violation(
                "masked-server-frame",
                index,
                f"frame {index} is masked; a server never masks its frames",
            )
        )
    _length(header, index, found)
    return found


@functools.lru_cache(maxsize=4096)
def tallied_violations(
    key: int, *, after_close: bool, role: str | None, deflate: bool
) -> tuple[str, ...]:
    """The violation codes of a frame the counts-only parser tallied by kind (``key``: its
    first byte | its mask bit << 1, a 7-bit length; see ``flaskscope.frames.skim.tally``):
    such a frame changes no state, and what it breaks depends on nothing else. A
    continuation is tallied only outside a message (§5.4)."""
    masked = key >> 8
    header = parse_header(bytes((key & 0xFF, masked << 7)) + b"\0\0\0\0" * masked)
    assert isinstance(header, FrameHeader)  # two (or six) bytes are a whole header
    codes = [
        violation.code
        for violation in header_violations(
            header, 0, after_close=after_close, role=role, deflate=deflate
        )
    ]
    if header.opcode == Opcode.CONTINUATION:
        codes.append("unexpected-continuation")
    return tuple(codes)


def _reserved_bits(header: FrameHeader, index: int, deflate: bool, found: list[Violation]) -> None:
    """RSV2/RSV3 are never defined; RSV1 means "compressed" only once permessage-deflate was
    negotiated, and then only on the first frame of a data message (RFC 7692 §6.1)."""
    if header.rsv2 or header.rsv3:
        bits = " and ".join(
            name for name, on in (("RSV2", header.rsv2), ("RSV3", header.rsv3)) if on
        )
        found.append(
            Violation("reserved-bits", index, f"frame {index} sets {bits}; no extension defines it")
        )
    if not header.rsv1:
        return
    if not deflate:
        found.append(
            Violation(
                "reserved-bits",
                index,
                f"frame {index} sets RSV1 but no extension was negotiated "
                "(pass --deflate if permessage-deflate was)",
            )
        )
    elif header.is_control:
        found.append(
            Violation(
                "compressed-control",
                index,
                f"frame {index} is a {header.opcode_name} frame with RSV1 set; control frames "
                "are never compressed",
            )
        )
    elif header.opcode == Opcode.CONTINUATION:
        found.append(
            Violation(
                "compressed-continuation",
                index,
                f"frame {index} is a continuation frame with RSV1 set; only the first frame of "
                "a compressed message has it",
            )
        )


def _length(header: FrameHeader, index: int, found: list[Violation]) -> None:
    if header.payload_length > MAX_64BIT_LENGTH:
        found.append(
            Violation(
                "length-msb-set",
                index,
                f"frame {index} has the most significant bit of its 64-bit length set "
                f"({header.payload_length})",
            )
        )
    elif header.length_encoding != header.minimal_encoding:
        found.append(
            Violation(
                "non-minimal-length",
                index,
                f"frame {index} encodes length {header.payload_length} in the "
                f"{header.length_encoding}-bit field; the minimal encoding is "
                f"{header.minimal_encoding}-bit",
            )
        )


def close_frame(
    payload: bytes, index: int, found: list[Violation]
) -> tuple[int | None, str | None]:
    """The status code and reason of a Close payload (§5.5.1), problems added to ``found``."""
    if len(payload) == 1:
        found.append(
            Violation(
                "close-payload-too-short",
                index,
                f"close frame {index} has a 1-byte payload; a close code takes 2",
            )
        )
        return None, None
    if len(payload) < 2:
        return None, None
    (code,) = _U16.unpack_from(payload)
    problem = close_code_problem(code)
    if problem is not None:
        found.append(Violation("invalid-close-code", index, f"close frame {index}: {problem}"))
    raw_reason = payload[2:]
    try:
        reason = raw_reason.decode("utf-8")
    except UnicodeDecodeError as error:
        reason = raw_reason.decode("utf-8", "replace")
        found.append(
            Violation(
                "invalid-close-reason-utf8",
                index,
                f"the reason in close frame {index} is not valid UTF-8 "
                f"({error.reason} at byte {error.start})",
            )
        )
    return code, reason
