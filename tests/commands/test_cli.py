"""The command line as a whole: help, version, exit codes and error lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from flaskscope import __version__
from flaskscope.cli import COMMANDS, MAX_INPUT_BYTES, command, main, read_file
from flaskscope.errors import FlaskscopeError, InputError
from tests.conftest import run_cli


def test_version() -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_help_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.stdout


def test_every_command_has_help_with_an_example() -> None:
    for name in COMMANDS:
        result = run_cli(name, "--help")
        assert result.exit_code == 0, name
        assert "Example" in result.stdout, f"{name} --help shows no worked example"
        assert "--json" in result.stdout, name
        assert "--no-color" in result.stdout, name


def test_unknown_command_is_a_usage_error() -> None:
    result = run_cli("no-such-command")
    assert result.exit_code == 2
    assert "No such command" in result.stderr


def test_python_dash_m() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "flaskscope", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0
    assert __version__ in completed.stdout


def _failing_command(error: Exception) -> click.Command:
    @command("boom")
    def boom() -> None:
        raise error

    return boom


def test_flaskscope_error_becomes_one_error_line_and_its_exit_code() -> None:
    result = CliRunner().invoke(_failing_command(InputError("bad\n input \x1b[31m")), [])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "Error: bad input \\x1b[31m\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_exit_code_comes_from_the_error_class() -> None:
    class Invalid(FlaskscopeError):
        exit_code = 1

    result = CliRunner().invoke(_failing_command(Invalid("no good")), [])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no good")


def test_main_lists_lazy_commands_without_importing_them() -> None:
    assert set(COMMANDS) <= set(main.list_commands(click.Context(main)))


def test_usage_errors_are_one_error_line() -> None:
    for args in (
        ["no-such-command"],
        ["ws-accept", "--verify"],
        ["decode-cookie", "--file", "/nonexistent/cookie.txt"],
        ["check-handshake", "/"],
        ["decode-cookie", "--no-such-option"],
    ):
        result = run_cli(*args)
        assert result.exit_code == 2, args
        lines = result.stderr.splitlines()
        assert len(lines) == 1, (args, result.stderr)
        assert lines[0].startswith("Error: "), (args, result.stderr)
        assert result.stdout == "", args


def test_file_inputs_past_the_limit_are_refused(tmp_path: Path) -> None:
    huge = tmp_path / "huge"
    with huge.open("wb") as handle:  # sparse: costs no disk
        handle.truncate(MAX_INPUT_BYTES + 1)
    for args in (
        ["decode-cookie", "--file", str(huge)],
        ["check-handshake", str(huge)],
        ["ws-accept", "--request", str(huge)],
    ):
        result = run_cli(*args)
        assert result.exit_code == 2, args
        assert "larger than 64 MiB" in result.stderr, (args, result.stderr)


def test_read_file_reads_at_most_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "data"
    path.write_bytes(b"x" * 11)
    assert read_file(str(path), param_hint="--file", limit=11) == b"x" * 11
    with pytest.raises(InputError, match="larger than"):
        read_file(str(path), param_hint="--file", limit=10)


def test_every_command_has_a_help_row_that_fits_80_columns() -> None:
    """``flaskscope --help`` is printed from HELP_ROWS: a new command adds its line there."""
    from flaskscope.cli import HELP_ROWS

    assert set(COMMANDS) <= {shown.split()[0] for _, shown, _ in HELP_ROWS}
    for group in {group for group, _, _ in HELP_ROWS}:
        rows = [(shown, summary) for name, shown, summary in HELP_ROWS if name == group]
        column = max(len(shown) for shown, _ in rows)
        for shown, summary in rows:
            assert 2 + column + 2 + len(summary) <= 80, (group, shown)
            assert not summary.endswith((".", "...")), shown


def test_a_command_without_a_help_row_is_still_listed() -> None:
    from flaskscope.cli import LazyGroup

    group = LazyGroup(
        name="probe",
        lazy_commands={**COMMANDS, "extra": "flaskscope.commands.frames_build:build_frame"},
    )
    result = CliRunner().invoke(group, ["--help"])
    assert result.exit_code == 0
    other = result.stdout.split("Other commands:", 1)[1]
    assert "extra  Craft a WebSocket frame (or a fragmented message) for tests and demos." in other
