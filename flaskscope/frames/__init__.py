"""WebSocket frames (RFC 6455 §5, RFC 7692): parse, check, reassemble, inflate, build.

The frame codec (``frame``: ``Opcode``, ``Frame``, ``apply_mask``, ``parse_header``), close
codes (``close_codes``), violation codes with their RFC sections (``violations``), per-frame
checks (``checks``), the sans-I/O streaming parser (``stream``, ``partial``, ``reassembly``,
``records``, ``skim``, its counts-only fast loop, and ``http_probe``, which tells HTTP among the
frames), permessage-deflate (``deflate``), whole one-direction captures that may start with the
HTTP upgrade head (``capture``), and the frame builder (``builder``).

May import: the standard library, :mod:`flaskscope.errors`, :mod:`flaskscope.handshake` (a
capture's upgrade head says what permessage-deflate negotiated), :mod:`flaskscope._speedups`
(unmasking and the skim in C), and numpy when installed (only for unmasking large payloads
on the pure-Python engine). Never Click, rich, or the cookie packages; the handshake package
never imports frames.

The codec's names are re-exported here: ``from flaskscope.frames import Opcode, apply_mask``
worked when the codec was the module ``flaskscope.frames``.
"""

from __future__ import annotations

from flaskscope.frames.frame import (
    MAX_CONTROL_PAYLOAD,
    Frame,
    FrameBuildError,
    FrameHeader,
    Opcode,
    apply_mask,
    opcode_name,
    parse_header,
)

__all__ = [
    "MAX_CONTROL_PAYLOAD",
    "Frame",
    "FrameBuildError",
    "FrameHeader",
    "Opcode",
    "apply_mask",
    "opcode_name",
    "parse_header",
]
