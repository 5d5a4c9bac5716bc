"""The mutable notebook one traced request writes into, frozen when the request ends."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flaskscope.appinspect.model import MISTAKES, Mistake, TraceEvent, describe_value

__all__ = ["Recorder", "SessionDiff", "session_diff", "snapshot"]


@dataclass
class Recorder:
    """Events and mistakes of one request; ``next_seq`` continues over the sequence."""

    next_seq: int = 1
    events: list[TraceEvent] = field(default_factory=list)
    mistakes: list[Mistake] = field(default_factory=list)

    def add(self, kind: str, name: str, /, **detail: Any) -> int:
        seq = self.next_seq
        self.next_seq += 1
        self.events.append(TraceEvent(seq, kind, name, detail))
        return seq

    def mistake(self, mistake_id: str, message: str, fix: str) -> None:
        """A mistake: an event at its place in the timeline, and an entry in the list."""
        assert mistake_id in MISTAKES, mistake_id
        seq = self.add("mistake", mistake_id, message=message, fix=fix)
        self.mistakes.append(Mistake(mistake_id, seq, message, fix))


_UNCOPYABLE = object()


def snapshot(session: Any) -> dict[str, Any] | None:
    """A deep copy of the session's contents (``None`` when a value cannot be copied), so
    that a change made in place to a list or dict inside it can be seen afterwards."""
    if session is None:
        return None
    try:
        return copy.deepcopy(dict(session))
    except Exception:
        return None


@dataclass(frozen=True)
class SessionDiff:
    added: Mapping[str, str]
    changed: Mapping[str, str]
    removed: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    @property
    def keys(self) -> tuple[str, ...]:
        return (*self.added, *self.changed, *self.removed)

    def as_json(self) -> dict[str, Any]:
        return {"added": dict(self.added), "changed": dict(self.changed), "removed": self.removed}


def _equal(left: Any, right: Any) -> bool:
    try:
        return bool(left == right)
    except Exception:
        return False


def session_diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> SessionDiff:
    """Keys added, changed (new value shown) and removed between two snapshots."""
    before = before or {}
    after = after or {}
    added = {str(key): describe_value(value) for key, value in after.items() if key not in before}
    changed = {
        str(key): describe_value(value)
        for key, value in after.items()
        if key in before and not _equal(before[key], value)
    }
    removed = tuple(str(key) for key in before if key not in after)
    return SessionDiff(added, changed, removed)
