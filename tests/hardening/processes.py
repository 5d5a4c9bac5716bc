"""Run flaskscope (or ``flask scope``) as a real process: signals, pipes and descriptors
only behave as they do for users in a process of its own."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
FLASK = shutil.which("flask", path=str(Path(sys.executable).parent))
TIMEOUT = 60
"""Seconds any one process may take: generous for a loaded 2-core machine."""


def flaskscope_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "flaskscope", *args]


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR", "FLASK_APP")}
    env.update(extra)
    return env


def run(
    *args: str,
    stdin: Any = subprocess.DEVNULL,
    env: dict[str, str] | None = None,
    argv: list[str] | None = None,
    **kwargs: Any,
) -> subprocess.CompletedProcess[bytes]:
    """``flaskscope ARGS`` to completion, output captured as bytes."""
    return subprocess.run(
        argv if argv is not None else flaskscope_argv(*args),
        stdin=stdin,
        capture_output=True,
        env=env or environment(),
        timeout=TIMEOUT,
        check=False,
        **kwargs,
    )


def assert_one_error_line(completed: subprocess.CompletedProcess[bytes], code: int = 2) -> str:
    """Exit ``code`` with exactly one ``Error: ...`` line on stderr and no traceback."""
    stderr = completed.stderr.decode("utf-8", "replace")
    assert completed.returncode == code, (completed.returncode, stderr)
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: "), stderr
    return lines[0]


def children_of(pid: int) -> list[int]:
    """Live processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def kill_all(pids: list[int]) -> None:
    """Clean up after a failed test: the processes it started, by id."""
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
