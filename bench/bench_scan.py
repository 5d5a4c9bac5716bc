"""Whole-capture speed: ``flaskscope scan --summary`` against tshark on the same pcap.

The capture (written here, deterministic seed, not committed) holds many WebSocket
connections with permessage-deflate (context takeover), a few interleaved at a time, each
with its HTTP upgrade (a Flask session cookie in it), masked client and unmasked server
frames cut into 1448-byte TCP segments, as on Ethernet. Both tools read the same file in one
run: ``flaskscope scan FILE --summary --json`` and
``tshark -r FILE -Y websocket -T fields -e websocket.opcode`` (the server port is 80, so
tshark finds the HTTP upgrade by itself). Peak memory of the scan is measured (wait4).

Usage: python bench/bench_scan.py [--mib 200] [--keep FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

MSS = 1448
COOKIE = "eyJ1c2VyIjoiYmVuY2gifQ.aw13Qg.zVd5Eh6hqu87nBDnPBfRL0GSI08"


def _ipv4(source: bytes, destination: bytes, segment: bytes) -> bytes:
    return (
        struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(segment), 0, 0x4000, 64, 6, 0)
        + source
        + destination
        + segment
    )


class Writer:
    """Ethernet/IPv4/TCP packets into a pcap file, one connection's sequence numbers each."""

    def __init__(self, handle: object) -> None:
        self.handle = handle
        self.time = 1_700_000_000.0
        self.packets = 0
        handle.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))  # type: ignore[attr-defined]

    def packet(self, data: bytes) -> None:
        self.time += 0.0001
        seconds = int(self.time)
        micros = int((self.time - seconds) * 1e6)
        frame = b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00" + data
        self.handle.write(struct.pack("<IIII", seconds, micros, len(frame), len(frame)) + frame)  # type: ignore[attr-defined]
        self.packets += 1


