"""Handshake work, flaskscope side by side with websockets and wsproto on the same input.

Prints microseconds per operation and the ratio to flaskscope (>1: the peer is slower).
Keep runs short: the machine is shared.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Callable

from websockets.headers import parse_extension
from websockets.server import ServerProtocol
from websockets.utils import accept_key
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request
from wsproto.extensions import PerMessageDeflate
from wsproto.utilities import generate_accept_token

from flaskscope.handshake.accept import websocket_accept
from flaskscope.handshake.check import check_handshake
from flaskscope.handshake.extensions import parse_extensions


def per_call_us(function: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeat):
            function()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best * 1e6


def report(title: str, ours: float, peers: dict[str, float]) -> None:
    print(f"{title}: flaskscope {ours:.2f} us")
    for name, value in peers.items():
        print(f"  {name:<28} {value:8.2f} us  ratio {value / ours:5.2f}")


def main() -> None:
    key = base64.b64encode(os.urandom(16)).decode()
    report(
        "Sec-WebSocket-Accept",
        per_call_us(lambda: websocket_accept(key), 20000),
        {
            "websockets.utils.accept_key": per_call_us(lambda: accept_key(key), 20000),
            "wsproto generate_accept_token": per_call_us(
                lambda: generate_accept_token(key.encode()), 20000
            ),
        },
    )

    header = 'permessage-deflate; client_max_window_bits; server_max_window_bits=12, x-foo; a="b"'
    report(
        "parse Sec-WebSocket-Extensions",
        per_call_us(lambda: parse_extensions(header), 5000),
        {"websockets parse_extension": per_call_us(lambda: parse_extension(header), 5000)},
    )

    client = WSConnection(ConnectionType.CLIENT)
    request = client.send(
        Request(
            host="example.com",
            target="/chat",
            subprotocols=["chat"],
            extensions=[PerMessageDeflate()],
        )
    )
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(request)
    next(server.events())
    response = server.send(AcceptConnection(subprotocol="chat", extensions=[PerMessageDeflate()]))

    def wsproto_server_side() -> None:
        peer = WSConnection(ConnectionType.SERVER)
        peer.receive_data(request)
        next(peer.events())

    def websockets_server_side() -> None:
        protocol = ServerProtocol(subprotocols=["chat"])
        protocol.receive_data(request)
        protocol.accept(protocol.events_received()[0])

    report(
        "handshake (flaskscope: request + response, 22 rules; peers: request side only)",
        per_call_us(lambda: check_handshake(request, response), 1000),
        {
            "wsproto server: read request": per_call_us(wsproto_server_side, 1000),
            "websockets server: accept()": per_call_us(websockets_server_side, 1000),
        },
    )


if __name__ == "__main__":
    main()
