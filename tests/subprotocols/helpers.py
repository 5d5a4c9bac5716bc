"""Shared by the subprotocol tests: vectors as WireMessages, and captures split into
messages the way a real reader would (the frame parser)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from flaskscope.frames.capture import parse_stream, split_http_head
from flaskscope.subprotocols.model import WireMessage

VECTORS = Path(__file__).parent.parent / "vectors"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def wire_messages(entries: list[dict[str, Any]]) -> list[WireMessage]:
    """Vector entries ({d, text|hex|base64, opcode?, t?}) as messages in order."""
    out = []
    for index, entry in enumerate(entries):
        if "text" in entry:
            opcode, payload = 1, entry["text"].encode("utf-8")
        elif "hex" in entry:
            opcode, payload = 2, bytes.fromhex(entry["hex"])
        else:
            opcode, payload = 2, base64.b64decode(entry["base64"])
        if entry.get("opcode") == "binary":
            opcode = 2
        out.append(WireMessage(index, entry.get("d"), opcode, payload, entry.get("t")))
    return out


def messages_of(data: bytes) -> tuple[bytes | None, list[tuple[int, bytes]]]:
    """One direction's bytes (HTTP head, then frames) as (head, [(opcode, payload)])."""
    head, rest = split_http_head([data])
    result = parse_stream(b"".join(rest), role=head.role if head else "auto")
    assert result.complete, result.violations
    return (
        head.head if head else None,
        [(message.opcode, message.payload) for message in result.messages],
    )
