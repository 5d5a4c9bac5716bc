"""audit-secret against flask-unsign and hashcat: same cookie, same 200,000-line wordlist.

The real key is the last line, so every tool walks the whole list. Each tool runs as a user
would run it (a fresh process); the wall time includes start-up, and for hashcat, whose
start-up (OpenCL device, kernel load) dominates a list this short, its own reported speed is
printed too. Goal (issue 5): flaskscope >= 10x flask-unsign and >= half of hashcat's CPU speed.

The machine is shared (other tests may be running); the load average is printed with the
numbers so a noisy run can be recognised.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.peers import flask_cookie, hashcat_crack_command

LINES = 200_000
KEY = "zz-the-real-key-is-last"


def write_wordlist(path: Path) -> None:
    with path.open("wb") as handle:
        for number in range(LINES - 1):
            handle.write(b"candidate-%07d\n" % number)
        handle.write(KEY.encode() + b"\n")


def timed(command: list[str], **kwargs: object) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    completed = subprocess.run(
        command, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL, **kwargs
    )  # type: ignore[call-overload]
    return time.perf_counter() - started, completed


def run_flaskscope(cookie: str, wordlist: Path) -> dict[str, float] | None:
    seconds, completed = timed(
        [
            sys.executable,
            "-m",
            "flaskscope",
            "audit-secret",
            cookie,
            "-w",
            str(wordlist),
            "--no-builtin",
            "--json",
        ]
    )
    if completed.returncode != 1:
        print(f"flaskscope failed ({completed.returncode}): {completed.stderr.strip()}")
        return None
    document = json.loads(completed.stdout)
    assert document["secret_key"] == KEY, document
    return {
        "wall": seconds,
        "rate_wall": LINES / seconds,
        "rate_own": document["candidates_per_second"],
        "jobs": document["jobs"],
    }


def run_flask_unsign(cookie: str, wordlist: Path) -> dict[str, float] | None:
    # The interpreter's own bin/ first: the venv's flask-unsign, also when it is not on PATH.
    search = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    executable = shutil.which("flask-unsign", path=search)
    if executable is None:
        print("flask-unsign: not installed (pip install -e '.[bench]'), skipped")
        return None
    seconds, completed = timed(
        [
            executable,
            "--unsign",
            "--cookie",
            cookie,
            "--wordlist",
            str(wordlist),
            "--no-literal-eval",
        ]
    )
    if KEY not in completed.stdout + completed.stderr:
        print(
            "flask-unsign did not find the key:", completed.stdout[-300:], completed.stderr[-300:]
        )
        return None
    return {"wall": seconds, "rate_wall": LINES / seconds}


_SPEED = re.compile(r"Speed\.#\d+\.*:\s*([\d.]+)\s*([kMG]?)H/s")
_UNITS = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}


def run_hashcat(cookie: str, wordlist: Path, workdir: Path) -> dict[str, float] | None:
    executable = shutil.which("hashcat")
    if executable is None:
        print("hashcat: not installed (bash scripts/system-deps.sh), skipped")
        return None
    hash_file = workdir / "cookie.hash"
    hash_file.write_text(cookie + "\n")
    out_file = workdir / "cracked.txt"
    command = hashcat_crack_command(
        executable, hash_file, wordlist, out_file, session_name=f"flaskscope-bench-{os.getpid()}"
    )
    # A first run may compile the OpenCL kernel (tens of seconds); time the second.
    timed(command, cwd=workdir)
    out_file.unlink(missing_ok=True)
    seconds, completed = timed(command, cwd=workdir)
    if not out_file.exists() or out_file.read_text().strip() != KEY:
        print(f"hashcat did not crack it ({completed.returncode}): {completed.stdout[-400:]}")
        return None
    speeds = [float(value) * _UNITS[unit] for value, unit in _SPEED.findall(completed.stdout)]
    return {
        "wall": seconds,
        "rate_wall": LINES / seconds,
        "rate_own": sum(speeds) if speeds else float("nan"),
    }


ROUNDS = 3
"""Interleaved rounds; the best of each tool is compared (the machine is shared and noisy)."""


def best(results: list[dict[str, float] | None], key: str = "wall") -> dict[str, float] | None:
    done = [result for result in results if result is not None]
    if not done:
        return None
    return min(done, key=lambda result: result[key])


def main() -> int:
    print(
        f"audit-secret benchmark: {LINES:,} candidates, key last, {os.cpu_count()} cores, "
        f"best of {ROUNDS} interleaved rounds, load average before {os.getloadavg()[0]:.2f}"
    )
    cookie = flask_cookie(KEY, {"u": "al"})  # short, uncompressed: hashcat 6.2.6 loads it
    runs: dict[str, list[dict[str, float] | None]] = {"ours": [], "unsign": [], "hashcat": []}
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        wordlist = workdir / "words.txt"
        write_wordlist(wordlist)
        for _round in range(ROUNDS):
            runs["ours"].append(run_flaskscope(cookie, wordlist))
            runs["unsign"].append(run_flask_unsign(cookie, wordlist))
            runs["hashcat"].append(run_hashcat(cookie, wordlist, workdir))
            if runs["unsign"][-1] is None and runs["hashcat"][-1] is None:
                break
    ours, unsign, hashcat = best(runs["ours"]), best(runs["unsign"]), best(runs["hashcat"])
    if ours is None:
        return 1
    # hashcat's own speed: the best it reported, whatever the wall time of that run.
    hashcat_own = max(
        (run["rate_own"] for run in runs["hashcat"] if run is not None), default=float("nan")
    )
    ours_own = max(run["rate_own"] for run in runs["ours"] if run is not None)
    print(f"{'tool':<34} {'wall s':>8} {'cand/s (wall)':>15} {'cand/s (own)':>14}")
    print(
        f"{'flaskscope audit-secret -j ' + str(int(ours['jobs'])):<34} {ours['wall']:>8.2f} "
        f"{ours['rate_wall']:>15,.0f} {ours_own:>14,.0f}"
    )
    if unsign is not None:
        print(
            f"{'flask-unsign --unsign':<34} {unsign['wall']:>8.2f} {unsign['rate_wall']:>15,.0f} "
            f"{'':>14}"
        )
    if hashcat is not None:
        print(
            f"{'hashcat -m 29100 -a 0 -D 1 (CPU)':<34} {hashcat['wall']:>8.2f} "
            f"{hashcat['rate_wall']:>15,.0f} {hashcat_own:>14,.0f}"
        )
    print(f"load average after {os.getloadavg()[0]:.2f}")
    if unsign is not None:
        ratio = ours["rate_wall"] / unsign["rate_wall"]
        print(f"flaskscope / flask-unsign (wall): {ratio:.1f}x  (goal >= 10x)")
    if hashcat is not None:
        print(f"flaskscope / hashcat (wall):      {ours['rate_wall'] / hashcat['rate_wall']:.2f}x")
        print(f"flaskscope / hashcat (own speed): {ours_own / hashcat_own:.2f}x  (goal >= 0.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
