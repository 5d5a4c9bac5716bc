"""Optional native speedups: the weak-secret search's inner loop and frame unmasking in C.

The C extension ``_native`` (``_native.c``, hashes in ``_hashes.h``) is built by setuptools as
an *optional* extension: ``pip install .`` still succeeds without a compiler, and then the
pure-Python code in :mod:`flaskscope.audit.checker` and :mod:`flaskscope.frames.frame` runs
(the pattern of websockets' ``speedups``). Setting ``FLASKSCOPE_PURE_PYTHON`` to a non-empty
value other than ``0`` forces the pure-Python engine (how CI keeps the fallback tested).

:data:`ENGINE` says which engine this process runs (``"native"`` or ``"python"``);
:data:`native` is the extension module, or ``None`` under the pure-Python engine.

May import: the standard library only (it sits below every other package).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

__all__ = [
    "ENGINE",
    "ENGINES",
    "NATIVE_DIGESTS",
    "PURE_PYTHON_VARIABLE",
    "describe",
    "native",
    "why_python",
]

PURE_PYTHON_VARIABLE = "FLASKSCOPE_PURE_PYTHON"
ENGINES = ("native", "python")


def _load() -> tuple[ModuleType | None, str | None]:
    forced = os.environ.get(PURE_PYTHON_VARIABLE, "")
    if forced not in ("", "0"):
        return None, f"{PURE_PYTHON_VARIABLE} is set"
    try:
        return importlib.import_module("flaskscope._speedups._native"), None
    except ImportError as error:
        return None, f"the native extension is not built ({error})"


native, why_python = _load()
"""The extension module (``None`` under the pure-Python engine), and why it is not used."""

ENGINE: str = "python" if native is None else "native"

NATIVE_DIGESTS: tuple[str, ...] = () if native is None else tuple(native.DIGESTS)
"""Digests the native checker computes itself; any other runs on the pure-Python checker."""


def describe() -> str:
    """The engine in a few words, for ``flaskscope --version``."""
    if native is None:
        return f"python engine: {why_python}"
    features = native.features()
    used = [name for key, name in _CPU_FEATURES if features.get(key)]
    with_features = " with the CPU's " + " and ".join(used) if used else ""
    return f"native engine: C extension{with_features}"


_CPU_FEATURES = (("sha_extensions", "SHA extensions"), ("avx2", "AVX2"))
"""``features()`` keys and their names: SHA-NI for the hashes, AVX2 for the UTF-8 check."""
