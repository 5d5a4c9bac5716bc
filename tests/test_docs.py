"""Docs that run: every ``console`` example in README.md and docs/*.md is executed.

A fenced ```console block holds examples. A line starting with ``$ `` is a command (a line
ending in ``\\`` continues it on the next line); the lines after it, up to the next ``$ `` or
the end of the block, are its expected output (stdout and stderr together). In the expected
output a line that is only ``...`` stands for any number of lines, and ``...`` inside a line
stands for any text on that line. A last line ``[exit N]`` gives the expected exit code;
without it the command must exit 0. Each command runs through ``bash -c`` with
``set -o pipefail`` in the repository root, with the installed ``flaskscope`` first on
``PATH``, ``NO_COLOR=1``, ``COLUMNS=120`` and an empty stdin. Blocks of other kinds (```sh,
```python) are not run. See docs/CONTRIBUTING.md.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
ELLIPSIS = "..."
EXIT_RE = re.compile(r"^\[exit (\d+)\]$")
FENCE_RE = re.compile(r"^(`{3,})\s*([\w-]*)")


@dataclass(frozen=True)
class Example:
    """One ``$ command`` of a console block and the output the doc shows for it."""

    path: Path
    line: int  # 1-based line of the ``$ `` in the doc
    command: str
    expected: tuple[str, ...]
    exit_code: int

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _console_blocks(path: Path) -> list[tuple[int, list[str]]]:
    """(1-based line of the first body line, body lines) of each ```console block."""
    blocks: list[tuple[int, list[str]]] = []
    fence: str | None = None
    is_console = False
    body: list[str] = []
    start = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = FENCE_RE.match(line.strip())
        if fence is None:
            if match:
                fence, is_console = match.group(1), match.group(2) == "console"
                body, start = [], number + 1
        elif line.strip() == fence:
            if is_console:
                blocks.append((start, body))
            fence = None
        else:
            body.append(line)
    assert fence is None, f"{path.name}: a code block is not closed"
    return blocks


def extract_examples(path: Path) -> list[Example]:
    examples: list[Example] = []
    for start, body in _console_blocks(path):
        index = 0
        while index < len(body):
            line = body[index]
            if not line.startswith("$ "):
                raise AssertionError(
                    f"{path.name}:{start + index}: console block text before any '$ ' command"
                )
            first = start + index
            command = line[2:]
            while command.endswith("\\") and index + 1 < len(body):
                index += 1
                command = command + "\n" + body[index]
            index += 1
            output: list[str] = []
            while index < len(body) and not body[index].startswith("$ "):
                output.append(body[index].rstrip())
                index += 1
            while output and not output[-1]:
                output.pop()
            exit_code = 0
            if output and (marker := EXIT_RE.match(output[-1])):
                exit_code = int(marker.group(1))
                output.pop()
            for other in output:
                assert not EXIT_RE.match(other), f"{path.name}:{first}: [exit N] must come last"
            examples.append(Example(path, first, command, tuple(output), exit_code))
    return examples


def _line_matches(expected: str, actual: str) -> bool:
    if ELLIPSIS not in expected:
        return expected == actual
    pattern = ".*".join(re.escape(part) for part in expected.split(ELLIPSIS))
    return re.fullmatch(pattern, actual, flags=re.DOTALL) is not None


def output_matches(expected: tuple[str, ...] | list[str], actual: list[str]) -> bool:
    """Whether ``actual`` fits ``expected``, where a line ``...`` is any number of lines."""
    # reachable[j]: the expected lines so far can match exactly the first j actual lines
    reachable = [True] + [False] * len(actual)
    for want in expected:
        if want == ELLIPSIS:
            for j in range(1, len(actual) + 1):
                reachable[j] = reachable[j] or reachable[j - 1]
        else:
            reachable = [False] + [
                reachable[j] and _line_matches(want, actual[j]) for j in range(len(actual))
            ]
    return reachable[len(actual)]


def _environment() -> dict[str, str]:
    beside_python = Path(sys.executable).parent / "flaskscope"
    found = str(beside_python) if beside_python.exists() else shutil.which("flaskscope")
    if found is None:
        pytest.skip("the flaskscope executable is not installed (run make demo)")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLASKSCOPE_", "FLASK_")) and key not in {"FORCE_COLOR"}
    }
    env.update(
        PATH=str(Path(found).parent) + os.pathsep + os.environ.get("PATH", ""),
        NO_COLOR="1",
        COLUMNS="120",
        PYTHONIOENCODING="utf-8",
    )
    return env


EXAMPLES = [example for path in DOC_FILES for example in extract_examples(path)]


def _run(command: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["bash", "-c", "set -o pipefail\n" + command],
        cwd=ROOT,
        env=_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.id for example in EXAMPLES])
def test_example_runs_as_shown(example: Example) -> None:
    result = _run(example.command)
    actual = [line.rstrip() for line in result.stdout.decode("utf-8", "replace").splitlines()]
    while actual and not actual[-1]:
        actual.pop()
    diff = "\n".join(
        difflib.unified_diff(list(example.expected), actual, "shown", "actual", lineterm="")
    )
    assert output_matches(example.expected, actual), (
        f"{example.id}: the output of\n  $ {example.command}\nis not what the doc shows:\n{diff}"
    )
    assert result.returncode == example.exit_code, (
        f"{example.id}: exit {result.returncode}, the doc says {example.exit_code}"
    )


@pytest.mark.parametrize("path", DOC_FILES, ids=[str(p.relative_to(ROOT)) for p in DOC_FILES])
def test_every_shown_command_is_tested(path: Path) -> None:
    """No ``$ flaskscope`` (or any ``$ `` prompt) outside a console block, where it would rot."""
    text = path.read_text(encoding="utf-8")
    examples = extract_examples(path)
    prompts = sum(1 for line in text.splitlines() if line.startswith("$ "))
    # Every prompt line of the file is the start of an extracted example ...
    assert prompts == len(examples), f"{path.name}: a '$ ' line outside a console block"
    # ... and every '$ flaskscope' in the file is one of them.
    shown = text.count("$ flaskscope")
    run = sum(1 for example in examples if example.command.startswith("flaskscope"))
    assert shown == run, f"{path.name}: {shown - run} '$ flaskscope' not in a console block"


TABLE_ROW_RE = re.compile(r"^\| [^|]+ \| `(flaskscope [^`]+)` \| (\d) \|$")


def readme_table_rows() -> list[tuple[int, str, int]]:
    """(line, command, exit code) of each row of the README's task -> command table."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    return [
        (number, match.group(1), int(match.group(2)))
        for number, line in enumerate(lines, start=1)
        if (match := TABLE_ROW_RE.match(line))
    ]


TABLE_ROWS = readme_table_rows()


@pytest.mark.parametrize(
    ("line", "command", "exit_code"), TABLE_ROWS, ids=[f"README.md:{row[0]}" for row in TABLE_ROWS]
)
def test_readme_task_table_runs(line: int, command: str, exit_code: int) -> None:
    result = _run(command)
    output = result.stdout.decode("utf-8", "replace")
    assert result.returncode == exit_code, (
        f"README.md:{line}: {command!r} exits {result.returncode}, the table says {exit_code}"
        f"\n{output}"
    )
    if exit_code == 2:
        assert output.startswith("Error: "), output
    else:
        assert output.strip(), f"README.md:{line}: {command!r} printed nothing"


def test_readme_task_table_is_found() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = sum(
        1 for line in readme.splitlines() if line.startswith("| ") and "`flaskscope " in line
    )
    assert len(TABLE_ROWS) == rows >= 9, "a README table row with a command was not recognised"


def test_readme_links_to_docs_exist() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((docs/[^)#\s]+)", readme)
    assert links, "README.md links to no page of docs/"
    missing = [link for link in links if not (ROOT / link).exists()]
    assert not missing, f"README.md links to missing pages: {missing}"


def test_matcher_rejects_changed_output() -> None:
    shown = ("status      valid", "...", "size ... bytes", "[0] = 'admin'")
    assert output_matches(shown, ["status      valid", "a", "b", "size 339 bytes", "[0] = 'admin'"])
    assert output_matches(shown, ["status      valid", "size 1 bytes", "[0] = 'admin'"])
    assert not output_matches(shown, ["status      expired", "size 1 bytes", "[0] = 'admin'"])
    assert not output_matches(shown, ["status      valid", "size 1 bytes"])
    assert not output_matches(shown, ["status      valid", "size 1 bytes", "[0] = 'admin'", "x"])
    assert not output_matches((), ["unexpected output"])


DOTTED_RE = re.compile(r"\bflaskscope(?:\.[A-Za-z_]\w*)+")
FROM_IMPORT_RE = re.compile(r"^from (flaskscope[\w.]*) import \(?([^)]*?)\)?$", re.M | re.S)


def _resolves(dotted: str) -> bool:
    """``dotted`` names an importable module, or an attribute of one."""
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


@pytest.mark.parametrize("path", DOC_FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_python_name_in_the_docs_exists(path: Path) -> None:
    """``flaskscope.frames.capture.parse_stream`` in prose and ``from flaskscope.x import y``
    in code blocks: a module moved or a name renamed makes the page stale, and this fails."""
    text = path.read_text(encoding="utf-8")
    names = {match.rstrip(".") for match in DOTTED_RE.findall(text)}
    names -= {"flaskscope.py", "flaskscope.sarif"}  # file names, not module paths
    for module, imported in FROM_IMPORT_RE.findall(text):
        for name in re.split(r"[\s,]+", imported.split("#")[0]):
            if name:
                names.add(f"{module}.{name}")
    missing = sorted(name for name in names if not _resolves(name))
    assert not missing, f"{path.name} names what does not exist: {missing}"
