"""Human output for the application protocols inside messages: how the protocol was chosen,
then each decoded message as ``namespace  event-name`` with its arguments pretty-printed
(Socket.IO), ``subscribe  id=1`` with the query (GraphQL), ``SEND  /queue/a`` with headers and
body (STOMP), or the JSON value. Everything shown is untrusted: ``safe_text`` only.
"""

from __future__ import annotations

import json

from rich.console import Console
from rich.text import Text

from flaskscope.render.console import safe_text
from flaskscope.subprotocols.detect import Detection
from flaskscope.subprotocols.model import DecodedMessage

__all__ = ["MAX_BODY_LINES", "render_decoded", "render_detection"]

MAX_BODY_LINES = 40
"""Lines of pretty-printed JSON shown per message (the rest are counted)."""

INLINE_WIDTH = 72
"""A body whose one-line JSON is this short stays on the title line."""

_PROTOCOL_STYLE = "bold magenta"


def render_detection(console: Console, detection: Detection | None) -> None:
    """Which protocol the messages are decoded as, and how that was decided."""
    if detection is None:
        return
    line = Text()
    line.append("subprotocol: ", style="bold")
    line.append_text(safe_text(detection.protocol, _PROTOCOL_STYLE))
    line.append(" (", style="dim")
    line.append_text(safe_text(detection.reason, "dim"))
    line.append(")", style="dim")
    if detection.engineio_version is not None:
        line.append(f", Engine.IO v{detection.engineio_version}", style="dim")
    console.print(line)


def _pretty(value: object, max_bytes: int) -> list[str]:
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)
    lines = text.splitlines()
    if max_bytes and len(text) > max_bytes * 16:
        lines = lines[:MAX_BODY_LINES]
    if len(lines) > MAX_BODY_LINES:
        more = len(lines) - MAX_BODY_LINES
        lines = [*lines[:MAX_BODY_LINES], f"... {more} more lines"]
    return lines


def _stomp_lines(decoded: DecodedMessage, margin: str = "       ") -> list[Text]:
    """A STOMP frame as it reads on the wire: ``name:value`` headers, then the body."""
    lines = []
    headers = decoded.decoded.get("headers")
    for pair in headers if isinstance(headers, list) else []:
        if isinstance(pair, list) and len(pair) == 2:
            lines.append(Text(margin) + safe_text(f"{pair[0]}:{pair[1]}", "cyan"))
    body = decoded.decoded.get("body")
    if isinstance(body, str) and body:
        body_lines = body.splitlines()
        for body_line in body_lines[:MAX_BODY_LINES]:
            lines.append(Text(margin) + safe_text(body_line))
        if len(body_lines) > MAX_BODY_LINES:
            lines.append(Text(f"{margin}... {len(body_lines) - MAX_BODY_LINES} more lines", "dim"))
    count = decoded.decoded.get("frame_count")
    if isinstance(count, int) and count > 1:
        lines.append(Text(f"{margin}({count - 1} more STOMP frame(s) in this message)", "dim"))
    return lines


def render_decoded(
    console: Console,
    decoded: DecodedMessage,
    *,
    max_bytes: int,
    numbered: bool = False,
    indent: str = "     ",
    lead: str = "",
    soft_wrap: bool = False,
) -> None:
    """One decoded message under its WebSocket message (``numbered``: on its own, with the
    message's index and sender, for ``--messages-only``; ``indent``: its title's margin,
    the body's is two more; ``lead``: the numbered line's margin; ``soft_wrap``: lines as
    they are, never wrapped, as ``scan`` prints everything)."""
    if decoded.subprotocol == "none" and not numbered:
        return
    margin = indent + "  "
    line = Text(indent)
    if numbered:
        line = Text(lead) + Text(f"message {decoded.message}", style="bold blue")
        if decoded.direction:
            line.append(f" {'->' if decoded.direction == 'client' else '<-'} ", style="dim")
        else:
            line.append("  ")
    line.append_text(safe_text(decoded.subprotocol, _PROTOCOL_STYLE))
    line.append("  ")
    line.append_text(safe_text(decoded.title, "bold"))
    lines = [line]
    query = decoded.decoded.get("query") if decoded.kind in ("subscribe", "start") else None
    if isinstance(query, str):
        for query_line in query.strip().splitlines()[:MAX_BODY_LINES]:
            lines.append(Text(margin) + safe_text(query_line, "green"))
        variables = decoded.decoded.get("variables")
        if variables:
            lines.append(Text(f"{margin}variables:", style="dim"))
            for json_line in _pretty(variables, max_bytes):
                lines.append(Text(margin) + safe_text(json_line))
    elif decoded.subprotocol == "stomp" and decoded.kind != "heartbeat":
        lines.extend(_stomp_lines(decoded, margin))
    elif decoded.has_body:
        compact = json.dumps(decoded.body, ensure_ascii=False)
        if len(compact) <= INLINE_WIDTH and "\n" not in compact:
            line.append("  ")
            line.append_text(safe_text(compact))
        else:
            for json_line in _pretty(decoded.body, max_bytes):
                lines.append(Text(margin) + safe_text(json_line))
    if decoded.note:
        line.append("  (")
        line.append_text(safe_text(decoded.note, "cyan"))
        line.append(")")
    console.print(Text("\n").join(lines), soft_wrap=soft_wrap)
