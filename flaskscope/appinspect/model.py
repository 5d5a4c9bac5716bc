"""The frozen results of a trace: events, mistakes, one request's trace, a whole sequence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EVENT_KINDS",
    "MISTAKES",
    "Mistake",
    "RequestSpec",
    "RequestTrace",
    "Trace",
    "TraceEvent",
    "describe_value",
]

EVENT_KINDS = (
    "request",
    "context",
    "signal",
    "cookie",
    "session",
    "hook",
    "view",
    "store",
    "save",
    "set-cookie",
    "response",
    "mistake",
    "warning",
)
"""Every ``kind`` an event may have (a public contract: add, never rename)."""

MISTAKES: Mapping[str, str] = {
    "mutated-without-modified": (
        "a mutable session value was changed in place without session.modified = True, "
        "and Flask did not save it"
    ),
    "cookie-too-large": "the Set-Cookie is over the ~4 KB browsers keep: they drop it silently",
    "cookie-domain-mismatch": (
        "the cookie's Domain does not match the request host: the browser rejects it"
    ),
    "server-name-mismatch": "SERVER_NAME does not match the host the request was sent to",
    "secure-cookie-over-http": (
        "a Secure cookie was set on a plain-HTTP request: browsers do not store it"
    ),
    "session-set-after-headers": (
        "the session changed while a streamed response was sent, after the Set-Cookie "
        "header had gone out"
    ),
    "session-unusable": "the app has no SECRET_KEY: Flask gives a null session that cannot store",
    "cookie-rejected": "the incoming session cookie was rejected and Flask started an empty one",
}
"""Mistake id -> what it means (ids are a public contract: add, never rename)."""

MAX_SHOWN = 200
"""Longest value shown in an event (repr, cut): a session may hold large or hostile data."""


def describe_value(value: Any) -> str:
    """A short, printable description of a session value (its ``repr``, cut)."""
    try:
        text = repr(value)
    except Exception as error:  # a user's object whose __repr__ fails
        text = f"<{type(value).__name__}: repr raised {type(error).__name__}>"
    return text if len(text) <= MAX_SHOWN else f"{text[: MAX_SHOWN - 3]}..."


@dataclass(frozen=True)
class TraceEvent:
    """One thing that happened, at its place: ``seq`` counts from 1 over the whole trace."""

    seq: int
    kind: str
    name: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "name": self.name, "detail": dict(self.detail)}


@dataclass(frozen=True)
class Mistake:
    """A classic session mistake, named at the event (``seq``) where it happened."""

    id: str
    seq: int
    message: str
    fix: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "seq": self.seq, "message": self.message, "fix": self.fix}


@dataclass(frozen=True)
class RequestSpec:
    """One request to send: method, path (with query), headers and an optional body."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    form: tuple[tuple[str, str], ...] | None = None
    json_body: Any = None
    """A JSON value sent as ``application/json`` (``None``: no JSON body)."""
    has_json_body: bool = False

    def as_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"method": self.method, "path": self.path}
        if self.headers:
            document["headers"] = [list(pair) for pair in self.headers]
        if self.form is not None:
            document["form"] = [list(pair) for pair in self.form]
        if self.has_json_body:
            document["json"] = self.json_body
        return document


@dataclass(frozen=True)
class RequestTrace:
    """What happened to one request of the sequence."""

    spec: RequestSpec
    status: int | None
    """The response status; ``None`` when an exception left the app."""
    events: tuple[TraceEvent, ...]
    mistakes: tuple[Mistake, ...]
    cookies_after: Mapping[str, str]
    """The test client's cookie jar after the response (what a browser would now send)."""


@dataclass(frozen=True)
class Trace:
    """A whole sequence: the app, where requests were sent, and each request's trace."""

    app_name: str
    base_url: str
    session_interface: str
    requests: tuple[RequestTrace, ...]

    @property
    def events(self) -> tuple[TraceEvent, ...]:
        return tuple(event for request in self.requests for event in request.events)

    @property
    def mistakes(self) -> tuple[Mistake, ...]:
        return tuple(mistake for request in self.requests for mistake in request.mistakes)
