"""The weak-secret audit: which candidate key signed a cookie.

The batched HMAC check (``checker``), streamed candidate sources and the built-in list
(``wordlists``), the worker processes (``runner``), the cookie side of a search: what counts
as a hit (``cookie``), and the hand-off line for hashcat mode 29100 (``hashcat``).

May import: the standard library, :mod:`flaskscope.errors`, :mod:`flaskscope.cookies` and
:mod:`flaskscope.runtime` (worker processes that die with their parent) and
:mod:`flaskscope._speedups` (the native check; with it the workers are threads).
Never Click or rich; progress is reported through a callback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flaskscope._paths import lazy_exports

if TYPE_CHECKING:  # the names, for type checkers; at run time they load on first use
    from flaskscope.audit.checker import (
        KEY_DERIVATIONS as KEY_DERIVATIONS,
    )
    from flaskscope.audit.checker import (
        AuditReport as AuditReport,
    )
    from flaskscope.audit.checker import (
        AuditSpec as AuditSpec,
    )
    from flaskscope.audit.checker import (
        BatchChecker as BatchChecker,
    )
    from flaskscope.audit.checker import (
        split_lines as split_lines,
    )
    from flaskscope.audit.cookie import (
        audit_report as audit_report,
    )
    from flaskscope.audit.cookie import (
        audit_spec as audit_spec,
    )
    from flaskscope.audit.cookie import (
        check_signature_size as check_signature_size,
    )
    from flaskscope.audit.cookie import (
        confirmer as confirmer,
    )
    from flaskscope.audit.hashcat import (
        HASHCAT_MODE as HASHCAT_MODE,
    )
    from flaskscope.audit.hashcat import (
        HashcatLine as HashcatLine,
    )
    from flaskscope.audit.hashcat import (
        HashcatUnsupportedError as HashcatUnsupportedError,
    )
    from flaskscope.audit.hashcat import (
        hashcat_line as hashcat_line,
    )
    from flaskscope.audit.runner import (
        AuditRun as AuditRun,
    )
    from flaskscope.audit.runner import (
        default_jobs as default_jobs,
    )
    from flaskscope.audit.runner import (
        run_audit as run_audit,
    )
    from flaskscope.audit.wordlists import (
        BUILTIN_NAME as BUILTIN_NAME,
    )
    from flaskscope.audit.wordlists import (
        CHUNK_BYTES as CHUNK_BYTES,
    )
    from flaskscope.audit.wordlists import (
        MAX_LINE_BYTES as MAX_LINE_BYTES,
    )
    from flaskscope.audit.wordlists import (
        Chunk as Chunk,
    )
    from flaskscope.audit.wordlists import (
        WordlistError as WordlistError,
    )
    from flaskscope.audit.wordlists import (
        WordlistSource as WordlistSource,
    )
    from flaskscope.audit.wordlists import (
        builtin_source as builtin_source,
    )
    from flaskscope.audit.wordlists import (
        chunks_from_stream as chunks_from_stream,
    )
    from flaskscope.audit.wordlists import (
        count_lines as count_lines,
    )
    from flaskscope.audit.wordlists import (
        file_source as file_source,
    )
    from flaskscope.audit.wordlists import (
        stream_source as stream_source,
    )

_EXPORTS: dict[str, str] = {
    "AuditReport": "flaskscope.audit.checker",
    "AuditRun": "flaskscope.audit.runner",
    "AuditSpec": "flaskscope.audit.checker",
    "BUILTIN_NAME": "flaskscope.audit.wordlists",
    "BatchChecker": "flaskscope.audit.checker",
    "CHUNK_BYTES": "flaskscope.audit.wordlists",
    "Chunk": "flaskscope.audit.wordlists",
    "HASHCAT_MODE": "flaskscope.audit.hashcat",
    "HashcatLine": "flaskscope.audit.hashcat",
    "HashcatUnsupportedError": "flaskscope.audit.hashcat",
    "KEY_DERIVATIONS": "flaskscope.audit.checker",
    "MAX_LINE_BYTES": "flaskscope.audit.wordlists",
    "WordlistError": "flaskscope.audit.wordlists",
    "WordlistSource": "flaskscope.audit.wordlists",
    "audit_report": "flaskscope.audit.cookie",
    "audit_spec": "flaskscope.audit.cookie",
    "builtin_source": "flaskscope.audit.wordlists",
    "check_signature_size": "flaskscope.audit.cookie",
    "chunks_from_stream": "flaskscope.audit.wordlists",
    "confirmer": "flaskscope.audit.cookie",
    "count_lines": "flaskscope.audit.wordlists",
    "default_jobs": "flaskscope.audit.runner",
    "file_source": "flaskscope.audit.wordlists",
    "hashcat_line": "flaskscope.audit.hashcat",
    "run_audit": "flaskscope.audit.runner",
    "split_lines": "flaskscope.audit.checker",
    "stream_source": "flaskscope.audit.wordlists",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
