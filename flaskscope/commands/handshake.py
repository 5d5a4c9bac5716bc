"""``flaskscope ws-accept`` and ``flaskscope check-handshake``: read input, call the core, render.

The only randomness (``--generate``) is drawn here, at the CLI boundary. ``ws-accept`` is
run in ``$(...)`` in scripts, so its piped and ``--json`` paths import neither rich nor the
HTTP parser: the checklist and the rich renderers are imported where they are used.
"""

from __future__ import annotations

import os

import click

from flaskscope.cli import (
    EXIT_INVALID,
    EXIT_OK,
    command,
    output_options,
    read_bytes,
    read_file,
    read_text,
    stdin_is_terminal,
    stdout_is_terminal,
)
from flaskscope.commands.report_options import command_line, html_option, save_report
from flaskscope.handshake.accept import KEY_BYTES, accept_report, generate_key, key_from_request
from flaskscope.render.console import emit_json, make_console, safe_str
from flaskscope.render.handshake_json import accept_json, check_json, render_accept_plain

_HTTP_WHITESPACE = " \t\r\n"


def _read_path(path: str, what: str) -> bytes:
    """A file's bytes, or stdin for ``-``; a missing file is a usage error naming ``what``."""
    return read_bytes("-", None, what=what) if path == "-" else read_file(path, param_hint=what)


@command(
    "ws-accept",
    help="""Compute (and check) the Sec-WebSocket-Accept for a Sec-WebSocket-Key.

    Sec-WebSocket-Accept = base64(SHA-1(KEY + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
    (RFC 6455 §1.3, §4.2.2). KEY is the key itself, '-' for stdin, or taken from a raw
    HTTP upgrade request with --request FILE|-. A key that is not base64 of exactly 16
    bytes (RFC 6455 §4.1) still gets its accept value, but the exit code is 1.

    When stdout is not a terminal (and no --json or --explain), only the accept value
    is printed, so $(flaskscope ws-accept KEY) works; problems go to stderr.

    \b
    Examples:
      flaskscope ws-accept dGhlIHNhbXBsZSBub25jZQ==
      flaskscope ws-accept dGhlIHNhbXBsZSBub25jZQ== --verify s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
      flaskscope ws-accept --request samples/handshake-request.http --json
      flaskscope ws-accept --generate

    Exit codes: 0 valid key (and --verify matched); 1 invalid key or mismatch; 2 usage
    error or a request without a single Sec-WebSocket-Key.
    """,
)
@click.argument("key", required=False)
@click.option(
    "--request",
    "request_file",
    metavar="FILE|-",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Take the key from the Sec-WebSocket-Key of this raw HTTP request ('-': stdin).",
)
@click.option(
    "--verify",
    metavar="ACCEPT",
    help="Compare with a server's Sec-WebSocket-Accept: exit 0 on match, 1 on mismatch.",
)
@click.option(
    "--generate", is_flag=True, help="Use a fresh random valid key (16 bytes from os.urandom)."
)
@click.option(
    "--explain",
    is_flag=True,
    help="Show every step (key, decoded length, GUID, SHA-1, accept) even when piped.",
)
@output_options
def ws_accept(
    key: str | None,
    request_file: str | None,
    verify: str | None,
    generate: bool,
    explain: bool,
    as_json: bool,
    no_color: bool,
) -> None:
    sources = [key is not None, request_file is not None, generate]
    if sum(sources) > 1:
        raise click.UsageError("give one of KEY, --request or --generate")
    if generate:
        the_key = generate_key(os.urandom(KEY_BYTES))
    elif request_file is not None:
        the_key = key_from_request(_read_path(request_file, "--request"))
    else:
        if key is None and stdin_is_terminal():
            raise click.UsageError(
                "no key given: pass KEY, '-' for stdin, --request FILE or --generate"
            )
        the_key = read_text(key, None, what="Sec-WebSocket-Key").strip(_HTTP_WHITESPACE)
        if not the_key:
            raise click.UsageError("the Sec-WebSocket-Key is empty")
    report = accept_report(the_key, verify=verify)
    if as_json:
        emit_json(accept_json(report))
    elif explain or stdout_is_terminal():
        from flaskscope.render.handshake import render_accept

        render_accept(make_console(no_color=no_color), report)
    else:
        click.echo(render_accept_plain(report, with_key=generate))
        if not report.key_valid:
            click.echo(
                f"warning: invalid key: {report.key_problem} (RFC 6455 §4.1)",
                err=True,
            )
        if report.verified is False:
            click.echo(
                f"warning: --verify {safe_str(report.expected or '')} does not match",
                err=True,
            )
    click.get_current_context().exit(EXIT_OK if report.ok else EXIT_INVALID)


