"""Text messages that are JSON (RFC 8259): pretty-printed for people, kept exact in ``--json``
(the message's ``text``), and a ``json-bad-json`` fault only when ``--subprotocol json`` was
asked for (chosen from the content, a message that is not JSON is just text)."""

from __future__ import annotations

import json

from flaskscope.frames.violations import Violation
from flaskscope.subprotocols.model import DecodedMessage, WireMessage, violation

__all__ = ["JsonDecoder"]


def _json_kind(value: object) -> str:
    """RFC 8259 §3's name for the value's type."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return "number"


class JsonDecoder:
    name = "json"

    def __init__(self, *, strict: bool) -> None:
        self.strict = strict

    def feed(self, wire: WireMessage) -> tuple[list[DecodedMessage], list[Violation]]:
        found: list[Violation] = []
        if not wire.is_text:
            decoded: dict[str, object] = {"json": None, "valid": False, "binary": True}
            return [
                DecodedMessage(
                    wire.index,
                    wire.direction,
                    self.name,
                    "binary",
                    f"binary, {len(wire.payload)} bytes",
                    decoded,
                )
            ], found
        try:
            value = json.loads(wire.text())
        except (ValueError, RecursionError) as error:
            if self.strict:
                found.append(violation("json-bad-json", wire, f"text is not JSON ({error})"))
            decoded = {"json": None, "valid": False, "binary": False}
            return [
                DecodedMessage(wire.index, wire.direction, self.name, "text", "not JSON", decoded)
            ], found
        kind = _json_kind(value)
        decoded = {"json": value, "valid": True, "binary": False}
        return [
            DecodedMessage(
                wire.index, wire.direction, self.name, "json", f"JSON {kind}", decoded, value, True
            )
        ], found

    def finish(self) -> tuple[list[DecodedMessage], list[Violation]]:
        return [], []
