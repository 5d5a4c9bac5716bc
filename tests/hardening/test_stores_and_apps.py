"""Redis stores, ``--app`` configuration, cookie text and compressed captures that try to
exhaust memory or time, or to reach the terminal through an error message."""

from __future__ import annotations

import json
import secrets
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hardening.processes import (
    FLASK,
    SAMPLES,
    TIMEOUT,
    assert_one_error_line,
    environment,
    flaskscope_argv,
    run,
)
from tests.redis_server import RedisServer, running_redis

SESSION_ID = (SAMPLES / "flask-session-cookie.txt").read_text().strip()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with running_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server


# -- Redis ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "redis://:hunter2@127.0.0.1:notaport/0",
        "redis://:hunter2@127.0.0.1:99999/0",
        "redis://hunter2@127.0.0.1:1/0",
        "redis://user:hunter2@127.0.0.1:1/0",
        "redis://:hun/ter2@127.0.0.1:1/0",
    ],
)
def test_bad_store_urls_are_one_line_without_the_password(url: str) -> None:
    line = assert_one_error_line(run("decode-cookie", SESSION_ID, "--store", url, "--timeout", "2"))
    assert "hunter2" not in line
    assert "hun/ter2" not in line
    assert "***@127.0.0.1" in line


class TricklingServer:
    """Answers every connection one byte a second, for at most ``seconds`` (bounded)."""

    def __init__(self, seconds: float = 20.0) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(seconds)
        self.port = self.listener.getsockname()[1]
        self.seconds = seconds
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        deadline = time.monotonic() + self.seconds
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return
        with connection:
            while time.monotonic() < deadline:
                try:
                    connection.sendall(b"+")
                except OSError:
                    return
                time.sleep(0.5)

    def close(self) -> None:
        self.listener.close()
        self.thread.join(self.seconds + 5)


def test_store_timeout_bounds_the_whole_request() -> None:
    """A reply that never ends, one byte at a time, used to defeat ``--timeout`` (a read
    timeout) for ever."""
    server = TricklingServer()
    try:
        started = time.monotonic()
        completed = run(
            "decode-cookie",
            SESSION_ID,
            "--store",
            f"redis://127.0.0.1:{server.port}/0",
            "--timeout",
            "1.5",
        )
        elapsed = time.monotonic() - started
    finally:
        server.close()
    line = assert_one_error_line(completed)
    assert "no answer within 1.5 s" in line
    assert elapsed < 15


def test_huge_stored_value_is_refused_unread(redis_server: RedisServer) -> None:
    """A 20 MiB value is refused from its length; at most 16 MiB + 1 byte are fetched."""
    import redis

    client = redis.Redis(port=redis_server.port)
    client.set(f"session:{SESSION_ID}", b"\x80" * (20 << 20), ex=600)
    try:
        line = assert_one_error_line(run("decode-cookie", SESSION_ID, "--store", redis_server.url))
    finally:
        client.delete(f"session:{SESSION_ID}")
    assert "holds 20,971,520 bytes" in line


# -- --app and flask scope ------------------------------------------------------------

BAD_APPS = {
    "int_key": "app.config['SECRET_KEY'] = 12345",
    "list_key": "app.config['SECRET_KEY'] = ['a', 'b']",
    "huge_lifetime": "app.config['PERMANENT_SESSION_LIFETIME'] = 10**30",
    "text_lifetime": "app.config['PERMANENT_SESSION_LIFETIME'] = 'forever'",
    "numeric_salt": "app.session_interface.salt = 12",
    "raising_serializer": (
        "def broken(app):\n"
        "    raise RuntimeError('boom \\x1b[31mred\\x1b[0m')\n"
        "app.session_interface.get_signing_serializer = broken"
    ),
}


def _write_app(directory: Path, name: str, body: str) -> None:
    (directory / f"{name}.py").write_text(
        "from flask import Flask\n"
        "app = Flask(__name__)\n"
        "app.config['SECRET_KEY'] = 'dev'\n"
        f"{body}\n"
    )


