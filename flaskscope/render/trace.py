"""Human and JSON output for ``trace``: the timeline, one line per event, mistakes in red.

Everything shown comes from the app (session values, header values, exception messages), so
it goes through ``safe_text``; nothing is rich markup.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flaskscope.appinspect.model import Trace, TraceEvent
from flaskscope.render.console import safe_text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

__all__ = ["event_summary", "render_trace", "trace_json", "trace_verdict"]

_KIND_STYLES = {
    "request": "bold",
    "context": "dim",
    "signal": "cyan",
    "cookie": "magenta",
    "session": "blue",
    "hook": "dim",
    "view": "green",
    "store": "yellow",
    "save": "bold blue",
    "set-cookie": "magenta",
    "response": "bold",
    "mistake": "bold red",
    "warning": "yellow",
}


def trace_json(trace: Trace) -> dict[str, Any]:
    """``{app, base_url, session_interface, requests, events, mistakes}``; events are
    ``{seq, kind, name, detail}`` in the order they happened."""
    return {
        "app": trace.app_name,
        "base_url": trace.base_url,
        "session_interface": trace.session_interface,
        "requests": [
            {
                **request.spec.as_json(),
                "status": request.status,
                "first_seq": request.events[0].seq if request.events else None,
                "mistakes": [mistake.id for mistake in request.mistakes],
                "cookies_after": dict(request.cookies_after),
            }
            for request in trace.requests
        ],
        "events": [event.as_json() for event in trace.events],
        "mistakes": [mistake.as_json() for mistake in trace.mistakes],
    }


def _changes(changes: Mapping[str, Any]) -> str:
    parts = [f"+{key}={value}" for key, value in changes.get("added", {}).items()]
    parts += [f"~{key}={value}" for key, value in changes.get("changed", {}).items()]
    parts += [f"-{key}" for key in changes.get("removed", ())]
    return " ".join(parts) if parts else "no change"


def _attributes(detail: Mapping[str, Any]) -> str:
    parts = [f"{detail.get('header_size')} bytes"]
    for flag, label in (
        ("secure", "Secure"),
        ("httponly", "HttpOnly"),
        ("partitioned", "Partitioned"),
    ):
        if detail.get(flag):
            parts.append(label)
    for key, label in (
        ("samesite", "SameSite"),
        ("domain", "Domain"),
        ("path", "Path"),
        ("max_age", "Max-Age"),
        ("expires", "Expires"),
    ):
        if detail.get(key) is not None:
            parts.append(f"{label}={detail[key]}")
    if detail.get("deletes"):
        parts.append("(deletes the cookie)")
    decoded = detail.get("decoded")
    if isinstance(decoded, Mapping) and decoded.get("session") is not None:
        parts.append("session " + _session(decoded["session"]))
    elif isinstance(decoded, Mapping) and decoded.get("store_key"):
        parts.append(f"store key {decoded['store_key']}")
    return "; ".join(parts)


def _session(session: Mapping[str, Any]) -> str:
    return "{" + ", ".join(f"{key}: {value}" for key, value in session.items()) + "}"


def event_summary(event: TraceEvent) -> str:
    """One line saying what the event's detail holds, for people."""
    detail = event.detail
    kind, name = event.kind, event.name
    if kind == "cookie" and name == "incoming session cookie":
        text = f"{detail.get('cookie')}: {detail.get('status')} - {detail.get('meaning')}"
        if detail.get("store_key"):
            text += f"; store key {detail['store_key']}"
        if detail.get("session"):
            text += f"; session {_session(detail['session'])}"
        return text
    if kind == "cookie" and "cookies" in detail:
        return ", ".join(f"{key}={value}" for key, value in detail.get("cookies", {}).items())
    if kind == "session" and name == "session opened":
        keys = ", ".join(detail.get("keys", [])) or "empty"
        extra = " (null session)" if detail.get("null") else ""
        return f"keys: {keys}; permanent={detail.get('permanent')}{extra}"
    if kind == "view" and name == "routing":
        if detail.get("routing_error"):
            return f"no route: {detail['routing_error']}"
        return f"{detail.get('rule')} -> endpoint {detail.get('endpoint')}"
    if kind == "view" and name == "view called":
        return str(detail.get("function"))
    if kind == "view" and name == "view returned":
        streamed = ", streamed" if detail.get("streamed") else ""
        return (
            f"{detail.get('status')} {detail.get('mimetype')}{streamed}; session "
            f"{_changes(detail.get('session_changes', {}))}; modified={detail.get('modified')} "
            f"permanent={detail.get('permanent')}"
        )
    if kind == "hook" and "functions" in detail:
        functions = ", ".join(detail["functions"]) or "none registered"
        error = f"; error {detail['error']}" if detail.get("error") else ""
        return f"{functions}{error}"
    if kind == "save":
        return f"{detail.get('reason')}; {_changes(detail.get('changes', {}))}"
    if kind == "set-cookie":
        return _attributes(detail)
    if kind == "mistake":
        return f"{detail.get('message')}\nfix: {detail.get('fix')}"
    if kind == "request":
        return str(detail.get("base_url", ""))
    shown = {key: value for key, value in detail.items() if key != "note"}
    text = ", ".join(f"{key}={value}" for key, value in shown.items() if value is not None)
    return text or str(detail.get("note", ""))


