"""A loopback TCP relay that records both directions of every connection it carries, and
turns a recording into the messages of each connection, stamped with the time each one
completed (what a packet capture would give ``scan``).

Bounded: it serves until ``close()``; each connection's threads end when either side closes.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field

from flaskscope.frames.capture import find_http_head
from flaskscope.frames.records import FrameRecord, MessageRecord
from flaskscope.frames.stream import FrameParser
from flaskscope.subprotocols.model import WireMessage


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
