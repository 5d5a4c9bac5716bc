"""Show a Flask-Session cookie and its stored session: rich for people, JSON for scripts.

Stored data is untrusted: every string goes through :func:`safe_text`, and the walk over it
is bounded (depth, node count, cycles from pickle memo references) so a crafted value
cannot hang or flood the terminal. Values JSON cannot carry as they are are written as
``{"$type": ...}`` objects (documented in the README), so no type information is lost.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flaskscope.render.console import safe_text
from flaskscope.render.values import DEFAULT_MAX_DEPTH, DEFAULT_MAX_NODES, typed, typed_json
from flaskscope.sessions.ids import SignatureStatus
from flaskscope.sessions.report import ServerSessionReport
from flaskscope.sessions.safe_pickle import PickleImport, PickleObject, PickleView

if TYPE_CHECKING:  # rich is imported only for the human view, never on the --json path
    from rich.console import Console
    from rich.text import Text
    from rich.tree import Tree

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "data_tree",
    "fact_rows",
    "pickle_lines",
    "render_server_session",
    "server_session_json",
    "to_json",
    "tree_lines",
]

MAX_DEPTH = DEFAULT_MAX_DEPTH
"""Nesting shown at most; deeper values become ``{"$type": "truncated"}``."""

MAX_NODES = DEFAULT_MAX_NODES
"""Values shown at most (memo references can make a small pickle expand exponentially)."""

MAX_SCALAR_CHARS = 400
"""Characters of one string (or bytes) shown in the rich view; JSON carries all of it."""

MAX_DISASSEMBLY_LINES = 200
"""Pickle opcodes listed in the rich view (JSON carries up to ``MAX_DISASSEMBLY_OPS``)."""

STATUS_STYLES = {
    "found": "bold green",
    "id-only": "bold",
    "unverified": "bold yellow",
    "not-found": "bold red",
    "invalid-signature": "bold red",
}

STATUS_TEXT = {
    "found": "found in the store (data below)",
    "id-only": "session id only (pass --store to read the session)",
    "unverified": "signature NOT checked (no secret key given)",
    "not-found": "NOT FOUND in the store: expired, cleared or never saved",
    "invalid-signature": "INVALID SIGNATURE: Flask-Session would ignore this cookie",
}

SIGNATURE_TEXT = {
    SignatureStatus.UNSIGNED: "no (bare id, the Flask-Session default)",
    SignatureStatus.NOT_CHECKED: "yes (SESSION_USE_SIGNER), not checked",
    SignatureStatus.VALID: "yes (SESSION_USE_SIGNER), valid with SECRET_KEY",
    SignatureStatus.VALID_FALLBACK_ONLY: "yes, valid only with a fallback key (rejected)",
    SignatureStatus.INVALID: "yes (SESSION_USE_SIGNER), INVALID",
}


class _Budget:
    """Values the rich view still shows (the JSON has its own in :func:`typed_json`)."""

    def __init__(self, nodes: int = MAX_NODES) -> None:
        self.left = nodes

    def take(self) -> bool:
        self.left -= 1
        return self.left >= 0


def to_json(value: Any) -> Any:
    """``value`` as JSON, with ``{"$type": ...}`` objects for what JSON cannot hold
    (:func:`flaskscope.render.values.typed_json`, plus the pickle stand-ins)."""
    return typed_json(value, extend=_pickle_value_json, max_nodes=MAX_NODES, max_depth=MAX_DEPTH)


def _pickle_value_json(value: Any, inner: Callable[[Any], Any]) -> Any:
    """The pickle stand-ins and msgpack extension values; ``NotImplemented`` for the rest."""
    if isinstance(value, PickleImport):
        return typed("pickle-import", name=repr(value))
    if isinstance(value, PickleObject):
        described: dict[str, Any] = {
            "opcode": value.how,
            "callable": inner(value.callable),
            "args": inner(value.args),
        }
        if value.state is not None:
            described["state"] = inner(value.state)
        if value.appended:
            described["appended"] = [inner(item) for item in value.appended]
        if value.items:
            described["items"] = [[inner(key), inner(item)] for key, item in value.items]
        return typed("pickle-object", **described)
    code, data = getattr(value, "code", None), getattr(value, "data", None)
    if isinstance(code, int) and isinstance(data, (bytes, bytearray, memoryview)):
        return typed("msgpack-ext", code=code, base64=base64.b64encode(bytes(data)).decode())
    return NotImplemented


def _pickle_json(view: PickleView) -> dict[str, Any]:
    return {
        "protocol": view.protocol,
        "size": view.size,
        "opcodes": view.op_count,
        "would_run_code": view.would_run_code,
        "imports": list(view.imports),
        "unsafe_imports": list(view.unsafe_imports),
        "refused": [{"position": op.position, "opcode": op.name} for op in view.refused[:200]],
        "trailing_bytes": view.trailing_bytes,
        "disassembly": view.disassembly(),
    }


def server_session_json(report: ServerSessionReport) -> dict[str, Any]:
    """The ``--json`` document for a Flask-Session cookie."""
    cookie = report.cookie
    verification = report.verification
    stored = report.stored
    payload = report.payload
    document: dict[str, Any] = {
        "kind": report.kind,
        "status": report.status,
        "session_id": cookie.session_id,
        "id_shape": cookie.id_shape.value,
        "signed": cookie.signed,
        "signature": cookie.signature,
        "signature_status": verification.status.value,
        "matched_key": _matched_key(report),
        "key_prefix": report.key_prefix,
        "store_key": report.store_key,
        "store": None if stored is None else stored.store,
        "found": None if stored is None else stored.found,
        "store_ttl_seconds": None if stored is None else stored.ttl_seconds,
        "payload_format": None if payload is None else payload.format.value,
        "payload_size": None if payload is None else payload.size,
        "legacy_pickle": None if payload is None else payload.legacy_pickle,
        "payload": None if payload is None else to_json(payload.data),
        "data": None if payload is None else to_json(payload.data),
        "pickle": None
        if payload is None or payload.pickle is None
        else _pickle_json(payload.pickle),
        "warnings": list(report.warnings),
    }
    return document


def _matched_key(report: ServerSessionReport) -> str | None:
    index = report.verification.key_index
    if index is None:
        return None
    return "primary" if index == 0 else f"fallback:{index - 1}"


def _ttl_text(seconds: int | None) -> str:
    if seconds is None:
        return "none (the key never expires)"
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    if days or hours:
        parts.append(f"{hours}h")
    if days or hours or minutes:
        parts.append(f"{minutes}m")
    parts.append(f"{secs}s")
    return f"{seconds} s ({' '.join(parts)} left)"


def _scalar(value: Any) -> Text | None:
    """A one-line rendering of a non-container value (``None`` for containers)."""
    from rich.text import Text

    if isinstance(value, (list, tuple, dict, set, frozenset, PickleObject)):
        return None
    if isinstance(value, PickleImport):
        return Text.assemble(safe_text(repr(value), "bold red"), (" (not imported)", "dim"))
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return safe_text(value.isoformat())
    if isinstance(value, (str, bytes, bytearray)) and len(value) > MAX_SCALAR_CHARS:
        unit = "characters" if isinstance(value, str) else "bytes"
        return Text.assemble(
            safe_text(repr(value[:MAX_SCALAR_CHARS])),
            (f" ... ({len(value)} {unit}; all of it in --json)", "dim"),
        )
    return safe_text(repr(value))


def _type_name(value: Any) -> str:
    if isinstance(value, PickleObject):
        return "pickle object, NOT built"
    if isinstance(value, PickleImport):
        return "global"
    return type(value).__name__


TreeLine = tuple[tuple[bool, ...], "Text"]
"""One node of the stored-data tree: for it and each ancestor below the root, whether it is
its parent's last child (what the guides need), and the node's text."""


def _walk(
    out: list[TreeLine],
    lasts: tuple[bool, ...],
    label: Text,
    value: Any,
    depth: int,
    path: set[int],
    budget: _Budget,
) -> None:
    from rich.text import Text

    if not budget.take():
        out.append((lasts, Text(f"... more than {MAX_NODES} values, not shown", style="dim")))
        return
    scalar = _scalar(value)
    if scalar is not None:  # as the signed-cookie view: key = value  type
        out.append(
            (lasts, Text.assemble(label, " = ", scalar, "  ", (_type_name(value), "dim cyan")))
        )
        return
    size = f"[{len(value)}]" if isinstance(value, (list, tuple, dict, set, frozenset)) else ""
    line = Text.assemble(label, "  ", (_type_name(value) + size, "dim cyan"))
    if id(value) in path:
        out.append((lasts, Text.assemble(line, (" <cycle: contains itself>", "magenta"))))
        return
    if depth >= MAX_DEPTH:
        out.append(
            (lasts, Text.assemble(line, (f" ... nested more than {MAX_DEPTH} levels", "dim")))
        )
        return
    out.append((lasts, line))
    path.add(id(value))
    try:
        children = _children(value)
        for index, (child_label, child) in enumerate(children):
            last = index == len(children) - 1
            _walk(out, (*lasts, last), child_label, child, depth + 1, path, budget)
    finally:
        path.discard(id(value))


def _children(value: Any) -> list[tuple[Text, Any]]:
    from rich.text import Text

    if isinstance(value, dict):
        return [(_key_label(key), item) for key, item in value.items()]
    if isinstance(value, (list, tuple)):
        return [(Text(f"[{index}]", style="bold"), item) for index, item in enumerate(value)]
    if isinstance(value, (set, frozenset)):
        return [(Text("-", style="bold"), item) for item in value]
    if isinstance(value, PickleObject):
        children: list[tuple[Text, Any]] = [
            (Text(f"{value.how} would call", style="bold red"), value.callable),
            (Text("with arguments", style="bold"), value.args),
        ]
        if value.state is not None:
            children.append((Text("BUILD state", style="bold"), value.state))
        if value.appended:
            children.append((Text("appended", style="bold"), value.appended))
        if value.items:
            children.append((Text("items set", style="bold"), dict(_safe_pairs(value.items))))
        return children
    return []


def _safe_pairs(pairs: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    for key, item in pairs:
        try:
            hash(key)
        except TypeError:
            key = repr(type(key).__name__)
        out.append((key, item))
    return out


def _key_label(key: Any) -> Text:
    if isinstance(key, str):
        return safe_text(key, "bold")
    return safe_text(repr(key), "bold")


def tree_lines(data: Any) -> list[TreeLine]:
    """The stored data as tree nodes in order: key, type, value; bounded as :func:`to_json`
    is (depth, node count, cycles). :func:`data_tree` and the HTML report draw them."""
    from rich.text import Text

    out: list[TreeLine] = []
    budget = _Budget()
    if isinstance(data, dict):
        children = _children(data)
        for index, (label, child) in enumerate(children):
            _walk(out, (index == len(children) - 1,), label, child, 1, {id(data)}, budget)
        if not data:
            out.append(((True,), Text("(empty)", style="dim")))
    else:
        _walk(out, (True,), Text("value", style="bold"), data, 1, set(), budget)
    return out


def data_tree(title: Text, data: Any) -> Tree:
    """The stored data as a rich tree (see :func:`tree_lines`)."""
    from rich.tree import Tree

    tree = Tree(title)
    parents = [tree]
    for lasts, line in tree_lines(data):
        del parents[len(lasts) :]
        parents.append(parents[-1].add(line))
    return tree


def headline(report: ServerSessionReport) -> Text:
    """The verdict line on top, as the signed-cookie view has: the status and what it means."""
    from rich.text import Text

    return Text(
        f"{report.status}: {STATUS_TEXT[report.status]}", style=STATUS_STYLES[report.status]
    )


def fact_rows(report: ServerSessionReport) -> list[tuple[str, Text]]:
    """The facts the human view lists first: kind, status, id, signature, store key, store,
    TTL, format (the HTML report lists the same)."""
    from rich.text import Text

    cookie = report.cookie
    stored = report.stored
    payload = report.payload
    rows = [
        (
            "kind",
            Text("server-side session (Flask-Session): the cookie holds only an id"),
        ),
        ("status", Text(report.status, style=STATUS_STYLES[report.status])),
        (
            "session id",
            Text.assemble(
                safe_text(cookie.session_id),
                (f"  ({cookie.id_shape.value}, {len(cookie.session_id)} chars)", "dim"),
            ),
        ),
        ("signed", Text(SIGNATURE_TEXT[report.verification.status])),
        ("store key", safe_text(report.store_key)),
    ]
    if stored is not None:
        rows.append(("store", safe_text(stored.store)))
        if stored.found:
            rows.append(("TTL", Text(_ttl_text(stored.ttl_seconds))))
    if payload is not None:
        fmt = payload.format.value
        if payload.legacy_pickle:
            fmt = "LEGACY PICKLE (not unpickled)"
        rows.append(("format", Text(f"{fmt}, {payload.size} bytes")))
    return rows


def pickle_lines(view: PickleView) -> list[Text]:
    """The pickle's opcodes (refused ones in red), at most ``MAX_DISASSEMBLY_LINES``."""
    from rich.text import Text

    lines = view.disassembly()
    shown = [
        safe_text(line, "red" if line[6:7] == "!" else "") for line in lines[:MAX_DISASSEMBLY_LINES]
    ]
    if len(lines) > MAX_DISASSEMBLY_LINES:
        shown.append(Text(f"... {len(lines) - MAX_DISASSEMBLY_LINES} more lines (--json)"))
    return shown


def render_server_session(report: ServerSessionReport, console: Console) -> None:
    """The rich view: the cookie, the verdict, the stored data, warnings, pickle listing."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    payload = report.payload
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="bold")
    fields.add_column()
    for label, value in fact_rows(report):
        fields.add_row(label, value)
    parts: list[Any] = [headline(report), fields]
    if payload is not None:
        parts.append(Text())
        parts.append(data_tree(Text("stored session", style="bold underline"), payload.data))
    if report.warnings:
        parts.append(Text())
        for note in report.warnings:
            parts.append(Text.assemble(("! ", "bold yellow"), safe_text(note)))
    if payload is not None and payload.pickle is not None:
        parts.append(Text())
        parts.append(Text("pickle opcodes (! = refused, never executed)", style="bold"))
        parts.extend(pickle_lines(payload.pickle))
    console.print(Group(*parts))
