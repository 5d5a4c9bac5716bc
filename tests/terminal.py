"""Run ``flaskscope`` as a user does: on a pseudo-terminal of a given size, or piped.

CliRunner never gives a terminal, so wrapping, colour and progress bars cannot be tested
with it. Here the command runs in a real subprocess whose stdout (and/or stderr) is a pty
with its window size set (``TIOCSWINSZ``), as tmux or a terminal emulator would set it.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

SAMPLES = Path(__file__).parent.parent / "samples"

SGR = re.compile(r"\x1b\[[0-9;]*m")
"""Select Graphic Rendition: the escape sequences that set colours and styles."""

ANY_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

_COLOUR_ENV = ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "LINES", "CLICOLOR_FORCE", "TTY_COMPATIBLE")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without colour or size settings, plus ``extra``."""
    env = {key: value for key, value in os.environ.items() if key not in _COLOUR_ENV}
    env["TERM"] = "xterm-256color"
    env.update(extra)
    return env


def _set_size(fd: int, columns: int, rows: int = 50) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def run_on_terminal(
    args: list[str],
    *,
    columns: int = 80,
    env: dict[str, str] | None = None,
    stdout_to: Path | None = None,
    timeout: float = 120,
) -> tuple[int, str]:
    """Run ``flaskscope ARGS`` with stderr (and stdout, unless ``stdout_to`` names a file)
    on a pty ``columns`` wide; return the exit code and what the terminal received."""
    leader, follower = pty.openpty()
    _set_size(follower, columns)
    stdout_file = None if stdout_to is None else stdout_to.open("wb")
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "flaskscope", *args],
            stdin=subprocess.DEVNULL,
            stdout=follower if stdout_file is None else stdout_file,
            stderr=follower,
            cwd=SAMPLES,
            env=clean_env() if env is None else env,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the other side closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        code = process.wait(timeout=timeout)
    finally:
        os.close(leader)
        if stdout_file is not None:
            stdout_file.close()
    return code, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


def run_piped(
    args: list[str], *, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``flaskscope ARGS`` with stdout and stderr on pipes."""
    return subprocess.run(
        [sys.executable, "-m", "flaskscope", *args],
        input=input,
        text=True,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        cwd=SAMPLES,
        env=clean_env() if env is None else env,
        check=False,
        timeout=120,
    )


def plain(screen: str) -> str:
    """What a person reads: ``screen`` without escape sequences."""
    return ANY_ESCAPE.sub("", screen)
