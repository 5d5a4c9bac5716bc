"""Hostile files and option values: every read bounded, nothing blocks, one ``Error:`` line.

A FIFO without a writer used to block in ``open()`` for ever, ``/dev/zero`` as a key file
grew to 11 GB, ``/proc/self/mem`` and huge numbers gave tracebacks.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer

from tests.hardening.processes import (
    SAMPLES,
    TIMEOUT,
    assert_one_error_line,
    environment,
    flaskscope_argv,
    run,
)

COOKIE = str(SAMPLES / "cookie.txt")
WEAK = (SAMPLES / "audit-weak-cookie.txt").read_text().strip()
HANDSHAKE = str(SAMPLES / "handshake-request.http")


@pytest.fixture
def fifo(tmp_path: Path) -> str:
    path = tmp_path / "no-writer"
    os.mkfifo(path)
    return str(path)


def _commands_reading(path: str) -> list[tuple[str, ...]]:
    """Every option and argument that names a file to read."""
    return [
        ("decode-cookie", "--file", path),
        ("decode-cookie", "--file", COOKIE, "--secret-key-file", path),
        ("sign-cookie", "{}", "--secret-key-file", path),
        ("sign-cookie", "--file", path, "-k", "key"),
        ("audit-secret", WEAK, "--wordlist", path, "--no-builtin"),
        ("audit-secret", "--file", path),
        ("parse-frame", "--file", path),
        ("parse-frame", "--file", path, "--hex"),
        ("parse-frame", "8100", "--handshake", path),
        ("check-handshake", path),
        ("check-handshake", HANDSHAKE, path),
        ("build-frame", "--payload-file", path),
    ]


def test_no_read_blocks_on_a_fifo_without_writer(fifo: str) -> None:
    """It reads as empty input: an error everywhere but for build-frame's payload (an empty
    payload is a payload)."""
    for args in _commands_reading(fifo):
        completed = run(*args)  # the timeout fails the test if it blocks
        if args[0] == "build-frame":
            assert completed.returncode == 0, completed.stderr.decode()
            assert completed.stdout.strip() == b"8200"
            continue
        line = assert_one_error_line(completed)
        assert any(word in line for word in ("empty", "no bytes", "JSON")), (args, line)


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/urandom", "/"])
def test_devices_and_directories_are_refused_at_once(path: str) -> None:
    for args in _commands_reading(path):
        line = assert_one_error_line(run(*args))
        assert path in line, (args, line)
        assert "not a regular file or a pipe" in line or "directory" in line, (args, line)


def test_read_error_partway_is_one_line() -> None:
    """``/proc/self/mem`` opens, then the first read fails with EIO."""
    for args in _commands_reading("/proc/self/mem"):
        line = assert_one_error_line(run(*args))
        assert "error" in line.lower(), (args, line)


def test_key_file_through_a_pipe_is_bounded() -> None:
    """``--secret-key-file <(...)`` works, and a pipe that never ends is cut at 64 KiB."""
    endless = subprocess.Popen(["cat", "/dev/zero"], stdout=subprocess.PIPE)
    try:
        assert endless.stdout is not None
        descriptor = endless.stdout.fileno()
        completed = subprocess.run(
            flaskscope_argv("sign-cookie", "{}", "--secret-key-file", f"/dev/fd/{descriptor}"),
            pass_fds=(descriptor,),
            capture_output=True,
            env=environment(),
            timeout=TIMEOUT,
            check=False,
        )
    finally:
        endless.kill()
        endless.communicate()
    line = assert_one_error_line(completed)
    assert "larger than 64 KiB" in line


def test_parse_frame_bounds_an_endless_stream() -> None:
    """``--max-input-bytes`` stops a pipe that never ends (here: zeros)."""
    completed = subprocess.run(
        [
            "bash",
            "-c",
            'cat /dev/zero | "$@"',
            "-",
            *flaskscope_argv("parse-frame", "-", "--raw", "--summary", "--max-input-bytes", "4096"),
        ],
        capture_output=True,
        env=environment(),
        timeout=TIMEOUT,
        check=False,
    )
    line = assert_one_error_line(completed)
    assert "longer than --max-input-bytes (4 KiB)" in line


@pytest.mark.parametrize(
    "args",
    [
        ("decode-cookie", "--file", COOKIE, "--max-decompressed", "9223372036854775807"),
        ("parse-frame", "8100", "--max-message-size", "9223372036854775807"),
        ("parse-frame", "8100", "--max-bytes", "99999999999999999999999"),
        ("parse-frame", "8100", "--max-frames", "-1"),
        ("parse-frame", "8100", "--max-total-decompressed", "9223372036854775807"),
        ("parse-frame", "8100", "--max-input-bytes", "-1"),
        ("audit-secret", WEAK, "--jobs", "100000"),
        ("decode-cookie", "abc", "--timeout", "1e309"),
        ("build-frame", "--close-code", "65536"),
    ],
    ids=lambda args: args[-2],
)
def test_numbers_out_of_range_are_usage_errors(args: tuple[str, ...]) -> None:
    line = assert_one_error_line(run(*args))
    assert args[-2] in line


def test_too_many_jobs_are_cut_with_a_note() -> None:
    """``-j 500`` used to start 500 processes."""
    completed = run("audit-secret", WEAK, "--jobs", "1000")
    assert completed.returncode == 1, completed.stderr.decode()
    assert completed.stderr.decode().startswith("note: --jobs 1000 is more than 4 per usable core")


def _itsdangerous_loads(cookie: str, key: bytes, salt: bytes = b"cookie-session") -> object:
    serializer = URLSafeTimedSerializer(
        key,
        salt=salt,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    return serializer.loads(cookie)


def test_key_and_salt_that_are_not_utf8_are_used_as_bytes() -> None:
    """``-k $'x\\xffy'`` is the bytes typed: itsdangerous verifies the cookie with them."""
    env = environment()
    completed = subprocess.run(
        [
            os.fsencode(part)
            for part in flaskscope_argv(
                "sign-cookie", '{"a": 1}', "-k", "x\udcffy", "--salt", "s\udcfe"
            )
        ],
        capture_output=True,
        env=env,
        timeout=TIMEOUT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    cookie = completed.stdout.decode().strip()
    assert _itsdangerous_loads(cookie, b"x\xffy", b"s\xfe") == {"a": 1}
    from_env = subprocess.run(
        flaskscope_argv("decode-cookie", cookie, "--salt", "s\udcfe", "--json"),
        capture_output=True,
        env={
            **{k.encode(): v.encode() for k, v in env.items()},
            b"FLASKSCOPE_SECRET_KEY": b"x\xffy",
        },
        timeout=TIMEOUT,
        check=False,
    )
    assert from_env.returncode == 0, from_env.stderr.decode()
    fallback = run(
        "decode-cookie",
        cookie,
        "-k",
        "wrong",
        "--fallback-key",
        "x\udcffy",
        "--salt",
        "s\udcfe",
        "--json",
    )
    assert fallback.returncode == 0, fallback.stderr.decode()
    assert b'"matched_key": "fallback:0"' in fallback.stdout


def test_text_option_that_is_not_utf8_is_refused() -> None:
    line = assert_one_error_line(run("build-frame", "--close-code", "1000", "--reason", "a\udcff"))
    assert "--reason" in line
    assert "not valid UTF-8" in line