_INDENT = 17
"""Width of ``" seq  kind       "``: wrapped lines of an event start under its name."""


def _event_lines(event: TraceEvent, width: int) -> list[Text]:
    """An event as lines: seq and kind, then its name and summary wrapped under itself."""
    from rich.text import Text

    summary = event_summary(event)
    body = f"{event.name}  {summary}" if summary else event.name
    pieces: list[str] = []
    for part in body.split("\n"):
        pieces.extend(textwrap.wrap(part, width=max(width - _INDENT, 40)) or [""])
    lines = []
    for index, piece in enumerate(pieces):
        line = Text(f"{event.seq:>4}  " if index == 0 else " " * 6)
        line.append(
            f"{event.kind:<10} " if index == 0 else " " * 11,
            style=_KIND_STYLES.get(event.kind, "") if index == 0 else "",
        )
        if index == 0 and piece.startswith(event.name):
            line.append_text(safe_text(event.name, style="bold"))
            line.append_text(safe_text(piece[len(event.name) :]))
        else:
            line.append_text(safe_text(piece))
        lines.append(line)
    return lines


def trace_verdict(trace: Trace) -> str:
    """The terminal's verdict: ``no session mistake seen`` or ``N mistake(s)``."""
    if not trace.mistakes:
        return "no session mistake seen"
    return f"{len(trace.mistakes)} mistake(s)"


def render_trace(console: Console, trace: Trace) -> None:
    """The timeline of every request (seq, kind, event and what it holds, wrapped under
    itself), then the mistakes found, or that there were none."""
    from rich.text import Text

    head = Text("trace ", style="bold")
    head.append_text(safe_text(trace.app_name))
    head.append_text(safe_text(f"  ({trace.session_interface}) at {trace.base_url}"))
    console.print(head)
    for request in trace.requests:
        console.print()
        status = "exception" if request.status is None else str(request.status)
        title = Text(style="bold")
        title.append_text(safe_text(f"{request.spec.method} {request.spec.path}"))
        title.append(f" -> {status}")
        console.print(title)
        for event in request.events:
            for line in _event_lines(event, console.width):
                console.print(line, overflow="fold")
    console.print()
    if not trace.mistakes:
        console.print(Text(trace_verdict(trace), style="bold green"))
        return
    console.print(Text(f"{trace_verdict(trace)}:", style="bold red"))
    for mistake in trace.mistakes:
        line = Text("  ")
        line.append(mistake.id, style="bold red")
        line.append(f" (event {mistake.seq})")
        console.print(line)
