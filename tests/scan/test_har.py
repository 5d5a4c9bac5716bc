"""``scan`` on HAR 1.2 in Chrome's format (``_webSocketMessages``) and Firefox's (Set-Cookie
lines joined by newlines): cookies from headers and cookie arrays, the 101 handshake
checked, messages checked at the message level."""

from __future__ import annotations

import base64
import json
import time

import pytest

from flaskscope.captures import CaptureError
from flaskscope.scan import CookieSettings, Scanner, ScanSettings
from tests.captures.har import header, websocket_entry

SECRET = "har-secret"


def _cookie(session: dict[str, object]) -> str:
    from flask import Flask

    app = Flask(__name__)
    app.secret_key = SECRET
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer is not None
    return str(serializer.dumps(session))


def chrome_har(cookie: str) -> dict[str, object]:
    started = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    now = time.time()
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "pages": [],
            "entries": [
                {
                    "startedDateTime": started,
                    "time": 12.5,
                    "request": {
                        "method": "POST",
                        "url": "http://127.0.0.1:5000/login",
                        "httpVersion": "HTTP/1.1",
                        "headers": [{"name": "Host", "value": "127.0.0.1:5000"}],
                        "cookies": [],
                        "queryString": [],
                        "headersSize": -1,
                        "bodySize": 0,
                    },
                    "response": {
                        "status": 302,
                        "statusText": "FOUND",
                        "httpVersion": "HTTP/1.1",
                        "headers": [
                            {"name": "Set-Cookie", "value": f"session={cookie}; HttpOnly; Path=/"}
                        ],
                        "cookies": [
                            {"name": "session", "value": cookie, "path": "/", "httpOnly": True}
                        ],
                        "content": {"size": 0, "mimeType": "text/html"},
                        "redirectURL": "/",
                        "headersSize": -1,
                        "bodySize": -1,
                    },
                    "cache": {},
                    "timings": {"send": 0, "wait": 10, "receive": 2.5},
                },
                websocket_entry(
                    "ws://127.0.0.1:5000/ws",
                    [
                        {"type": "send", "time": now, "opcode": 1, "data": "hello"},
                        {"type": "receive", "time": now + 0.01, "opcode": 1, "data": "echo: hello"},
                        {
                            "type": "receive",
                            "time": now + 0.02,
                            "opcode": 2,
                            "data": base64.b64encode(b"\x00\xffbin").decode(),
                        },
                        {
                            "type": "send",
                            "time": now + 0.03,
                            "opcode": 9,
                            "data": base64.b64encode(b"p" * 200).decode(),
                        },
                        {
                            "type": "receive",
                            "time": now + 0.04,
                            "opcode": 8,
                            "data": base64.b64encode(b"\x03\xed").decode(),
                        },
                    ],
                    request_headers=[header("Cookie", f"theme=dark; session={cookie}")],
                    request_cookies=[{"name": "session", "value": cookie}],
                    started=started,
                    elapsed=0,
                ),
            ],
        }
    }


def _scan(document: dict[str, object], **settings: object) -> tuple[Scanner, list[object]]:
    scanner = Scanner(ScanSettings(now=time.time(), **settings))  # type: ignore[arg-type]
    data = json.dumps(document).encode()
    return scanner, list(scanner.scan("export.har", [data[:100], data[100:]]))


def test_chrome_har_cookies_handshake_and_messages() -> None:
    cookie = _cookie({"user": "carol"})
    scanner, reports = _scan(chrome_har(cookie), cookies=CookieSettings(secret_key=SECRET))
    login, websocket = reports
    assert login.kind == "http"  # type: ignore[attr-defined]
    assert [(e.method, e.status) for e in login.exchanges] == [("POST", 302)]  # type: ignore[attr-defined]
    [finding] = scanner.cookies()
    assert finding.value == cookie
    assert finding.verdict == "valid"
    assert [s.header for s in finding.sightings] == ["Set-Cookie", "Cookie"]
    assert websocket.kind == "websocket"  # type: ignore[attr-defined]
    assert websocket.handshake is not None  # type: ignore[attr-defined]
    assert websocket.handshake.valid  # type: ignore[attr-defined]
    got = [(m.direction, m.opcode, m.payload) for m in websocket.messages]  # type: ignore[attr-defined]
    assert got == [
        ("client", 1, b"hello"),
        ("server", 1, b"echo: hello"),
        ("server", 2, b"\x00\xffbin"),
        ("client", 9, b"p" * 200),
        ("server", 8, b"\x03\xed"),
    ]
    # a ping over 125 bytes and close code 1005 (reserved, never sent): message-level checks
    assert websocket.violation_counts == {"control-too-long": 1, "invalid-close-code": 1}  # type: ignore[attr-defined]
    assert any("frame bytes" in note for note in websocket.notes)  # type: ignore[attr-defined]


def test_firefox_joins_set_cookie_lines() -> None:
    cookie = _cookie({"a": 1})
    document = chrome_har(cookie)
    entry = document["log"]["entries"][0]  # type: ignore[index]
    entry["response"]["headers"] = [  # type: ignore[index]
        {"name": "set-cookie", "value": f"theme=x; Path=/\nsession={cookie}; HttpOnly"}
    ]
    entry["response"]["cookies"] = []  # type: ignore[index]
    scanner, _ = _scan(document)
    assert [f.verdict for f in scanner.cookies()] == ["unverified"]


@pytest.mark.parametrize(
    "text",
    [b'{"log": 1}', b'{"log": {"entries": "x"}}', b'{"log": {"entries": [1, 2]} ', b'{"log" ]'],
)
def test_broken_hars_are_capture_errors(text: bytes) -> None:
    scanner = Scanner(ScanSettings())
    with pytest.raises(CaptureError):
        list(scanner.scan("x.har", [text]))
