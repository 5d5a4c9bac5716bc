"""Public import paths: lazy re-exports for packages, and the module paths of release 0.1.

Packages re-export their public names without importing them up front (PEP 562), so that
``import flaskscope.cookies`` stays as cheap as the CLI's start-up needs. Modules that moved
into packages keep their old dotted paths (``flaskscope.cookie``, ``flaskscope.stream``, ...)
through a meta path finder that hands out the new module under the old name: documented
imports keep working, with one module object behind both names.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from importlib.abc import Loader

__all__ = ["MOVED_MODULES", "install_moved_modules", "lazy_exports"]

MOVED_MODULES: Mapping[str, str] = {
    "flaskscope.cookie": "flaskscope.cookies",
    "flaskscope.cookie_errors": "flaskscope.cookies.errors",
    "flaskscope.cookie_format": "flaskscope.cookies.format",
    "flaskscope.cookie_input": "flaskscope.cookies.find",
    "flaskscope.cookie_signing": "flaskscope.cookies.signing",
    "flaskscope.cookie_warnings": "flaskscope.cookies.warnings",
    "flaskscope.tagged": "flaskscope.cookies.tagged",
    "flaskscope.session_id": "flaskscope.sessions.ids",
    "flaskscope.cookie_kind": "flaskscope.sessions.kind",
    "flaskscope.server_session": "flaskscope.sessions.report",
    "flaskscope.store": "flaskscope.sessions.store",
    "flaskscope.stored_payload": "flaskscope.sessions.payload",
    "flaskscope.safe_pickle": "flaskscope.sessions.safe_pickle",
    "flaskscope.pickle_machine": "flaskscope.sessions.pickle_machine",
    "flaskscope.audit_runner": "flaskscope.audit.runner",
    "flaskscope.audit_cookie": "flaskscope.audit.cookie",
    "flaskscope.wordlists": "flaskscope.audit.wordlists",
    "flaskscope.hashcat": "flaskscope.audit.hashcat",
    "flaskscope.handshake_check": "flaskscope.handshake.check",
    "flaskscope.handshake_fields": "flaskscope.handshake.fields",
    "flaskscope.handshake_request": "flaskscope.handshake.request_rules",
    "flaskscope.handshake_response": "flaskscope.handshake.response_rules",
    "flaskscope.http": "flaskscope.handshake.http",
    "flaskscope.extensions": "flaskscope.handshake.extensions",
    "flaskscope.deflate_negotiation": "flaskscope.handshake.deflate_negotiation",
    "flaskscope.close_codes": "flaskscope.frames.close_codes",
    "flaskscope.violations": "flaskscope.frames.violations",
    "flaskscope.records": "flaskscope.frames.records",
    "flaskscope.frame_checks": "flaskscope.frames.checks",
    "flaskscope.partial_frame": "flaskscope.frames.partial",
    "flaskscope.reassembly": "flaskscope.frames.reassembly",
    "flaskscope.deflate": "flaskscope.frames.deflate",
    "flaskscope.stream": "flaskscope.frames.stream",
    "flaskscope.capture": "flaskscope.frames.capture",
    "flaskscope.builder": "flaskscope.frames.builder",
    "flaskscope.app": "flaskscope.flaskapp.load",
    "flaskscope.flask_session_app": "flaskscope.flaskapp.flask_session",
}
"""Old module path -> where it lives now. ``flaskscope.frames``, ``flaskscope.handshake`` and
``flaskscope.audit`` became packages of the same name that re-export the old module's names."""


def lazy_exports(
    package: str, names: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], Sequence[str]]]:
    """``__getattr__`` and ``__dir__`` for a package that re-exports ``name -> module``."""

    def __getattr__(name: str) -> Any:
        module_name = names.get(name)
        if module_name is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module_name), name)

    def __dir__() -> Sequence[str]:
        return sorted([*vars(sys.modules[package]), *names])

    return __getattr__, __dir__


class _MovedModuleLoader:
    """A loader (PEP 451) that hands out an already-imported module. Plain classes, not
    ``importlib.abc`` subclasses: importing ``importlib.abc`` costs every start-up."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.target_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self.target_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing is left to run: the target module ran when it was imported. The import
        system has just set ``__spec__`` to the old name's spec; the module keeps its own."""
        module.__spec__ = self.target_spec


class _MovedModuleFinder:
    """A meta path finder (PEP 451) for the old module paths."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        new_name = MOVED_MODULES.get(fullname)
        if new_name is None:
            return None
        loader = cast("Loader", _MovedModuleLoader(new_name))
        return importlib.machinery.ModuleSpec(fullname, loader)


def install_moved_modules() -> None:
    """Make the old module paths importable (once per process)."""
    if not any(isinstance(finder, _MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(_MovedModuleFinder())