class Connection:
    def __init__(self, number: int, writer: Writer, rng: random.Random) -> None:
        self.writer = writer
        self.client = socket.inet_aton(
            f"10.{number // 60000 % 250}.{number // 250 % 240}.{number % 250 + 1}"
        )
        self.server = socket.inet_aton("10.255.0.1")
        self.client_port = 20000 + number % 40000
        self.seq = {True: rng.getrandbits(32), False: rng.getrandbits(32)}
        self.compressors = {
            True: zlib.compressobj(1, zlib.DEFLATED, -15),
            False: zlib.compressobj(1, zlib.DEFLATED, -15),
        }
        self.rng = rng

    def send(self, from_client: bool, data: bytes, flags: int = 0x18) -> None:
        for start in range(0, max(len(data), 1), MSS):
            piece = data[start : start + MSS]
            self._segment(from_client, piece, flags)

    def _segment(self, from_client: bool, payload: bytes, flags: int) -> None:
        ports = (self.client_port, 80) if from_client else (80, self.client_port)
        seq = self.seq[from_client]
        ack = self.seq[not from_client]
        header = struct.pack(
            "!HHIIBBHHH", *ports, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 0x50, flags, 65535, 0, 0
        )
        source, destination = (
            (self.client, self.server) if from_client else (self.server, self.client)
        )
        self.writer.packet(_ipv4(source, destination, header + payload))
        self.seq[from_client] += len(payload) + (1 if flags & 0x03 else 0)

    def open(self) -> None:
        self._segment(True, b"", 0x02)
        self._segment(False, b"", 0x12)
        self._segment(True, b"", 0x10)
        request = (
            "GET /chat HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate\r\n"
            f"Cookie: session={COOKIE}\r\n\r\n"
        )
        response = (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"
        )
        self.send(True, request.encode())
        self.send(False, response.encode())

    def message(self, from_client: bool, text: bytes) -> int:
        compressor = self.compressors[from_client]
        data = compressor.compress(text) + compressor.flush(zlib.Z_SYNC_FLUSH)
        data = data[:-4]
        length = len(data)
        mask_bit = 0x80 if from_client else 0
        if length < 126:
            head = struct.pack("!BB", 0xC1, mask_bit | length)
        elif length < 65536:
            head = struct.pack("!BBH", 0xC1, mask_bit | 126, length)
        else:
            head = struct.pack("!BBQ", 0xC1, mask_bit | 127, length)
        if from_client:
            key = self.rng.randbytes(4)
            repeated = (key * (length // 4 + 1))[:length]
            data = key + (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
                length, "big"
            )
        self.send(from_client, head + data)
        return len(head) + len(data)

    def close(self) -> None:
        self.send(True, b"\x88\x82\x00\x00\x00\x00\x03\xe8")
        self.send(False, b"\x88\x02\x03\xe8")
        self._segment(True, b"", 0x11)
        self._segment(False, b"", 0x11)
        self._segment(True, b"", 0x10)


def build_capture(path: str, total: int, seed: int = 7692) -> tuple[int, int, int]:
    """Returns (connections, frames, packets)."""
    rng = random.Random(seed)
    words = [rng.randbytes(rng.randint(2, 8)).hex().encode() for _ in range(4000)]
    frames = connections = 0
    with open(path, "wb") as handle:
        writer = Writer(handle)
        active: list[tuple[Connection, int]] = []
        while handle.tell() < total or active:
            while len(active) < 8 and handle.tell() < total:
                connection = Connection(connections, writer, rng)
                connections += 1
                connection.open()
                frames += 0
                active.append((connection, rng.randint(100, 400)))
            index = rng.randrange(len(active))
            connection, left = active[index]
            count = rng.randint(20, 300)
            text = (
                b'{"type": "update", "items": ["'
                + b'", "'.join(rng.choices(words, k=count))
                + b'"]}'
            )
            connection.message(rng.random() < 0.3, text)
            frames += 1
            left -= 1
            if left <= 0 or handle.tell() >= total:
                connection.close()
                frames += 2
                active.pop(index)
            else:
                active[index] = (connection, left)
        return connections, frames, writer.packets


def _run(command: list[str]) -> tuple[float, float, int, bytes]:
    """Wall time, CPU time (user + system), peak RSS (KiB) and stdout of one child process.

    CPU time is reported too: on a shared machine the wall time of a single-threaded
    process depends on what else runs."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        out.seek(0)
        return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=200)
    parser.add_argument("--keep", help="Write the capture here and keep it.")
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="bench-scan-")
    path = args.keep or os.path.join(directory, "bench.pcap")
    try:
        started = time.perf_counter()
        connections, frames, packets = build_capture(path, args.mib * 1024 * 1024)
        size = os.path.getsize(path)
        print(
            f"capture: {size / 2**20:.0f} MiB, {packets} packets, {connections} WebSocket "
            f"connections (permessage-deflate), {frames} frames "
            f"(written in {time.perf_counter() - started:.1f} s)"
        )
        flaskscope = shutil.which("flaskscope") or os.path.join(
            os.path.dirname(sys.executable), "flaskscope"
        )
        seconds, cpu, rss, out = _run([flaskscope, "scan", path, "--summary", "--json"])
        summary = json.loads(out)["summary"]
        ours = summary["websocket"]["frames"]
        print(
            f"flaskscope scan --summary: {seconds:6.2f} s ({cpu:.2f} s CPU), "
            f"peak RSS {rss / 1024:.0f} MiB, "
            f"{summary['connections']['total']} connections, {ours} frames, "
            f"{summary['websocket']['violations']['total']} violations"
        )
        tshark = shutil.which("tshark")
        if tshark is None:
            print("tshark: not installed (scripts/system-deps.sh); no ratio")
            return 0
        their_seconds, their_cpu, their_rss, their_out = _run(
            [tshark, "-r", path, "-Y", "websocket", "-T", "fields", "-e", "websocket.opcode"]
        )
        theirs = sum(len(line.split(b",")) for line in their_out.splitlines() if line.strip())
        print(
            f"tshark -Y websocket -T fields: {their_seconds:6.2f} s ({their_cpu:.2f} s CPU), "
            f"peak RSS {their_rss / 1024:.0f} MiB, {theirs} frames"
        )
        print(
            f"ratio (tshark / flaskscope): wall {their_seconds / seconds:.2f}x, "
            f"CPU {their_cpu / cpu:.2f}x"
        )
        if ours != frames:
            print(f"warning: flaskscope counted {ours} frames, the capture holds {frames}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
