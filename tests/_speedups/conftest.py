"""The native extension for the tests that check it directly.

They skip where it is not built (a machine without a compiler) or the pure-Python engine is
forced; under CI (``CI=true``) an extension that failed to build fails instead: the
optional build must not rot silently.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

import pytest

from flaskscope import _speedups


def forced_pure_python() -> bool:
    return os.environ.get(_speedups.PURE_PYTHON_VARIABLE, "") not in ("", "0")


@pytest.fixture(scope="session")
def native() -> ModuleType:
    if forced_pure_python():
        pytest.skip(f"{_speedups.PURE_PYTHON_VARIABLE} is set: the pure-Python run")
    try:
        return importlib.import_module("flaskscope._speedups._native")
    except ImportError as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI must build the native extension: {error}")
        pytest.skip(f"the native extension is not built: {error}")


@pytest.fixture(scope="session")
def cpu_flags() -> set[str]:
    """The words of /proc/cpuinfo (its ``flags`` lines among them), to check that the extension
    uses a CPU feature exactly where the kernel lists it."""
    try:
        return set(Path("/proc/cpuinfo").read_text(encoding="ascii").split())
    except OSError:
        pytest.skip("no /proc/cpuinfo")
