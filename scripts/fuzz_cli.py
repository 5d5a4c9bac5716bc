"""The CLI-level fuzz campaign (``make fuzz``): real flaskscope processes on hostile input.

Every case runs ``python -m flaskscope ...`` as its own process under an address-space limit
(``RLIMIT_AS``) and a wall-clock timeout, with inputs drawn from a seeded generator: the
samples mutated (bits flipped, cut, repeated), hostile files (a FIFO with no writer,
``/dev/zero``, a directory, ``/proc/self/mem``), hostile option values (huge or negative
numbers, bytes that are not UTF-8, terminal escapes), a closed or broken stdout,
``PYTHONIOENCODING=ascii``, ``COLUMNS=0`` and signals sent partway.

A finding is any of: a traceback, an exit status outside the contract (0, 1, 2, or 128 + the
signal sent), an exit 2 without exactly one ``Error:`` line, a hang past the timeout, a run
killed by the memory limit, or a raw ESC on stdout or stderr (neither is a terminal here, so
no colour is due). Findings are printed with the command that reproduces them, and the
script exits 1. The same ``--seed`` gives the same cases.

    python scripts/fuzz_cli.py --seed 1 --cases 300 --memory-mb 2048 --timeout 30
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"

HUGE_NUMBERS = ["9223372036854775807", "-1", "0", "1e309", "99999999999999999999999", "nan"]
HOSTILE_TEXT = ["\x1b[31mred\x1b[0m", "x\udcffy", "", "a" * 5000, "\u202eevil", "=;\t\r\n"]


@dataclass
class Case:
    """One process to run: arguments, environment changes, stdin, how stdout is wired."""

    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    stdin: bytes | None = None
    stdout: str = "pipe"
    """``pipe``, ``closed`` (``>&-``) or ``broken`` (a pipe whose reader is gone)."""
    signal_after: float | None = None
    signum: int = signal.SIGTERM

    def command(self, *, short: bool = False) -> str:
        """A shell line that reproduces the case (the signal aside); ``short`` cuts long
        arguments for the console (the JSON report keeps them whole)."""
        env = " ".join(f"{key}={shlex.quote(value)}" for key, value in self.env.items())
        parts = ["flaskscope", *self.args]
        if short:
            parts = [p if len(p) <= 80 else f"{p[:20]}...({len(p)} chars)" for p in parts]
        argv = " ".join(shlex.quote(part) for part in parts)
        redirect = {"closed": " >&-", "broken": " | head -c0", "pipe": ""}[self.stdout]
        feed = " < STDIN" if self.stdin is not None else ""
        return f"{env + ' ' if env else ''}{argv}{feed}{redirect}"


@dataclass
class Finding:
    kind: str
    case: Case
    detail: str


class Campaign:
    """Draws cases from one seeded generator and files the hostile inputs they need."""

    def __init__(self, rng: random.Random, workdir: Path) -> None:
        self.rng = rng
        self.workdir = workdir
        self.counter = 0
        self.fifo = workdir / "fifo-without-writer"
        os.mkfifo(self.fifo)
        self.samples = {
            path.name: path.read_bytes()
            for path in SAMPLES.iterdir()
            if path.is_file() and path.suffix in (".txt", ".bin", ".hex", ".http", ".json")
        }

    def file(self, data: bytes) -> str:
        self.counter += 1
        path = self.workdir / f"input-{self.counter}"
        path.write_bytes(data)
        return str(path)

    def mutate(self, data: bytes) -> bytes:
        data = bytearray(data or b"\x00")
        for _ in range(self.rng.randint(1, 8)):
            choice = self.rng.random()
            position = self.rng.randrange(len(data) or 1)
            if choice < 0.4 and data:
                data[position % len(data)] = self.rng.randrange(256)
            elif choice < 0.6:
                data = data[:position]
            elif choice < 0.8:
                data[position:position] = data[
                    position : position + self.rng.randint(1, 4096)
                ] * self.rng.randint(1, 50)
            else:
                data[position:position] = self.rng.randbytes(self.rng.randint(1, 64))
        return bytes(data)

    def hostile_path(self) -> str:
        return self.rng.choice(
            [str(self.fifo), "/dev/zero", "/dev/urandom", "/", "/proc/self/mem", "/nonexistent"]
        )

    def sample(self, *names: str) -> bytes:
        return self.samples[self.rng.choice(names)]

    def input_path(self, *names: str) -> str:
        if self.rng.random() < 0.25:
            return self.hostile_path()
        return self.file(self.mutate(self.sample(*names)))

    def option_value(self) -> str:
        return self.rng.choice(HUGE_NUMBERS + HOSTILE_TEXT)

    def cookie_case(self) -> Case:
        command = self.rng.choice(["decode-cookie", "sign-cookie", "audit-secret"])
        args = [command]
        if command == "sign-cookie":
            args += ["--file", self.input_path("cookie-session.json"), "-k", "key"]
        else:
            args += [
                "--file",
                self.input_path(
                    "cookie.txt",
                    "cookie-request.http",
                    "cookie-response.http",
                    "flask-session-cookie.txt",
                    "audit-weak-cookie.txt",
                    "demo-shop-cookie.txt",
                ),
            ]
        if command == "audit-secret":
            args += ["--wordlist", self.input_path("audit-wordlist.txt"), "-j", "2"]
        extra = [
            ["--secret-key-file", self.hostile_path()],
            ["-k", self.rng.choice(HOSTILE_TEXT) or "k"],
            ["--fallback-key", self.rng.choice(HOSTILE_TEXT) or "k"],
            ["--salt", self.rng.choice(HOSTILE_TEXT)],
            ["--max-age", self.option_value()],
            ["--cookie-name", self.rng.choice(HOSTILE_TEXT) or "session"],
            ["--digest", self.rng.choice(["sha1", "sha512", "md4", "nope", "shake_128"])],
            ["--json"],
        ]
        if command == "decode-cookie":
            extra += [
                ["--max-decompressed", self.option_value()],
                [
                    "--store",
                    self.rng.choice(
                        [
                            "redis://:pw@127.0.0.1:notaport/0",
                            "redis://SECRET@127.0.0.1:1/0",
                            "redis://127.0.0.1:99999/0",
                            "http://x/",
                            "redis://[::1/0",
                        ]
                    ),
                    "--timeout",
                    "1",
                ],
            ]
        for option in self.rng.sample(extra, self.rng.randint(0, 3)):
            args += option
        return Case(args)

    def frame_case(self) -> Case:
        args = [
            "parse-frame",
            "--file",
            self.input_path(
                "frames-capture.bin", "frames-client.bin", "frames-deflate.bin", "frames-bomb.bin"
            ),
        ]
        extra = [
            ["--deflate"],
            ["--json"],
            ["--json-lines"],
            ["--summary"],
            ["--max-message-size", self.option_value()],
            ["--max-total-decompressed", self.option_value()],
            ["--max-input-bytes", self.option_value()],
            ["--max-bytes", self.option_value()],
            ["--role", self.rng.choice(["client", "server", "auto", "x"])],
            ["--handshake", self.input_path("frames-handshake-response.http")],
            ["--deflate-params", self.rng.choice([*HOSTILE_TEXT, "permessage-deflate; x=1"])],
        ]
        for option in self.rng.sample(extra, self.rng.randint(0, 3)):
            args += option
        if "--deflate" in args and any(a in args for a in ("--handshake", "--deflate-params")):
            args.remove("--deflate")
        return Case(args)

    def handshake_case(self) -> Case:
        args = ["check-handshake", self.input_path("handshake-request.http")]
        if self.rng.random() < 0.7:
            args.append(self.input_path("handshake-response.http", "handshake-response-bad.http"))
        if self.rng.random() < 0.5:
            args.append("--json")
        return Case(args)

    def build_case(self) -> Case:
        args = ["build-frame", "--text", self.rng.choice(HOSTILE_TEXT) or "x"]
        extra = [
            ["--fragment", self.option_value()],
            ["--close-code", self.option_value()],
            ["--reason", self.rng.choice(HOSTILE_TEXT)],
            ["--mask-key", self.rng.choice([*HOSTILE_TEXT, "00112233"])],
            ["--compress"],
            ["--format", self.rng.choice(["hex", "base64", "raw"])],
        ]
        for option in self.rng.sample(extra, self.rng.randint(0, 3)):
            args += option
        if "--reason" in args and "--close-code" not in args:
            args[args.index("--text") : args.index("--text") + 2] = ["--opcode", "close"]
        return Case(args)

    def stdin_case(self) -> Case:
        command = self.rng.choice(
            [
                ["decode-cookie", "-"],
                ["parse-frame", "-"],
                ["check-handshake", "-"],
                ["sign-cookie", "-", "-k", "k"],
            ]
        )
        return Case(command, stdin=self.mutate(self.sample(*self.samples)))

    def case(self) -> Case:
        maker: Callable[[], Case] = self.rng.choice(
            [
                self.cookie_case,
                self.frame_case,
                self.handshake_case,
                self.build_case,
                self.stdin_case,
            ]
        )
        case = maker()
        roll = self.rng.random()
        if roll < 0.1:
            case.stdout = "closed"
        elif roll < 0.2:
            case.stdout = "broken"
        if self.rng.random() < 0.1:
            case.env["PYTHONIOENCODING"] = "ascii"
        if self.rng.random() < 0.1:
            case.env["COLUMNS"] = self.rng.choice(["0", "-1", "1", "x"])
        if self.rng.random() < 0.08:
            case.signal_after = self.rng.uniform(0.05, 1.5)
            case.signum = self.rng.choice([signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
        return case


def _limits(memory_bytes: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # a fuzzed SIGINT must reach the CLI

    return apply


def run_case(case: Case, *, timeout: float, memory_bytes: int) -> list[Finding]:
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "NO_COLOR")}
    env.update(case.env)
    argv = [os.fsencode(part) for part in (sys.executable, "-m", "flaskscope", *case.args)]
    stdout: int
    read_end = None
    if case.stdout == "pipe":
        stdout = subprocess.PIPE
    elif case.stdout == "broken":
        read_end, stdout = os.pipe()
        os.close(read_end)
    else:
        argv = [b"bash", b"-c", b'exec "$@" >&-', b"-", *argv]
        stdout = subprocess.DEVNULL
    started = time.monotonic()
    process = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE if case.stdin is not None else subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env={os.fsencode(k): os.fsencode(v) for k, v in env.items()},
        preexec_fn=_limits(memory_bytes),
        cwd=ROOT,
    )
    if case.stdout == "broken":
        os.close(stdout)
    try:
        if case.signal_after is not None:
            time.sleep(case.signal_after)
            if process.poll() is None:
                process.send_signal(case.signum)
        out, err = process.communicate(case.stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return [Finding("hang", case, f"still running after {timeout:g} s")]
    return _judge(case, process.returncode, out or b"", err or b"", time.monotonic() - started)


def _interpreter_starting(case: Case, text: str) -> bool:
    """A Ctrl-C that lands while Python itself starts (``site``, the first imports), before
    any flaskscope code can install a handler: Python's own traceback, not a finding."""
    return (
        case.signal_after is not None
        and case.signum == signal.SIGINT
        and text.rstrip().endswith("KeyboardInterrupt")
        and "flaskscope/cli.py" not in text
        and "flaskscope/commands" not in text
    )


