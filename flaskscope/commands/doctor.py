"""``flaskscope doctor``: the app's session-security findings, for people, scripts and CI."""

from __future__ import annotations

import click

from flaskscope import __version__
from flaskscope.cli import EXIT_INVALID, EXIT_OK, command, output_options
from flaskscope.commands.report_options import command_line, html_option, save_report
from flaskscope.flask_commands import app_options, flask_script_info, resolve_flask_app

__all__ = ["doctor_command"]


@command(
    "doctor",
    help="""Audit the app's session security: keys, cookie flags, store, WebSockets.

    Each finding has a stable id, a severity (high, medium, low, info), what was
    found, why it matters and the fix. Ids: secret-key-missing, secret-key-weak,
    secret-key-short, secret-key-fallbacks-present, cookie-not-secure,
    cookie-not-httponly, samesite-none-without-secure, samesite-unset,
    lifetime-very-long, refresh-each-request-off, flask-session-signer-deprecated,
    flask-session-pickle-serializer, flask-session-legacy-pickles-in-store,
    redis-no-password-non-loopback, websocket-cors-any-origin,
    websocket-origin-not-checked, websocket-no-max-message-size.

    \b
    Examples:
      flaskscope doctor --app samples/doctor_weak_app.py
      flaskscope doctor --app myproject:create_app() --sarif > flaskscope.sarif
      flask --app myproject scope doctor --store --fail-on medium
      flaskscope doctor --app samples/doctor_weak_app.py --html doctor.html

    Exit codes: 0 no finding at or above --fail-on; 1 one or more; 2 usage error,
    an app that cannot be loaded, or a store that cannot be read.
    """,
)
@app_options
@click.option(
    "--fail-on",
    type=click.Choice(["high", "medium", "low"]),
    default="high",
    show_default=True,
    help="Exit 1 when a finding has this severity or a higher one.",
)
@click.option(
    "--wordlist",
    "wordlists",
    multiple=True,
    metavar="FILE",
    help="Also look for the secret key in this wordlist (.gz read through gzip); repeatable.",
)
@click.option(
    "--store",
    "store",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[URL]",
    help=(
        "Scan the Flask-Session store for legacy pickled sessions (bounded SCAN): the app's "
        "own Redis, or redis://... given here."
    ),
)
@click.option(
    "--scan-limit",
    type=click.IntRange(1, 1_000_000),
    default=10_000,
    show_default=True,
    help="Most keys --store looks at.",
)
@click.option("--sarif", is_flag=True, help="Print a SARIF 2.1.0 log on stdout (for CI).")
@html_option
@output_options
def doctor_command(
    app_import: str | None,
    app_dir: str | None,
    fail_on: str,
    wordlists: tuple[str, ...],
    store: str | None,
    scan_limit: int,
    sarif: bool,
    html: str | None,
    as_json: bool,
    no_color: bool,
) -> None:
    if sarif and as_json:
        raise click.UsageError("give --json or --sarif, not both")
    from flaskscope.audit.wordlists import file_source

    sources = [file_source(path) for path in wordlists]
    under_flask = flask_script_info(click.get_current_context()) is not None
    if app_import is None and app_dir is None and not under_flask:
        app_import = ""
    app = resolve_flask_app(app_import, app_dir)
    if app is None:
        raise click.UsageError("no app: pass --app IMPORT")
    client = _store_client(app, store)
    from flaskscope.appinspect.doctor import diagnose

    report = diagnose(app, wordlists=sources, store_client=client, scan_limit=scan_limit)
    if html is not None:
        from flaskscope.render.html.doctor import doctor_report

        save_report(doctor_report(report, fail_on, command=command_line()), html)
    if html == "-":
        pass
    elif sarif:
        from flaskscope.appinspect.sarif import sarif_log
        from flaskscope.render.console import emit_json

        emit_json(sarif_log(report, version=__version__))
    elif as_json:
        from flaskscope.render.console import emit_json
        from flaskscope.render.doctor import doctor_json

        emit_json(doctor_json(report, fail_on))
    else:
        from flaskscope.render.console import make_console
        from flaskscope.render.doctor import render_doctor

        render_doctor(make_console(no_color=no_color), report, fail_on)
    failed = bool(report.at_or_above(fail_on))
    click.get_current_context().exit(EXIT_INVALID if failed else EXIT_OK)


def _store_client(app: object, store: str | None) -> object:
    """None without --store; the app's own Redis client for a bare --store; else the URL's."""
    if store is None:
        return None
    from flaskscope.sessions.store import client_with_timeout, connect_redis

    if store:
        return connect_redis(store)
    from flaskscope.flaskapp.flask_session import flask_session_settings

    settings = flask_session_settings(app)
    if settings is None or settings.client is None:
        raise click.UsageError(
            "--store without a URL needs an app that keeps sessions in Redis with "
            "Flask-Session; give --store redis://HOST:PORT/DB"
        )
    return client_with_timeout(settings.client)
