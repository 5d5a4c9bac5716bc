"""A loopback TCP relay that records both directions of every connection it carries, and
turns a recording into the messages of each connection, stamped with the time each one
completed (what a packet capture would give ``scan``); and the runner of the JavaScript
peers in tests/js, which talk through it.

Bounded: it serves until ``close()``; each connection's threads end when either side closes.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from flaskscope.frames.capture import find_http_head
from flaskscope.frames.records import FrameRecord, MessageRecord
from flaskscope.frames.stream import FrameParser
from flaskscope.subprotocols.model import WireMessage
from tests.redis_server import free_port


@dataclass
class Recording:
    """One relayed connection: (time, direction, bytes) chunks in the order they passed."""

    chunks: list[tuple[float, str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, direction: str, data: bytes) -> None:
        with self.lock:
            self.chunks.append((time.monotonic(), direction, data))

    def stream(self, direction: str) -> bytes:
        return b"".join(data for _, side, data in self.chunks if side == direction)

    def until_close(self, direction: str) -> bytes:
        """The direction's bytes up to the end of its Close frame: werkzeug reads what a
        client sends after the WebSocket ends as a new HTTP request and answers 400, and
        python-socketio's client sends packets after its Close (RFC 6455 §5.5.1)."""
        data = self.stream(direction)
        found = find_http_head(data[:65536])
        start = found.length if found is not None and not isinstance(found, int) else 0
        parser = FrameParser(role=direction, keep=0, offset=start)
        for event in parser.feed(data[start:]):
            if isinstance(event, FrameRecord) and event.header.opcode == 8:
                return data[: event.offset + event.header.header_length + event.received]
        return data


class Relay:
    """Listens on 127.0.0.1 (an ephemeral port) and forwards to ``target_port``."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.recordings: list[Recording] = []
        self.running = True
        self.threads: list[threading.Thread] = []
        self.accepter = threading.Thread(target=self._accept, daemon=True)
        self.accepter.start()

    def _accept(self) -> None:
        while self.running:
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
            recording = Recording()
            self.recordings.append(recording)
            for source, sink, direction in (
                (client, upstream, "client"),
                (upstream, client, "server"),
            ):
                thread = threading.Thread(
                    target=self._pump, args=(source, sink, direction, recording), daemon=True
                )
                thread.start()
                self.threads.append(thread)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket, direction: str, rec: Recording) -> None:
        source.settimeout(30)
        try:
            while data := source.recv(65536):
                rec.add(direction, data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (sink, source):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.running = False
        self.accepter.join(timeout=5)
        self.listener.close()
        for thread in self.threads:
            thread.join(timeout=5)


@dataclass
class Conversation:
    request: bytes | None
    response: bytes | None
    messages: list[WireMessage]


def conversation(recording: Recording) -> Conversation:
    """Both directions parsed chunk by chunk, each up to its Close frame; messages in the
    order they completed."""
    heads: dict[str, bytes | None] = {"client": None, "server": None}
    pending: dict[str, bytes] = {"client": b"", "server": b""}
    parsers = {
        "client": FrameParser(role="client", keep=None),
        "server": FrameParser(role="server", keep=None),
    }
    stamped: list[tuple[float, str, MessageRecord]] = []
    closed: set[str] = set()
    for moment, direction, data in recording.chunks:
        if heads[direction] is None:
            pending[direction] += data
            found = find_http_head(pending[direction])
            if found is None or isinstance(found, int):
                continue
            heads[direction] = found.head
            data = pending[direction][found.length :]
        for event in parsers[direction].feed(data):
            if isinstance(event, FrameRecord) and event.header.opcode == 8:
                closed.add(direction)  # what follows a Close is not the conversation
            elif isinstance(event, MessageRecord) and direction not in closed:
                stamped.append((moment, direction, event))
    for direction, parser in parsers.items():
        for event in parser.finish():
            if isinstance(event, MessageRecord) and direction not in closed:
                stamped.append((time.monotonic(), direction, event))
    messages = [
        WireMessage(index, direction, record.opcode, record.payload, moment)
        for index, (moment, direction, record) in enumerate(stamped)
    ]
    return Conversation(heads["client"], heads["server"], messages)


JS = Path(__file__).parent.parent / "js"
"""tests/js: the JavaScript peers and their npm packages (``make test`` runs ``npm ci``)."""


def node_peers() -> Path:
    """tests/js with its npm packages installed; a skip where node cannot be had, a failure
    under CI, which must run these tests."""
    if shutil.which("node") is None or not (JS / "node_modules" / "socket.io-client").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("node and tests/js/node_modules are required under CI (make test)")
        pytest.skip("node or tests/js/node_modules missing: run make test (npm ci)")
    return JS


def run_js_peers(script: str) -> tuple[Any, list[Recording]]:
    """Run a tests/js peer script (server on a free port, client through a recording relay)
    and return what it logged (its stdout, JSON) and the relay's recordings."""
    directory = node_peers()
    port = free_port()
    relay = Relay(port)
    try:
        done = subprocess.run(
            ["node", script, str(port), str(relay.port)],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        relay.close()
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), relay.recordings
