"""Reading a real Redis: values, TTLs, and every failure as one clear StoreError."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
import redis

from flaskscope.errors import OptionError
from flaskscope.sessions.store import (
    StoreAuthError,
    StoreConnectionError,
    StoreError,
    StoreTimeoutError,
    client_with_timeout,
    connect_redis,
    describe_client,
    fetch_session,
    redact_url,
)
from tests.redis_server import RedisServer, free_port, running_redis

PASSWORD = "correct horse"


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def locked_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with running_redis(tmp_path_factory.mktemp("redis-auth"), password=PASSWORD) as server:
        yield server


def fetch(url: str, key: str = "session:k", timeout: float = 2.0) -> object:
    return fetch_session(connect_redis(url, timeout=timeout), key, store=url)


def test_value_and_ttl(redis_server: RedisServer) -> None:
    raw = redis.Redis(port=redis_server.port)
    raw.set("session:abc", b"\x81\xa1a\x01", ex=300)
    stored = fetch_session(connect_redis(redis_server.url), "session:abc", store=redis_server.url)
    assert stored.found
    assert stored.value == b"\x81\xa1a\x01"
    assert stored.ttl_seconds is not None
    assert 295 <= stored.ttl_seconds <= 300
    assert stored.ttl_seconds == raw.ttl("session:abc")
    assert stored.key_type == "string"


def test_key_without_expiry_has_no_ttl(redis_server: RedisServer) -> None:
    redis.Redis(port=redis_server.port).set("session:forever", b"\x80")
    stored = fetch_session(connect_redis(redis_server.url), "session:forever", store="r")
    assert stored.found
    assert stored.ttl_seconds is None
    assert not stored.expires


def test_missing_key_is_a_status_not_an_error(redis_server: RedisServer) -> None:
    stored = fetch_session(connect_redis(redis_server.url), "session:none", store="r")
    assert not stored.found
    assert stored.value is None
    assert stored.key_type == "none"


def test_other_database(redis_server: RedisServer) -> None:
    redis.Redis(port=redis_server.port, db=3).set("session:db3", b"\x80")
    assert not fetch_session(connect_redis(redis_server.url), "session:db3", store="r").found
    url = redis_server.url_with(db=3)
    assert fetch_session(connect_redis(url), "session:db3", store=url).found


def test_wrong_type_key(redis_server: RedisServer) -> None:
    redis.Redis(port=redis_server.port).hset("session:hash", "a", "1")
    with pytest.raises(StoreError, match="holds a Redis hash"):
        fetch_session(connect_redis(redis_server.url), "session:hash", store="r")


def test_database_out_of_range(redis_server: RedisServer) -> None:
    url = redis_server.url_with(db=999)
    with pytest.raises(StoreError, match="DB index is out of range"):
        fetch_session(connect_redis(url), "k", store=url)


def test_wrong_password(locked_server: RedisServer) -> None:
    url = locked_server.url_with(password="wrong")
    with pytest.raises(StoreAuthError) as caught:
        fetch_session(connect_redis(url), "k", store=url)
    message = str(caught.value)
    assert "authentication failed" in message
    assert "wrong" not in message.replace("wrong user name", "")  # password not echoed
    assert "***@" in message


def test_missing_password(locked_server: RedisServer) -> None:
    url = locked_server.url_with()
    with pytest.raises(StoreAuthError, match="authentication required"):
        fetch_session(connect_redis(url), "k", store=url)


def test_right_password(locked_server: RedisServer) -> None:
    redis.Redis(port=locked_server.port, password=PASSWORD).set("session:p", b"\x80")
    url = locked_server.url_with(password=PASSWORD)
    stored = fetch_session(connect_redis(url), "session:p", store=url)
    assert stored.found
    assert PASSWORD not in stored.store


def test_password_set_at_run_time_with_config_set(redis_server: RedisServer) -> None:
    admin = redis.Redis(port=redis_server.port)
    admin.config_set("requirepass", "later")
    try:
        with pytest.raises(StoreAuthError):
            fetch_session(connect_redis(redis_server.url), "k", store=redis_server.url)
    finally:
        redis.Redis(port=redis_server.port, password="later").config_set("requirepass", "")


def test_connection_refused() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    started = time.monotonic()
    with pytest.raises(StoreConnectionError, match="cannot connect") as caught:
        fetch_session(connect_redis(url, timeout=2), "k", store=url)
    assert "refused" in str(caught.value).lower()
    # No retries with back-off (they take seconds); generous for a busy 2-core machine.
    assert time.monotonic() - started < 5


def test_timeout_on_a_server_that_does_not_answer(redis_server: RedisServer) -> None:
    redis_server.pause()
    try:
        started = time.monotonic()
        with pytest.raises(StoreTimeoutError, match=r"no answer within 0.3 s"):
            fetch_session(connect_redis(redis_server.url, timeout=0.3), "k", store="r")
        elapsed = time.monotonic() - started
    finally:
        redis_server.resume()
    # The deadline bounds the whole request; the upper bound leaves room for a busy machine.
    assert 0.25 <= elapsed < 5


def test_timeout_while_the_server_is_paused_by_client_pause(redis_server: RedisServer) -> None:
    redis.Redis(port=redis_server.port).execute_command("CLIENT", "PAUSE", "800", "ALL")
    with pytest.raises(StoreTimeoutError):
        fetch_session(connect_redis(redis_server.url, timeout=0.2), "k", store="r")


@pytest.mark.parametrize(
    "url", ["http://localhost:6379", "localhost:6379", "memcached://x", "redis://host:port/0"]
)
def test_bad_urls_are_option_errors(url: str) -> None:
    with pytest.raises(OptionError):
        connect_redis(url)


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), 1e308, 86400.5])
def test_bad_timeouts_are_option_errors(timeout: float) -> None:
    with pytest.raises(OptionError):
        connect_redis("redis://localhost", timeout=timeout)


def test_redact_url() -> None:
    """The whole user information goes: a lone word before ``@`` is a password too."""
    assert redact_url("redis://:pw@host:1/2") == "redis://***@host:1/2"
    assert redact_url("redis://user:pw@host/0") == "redis://***@host/0"
    assert redact_url("redis://SECRET@host/0") == "redis://***@host/0"
    assert redact_url("redis://a@b:c@host:notaport/0") == "redis://***@host:notaport/0"
    assert redact_url("unix://:pw@/run/redis.sock?db=0") == "unix://***@/run/redis.sock?db=0"
    assert redact_url("redis://:pa/ss@host/0") == "redis://***@host/0"
    assert redact_url("redis://host:1/2") == "redis://host:1/2"


def test_app_client_gets_a_bounded_timeout(redis_server: RedisServer) -> None:
    app_client = redis.Redis(host="127.0.0.1", port=redis_server.port, db=2)
    bounded = client_with_timeout(app_client, timeout=0.3)
    assert bounded is not app_client
    assert describe_client(bounded) == f"redis://127.0.0.1:{redis_server.port}/2"
    redis_server.pause()
    try:
        with pytest.raises(StoreTimeoutError):
            fetch_session(bounded, "k", store=describe_client(bounded))
    finally:
        redis_server.resume()


def test_unix_socket(redis_server: RedisServer) -> None:
    socket_path = redis_server.socket_path
    redis.Redis(unix_socket_path=str(socket_path), db=1).set("session:unix", b"\x80", ex=30)
    url = f"unix://{socket_path}?db=1"
    client = connect_redis(url, timeout=1)
    stored = fetch_session(client, "session:unix", store=url)
    assert stored.found
    assert stored.ttl_seconds is not None
    assert 25 <= stored.ttl_seconds <= 30
    assert describe_client(client) == url
    app_client = client_with_timeout(redis.Redis(unix_socket_path=str(socket_path), db=1))
    assert fetch_session(app_client, "session:unix", store=url).found


def test_unforeseen_redis_client_failures_are_store_errors(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What redis-py raises besides its own errors (the socket module's OverflowError for a
    huge timeout, say) is a StoreError too: one line, exit 2, never a traceback."""
    client = connect_redis(redis_server.url)

    def overflow(*args: object, **kwargs: object) -> None:
        raise OverflowError("timestamp out of range for platform time_t")

    monkeypatch.setattr(socket.socket, "settimeout", overflow)
    with pytest.raises(StoreError, match="the Redis client failed: OverflowError: timestamp"):
        fetch_session(client, "k", store=redis_server.url)
