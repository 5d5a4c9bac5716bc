"""``scan`` on real loopback traffic captured by tcpdump: the messages each peer sent (its own
record, not flaskscope's) must come out exactly, and tshark must agree frame by frame."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from flaskscope.scan import ConnectionReport, Scanner, ScanSettings
from tests.scan.loopback import capture_loopback, free_port, tshark_json

Sent = list[str | bytes]

CLIENT_MESSAGES: Sent = [
    "hello",
    b"\x00\x01\x02binary\xff",
    "x" * 100_000,  # many TCP segments
    "ünïcödé ✓",
    "hello",  # the same again: with context takeover it compresses to other bytes
]
FRAGMENTED = ["frag", "men", "ted"]


def _echo(message: str | bytes) -> str | bytes:
    return ("echo:" + message) if isinstance(message, str) else (b"echo:" + message)


def _websockets_conversation(port: int, compression: str | None) -> tuple[Sent, Sent]:
    """websockets client and server; returns what each side sent."""
    from websockets.asyncio.client import connect
    from websockets.asyncio.server import serve

    client_sent: Sent = []
    server_sent: Sent = []

    async def handler(connection: object) -> None:
        async for message in connection:  # type: ignore[attr-defined]
            reply = _echo(message)
            await connection.send(reply)  # type: ignore[attr-defined]
            server_sent.append(reply)

    async def main() -> None:
        async with (
            serve(handler, "127.0.0.1", port, compression=compression),
            connect(f"ws://127.0.0.1:{port}", compression=compression) as websocket,
        ):
            for message in CLIENT_MESSAGES:
                await websocket.send(message)
                client_sent.append(message)
                await websocket.recv()
            await websocket.send(FRAGMENTED)  # one message in three frames
            client_sent.append("".join(FRAGMENTED))
            await websocket.recv()

    asyncio.run(asyncio.wait_for(main(), 60))
    return client_sent, server_sent


def _scan(path: Path) -> tuple[Scanner, list[ConnectionReport]]:
    scanner = Scanner(ScanSettings(keep=1 << 20, now=time.time()))
    reports = list(scanner.scan(str(path), [path.read_bytes()]))
    return scanner, reports


def _payloads(report: ConnectionReport, direction: str) -> Sent:
    return [
        message.text if message.opcode == 1 else message.payload
        for message in report.messages
        if message.direction == direction and message.opcode in (1, 2)
    ]


@pytest.mark.parametrize("compression", [None, "deflate"], ids=["plain", "permessage-deflate"])
def test_websockets_peers_messages_come_out_exactly(
    tmp_path: Path, compression: str | None
) -> None:
    port = free_port()
    path = tmp_path / "ws.pcap"
    with capture_loopback(path, port):
        client_sent, server_sent = _websockets_conversation(port, compression)
    _, reports = _scan(path)
    [report] = reports
    assert report.kind == "websocket"
    assert report.handshake is not None
    assert report.handshake.valid
    assert (report.deflate is not None) == (compression is not None)
    assert _payloads(report, "client") == client_sent
    assert _payloads(report, "server") == server_sent
    assert report.violation_counts == {}
    assert report.gaps == ()
    assert not report.began_before_capture
    fragmented = [m for m in report.messages if m.direction == "client" and m.text == "fragmented"]
    assert len(fragmented) == 1
    if compression:
        assert all(m.compressed for m in report.messages if m.opcode in (1, 2) and m.length > 50)
    _agrees_with_tshark(path, port, report)


def _agrees_with_tshark(path: Path, port: int, report: ConnectionReport) -> None:
    """Per frame: opcode, FIN, mask key, payload length and the unmasked payload bytes
    (``websocket.payload_raw`` of ``tshark -T json -x``); and the text tshark decodes for
    uncompressed text frames."""
    packets = tshark_json(path, port)
    theirs = []
    for packet in packets:
        layers = packet["_source"]["layers"]  # type: ignore[index]
        frames = layers["websocket"]
        for frame in frames if isinstance(frames, list) else [frames]:
            theirs.append(frame)
    ours = list(report.frames)
    assert len(theirs) == len(ours)
    assert ours
    by_direction: dict[bool, list[tuple[object, ...]]] = {True: [], False: []}
    for frame in theirs:
        by_direction[frame["websocket.mask"] == "1"].append(
            (
                int(frame["websocket.opcode"]),
                frame["websocket.fin"] == "1",
                int(
                    frame.get("websocket.payload_length_ext_64")
                    or frame.get("websocket.payload_length_ext_16")
                    or frame["websocket.payload_length"]
                ),
                (frame.get("websocket.masking_key") or "").replace(":", "") or None,
                (frame.get("websocket.payload_raw") or [""])[0],  # unmasked, still compressed
            )
        )
    for masked, direction in ((True, "client"), (False, "server")):
        mine = [
            (
                f.record.header.opcode,
                f.record.header.fin,
                f.record.header.payload_length,
                None if f.record.header.mask_key is None else f.record.header.mask_key.hex(),
                f.record.payload.hex(),
            )
            for f in ours
            if f.direction == direction
        ]
        assert mine == by_direction[masked], direction
    # unmasked payloads of uncompressed text frames, as tshark decodes them
    texts = [
        frame["websocket.payload"]["websocket.payload.text"]
        for frame in theirs
        if frame["websocket.opcode"] == "1"
        and frame.get("websocket.pmc") != "1"
        and isinstance(frame.get("websocket.payload"), dict)
        and "websocket.payload.text" in frame["websocket.payload"]
        and frame["websocket.fin"] == "1"
    ]
    mine_texts = [
        f.record.payload.decode("utf-8")
        for f in ours
        if f.record.header.opcode == 1 and not f.record.header.rsv1 and f.record.header.fin
    ]
    assert sorted(texts) == sorted(mine_texts)


@pytest.mark.parametrize("form", ["raw", "hex"])
def test_tshark_follow_dumps_give_the_peers_messages(tmp_path: Path, form: str) -> None:
    """tshark's own "follow TCP stream" dump of the capture, both directions in one text."""
    import subprocess

    from tests.scan.loopback import need

    port = free_port()
    path = tmp_path / "ws.pcap"
    with capture_loopback(path, port):
        client_sent, server_sent = _websockets_conversation(port, "deflate")
    dump = subprocess.run(
        [need("tshark"), "-r", str(path), "-q", "-z", f"follow,tcp,{form},0"],
        capture_output=True,
        timeout=120,
        check=True,
    ).stdout
    scanner = Scanner(ScanSettings(keep=1 << 20, now=time.time()))
    [report] = list(scanner.scan("follow.txt", [dump]))
    assert scanner.kinds["follow.txt"] == "tshark-follow"
    assert report.handshake is not None
    assert report.handshake.valid
    assert _payloads(report, "client") == client_sent
    assert _payloads(report, "server") == server_sent
    assert report.violation_counts == {}


