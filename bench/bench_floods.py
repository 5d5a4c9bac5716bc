"""Floods of tiny frames (hostile or degenerate captures): flaskscope against tshark and
websockets on the same input, in one run.

One WebSocket connection (its HTTP upgrade on port 80, so tshark finds it by itself) in a pcap
written here: the server sends ``--mib`` MiB of zeros (2-byte unexpected continuations, RFC
6455 §5.4) and half that of tiny frames drawn at random from five kinds (continuations, Pings,
Pongs, a reserved opcode); the client sends half that of masked Pings, each with its own key.
``flaskscope scan --summary --json`` and ``scan --json`` (frames listed up to --max-frames) run
against ``tshark -Y websocket -T fields -e websocket.opcode``, and all three must count the
same frames. Then ``parse-frame --summary`` on the client's masked Pings alone against
websockets' parser (bench/websockets_frames.py) in a child process.

Usage: python bench/bench_floods.py [--mib 8]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

import websockets_frames  # bench/websockets_frames.py
from bench_scan import Connection, Writer, _run  # bench/bench_scan.py: the pcap writer

KINDS = [b"\x00\x00", b"\x89\x00", b"\x8a\x00", b"\x0b\x00", b"\x80\x00"]


def _masked_pings(size: int, rng: random.Random) -> bytes:
    return b"".join(b"\x89\x80" + rng.randbytes(4) for _ in range(size // 6))


def build(path: str, pings_path: str, mib: int, seed: int = 6455) -> int:
    """Write the capture and the client's stream alone; returns the frames in the capture."""
    rng = random.Random(seed)
    zeros = bytes(mib << 20)
    mixed = b"".join(rng.choices(KINDS, k=(mib << 20) // 4))
    pings = _masked_pings(mib << 19, rng)
    with open(pings_path, "wb") as handle:
        handle.write(pings)
    with open(path, "wb") as handle:
        writer = Writer(handle)
        connection = Connection(0, writer, rng)
        connection.open()
        step = 64 * 1024
        for start in range(0, max(len(zeros), len(pings)), step):
            connection.send(False, zeros[start : start + step])
            connection.send(True, pings[start : start + step])
        connection.send(False, mixed)
        connection.close()
    return len(zeros) // 2 + len(mixed) // 2 + len(pings) // 6 + 2


def _tool(name: str) -> str:
    return shutil.which(name) or os.path.join(os.path.dirname(sys.executable), name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=8)
    parser.add_argument("--build", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:  # the child that writes the files, so this process stays small
        directory = args.build
        built = build(
            os.path.join(directory, "floods.pcap"), os.path.join(directory, "pings.bin"), args.mib
        )
        print(built)
        return 0
    directory = tempfile.mkdtemp(prefix="bench-floods-")
    try:
        path = os.path.join(directory, "floods.pcap")
        pings_path = os.path.join(directory, "pings.bin")
        # Built in a child: a child's peak RSS (wait4) starts from its parent's at fork.
        frames = int(
            subprocess.run(
                [sys.executable, __file__, "--build", directory, "--mib", str(args.mib)],
                check=True,
                capture_output=True,
            ).stdout
        )
        print(f"capture: {os.path.getsize(path) / 2**20:.0f} MiB, one connection, {frames} frames")
        flaskscope = _tool("flaskscope")
        rows = []
        for label, extra in (("scan --summary", ["--summary"]), ("scan (frames listed)", [])):
            seconds, cpu, rss, out = _run([flaskscope, "scan", path, "--json", *extra])
            counted = json.loads(out)["summary"]["websocket"]["frames"]
            rows.append((f"flaskscope {label}", seconds, cpu, rss, counted))
        tshark = shutil.which("tshark")
        if tshark is not None:
            seconds, cpu, rss, out = _run(
                [tshark, "-r", path, "-Y", "websocket", "-T", "fields", "-e", "websocket.opcode"]
            )
            counted = sum(len(line.split(b",")) for line in out.splitlines() if line.strip())
            rows.append(("tshark -Y websocket -T fields", seconds, cpu, rss, counted))
        print(f"{'tool':34} {'seconds':>8} {'CPU s':>7} {'MiB':>6} {'frames':>9}  vs tshark")
        reference = rows[-1][1] if tshark is not None else None
        for label, seconds, cpu, rss, counted in rows:
            ratio = f"{reference / seconds:.1f}x" if reference else "-"
            print(f"{label:34} {seconds:8.2f} {cpu:7.2f} {rss / 1024:6.0f} {counted:9d}  {ratio}")
            if counted != frames:
                print(f"warning: {label} counted {counted} frames, the capture holds {frames}")
        if tshark is None:
            print("tshark: not installed (scripts/system-deps.sh); no ratio")
        ours = _run([flaskscope, "parse-frame", "--file", pings_path, "--summary", "--json"])
        theirs = _run([sys.executable, websockets_frames.__file__, pings_path])
        print(
            f"parse-frame --summary, {os.path.getsize(pings_path) // 6} masked Pings: "
            f"{ours[0]:.2f} s; websockets' parser (child process) {theirs[0]:.2f} s: "
            f"{theirs[0] / ours[0]:.1f}x"
        )
        return 0
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
