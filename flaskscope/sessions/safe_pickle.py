"""Show a pickle without unpickling it (pure, no I/O).

Flask-Session before 0.7 stored sessions with ``pickle.dumps`` and 0.7/0.8 still fall back to
``pickle.loads`` when msgspec cannot decode a value. Unpickling runs code chosen by whoever
wrote the bytes (``__reduce__`` to ``os.system``), and whoever can write to the store is not
necessarily trusted, so flaskscope never calls :mod:`pickle` on store data.

Instead the opcode stream is parsed with :func:`pickletools.genops` (a pure parser that
imports and calls nothing) and run on a small stack machine that knows only the opcodes that
build scalars and plain containers. Every opcode that would import a name (``GLOBAL``,
``STACK_GLOBAL``, ``INST``, ``EXT*``), call something (``REDUCE``, ``NEWOBJ*``, ``OBJ``), set
state (``BUILD``) or reach outside the pickle (``PERSID``, ``*_BUFFER``) is refused: it
produces an inert :class:`PickleImport` / :class:`PickleObject` placeholder that only
*describes* what unpickling would have done, so the user sees e.g.
``posix.system('touch /tmp/pwned')`` as text. The machine and its placeholders are
:mod:`flaskscope.sessions.pickle_machine`; this module drives it and keeps the listing.
"""

from __future__ import annotations

import pickletools
from dataclasses import dataclass
from typing import Any

from flaskscope.errors import InputError
from flaskscope.sessions.pickle_machine import (
    PLAIN_CONSTRUCTORS,
    REFUSED_OPCODES,
    PickleImport,
    PickleObject,
    StackMachine,
)

__all__ = [
    "MAX_DISASSEMBLY_OPS",
    "MAX_OPS",
    "PickleImport",
    "PickleObject",
    "PickleOp",
    "PickleView",
    "looks_like_pickle",
    "view_pickle",
]

MAX_OPS = 1_000_000
"""Opcodes interpreted at most; the stack machine is linear, this bounds its time."""

MAX_DISASSEMBLY_OPS = 2_000
"""Opcodes kept for the disassembly listing."""

MAX_ARGUMENT_CHARS = 120
"""An opcode argument is shown truncated to this many characters in the listing."""

HIGHEST_KNOWN_PROTOCOL = 5
"""PEP 574 (Python 3.8). ``PROTO`` with a larger number is not a pickle flaskscope knows."""


@dataclass(frozen=True)
class PickleOp:
    """One line of the disassembly."""

    position: int
    name: str
    argument: str | None
    refused: bool


@dataclass(frozen=True)
class PickleView:
    """A pickle shown safely: its opcodes and the plain value its safe part describes."""

    protocol: int
    size: int
    ops: tuple[PickleOp, ...]
    """The first :data:`MAX_DISASSEMBLY_OPS` opcodes."""
    op_count: int
    imports: tuple[str, ...]
    """Every ``module.name`` the pickle would import, in order, without repeats."""
    refused: tuple[PickleOp, ...]
    """Every opcode that was not executed (imports, calls, state, external references)."""
    value: Any
    """The value, with :class:`PickleImport`/:class:`PickleObject` for the refused parts."""
    trailing_bytes: int
    """Bytes after ``STOP`` (``pickle.loads`` ignores them)."""

    @property
    def would_run_code(self) -> bool:
        """True when unpickling would import or call anything: the pickle is not plain data."""
        return bool(self.refused)

    @property
    def unsafe_imports(self) -> tuple[str, ...]:
        """Imports other than the plain constructors old protocols use for sets and bytes."""
        return tuple(name for name in self.imports if name not in PLAIN_CONSTRUCTORS)

    def disassembly(self) -> list[str]:
        """``pickletools.dis``-like lines (position, opcode, argument), refused ones marked."""
        lines = []
        for op in self.ops:
            mark = "!" if op.refused else " "
            argument = "" if op.argument is None else f" {op.argument}"
            lines.append(f"{op.position:6d}{mark} {op.name}{argument}")
        if self.op_count > len(self.ops):
            lines.append(f"... {self.op_count - len(self.ops)} more opcodes")
        return lines


def looks_like_pickle(data: bytes) -> bool:
    """A cheap first check: a protocol 2+ header, or a protocol 0/1 stream ending in ``STOP``."""
    if len(data) >= 2 and data[0] == 0x80 and data[1] <= HIGHEST_KNOWN_PROTOCOL:
        return True
    return len(data) >= 2 and data.endswith(b".") and data[:1] in (b"(", b"}", b"]", b")", b"c")


def _shown(argument: Any) -> str | None:
    if argument is None:
        return None
    text = repr(argument)
    if len(text) > MAX_ARGUMENT_CHARS:
        text = text[: MAX_ARGUMENT_CHARS - 3] + "..."
    return text


def view_pickle(data: bytes) -> PickleView:
    """Parse ``data`` as a pickle and describe it, without importing or calling anything.

    Raises :class:`InputError` when the bytes are not a well-formed pickle.
    """
    machine = StackMachine()
    ops: list[PickleOp] = []
    refused: list[PickleOp] = []
    protocol = 0
    op_count = 0
    end = len(data)
    stopped = False
    try:
        for opcode, argument, position in pickletools.genops(data):
            op_count += 1
            if op_count > MAX_OPS:
                raise InputError(f"pickle has more than {MAX_OPS} opcodes; not shown")
            name = opcode.name
            is_refused = name in REFUSED_OPCODES
            if is_refused or op_count <= MAX_DISASSEMBLY_OPS:  # PickleOps only where kept
                op = PickleOp(int(position or 0), name, _shown(argument), is_refused)
                if op_count <= MAX_DISASSEMBLY_OPS:
                    ops.append(op)
                if is_refused:
                    refused.append(op)
            if name == "PROTO":
                protocol = int(argument or 0)
                if protocol > HIGHEST_KNOWN_PROTOCOL:
                    raise InputError(f"unknown pickle protocol {protocol}")
            elif opcode.proto > protocol:
                protocol = opcode.proto
            machine.run(name, argument)
            if name == "STOP":
                stopped = True
                end = int(position or 0) + 1
    except InputError:
        raise
    except RecursionError as error:
        raise InputError("pickle nests too deeply to show") from error
    except Exception as error:
        # pickletools raises ValueError for bad opcodes and truncated arguments, and lets
        # struct/unicode/int conversion errors through: all mean "not a well-formed pickle".
        raise InputError(f"not a well-formed pickle: {error}") from error
    if not stopped:
        raise InputError("not a well-formed pickle: no STOP opcode")
    if not machine.stack:
        raise InputError("malformed pickle: STOP with an empty stack")
    return PickleView(
        protocol=protocol,
        size=len(data),
        ops=tuple(ops),
        op_count=op_count,
        imports=tuple(machine.imports),
        refused=tuple(refused),
        value=machine.stack[-1],
        trailing_bytes=len(data) - end,
    )
