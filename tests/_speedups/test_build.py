"""``pip install .`` on a machine without a C compiler (issue 17): the optional extension's
build fails with a warning, the wheel is built anyway, and the installed package runs its
pure-Python engine and says so. ``CC=false`` makes every compile fail, as a missing compiler
does; the source is copied first, so the build leaves nothing in the working tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests._speedups.conftest import forced_pure_python

ROOT = Path(__file__).resolve().parents[2]


def _copy_source(target: Path) -> None:
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    shutil.copytree(
        ROOT / "flaskscope",
        target / "flaskscope",
        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd"),
    )


@pytest.mark.skipif(forced_pure_python(), reason="builds once, in the run on both engines")
def test_without_a_compiler_the_install_succeeds_on_the_python_engine(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    _copy_source(source)
    wheels = tmp_path / "wheels"
    env = dict(os.environ, CC="false", PIP_DISABLE_PIP_VERSION_CHECK="1")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(wheels), str(source)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    assert 'building extension "flaskscope._speedups._native" failed' in built.stdout + built.stderr
    (wheel,) = wheels.glob("flaskscope-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "flaskscope/_speedups/__init__.py" in names
    assert not [name for name in names if "_native" in name and not name.endswith(".c")]

    site = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), wheel],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    run_env = dict(os.environ, PYTHONPATH=str(site))
    run_env.pop("FLASKSCOPE_PURE_PYTHON", None)
    version = subprocess.run(
        [sys.executable, "-m", "flaskscope", "--version"],
        capture_output=True,
        text=True,
        env=run_env,
        cwd=tmp_path,
        timeout=60,
    )
    assert version.returncode == 0, version.stderr
    assert "python engine: the native extension is not built" in version.stdout
    assert (
        str(site)
        in subprocess.run(
            [sys.executable, "-c", "import flaskscope; print(flaskscope.__file__)"],
            capture_output=True,
            text=True,
            env=run_env,
            cwd=tmp_path,
            timeout=60,
        ).stdout
    )
