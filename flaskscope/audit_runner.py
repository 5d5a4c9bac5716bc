"""Spread the audit over worker processes, stop at the first confirmed hit.

The main process only reads: it hands whole chunks of lines (one ``bytes`` each, see
:mod:`flaskscope.wordlists`) to ``jobs`` worker processes, at most ``2 * jobs`` chunks in
flight so memory stays bounded however long the wordlist. Results are taken in the order the
chunks were read, so the key reported is the first one in wordlist order and every candidate
before it was tried. A hit from the fast check is confirmed by the caller (``confirm``,
normally :func:`flaskscope.cookie.decode_cookie`) before the search stops; an unconfirmed
claim is counted and the search goes on. At the first confirmed hit the pool is terminated,
which stops every worker at once.

Nothing here prints: progress goes to a callback.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain
from multiprocessing.pool import AsyncResult, Pool

from flaskscope.audit import AuditSpec, BatchChecker
from flaskscope.errors import OptionError
from flaskscope.wordlists import Chunk

__all__ = ["AuditRun", "default_jobs", "run_audit"]

SMALL_LIST = 20_000
"""Fewer candidates than this are searched in this process (no pool to start)."""

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


_worker_checker: BatchChecker | None = None


def _init_worker(spec: AuditSpec) -> None:
    global _worker_checker
    # Ctrl-C is the main process's business: it terminates the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_checker = BatchChecker(spec)


def _worker_check(chunk: Chunk) -> ChunkResult:
    if _worker_checker is None:
        raise RuntimeError("audit worker used before its initializer ran")
    return check_chunk(_worker_checker, chunk)


def _context() -> multiprocessing.context.BaseContext:
    # fork starts workers in milliseconds and they inherit the imported modules; spawn where
    # fork does not exist (Windows, and macOS where fork is unsafe).
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
) -> AuditRun:
    """Try every candidate of ``chunks`` against ``spec`` until ``confirm`` accepts one."""
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise OptionError(f"--jobs must be at least 1, not {jobs}")
    checker = BatchChecker(spec)
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
    else:
        key, tried, unconfirmed = _run_pool(
            spec, chain(first, iterator), jobs, confirm, on_progress
        )
    return AuditRun(key, tried, clock() - started, jobs, unconfirmed)


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


def _run_pool(
    spec: AuditSpec,
    chunks: Iterable[Chunk],
    jobs: int,
    confirm: Callable[[bytes], bool],
    on_progress: Callable[[int], None] | None,
) -> tuple[bytes | None, int, int]:
    pool: Pool = _context().Pool(jobs, initializer=_init_worker, initargs=(spec,))
    pending: deque[AsyncResult[ChunkResult]] = deque()
    tried = unconfirmed = 0
    window = 2 * jobs
    try:
        iterator = iter(chunks)
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                chunk = next(iterator, None)
                if chunk is None:
                    exhausted = True
                else:
                    pending.append(pool.apply_async(_worker_check, (chunk,)))
            if not pending:
                return None, tried, unconfirmed
            key, tried, rejected = _settle(pending.popleft().get(), tried, confirm)
            unconfirmed += rejected
            if on_progress is not None:
                on_progress(tried)
            if key is not None:
                return key, tried, unconfirmed
    finally:
        # Stops every worker at once, also mid-chunk after a hit or on Ctrl-C.
        pool.terminate()
        pool.join()
