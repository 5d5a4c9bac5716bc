"""The one thin command line: options, input, a core call, a renderer, an exit code.

Commands live in ``flaskscope.commands.*`` and are loaded only when asked for, so that a
quick ``decode-cookie`` does not pay for importing the frame parser (or Flask). No protocol
logic lives here or in the command modules: they read input, call a core and render.

Exit codes, the same everywhere: 0 ok / verified; 1 the input was understood and is invalid;
2 usage error or input that cannot be parsed (one ``Error: ...`` line on stderr); 128 + n
when signal n stopped the command (130 Ctrl-C, 143 SIGTERM), with one ``Interrupted`` line.
Every command runs inside :mod:`flaskscope.runtime.process`'s guards: a closed or broken
stdout keeps the exit code, and no signal or encoding ends in a traceback.
"""

from __future__ import annotations

import importlib
import signal
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from flaskscope import __version__
from flaskscope.errors import FlaskscopeError, InputError
from flaskscope.runtime.files import open_input_file, read_limited, too_large
from flaskscope.runtime.process import (
    Interrupted,
    interrupt_signals,
    progress_note,
    safe_standard_streams,
    set_progress_note,
    signal_name,
)

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

MAX_INPUT_BYTES = 64 * 1024 * 1024
"""Largest whole input read into memory (a cookie, an HTTP head, a payload to send).

Streams that may be larger (frame captures, wordlists) are read in chunks by their commands;
everything else is refused past this size instead of exhausting memory on ``/dev/zero``.
"""

NO_LIMIT = 1 << 62
"""What ``0`` means for every ``--max-*`` option: no limit (a size no input reaches, that
still fits zlib's ``max_length``)."""

F = TypeVar("F", bound=Callable[..., Any])


def no_limit(value: int) -> int:
    """A ``--max-*`` value as a limit: ``0`` is "no limit", the same for every option."""
    return NO_LIMIT if value == 0 else value


# Command name -> "module:attribute" of its click.Command. Loaded lazily.
COMMANDS: dict[str, str] = {
    "decode-cookie": "flaskscope.commands.cookie:decode_cookie_command",
    "sign-cookie": "flaskscope.commands.cookie:sign_cookie_command",
    "audit-secret": "flaskscope.commands.audit:audit_secret",
    "ws-accept": "flaskscope.commands.handshake:ws_accept",
    "check-handshake": "flaskscope.commands.handshake:check_handshake_command",
    "parse-frame": "flaskscope.commands.frames:parse_frame",
    "build-frame": "flaskscope.commands.frames_build:build_frame",
    "scan": "flaskscope.commands.scan:scan_command",
    "trace": "flaskscope.commands.trace:trace_command",
    "doctor": "flaskscope.commands.doctor:doctor_command",
}

# ``flaskscope --help``: (group, command as shown, one-line summary), in the order listed.
# Add a line here with each new command (a command may appear in more than one group); the
# help is printed from this table alone, so it imports no command module, rich or core.
HELP_ROWS: list[tuple[str, str, str]] = [
    ("Cookies", "decode-cookie", "Decode a Flask session cookie, verify its signature and age"),
    ("Cookies", "sign-cookie", "Sign a session as Flask would: a cookie the app accepts"),
    ("Cookies", "audit-secret", "Try weak secret keys against a cookie (or hand it to hashcat)"),
    (
        "Server-side sessions",
        "decode-cookie --store URL",
        "Read a Flask-Session cookie's session from Redis",
    ),
    ("WebSocket", "ws-accept", "Compute or verify the Sec-WebSocket-Accept for a key"),
    ("WebSocket", "check-handshake", "Check an opening handshake against RFC 6455 and RFC 7692"),
    ("WebSocket", "parse-frame", "Parse captured frames and messages, naming every violation"),
    ("WebSocket", "build-frame", "Craft a frame (valid or broken on purpose) for tests"),
    ("Captures", "scan", "Scan a pcap, pcapng or HAR: every cookie and WebSocket conversation"),
    ("Inside the app", "trace", "Follow requests through the app: contexts, session, signals"),
    ("Inside the app", "doctor", "Audit the app's session set-up (findings, SARIF for CI)"),
]

