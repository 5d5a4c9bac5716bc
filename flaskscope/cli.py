"""The one thin command line: options, input, a core call, a renderer, an exit code.

Commands live in ``flaskscope.commands.*`` and are loaded only when asked for, so that a
quick ``decode-cookie`` does not pay for importing the frame parser (or Flask). No protocol
logic lives here or in the command modules: they read input, call a core and render.

Exit codes, the same everywhere: 0 ok / verified; 1 the input was understood and is invalid;
2 usage error or input that cannot be parsed (one ``Error: ...`` line on stderr).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from flaskscope import __version__
from flaskscope.errors import FlaskscopeError, InputError

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

MAX_INPUT_BYTES = 64 * 1024 * 1024
"""Largest whole input read into memory (a cookie, an HTTP head, a payload to send).

Streams that may be larger (frame captures, wordlists) are read in chunks by their commands;
everything else is refused past this size instead of exhausting memory on ``/dev/zero``.
"""

F = TypeVar("F", bound=Callable[..., Any])

# Command name -> "module:attribute" of its click.Command. Loaded lazily.
COMMANDS: dict[str, str] = {
    "decode-cookie": "flaskscope.commands.cookie:decode_cookie_command",
    "sign-cookie": "flaskscope.commands.cookie:sign_cookie_command",
    "audit-secret": "flaskscope.commands.audit:audit_secret",
    "ws-accept": "flaskscope.commands.handshake:ws_accept",
    "check-handshake": "flaskscope.commands.handshake:check_handshake_command",
    "parse-frame": "flaskscope.commands.frames:parse_frame",
    "build-frame": "flaskscope.commands.frames_build:build_frame",
}


def _one_line(message: str) -> str:
    from flaskscope.render.console import safe_str

    return safe_str(" ".join(message.split()) or message)


class OneLineUsageError(click.UsageError):
    """A usage error shown as one ``Error: ...`` line (Click's own shows a usage block).

    Scripts read one line on stderr for every exit 2, whatever went wrong.
    """

    def show(self, file: Any = None) -> None:
        hint = ""
        if self.ctx is not None:
            hint = f" (see '{self.ctx.command_path} --help')"
        click.echo(f"Error: {_one_line(self.format_message())}{hint}", file=file, err=True)


class FlaskscopeCommand(click.Command):
    """A command that turns :class:`FlaskscopeError` into ``Error: ...`` and its exit code.

    The mapping lives on the command (not the group) so the same command objects behave the
    same under ``flaskscope`` and under ``flask scope``.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            raise _one_line_usage_error(error) from error

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise _one_line_usage_error(error) from error
        except FlaskscopeError as error:
            click.echo(f"Error: {_one_line(str(error))}", err=True)
            ctx.exit(error.exit_code)
        except MemoryError:
            click.echo("Error: out of memory: the input is too large to handle", err=True)
            ctx.exit(EXIT_USAGE)
        except BrokenPipeError:
            # The reader went away (``| head``); nothing more to say.
            sys.stderr.close()
            ctx.exit(EXIT_OK)


def _one_line_usage_error(error: click.UsageError) -> OneLineUsageError:
    if isinstance(error, OneLineUsageError):
        return error
    return OneLineUsageError(error.format_message(), ctx=error.ctx)


def command(name: str, **settings: Any) -> Callable[[F], click.Command]:
    """``@click.command`` with flaskscope's error mapping and help settings."""
    settings.setdefault("context_settings", {"help_option_names": ["-h", "--help"]})
    return click.command(name, cls=FlaskscopeCommand, **settings)


def output_options(function: F) -> F:
    """The options every command has: ``--json`` and ``--no-color``."""
    function = click.option(
        "--no-color",
        "no_color",
        is_flag=True,
        help="No colours or styles (also when NO_COLOR is set or stdout is not a terminal).",
    )(function)
    function = click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON object on stdout, nothing else."
    )(function)
    return function


def read_text(argument: str | None, file: str | None, *, what: str) -> str:
    """The input text: the argument itself, ``-`` for stdin, or ``--file PATH``.

    With neither, stdin is read when it is not a terminal (so ``... | flaskscope cmd`` works).
    """
    data = read_bytes(argument, file, what=what, argument_is_data=True)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_bytes(
    argument: str | None, file: str | None, *, what: str, argument_is_data: bool = True
) -> bytes:
    """Raw input bytes from ``--file PATH`` (``-`` is stdin), ``-``, or the argument."""
    if file is not None and argument not in (None, "-"):
        raise click.UsageError(f"give the {what} either as an argument or with --file, not both")
    if file is not None:
        return _read_stdin(what) if file == "-" else read_file(file, param_hint="--file")
    if argument == "-":
        return _read_stdin(what)
    if argument is not None:
        return argument.encode("utf-8", "surrogateescape") if argument_is_data else b""
    if not stdin_is_terminal():
        return _read_stdin(what)
    raise click.UsageError(f"no {what} given: pass it as an argument, '-' for stdin, or --file")


def read_file(path: str, *, param_hint: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """A whole file's bytes; one that cannot be read is a usage error naming ``param_hint``."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise click.BadParameter(f"{path}: {error.strerror}", param_hint=param_hint) from error
    return _within_limit(data, f"{param_hint} {path}", limit)


def _within_limit(data: bytes, what: str, limit: int) -> bytes:
    if len(data) > limit:
        raise InputError(f"{what} is larger than {limit // (1024 * 1024)} MiB; refusing to read it")
    return data


def is_terminal(stream: object) -> bool:
    """True when a person is at the other end of ``stream`` (not a pipe or a file)."""
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False


def stdin_is_terminal() -> bool:
    """True when a person types at stdin (so reading it would wait for them)."""
    return is_terminal(sys.stdin)


def stdout_is_terminal() -> bool:
    """True when a person reads stdout (not a pipe or file): output may be richer."""
    return is_terminal(sys.stdout)


def _read_stdin(what: str, limit: int = MAX_INPUT_BYTES) -> bytes:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is not None:
        data: bytes = stream.read(limit + 1)
    else:
        data = sys.stdin.read(limit + 1).encode("utf-8", "surrogateescape")
    return _within_limit(data, f"the {what} on stdin", limit)


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (Click's documented lazy pattern)."""

    def __init__(self, *args: Any, lazy_commands: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as error:
            raise _one_line_usage_error(error) from error

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            return load_command(self.lazy_commands[cmd_name])
        return super().get_command(ctx, cmd_name)


def load_command(target: str) -> click.Command:
    """Import ``"module:attribute"`` and return the command it names."""
    module_name, _, attribute = target.partition(":")
    loaded = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(loaded, click.Command):
        raise TypeError(f"{target} is not a click command")
    return loaded


def _print_version(context: click.Context, _parameter: click.Parameter, value: bool) -> None:
    """``flaskscope, version X (native engine: ...)``: the engine is part of what ran."""
    if not value or context.resilient_parsing:
        return
    from flaskscope._speedups import describe

    click.echo(f"flaskscope, version {__version__} ({describe()})")
    context.exit()


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--version",
    "-V",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and which engine (native or pure Python) runs, and exit.",
)
def main() -> None:
    """Inspect Flask session cookies and WebSocket handshakes and frames.

    \b
    Exit codes: 0 ok or verified; 1 understood but invalid (bad signature,
    expired, handshake or protocol violation); 2 usage error or input that
    cannot be parsed.
    """
