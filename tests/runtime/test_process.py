"""flaskscope.runtime.process: streams that survive EPIPE and any encoding; worker lifetime."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import time

import pytest

from flaskscope.runtime.process import (
    Interrupted,
    _DroppingWriter,  # the piece the CLI relies on
    die_with_parent,
    interrupt_signals,
    progress_note,
    set_progress_note,
)


def test_a_gone_reader_drops_output_instead_of_raising() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)
    writer = _DroppingWriter(write_end)
    try:
        assert writer.write(b"hello") == 5
        assert writer.broken
        assert writer.write(b"more") == 4
    finally:
        os.close(write_end)


def _terminate_myself() -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)  # the handler raises long before this ends


def test_sigterm_raises_interrupted_inside_and_not_after() -> None:
    before = signal.getsignal(signal.SIGTERM)
    with interrupt_signals(), pytest.raises(Interrupted) as caught:
        _terminate_myself()
    assert caught.value.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is before


def test_progress_note_never_raises() -> None:
    set_progress_note(lambda: "12 candidates")
    assert progress_note() == "12 candidates"
    set_progress_note(lambda: str(1 / 0))
    assert progress_note() == ""
    set_progress_note(None)
    assert progress_note() == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_worker_asks_to_die_with_its_parent() -> None:
    """In a forked child: PR_GET_PDEATHSIG reads SIGKILL after die_with_parent."""
    parent = os.getpid()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            die_with_parent(parent)
            value = ctypes.c_int()
            libc = ctypes.CDLL(None)
            libc.prctl(2, ctypes.byref(value), 0, 0, 0)  # PR_GET_PDEATHSIG
            code = 0 if value.value == signal.SIGKILL else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