ALIASES: dict[str, str] = {
    "unsign": "To find the secret key: {prog} audit-secret COOKIE; to decode: {prog} "
    "decode-cookie COOKIE",
    "crack": "To find the secret key: {prog} audit-secret COOKIE --wordlist FILE",
    "brute": "To find the secret key: {prog} audit-secret COOKIE --wordlist FILE",
    "verify": "To verify a cookie: {prog} decode-cookie COOKIE --secret-key KEY; a "
    "WebSocket accept: {prog} ws-accept KEY --verify ACCEPT",
    "decode": "To decode a cookie: {prog} decode-cookie COOKIE; WebSocket frames: {prog} "
    "parse-frame HEX",
    "sign": "To sign a session: {prog} sign-cookie JSON --secret-key KEY",
    "accept": "For a Sec-WebSocket-Accept: {prog} ws-accept KEY",
    "handshake": "To check a handshake: {prog} check-handshake REQUEST [RESPONSE]",
    "parse": "To parse frames: {prog} parse-frame HEX",
    "frame": "To parse frames: {prog} parse-frame HEX; to craft one: {prog} build-frame",
    "build": "To craft a frame: {prog} build-frame --text TEXT",
}
"""Verbs users of other tools type (flask-unsign's --unsign/--decode/--sign, ...) and the
command that does it; they are pointed at, not run, so what runs is always spelled out."""

WIDE_HELP = 10_000
"""Help text is wrapped at the terminal's real width (Click caps it at 80 by default)."""

CONTEXT_SETTINGS: dict[str, Any] = {
    "help_option_names": ["-h", "--help"],
    "max_content_width": WIDE_HELP,
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
        with safe_standard_streams(), interrupt_signals():
            set_progress_note(None)
            try:
                _refuse_undecodable_text(ctx)
                return super().invoke(ctx)
            except click.UsageError as error:
                raise _one_line_usage_error(error) from error
            except FlaskscopeError as error:
                click.echo(f"Error: {_one_line(str(error))}", err=True)
                ctx.exit(error.exit_code)
            except MemoryError:
                click.echo("Error: out of memory: the input is too large to handle", err=True)
                ctx.exit(EXIT_USAGE)
            except KeyboardInterrupt:
                _interrupted(ctx, signal.SIGINT)
            except Interrupted as stop:
                _interrupted(ctx, stop.signum)
            finally:
                set_progress_note(None)


def _interrupted(ctx: click.Context, signum: int) -> None:
    """One line saying what stopped and how far it got, then exit 128 + the signal number
    (130 for Ctrl-C, 143 for SIGTERM), as a shell reports a process killed by it."""
    done = progress_note()
    where = f" after {done}" if done else ""
    click.echo(f"Interrupted ({signal_name(signum)}): {ctx.command_path} stopped{where}", err=True)
    ctx.exit(128 + int(signum))


RAW_BYTES_PARAMETERS = frozenset(
    {"secret_key", "fallback_keys", "salt", "cookie", "session_json", "data_words"}
    | {"file", "secret_key_file", "wordlists", "handshake", "app_dir", "payload_file"}
)
"""Parameters whose text may hold bytes that are not UTF-8 (surrogate-escaped by Python):
keys and salts are used as the raw bytes typed (itsdangerous takes bytes), data is read as
bytes, and paths are opened with the bytes given. Any other text option must be UTF-8."""


def _refuse_undecodable_text(ctx: click.Context) -> None:
    """A usage error for option text that is not UTF-8 where text is needed (``--reason``),
    instead of a ``UnicodeEncodeError`` traceback later."""
    for param in ctx.command.params:
        name = param.name or ""
        if name in RAW_BYTES_PARAMETERS or isinstance(param.type, click.Path):
            continue
        value = ctx.params.get(name)
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, str) and _has_surrogates(item):
                raise click.BadParameter("not valid UTF-8 text", ctx=ctx, param=param)


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _one_line_usage_error(error: click.UsageError) -> OneLineUsageError:
    if isinstance(error, OneLineUsageError):
        return error
    return OneLineUsageError(error.format_message(), ctx=error.ctx)


