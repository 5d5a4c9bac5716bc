"""Signals: Ctrl-C exits 130, SIGTERM 143, SIGHUP 129, with one line saying what stopped,
for every command and under ``flask scope``; worker processes never outlive the CLI.

Each process is signalled only once it waits for input (its main thread sleeps in a pipe
read), so the handlers are in place whatever the load on the machine.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.hardening.processes import (
    FLASK,
    ROOT,
    SAMPLES,
    TIMEOUT,
    alive,
    children_of,
    environment,
    flaskscope_argv,
    kill_all,
)

COOKIE = (SAMPLES / "audit-strong-cookie.txt").read_text().strip()


def _wait_reading_a_pipe(process: subprocess.Popen[bytes]) -> None:
    """Until the process sleeps in a pipe read (it waits for the stdin we never write).

    Where the kernel hides ``wchan`` (it reads ``0``), the process must have slept for two
    seconds in a row instead: long past start-up on any machine.
    """
    deadline = time.monotonic() + TIMEOUT
    proc = Path(f"/proc/{process.pid}")
    asleep_since: float | None = None
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            wchan = (proc / "wchan").read_text().strip()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            wchan, state = "", ""
        if "pipe_read" in wchan or "pipe_wait" in wchan:
            return
        if wchan in ("", "0") and state == "S":
            asleep_since = asleep_since or time.monotonic()
            if time.monotonic() - asleep_since > 2:
                return
        else:
            asleep_since = None
        time.sleep(0.05)
    raise AssertionError("the process never waited for its input")


def _interrupt(argv: list[str], signum: int, cwd: Path = ROOT) -> tuple[int, str]:
    process = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=environment(),
    )
    try:
        _wait_reading_a_pipe(process)
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, stderr.decode("utf-8", "replace")


WAITING_COMMANDS = [
    ("decode-cookie", "-"),
    ("sign-cookie", "-k", "key", "-"),
    ("parse-frame", "-"),
    ("check-handshake", "-"),
    ("audit-secret", COOKIE, "--wordlist", "-", "--no-builtin"),
]


SIGNAL_CASES = [
    *[(args, signal.SIGINT, 130) for args in WAITING_COMMANDS],
    *[(args, signal.SIGTERM, 143) for args in WAITING_COMMANDS],
    *[(args, signal.SIGHUP, 129) for args in WAITING_COMMANDS[::4]],
]
"""Ctrl-C and SIGTERM for every command; SIGHUP (the same handler) for two of them."""


@pytest.mark.parametrize(
    ("args", "signum", "code"),
    SIGNAL_CASES,
    ids=[f"{args[0]}-{signal.Signals(signum).name}" for args, signum, _ in SIGNAL_CASES],
)
def test_signal_gives_128_plus_n_and_one_line(
    args: tuple[str, ...], signum: int, code: int
) -> None:
    """Not Click's "Aborted!" with exit 1, which reads as "invalid" / "weak key found"."""
    returncode, stderr = _interrupt(flaskscope_argv(*args), signum)
    assert returncode == code, stderr
    assert "Traceback" not in stderr, stderr
    assert "Aborted" not in stderr, stderr
    name = signal.Signals(signum).name
    assert stderr.splitlines() == [
        line for line in stderr.splitlines() if line.startswith(f"Interrupted ({name}): ")
    ]
    assert len(stderr.splitlines()) == 1, stderr
    assert args[0] in stderr


def test_audit_says_how_far_it_got(tmp_path: Path) -> None:
    """The candidates tried before the interruption are in the line."""
    process = subprocess.Popen(
        flaskscope_argv("audit-secret", COOKIE, "--wordlist", "-", "--no-builtin", "-j", "1"),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(),
    )
    try:
        assert process.stdin is not None
        process.stdin.write(b"".join(b"candidate-%d\n" % n for n in range(50_000)))
        process.stdin.flush()
        _wait_reading_a_pipe(process)
        time.sleep(0.5)  # the candidates read are checked before it waits again
        _wait_reading_a_pipe(process)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 143
    assert re.fullmatch(
        r"Interrupted \(SIGTERM\): \S+ audit-secret stopped after [\d,]+ candidates\n",
        stderr.decode(),
    ), stderr


@pytest.mark.skipif(FLASK is None, reason="the flask script is part of the dev install")
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_flask_scope_is_interrupted_the_same_way(signum: int, code: int) -> None:
    assert FLASK is not None
    argv = [FLASK, "--app", "fs_plain_app", "scope", "decode-cookie", "-"]
    returncode, stderr = _interrupt(argv, signum, cwd=ROOT / "tests" / "apps")
    assert returncode == code, stderr
    assert "Traceback" not in stderr
    assert "Aborted" not in stderr
    assert stderr.startswith(f"Interrupted ({signal.Signals(signum).name}): ")
    assert "scope decode-cookie" in stderr


@pytest.fixture(scope="module")
def long_wordlist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wordlist = tmp_path_factory.mktemp("audit") / "words.txt"
    wordlist.write_bytes(b"".join(b"not-the-key-%d\n" % n for n in range(3_000_000)))
    return wordlist


def _audit_with_workers(wordlist: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    """An audit with worker processes: those of the pure-Python engine (the native engine's
    workers are threads, which cannot outlive the process)."""
    process = subprocess.Popen(
        flaskscope_argv("audit-secret", COOKIE, "-w", str(wordlist), "--no-builtin", "-j", "2"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=environment(FLASKSCOPE_PURE_PYTHON="1"),
    )
    deadline = time.monotonic() + TIMEOUT
    while len(workers := children_of(process.pid)) < 2:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the workers never started"
        time.sleep(0.05)
    return process, workers


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL, signal.SIGINT])
def test_workers_die_with_the_cli(long_wordlist: Path, signum: int) -> None:
    """SIGKILL gives the CLI no chance to clean up: the kernel (PR_SET_PDEATHSIG) and the
    EOF on the workers' pipes end them. They used to live on under PID 1 for 11+ minutes."""
    process, workers = _audit_with_workers(long_wordlist)
    try:
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=TIMEOUT)
        deadline = time.monotonic() + 20
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(alive(pid) for pid in workers), "a worker outlived the CLI"
        expected = -signal.SIGKILL if signum == signal.SIGKILL else 128 + signum
        assert process.returncode == expected, stderr
        assert b"Traceback" not in stderr, stderr
    finally:
        kill_all([process.pid, *workers])
        process.communicate()
