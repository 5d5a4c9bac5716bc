"""STOMP frames as stomp.py's own protocol code writes them (Protocol12: header escaping,
content-length, then utils.convert_frame), client and server commands and heart-beats, decode
to what stomp.py was given; stomp.py's parser agrees on every header."""

from __future__ import annotations

from typing import Any

import pytest

from flaskscope.subprotocols import decode_conversation
from flaskscope.subprotocols.model import WireMessage

stomp_protocol = pytest.importorskip("stomp.protocol")
stomp_utils = pytest.importorskip("stomp.utils")


class RecordingTransport:
    """What stomp.py's Protocol12 hands its transport, as the bytes it would send."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def transmit(self, frame: Any) -> None:
        self.sent.append(b"".join(stomp_utils.convert_frame(frame)))

    def set_listener(self, *args: Any) -> None:
        pass


TRICKY = "a:b\\c\nd\re"


def _frames() -> tuple[list[tuple[str, str, dict[str, str], str]], list[bytes]]:
    transport = RecordingTransport()
    protocol = stomp_protocol.Protocol12(transport, (0, 0))
    given: list[tuple[str, str, dict[str, str], str]] = []

    def frame(direction: str, cmd: str, headers: dict[str, str], body: str = "") -> None:
        given.append((direction, cmd, dict(headers), body))
        protocol.send_frame(cmd, dict(headers), body)

    frame("client", "CONNECT", {"accept-version": "1.2", "host": "/", "heart-beat": "1000,1000"})
    frame("server", "CONNECTED", {"version": "1.2", "heart-beat": "1000,1000"})
    frame("client", "SUBSCRIBE", {"destination": "/queue/a", "id": "0", "ack": "client"})
    frame("client", "SEND", {"destination": "/queue/a", "note": TRICKY,
                             "content-type": "text/plain"}, "héllo\nworld")  # fmt: skip
    frame("server", "MESSAGE", {"destination": "/queue/a", "message-id": "m1",
                                "subscription": "0", "ack": "a1"}, "héllo\nworld")  # fmt: skip
    # content-length (convert_frame fills in the byte count) lets a body hold NUL.
    frame("server", "MESSAGE", {"destination": "/q", "message-id": "m2", "subscription": "0",
                                "content-length": "0"}, "nul\x00inside ü")  # fmt: skip
    given[-1][2]["content-length"] = str(len("nul\x00inside ü".encode()))
    frame("client", "ACK", {"id": "a1"})
    frame("client", "BEGIN", {"transaction": "t1"})
    frame("client", "COMMIT", {"transaction": "t1"})
    frame("client", "UNSUBSCRIBE", {"id": "0"})
    frame("client", "DISCONNECT", {"receipt": "r1"})
    frame("server", "RECEIPT", {"receipt-id": "r1"})
    frame("server", "ERROR", {"message": "bad thing: happened"}, "details")
    sent = list(transport.sent)
    transport.transmit(stomp_utils.Frame(None, {}, None))  # a heart-beat, as stomp.py sends it
    return given, [*sent, transport.sent[-1]]


def test_stomp_py_frames_decode_to_what_it_was_given() -> None:
    given, sent = _frames()
    assert sent[-1] == b"\n"
    directions = [direction for direction, *_ in given] + ["client"]
    messages = [
        WireMessage(index, direction, 1, data)
        for index, (direction, data) in enumerate(zip(directions, sent, strict=True))
    ]
    result = decode_conversation(messages, choice="auto")
    assert result.detection.protocol == "stomp"
    assert result.violations == ()
    for (direction, cmd, headers, body), decoded, data in zip(
        given, result.messages, sent, strict=False
    ):
        assert decoded.direction == direction
        assert decoded.decoded["command"] == cmd
        assert dict(decoded.decoded["headers"]) == headers
        assert decoded.decoded["body"] == body
        oracle = stomp_utils.parse_frame(data.rstrip(b"\x00"))
        assert oracle.cmd == cmd
        assert oracle.headers == dict(decoded.decoded["headers"])
    assert result.messages[-1].kind == "heartbeat"
    assert result.messages[5].decoded["body"] == "nul\x00inside ü"
    assert dict(result.messages[3].decoded["headers"])["note"] == TRICKY
