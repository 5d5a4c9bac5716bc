"""Shared test helpers: run the CLI through Click's runner, load JSON vectors."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from flaskscope.cli import main
from tests import profiles  # noqa: F401 - registers and loads the hypothesis profile

VECTORS = Path(__file__).parent / "vectors"

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    # A shell without job control starts background commands (`make test &`) with SIGINT
    # ignored, and children inherit that: the Ctrl-C tests and tcpdump's SIGINT stop would
    # test nothing. A handled signal is reset to the default in every child the tests start.
    signal.signal(signal.SIGINT, signal.default_int_handler)


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


SAMPLE_APPS = Path(__file__).parent / "apps"


@pytest.fixture
def sample_apps(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``tests/apps`` as the current directory and on ``sys.path`` for one test.

    Modules the test imports from outside the environment (the sample apps, apps written to
    ``tmp_path``) are forgotten afterwards, so no test sees another test's app module.
    """
    import sys
    import tempfile

    monkeypatch.syspath_prepend(str(SAMPLE_APPS))
    monkeypatch.chdir(SAMPLE_APPS)
    monkeypatch.delenv("FLASK_APP", raising=False)
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "")
    owned = (str(SAMPLE_APPS.resolve()), str(Path(tempfile.gettempdir()).resolve()))
    before = set(sys.modules)
    yield SAMPLE_APPS
    for name in set(sys.modules) - before:
        file = getattr(sys.modules[name], "__file__", None)
        if file and str(Path(file).resolve()).startswith(owned):
            del sys.modules[name]
