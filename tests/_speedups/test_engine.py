"""Which engine runs: chosen at import, forced by ``FLASKSCOPE_PURE_PYTHON``, said by
``flaskscope --version`` and ``audit-secret --json``; the search gives the same answer, with the
same ``candidates_tried``, on both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flaskscope import _speedups
from flaskscope.audit.checker import AuditSpec
from flaskscope.audit.runner import run_audit
from flaskscope.audit.wordlists import Chunk
from tests._speedups.conftest import forced_pure_python
from tests._speedups.test_checker_parity import itsdangerous_signature
from tests.conftest import run_cli
from tests.peers import flask_cookie


def _engine_in_child(**environment: str) -> str:
    script = "from flaskscope import _speedups; print(_speedups.ENGINE)"
    env = {**os.environ, **environment}
    env.pop(_speedups.PURE_PYTHON_VARIABLE, None)
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()


def test_the_variable_forces_pure_python() -> None:
    assert _engine_in_child(FLASKSCOPE_PURE_PYTHON="1") == "python"


def test_native_is_the_default_where_it_is_built() -> None:
    built = subprocess.run(
        [sys.executable, "-c", "import flaskscope._speedups._native"], capture_output=True
    )
    expected = "native" if built.returncode == 0 else "python"
    assert _engine_in_child() == expected
    assert _engine_in_child(FLASKSCOPE_PURE_PYTHON="0") == expected
    if os.environ.get("CI"):
        assert expected == "native", "CI must build the native extension (pip install -e .)"


def test_this_run_uses_the_engine_it_asked_for() -> None:
    """``make test`` runs the suite twice: the native engine, then the forced fallback."""
    if forced_pure_python():
        assert _speedups.ENGINE == "python"
        assert _speedups.native is None
    elif os.environ.get("CI"):
        assert _speedups.ENGINE == "native"


def test_version_names_the_engine() -> None:
    result = run_cli("--version")
    assert result.exit_code == 0
    assert f"({_speedups.ENGINE} engine" in result.stdout


def test_audit_json_names_the_engine(tmp_path: Path) -> None:
    wordlist = tmp_path / "words.txt"
    wordlist.write_bytes(b"one\ntwo\nkey-in-the-list\nthree\n")
    cookie = flask_cookie("key-in-the-list", {"u": 1})
    result = run_cli("audit-secret", cookie, "-w", str(wordlist), "--no-builtin", "--json")
    document = json.loads(result.stdout)
    assert result.exit_code == 1, result.stderr
    assert document["secret_key"] == "key-in-the-list"
    assert document["candidates_tried"] == 3
    assert document["engine"] == _speedups.ENGINE


@pytest.mark.parametrize("jobs", [1, 2])
def test_both_engines_give_the_same_search(jobs: int) -> None:
    """First hit in wordlist order, exact ``candidates_tried``, a rejected claim skipped."""
    if _speedups.native is None:
        pytest.skip(f"no native engine: {_speedups.why_python}")
    signed = b"eyJ1IjoxfQ.ZxYzAB"
    key = b"needle"
    spec = AuditSpec(signed, itsdangerous_signature(key, signed, b"cookie-session", "sha1", "hmac"))
    lines = [b"word-%06d" % number for number in range(50_000)]
    lines[12_345] = key  # claimed, then rejected by confirm below
    lines[40_001] = key
    chunks = [
        Chunk(b"\n".join(lines[start : start + 7_000]), len(lines[start : start + 7_000]))
        for start in range(0, len(lines), 7_000)
    ]
    results = {}
    for engine in _speedups.ENGINES:
        claims: list[int] = []

        def confirm(candidate: bytes, claims: list[int] = claims) -> bool:
            claims.append(len(claims))
            return len(claims) > 1

        run = run_audit(spec, chunks, confirm=confirm, jobs=jobs, small_list=1, engine=engine)
        results[engine] = (run.key, run.candidates_tried, run.unconfirmed_hits, run.engine)
    assert results["native"] == (key, 40_002, 1, "native")
    assert results["python"] == (key, 40_002, 1, "python")
