"""Make the subprotocol samples (docs/subprotocols.md) from real peers.

Run from the repository root: ``.venv/bin/python samples/subprotocols_make_samples.py``.
Socket.IO: a Flask-SocketIO app and the python-socketio client through the tests' recording
relay (each direction's bytes, HTTP head first). GraphQL: the graphql-ws library's server and
client (tests/js, needs node and ``npm ci`` there). STOMP: stomp.py's Protocol12 frame code
in client WebSocket frames. Masking keys and session ids are the peers' own random ones, so
the bytes change from run to run, the content not.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from tests.subprotocols.relay import Relay  # noqa: E402


def socketio_capture() -> tuple[bytes, bytes]:
    import flask_socketio
    import socketio
    from flask import Flask
    from werkzeug.serving import make_server

    app = Flask(__name__)
    sio = flask_socketio.SocketIO(app, async_mode="threading")

    @sio.on("connect")
    def connect(auth: Any = None) -> None:
        flask_socketio.emit("welcome", {"hello": "you"})

    @sio.on("chat")
    def chat(data: Any) -> Any:
        return "ok", len(data["msg"])

    @sio.on("upload")
    def upload(blob: bytes, meta: dict[str, Any]) -> Any:
        flask_socketio.emit("thumbnail", {"png": b"\x89PNG\r\n\x1a\n", "of": meta["name"]})
        return {"got": len(blob)}

    @sio.on("join", namespace="/chat")
    def join(name: str) -> None:
        flask_socketio.emit("joined", {"room": "lobby", "who": [name]}, namespace="/chat")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    relay = Relay(server.server_port)
    joined = threading.Event()
    client = socketio.Client()
    client.on("joined", lambda data: joined.set(), namespace="/chat")
    try:
        client.connect(
            f"http://127.0.0.1:{relay.port}",
            transports=["websocket"],
            namespaces=["/", "/chat"],
            wait_timeout=10,
        )
        client.call("chat", {"msg": "hello, world"}, timeout=10)
        client.call("upload", (bytes(range(16)), {"name": "f.bin"}), timeout=10)
        client.emit("join", "alice", namespace="/chat")
        joined.wait(10)
        time.sleep(0.2)
    finally:
        client.disconnect()
        time.sleep(0.2)
        relay.close()
        server.shutdown()
        thread.join(timeout=10)
    [recording] = relay.recordings
    return recording.stream("client"), recording.stream("server")


def graphql_capture() -> tuple[bytes, bytes] | None:
    import socket

    js = HERE.parent / "tests" / "js"
    if not (js / "node_modules" / "graphql-ws").is_dir():
        print("skipping GraphQL: run npm ci in tests/js", file=sys.stderr)
        return None
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    relay = Relay(port)
    try:
        subprocess.run(
            ["node", "graphql_peers.js", str(port), str(relay.port)],
            cwd=js,
            check=True,
            capture_output=True,
            timeout=60,
        )
    finally:
        relay.close()
    [recording] = relay.recordings
    return recording.stream("client"), recording.stream("server")


def stomp_client() -> bytes:
    import os

    from stomp import utils
    from stomp.protocol import Protocol12

    from flaskscope.frames.builder import build_frames

    sent: list[bytes] = []

    class Transport:
        def transmit(self, frame: Any) -> None:
            sent.append(b"".join(utils.convert_frame(frame)))

        def set_listener(self, *args: Any) -> None:
            pass

    protocol = Protocol12(Transport(), (0, 0))
    protocol.send_frame("CONNECT", {"accept-version": "1.2", "host": "/", "heart-beat": "0,0"})
    protocol.send_frame("SUBSCRIBE", {"destination": "/queue/orders", "id": "0", "ack": "auto"})
    protocol.send_frame(
        "SEND",
        {"destination": "/queue/orders", "content-type": "application/json", "note": "a:b"},
        '{"order": 17, "qty": 2}',
    )
    protocol.send_frame("SEND", {}, "no destination")
    sent.append(b"\n")  # a heart-beat
    head = (
        b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Protocol: v12.stomp\r\n\r\n"
    )
    frames = b"".join(build_frames(1, data, mask_keys=[os.urandom(4)]).data for data in sent)
    return head + frames


def socketio_broken() -> bytes:
    """A server's Socket.IO traffic broken on purpose, one fault per message."""
    from flaskscope.frames.builder import build_frames

    packets = [
        '0{"sid":"broken","upgrades":[],"pingInterval":25000,"pingTimeout":20000,'
        '"maxPayload":1000000}',
        '42["chat",{"msg":"cut',
        '451-["upload",{"_placeholder":true,"num":0}]',
        '42["next"]',
        "49",
        "3",
        '42["disconnect"]',
    ]
    return b"".join(build_frames(1, packet.encode()).data for packet in packets)


def main() -> None:
    client, server = socketio_capture()
    (HERE / "socketio-client.bin").write_bytes(client)
    (HERE / "socketio-server.bin").write_bytes(server)
    graphql = graphql_capture()
    if graphql is not None:
        (HERE / "graphql-client.bin").write_bytes(graphql[0])
        (HERE / "graphql-server.bin").write_bytes(graphql[1])
    (HERE / "stomp-client.bin").write_bytes(stomp_client())
    (HERE / "socketio-bad.bin").write_bytes(socketio_broken())
    print("wrote socketio-*.bin, graphql-*.bin, stomp-client.bin")


if __name__ == "__main__":
    main()