def command(name: str, **settings: Any) -> Callable[[F], click.Command]:
    """``@click.command`` with flaskscope's error mapping and help settings."""
    settings.setdefault("context_settings", dict(CONTEXT_SETTINGS))
    return click.command(name, cls=FlaskscopeCommand, **settings)


def _set_color(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from flaskscope.render.console import set_color_mode

    ctx.call_on_close(set_color_mode(value))
    return value


def output_options(function: F) -> F:
    """The options every command has: ``--json``, ``--color`` and ``--no-color``.

    ``--color`` is taken by its callback (the renderers' consoles read it), so command
    functions keep their ``no_color`` parameter: ``--no-color`` is ``--color never``.
    """
    function = click.option(
        "--no-color",
        "no_color",
        is_flag=True,
        help="Same as --color never.",
    )(function)
    function = click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        expose_value=False,
        callback=_set_color,
        help="Colours and styles: auto colours a terminal (not when NO_COLOR is set; also a "
        "pipe when FORCE_COLOR is), always also a pipe (| less -R), never nowhere.",
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
    """A whole file's bytes, at most ``limit`` of them; one that cannot be opened or read
    (also partway, ``/proc/self/mem``) is a usage error naming ``param_hint``.

    Opening never blocks (a FIFO without a writer reads as empty) and a directory is refused:
    see :mod:`flaskscope.runtime.files`.
    """
    try:
        with open_input_file(path) as handle:
            data = read_limited(handle, limit)
    except OSError as error:
        reason = error.strerror or str(error)
        raise click.BadParameter(f"{path}: {reason}", param_hint=param_hint) from error
    return _within_limit(data, f"{param_hint} {path}", limit)


def _within_limit(data: bytes, what: str, limit: int) -> bytes:
    if len(data) > limit:
        raise too_large(what, limit)
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
    try:
        if stream is not None:
            data = read_limited(stream, limit)
        else:
            data = sys.stdin.read(limit + 1).encode("utf-8", "surrogateescape")
    except OSError as error:
        raise InputError(f"cannot read the {what} on stdin: {error.strerror or error}") from error
    return _within_limit(data, f"the {what} on stdin", limit)


class LazyGroup(click.Group):
    """A group whose commands are imported on first use (Click's documented lazy pattern),
    with its help listed by group from :data:`HELP_ROWS` and unknown names answered with a
    suggestion."""

    def __init__(self, *args: Any, lazy_commands: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """One section per group of :data:`HELP_ROWS`; a command with no row (not yet added
        there) is loaded for its short help and listed under "Other commands"."""
        sections: dict[str, list[tuple[str, str]]] = {}
        listed = set()
        for group, shown, summary in HELP_ROWS:
            name = shown.split()[0]
            if name in self.list_commands(ctx):
                sections.setdefault(group, []).append((shown, summary))
                listed.add(name)
        for name in self.list_commands(ctx):
            if name not in listed:
                loaded = self.get_command(ctx, name)
                if loaded is not None and not loaded.hidden:
                    sections.setdefault("Other commands", []).append(
                        (name, loaded.get_short_help_str(limit=WIDE_HELP))
                    )
        for group, rows in sections.items():
            with formatter.section(group):
                formatter.write_dl(rows)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = click.utils.make_str(args[0]) if args else ""
        if args and not name.startswith("-") and self.get_command(ctx, name) is None:
            raise OneLineUsageError(self._unknown(ctx, name), ctx=ctx)
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as error:
            raise _one_line_usage_error(error) from error

    def _unknown(self, ctx: click.Context, name: str) -> str:
        """``No such command``, with the command meant: an alias or a close spelling."""
        import difflib

        message = f"No such command {name!r}."
        target = ALIASES.get(name.lower())
        if target is not None:
            return f"{message} {target.format(prog=ctx.command_path)}"
        close = difflib.get_close_matches(name.lower(), self.list_commands(ctx), n=2, cutoff=0.6)
        if close:
            return f"{message} Did you mean {' or '.join(repr(c) for c in close)}?"
        return message

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
    context_settings=CONTEXT_SETTINGS,
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
