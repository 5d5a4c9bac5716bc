"""``flaskscope decode-cookie`` and ``flaskscope sign-cookie``: options, input, core, render.

The options they share with ``audit-secret`` are in :mod:`flaskscope.commands.cookie_options`;
a Flask-Session cookie is handed to :mod:`flaskscope.commands.server_session`.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone

import click

from flaskscope.cli import (
    EXIT_INVALID,
    EXIT_OK,
    command,
    no_limit,
    output_options,
    read_text,
    stdout_is_terminal,
)
from flaskscope.commands.cookie_options import (
    cookie_input_options,
    key_options,
    max_age_option,
    read_cookie_input,
    resolve_cookie_name,
    resolve_keys,
    resolve_max_age,
    resolve_signing,
    signing_options,
    time_callback,
)
from flaskscope.commands.report_options import command_line, html_option, save_report
from flaskscope.commands.server_session import (
    build_report,
    server_session_app,
    server_session_options,
    show_server_session,
)
from flaskscope.cookies import (
    DEFAULT_MAX_DECOMPRESSED,
    DecodedCookie,
    decode_cookie,
    session_from_json,
    sign_cookie,
    size_warning,
)
from flaskscope.flask_commands import (
    CommandDefaults,
    app_options,
    command_defaults,
    defaults_from_app,
    resolve_flask_app,
)
from flaskscope.sessions.kind import server_session_cookie

__all__ = ["decode_cookie_command", "exit_code", "show_decoded", "sign_cookie_command"]


def exit_code(decoded: DecodedCookie) -> int:
    """0 for valid or unverified, 1 for an invalid signature or an expired cookie."""
    return EXIT_OK if decoded.ok else EXIT_INVALID


def show_decoded(decoded: DecodedCookie, *, as_json: bool, no_color: bool) -> None:
    """JSON for scripts; rich for a terminal; the same report as plain text for a pipe
    (without importing rich: half the start-up time of a piped decode)."""
    if as_json:
        from flaskscope.render.console import emit_json
        from flaskscope.render.cookie_json import decoded_json

        emit_json(decoded_json(decoded))
        return
    from flaskscope.render.console import wants_color

    if not stdout_is_terminal() and not wants_color(sys.stdout, no_color=no_color):
        from flaskscope.render.cookie import render_decoded_plain

        render_decoded_plain(sys.stdout, decoded)
        return
    from flaskscope.render.console import make_console
    from flaskscope.render.cookie import render_decoded

    render_decoded(make_console(no_color=no_color), decoded)


@command(
    "decode-cookie",
    help="""Decode a Flask session cookie, verify its signature and check its age.

    COOKIE is the value itself, '-' for stdin, or --file PATH. Also accepted: name=value,
    a Cookie header (a=1; session=...), a Set-Cookie line with attributes, a raw HTTP
    request or response, or a curl cookie jar; --cookie-name picks the cookie.

    Without a key the cookie is decoded anyway (status unverified, with a warning).
    With --secret-key (and --fallback-key for Flask 3.1 SECRET_KEY_FALLBACKS) the
    status is valid, invalid-signature or expired; the key that matched is reported.
    Values Flask stores as tagged JSON are shown with their Python types (tuple, bytes,
    UUID, datetime, Markup).

    With --app IMPORT (as `flask --app` takes it) the key, fallback keys, cookie name,
    PERMANENT_SESSION_LIFETIME and the session interface's salt, digest, key derivation
    and serializer come from the app; options given here override them. Inside a
    project, `flask scope decode-cookie COOKIE` uses the app `flask` loads.

    A Flask-Session cookie (a bare session id, or one signed with SESSION_USE_SIGNER)
    is recognised by itself: with --store the stored session is read from Redis and
    shown with its TTL (status found or not-found); pickles are never unpickled.

    \b
    Examples:
      flaskscope decode-cookie 'eyJ1c2VyX2lkIjo0Mn0.ZVP6gA.kS7U...'
      flaskscope decode-cookie --file samples/cookie.txt -k "$SECRET" --json
      curl -si https://example.com/login | flaskscope decode-cookie - -k "$SECRET"
      flaskscope decode-cookie --app 'myproject:create_app()' "$COOKIE"
      flaskscope decode-cookie "$FLASK_SESSION_ID" --store redis://localhost:6379/0
      flaskscope decode-cookie --file samples/cookie.txt --html cookie.html

    \b
    Exit codes: 0 valid or unverified; 1 invalid-signature or expired;
    2 not a cookie (bad base64, zlib or JSON; no cookie of that name) or a usage error.
    Flask-Session cookies: 0 found (or id only); 1 not-found or invalid-signature;
    2 the store cannot be asked (refused, timeout, wrong password).
    """,
)
@cookie_input_options
@app_options
@key_options
@signing_options
@max_age_option
@click.option(
    "--now",
    "now",
    metavar="TIME",
    callback=time_callback,
    default=None,
    help="Judge age and expiry at this time: ISO 8601 or unix seconds (default: the clock).",
)
@click.option(
    "--max-decompressed",
    "max_decompressed",
    type=click.IntRange(0, 1 << 30),
    default=DEFAULT_MAX_DECOMPRESSED,
    show_default=True,
    help="Refuse compressed payloads that inflate past this many bytes (zlib bombs; 0: no limit).",
)
@server_session_options
@html_option
@output_options
@click.pass_context
def decode_cookie_command(
    ctx: click.Context,
    cookie: str | None,
    file: str | None,
    cookie_name: str | None,
    app_import: str | None,
    app_dir: str | None,
    secret_key: str | None,
    secret_key_file: str | None,
    fallback_keys: tuple[str, ...],
    salt: str | None,
    digest: str | None,
    key_derivation: str | None,
    legacy: bool | None,
    max_age: int | str | None,
    now: datetime | None,
    max_decompressed: int,
    store_url: str | None,
    key_prefix: str | None,
    store_timeout: float,
    serialization_format: str | None,
    html: str | None,
    as_json: bool,
    no_color: bool,
) -> None:
    app = resolve_flask_app(app_import, app_dir)
    server_app = server_session_app(app)  # the app keeps sessions with Flask-Session (issue 7)
    key_given = secret_key is not None or secret_key_file is not None
    base = (
        CommandDefaults()
        if app is None or server_app is not None
        else defaults_from_app(app, key_given=key_given)
    )
    default_name = base.cookie_name if server_app is None else server_app.cookie_name
    value = read_cookie_input(cookie, file, resolve_cookie_name(cookie_name, default_name))
    server_cookie = server_session_cookie(
        value,
        app_loaded=app is not None,
        interface=None if server_app is None else server_app.interface,
    )
    if server_cookie is not None:  # Flask-Session: the cookie holds only an id
        primary, fallbacks = resolve_keys(secret_key, secret_key_file, fallback_keys)
        report = build_report(
            server_cookie,
            keys=(primary or "", *fallbacks),
            store_url=store_url,
            key_prefix=key_prefix,
            store_timeout=store_timeout,
            serialization_format=serialization_format,
            app_settings=server_app,
        )
        if html is not None:
            from flaskscope.render.html.server_session import server_session_report

            save_report(server_session_report(report, command=command_line()), html)
        if html == "-":
            ctx.exit(EXIT_OK if report.ok else EXIT_INVALID)
        ctx.exit(show_server_session(report, as_json=as_json, no_color=no_color))
    if store_url is not None:
        click.echo(
            "note: --store ignored: this is a Flask signed-cookie session, its data is in"
            " the cookie itself",
            err=True,
        )
    primary, fallbacks = resolve_keys(
        base.command_line_key(secret_key),
        secret_key_file,
        fallback_keys,
        base.secret_key,
        base.fallback_keys,
    )
    options = resolve_signing(salt, digest, key_derivation, legacy, base.signing)
    decoded = decode_cookie(
        value,
        primary,
        fallback_keys=fallbacks,
        **options.keywords(),
        max_age=resolve_max_age(max_age, base.max_age),
        now=now,
        serializer=base.serializer,
        max_decompressed=no_limit(max_decompressed),
    )
    if html is not None:
        from flaskscope.render.html.reports import cookie_report

        save_report(cookie_report(decoded, command=command_line()), html)
    if html != "-":
        show_decoded(decoded, as_json=as_json, no_color=no_color)
    ctx.exit(exit_code(decoded))


@command(
    "sign-cookie",
    help="""Sign a session as Flask would, to get a test cookie a real app accepts.

    JSON is the session (a JSON object), '-' for stdin, or --file PATH. Flask's tagged
    form is allowed: {"roles": {" t": ["admin"]}} is a tuple, {" b": "AAE="} bytes,
    {" u": "<hex>"} a UUID, {" d": "<HTTP date>"} a datetime, {" m": "<html>"} Markup.
    A tag Flask would load as something else than written ({" d": "garbage"} as None,
    {" b": "!!!"} as b'') is refused, naming where it is and the tag (exit 2).
    The output is byte for byte what Flask writes at that timestamp (sorted keys,
    compressed exactly when that is shorter). Only the cookie value is printed.

    With --app IMPORT (or as `flask scope sign-cookie`) the key, salt, digest, key
    derivation and serializer are the app's (a custom serializer reads the JSON, so
    its own tags work), and the cookie is one that app accepts; options override them.

    \b
    Examples:
      flaskscope sign-cookie '{"user_id": 42}' -k "$SECRET"
      flaskscope sign-cookie --file samples/cookie-session.json -k dev --timestamp 1704067200
      flaskscope decode-cookie -k dev "$(flaskscope sign-cookie '{"a": 1}' -k dev)"
      flaskscope sign-cookie --app 'myproject:create_app()' '{"user_id": 1}'

    \b
    Exit codes: 0 signed; 2 no key, JSON that is not an object, or a bad option.
    """,
)
@click.argument("session_json", required=False, metavar="[JSON|-]")
@click.option(
    "--file",
    "file",
    metavar="PATH|-",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    help="Read the session JSON from a file ('-': stdin).",
)
@app_options
@key_options
@signing_options
@click.option(
    "--timestamp",
    "timestamp",
    metavar="TIME",
    callback=time_callback,
    default=None,
    help="Signing time: ISO 8601 or unix seconds, e.g. to test expiry (default: now).",
)
@output_options
def sign_cookie_command(
    session_json: str | None,
    file: str | None,
    app_import: str | None,
    app_dir: str | None,
    secret_key: str | None,
    secret_key_file: str | None,
    fallback_keys: tuple[str, ...],
    salt: str | None,
    digest: str | None,
    key_derivation: str | None,
    legacy: bool | None,
    timestamp: datetime | None,
    as_json: bool,
    no_color: bool,
) -> None:
    base = command_defaults(
        app_import, app_dir, key_given=secret_key is not None or secret_key_file is not None
    )
    text = read_text(session_json, file, what="session JSON")
    session = session_from_json(text, base.serializer)
    primary, fallbacks = resolve_keys(
        base.command_line_key(secret_key), secret_key_file, fallback_keys, base.secret_key
    )
    if primary is None:  # before any note: an exit 2 has one line on stderr
        raise click.UsageError(
            "sign-cookie needs the key: --secret-key, --secret-key-file or FLASKSCOPE_SECRET_KEY"
        )
    if fallbacks:
        click.echo(
            "note: --fallback-key is not used to sign; Flask signs with SECRET_KEY", err=True
        )
    options = resolve_signing(salt, digest, key_derivation, legacy, base.signing)
    moment = datetime.now(timezone.utc) if timestamp is None else timestamp
    cookie = sign_cookie(
        session,
        primary,
        **options.keywords(),
        timestamp=moment,
        serializer=base.serializer,
    )
    decoded = decode_cookie(
        cookie,
        primary,
        **options.keywords(),
        max_age=None,
        now=moment,
        serializer=base.serializer,
    )
    warning = size_warning(decoded.size)
    warnings = [warning] if warning else []
    if as_json:
        from flaskscope.render.console import emit_json
        from flaskscope.render.cookie_json import signed_json

        emit_json(signed_json(cookie, decoded, warnings))
        return
    for line in warnings:
        click.echo(f"warning: {line}", err=True)
    sys.stdout.write(cookie + "\n")
