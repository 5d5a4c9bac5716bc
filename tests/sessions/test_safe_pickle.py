"""The pickle viewer: plain pickles rebuilt exactly, code-running pickles never run."""

from __future__ import annotations

import contextlib
import os
import pickle
import pickletools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flaskscope.errors import FlaskscopeError, InputError
from flaskscope.sessions.safe_pickle import (
    PickleImport,
    PickleObject,
    looks_like_pickle,
    view_pickle,
)
from tests.profiles import examples

PLAIN_VALUES: list[Any] = [
    {"user": "alice", "_permanent": True},
    {"n": 42, "big": 2**80, "neg": -7, "f": 1.5, "none": None, "t": True, "f2": False},
    {"nested": {"list": [1, [2, [3]]], "tuple": (1, "two", (3.0,))}},
    {"bytes": b"\x00\xff", "text": "caf\u00e9 \u202e", "empty": "", "ba": bytearray(b"xy")},
    {"set": {1, 2, 3}, "frozen": frozenset({"a"}), "emptyset": set()},
    [1, 2, 3],
    "just a string",
]


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
@pytest.mark.parametrize("value", PLAIN_VALUES, ids=range(len(PLAIN_VALUES)))
def test_plain_pickles_are_rebuilt_equal_to_what_pickle_wrote(protocol: int, value: Any) -> None:
    data = pickle.dumps(value, protocol=protocol)
    view = view_pickle(data)
    assert view.value == value
    assert type(view.value) is type(value)
    assert view.unsafe_imports == ()
    assert view.protocol == protocol
    assert view.trailing_bytes == 0
    if protocol == 5:
        # Protocol 5 writes sets, bytes and bytearrays natively: nothing to import at all.
        assert not view.would_run_code


def test_shared_references_stay_shared() -> None:
    inner = [1, 2]
    view = view_pickle(pickle.dumps({"a": inner, "b": inner}, protocol=2))
    assert view.value["a"] is view.value["b"]


def test_disassembly_has_pickletools_opcodes_and_positions() -> None:
    data = pickle.dumps({"k": [1, "v"]}, protocol=2)
    expected = [(op.name, pos) for op, _arg, pos in pickletools.genops(data)]
    view = view_pickle(data)
    assert [(op.name, op.position) for op in view.ops] == expected
    lines = view.disassembly()
    assert len(lines) == len(expected)
    assert "SETITEM" in lines[-2]
    assert lines[-1].strip().endswith("STOP")


