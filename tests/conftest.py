"""Shared test helpers: run the CLI through Click's runner, load JSON vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from flaskscope.cli import main

VECTORS = Path(__file__).parent / "vectors"


def load_vectors(name: str) -> Any:
    """A JSON file from ``tests/vectors/``."""
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def run_cli(
    *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None
) -> Result:
    """Invoke ``flaskscope ARGS`` in-process; stdout and stderr are kept apart."""
    runner = CliRunner()
    return runner.invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def run_json(*args: str, input: str | bytes | None = None, code: int = 0) -> Any:
    """Run with ``--json``, check the exit code and that stdout is one JSON object."""
    result = run_cli(*args, "--json", input=input)
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    return json.loads(result.stdout)


@pytest.fixture
def cli() -> Any:
    return run_cli
