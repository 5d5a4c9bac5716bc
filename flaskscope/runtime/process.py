"""Standard streams, signals and worker processes, so that no pipe or signal ends in a traceback.

- A closed stdout (``cmd >&-``: ``sys.stdout`` is ``None``) or a reader that goes away
  (``cmd | head -c1``: ``EPIPE``) must not change the verdict: output is dropped from then
  on and the command finishes with the exit code its input deserves.
- Output is encoded with ``backslashreplace``, so ``PYTHONIOENCODING=ascii`` or a key with
  surrogate-escaped bytes cannot raise ``UnicodeEncodeError`` while printing.
- SIGTERM and SIGHUP raise :class:`Interrupted` in the main thread (SIGINT already raises
  ``KeyboardInterrupt``): ``finally`` blocks run (worker processes are terminated) and the
  CLI exits 128 + the signal number with one line saying what stopped.
- Worker processes ask the kernel for SIGKILL when their parent dies (Linux
  ``PR_SET_PDEATHSIG``), and also stop when the pipe from their parent reaches EOF.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, TextIO

__all__ = [
    "Interrupted",
    "die_with_parent",
    "exit_on_early_signals",
    "interrupt_signals",
    "progress_note",
    "safe_standard_streams",
    "set_progress_note",
    "signal_name",
]

_INTERRUPT_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _exit_at_once(signum: int, frame: FrameType | None) -> None:
    """Before (and after) a command runs there is nothing to clean up: one line, exit."""
    with contextlib.suppress(Exception):
        os.write(2, f"Interrupted ({signal_name(signum)}): flaskscope stopped\n".encode())
    os._exit(128 + signum)


def exit_on_early_signals() -> None:
    """SIGINT, SIGTERM and SIGHUP end the process with 128 + n and one line until a command
    runs (:func:`interrupt_signals` takes over then). Signals the caller ignores stay so."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, *_INTERRUPT_SIGNALS):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _exit_at_once)


class Interrupted(BaseException):
    """SIGTERM or SIGHUP arrived: stop like Ctrl-C does, then exit 128 + ``signum``."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextlib.contextmanager
def interrupt_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Interrupted` while the block runs (main thread only:
    Python delivers signals there); the previous handlers come back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    for signum in _INTERRUPT_SIGNALS:
        handler = signal.getsignal(signum)
        if handler is signal.SIG_IGN:  # nohup: the caller asked for SIGHUP to be ignored
            continue
        previous[signum] = handler
        signal.signal(signum, _raise_interrupted)
    if signal.getsignal(signal.SIGINT) is _exit_at_once:  # Ctrl-C: KeyboardInterrupt again
        previous[signal.SIGINT] = _exit_at_once
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


_progress: list[Callable[[], str]] = []


def set_progress_note(note: Callable[[], str] | None) -> None:
    """What the command has done so far, for the interruption line ("after 1,200 candidates")."""
    _progress.clear()
    if note is not None:
        _progress.append(note)


def progress_note() -> str:
    """The current progress note, or ``""``."""
    if not _progress:
        return ""
    try:
        return _progress[0]()
    except Exception:  # a note must never turn an interruption into a traceback
        return ""


class _DroppingWriter(io.RawIOBase):
    """A raw writer on a file descriptor that drops everything once the reader has gone."""

    def __init__(self, descriptor: int) -> None:
        super().__init__()
        self._descriptor = descriptor
        self.broken = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._descriptor

    def isatty(self) -> bool:
        try:
            return os.isatty(self._descriptor)
        except OSError:
            return False

    def write(self, data: Any) -> int:
        size = len(memoryview(data))
        if self.broken:
            return size
        try:
            return os.write(self._descriptor, data)
        except (BrokenPipeError, ConnectionResetError):
            self.broken = True
            return size
        except OSError as error:  # EBADF: closed behind our back; ENOSPC and EIO are real
            if error.errno in (9,):  # EBADF
                self.broken = True
                return size
            raise

    def close(self) -> None:  # the descriptor belongs to the process, not to this object
        super().close()


def _guarded(stream: TextIO | None, descriptor: int) -> TextIO | None:
    """A replacement for ``sys.stdout``/``sys.stderr`` that survives EPIPE and any encoding.

    Streams without a real descriptor (a test runner's buffer) are kept as they are.
    """
    if stream is None:  # the descriptor was closed before Python started (``>&-``)
        return open(os.devnull, "w", encoding="utf-8", errors="backslashreplace")
    try:
        if stream.fileno() != descriptor:
            return None
        stream.flush()
    except (AttributeError, OSError, ValueError):
        return None
    buffered = io.BufferedWriter(_DroppingWriter(descriptor))
    return io.TextIOWrapper(
        buffered,
        encoding=getattr(stream, "encoding", None) or "utf-8",
        errors="backslashreplace",
        line_buffering=bool(getattr(stream, "line_buffering", False)),
        write_through=descriptor == 2,
    )


@contextlib.contextmanager
def safe_standard_streams() -> Iterator[None]:
    """``sys.stdin``, ``sys.stdout`` and ``sys.stderr`` that no closed descriptor, broken pipe
    or unencodable character turns into a traceback while the block runs."""
    saved = (sys.stdin, sys.stdout, sys.stderr)
    if sys.stdin is None:
        sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - closed below
    replacements = (_guarded(sys.stdout, 1), _guarded(sys.stderr, 2))
    if replacements[0] is not None:
        sys.stdout = replacements[0]
    if replacements[1] is not None:
        sys.stderr = replacements[1]
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        if sys.stdin is not saved[0]:
            with contextlib.suppress(Exception):
                sys.stdin.close()
        sys.stdin, sys.stdout, sys.stderr = saved


def die_with_parent(parent_pid: int) -> None:
    """In a worker process: be killed when ``parent_pid`` dies, and keep no signal handler
    inherited from it (a forked worker would otherwise raise :class:`Interrupted` too).

    Linux gives this through ``prctl(PR_SET_PDEATHSIG)``; elsewhere the worker notices the
    EOF on its pipe from the parent instead.
    """
    for signum in _INTERRUPT_SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        os._exit(1)
