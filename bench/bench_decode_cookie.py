"""Wall time of ``flaskscope decode-cookie`` against ``flask-unsign --decode``, same cookie.

Each command runs as a fresh process (what a user pays at the shell), ``RUNS`` times in
interleaved order; the median is reported, with ``python -c pass`` as the floor every Python
tool pays. decode-cookie is timed piped (plain report, as the other tools are run) and on a
pseudo-terminal (the rich report a person sees).
Goal (issue 2): decode-cookie at most half of flask-unsign's wall time.
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
BIN = Path(sys.executable).parent
TERMINAL = "flaskscope decode-cookie (tty, rich)"


def sample_cookie() -> str:
    path = ROOT / "samples" / "cookie.txt"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    sys.path.insert(0, str(ROOT))
    from flaskscope.cookies import sign_cookie

    return sign_cookie({"user_id": 42, "roles": ("admin",), "csrf": "x" * 40}, "bench")


def tool(name: str) -> str | None:
    found = BIN / name
    return str(found) if found.exists() else shutil.which(name)


def time_once(command: list[str], *, terminal: bool = False) -> float:
    """Wall time of one run; ``terminal`` gives the command a pty as stdout (rich output)."""
    if terminal:
        return _time_on_pty(command)
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if completed.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({completed.returncode}): {completed.stderr!r}")
    return elapsed


def _time_on_pty(command: list[str]) -> float:
    import pty

    controller, terminal = pty.openpty()
    try:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=terminal, stderr=subprocess.DEVNULL)
        os.close(terminal)
        while True:  # drain, so a long report cannot block on a full pty buffer
            try:
                if not os.read(controller, 65536):
                    break
            except OSError:
                break
        process.wait()
        return time.perf_counter() - start
    finally:
        os.close(controller)


def main() -> int:
    cookie = sample_cookie()
    flaskscope = tool("flaskscope")
    unsign = tool("flask-unsign")
    if flaskscope is None:
        print("flaskscope is not installed in this environment")
        return 1
    commands: dict[str, list[str]] = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "flaskscope decode-cookie": [flaskscope, "decode-cookie", cookie],
        "flaskscope decode-cookie --json": [flaskscope, "decode-cookie", cookie, "--json"],
        TERMINAL: [flaskscope, "decode-cookie", cookie],
    }
    if unsign is None:
        print("flask-unsign is not installed (pip install -e '.[bench]'); timing flaskscope only")
    else:
        commands["flask-unsign --decode"] = [unsign, "--decode", "--cookie", cookie]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for name, command in commands.items():
        time_once(command, terminal=name == TERMINAL)  # warm the file cache
    for _ in range(RUNS):
        for name, command in commands.items():
            times[name].append(time_once(command, terminal=name == TERMINAL))
    medians = {name: statistics.median(values) for name, values in times.items()}
    floor = medians["python -c pass"]
    print(f"cookie: {len(cookie)} bytes; {RUNS} runs each, median wall time")
    for name, median in medians.items():
        print(f"  {name:38s} {median * 1000:7.1f} ms  ({median / floor:4.1f}x python -c pass)")
    if unsign is not None:
        ours = medians["flaskscope decode-cookie"]
        theirs = medians["flask-unsign --decode"]
        ratio = ours / theirs
        verdict = "goal met" if ratio <= 0.5 else "goal NOT met"
        print(f"  decode-cookie / flask-unsign = {ratio:.2f} (goal <= 0.50: {verdict})")
        json_ratio = medians["flaskscope decode-cookie --json"] / theirs
        print(f"  decode-cookie --json / flask-unsign = {json_ratio:.2f}")
        rich_ratio = medians[TERMINAL] / theirs
        print(f"  decode-cookie on a terminal (rich) / flask-unsign = {rich_ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
