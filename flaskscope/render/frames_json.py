"""JSON for the frame commands: ``parse-frame --json-lines`` (one object per line, written
as events are parsed) and ``build-frame --json``.

No rich here, so the JSON paths never import it. Field names are a public contract
(issue 4): add fields, never rename them.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING

from flaskscope.frames import opcode_name
from flaskscope.records import FrameRecord, MessageRecord

if TYPE_CHECKING:
    # Annotations only: build-frame does not load the stream parser.
    from flaskscope.builder import BuiltFrames
    from flaskscope.capture import HttpHead
    from flaskscope.stream import Event, FrameParser

__all__ = ["built_frames_json", "json_end_line", "json_event_line", "json_head_line"]


def _line(document: dict[str, object]) -> str:
    return json.dumps(document, ensure_ascii=True) + "\n"


def json_head_line(head: HttpHead) -> str:
    """``--json-lines``: the HTTP head skipped in front of the frames."""
    return _line({"type": "http_head", "kind": head.kind, "length": head.length})


def json_event_line(event: Event) -> str:
    """``--json-lines``: one frame, message or violation, typed."""
    kind = (
        "frame"
        if isinstance(event, FrameRecord)
        else "message"
        if isinstance(event, MessageRecord)
        else "violation"
    )
    return _line({"type": kind, **event.to_json()})


def json_end_line(parser: FrameParser, role_source: str) -> str:
    """``--json-lines``: the last line, with the totals of the finished parser."""
    return _line(
        {
            "type": "end",
            "role": parser.role,
            "role_source": role_source,
            "complete": parser.complete,
            "bytes_needed": parser.bytes_needed,
            "summary": parser.summary().to_json(),
        }
    )


def built_frames_json(built: BuiltFrames) -> dict[str, object]:
    """``build-frame --json``: the bytes (hex and base64) and each frame as it was built."""
    return {
        "hex": built.data.hex(),
        "base64": base64.b64encode(built.data).decode("ascii"),
        "length": len(built.data),
        "frames": [
            {
                "opcode": frame.opcode,
                "opcode_name": opcode_name(frame.opcode),
                "fin": frame.fin,
                "rsv1": frame.rsv1,
                "rsv2": frame.rsv2,
                "rsv3": frame.rsv3,
                "mask_key": key.hex() if key is not None else None,
                "payload_hex": frame.payload.hex(),
            }
            for frame, key in zip(built.frames, built.mask_keys, strict=True)
        ],
    }
