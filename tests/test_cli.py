"""The command line as a whole: help, version, exit codes and error lines."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from flaskscope import __version__
from flaskscope.cli import COMMANDS, command, main
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