@command(
    "check-handshake",
    help="""Check a captured WebSocket opening handshake against RFC 6455 and RFC 7692.

    REQUEST and RESPONSE are raw HTTP/1.1 text (files, or '-' for stdin). Without
    RESPONSE only the client's rules are checked, unless the response follows the
    request in the same file. LF-only line endings are tolerated and reported.

    The verdict comes first ("valid: 22 of 22 checks pass", or which checks fail), then
    one row per failing rule: its RFC section, what was found and what was expected.
    --all lists the passing rules too (a terminal shows them all when every rule
    passes). Check ids: request-method, request-version, request-target, host,
    upgrade, connection, key-present, key-valid, version, protocol-syntax,
    extensions-syntax, deflate-offer, response-version, response-status,
    response-upgrade, response-connection, accept, subprotocol-offered,
    response-extensions-syntax, extensions-offered, deflate-params, origin.

    The origin rule (RFC 6455 §4.1 item 8, §10.2): a browser handshake must carry
    Origin; with --expected-origin URL an Origin that is not that origin fails.

    \b
    Examples:
      flaskscope check-handshake samples/handshake-request.http samples/handshake-response.http
      curl -si ... | flaskscope check-handshake request.txt - --json
      flaskscope check-handshake request.http response.http --html handshake.html

    Exit codes: 0 every check passed; 1 a check failed; 2 usage error or text that is
    not HTTP.
    """,
)
@click.argument("request", metavar="REQUEST", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument(
    "response",
    metavar="[RESPONSE]",
    required=False,
    type=click.Path(dir_okay=False, allow_dash=True),
)
@click.option(
    "--all", "show_all", is_flag=True, help="List the passing rules too, not only the failing."
)
@click.option(
    "--expected-origin",
    metavar="URL",
    default=None,
    help="The site's own origin (e.g. https://chat.example.com): any other Origin fails.",
)
@html_option
@output_options
def check_handshake_command(
    request: str,
    response: str | None,
    show_all: bool,
    expected_origin: str | None,
    html: str | None,
    as_json: bool,
    no_color: bool,
) -> None:
    if request == "-" and response == "-":
        raise click.UsageError("only one of REQUEST and RESPONSE can be '-' (stdin)")
    request_bytes = _read_path(request, "REQUEST")
    response_bytes = None if response is None else _read_path(response, "RESPONSE")
    from flaskscope.handshake.check import check_handshake

    if expected_origin is not None:
        from flaskscope.handshake.request_rules import serialize_origin

        if serialize_origin(expected_origin) is None:
            raise click.BadParameter(
                f"{expected_origin!r} is not an origin like https://example.com",
                param_hint="--expected-origin",
            )
    report = check_handshake(request_bytes, response_bytes, expected_origin=expected_origin)
    if html is not None:
        from flaskscope.render.html.reports import handshake_report

        save_report(handshake_report(report, command=command_line()), html)
    if html == "-":
        pass  # the page took stdout
    elif as_json:
        emit_json(check_json(report))
    else:
        from flaskscope.render.handshake import render_check

        render_check(make_console(no_color=no_color), report, show_all=show_all)
    click.get_current_context().exit(EXIT_OK if report.valid else EXIT_INVALID)
