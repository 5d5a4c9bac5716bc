"""``--app`` for flaskscope's commands, and ``flask scope ...`` inside Flask's own CLI.

One implementation, two ways in. The same Click command objects are registered under
``flaskscope`` (console script) and under ``flask scope`` (entry point group
``flask.commands``, which Flask's ``FlaskGroup`` loads as plugin commands). A command that
can use an app's configuration asks :func:`app_session_settings`, which looks at where it
runs:

- under ``flask``, Flask's ``ScriptInfo`` is in the Click context (``FlaskGroup`` puts it
  there) and the app is Flask's: ``flask --app``, ``FLASK_APP``, ``.flaskenv``, or
  ``wsgi.py``/``app.py`` in the current directory, exactly as every other ``flask`` command
  sees it. flaskscope's own ``--app``/``--app-dir`` are hidden there and refused;
- under ``flaskscope``, the app is the one named with ``--app IMPORT`` (or, with a bare
  ``--app``, found as ``flask`` would find it), loaded by :mod:`flaskscope.flaskapp.load`.

Flask is imported only when an app is asked for, so commands without ``--app`` stay quick.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import click

from flaskscope.cli import COMMANDS, CONTEXT_SETTINGS, LazyGroup
from flaskscope.commands.cookie_options import from_environment
from flaskscope.cookies import DEFAULT_COOKIE_NAME, DEFAULT_MAX_AGE, SigningOptions

if TYPE_CHECKING:
    from flask import Flask
    from flask.cli import ScriptInfo

    from flaskscope.flaskapp.load import AppSessionSettings

__all__ = [
    "CommandDefaults",
    "app_options",
    "app_session_settings",
    "command_defaults",
    "current_flask_app",
    "defaults_from_app",
    "resolve_flask_app",
    "scope",
]

F = TypeVar("F", bound=Callable[..., Any])


class AppOption(click.Option):
    """An option that belongs to flaskscope's own app loading: hidden under ``flask scope``."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        if flask_script_info(ctx) is not None:
            return None
        return super().get_help_record(ctx)


def app_options(function: F) -> F:
    """``--app [IMPORT]`` and ``--app-dir DIR``, for commands that can use an app's settings."""
    function = click.option(
        "--app-dir",
        "app_dir",
        cls=AppOption,
        metavar="DIR",
        type=click.Path(file_okay=False),
        default=None,
        help="Look for the app in DIR instead of the current directory (implies --app).",
    )(function)
    function = click.option(
        "--app",
        "app_import",
        cls=AppOption,
        is_flag=False,
        flag_value="",
        default=None,
        metavar="[IMPORT]",
        help=(
            "Use this Flask app's session settings, e.g. 'myproject:create_app()'. "
            "Bare --app: FLASK_APP, else wsgi.py or app.py."
        ),
    )(function)
    return function


def flask_script_info(ctx: click.Context) -> ScriptInfo | None:
    """Flask's ``ScriptInfo`` when the command runs under ``flask`` (``FlaskGroup``)."""
    if "flask.cli" not in sys.modules:
        return None  # flask's CLI was never imported, so no FlaskGroup is running
    from flask.cli import ScriptInfo

    return ctx.find_object(ScriptInfo)


def current_flask_app(info: ScriptInfo) -> Flask:
    """The app ``flask`` works with: the active app context's, else the one ``info`` names.

    ``info.app_import_path`` is what ``flask --app`` or ``FLASK_APP`` gave; it is loaded with
    :func:`flaskscope.flaskapp.load.load_app` (Flask's own algorithm, with one-line errors). A
    ``FlaskGroup(create_app=...)`` of a custom ``flask`` script is asked through
    ``info.load_app()``.
    """
    from flask import current_app, has_app_context
    from flask.cli import NoAppException

    from flaskscope.flaskapp.load import AppFactoryError, AppNotFoundError, load_app

    if has_app_context():
        app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
        return app
    if info.create_app is None:
        return load_app(info.app_import_path)
    try:
        return info.load_app()
    except NoAppException as error:
        raise AppNotFoundError(" ".join(error.format_message().split())) from None
    except Exception as error:
        raise AppFactoryError("create_app", error) from error