@pytest.mark.parametrize("name", sorted(BAD_APPS))
def test_wrong_typed_app_config_is_one_line(tmp_path: Path, name: str) -> None:
    _write_app(tmp_path, name, BAD_APPS[name])
    cookie = "eyJhIjoxfQ.aw16Fw.2r80JfF0000000000000000000"
    argvs = [flaskscope_argv("decode-cookie", "--app", name, cookie)]
    if FLASK is not None:
        argvs.append([FLASK, "--app", name, "scope", "decode-cookie", cookie])
    for argv in argvs:
        completed = subprocess.run(
            argv,
            capture_output=True,
            cwd=tmp_path,
            env=environment(),
            timeout=TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        line = assert_one_error_line(completed)
        assert "\x1b" not in line
    if name == "raising_serializer":
        assert "boom \\x1b[31mred" in line


# -- cookies ------------------------------------------------------------------------------


def test_truncated_signed_cookie_is_not_a_session_id() -> None:
    """A Flask cookie cut before its first dot decodes to JSON: not a Flask-Session id."""
    flask_app = pytest.importorskip("flask").Flask("t")
    flask_app.secret_key = "dev"
    serializer = flask_app.session_interface.get_signing_serializer(flask_app)
    assert serializer is not None
    cookie = serializer.dumps({"is_admin": False, "user": "alice", "roles": ["reader", "editor"]})
    assert cookie.index(".") > 62
    for cut in (62, cookie.index(".")):
        line = assert_one_error_line(run("decode-cookie", cookie[:cut]))
        assert "truncated signed cookie" in line


def test_real_session_ids_stay_session_ids() -> None:
    for _ in range(20):
        # "--": an id may start with "-" (one in 64).
        completed = run("decode-cookie", "--json", "--", secrets.token_urlsafe(32))
        assert completed.returncode == 0, completed.stderr.decode()
        assert json.loads(completed.stdout)["kind"] == "server-side"


def _peak_rss_kib(argv: list[str]) -> tuple[int, subprocess.CompletedProcess[bytes]]:
    """Peak RSS of one child, measured in a fresh parent so no other child counts."""
    probe = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "sys.stderr.buffer.write(done.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, done.returncode)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe, *argv],
        capture_output=True,
        env=environment(),
        timeout=TIMEOUT * 2,
        check=False,
    )
    peak, code = completed.stdout.split()
    return int(peak), subprocess.CompletedProcess(argv, int(code), b"", completed.stderr)


def test_finding_a_cookie_in_a_huge_header_is_bounded(tmp_path: Path) -> None:
    """Two million cookies in one 30 MB header: the header used to be split whole (RSS ~20x
    the text); now it is read once, in blocks."""
    header = tmp_path / "header.txt"
    pairs = b"; ".join(b"c%d=v%d" % (n, n) for n in range(2_000_000))
    header.write_bytes(
        b"Cookie: " + pairs + b"; session=eyJhIjoxfQ.aw16Fw.AAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
    )
    size_kib = header.stat().st_size // 1024
    peak, completed = _peak_rss_kib(
        flaskscope_argv("decode-cookie", "--file", str(header), "--json")
    )
    assert completed.returncode == 0, completed.stderr.decode()
    assert peak < 5 * size_kib + 80_000, (peak, size_kib)


# -- compressed captures ------------------------------------------------------------------


def _compressed_messages(count: int, size: int) -> bytes:
    """``count`` server messages of ``size`` zero bytes, each compressed on its own
    (permessage-deflate without context takeover, RFC 7692 §7.2.1)."""
    frames = bytearray()
    for _ in range(count):
        deflater = zlib.compressobj(wbits=-15)
        payload = deflater.compress(b"\0" * size) + deflater.flush(zlib.Z_SYNC_FLUSH)
        payload = payload.removesuffix(b"\x00\x00\xff\xff")
        assert len(payload) < 65536
        frames += bytes([0xC2, 126]) + len(payload).to_bytes(2, "big") + payload
    return bytes(frames)


def test_total_decompressed_bytes_are_capped(tmp_path: Path) -> None:
    """Sixty 8 MiB messages (each under --max-message-size) are 480 MiB inflated: the run
    stops inflating at --max-total-decompressed with one decompression-limit violation."""
    capture = tmp_path / "bombs.bin"
    capture.write_bytes(_compressed_messages(60, 8 << 20))
    completed = run(
        "parse-frame",
        "--file",
        str(capture),
        "--deflate-params",
        "permessage-deflate; server_no_context_takeover",
        "--max-total-decompressed",
        str(32 << 20),
        "--json",
    )
    assert completed.returncode == 1, completed.stderr.decode()
    document = json.loads(completed.stdout)
    codes = [violation["code"] for violation in document["violations"]]
    assert codes == ["decompression-limit"]
    assert len(completed.stdout) < 200 << 20