class _WritesAFile:
    """Unpickling this creates ``path`` (through ``open(path, "w")``)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.path, "w"))


class _RunsAShellCommand:
    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (self.command,))


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_pickle_that_would_run_code_is_shown_and_nothing_runs(
    protocol: int, tmp_path: Path
) -> None:
    opened = tmp_path / "created-by-open"
    touched = tmp_path / "created-by-os-system"
    session = {
        "user": "mallory",
        "evil": _WritesAFile(str(opened)),
        "shell": _RunsAShellCommand(f"touch {touched}"),
    }
    data = pickle.dumps(session, protocol=protocol)

    view = view_pickle(data)

    assert not opened.exists()
    assert not touched.exists()
    assert view.would_run_code
    assert f"{open.__module__}.open" in view.unsafe_imports
    assert f"{os.system.__module__}.system" in view.unsafe_imports
    assert view.value["user"] == "mallory"
    evil = view.value["evil"]
    assert isinstance(evil, PickleObject)
    assert evil.how == "REDUCE"
    assert isinstance(evil.callable, PickleImport)
    assert evil.callable.name == "open"
    assert evil.args == (str(opened), "w")
    shell = view.value["shell"]
    assert isinstance(shell, PickleObject)
    assert shell.args == (f"touch {touched}",)
    refused = {op.name for op in view.refused}
    assert "REDUCE" in refused
    assert refused & {"GLOBAL", "STACK_GLOBAL"}
    # The control: the real unpickler does run it, so the check above can fail.
    pickle.loads(data)
    assert opened.exists()
    assert touched.exists()


def test_build_and_newobj_are_described_not_run() -> None:
    class Point:
        def __init__(self) -> None:
            self.x = 1

    Point.__qualname__ = "Point"
    Point.__module__ = __name__
    globals()["Point"] = Point
    try:
        data = pickle.dumps({"p": Point()}, protocol=2)
    finally:
        del globals()["Point"]
    view = view_pickle(data)
    point = view.value["p"]
    assert isinstance(point, PickleObject)
    assert point.how == "NEWOBJ"
    assert repr(point.callable) == f"{__name__}.Point"
    assert point.state == {"x": 1}


def test_protocol_0_python2_style_pickle() -> None:
    # What Python 2 pickle.dumps({'user': 'bob', u'n': 1}) wrote (protocol 0).
    data = b"(dp0\nS'user'\np1\nS'bob'\np2\nsVn\np3\nI1\ns."
    view = view_pickle(data)
    assert view.value == {b"user": b"bob", "n": 1}
    assert looks_like_pickle(data)


@pytest.mark.parametrize(
    "data",
    [b"", b"\x80", b"\x80\x04", b"(", b"\x80\x02}q\x00", b"\x80\x07.", b"}}s.", b"a."],
)
def test_broken_pickles_are_input_errors(data: bytes) -> None:
    with pytest.raises(InputError):
        view_pickle(data)


def test_a_self_containing_list_does_not_hang() -> None:
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    view = view_pickle(pickle.dumps(cyclic, protocol=2))
    assert view.value[0] is view.value


@settings(max_examples=examples(300))
@given(st.binary(max_size=512))
def test_random_bytes_give_a_view_or_a_flaskscope_error(data: bytes) -> None:
    with contextlib.suppress(FlaskscopeError):
        view_pickle(data)


@settings(max_examples=examples(200))
@given(
    st.sampled_from([pickle.dumps(v, protocol=p) for v in PLAIN_VALUES for p in (0, 2, 4, 5)]),
    st.data(),
)
def test_mutated_pickles_give_a_view_or_a_flaskscope_error(data: bytes, draw: Any) -> None:
    position = draw.draw(st.integers(0, len(data) - 1))
    replacement = draw.draw(st.binary(min_size=0, max_size=4))
    mutated = data[:position] + replacement + data[position + 1 :]
    with contextlib.suppress(FlaskscopeError):
        view_pickle(mutated)


def _shared_reference_bomb(levels: int, *, as_dict_key: bool) -> bytes:
    """t0 = (1,), t(i+1) = (t(i), t(i)) through the memo: 2**levels leaves in few bytes."""
    data = bytearray(b"\x80\x02")
    data += b"}" if as_dict_key else b"]"  # EMPTY_DICT / EMPTY_LIST
    data += b"K\x01\x85q\x000"  # BININT1 1, TUPLE1, BINPUT 0, POP
    for level in range(levels):
        # BINGET, BINGET, TUPLE2, BINPUT, POP
        data += b"h%ch%c\x86q%c0" % (level, level, level + 1)
    data += b"h%c" % levels  # BINGET the last one
    data += b"K\x01s." if as_dict_key else b"a."  # SETITEM / APPEND, STOP
    return bytes(data)


def test_a_hash_bomb_is_refused_quickly() -> None:
    # The control: pickletools agrees this is a well-formed pickle.
    bomb = _shared_reference_bomb(60, as_dict_key=True)
    assert [op.name for op, _a, _p in pickletools.genops(bomb)][-1] == "STOP"
    with pytest.raises(InputError, match="hash bomb"):
        view_pickle(bomb)


def test_small_shared_structures_are_fine() -> None:
    data = _shared_reference_bomb(5, as_dict_key=True)
    view = view_pickle(data)
    assert view.value == pickle.loads(data)  # plain data built by this test: safe to load
