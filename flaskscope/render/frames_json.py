"""``parse-frame --json-lines``: one JSON object per line, written as events are parsed.

No rich here, so the JSON paths never import it. Field names are a public contract
(issue 4): the records' ``to_json`` plus ``type``; add fields, never rename them.
"""

from __future__ import annotations

import json

from flaskscope.capture import HttpHead
from flaskscope.records import FrameRecord, MessageRecord
from flaskscope.stream import Event, FrameParser

__all__ = ["json_end_line", "json_event_line", "json_head_line"]


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
