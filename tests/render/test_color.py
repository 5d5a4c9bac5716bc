"""Colour on a real terminal, and none with ``--no-color`` or ``NO_COLOR``.

CliRunner never gives a terminal, so rich would never colour there and a test of the flag
could not fail. These tests run each command on a pseudo-terminal instead, and first check
that colour does appear without the flag.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.terminal import SAMPLES, clean_env
from tests.terminal import run_on_terminal as on_terminal

SGR = re.compile(rb"\x1b\[[0-9;]*m")
"""Select Graphic Rendition: the escape sequences that set colours and styles."""

COMMANDS = {
    "decode-cookie": ["decode-cookie", "--file", "cookie.txt"],
    "audit-secret": ["audit-secret", "--file", "audit-weak-cookie.txt"],
    "ws-accept": ["ws-accept", "dGhlIHNhbXBsZSBub25jZQ=="],
    "check-handshake": ["check-handshake", "handshake-request.http", "handshake-response.http"],
    "parse-frame": ["parse-frame", "--file", "frames-client.bin", "--max-bytes", "16"],
}
"""Every command whose human output is styled (sign-cookie and build-frame print bare
values meant for ``$(...)``, with no styles to turn off)."""


def run_on_terminal(args: list[str], *, no_color_env: bool = False) -> bytes:
    """Run ``flaskscope ARGS`` with stdout and stderr on a 120-column pty; all output."""
    env = clean_env(NO_COLOR="1") if no_color_env else clean_env()
    return on_terminal(args, columns=120, env=env)[1].encode()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_colour_on_a_terminal_and_none_when_asked(name: str) -> None:
    args = COMMANDS[name]
    coloured = run_on_terminal(args)
    assert SGR.search(coloured), f"{name} shows no colour on a terminal: the test cannot fail"
    assert not SGR.search(run_on_terminal([*args, "--no-color"])), f"{name} --no-color"
    assert not SGR.search(run_on_terminal(args, no_color_env=True)), f"{name} with NO_COLOR"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_no_escape_codes_when_piped(name: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "flaskscope", *COMMANDS[name]],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        cwd=SAMPLES,
        env={k: v for k, v in os.environ.items() if k != "FORCE_COLOR"},
        check=False,
        timeout=60,
    )
    assert completed.stdout, name
    assert b"\x1b" not in completed.stdout, name
    assert b"\x1b" not in completed.stderr, name