def _judge(case: Case, code: int, out: bytes, err: bytes, seconds: float) -> list[Finding]:
    text = err.decode("utf-8", "replace")
    found: list[Finding] = []
    if "Traceback (most recent call last)" in text and not _interpreter_starting(case, text):
        found.append(Finding("traceback", case, text[-2000:]))
    if "MemoryError" in text or code == -signal.SIGKILL or "Cannot allocate memory" in text:
        found.append(Finding("memory", case, text[-500:] or f"exit {code}"))
    allowed = {0, 1, 2}
    if case.signal_after is not None:
        # 128 + n once the CLI's handlers are in place; -n (killed by it) before that.
        allowed |= {128 + case.signum, -case.signum}
    if code not in allowed:
        found.append(
            Finding("exit-status", case, f"exit {code} after {seconds:.1f} s: {text[-500:]}")
        )
    if code == 2:
        lines = [
            line
            for line in text.splitlines()
            if not line.startswith(("note:", "warning:", "Warning:"))
        ]
        if len(lines) != 1 or not lines[0].startswith("Error: "):
            found.append(Finding("error-line", case, text[-1000:]))
    if b"\x1b" in out or b"\x1b" in err:
        found.append(Finding("escape", case, "a raw ESC reached stdout or stderr"))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per process")
    parser.add_argument("--memory-mb", type=int, default=2048, help="RLIMIT_AS per process")
    parser.add_argument("--parallel", type=int, default=2, help="processes at once")
    parser.add_argument("--report", type=Path, help="write the findings as JSON here")
    options = parser.parse_args()

    rng = random.Random(options.seed)
    findings: list[Finding] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="flaskscope-fuzz-") as directory:
        campaign = Campaign(rng, Path(directory))
        cases = [campaign.case() for _ in range(options.cases)]
        with ThreadPoolExecutor(max_workers=options.parallel) as pool:
            for result in pool.map(
                lambda case: run_case(
                    case, timeout=options.timeout, memory_bytes=options.memory_mb << 20
                ),
                cases,
            ):
                findings.extend(result)
    elapsed = time.monotonic() - started
    for finding in findings:
        print(f"[{finding.kind}] {finding.case.command(short=True)}")
        print(f"    {finding.detail.strip()[:800]}\n")
    kinds = sorted({finding.kind for finding in findings})
    print(
        f"fuzz_cli: seed {options.seed}, {options.cases} processes in {elapsed:.0f} s "
        f"(limit {options.memory_mb} MiB, {options.timeout:g} s each): "
        f"{len(findings)} finding(s){' ' + ', '.join(kinds) if kinds else ''}"
    )
    if options.report is not None:
        options.report.write_text(
            json.dumps(
                [
                    {"kind": f.kind, "command": f.case.command(), "detail": f.detail}
                    for f in findings
                ],
                indent=2,
            )
        )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
