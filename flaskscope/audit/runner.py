"""Spread the audit over worker processes, stop at the first confirmed hit.

The main process only reads: it hands whole chunks of lines (one ``bytes`` each, see
:mod:`flaskscope.audit.wordlists`) to ``jobs`` worker processes, at most ``2 * jobs`` chunks in
flight so memory stays bounded however long the wordlist. Results are taken in the order the
chunks were read, so the key reported is the first one in wordlist order and every candidate
before it was tried. A hit from the fast check is confirmed by the caller (``confirm``,
normally :func:`flaskscope.cookies.decode.decode_cookie`) before the search stops; an unconfirmed
claim is counted and the search goes on. At the first confirmed hit every worker process is
terminated at once.

With the native engine the workers are threads of this process instead: the C check releases
the GIL for a whole chunk, so threads run side by side without a pool's start-up, pickling and
pipes. The same reading order, window and settling apply; after a hit the threads finish the
chunk in hand (a few milliseconds) and stop.

Nothing here prints: progress goes to a callback.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING, cast

from flaskscope.audit.checker import AuditSpec, BatchChecker
from flaskscope.audit.wordlists import Chunk
from flaskscope.errors import FlaskscopeError, OptionError
from flaskscope.runtime.process import die_with_parent

if TYPE_CHECKING:
    # multiprocessing is imported only when workers start (5 ms of a 125 ms run over
    # the built-in list, which never starts any).
    from multiprocessing.connection import Connection
    from multiprocessing.context import ForkContext, SpawnContext
    from multiprocessing.process import BaseProcess

__all__ = ["AuditRun", "default_jobs", "run_audit"]

SMALL_LIST = 20_000
"""Fewer candidates than this are searched in this process (no pool to start)."""

CHUNKS_PER_WORKER = 2
"""Chunks handed to a worker ahead: one to work on, one waiting in its pipe."""

ChunkResult = tuple[int, list[tuple[int, bytes]]]
"""(candidates in the chunk, [(index in the chunk, candidate), ...] claimed by the fast check)."""


@dataclass(frozen=True)
class AuditRun:
    """What a search did."""

    key: bytes | None
    """The confirmed key, or ``None``."""
    candidates_tried: int
    """Candidates checked: up to and including the key when found, else all of them."""
    seconds: float
    jobs: int
    """Processes that searched (1 when the list fit in one chunk: no pool is started)."""
    unconfirmed_hits: int = 0
    """Fast-check claims that the full decode did not confirm (should stay 0)."""
    engine: str = "python"
    """``native`` or ``python``: which implementation checked (see :mod:`flaskscope._speedups`)."""


def default_jobs() -> int:
    """All the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def check_chunk(checker: BatchChecker, chunk: Chunk) -> ChunkResult:
    """The fast check over one chunk; the candidates it claims, with their bytes."""
    if chunk.keys:
        keys = list(chunk.keys)
        return chunk.count, [(index, keys[index]) for index in checker.find_hits(keys)]
    hits = checker.find_hits_in_chunk(chunk.data)
    if not hits:
        return chunk.count, []
    lines = chunk.lines()
    return chunk.count, [(index, lines[index]) for index in hits]


def _worker(
    connection: Connection,
    spec: AuditSpec,
    engine: str | None,
    parent: int,
    inherited: tuple[int, ...] = (),
) -> None:
    """A worker process: check each chunk the main process sends, until it sends ``None``.

    An exception is sent back instead of a result, for the main process to raise. The worker
    dies with its parent: the kernel kills it (Linux), and the end of its pipe (EOF, once
    the forked copies of the parent's pipe ends, ``inherited``, are closed here) stops it.
    """
    # Ctrl-C is the main process's business: it terminates the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)
    for descriptor in inherited:
        with contextlib.suppress(OSError):
            os.close(descriptor)
    checker = BatchChecker(spec, engine)
    receive, send = connection.recv, connection.send
    while True:
        try:
            chunk = receive()
        except (EOFError, OSError):  # the parent is gone
            return
        if chunk is None:
            return
        try:
            result: ChunkResult | BaseException = check_chunk(checker, chunk)
        except Exception as error:
            result = error
        try:
            send(result)
        except OSError:  # the parent is gone
            return


def _worker_died() -> FlaskscopeError:
    # Not a BrokenPipeError: the CLI takes that for a closed stdout and would exit 0, which
    # audit-secret's exit codes would read as "no weak key found".
    return FlaskscopeError("an audit worker process exited unexpectedly; the search stopped")


