"""``parse-frame --json``'s document: messages and violations wait in a spool (memory, then a
temporary file past 1 MiB) until the frames list is written; where they waited must not change
a byte of the document."""

from __future__ import annotations

import io
import json

import pytest

from flaskscope.frames.capture import iter_events
from flaskscope.frames.frame import Frame, Opcode
from flaskscope.frames.stream import FrameParser
from flaskscope.render import frames_json


def _document(data: bytes) -> str:
    parser = FrameParser(role="server", keep=64)
    out = io.StringIO()
    frames_json.write_json_document(out.write, iter_events(parser, [data]), parser, None, "given")
    return out.getvalue()


@pytest.mark.parametrize("limit", [1, 4096, frames_json._SPOOL_IN_MEMORY])
def test_a_spool_on_disk_gives_the_same_document(
    monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    # 6,000 text messages, then 3,000 frames with a reserved opcode (one violation each):
    # about 1.5 MB of messages and 0.5 MB of violations, past the default 1 MiB spool.
    data = b"".join(Frame(Opcode.TEXT, f"message {n}".encode()).serialize() for n in range(6000))
    data += b"\x83\x00" * 3000
    monkeypatch.setattr(frames_json, "_SPOOL_IN_MEMORY", 1 << 30)
    in_memory = _document(data)
    document = json.loads(in_memory)
    assert len(document["messages"]) == 6000
    assert document["messages"][-1]["text"] == "message 5999"
    assert len(document["violations"]) == 3000
    assert {violation["code"] for violation in document["violations"]} == {"reserved-opcode"}
    monkeypatch.setattr(frames_json, "_SPOOL_IN_MEMORY", limit)
    assert _document(data) == in_memory
