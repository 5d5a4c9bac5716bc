"""Real traffic for the scan tests: tcpdump writing a pcap while real peers talk on loopback.

``tcpdump`` and ``tshark`` are Debian packages that ``make test`` installs
(scripts/system-deps.sh); without them these tests skip, except under CI where they fail.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.redis_server import free_port

__all__ = ["capture_loopback", "free_port", "need", "tshark_json"]


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is not installed (scripts/system-deps.sh installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@contextlib.contextmanager
def capture_loopback(path: Path, port: int) -> Iterator[Path]:
    """tcpdump on ``lo`` for ``tcp port PORT`` into ``path``: started and listening before
    the block runs, stopped with SIGINT (so it flushes) and waited for after it."""
    tcpdump = need("tcpdump")
    process = subprocess.Popen(
        [tcpdump, "-i", "lo", "-U", "-n", "-s", "0", "-w", str(path), f"tcp port {port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # "listening on lo, ..." once the capture is live
        if "listening on" not in line:
            process.kill()
            rest = process.stderr.read()
            message = f"tcpdump cannot capture here: {line.strip()} {rest.strip()}"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
        yield path
        _wait_until_settled(path)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


def _wait_until_settled(path: Path, quiet: float = 1.0, limit: float = 20.0) -> None:
    """tcpdump reads the kernel's buffer at its own pace (slower on a busy machine), and a
    SIGINT drops what it has not read yet: wait until the file has stopped growing."""
    deadline = time.monotonic() + limit
    size, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        current = path.stat().st_size if path.exists() else 0
        if current != size:
            size, since = current, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.1)


def tshark_json(path: Path, port: int) -> list[dict[str, object]]:
    """tshark's dissection of ``path``, the port decoded as HTTP (then WebSocket)."""
    import json

    tshark = need("tshark")
    out = subprocess.run(
        [
            tshark,
            "-r",
            str(path),
            "-d",
            f"tcp.port=={port},http",
            "-Y",
            "websocket",
            "-T",
            "json",
            "-x",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded: list[dict[str, object]] = json.loads(out.stdout or "[]")
    return loaded
