"""One exception hierarchy for every core (model: itsdangerous ``exc.py``).

Every error a core raises is a :class:`FlaskscopeError` whose message is fit to show a user
as it is. The CLI maps ``exit_code`` to the process exit status; cores never print.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "FlaskscopeError",
    "InputError",
    "OptionError",
]


class FlaskscopeError(Exception):
    """Root of every error flaskscope raises on purpose.

    ``exit_code`` follows the project contract: 2 for input that cannot be parsed or a usage
    error, 1 for input that was understood and is invalid.
    """

    exit_code: ClassVar[int] = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(FlaskscopeError):
    """The input cannot be parsed into what the command works on (exit 2)."""


class OptionError(FlaskscopeError):
    """Options that cannot work together, or an option value that is out of range (exit 2)."""
