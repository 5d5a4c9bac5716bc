"""docs/subprotocols.md: every ``$ flaskscope ...`` console example, run from the repository
root against samples/, prints exactly what the page shows; every violation code is in its
table; and the samples still decode as the page says."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from flaskscope.frames.violations import SUBPROTOCOL_VIOLATIONS
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent.parent
PAGE = (ROOT / "docs" / "subprotocols.md").read_text(encoding="utf-8")


def _examples() -> list[tuple[str, str]]:
    examples = []
    for block in re.findall(r"```console\n(.*?)```", PAGE, re.S):
        command = None
        output: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ flaskscope "):
                if command is not None:
                    examples.append((command, "\n".join(output)))
                command, output = line[len("$ flaskscope ") :], []
            else:
                output.append(line)
        if command is not None:
            examples.append((command, "\n".join(output)))
    return examples


EXAMPLES = _examples()


def test_the_page_has_examples() -> None:
    assert len(EXAMPLES) >= 7


@pytest.mark.parametrize(("command", "expected"), EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_console_example(command: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("COLUMNS", raising=False)
    result = run_cli(*shlex.split(command), env={"COLUMNS": "120", **dict(os.environ)})
    assert result.stdout.rstrip("\n") == expected


def test_every_code_is_in_the_table() -> None:
    for code in SUBPROTOCOL_VIOLATIONS:
        assert f"| `{code}` | {SUBPROTOCOL_VIOLATIONS[code]} |" in PAGE, code
