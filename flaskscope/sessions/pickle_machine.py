"""The inert stack machine behind :func:`flaskscope.sessions.safe_pickle.view_pickle` (pure).

It runs the opcodes :func:`pickletools.genops` yields, but only those that build scalars and
plain containers. Each opcode that would import a name, call something, set state or reach
outside the pickle (:data:`REFUSED_OPCODES`) leaves an inert placeholder instead
(:class:`PickleImport`, :class:`PickleObject`) that describes what unpickling would do.
Bounds: a malformed stream is an :class:`InputError`, and tuples that reach more than
:data:`MAX_EXPANDED_TUPLE` leaves through shared references (a hash bomb) are refused.
"""

from __future__ import annotations

from typing import Any

from flaskscope.errors import InputError

__all__ = [
    "MAX_EXPANDED_TUPLE",
    "PLAIN_CONSTRUCTORS",
    "REFUSED_OPCODES",
    "PickleImport",
    "PickleObject",
    "StackMachine",
]

MAX_EXPANDED_TUPLE = 100_000
"""Leaves a tuple may reach through shared references before the pickle is refused."""

# Opcodes that can only reach code, names or data outside the pickle: never executed.
REFUSED_OPCODES = frozenset(
    {
        "GLOBAL",
        "STACK_GLOBAL",
        "INST",
        "OBJ",
        "REDUCE",
        "NEWOBJ",
        "NEWOBJ_EX",
        "BUILD",
        "EXT1",
        "EXT2",
        "EXT4",
        "PERSID",
        "BINPERSID",
        "NEXT_BUFFER",
        "READONLY_BUFFER",
    }
)


