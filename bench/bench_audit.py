"""audit-secret against flask-unsign and hashcat: same cookie, same 3,000,000-line wordlist.

The real key is the last line, so every tool walks the whole list. Each tool runs as a user
would run it (a fresh process); the wall time includes start-up, and hashcat's own reported
speed is printed too. flaskscope runs on its native engine (docs/speedups.md) and, for
comparison, on the forced pure-Python one; then ``-j 1 .. N`` for the per-core rate and the
scaling. Goals (issue 17): flaskscope >= 1.5x hashcat's CPU speed (-m 29100 -a 0 -D 1, pocl)
and >= 50x flask-unsign. flask-unsign (about 20,000 candidates/s) takes minutes on this list,
so it runs once; ``--lines`` makes the list shorter for a quick look.

The machine is shared (other tests may be running); the load average is printed with the
numbers so a noisy run can be recognised, and each flaskscope run's CPU time (user + sys of
the child) is printed beside its wall time: CPU time is what a busy machine disturbs least.
"""

from __future__ import annotations

import argparse
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

LINES = 3_000_000
KEY = "zz-the-real-key-is-last"


def write_wordlist(path: Path, lines: int) -> None:
    with path.open("wb") as handle:
        for number in range(lines - 1):
            handle.write(b"candidate-%07d\n" % number)
        handle.write(KEY.encode() + b"\n")


def timed(
    command: list[str], env: dict[str, str] | None = None, **kwargs: object
) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        env=env,
        **kwargs,
    )  # type: ignore[call-overload]
    return time.perf_counter() - started, completed


def children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


def run_flaskscope(
    cookie: str, wordlist: Path, lines: int, *, jobs: int | None = None, engine: str = "native"
) -> dict[str, float] | None:
    command = [sys.executable, "-m", "flaskscope", "audit-secret", cookie, "-w", str(wordlist)]
    command += ["--no-builtin", "--json"]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    env = dict(os.environ)
    env.pop("FLASKSCOPE_PURE_PYTHON", None)
    if engine == "python":
        env["FLASKSCOPE_PURE_PYTHON"] = "1"
    cpu_before = children_cpu()
    seconds, completed = timed(command, env)
    cpu = children_cpu() - cpu_before
    if completed.returncode != 1:
        print(f"flaskscope failed ({completed.returncode}): {completed.stderr.strip()}")
        return None
    document = json.loads(completed.stdout)
    assert document["secret_key"] == KEY, document
    assert document["candidates_tried"] == lines, document
    if document["engine"] != engine:
        print(f"flaskscope ran the {document['engine']} engine, not {engine}")
        return None
    return {
        "wall": seconds,
        "cpu": cpu,
        "rate_wall": lines / seconds,
        "rate_own": document["candidates_per_second"],
        "jobs": document["jobs"],
    }


def run_flask_unsign(cookie: str, wordlist: Path, lines: int) -> dict[str, float] | None:
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
    return {"wall": seconds, "rate_wall": lines / seconds}


_SPEED = re.compile(r"Speed\.#\d+\.*:\s*([\d.]+)\s*([kMG]?)H/s")
_UNITS = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}


def run_hashcat(cookie: str, wordlist: Path, workdir: Path, lines: int) -> dict[str, float] | None:
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
        "rate_wall": lines / seconds,
        "rate_own": sum(speeds) if speeds else float("nan"),
    }


ROUNDS = 3
"""Interleaved rounds; the best of each tool is compared (the machine is shared and noisy)."""


def best(results: list[dict[str, float] | None], key: str = "wall") -> dict[str, float] | None:
    done = [result for result in results if result is not None]
    if not done:
        return None
    return min(done, key=lambda result: result[key])