def test_fragmented_compressed_message_where_tshark_garbles_it(tmp_path: Path) -> None:
    """websockets sends ``FRAGMENTED`` as three compressed fragments (RSV1 on the first,
    RFC 7692 §6.1). The peer's own record is the truth: flaskscope inflates the message
    whole; tshark 4.0 shows raw deflate bytes for the continuations and garbage ("Trailing
    stray characters") for the last fragment."""
    import subprocess

    from tests.scan.loopback import need

    port = free_port()
    path = tmp_path / "ws.pcap"
    with capture_loopback(path, port):
        client_sent, _ = _websockets_conversation(port, "deflate")
    truth = client_sent[-1]
    assert truth == "fragmented"
    _, [report] = _scan(path)
    [ours] = [m for m in report.messages if m.direction == "client" and len(m.frames) > 1]
    assert ours.text == truth
    assert ours.compressed
    fields = subprocess.run(
        [
            need("tshark"),
            "-r",
            str(path),
            "-d",
            f"tcp.port=={port},http",
            "-Y",
            "websocket.mask == 1",
            "-T",
            "fields",
            "-e",
            "websocket.fin",
            "-e",
            "websocket.opcode",
            "-e",
            "websocket.payload.text",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.splitlines()
    rows = [line.split("\t") for line in fields]
    start = next(n for n, row in enumerate(rows) if row[0] == "0")  # the first fragment
    end = next(n for n in range(start, len(rows)) if rows[n][0] == "1")
    theirs = "".join(row[2] for row in rows[start : end + 1])
    if theirs == truth:
        pytest.skip("this tshark inflates fragmented compressed messages correctly")
    assert theirs != truth


def test_real_capture_cut_mid_connection(tmp_path: Path) -> None:
    """The same real conversation with everything before the client's second message
    (handshake, upgrade, first exchange) cut off by editcap, written as pcapng: the rest is
    still read, the roles inferred from the mask bits."""
    import subprocess

    from tests.scan.loopback import need

    port = free_port()
    path = tmp_path / "ws.pcap"
    with capture_loopback(path, port):
        client_sent, server_sent = _websockets_conversation(port, None)
    first = subprocess.run(  # the packet of the client's second message (binary)
        [
            need("tshark"),
            "-r",
            str(path),
            "-d",
            f"tcp.port=={port},http",
            "-Y",
            "websocket.opcode == 2 && websocket.mask == 1",
            "-T",
            "fields",
            "-e",
            "frame.number",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()[0]
    cut = tmp_path / "cut.pcapng"
    subprocess.run(
        [need("editcap"), "-F", "pcapng", "-r", str(path), str(cut), f"{first}-1000000"],
        check=True,
        timeout=60,
    )
    scanner, [report] = _scan(cut)
    assert scanner.kinds[str(cut)] == "pcapng"
    assert report.kind == "websocket"
    assert report.began_before_capture
    assert report.role_inferred
    assert not report.client.endswith(f":{port}")  # the client is the side that masks
    assert _payloads(report, "client") == client_sent[1:]
    assert _payloads(report, "server") == server_sent[1:]
    assert report.violation_counts == {}
