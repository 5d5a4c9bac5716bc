"""CLI glue for Flask-Session cookies inside ``decode-cookie`` (no protocol logic here).

``decode-cookie`` hands a cookie value that :func:`parse_server_session_cookie` recognises
to :func:`show_server_session`, which gathers the settings (options, else the app's
Flask-Session configuration with ``--app``, else Flask-Session's defaults), reads the store
when there is one, and renders. A Flask signed-cookie session never comes here.

Exit codes: 0 found (or only the id shown); 1 not found / expired in the store, or a signed
id that does not verify; 2 usage errors and a store that cannot be asked (connection
refused, timeout, wrong password): flaskscope cannot proceed, one ``Error:`` line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from flaskscope.cli import EXIT_INVALID, EXIT_OK

if TYPE_CHECKING:
    from flaskscope.server_session import (
        FlaskSessionSettings,
        ServerSessionCookie,
        ServerSessionReport,
    )

# The cores are imported only for a Flask-Session cookie, so that decoding Flask's own
# cookies does not pay for them; tests check these copies against the cores' constants.
DEFAULT_TIMEOUT = 5.0
"""``flaskscope.store.DEFAULT_TIMEOUT``."""
DEFAULT_KEY_PREFIX = "session:"
"""``flaskscope.server_session.FLASK_SESSION_DEFAULT_KEY_PREFIX``."""
DEFAULT_SERIALIZATION_FORMAT = "msgpack"
"""``flaskscope.stored_payload.DEFAULT_SERIALIZATION_FORMAT``."""
SERIALIZATION_FORMATS = ("msgpack", "json")
"""``flaskscope.stored_payload.SERIALIZATION_FORMATS``."""

__all__ = [
    "parse_server_session_cookie",
    "server_session_app",
    "server_session_options",
    "show_server_session",
]

F = TypeVar("F", bound=Callable[..., Any])


def parse_server_session_cookie(
    value: str, app: Any = None, app_settings: FlaskSessionSettings | None = None
) -> ServerSessionCookie | None:
    """:func:`flaskscope.server_session.parse_server_session_cookie`, imported on demand.

    Flask's own cookies (two or more dots) are turned away before any import. With an app
    (``--app``): only an app that uses Flask-Session (``app_settings``) can have written a
    session id, and then an id of any length is taken.
    """
    if value.strip().strip('"').count(".") > 1:
        return None
    if app is not None and app_settings is None:
        return None
    from flaskscope.server_session import MIN_ID_LENGTH
    from flaskscope.server_session import parse_server_session_cookie as parse

    return parse(value, min_id_length=1 if app_settings is not None else MIN_ID_LENGTH)


def server_session_options(function: F) -> F:
    """``--store``, ``--key-prefix``, ``--timeout``, ``--serialization-format``."""
    function = click.option(
        "--serialization-format",
        "serialization_format",
        type=click.Choice(SERIALIZATION_FORMATS, case_sensitive=False),
        default=None,
        help=(
            "Flask-Session's SESSION_SERIALIZATION_FORMAT, tried first "
            f"[default: the app's, else {DEFAULT_SERIALIZATION_FORMAT}]."
        ),
    )(function)
    function = click.option(
        "--timeout",
        "store_timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Connect and read timeout for --store.",
    )(function)
    function = click.option(
        "--key-prefix",
        "key_prefix",
        default=None,
        metavar="PREFIX",
        help=(
            f"Flask-Session's SESSION_KEY_PREFIX [default: the app's, else {DEFAULT_KEY_PREFIX!r}]."
        ),
    )(function)
    function = click.option(
        "--store",
        "store_url",
        default=None,
        metavar="URL",
        help=(
            "Read a Flask-Session cookie's stored session from this Redis: "
            "redis://[:PASSWORD@]HOST:PORT/DB (rediss:// for TLS, unix:// for a socket)."
        ),
    )(function)
    return function


def server_session_app(app: Any) -> FlaskSessionSettings | None:
    """The Flask-Session settings of an app already loaded; None without Flask-Session."""
    if app is None:
        return None
    from flaskscope.server_session import flask_session_settings

    return flask_session_settings(app)


def show_server_session(
    cookie: ServerSessionCookie | None,
    *,
    keys: Sequence[str | bytes],
    store_url: str | None,
    key_prefix: str | None,
    store_timeout: float,
    serialization_format: str | None,
    app_settings: FlaskSessionSettings | None,
    as_json: bool,
    no_color: bool,
) -> int:
    """Inspect, render, and return the exit code (0 found / id only, 1 gone or forged).

    ``cookie`` is None when the app (``app_settings``) uses Flask-Session but the value
    given is not a Flask-Session id: an input error, said plainly.
    """
    if cookie is None:
        from flaskscope.errors import InputError

        interface = app_settings.interface if app_settings else "Flask-Session"
        raise InputError(
            f"the app keeps its sessions with Flask-Session ({interface}), but this cookie "
            "is not a Flask-Session session id (a bare or signed token)"
        )
    report = build_report(
        cookie,
        keys=keys,
        store_url=store_url,
        key_prefix=key_prefix,
        store_timeout=store_timeout,
        serialization_format=serialization_format,
        app_settings=app_settings,
    )
    from flaskscope.render.console import emit_json, make_console
    from flaskscope.render.server_session import render_server_session, server_session_json

    if as_json:
        emit_json(server_session_json(report))
    else:
        render_server_session(report, make_console(no_color=no_color))
    return EXIT_OK if report.ok else EXIT_INVALID


def build_report(
    cookie: ServerSessionCookie,
    *,
    keys: Sequence[str | bytes],
    store_url: str | None,
    key_prefix: str | None,
    store_timeout: float,
    serialization_format: str | None,
    app_settings: FlaskSessionSettings | None,
) -> ServerSessionReport:
    """Options first, then the app's Flask-Session settings, then Flask-Session's defaults."""
    from flaskscope.server_session import inspect_server_session
    from flaskscope.store import client_with_timeout, connect_redis, describe_client

    if key_prefix is None:
        key_prefix = app_settings.key_prefix if app_settings else DEFAULT_KEY_PREFIX
    if serialization_format is None:
        serialization_format = (
            app_settings.serialization_format if app_settings else DEFAULT_SERIALIZATION_FORMAT
        )
    if not any(keys) and app_settings is not None:
        keys = app_settings.keys
    client: Any = None
    store_name = ""
    if store_url is not None:
        client = connect_redis(store_url, timeout=store_timeout)
        store_name = store_url
    elif app_settings is not None and app_settings.client is not None:
        client = client_with_timeout(app_settings.client, timeout=store_timeout)
        store_name = describe_client(client)
    stored = None
    if client is not None:
        from flaskscope.store import fetch_session

        stored = fetch_session(client, cookie.store_key(key_prefix), store=store_name)
    report = inspect_server_session(
        cookie,
        keys,
        key_prefix=key_prefix,
        stored=stored,
        serialization_format=serialization_format,
        use_signer=app_settings.use_signer if app_settings else None,
    )
    if app_settings is not None and app_settings.client is None and store_url is None:
        note = (
            f"the app keeps sessions with {app_settings.interface}; flaskscope reads Redis "
            "stores only (pass --store for a Redis URL)"
        )
        report = _with_note(report, note)
    return report


def _with_note(report: ServerSessionReport, note: str) -> ServerSessionReport:
    from dataclasses import replace

    return replace(report, warnings=(*report.warnings, note))
