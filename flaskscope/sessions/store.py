"""Fetch a stored Flask-Session session from Redis: its value and its time to live.

This is the one module that talks to a store. It uses the ``redis`` client (imported lazily,
so ``decode-cookie`` without ``--store`` never pays for it) with a bounded connect and read
timeout and no retries, and turns every failure into a :class:`StoreError` with a one-line
message: connection refused, timeout, a wrong or missing password, a key of the wrong type.

Flask-Session's ``RedisSessionInterface`` writes ``SET key value EX lifetime`` with
``key = SESSION_KEY_PREFIX + sid``; a missing key means the session expired, was cleared
(``session.clear()`` deletes it) or never existed: that is a status, not an error.
"""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from flaskscope.errors import FlaskscopeError, OptionError

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_STORED_VALUE",
    "MAX_TIMEOUT",
    "REDIS_SCHEMES",
    "StoreAuthError",
    "StoreConnectionError",
    "StoreError",
    "StoreTimeoutError",
    "StoredSession",
    "connect_redis",
    "fetch_session",
    "redact_url",
]

DEFAULT_TIMEOUT = 5.0
"""Seconds for the whole request: connecting, sending and every reply (``--timeout``)."""

MAX_STORED_VALUE = 16 * 1024 * 1024
"""The largest stored value read (Flask-Session values are a few KiB): ``STRLEN`` is asked
first and at most this many bytes are fetched (``GETRANGE``), so a 500 MB value is refused
instead of read whole."""

MAX_TIMEOUT = 86400.0
"""The longest ``--timeout``: a day (longer is no timeout at all in practice)."""
REDIS_SCHEMES = ("redis", "rediss", "unix")
"""URL schemes ``redis.Redis.from_url`` understands."""

# Redis ``TTL``: -2 when the key does not exist, -1 when it has no expiry.
_TTL_MISSING = -2
_TTL_PERSISTENT = -1


class StoreError(FlaskscopeError):
    """The store cannot be asked (exit 2: flaskscope cannot proceed)."""

    def __init__(self, store: str, detail: str) -> None:
        self.store = store
        self.detail = detail
        super().__init__(f"{store}: {detail}")


class StoreConnectionError(StoreError):
    """No connection (refused, unreachable, unknown host, TLS failure)."""


class StoreTimeoutError(StoreError):
    """The server did not answer within ``--timeout`` seconds."""


class StoreAuthError(StoreError):
    """The server refused the credentials (wrong password, or none given where needed)."""


@dataclass(frozen=True)
class StoredSession:
    """What the store holds under one key."""

    store: str
    """The store URL with any password replaced by ``***``."""
    key: str
    key_type: str
    """Redis ``TYPE``: ``string`` for a Flask-Session value, ``none`` when missing."""
    value: bytes | None
    ttl_seconds: int | None
    """Seconds left (Redis ``TTL``); ``None`` when the key is missing or never expires."""

    @property
    def found(self) -> bool:
        return self.value is not None

    @property
    def expires(self) -> bool:
        return self.ttl_seconds is not None


def redact_url(url: str) -> str:
    """``url`` without its user information, for messages and output.

    Everything before the last ``@`` of the authority goes, not only what follows a colon:
    ``redis://SECRET@host/0`` gives the password as the user name (Redis 6 ACLs read the
    single word as the password).
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url if "@" not in url else "<store URL>"
    # The last "@" before the query: a password may hold an unencoded "/" or "@".
    before_query = rest.split("?", 1)[0].split("#", 1)[0]
    if "@" not in before_query:
        return url
    cut = before_query.rindex("@")
    return f"{scheme}://***@{rest[cut + 1 :]}"


def _check_timeout(timeout: float) -> float:
    """Positive and at most a day: socket timeouts past what ``time_t`` holds (``1e308``)
    make the socket module raise ``OverflowError`` deep inside redis-py."""
    if not math.isfinite(timeout) or not 0 < timeout <= MAX_TIMEOUT:
        raise OptionError(
            f"--timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds, not {timeout:g}"
        )
    return timeout


def connect_redis(url: str, *, timeout: float = DEFAULT_TIMEOUT) -> Any:
    """A ``redis.Redis`` client for ``url`` with ``timeout`` and no retries (no I/O yet)."""
    _check_timeout(timeout)
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme not in REDIS_SCHEMES:
        raise OptionError(
            f"--store must be a Redis URL such as redis://localhost:6379/0 "
            f"(schemes: {', '.join(REDIS_SCHEMES)}), not {redact_url(url)!r}"
        )
    _check_port(url)
    redis = _import_redis()
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    try:
        return redis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
    except (ValueError, TypeError) as error:
        raise OptionError(f"--store {redact_url(url)}: {error}") from error


def _check_port(url: str) -> None:
    """A port that is a number from 1 to 65535 (``urlsplit`` raises ``ValueError`` else)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsing it is the check
    except ValueError:
        raise OptionError(
            f"--store {redact_url(url)}: the port must be a number from 1 to 65535"
        ) from None


def client_with_timeout(client: Any, *, timeout: float = DEFAULT_TIMEOUT) -> Any:
    """A new client with ``client``'s connection settings, ``timeout`` and no retries.

    Used for an app's own ``SESSION_REDIS`` client (``--app``), whose timeouts may be
    unbounded; the app's client object itself is left alone.
    """
    _check_timeout(timeout)
    redis = _import_redis()
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    pool = client.connection_pool
    settings = dict(pool.connection_kwargs)
    settings.update(
        socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )
    if getattr(pool.connection_class, "__name__", "") == "UnixDomainSocketConnection":
        settings.pop("socket_connect_timeout", None)
    new_pool = redis.ConnectionPool(connection_class=pool.connection_class, **settings)
    return redis.Redis(connection_pool=new_pool)


