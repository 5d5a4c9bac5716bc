"""The Flask-Session side of ``decode-cookie``: its options, the store read, the render.

``decode-cookie`` hands a cookie that :func:`flaskscope.sessions.kind.server_session_cookie`
takes for a Flask-Session id to :func:`show_server_session`. The decisions (which settings
apply, the verdict, the notes) are the cores'; here the store is connected and read, which is
the command's I/O, and the report rendered.

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
    from flaskscope.flaskapp.flask_session import FlaskSessionSettings
    from flaskscope.sessions.ids import ServerSessionCookie
    from flaskscope.sessions.report import ServerSessionReport

# The session-id, store and payload modules are imported only for a Flask-Session cookie, so that
# decoding Flask's own cookies does not pay for them; tests check these copies against them.
DEFAULT_TIMEOUT = 5.0
"""``flaskscope.sessions.store.DEFAULT_TIMEOUT``."""
MAX_TIMEOUT = 86400.0
"""``flaskscope.sessions.store.MAX_TIMEOUT``."""
DEFAULT_KEY_PREFIX = "session:"
"""``flaskscope.sessions.ids.FLASK_SESSION_DEFAULT_KEY_PREFIX``."""
DEFAULT_SERIALIZATION_FORMAT = "msgpack"
"""``flaskscope.sessions.payload.DEFAULT_SERIALIZATION_FORMAT``."""
SERIALIZATION_FORMATS = ("msgpack", "json")
"""``flaskscope.sessions.payload.SERIALIZATION_FORMATS``."""

__all__ = ["build_report", "server_session_app", "server_session_options", "show_server_session"]

F = TypeVar("F", bound=Callable[..., Any])


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
        type=click.FloatRange(min=0, min_open=True, max=MAX_TIMEOUT),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="SECONDS",
        help="Time limit for the whole --store request (connect, send, every reply).",
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
    from flaskscope.flaskapp.flask_session import flask_session_settings

    return flask_session_settings(app)


def show_server_session(report: ServerSessionReport, *, as_json: bool, no_color: bool) -> int:
    """Render the report; the exit code: 0 found / id only, 1 gone or forged."""
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
    """Read the store (``--store``, else the app's own Redis client) and judge the cookie."""
    from flaskscope.flaskapp.flask_session import session_lookup
    from flaskscope.sessions.report import inspect_server_session
    from flaskscope.sessions.store import (
        client_with_timeout,
        connect_redis,
        describe_client,
        fetch_session,
    )

    lookup = session_lookup(
        app_settings,
        key_prefix=key_prefix,
        serialization_format=serialization_format,
        keys=keys,
    )
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
        stored = fetch_session(client, cookie.store_key(lookup.key_prefix), store=store_name)
    return inspect_server_session(
        cookie,
        lookup.keys,
        key_prefix=lookup.key_prefix,
        stored=stored,
        serialization_format=lookup.serialization_format,
        use_signer=lookup.use_signer,
        store_not_read=(
            app_settings.interface if app_settings is not None and client is None else None
        ),
    )
