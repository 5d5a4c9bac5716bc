"""A bounded look through a Flask-Session Redis store for legacy pickled sessions.

``SCAN`` (never ``KEYS``, which blocks the server) with ``MATCH prefix*``, in batches; each
value's first bytes are checked with :func:`flaskscope.sessions.safe_pickle.looks_like_pickle`.
Values are never unpickled.
"""

from __future__ import annotations

from typing import Any

from flaskscope.sessions.store import StoreError

__all__ = ["scan_for_pickles"]

BATCH = 500
MAX_EXAMPLES = 3


def scan_for_pickles(client: Any, prefix: str, limit: int) -> tuple[int, int, list[str]]:
    """``(keys looked at, pickled values, a few example keys)``; at most ``limit`` keys."""
    from flaskscope.sessions.safe_pickle import looks_like_pickle

    pattern = _glob_escape(prefix) + "*"
    scanned = pickled = 0
    examples: list[str] = []
    batch: list[Any] = []
    try:
        for key in client.scan_iter(match=pattern, count=BATCH):
            batch.append(key)
            scanned += 1
            if len(batch) >= BATCH or scanned >= limit:
                pickled += _count(client, batch, examples, looks_like_pickle)
                batch = []
            if scanned >= limit:
                break
        if batch:
            pickled += _count(client, batch, examples, looks_like_pickle)
    except Exception as error:
        raise StoreError("the session store", f"{type(error).__name__}: {error}") from error
    return scanned, pickled, examples


def _count(client: Any, keys: list[Any], examples: list[str], check: Any) -> int:
    values = client.mget(keys)
    count = 0
    for key, value in zip(keys, values, strict=True):
        if isinstance(value, bytes) and check(value):
            count += 1
            if len(examples) < MAX_EXAMPLES:
                examples.append(
                    key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
                )
    return count


def _glob_escape(text: str) -> str:
    """Redis MATCH is a glob: escape its special characters in the prefix."""
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)
