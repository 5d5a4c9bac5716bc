"""Flask-Session server-side sessions: the id in the cookie and the session in the store.

Recognising a session id and verifying a signed one (``ids``, ``kind``), reading Redis
(``store``: the only I/O here, through the official client, imported on use), decoding stored
values as Flask-Session writes them (``payload``), showing legacy pickles without ever
unpickling them (``safe_pickle``, ``pickle_machine``), and the verdict (``report``).

May import: the standard library, itsdangerous, msgspec and redis (lazily),
:mod:`flaskscope.errors` and :mod:`flaskscope.cookies`. Never Click or rich.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flaskscope._paths import lazy_exports

if TYPE_CHECKING:  # the names, for type checkers; at run time they load on first use
    from flaskscope.sessions.ids import (
        FLASK_SESSION_DEFAULT_KEY_PREFIX as FLASK_SESSION_DEFAULT_KEY_PREFIX,
    )
    from flaskscope.sessions.ids import (
        FLASK_SESSION_SIGNER_DIGEST as FLASK_SESSION_SIGNER_DIGEST,
    )
    from flaskscope.sessions.ids import (
        FLASK_SESSION_SIGNER_KEY_DERIVATION as FLASK_SESSION_SIGNER_KEY_DERIVATION,
    )
    from flaskscope.sessions.ids import (
        FLASK_SESSION_SIGNER_SALT as FLASK_SESSION_SIGNER_SALT,
    )
    from flaskscope.sessions.ids import (
        MIN_ID_LENGTH as MIN_ID_LENGTH,
    )
    from flaskscope.sessions.ids import (
        IdShape as IdShape,
    )
    from flaskscope.sessions.ids import (
        ServerSessionCookie as ServerSessionCookie,
    )
    from flaskscope.sessions.ids import (
        SessionIdVerification as SessionIdVerification,
    )
    from flaskscope.sessions.ids import (
        SignatureStatus as SignatureStatus,
    )
    from flaskscope.sessions.ids import (
        flask_session_signer as flask_session_signer,
    )
    from flaskscope.sessions.ids import (
        parse_server_session_cookie as parse_server_session_cookie,
    )
    from flaskscope.sessions.ids import (
        sign_session_id as sign_session_id,
    )
    from flaskscope.sessions.ids import (
        verify_session_id as verify_session_id,
    )
    from flaskscope.sessions.kind import (
        NotASessionIdError as NotASessionIdError,
    )
    from flaskscope.sessions.kind import (
        server_session_cookie as server_session_cookie,
    )
    from flaskscope.sessions.payload import (
        SERIALIZATION_FORMATS as SERIALIZATION_FORMATS,
    )
    from flaskscope.sessions.payload import (
        SerializationFormat as SerializationFormat,
    )
    from flaskscope.sessions.payload import (
        StoredPayload as StoredPayload,
    )
    from flaskscope.sessions.payload import (
        StoredPayloadError as StoredPayloadError,
    )
    from flaskscope.sessions.payload import (
        decode_stored_payload as decode_stored_payload,
    )
    from flaskscope.sessions.report import (
        STATUSES as STATUSES,
    )
    from flaskscope.sessions.report import (
        ServerSessionReport as ServerSessionReport,
    )
    from flaskscope.sessions.report import (
        inspect_server_session as inspect_server_session,
    )
    from flaskscope.sessions.safe_pickle import (
        MAX_DISASSEMBLY_OPS as MAX_DISASSEMBLY_OPS,
    )
    from flaskscope.sessions.safe_pickle import (
        MAX_OPS as MAX_OPS,
    )
    from flaskscope.sessions.safe_pickle import (
        PickleImport as PickleImport,
    )
    from flaskscope.sessions.safe_pickle import (
        PickleObject as PickleObject,
    )
    from flaskscope.sessions.safe_pickle import (
        PickleOp as PickleOp,
    )
    from flaskscope.sessions.safe_pickle import (
        PickleView as PickleView,
    )
    from flaskscope.sessions.safe_pickle import (
        looks_like_pickle as looks_like_pickle,
    )
    from flaskscope.sessions.safe_pickle import (
        view_pickle as view_pickle,
    )
    from flaskscope.sessions.store import (
        DEFAULT_TIMEOUT as DEFAULT_TIMEOUT,
    )
    from flaskscope.sessions.store import (
        MAX_TIMEOUT as MAX_TIMEOUT,
    )
    from flaskscope.sessions.store import (
        REDIS_SCHEMES as REDIS_SCHEMES,
    )
    from flaskscope.sessions.store import (
        StoreAuthError as StoreAuthError,
    )
    from flaskscope.sessions.store import (
        StoreConnectionError as StoreConnectionError,
    )
    from flaskscope.sessions.store import (
        StoredSession as StoredSession,
    )
    from flaskscope.sessions.store import (
        StoreError as StoreError,
    )
    from flaskscope.sessions.store import (
        StoreTimeoutError as StoreTimeoutError,
    )
    from flaskscope.sessions.store import (
        connect_redis as connect_redis,
    )
    from flaskscope.sessions.store import (
        fetch_session as fetch_session,
    )
    from flaskscope.sessions.store import (
        redact_url as redact_url,
    )

_EXPORTS: dict[str, str] = {
    "DEFAULT_TIMEOUT": "flaskscope.sessions.store",
    "FLASK_SESSION_DEFAULT_KEY_PREFIX": "flaskscope.sessions.ids",
    "FLASK_SESSION_SIGNER_DIGEST": "flaskscope.sessions.ids",
    "FLASK_SESSION_SIGNER_KEY_DERIVATION": "flaskscope.sessions.ids",
    "FLASK_SESSION_SIGNER_SALT": "flaskscope.sessions.ids",
    "IdShape": "flaskscope.sessions.ids",
    "MAX_DISASSEMBLY_OPS": "flaskscope.sessions.safe_pickle",
    "MAX_OPS": "flaskscope.sessions.safe_pickle",
    "MAX_TIMEOUT": "flaskscope.sessions.store",
    "MIN_ID_LENGTH": "flaskscope.sessions.ids",
    "NotASessionIdError": "flaskscope.sessions.kind",
    "PickleImport": "flaskscope.sessions.safe_pickle",
    "PickleObject": "flaskscope.sessions.safe_pickle",
    "PickleOp": "flaskscope.sessions.safe_pickle",
    "PickleView": "flaskscope.sessions.safe_pickle",
    "REDIS_SCHEMES": "flaskscope.sessions.store",
    "SERIALIZATION_FORMATS": "flaskscope.sessions.payload",
    "STATUSES": "flaskscope.sessions.report",
    "SerializationFormat": "flaskscope.sessions.payload",
    "ServerSessionCookie": "flaskscope.sessions.ids",
    "ServerSessionReport": "flaskscope.sessions.report",
    "SessionIdVerification": "flaskscope.sessions.ids",
    "SignatureStatus": "flaskscope.sessions.ids",
    "StoreAuthError": "flaskscope.sessions.store",
    "StoreConnectionError": "flaskscope.sessions.store",
    "StoreError": "flaskscope.sessions.store",
    "StoreTimeoutError": "flaskscope.sessions.store",
    "StoredPayload": "flaskscope.sessions.payload",
    "StoredPayloadError": "flaskscope.sessions.payload",
    "StoredSession": "flaskscope.sessions.store",
    "connect_redis": "flaskscope.sessions.store",
    "decode_stored_payload": "flaskscope.sessions.payload",
    "fetch_session": "flaskscope.sessions.store",
    "flask_session_signer": "flaskscope.sessions.ids",
    "inspect_server_session": "flaskscope.sessions.report",
    "looks_like_pickle": "flaskscope.sessions.safe_pickle",
    "parse_server_session_cookie": "flaskscope.sessions.ids",
    "redact_url": "flaskscope.sessions.store",
    "server_session_cookie": "flaskscope.sessions.kind",
    "sign_session_id": "flaskscope.sessions.ids",
    "verify_session_id": "flaskscope.sessions.ids",
    "view_pickle": "flaskscope.sessions.safe_pickle",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