class PickleImport:
    """A name the pickle would import (``GLOBAL``/``STACK_GLOBAL``/``INST``/``EXT*``). Inert."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name

    def __repr__(self) -> str:
        return f"{self.module}.{self.name}"


class PickleObject:
    """An object the pickle would construct by calling something. Never constructed.

    ``how`` is the opcode (``REDUCE``: ``callable(*args)``; ``NEWOBJ``: ``cls.__new__(cls,
    *args)``; ...). ``state`` is what ``BUILD`` would pass to ``__setstate__``; ``appended``
    and ``items`` are what ``APPEND(S)``/``SETITEM(S)`` would add to it.
    """

    __slots__ = ("appended", "args", "callable", "how", "items", "state")

    def __init__(self, how: str, callable: Any, args: Any) -> None:
        self.how = how
        self.callable = callable
        self.args = args
        self.state: Any = None
        self.appended: list[Any] = []
        self.items: list[tuple[Any, Any]] = []

    def __repr__(self) -> str:
        return f"<{self.how} {self.callable!r}>"


class StackMachine:
    """The restricted stack machine. Every method handles one family of opcodes."""

    def __init__(self) -> None:
        self.stack: list[Any] = []
        self.marks: list[list[Any]] = []
        self.memo: dict[int, Any] = {}
        self.imports: dict[str, None] = {}
        # Expanded sizes of the tuples built so far (kept alive here, so ids stay unique).
        # Memo references let n opcodes build a tuple of 2**n leaves, and hashing one (as a
        # dict key or set item) walks every leaf: refuse those instead of hanging.
        self.tuple_sizes: dict[int, tuple[tuple[Any, ...], int]] = {}

    def make_tuple(self, items: list[Any]) -> tuple[Any, ...]:
        built = tuple(items)
        size = 1 + sum(self.expanded_size(item) for item in built)
        if size > MAX_EXPANDED_TUPLE:
            raise InputError(
                f"pickle builds a tuple of more than {MAX_EXPANDED_TUPLE} items through "
                "shared references (a hash bomb); not shown"
            )
        self.tuple_sizes[id(built)] = (built, size)
        return built

    def expanded_size(self, item: Any) -> int:
        entry = self.tuple_sizes.get(id(item))
        return entry[1] if entry is not None and entry[0] is item else 1

    def pop(self) -> Any:
        if not self.stack:
            raise InputError("malformed pickle: stack underflow")
        return self.stack.pop()

    def top(self) -> Any:
        if not self.stack:
            raise InputError("malformed pickle: stack underflow")
        return self.stack[-1]

    def pop_mark(self) -> list[Any]:
        if not self.marks:
            raise InputError("malformed pickle: no MARK to pop to")
        items = self.stack
        self.stack = self.marks.pop()
        return items

    def run(self, name: str, argument: Any) -> None:
        if name in ("PROTO", "FRAME", "STOP"):
            return
        if name == "MARK":
            self.marks.append(self.stack)
            self.stack = []
        elif name == "POP":
            if self.stack:
                self.stack.pop()
            else:
                self.pop_mark()
        elif name == "POP_MARK":
            self.pop_mark()
        elif name == "DUP":
            self.stack.append(self.top())
        elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
            self.memo[int(argument)] = self.top()
        elif name == "MEMOIZE":
            self.memo[len(self.memo)] = self.top()
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            if int(argument) not in self.memo:
                raise InputError(f"malformed pickle: memo entry {argument} was never stored")
            self.stack.append(self.memo[int(argument)])
        elif name in REFUSED_OPCODES:
            self.refused(name, argument)
        else:
            self.build(name, argument)

    def push(self, value: Any) -> None:
        self.stack.append(value)

    def build(self, name: str, argument: Any) -> None:
        push = self.push  # self.stack is replaced by MARK / pop_mark: never bind its append
        if name == "NONE":
            push(None)
        elif name == "NEWTRUE":
            push(True)
        elif name == "NEWFALSE":
            push(False)
        elif name in ("INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4"):
            push(argument)
        elif name in ("FLOAT", "BINFLOAT"):
            push(float(argument))
        elif name in ("STRING", "BINSTRING", "SHORT_BINSTRING"):
            # Python 2 ``str``: bytes; pickletools hands them over as latin-1 text.
            push(str(argument).encode("latin-1"))
        elif name in ("UNICODE", "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8"):
            push(str(argument))
        elif name in ("BINBYTES", "SHORT_BINBYTES", "BINBYTES8"):
            push(bytes(argument))
        elif name == "BYTEARRAY8":
            push(bytearray(argument))
        elif name == "EMPTY_LIST":
            push([])
        elif name == "EMPTY_DICT":
            push({})
        elif name == "EMPTY_SET":
            push(set())
        elif name == "EMPTY_TUPLE":
            push(())
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            count = int(name[-1])
            if len(self.stack) < count:
                raise InputError(f"malformed pickle: {name} needs {count} items")
            items = self.stack[-count:]
            del self.stack[-count:]
            push(self.make_tuple(items))
        elif name == "TUPLE":
            push(self.make_tuple(self.pop_mark()))
        elif name == "LIST":
            push(self.pop_mark())
        elif name == "DICT":
            items = self.pop_mark()
            push(self.pairs_to_dict(items, {}))
        elif name == "FROZENSET":
            push(self.hashable_set(self.pop_mark(), frozenset))
        elif name in ("APPEND", "APPENDS"):
            items = [self.pop()] if name == "APPEND" else self.pop_mark()
            target = self.top()
            if isinstance(target, list):
                target.extend(items)
            elif isinstance(target, PickleObject):
                target.appended.extend(items)
            else:
                raise InputError(f"malformed pickle: {name} on a {type(target).__name__}")
        elif name in ("SETITEM", "SETITEMS"):
            if name == "SETITEM":
                value = self.pop()
                items = [self.pop(), value]
            else:
                items = self.pop_mark()
            target = self.top()
            if isinstance(target, dict):
                self.pairs_to_dict(items, target)
            elif isinstance(target, PickleObject):
                target.items.extend(zip(items[::2], items[1::2], strict=False))
            else:
                raise InputError(f"malformed pickle: {name} on a {type(target).__name__}")
        elif name == "ADDITEMS":
            items = self.pop_mark()
            target = self.top()
            if not isinstance(target, set):
                raise InputError(f"malformed pickle: ADDITEMS on a {type(target).__name__}")
            target.update(self.hashable_set(items, set))
        else:
            raise InputError(f"pickle opcode {name} is not supported")

    @staticmethod
    def pairs_to_dict(items: list[Any], target: dict[Any, Any]) -> dict[Any, Any]:
        if len(items) % 2:
            raise InputError("malformed pickle: odd number of items for a dict")
        try:
            for key, value in zip(items[::2], items[1::2], strict=True):
                target[key] = value
        except TypeError as error:
            raise InputError(f"malformed pickle: unhashable dict key ({error})") from error
        return target

    @staticmethod
    def hashable_set(items: list[Any], kind: type[Any]) -> Any:
        try:
            return kind(items)
        except TypeError as error:
            raise InputError(f"malformed pickle: unhashable set item ({error})") from error

    def refused(self, name: str, argument: Any) -> None:
        """Opcodes that would import or call: push an inert description instead."""
        if name in ("GLOBAL", "INST"):
            module, _, attribute = str(argument).partition(" ")
            imported = self.imported(module, attribute)
            if name == "GLOBAL":
                self.stack.append(imported)
            else:
                self.stack.append(PickleObject(name, imported, tuple(self.pop_mark())))
        elif name == "STACK_GLOBAL":
            attribute = self.pop()
            module = self.pop()
            self.stack.append(self.imported(str(module), str(attribute)))
        elif name in ("EXT1", "EXT2", "EXT4"):
            self.stack.append(self.imported("copyreg extension", str(argument)))
        elif name == "REDUCE":
            args = self.pop()
            target = self.pop()
            rebuilt = _rebuild_plain(target, args)
            self.stack.append(PickleObject(name, target, args) if rebuilt is None else rebuilt)
        elif name == "NEWOBJ":
            args = self.pop()
            self.stack.append(PickleObject(name, self.pop(), args))
        elif name == "NEWOBJ_EX":
            kwargs = self.pop()
            args = self.pop()
            self.stack.append(PickleObject(name, self.pop(), (args, kwargs)))
        elif name == "OBJ":
            items = self.pop_mark()
            if not items:
                raise InputError("malformed pickle: OBJ without a class")
            self.stack.append(PickleObject(name, items[0], tuple(items[1:])))
        elif name == "BUILD":
            state = self.pop()
            target = self.top()
            if isinstance(target, PickleObject):
                target.state = state
            else:
                self.stack[-1] = PickleObject(name, target, state)
        elif name in ("PERSID", "BINPERSID"):
            reference = argument if name == "PERSID" else self.pop()
            self.stack.append(PickleObject(name, PickleImport("persistent", "id"), reference))
        elif name == "NEXT_BUFFER":
            self.stack.append(PickleObject(name, PickleImport("out-of-band", "buffer"), ()))
        elif name == "READONLY_BUFFER":
            self.top()

    def imported(self, module: str, attribute: str) -> PickleImport:
        imported = PickleImport(module, attribute)
        self.imports.setdefault(repr(imported), None)
        return imported


# Protocol 0-2 write sets, bytes and bytearrays as calls to these constructors. They are
# rebuilt here from their plain arguments, by flaskscope's own code, never called by name.
PLAIN_CONSTRUCTORS = frozenset(
    {
        "builtins.set",
        "__builtin__.set",
        "builtins.frozenset",
        "__builtin__.frozenset",
        "builtins.bytearray",
        "__builtin__.bytearray",
        "_codecs.encode",
    }
)


def _rebuild_plain(target: Any, args: Any) -> Any:
    """The plain value a well-known constructor call stands for, or ``None``."""
    if not isinstance(target, PickleImport) or repr(target) not in PLAIN_CONSTRUCTORS:
        return None
    if not isinstance(args, tuple):
        return None
    name = target.name
    if name in ("set", "frozenset") and len(args) <= 1:
        items = args[0] if args else []
        if not isinstance(items, (list, tuple)):
            return None
        try:
            return set(items) if name == "set" else frozenset(items)
        except TypeError:
            return None
    latin1 = len(args) == 2 and isinstance(args[0], str) and args[1] in ("latin1", "latin-1")
    if name == "encode" and latin1:
        try:
            return args[0].encode("latin-1")
        except UnicodeEncodeError:
            return None
    if name == "bytearray":
        if not args:
            return bytearray()
        if len(args) == 1 and isinstance(args[0], bytes):
            return bytearray(args[0])
        if latin1:
            try:
                return bytearray(args[0].encode("latin-1"))
            except UnicodeEncodeError:
                return None
    return None