def _row(name: str, result: dict[str, float] | None, own: float | None = None) -> None:
    if result is None:
        print(f"{name:<40} {'(not run)':>8}")
        return
    cpu = f"{result['cpu']:.2f}" if "cpu" in result else ""
    own_text = f"{own:,.0f}" if own is not None and own == own else ""
    print(
        f"{name:<40} {result['wall']:>8.2f} {cpu:>7} {result['rate_wall']:>15,.0f} {own_text:>14}"
    )


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__)
    arguments.add_argument("--lines", type=int, default=LINES)
    arguments.add_argument("--rounds", type=int, default=ROUNDS)
    arguments.add_argument("--no-unsign", action="store_true", help="skip flask-unsign (slow)")
    options = arguments.parse_args()
    lines = options.lines
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    print(
        f"audit-secret benchmark: {lines:,} candidates, key last, {cores} cores, best of "
        f"{options.rounds} interleaved rounds, load average before {os.getloadavg()[0]:.2f}"
    )
    cookie = flask_cookie(KEY, {"u": "al"})  # short, uncompressed: hashcat 6.2.6 loads it
    runs: dict[str, list[dict[str, float] | None]] = {"ours": [], "pure": [], "hashcat": []}
    scaling: dict[int, list[dict[str, float] | None]] = {jobs: [] for jobs in range(1, cores + 1)}
    unsign = None
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        wordlist = workdir / "words.txt"
        write_wordlist(wordlist, lines)
        for _round in range(options.rounds):
            runs["ours"].append(run_flaskscope(cookie, wordlist, lines))
            runs["hashcat"].append(run_hashcat(cookie, wordlist, workdir, lines))
            runs["pure"].append(run_flaskscope(cookie, wordlist, lines, engine="python"))
            for jobs in scaling:
                scaling[jobs].append(run_flaskscope(cookie, wordlist, lines, jobs=jobs))
        if not options.no_unsign:
            unsign = run_flask_unsign(cookie, wordlist, lines)
    ours, pure, hashcat = best(runs["ours"]), best(runs["pure"]), best(runs["hashcat"])
    if ours is None:
        return 1
    # hashcat's own speed: the best it reported, whatever the wall time of that run.
    hashcat_own = max(
        (run["rate_own"] for run in runs["hashcat"] if run is not None), default=float("nan")
    )
    ours_own = max(run["rate_own"] for run in runs["ours"] if run is not None)
    print(f"{'tool':<40} {'wall s':>8} {'cpu s':>7} {'cand/s (wall)':>15} {'cand/s (own)':>14}")
    _row(f"flaskscope audit-secret -j {int(ours['jobs'])} (native)", ours, ours_own)
    if pure is not None:
        pure_own = max(run["rate_own"] for run in runs["pure"] if run is not None)
        _row(f"flaskscope -j {int(pure['jobs'])} (pure Python)", pure, pure_own)
    _row("hashcat -m 29100 -a 0 -D 1 (CPU)", hashcat, hashcat_own)
    _row("flask-unsign --unsign (one run)", unsign)
    print(f"load average after {os.getloadavg()[0]:.2f}")
    print("scaling (native engine, best of the rounds):")
    print(f"{'jobs':>6} {'wall s':>8} {'cpu s':>7} {'cand/s (wall)':>15} {'per core (cpu)':>15}")
    for jobs, results in scaling.items():
        result = best(results)
        if result is not None:
            print(
                f"{jobs:>6} {result['wall']:>8.2f} {result['cpu']:>7.2f} "
                f"{result['rate_wall']:>15,.0f} {lines / result['cpu']:>15,.0f}"
            )
    if unsign is not None:
        ratio = ours["rate_wall"] / unsign["rate_wall"]
        print(f"flaskscope / flask-unsign (wall): {ratio:.1f}x  (goal >= 50x)")
    if hashcat is not None:
        print(f"flaskscope / hashcat (wall):      {ours['rate_wall'] / hashcat['rate_wall']:.2f}x")
        print(f"flaskscope / hashcat (own speed): {ours_own / hashcat_own:.2f}x  (goal >= 1.5x)")
    if pure is not None:
        print(f"native / pure-Python engine (wall): {ours['rate_wall'] / pure['rate_wall']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
