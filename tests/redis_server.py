"""A real ``redis-server`` on a free loopback port in a temporary directory, for tests.

Tests that need a store use :func:`running_redis` (directly or through a fixture in their
own module). When no ``redis-server`` binary exists (``make test`` installs the Debian
package through ``scripts/system-deps.sh``), the test is skipped with the reason, except
under CI (``CI`` set), where it fails: CI must run these tests, not skip them.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

START_TIMEOUT = 10.0


def redis_server_binary() -> str | None:
    found = shutil.which("redis-server")
    if found:
        return found
    for candidate in ("/usr/bin/redis-server", "/usr/sbin/redis-server"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class RedisServer:
    port: int
    directory: Path
    process: subprocess.Popen[bytes]
    password: str | None = None

    @property
    def socket_path(self) -> Path:
        return self.directory / f"r{self.port}.sock"

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def url_with(self, *, password: str | None = None, db: int = 0) -> str:
        auth = f":{password}@" if password is not None else ""
        return f"redis://{auth}127.0.0.1:{self.port}/{db}"

    def pause(self) -> None:
        """Stop the server process (SIGSTOP): it accepts connections and never answers."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


def _ready(port: int, password: str | None) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
            if password:
                secret = password.encode()
                connection.sendall(b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n" % (len(secret), secret))
                if not connection.recv(64).startswith(b"+OK"):
                    return False
            connection.sendall(b"PING\r\n")
            return connection.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def running_redis(directory: Path, *, password: str | None = None) -> Iterator[RedisServer]:
    """Start ``redis-server`` (no persistence) and stop it on exit."""
    binary = redis_server_binary()
    if binary is None:
        reason = (
            "no redis-server binary: install the Debian package redis-server "
            "(bash scripts/system-deps.sh)"
        )
        if os.environ.get("CI"):
            # Issue 7: CI must end up running these tests against a real server.
            pytest.fail(f"CI must run the Redis tests, but there is {reason}")
        pytest.skip(reason)
    directory.mkdir(parents=True, exist_ok=True)
    last_log = ""
    for _attempt in range(3):
        port = free_port()
        command = [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--logfile",
            str(directory / f"redis-{port}.log"),
        ]
        if password:
            command += ["--requirepass", password]
        # Also on a unix socket (short path: sun_path is limited to about 100 bytes).
        command += ["--unixsocket", str(directory / f"r{port}.sock"), "--unixsocketperm", "700"]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            if _ready(port, password):
                break
            time.sleep(0.05)
        if process.poll() is None and _ready(port, password):
            server = RedisServer(port, directory, process, password)
            try:
                yield server
            finally:
                server.resume()
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                if process.stderr is not None:
                    process.stderr.close()
            return
        process.kill()
        process.wait()
        log = directory / f"redis-{port}.log"
        last_log = log.read_text(errors="replace")[-500:] if log.exists() else ""
    raise RuntimeError(f"redis-server did not start: {last_log}")