def _context() -> ForkContext | SpawnContext:
    # fork starts workers in milliseconds and they inherit the imported modules; spawn where
    # fork does not exist (Windows, and macOS where fork is unsafe).
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform != "darwin":
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def run_audit(
    spec: AuditSpec,
    chunks: Iterable[Chunk],
    *,
    confirm: Callable[[bytes], bool],
    jobs: int | None = None,
    on_progress: Callable[[int], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
    small_list: int = SMALL_LIST,
    engine: str | None = None,
) -> AuditRun:
    """Try every candidate of ``chunks`` against ``spec`` until ``confirm`` accepts one.

    ``engine`` as :class:`~flaskscope.audit.checker.BatchChecker` takes it (``None``: the
    process's engine); every worker uses the same.
    """
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise OptionError(f"--jobs must be at least 1, not {jobs}")
    checker = BatchChecker(spec, engine)
    started = clock()
    iterator = iter(chunks)
    # Short lists (the built-in list and a few hundred lines) are done in less time than a
    # pool takes to start: read ahead a little, and search here when that was all.
    first: list[Chunk] = []
    for chunk in iterator:
        first.append(chunk)
        if sum(ahead.count for ahead in first) >= small_list:
            break
    else:
        jobs = 1
    if jobs == 1:
        key, tried, unconfirmed = _run_here(checker, chain(first, iterator), confirm, on_progress)
    elif checker.engine == "native":
        key, tried, unconfirmed = _run_threads(
            checker, chain(first, iterator), jobs, confirm, on_progress
        )
    else:
        key, tried, unconfirmed = _run_pool(
            spec, chain(first, iterator), jobs, confirm, on_progress, engine
        )
    return AuditRun(key, tried, clock() - started, jobs, unconfirmed, checker.engine)


def _settle(
    result: ChunkResult, tried: int, confirm: Callable[[bytes], bool]
) -> tuple[bytes | None, int, int]:
    """(confirmed key, candidates tried so far, unconfirmed claims) after one chunk."""
    count, claims = result
    unconfirmed = 0
    for index, candidate in claims:
        if confirm(candidate):
            return candidate, tried + index + 1, unconfirmed
        unconfirmed += 1
    return None, tried + count, unconfirmed


def _run_here(
    checker: BatchChecker,
    chunks: Iterable[Chunk],
    confirm: Callable[[bytes], bool],
    on_progress: Callable[[int], None] | None,
) -> tuple[bytes | None, int, int]:
    tried = unconfirmed = 0
    for chunk in chunks:
        key, tried, rejected = _settle(check_chunk(checker, chunk), tried, confirm)
        unconfirmed += rejected
        if on_progress is not None:
            on_progress(tried)
        if key is not None:
            return key, tried, unconfirmed
    return None, tried, unconfirmed


def _run_threads(
    checker: BatchChecker,
    chunks: Iterable[Chunk],
    jobs: int,
    confirm: Callable[[bytes], bool],
    on_progress: Callable[[int], None] | None,
) -> tuple[bytes | None, int, int]:
    """``jobs`` threads check chunks (the native check holds no GIL); results settle in order."""
    from concurrent.futures import Future, ThreadPoolExecutor

    tried = unconfirmed = 0
    window = CHUNKS_PER_WORKER * jobs
    pending: deque[Future[ChunkResult]] = deque()
    iterator = iter(chunks)
    with ThreadPoolExecutor(jobs, thread_name_prefix="flaskscope-audit") as pool:
        try:
            while True:
                while len(pending) < window:
                    chunk = next(iterator, None)
                    if chunk is None:
                        break
                    pending.append(pool.submit(check_chunk, checker, chunk))
                if not pending:
                    return None, tried, unconfirmed
                key, tried, rejected = _settle(pending.popleft().result(), tried, confirm)
                unconfirmed += rejected
                if on_progress is not None:
                    on_progress(tried)
                if key is not None:
                    return key, tried, unconfirmed
        finally:
            for future in pending:
                future.cancel()


def _run_pool(
    spec: AuditSpec,
    chunks: Iterable[Chunk],
    jobs: int,
    confirm: Callable[[bytes], bool],
    on_progress: Callable[[int], None] | None,
    engine: str | None,
) -> tuple[bytes | None, int, int]:
    """Chunks go to whichever worker is free, results are settled in reading order.

    One pipe per worker instead of a ``multiprocessing.Pool``: no task and result threads in
    the main process competing with the workers for the cores (the main process used about a
    tenth of the CPU the workers did with a pool, a thirtieth this way).
    """
    from multiprocessing.connection import wait

    context = _context()
    workers: list[tuple[BaseProcess, Connection]] = []
    # Chunk numbers each worker holds, oldest first (its results come back in that order).
    holding: dict[Connection, deque[int]] = {}
    done: dict[int, ChunkResult] = {}
    tried = unconfirmed = 0
    sent = settled = 0
    window = CHUNKS_PER_WORKER * jobs
    exhausted = False
    iterator = iter(chunks)

    def hand_out() -> None:
        """Fill the workers' queues, at most ``2 * jobs`` chunks read and not yet settled."""
        nonlocal sent, exhausted
        for held in range(CHUNKS_PER_WORKER):
            for connection, numbers in holding.items():
                if exhausted or sent - settled >= window:
                    return
                if len(numbers) > held:
                    continue
                chunk = next(iterator, None)
                if chunk is None:
                    exhausted = True
                    return
                try:
                    connection.send(chunk)
                except OSError:  # BrokenPipeError: the worker is gone
                    raise _worker_died() from None
                numbers.append(sent)
                sent += 1

    try:
        forked = context.get_start_method() == "fork"
        for _ in range(jobs):
            ours, theirs = context.Pipe()
            # A forked worker holds copies of the main process's pipe ends; it closes them,
            # so that its own pipe reaches EOF when the main process dies.
            inherited = tuple(c.fileno() for c in (*holding, ours)) if forked else ()
            started: BaseProcess = context.Process(
                target=_worker, args=(theirs, spec, engine, os.getpid(), inherited), daemon=True
            )
            started.start()
            theirs.close()
            workers.append((started, ours))
            holding[ours] = deque()
        hand_out()
        while settled < sent:
            busy = [connection for connection, numbers in holding.items() if numbers]
            for ready in wait(busy):
                connection = cast("Connection", ready)
                try:
                    result = connection.recv()
                except (EOFError, OSError):
                    raise _worker_died() from None
                if isinstance(result, BaseException):
                    raise result
                done[holding[connection].popleft()] = result
            while settled in done:
                key, tried, rejected = _settle(done.pop(settled), tried, confirm)
                settled += 1
                unconfirmed += rejected
                if on_progress is not None:
                    on_progress(tried)
                if key is not None:
                    return key, tried, unconfirmed
            hand_out()
        return None, tried, unconfirmed
    finally:
        # Stops every worker at once, also mid-chunk after a hit or on Ctrl-C.
        for process, connection in workers:
            process.terminate()
            connection.close()
        for process, _connection in workers:
            process.join()
