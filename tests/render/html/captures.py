"""Real inputs for the report tests: a WebSocket client capture made by the websockets
library (sans-I/O: its own handshake, masking and permessage-deflate), a Flask cookie and a
websockets handshake, each carrying hostile text that would set ``window.__pwned`` if the
page ever ran it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import escape
from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import (
    ClientPerMessageDeflateFactory,
    ServerPerMessageDeflateFactory,
)
from websockets.server import ServerProtocol
from websockets.uri import parse_uri

HOSTILE_IMG = "<img src=x onerror=\"window.__pwned='img'\">"
HOSTILE_SCRIPT = "</script><script>window.__pwned='script'</script>"
HOSTILE_ATTR = '" onmouseover="window.__pwned=\'attr\'" x="'
HOSTILE = (HOSTILE_IMG, HOSTILE_SCRIPT, HOSTILE_ATTR)


@dataclass(frozen=True)
class ClientCapture:
    """What a websockets client sent: the upgrade request, then its frames."""

    data: bytes
    response: bytes
    texts: tuple[str, ...]
    """The text of each data message, in order (None-free: binary ones are listed apart)."""
    entries: int
    """Messages plus control frames the client sent: what the timeline must draw."""


def client_capture() -> ClientCapture:
    """A client that negotiates permessage-deflate with a websockets server, then sends
    text (hostile ones too), binary, a fragmented text, a ping and a close."""
    client = ClientProtocol(
        parse_uri("ws://127.0.0.1:8765/chat"), extensions=[ClientPerMessageDeflateFactory()]
    )
    request = client.connect()
    client.send_request(request)
    server = ServerProtocol(extensions=[ServerPerMessageDeflateFactory()])
    response = server.accept(request)
    server.send_response(response)
    response_bytes = b"".join(server.data_to_send())
    client.receive_data(response_bytes)
    texts = ("hello", *HOSTILE, '{"items": [' + ", ".join(['"abc"'] * 200) + "]}")
    for text in texts:
        client.send_text(text.encode())
    client.send_binary(bytes(range(256)))
    client.send_text(b"frag", fin=False)
    client.send_continuation(b"mented", fin=True)
    client.send_ping(b"are you there")
    client.send_close(1000, "bye <b>now</b>")
    data = b"".join(client.data_to_send())
    return ClientCapture(
        data=data,
        response=response_bytes,
        texts=(*texts, "fragmented"),
        entries=len(texts) + 1 + 1 + 2,
    )


def write_capture(directory: Path) -> tuple[Path, Path, ClientCapture]:
    capture = client_capture()
    data = directory / "client.bin"
    data.write_bytes(capture.data)
    response = directory / "response.http"
    response.write_bytes(capture.response)
    return data, response, capture


def handshake_files(directory: Path) -> tuple[Path, Path]:
    """A websockets request with a hostile subprotocol offer, and the server's answer."""
    client = ClientProtocol(parse_uri("ws://127.0.0.1:8765/chat"))
    request = client.connect()
    request.headers["Sec-WebSocket-Protocol"] = HOSTILE_SCRIPT.replace(" ", "")
    request.headers["X-Note"] = HOSTILE_IMG
    server = ServerProtocol()
    response = server.accept(request)
    request_path = directory / "request.http"
    request_path.write_bytes(request.serialize())
    response_path = directory / "response.http"
    response_path.write_bytes(response.serialize())
    return request_path, response_path


def pasted_unescaped(
    page: Path, directory: Path, hostile: tuple[str, ...], *, keep_csp: bool
) -> Path:
    """The report with the hostile texts put back unescaped (what a template without
    autoescaping would make), with or without its CSP: the controls that prove the
    browser tests' checks can fail."""
    text = page.read_text(encoding="utf-8")
    for payload in hostile:
        assert str(escape(payload)) in text
        text = text.replace(str(escape(payload)), payload)
    if not keep_csp:
        text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text)
    control = directory / (
        f"{page.stem}-pasted-csp.html" if keep_csp else f"{page.stem}-pasted.html"
    )
    control.write_text(text, encoding="utf-8")
    return control
