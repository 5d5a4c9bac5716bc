"""Start-up of ``flaskscope --help``, ``--version`` and a piped ``decode-cookie``.

What a user pays at the shell before anything is done: each command runs as a fresh process,
``RUNS`` times in interleaved order, median reported, next to ``python -c pass`` (the floor
every Python tool pays) and flask-unsign's ``--help`` (the peer). The modules each command
imports are counted with ``python -X importtime`` (issue 12: ``--help`` imported 226
modules, ``--version`` 91; ``--help`` must import neither rich nor a core).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = int(os.environ.get("BENCH_RUNS", "20"))
ROOT = Path(__file__).resolve().parent.parent
COOKIE = ROOT / "samples" / "cookie.txt"


def commands() -> dict[str, list[str]]:
    flaskscope = [sys.executable, "-m", "flaskscope"]
    found = {
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "flaskscope --version": [*flaskscope, "--version"],
        "flaskscope --help": [*flaskscope, "--help"],
        "flaskscope decode-cookie (piped)": [*flaskscope, "decode-cookie", "--file", str(COOKIE)],
    }
    peer = Path(sys.executable).parent / "flask-unsign"
    unsign = str(peer) if peer.exists() else shutil.which("flask-unsign")
    if unsign is not None:
        found["flask-unsign --help (peer)"] = [unsign, "--help"]
    return found


def time_once(command: list[str]) -> float:
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(f"{command} failed ({completed.returncode}): {completed.stderr!r}")
    return elapsed


def modules_imported(command: list[str]) -> tuple[int, list[str]]:
    """How many modules ``command`` imports, and which of rich and the cores among them."""
    if command[:2] != [sys.executable, "-m"]:
        return 0, []
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", *command[1:]],
        capture_output=True,
        text=True,
        check=False,
    )
    names = [
        line.rsplit("|", 1)[1].strip()
        for line in completed.stderr.splitlines()
        if line.startswith("import time:") and "|" in line and "imported package" not in line
    ]
    heavy = sorted({_heavy(name) for name in names if _heavy(name)})
    return len(names), heavy


CORES = ("cookies", "sessions", "audit", "flaskapp", "handshake", "frames")


def _heavy(module: str) -> str:
    """``rich`` or ``flaskscope.<core>`` when ``module`` is part of one, else ``""``."""
    parts = module.split(".")
    if parts[0] == "rich":
        return "rich"
    if parts[0] == "flaskscope" and len(parts) > 1 and parts[1] in CORES:
        return f"flaskscope.{parts[1]}"
    return ""


def main() -> int:
    runs = commands()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(RUNS):
        for name, command in runs.items():
            times[name].append(time_once(command))
    floor = statistics.median(times["python -c pass (floor)"])
    peer = times.get("flask-unsign --help (peer)")
    print(f"start-up, median of {RUNS} interleaved runs (ms); modules by python -X importtime")
    print(f"{'command':36} {'median':>8} {'min':>8} {'-floor':>8} {'modules':>8}  heavy")
    for name, samples in times.items():
        median = statistics.median(samples)
        count, heavy = modules_imported(runs[name])
        print(
            f"{name:36} {median * 1000:8.1f} {min(samples) * 1000:8.1f} "
            f"{(median - floor) * 1000:8.1f} {count or '':>8}  {', '.join(heavy) or '-'}"
        )
    if peer is not None:
        ratio = statistics.median(times["flaskscope --help"]) / statistics.median(peer)
        print(f"flaskscope --help / flask-unsign --help: {ratio:.2f}x wall time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
