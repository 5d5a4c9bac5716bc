"""STOMP 1.0, 1.1 and 1.2 frames in WebSocket messages (the STOMP 1.2 spec, §STOMP Frames,
§Augmented BNF): ``COMMAND EOL *(header EOL) EOL body NUL *(EOL)``.

Headers are unescaped as 1.2 says (§Value Encoding: ``\\r \\n \\c \\\\``; any other escape is
a fault), except in CONNECT and CONNECTED frames; the body ends at ``content-length`` when
given, else at the first NUL. A message holding only EOLs is a heart-beat (§Heart-beating).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flaskscope.frames.violations import Violation
from flaskscope.subprotocols.model import (
    CLIENT,
    SERVER,
    DecodedMessage,
    WireMessage,
    violation,
)

__all__ = ["CLIENT_COMMANDS", "SERVER_COMMANDS", "StompDecoder", "StompFrame", "parse_frames"]

CLIENT_COMMANDS = frozenset(
    (
        "CONNECT", "STOMP", "SEND", "SUBSCRIBE", "UNSUBSCRIBE", "ACK", "NACK",
        "BEGIN", "COMMIT", "ABORT", "DISCONNECT",
    )
)  # fmt: skip
SERVER_COMMANDS = frozenset(("CONNECTED", "MESSAGE", "RECEIPT", "ERROR"))

REQUIRED_HEADERS: dict[str, tuple[str, ...]] = {
    "SEND": ("destination",),
    "SUBSCRIBE": ("destination",),
    "BEGIN": ("transaction",),
    "COMMIT": ("transaction",),
    "ABORT": ("transaction",),
    "MESSAGE": ("destination", "message-id"),
    "RECEIPT": ("receipt-id",),
}
"""§Client Frames and §Server Frames: headers a frame must carry (1.0 needs fewer:
SUBSCRIBE's ``id`` and ACK's ``id`` are 1.1+ and are not required here)."""

_ESCAPES = {"r": "\r", "n": "\n", "c": ":", "\\": "\\"}
_ESCAPE = re.compile(r"\\(.?)", re.DOTALL)

MAX_FRAMES_PER_MESSAGE = 1000
"""Frames decoded from one message (the rest are counted, not decoded)."""


@dataclass(frozen=True)
class StompFrame:
    command: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    problems: tuple[tuple[str, str], ...]
    """(violation code, message) for each fault in the frame."""

    def header(self, name: str) -> str | None:
        """The first value of a repeated header wins (§Repeated Header Entries)."""
        for key, value in self.headers:
            if key == name:
                return value
        return None


def _unescape(value: str, problems: list[tuple[str, str]]) -> str:
    def replace(match: re.Match[str]) -> str:
        found = _ESCAPES.get(match.group(1))
        if found is None:
            problems.append(
                ("stomp-bad-escape", f"undefined escape \\{match.group(1)} in a header")
            )
            return match.group(0)
        return found

    return _ESCAPE.sub(replace, value)


def _line(data: bytes, start: int) -> tuple[str, int] | None:
    end = data.find(b"\n", start)
    if end < 0:
        return None
    line = data[start:end]
    if line.endswith(b"\r"):
        line = line[:-1]
    return line.decode("utf-8", "replace"), end + 1


def parse_frames(data: bytes) -> tuple[list[StompFrame], int, bool]:
    """The frames in one message: (frames, how many there were, heart-beat only)."""
    frames: list[StompFrame] = []
    count = 0
    position = 0
    while position < len(data):
        while position < len(data) and data[position] in b"\r\n":
            position += 1  # EOLs between frames, or a heart-beat
        if position >= len(data):
            break
        frame, position = _parse_one(data, position)
        count += 1
        if len(frames) < MAX_FRAMES_PER_MESSAGE:
            frames.append(frame)
    return frames, count, count == 0 and bool(data)


def _parse_one(data: bytes, start: int) -> tuple[StompFrame, int]:
    problems: list[tuple[str, str]] = []
    line = _line(data, start)
    if line is None:
        command = data[start:].decode("utf-8", "replace").strip()
        problems.append(("stomp-missing-nul", "the frame ends after its command line"))
        return StompFrame(command, (), b"", tuple(problems)), len(data)
    command, position = line
    if command not in CLIENT_COMMANDS and command not in SERVER_COMMANDS:
        problems.append(("stomp-unknown-command", f"unknown command {command[:40]!r}"))
    escaped = command not in ("CONNECT", "CONNECTED")
    headers: list[tuple[str, str]] = []
    while True:
        line = _line(data, position)
        if line is None:
            problems.append(("stomp-missing-nul", "the frame ends inside its headers"))
            return StompFrame(command, tuple(headers), b"", tuple(problems)), len(data)
        text, position = line
        if not text:
            break
        name, colon, value = text.partition(":")
        if not colon:
            problems.append(("stomp-bad-header", f"header line {text[:40]!r} has no ':'"))
            continue
        if escaped:
            name, value = _unescape(name, problems), _unescape(value, problems)
        headers.append((name, value))
    frame_headers = tuple(headers)
    length_text = next((value for key, value in headers if key == "content-length"), None)
    end = -1
    if length_text is not None:
        if not length_text.isdigit() or not length_text.isascii():
            problems.append(
                ("stomp-bad-header", f"content-length {length_text[:20]!r} is not a number")
            )
        else:
            end = position + int(length_text)
            if end > len(data) or data[end : end + 1] != b"\x00":
                problems.append(
                    (
                        "stomp-content-length-mismatch",
                        f"content-length {length_text} but the body "
                        + ("is shorter" if end > len(data) else "is not followed by NUL there"),
                    )
                )
                end = -1
    if end < 0:
        end = data.find(b"\x00", position)
    if end < 0:
        problems.append(("stomp-missing-nul", "the body does not end with a NUL byte"))
        return StompFrame(command, frame_headers, data[position:], tuple(problems)), len(data)
    return StompFrame(command, frame_headers, data[position:end], tuple(problems)), end + 1


class StompDecoder:
    """STOMP frames of one connection (each message holds whole frames)."""

    name = "stomp"

    def feed(self, wire: WireMessage) -> tuple[list[DecodedMessage], list[Violation]]:
        found: list[Violation] = []
        frames, count, heartbeat = parse_frames(wire.payload)
        if heartbeat or not wire.payload:
            decoded: dict[str, object] = {"frames": [], "heartbeat": True}
            return [
                DecodedMessage(
                    wire.index, wire.direction, self.name, "heartbeat", "heart-beat", decoded
                )
            ], found
        listed = []
        for frame in frames:
            for code, message in frame.problems:
                found.append(violation(code, wire, f"{frame.command[:40]}: {message}"))
            self._check(wire, frame, found)
            body_text = frame.body.decode("utf-8", "replace")
            listed.append(
                {
                    "command": frame.command,
                    "headers": [[key, value] for key, value in frame.headers],
                    "body": body_text,
                    "body_length": len(frame.body),
                }
            )
        first = frames[0]
        destination = first.header("destination")
        title = first.command + (f"  {destination}" if destination else "")
        if count > 1:
            title += f"  (+{count - 1} more frame(s))"
        headers: dict[str, str] = {}
        for key, value in first.headers:
            headers.setdefault(key, value)  # the first of repeated headers counts
        decoded = {
            "command": first.command,
            "headers": listed[0]["headers"],
            "body": listed[0]["body"],
            "frames": listed,
            "frame_count": count,
            "heartbeat": False,
        }
        return [
            DecodedMessage(
                wire.index,
                wire.direction,
                self.name,
                first.command,
                title,
                decoded,
                {"headers": headers, "body": listed[0]["body"]},
                True,
            )
        ], found

    @staticmethod
    def _check(wire: WireMessage, frame: StompFrame, found: list[Violation]) -> None:
        sender = (
            CLIENT
            if frame.command in CLIENT_COMMANDS
            else SERVER
            if frame.command in SERVER_COMMANDS
            else None
        )
        if sender is not None and wire.direction is not None and sender != wire.direction:
            found.append(
                violation(
                    "stomp-wrong-direction",
                    wire,
                    f"{frame.command} is a {sender} frame, this came from the {wire.direction}",
                )
            )
        for name in REQUIRED_HEADERS.get(frame.command, ()):
            if frame.header(name) is None:
                found.append(
                    violation(
                        "stomp-missing-header", wire, f"{frame.command} needs a {name} header"
                    )
                )

    def finish(self) -> tuple[list[DecodedMessage], list[Violation]]:
        return [], []
