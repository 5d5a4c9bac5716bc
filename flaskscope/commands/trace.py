"""``flaskscope trace``: one request's life (or a sequence's) inside the user's app.

The sequence is given as ``[METHOD] PATH [request options]`` segments separated by ``--``;
options of the whole trace (``--app``, ``--cookie``, ``--base-url``, ``--json``) come
before the first request. Each segment is parsed by a small Click command of its own, so
its errors are usage errors like any other.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from flaskscope.appinspect.model import RequestSpec
from flaskscope.cli import EXIT_INVALID, EXIT_OK, command, output_options
from flaskscope.commands.report_options import command_line, html_option, save_report
from flaskscope.flask_commands import app_options, flask_script_info, resolve_flask_app

__all__ = ["parse_requests", "trace_command"]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
MAX_JSON_BODY = 1024 * 1024


def _pair(text: str, separator: str, what: str) -> tuple[str, str]:
    name, found, value = text.partition(separator)
    if not found or not name.strip():
        raise click.UsageError(f"{what} {text!r} is not NAME{separator}VALUE")
    return name.strip(), value.strip() if separator == ":" else value


@click.command("request", add_help_option=False)
@click.argument("words", nargs=-1)
@click.option("-H", "--header", "headers", multiple=True)
@click.option("-d", "--data", "data", multiple=True)
@click.option("--json-body", "json_body", default=None)
def _request_parser(
    words: tuple[str, ...], headers: tuple[str, ...], data: tuple[str, ...], json_body: str | None
) -> RequestSpec:
    if not words or len(words) > 2:
        raise click.UsageError(f"expected [METHOD] PATH, got {' '.join(words) or 'nothing'!r}")
    method, path = ("GET", words[0]) if len(words) == 1 else (words[0].upper(), words[1])
    if method not in METHODS:
        raise click.UsageError(f"unknown method {words[0]!r} (one of {', '.join(METHODS)})")
    if not path.startswith("/"):
        raise click.UsageError(f"the path {path!r} must start with '/'")
    if data and json_body is not None:
        raise click.UsageError("give --data or --json-body for a request, not both")
    body: Any = None
    if json_body is not None:
        if len(json_body) > MAX_JSON_BODY:
            raise click.UsageError("--json-body is larger than 1 MiB")
        try:
            body = json.loads(json_body)
        except ValueError as error:
            raise click.UsageError(f"--json-body is not JSON: {error}") from None
    return RequestSpec(
        method=method,
        path=path,
        headers=tuple(_pair(header, ":", "--header") for header in headers),
        form=tuple(_pair(item, "=", "--data") for item in data) if data else None,
        json_body=body,
        has_json_body=json_body is not None,
    )


def parse_requests(arguments: Sequence[str]) -> tuple[list[RequestSpec], bool, bool]:
    """The requests of ``[METHOD] PATH [options] [-- ...]``, and ``--json``/``--no-color``
    when they were written after a request (they are taken wherever they are)."""
    as_json = "--json" in arguments
    no_color = "--no-color" in arguments
    words = [word for word in arguments if word not in ("--json", "--no-color")]
    if not words:
        raise click.UsageError("no request given: [METHOD] PATH, e.g. 'GET /' or 'POST /login'")
    segments: list[list[str]] = [[]]
    for word in words:
        if word == "--":
            segments.append([])
        else:
            segments[-1].append(word)
    specs = []
    for segment in segments:
        if not segment:
            raise click.UsageError("an empty request between '--' separators")
        with _request_parser.make_context("request", list(segment), resilient_parsing=False) as ctx:
            specs.append(_request_parser.invoke(ctx))
    return specs, as_json, no_color


@command(
    "trace",
    context_settings={
        "help_option_names": ["-h", "--help"],
        "allow_interspersed_args": False,
        "ignore_unknown_options": True,
    },
    help="""Follow requests through the app: contexts, session, hooks, view, signals.

    Runs [METHOD] PATH (GET when no method is given) through the app's own test
    client, with probes on Flask's public hooks, and prints every step: contexts
    pushed and popped, the incoming session cookie's verdict, before_request
    functions, the view and what it changed in the session, after_request
    functions, the save decision and why, the Set-Cookie decoded with its
    attributes and size, teardown, and every blinker signal. Classic mistakes are
    named where they happen (mutated-without-modified, cookie-too-large,
    cookie-domain-mismatch, server-name-mismatch, secure-cookie-over-http,
    session-set-after-headers, session-unusable, cookie-rejected).

    Several requests, separated by '--', share the cookies as a browser would.
    Per request: -H 'Name: value', --data NAME=VALUE (form), --json-body JSON.
    Options of the whole trace come before the first request.

    \b
    Examples:
      flaskscope trace --app samples/trace_app.py POST /login --data user=ada -- GET /profile
      flask --app myproject scope trace GET /cart --json
      flaskscope trace --app samples/trace_app.py --html trace.html GET /cart

    Exit codes: 0 no mistake seen; 1 a mistake was named, or an exception left the
    app; 2 usage error or an app that cannot be loaded.
    """,
)
@app_options
@click.option(
    "--cookie",
    "cookies",
    multiple=True,
    metavar="NAME=VALUE",
    help="A cookie the browser already holds (e.g. session=eyJ...), sent with the first request.",
)
@click.option(
    "--base-url",
    default="http://localhost",
    show_default=True,
    help="Scheme and host the requests are sent to (https:// for Secure cookies).",
)
@html_option
@click.argument("arguments", nargs=-1, type=click.UNPROCESSED, metavar="[METHOD] PATH [-- ...]")
@output_options
def trace_command(
    app_import: str | None,
    app_dir: str | None,
    cookies: tuple[str, ...],
    base_url: str,
    html: str | None,
    arguments: tuple[str, ...],
    as_json: bool,
    no_color: bool,
) -> None:
    specs, late_json, late_no_color = parse_requests(arguments)
    as_json, no_color = as_json or late_json, no_color or late_no_color
    pairs = [_pair(cookie, "=", "--cookie") for cookie in cookies]
    under_flask = flask_script_info(click.get_current_context()) is not None
    if app_import is None and app_dir is None and not under_flask:
        app_import = ""  # bare --app: FLASK_APP, wsgi.py or app.py, as flask finds it
    app = resolve_flask_app(app_import, app_dir)
    if app is None:
        raise click.UsageError("no app: pass --app IMPORT")
    from flaskscope.appinspect.trace import trace_requests

    trace = trace_requests(app, specs, base_url=base_url, cookies=pairs)
    if html is not None:
        from flaskscope.render.html.trace import trace_report

        save_report(trace_report(trace, command=command_line()), html)
    if html == "-":
        pass
    elif as_json:
        from flaskscope.render.console import emit_json
        from flaskscope.render.trace import trace_json

        emit_json(trace_json(trace))
    else:
        from flaskscope.render.console import make_console
        from flaskscope.render.trace import render_trace

        render_trace(make_console(no_color=no_color), trace)
    failed = trace.mistakes or any(request.status is None for request in trace.requests)
    click.get_current_context().exit(EXIT_INVALID if failed else EXIT_OK)