def describe_client(client: Any) -> str:
    """``redis://host:port/db`` (or ``unix://path``) for a client, without credentials."""
    settings = client.connection_pool.connection_kwargs
    if "path" in settings:
        return f"unix://{settings['path']}?db={settings.get('db', 0)}"
    host = str(settings.get("host", "localhost"))
    if ":" in host:
        host = f"[{host}]"
    return f"redis://{host}:{settings.get('port', 6379)}/{settings.get('db', 0)}"


def _import_redis() -> Any:
    try:
        import redis
    except ImportError as error:  # a runtime dependency; only a broken install lacks it
        raise FlaskscopeError(
            "reading a Redis store needs the redis package (pip install redis)"
        ) from error
    return redis


def fetch_session(
    client: Any, key: str, *, store: str, max_value: int = MAX_STORED_VALUE
) -> StoredSession:
    """``TYPE``, ``TTL``, ``STRLEN`` and the first ``max_value + 1`` bytes (``GETRANGE``) of
    ``key`` in one ``MULTI`` transaction, within the client's timeout as a whole.

    ``store`` names the store in messages (a redacted URL). Every redis-py failure becomes a
    :class:`StoreError`; a missing key is a :class:`StoredSession` with ``found == False``;
    a value over ``max_value`` bytes is a :class:`StoreError` (it is never read whole).
    """
    store = redact_url(store)
    redis = _import_redis()
    exceptions = redis.exceptions
    has_password = client.connection_pool.connection_kwargs.get("password") is not None

    def request() -> list[Any]:
        pipeline = client.pipeline(transaction=True)
        pipeline.type(key)
        pipeline.ttl(key)
        pipeline.strlen(key)
        pipeline.getrange(key, 0, max_value)
        return list(pipeline.execute(raise_on_error=False))

    try:
        key_type, ttl, length, value = _within_deadline(request, client)
    except exceptions.AuthenticationError as error:
        raise StoreAuthError(store, _auth_detail(error, has_password)) from error
    except exceptions.TimeoutError as error:
        raise StoreTimeoutError(store, _timeout_detail(client)) from error
    except exceptions.ConnectionError as error:
        raise StoreConnectionError(store, f"cannot connect: {_reason(error)}") from error
    except exceptions.ResponseError as error:
        if _is_auth_refusal(error):
            raise StoreAuthError(store, _auth_detail(error, has_password)) from error
        raise StoreError(store, f"the server refused: {_reason(error)}") from error
    except exceptions.RedisError as error:
        raise StoreError(store, _reason(error)) from error
    except OSError as error:
        raise StoreConnectionError(store, f"cannot connect: {error}") from error
    except Exception as error:  # redis-py or the socket module failing in a way not foreseen
        raise StoreError(
            store, f"the Redis client failed: {type(error).__name__}: {_reason(error)}"
        ) from error
    key_type_name = _text(key_type)
    if isinstance(value, Exception) or isinstance(length, Exception):
        if key_type_name not in ("none", "string"):
            raise StoreError(
                store,
                f"key {key!r} holds a Redis {key_type_name}, not a Flask-Session value "
                "(a string); check --key-prefix and the database number",
            )
        failed = value if isinstance(value, Exception) else length
        raise StoreError(store, f"GET {key!r} failed: {_reason(failed)}")
    if isinstance(ttl, Exception):
        raise StoreError(store, f"TTL {key!r} failed: {_reason(ttl)}")
    if key_type_name == "none":
        return StoredSession(store, key, key_type_name, None, None)
    if int(length) > max_value or len(value) > max_value:
        raise StoreError(
            store,
            f"key {key!r} holds {int(length):,} bytes, more than the {max_value:,} a"
            " Flask-Session value can reasonably be; not read",
        )
    ttl_seconds = None if int(ttl) in (_TTL_MISSING, _TTL_PERSISTENT) else int(ttl)
    return StoredSession(store, key, key_type_name, bytes(value), ttl_seconds)


def _within_deadline(request: Callable[[], list[Any]], client: Any) -> list[Any]:
    """``request()`` bounded by the client's timeout as a whole, not per read: a server
    that trickles one byte a second never lets a per-read timeout expire. The request runs
    in a daemon thread; at the deadline its connections are closed (which ends it) and
    redis's ``TimeoutError`` is raised here."""
    timeout = client.connection_pool.connection_kwargs.get("socket_timeout") or DEFAULT_TIMEOUT
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, request()))
        except BaseException as error:  # handed to the caller's thread
            outcome.append((False, error))

    worker = threading.Thread(target=run, name="flaskscope-redis", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive() or not outcome:
        with contextlib.suppress(Exception):
            client.connection_pool.disconnect()
        raise _import_redis().exceptions.TimeoutError("the whole request took too long")
    succeeded, result = outcome[0]
    if not succeeded:
        raise result
    return cast("list[Any]", result)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text or type(error).__name__


def _is_auth_refusal(error: BaseException) -> bool:
    text = str(error).upper()
    return text.startswith(("NOAUTH", "WRONGPASS")) or "AUTH" in text.split(" ", 1)[0]


def _auth_detail(error: BaseException, has_password: bool) -> str:
    text = str(error)
    if not has_password or text.upper().startswith("NOAUTH"):
        return (
            "authentication required: the server wants a password "
            "(give it in the URL: redis://:PASSWORD@host:port/db)"
        )
    return f"authentication failed (wrong user name or password): {_reason(error)}"


def _timeout_detail(client: Any) -> str:
    timeout = client.connection_pool.connection_kwargs.get("socket_timeout")
    return f"no answer within {timeout:g} s (timeout; see --timeout)" if timeout else "timeout"
