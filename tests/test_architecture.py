"""The layout is the architecture: which package may import which, and cores stay pure.

Read with ``ast`` from the source (every import, also those inside functions and under
``TYPE_CHECKING``), so a new import that breaks a rule fails here, whatever runs it.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import flaskscope

PACKAGE = Path(flaskscope.__file__).parent

CORES = (
    "cookies",
    "sessions",
    "audit",
    "flaskapp",
    "handshake",
    "frames",
    "appinspect",
    "subprotocols",
    "captures",
    "scan",
)
"""Pure packages: bytes/str in, dataclasses out; no Click, no rich, no printing."""

ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "_paths": set(),
    "_speedups": set(),
    "__init__": {"_paths"},
    "cookies": {"errors", "_paths"},
    "sessions": {"errors", "_paths", "cookies"},
    "audit": {"errors", "_paths", "_speedups", "cookies", "runtime"},
    "flaskapp": {"errors", "_paths", "cookies", "sessions"},
    "handshake": {"errors", "_paths"},
    "frames": {"errors", "_paths", "_speedups", "handshake"},
    "appinspect": {
        "errors",
        "_paths",
        "cookies",
        "sessions",
        "audit",
        "flaskapp",
        "handshake",
    },
    "subprotocols": {"errors", "_paths", "frames"},
    "captures": {"errors", "_paths"},
    "scan": {
        "errors",
        "_paths",
        "captures",
        "cookies",
        "sessions",
        "audit",
        "handshake",
        "frames",
        "subprotocols",
    },
    "render": {"errors", "_paths", "__init__", *CORES},
    "runtime": {"errors"},
    "cli": {"errors", "_paths", "_speedups", "__init__", "render", "runtime"},
    "commands": {
        "errors",
        "_paths",
        "__init__",
        "cli",
        "flask_commands",
        "render",
        "runtime",
        *CORES,
    },
    "flask_commands": {
        "errors",
        "_paths",
        "__init__",
        "cli",
        "commands",
        "render",
        "runtime",
        *CORES,
    },
    "__main__": {"cli", "runtime"},
}
"""Part of flaskscope -> the parts it may import. Commands and renderers sit above the
cores; cookies and frames never import each other; audit and sessions may use cookies.
Renderers may read the version (``__init__``): HTML reports say which flaskscope made them.
``_speedups`` (the optional C extension) imports only the standard library, and only audit,
frames and the CLI's ``--version`` use it."""

FORBIDDEN_IN_CORES = ("click", "rich")
"""Also kept out of ``runtime`` (bounded reading, streams, signals): cores use it."""


def _part(path: Path) -> str:
    relative = path.relative_to(PACKAGE).parts
    return relative[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, as dotted names (``from flaskscope import x`` counts
    as ``flaskscope.x``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "flaskscope":
                found.update(f"flaskscope.{alias.name}" for alias in node.names)
    return found


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_part_has_a_rule() -> None:
    parts = {_part(path) for path in _sources()}
    assert parts <= set(ALLOWED), f"add a rule for {sorted(parts - set(ALLOWED))}"


@pytest.mark.parametrize("path", _sources(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_imports_follow_the_layout(path: Path) -> None:
    part = _part(path)
    allowed = ALLOWED[part] | {part}
    wrong = set()
    for module in _imports(path):
        top, _, rest = module.partition(".")
        if top == "flaskscope" and rest:
            target = rest.split(".")[0]
            if target == "__version__":
                target = "__init__"
            if target not in allowed:
                wrong.add(module)
        elif part in (*CORES, "runtime") and top in FORBIDDEN_IN_CORES:
            wrong.add(module)
    assert not wrong, f"{part} may not import {sorted(wrong)}"


def test_every_package_says_what_it_is_and_may_import() -> None:
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"{init} has no docstring"
        if init.parent.name in CORES:
            assert "May import" in doc, f"{init}: say what the package may import"


def test_importing_every_core_module_loads_neither_click_nor_rich() -> None:
    """Run in a fresh interpreter: the test process itself has Click loaded."""
    modules = sorted(
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in _sources()
        if _part(path) in CORES
    )
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('click', 'rich'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(out.stdout) == [], "a core pulled in click or rich"
    assert len(modules) > 30


def test_old_module_paths_still_import() -> None:
    """0.1's documented paths (``flaskscope.capture``, ``flaskscope.stream``, ...)."""
    script = (
        "from flaskscope._paths import MOVED_MODULES\n"
        "import importlib\n"
        "for old, new in MOVED_MODULES.items():\n"
        "    assert importlib.import_module(old) is importlib.import_module(new), old\n"
        "    assert importlib.import_module(new).__spec__.name == new\n"
        "from flaskscope.cookie import decode_cookie, sign_cookie, SigningOptions\n"
        "from flaskscope.frames import Opcode, apply_mask, parse_header\n"
        "from flaskscope.handshake import websocket_accept\n"
        "from flaskscope.audit import BatchChecker, AuditSpec\n"
        "from flaskscope.capture import parse_stream, split_http_head, settings_from_head\n"
        "from flaskscope.deflate_negotiation import deflate_params_from_header\n"
        "from flaskscope.app import load_app, session_settings, AppError\n"
        "import flaskscope\n"
        "for name in flaskscope.__all__:\n"
        "    getattr(flaskscope, name)\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert out.stdout.strip() == "ok", out.stderr


def test_html_reports_never_import_click() -> None:
    """The report package is a renderer any command (or a library user) can call: it takes
    the page model, never a Click context."""
    sources = sorted((PACKAGE / "render" / "html").rglob("*.py"))
    assert len(sources) >= 6
    for path in sources:
        assert not {m for m in _imports(path) if m.split(".")[0] == "click"}, path


def test_top_level_holds_only_the_entry_points() -> None:
    loose = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert loose == [
        "__init__.py",
        "__main__.py",
        "_paths.py",
        "cli.py",
        "errors.py",
        "flask_commands.py",
    ]


def test_commands_load_jinja2_only_when_they_write_a_page() -> None:
    """A command's module (loaded for every run of it) imports no HTML renderer: Jinja2 and
    the report builders cost over 0.1 s of start-up, for ``--html`` alone."""
    modules = sorted(
        f"flaskscope.commands.{path.stem}"
        for path in (PACKAGE / "commands").glob("*.py")
        if path.stem != "__init__"
    )
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules"
        " if m.split('.')[0] == 'jinja2' or m.startswith('flaskscope.render.html.'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(out.stdout) == []