def resolve_flask_app(app_import: str | None, app_dir: str | None) -> Flask | None:
    """The app this command should use: Flask's under ``flask scope``, else ``--app``'s.

    None when there is no app (no ``--app`` and not under ``flask``). Callers that handle
    other session interfaces (Flask-Session) look at the app here before
    :func:`flaskscope.flaskapp.load.session_settings`.
    """
    info = flask_script_info(click.get_current_context())
    if info is not None:
        if app_import is not None or app_dir is not None:
            raise click.UsageError(
                "under 'flask scope' the app is the one flask loads: "
                "use 'flask --app IMPORT scope ...' instead of --app/--app-dir"
            )
        return current_flask_app(info)
    if app_import is None and app_dir is None:
        return None
    from flaskscope.flaskapp.load import load_app

    return load_app(app_import or None, app_dir)


def app_session_settings(
    app_import: str | None, app_dir: str | None, *, require_secret_key: bool = True
) -> AppSessionSettings | None:
    """The session settings of the app this command should use, or None for no app.

    ``require_secret_key=False`` when the user gave a key on the command line: then an app
    without ``SECRET_KEY`` still lends its salt, digest, serializer and cookie name.
    """
    app = resolve_flask_app(app_import, app_dir)
    if app is None:
        return None
    from flaskscope.flaskapp.load import session_settings

    return session_settings(app, require_secret_key=require_secret_key)


@dataclass(frozen=True)
class CommandDefaults:
    """What a cookie command uses for every option the user did not give.

    Flask's own defaults, or the app's settings when there is an app (``from_app``); the
    commands' ``resolve_*`` helpers put command-line values over these.
    """

    from_app: bool = False
    signing: SigningOptions = field(default_factory=SigningOptions)
    """The base for ``resolve_signing``: the app's salt, digest and key derivation."""
    cookie_name: str = DEFAULT_COOKIE_NAME
    max_age: int = DEFAULT_MAX_AGE
    serializer: Any = field(default=None, repr=False)
    secret_key: str | bytes | None = field(default=None, repr=False)
    fallback_keys: tuple[str | bytes, ...] = field(default=(), repr=False)

    def command_line_key(self, secret_key: str | None) -> str | None:
        """``--secret-key`` as given, but not FLASKSCOPE_SECRET_KEY over an app's own key.

        Precedence: the command line, then the app, then the environment variable, so a
        key exported for other work does not silently replace the app's.
        """
        if secret_key is None or not self.from_app or self.secret_key is None:
            return secret_key
        return None if from_environment("secret_key") else secret_key


def command_defaults(
    app_import: str | None, app_dir: str | None, *, key_given: bool = False
) -> CommandDefaults:
    """Flask's defaults, or those of the app from ``--app`` / ``flask scope``.

    ``key_given``: the user gave a key, so an app without ``SECRET_KEY`` is still usable for
    its salt, digest, serializer and cookie name.
    """
    app = resolve_flask_app(app_import, app_dir)
    if app is None:
        return CommandDefaults()
    return defaults_from_app(app, key_given=key_given)


def defaults_from_app(app: Flask, *, key_given: bool = False) -> CommandDefaults:
    """:class:`CommandDefaults` from an app already loaded (see :func:`resolve_flask_app`)."""
    from flaskscope.flaskapp.load import session_settings

    settings = session_settings(app, require_secret_key=not key_given)
    return CommandDefaults(
        from_app=True,
        signing=SigningOptions(settings.salt, settings.digest, settings.key_derivation),
        cookie_name=settings.cookie_name,
        max_age=settings.max_age,
        serializer=_custom_serializer(settings.serializer),
        secret_key=settings.secret_key,
        fallback_keys=settings.fallback_keys,
    )


def _custom_serializer(serializer: Any) -> Any:
    """None for Flask's own tagged JSON serializer (flaskscope's core reads it the same way
    and names unknown tags), else the app's serializer, so it decodes as the app does."""
    from flask.sessions import session_json_serializer

    return None if serializer is session_json_serializer else serializer


scope = LazyGroup(
    name="scope",
    lazy_commands=COMMANDS,
    context_settings=CONTEXT_SETTINGS,
    help=(
        "flaskscope's commands with this app's configuration.\n\n"
        "The secret key, fallback keys, cookie name, session lifetime and the session "
        "interface's salt, digest, key derivation and serializer come from the app that "
        "`flask` loads (--app, FLASK_APP, wsgi.py or app.py); options override them.\n\n"
        "\b\nExample:\n  flask --app myproject scope decode-cookie 'eyJ1c2VyIjoiYWRhIn0.Z...'"
    ),
)
"""The ``flask scope`` group: flaskscope's lazily loaded commands, the very same objects."""
