"""stdout closed (``>&-``) or gone (a reader that quit) never changes the exit code the input
deserves and never prints a traceback; no output encoding or width makes output vanish."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.hardening.processes import (
    FLASK,
    ROOT,
    SAMPLES,
    TIMEOUT,
    environment,
    flaskscope_argv,
    run,
)

COOKIE = str(SAMPLES / "cookie.txt")
KEY = (SAMPLES / "cookie-secret-key.txt").read_text().strip()
WEAK = (SAMPLES / "audit-weak-cookie.txt").read_text().strip()

# (arguments, exit code the input deserves)
CASES: list[tuple[tuple[str, ...], int]] = [
    (("decode-cookie", "--file", COOKIE, "--now", "2025-06-01T12:05:00Z"), 0),
    (("decode-cookie", "--file", COOKIE, "-k", "nope"), 1),
    (("decode-cookie", "--file", COOKIE, "-k", "nope", "--json"), 1),
    (("sign-cookie", "-k", "key", '{"a": 1}'), 0),
    (("sign-cookie", "-k", "key", '{"a": 1}', "--json"), 0),
    (("parse-frame", "--file", str(SAMPLES / "frames-capture.bin"), "--json"), 0),
    (("parse-frame", "--file", str(SAMPLES / "frames-capture.bin"), "--json-lines"), 0),
    (("parse-frame", "--file", str(SAMPLES / "frames-bad.hex"), "--hex"), 1),
    (("audit-secret", WEAK, "--json"), 1),
    (
        (
            "check-handshake",
            str(SAMPLES / "handshake-request.http"),
            str(SAMPLES / "handshake-response-bad.http"),
        ),
        1,
    ),
    (("ws-accept", "dGhlIHNhbXBsZSBub25jZQ=="), 0),
    (("build-frame", "--text", "hi"), 0),
]


def _closed_stdout(args: tuple[str, ...]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["bash", "-c", 'exec "$@" >&-', "-", *flaskscope_argv(*args)],
        capture_output=False,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=environment(),
        timeout=TIMEOUT,
        check=False,
    )


def _reader_gone(
    args: tuple[str, ...], argv: list[str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """stdout is a pipe whose reader has already closed it: every write is EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            argv or flaskscope_argv(*args),
            stdout=write_end,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=environment(),
            timeout=TIMEOUT,
            check=False,
            cwd=ROOT / "tests" / "apps",
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    ("args", "code"), CASES, ids=lambda c: " ".join(c[:3]) if isinstance(c, tuple) else str(c)
)
def test_closed_stdout_keeps_the_verdict(args: tuple[str, ...], code: int) -> None:
    completed = _closed_stdout(args)
    assert b"Traceback" not in completed.stderr, completed.stderr.decode()
    assert completed.returncode == code, completed.stderr.decode()


@pytest.mark.parametrize(
    ("args", "code"), CASES, ids=lambda c: " ".join(c[:3]) if isinstance(c, tuple) else str(c)
)
def test_broken_pipe_keeps_the_verdict(args: tuple[str, ...], code: int) -> None:
    """``... | head -c1`` used to turn exit 1 into 0 (decode-cookie) and 0 into 1 (parse-frame)."""
    completed = _reader_gone(args)
    assert completed.stderr == b"", completed.stderr.decode()
    assert completed.returncode == code


@pytest.mark.skipif(FLASK is None, reason="the flask script is part of the dev install")
def test_flask_scope_with_stdout_closed_or_gone() -> None:
    assert FLASK is not None
    argv = [FLASK, "--app", "fs_plain_app", "scope", "sign-cookie", '{"a": 1}', "--json"]
    gone = _reader_gone((), argv=argv)
    assert gone.returncode == 0, gone.stderr.decode()
    assert b"Traceback" not in gone.stderr
    closed = subprocess.run(
        ["bash", "-c", 'exec "$@" >&-', "-", *argv],
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=environment(),
        timeout=TIMEOUT,
        check=False,
        cwd=ROOT / "tests" / "apps",
    )
    assert closed.returncode == 0, closed.stderr.decode()
    assert b"Traceback" not in closed.stderr


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_any_output_encoding(encoding: str) -> None:
    """The tree of a decoded cookie has box-drawing characters no ASCII stdout can encode."""
    completed = run(
        "decode-cookie",
        "--file",
        COOKIE,
        "-k",
        KEY,
        "--now",
        "2025-06-01T12:05:00Z",
        env=environment(PYTHONIOENCODING=encoding),
    )
    assert completed.returncode == 0, completed.stderr.decode()
    assert completed.stderr == b""
    assert b"user_id = 42" in completed.stdout


@pytest.mark.parametrize("columns", ["0", "-3", "abc", ""])
@pytest.mark.parametrize(
    "args",
    [("parse-frame", "8100"), ("check-handshake", str(SAMPLES / "handshake-request.http"))],
    ids=lambda args: args[0],
)
def test_unusable_columns_still_print(columns: str, args: tuple[str, ...]) -> None:
    """COLUMNS=0 used to lay the report out 0 wide: nothing printed, exit 0."""
    completed = run(*args, env=environment(COLUMNS=columns))
    assert completed.returncode in (0, 1), completed.stderr.decode()
    assert len(completed.stdout.splitlines()) >= 3, completed.stdout


def test_one_error_line_for_one_exit_2() -> None:
    """The --fallback-key note used to come before the missing-key error."""
    completed = run("sign-cookie", "--fallback-key", "x", "{}")
    assert completed.returncode == 2
    assert len(completed.stderr.splitlines()) == 1, completed.stderr.decode()
    assert completed.stderr.startswith(b"Error: sign-cookie needs the key")


def test_stdin_closed() -> None:
    completed = subprocess.run(
        ["bash", "-c", 'exec "$@" <&-', "-", *flaskscope_argv("decode-cookie", "-")],
        capture_output=True,
        env=environment(),
        timeout=TIMEOUT,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr.decode().startswith("Error: ")
    assert b"Traceback" not in completed.stderr
    assert sys.executable  # the interpreter the CLI ran under is this one
