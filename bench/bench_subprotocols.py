"""Socket.IO decoding speed: flaskscope's decoder against python-socketio's own receive path
on the same messages, in one run.

The messages are made by python-socketio's and python-engineio's encoders: events with and
without ack ids, acks, namespaces and binary events with attachments. The peer decodes each
Engine.IO packet (``engineio.packet.Packet``), then the Socket.IO packet
(``socketio.packet.Packet``) and feeds attachments to ``add_attachment``, which is what a
python-socketio server does per message; flaskscope runs ``decode_conversation`` (Engine.IO +
Socket.IO, attachments, ack pairing, checks) over the same list. Prints messages/s and the
ratio. Run: ``.venv/bin/python bench/bench_subprotocols.py [--messages N]``.
"""

from __future__ import annotations

import argparse
import time

from engineio import packet as eio
from socketio import packet as sio

from flaskscope.subprotocols import WireMessage, decode_conversation


def build_messages(count: int) -> list[tuple[int, bytes | str]]:
    """(opcode, payload) of ``count`` Socket.IO packets (attachments count as messages)."""
    out: list[tuple[int, bytes | str]] = []
    number = 0
    while len(out) < count:
        number += 1
        kind = number % 4
        if kind == 0:
            packet = sio.Packet(sio.EVENT, data=["chat", {"msg": "hi", "n": number}], id=number)
        elif kind == 1:
            packet = sio.Packet(sio.ACK, data=["ok", number], namespace="/chat", id=number)
        elif kind == 2:
            packet = sio.Packet(sio.EVENT, data=["tick", number, [1, 2, 3]], namespace="/live")
        else:
            packet = sio.Packet(sio.EVENT, data=["upload", b"\x00" * 64, {"n": number}])
        encoded = packet.encode()
        for part in encoded if isinstance(encoded, list) else [encoded]:
            wire = eio.Packet(eio.MESSAGE, data=part).encode()
            out.append((2 if isinstance(wire, bytes) else 1, wire))
    return out


def run_python_socketio(messages: list[tuple[int, bytes | str]]) -> int:
    decoded = 0
    waiting = None
    for _, payload in messages:
        engine = eio.Packet(encoded_packet=payload)
        if waiting is not None and engine.binary:
            if waiting.add_attachment(engine.data):
                waiting = None
                decoded += 1
            continue
        packet = sio.Packet(encoded_packet=engine.data)
        if packet.attachment_count:
            waiting = packet
        else:
            decoded += 1
    return decoded


def run_flaskscope(messages: list[tuple[int, bytes | str]]) -> int:
    wires = [
        WireMessage(
            index,
            "client",
            opcode,
            payload if isinstance(payload, bytes) else payload.encode("utf-8"),
        )
        for index, (opcode, payload) in enumerate(messages)
    ]
    result = decode_conversation(wires, choice="socketio")
    assert not result.violations, result.violations[:3]
    return sum(1 for m in result.messages if m.decoded["socketio_type"] != "attachment")


def best_of(function: object, messages: list[tuple[int, bytes | str]], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(messages)  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--messages", type=int, default=100_000)
    arguments.add_argument("--repeat", type=int, default=3)
    options = arguments.parse_args()
    messages = build_messages(options.messages)
    assert run_flaskscope(messages) == run_python_socketio(messages)
    ours = best_of(run_flaskscope, messages, options.repeat)
    peer = best_of(run_python_socketio, messages, options.repeat)
    count = len(messages)
    print(f"{count} Engine.IO/Socket.IO messages (events, acks, namespaces, binary events)")
    print(f"  flaskscope decode_conversation  {ours:7.3f} s  {count / ours:12,.0f} messages/s")
    print(f"  python-socketio receive path    {peer:7.3f} s  {count / peer:12,.0f} messages/s")
    print(f"  flaskscope speed / python-socketio: {peer / ours:.2f}x")


if __name__ == "__main__":
    main()
