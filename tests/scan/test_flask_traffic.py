"""``scan`` on a real Flask app: a session cookie set and sent back over a real HTTP client,
and a flask-sock WebSocket route served by Werkzeug, captured by tcpdump on loopback."""

from __future__ import annotations

import http.cookiejar
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from flaskscope.scan import CookieSettings, Scanner, ScanSettings
from tests.scan.loopback import capture_loopback, free_port

SECRET = "flaskscope-test-secret"


def _app(server_sent: list[str]) -> object:
    from flask import Flask, session
    from flask_sock import Sock

    app = Flask(__name__)
    app.secret_key = SECRET
    sock = Sock(app)

    @app.get("/login/<name>")
    def login(name: str) -> str:
        session["user"] = name
        session["roles"] = ["reader"]
        return "logged in"

    @app.get("/me")
    def me() -> str:
        return str(session.get("user"))

    @sock.route("/ws")
    def echo(websocket: object) -> None:
        while True:
            message = websocket.receive()  # type: ignore[attr-defined]
            if message == "bye":
                break
            reply = f"flask:{message}"
            websocket.send(reply)  # type: ignore[attr-defined]
            server_sent.append(reply)

    return app


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, list[str]]]:
    from werkzeug.serving import make_server

    server_sent: list[str] = []
    port = free_port()
    server = make_server("127.0.0.1", port, _app(server_sent), threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port, server_sent
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_session_cookie_and_websocket_route(tmp_path: Path, served: tuple[int, list[str]]) -> None:
    import simple_websocket

    port, server_sent = served
    path = tmp_path / "flask.pcap"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    client_sent = ["one", "two ✓", "three" * 1000]
    with capture_loopback(path, port):
        assert (
            opener.open(f"http://127.0.0.1:{port}/login/alice", timeout=10).read() == b"logged in"
        )
        assert opener.open(f"http://127.0.0.1:{port}/me", timeout=10).read() == b"alice"
        [cookie] = list(jar)
        websocket = simple_websocket.Client.connect(
            f"ws://127.0.0.1:{port}/ws", headers={"Cookie": f"session={cookie.value}"}
        )
        for message in client_sent:
            websocket.send(message)
            websocket.receive(timeout=10)
        websocket.send("bye")  # the route returns: flask-sock closes the connection
        deadline = time.monotonic() + 10
        while websocket.connected and time.monotonic() < deadline:
            time.sleep(0.05)
    scanner = Scanner(
        ScanSettings(cookies=CookieSettings(secret_key=SECRET), keep=1 << 20, now=time.time())
    )
    # reported as each connection closes: the client may close /login after /me
    reports = sorted(scanner.scan(str(path), [path.read_bytes()]), key=lambda r: r.id)
    http_reports = [report for report in reports if report.kind == "http"]
    exchanges = [(e.method, e.target, e.status) for r in http_reports for e in r.exchanges]
    assert exchanges == [("GET", "/login/alice", 200), ("GET", "/me", 200)]
    [finding] = scanner.cookies()
    assert finding.value == cookie.value  # the cookie the app set, as the client kept it
    assert finding.verdict == "valid"
    assert finding.decoded is not None
    assert finding.decoded.session == {"user": "alice", "roles": ["reader"]}
    assert [s.header for s in finding.sightings] == ["Set-Cookie", "Cookie", "Cookie"]
    [ws] = [report for report in reports if report.kind == "websocket"]
    assert ws.handshake is not None
    assert ws.handshake.valid
    assert finding.id in ws.cookies
    client = [m.text for m in ws.messages if m.direction == "client" and m.opcode == 1]
    server = [m.text for m in ws.messages if m.direction == "server" and m.opcode == 1]
    assert client == [*client_sent, "bye"]
    assert server == server_sent
    # Werkzeug writes an HTTP response after flask-sock's Close: one finding, not a cascade
    codes = [violation.code for violation in ws.violations]
    assert set(codes) <= {"http-after-close"}
    assert codes.count("http-after-close") <= 1
