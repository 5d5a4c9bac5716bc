"""Write tests/vectors/socketio-packets.json from python-socketio's and python-engineio's own
packet encoders: every Socket.IO packet type (binary ones with attachments) and every
Engine.IO packet type, each with what the encoder was given (the expected decoding).

Run: .venv/bin/python tests/vectors/make_socketio_vectors.py (tests/subprotocols checks the
file still matches what the installed libraries encode).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

from engineio import packet as eio
from socketio import packet as sio

OUT = Path(__file__).with_name("socketio-packets.json")

SOCKET_PACKETS: list[tuple[str, int, object, str | None, int | None]] = [
    ("connect", sio.CONNECT, None, None, None),
    ("connect-auth", sio.CONNECT, {"token": "abc"}, None, None),
    ("connect-namespace", sio.CONNECT, {"sid": "s1"}, "/admin", None),
    ("disconnect", sio.DISCONNECT, None, None, None),
    ("disconnect-namespace", sio.DISCONNECT, None, "/admin", None),
    ("event", sio.EVENT, ["chat", {"msg": "hi", "n": [1, 2.5, None, True]}], None, None),
    ("event-ack", sio.EVENT, ["ask", "question?"], "/chat", 12),
    ("event-unicode", sio.EVENT, ["ünï", '☃ \u2028 "quoted" ,'], "/ns", None),
    ("event-number-args", sio.EVENT, ["nums", 0, -1, 1e300], None, 0),
    ("ack", sio.ACK, ["ok", 2], None, 12),
    ("ack-namespace", sio.ACK, [], "/chat", 7),
    ("connect-error", sio.CONNECT_ERROR, {"message": "Not authorized"}, "/admin", None),
    ("binary-event", sio.EVENT, ["upload", b"\x00\x01\x02", {"file": b"\xff" * 300}], "/f", 3),
    ("binary-event-nested", sio.EVENT, ["deep", [[{"a": [b"x"]}]], b""], None, None),
    ("binary-ack", sio.ACK, [b"\x10\x20", "done"], "/f", 3),
]

ENGINE_PACKETS: list[tuple[str, int, object]] = [
    (
        "open",
        eio.OPEN,
        {
            "sid": "lv_VI97HAXpY6yYWAAAC",
            "upgrades": [],
            "pingInterval": 25000,
            "pingTimeout": 20000,
            "maxPayload": 1000000,
        },
    ),
    ("close", eio.CLOSE, None),
    ("ping", eio.PING, None),
    ("pong", eio.PONG, None),
    ("ping-probe", eio.PING, "probe"),
    ("pong-probe", eio.PONG, "probe"),
    ("message-text", eio.MESSAGE, "hello"),
    ("message-binary", eio.MESSAGE, b"\x01\x02\x03"),
    ("upgrade", eio.UPGRADE, None),
    ("noop", eio.NOOP, None),
]


def _wire(encoded: str | bytes) -> dict[str, str]:
    if isinstance(encoded, bytes):
        return {"opcode": "binary", "base64": base64.b64encode(encoded).decode("ascii")}
    return {"opcode": "text", "text": encoded}


def _expected_args(data: list[object]) -> object:
    """Bytes become {"size": n} where the decoder puts {"_binary": {...}}."""

    def walk(value: object) -> object:
        if isinstance(value, bytes):
            return {"_binary_size": len(value)}
        if isinstance(value, list):
            return [walk(each) for each in value]
        if isinstance(value, dict):
            return {key: walk(each) for key, each in value.items()}
        return value

    return walk(data)


def socket_vectors() -> list[dict[str, object]]:
    vectors = []
    for name, kind, data, namespace, ack_id in SOCKET_PACKETS:
        packet = sio.Packet(kind, data=data, namespace=namespace, id=ack_id)
        encoded = packet.encode()
        parts = encoded if isinstance(encoded, list) else [encoded]
        # Engine.IO carries each Socket.IO packet in a message packet ("4" + text).
        messages = [_wire(eio.Packet(eio.MESSAGE, data=part).encode()) for part in parts]
        type_names = ["CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR",
                      "BINARY_EVENT", "BINARY_ACK"]  # fmt: skip
        expected: dict[str, object] = {
            "socketio_type": type_names[packet.packet_type],
            "namespace": namespace or "/",
            "ack_id": ack_id,
            "attachment_sizes": [len(part) for part in parts[1:]],
        }
        if kind == sio.EVENT:
            expected["event"] = data[0]  # type: ignore[index]
            expected["args"] = _expected_args(data[1:])  # type: ignore[index]
        elif kind == sio.ACK:
            expected["args"] = _expected_args(data)  # type: ignore[arg-type]
        elif data is not None:
            expected["data"] = data
        vectors.append({"name": name, "messages": messages, "expected": expected})
    return vectors


def engine_vectors() -> list[dict[str, object]]:
    vectors = []
    for name, kind, data in ENGINE_PACKETS:
        encoded = eio.Packet(kind, data=data).encode()
        vectors.append(
            {
                "name": name,
                "messages": [_wire(encoded)],
                "expected": {"engineio_type": eio.packet_names[kind], "data": data}
                if not isinstance(data, bytes)
                else {"engineio_type": "message", "size": len(data)},
            }
        )
    return vectors


def build() -> dict[str, object]:
    return {"socketio": socket_vectors(), "engineio": engine_vectors()}


if __name__ == "__main__":
    OUT.write_text(json.dumps(build(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
