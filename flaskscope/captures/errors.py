"""What goes wrong reading a capture: the file is not one, or it is broken (exit 2)."""

from __future__ import annotations

from flaskscope.errors import InputError

__all__ = ["CaptureError"]


class CaptureError(InputError):
    """The input is not a capture this package reads, or its container is corrupt."""
