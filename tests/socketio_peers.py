"""The Socket.IO peers the scan and subprotocol tests share: a Flask-SocketIO app (threading
mode, simple-websocket) on a loopback port and the python-socketio client's side of one
conversation (events, namespaces, acks both ways, binary attachments both ways)."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import flask_socketio
import socketio

BLOB = bytes(range(256)) * 3
RAW = b"\xfe\x00\xff"
SERVER_BLOB = b"\x00\xffserver-binary"


def restore(value: Any, attachments: list[dict[str, Any]]) -> Any:
    """Decoded args with each {"_binary": ...} put back as the attachment's bytes."""
    if isinstance(value, dict):
        if set(value) == {"_binary"}:
            return base64.b64decode(attachments[value["_binary"]["num"]]["base64"])
        return {key: restore(each, attachments) for key, each in value.items()}
    if isinstance(value, list):
        return [restore(each, attachments) for each in value]
    return value


@contextmanager
def flask_socketio_server(**options: Any) -> Iterator[tuple[int, list[Any]]]:
    """The app on a free loopback port (``options`` go to ``SocketIO``), and what it logged."""
    from flask import Flask
    from werkzeug.serving import make_server

    app = Flask(__name__)
    sio = flask_socketio.SocketIO(app, async_mode="threading", **options)
    log: list[Any] = []

    @sio.on("connect")
    def connect(auth: Any = None) -> None:
        flask_socketio.emit("welcome", {"hello": "you", "auth": auth})

    @sio.on("chat")
    def chat(data: Any) -> Any:
        log.append(("client", "/", "chat", [data]))
        return "ok", len(data["msg"])

    @sio.on("upload")
    def upload(blob: bytes, meta: dict[str, Any]) -> Any:
        log.append(("client", "/", "upload", [blob, meta]))
        flask_socketio.emit("blob", {"data": SERVER_BLOB, "n": 1})
        flask_socketio.emit("question", "why?", callback=lambda answer: log.append(("ack", answer)))
        return {"got": len(blob)}

    @sio.on("join", namespace="/chat")
    def join(name: str) -> None:
        log.append(("client", "/chat", "join", [name]))
        flask_socketio.emit("joined", [name, 1], namespace="/chat")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port, log
    finally:
        server.shutdown()
        thread.join(timeout=10)


def talk(
    port: int, server_log: list[Any], *, linger: float = 0.0
) -> tuple[list[Any], dict[str, Any]]:
    """The client's side of the conversation; returns what it logged and the ack values.
    ``linger``: seconds to stay connected at the end (heartbeats to capture)."""
    client_log: list[Any] = []
    acks: dict[str, Any] = {}
    done = threading.Event()
    client = socketio.Client()

    @client.on("welcome")
    def welcome(data: Any) -> None:
        client_log.append(("server", "/", "welcome", [data]))

    @client.on("blob")
    def blob(data: Any) -> None:
        client_log.append(("server", "/", "blob", [data]))

    @client.on("question")
    def question(text: str) -> str:
        client_log.append(("server", "/", "question", [text]))
        return "because"

    @client.on("joined", namespace="/chat")
    def joined(data: Any) -> None:
        client_log.append(("server", "/chat", "joined", [data]))
        done.set()

    try:
        client.connect(
            f"http://127.0.0.1:{port}",
            transports=["websocket"],
            namespaces=["/", "/chat"],
            auth={"token": "t0k"},
            wait_timeout=10,
        )
        acks["chat"] = client.call("chat", {"msg": "hi there"}, timeout=10)
        acks["upload"] = client.call("upload", (BLOB, {"name": "f.bin", "raw": RAW}), timeout=10)
        client.emit("join", "alice", namespace="/chat")
        assert done.wait(10)
        deadline = time.monotonic() + 10
        while ("ack", "because") not in server_log and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(linger)
    finally:
        client.disconnect()
        time.sleep(0.3)
    return client_log, acks
