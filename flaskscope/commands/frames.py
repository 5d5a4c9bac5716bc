"""``flaskscope parse-frame`` and ``flaskscope build-frame``: read input, call the cores, render.

Input is read in chunks (``--file`` of 1 GiB never needs 1 GiB); random masking keys are
drawn here with os.urandom, at the CLI boundary, never inside a core.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import click

from flaskscope.capture import HttpHead, parse_stream
from flaskscope.cli import EXIT_INVALID, EXIT_OK, command, output_options, read_file
from flaskscope.commands.frames_input import open_input, split_http_head
from flaskscope.deflate_negotiation import (
    PERMESSAGE_DEFLATE,
    DeflateParams,
    deflate_params,
    deflate_params_from_header,
)
from flaskscope.records import FrameRecord, MessageRecord
from flaskscope.render.console import emit_json, make_console
from flaskscope.render.frames import (
    render_deflate,
    render_frame,
    render_http_head,
    render_legend,
    render_message,
    render_role,
    render_status,
    render_summary,
    render_violation,
)
from flaskscope.stream import DEFAULT_MAX_MESSAGE_SIZE, Event, FrameParser


def _deflate_settings(
    deflate: bool, params: str | None, handshake: str | None
) -> DeflateParams | None:
    if sum((deflate, params is not None, handshake is not None)) > 1:
        raise click.UsageError("give one of --deflate, --deflate-params and --handshake")
    if deflate:
        return DeflateParams()
    if params is not None:
        return deflate_params_from_header(params)
    if handshake is not None:
        return _deflate_from_response(read_file(handshake, param_hint="--handshake"))
    return None


def _deflate_from_response(response: bytes) -> DeflateParams | None:
    """The permessage-deflate parameters a 101 response selected, or None."""
    # Imported here: the HTTP parser behind it costs ~0.1 s of start-up (werkzeug).
    from flaskscope.handshake import negotiated_extensions

    for extension in negotiated_extensions(response):
        if extension.name.lower() == PERMESSAGE_DEFLATE:
            return deflate_params(extension)
    return None


@command(
    "parse-frame",
    help="""Parse captured WebSocket bytes into frames and messages, and name every violation.

    DATA is hex (spaces, colons, newlines, 0x and \\x prefixes allowed), or base64 with
    --base64. '-' reads stdin and --file PATH reads a file, both as raw bytes, in 1 MiB
    chunks (add --hex or --base64 when they hold text). Without DATA, piped stdin is
    read; text made only of hex digits there is taken as hex (--raw to refuse).

    Each frame is shown with its offset, flags, opcode, length encoding, masking key, a
    hex dump coloured by region and the unmasked payload; close frames with their code
    and reason. Fragmented messages are reassembled and checked as UTF-8, compressed
    ones inflated (--deflate, --deflate-params, --handshake). Violations have stable
    codes (reserved-bits, control-too-long, invalid-utf8, truncated, ...), each with
    its RFC section.

    \b
    Examples:
      flaskscope parse-frame 81 85 37 fa 21 3d 7f 9f 4d 51 58
      flaskscope parse-frame --file capture.bin --role client --summary
      flaskscope build-frame --text hi --mask | flaskscope parse-frame
      flaskscope parse-frame --file samples/frames-deflate.bin --deflate

    Exit codes: 0 complete and no violation; 1 a violation, or the stream ends inside a
    frame or message; 2 input that is not hex/base64, or a usage error.
    """,
)
@click.argument("data_words", nargs=-1, metavar="[DATA|-]")
@click.option("--file", "file", metavar="PATH", help="Read raw bytes from PATH ('-': stdin).")
@click.option("--base64", "encoding", flag_value="base64", help="DATA (or the input) is base64.")
@click.option("--hex", "encoding", flag_value="hex", help="The input is hex text.")
@click.option("--raw", "encoding", flag_value="raw", help="stdin is raw bytes (no detection).")
@click.option(
    "--role",
    type=click.Choice(["client", "server", "auto"]),
    default="auto",
    show_default=True,
    help="Who sent the bytes: client frames must be masked, server frames must not (§5.1).",
)
@click.option("--deflate", is_flag=True, help="permessage-deflate was negotiated (defaults).")
@click.option(
    "--deflate-params",
    metavar="HEADER",
    help='The negotiated extension, e.g. "permessage-deflate; client_no_context_takeover".',
)
@click.option(
    "--handshake",
    metavar="FILE",
    help="An HTTP response whose Sec-WebSocket-Extensions gives the deflate parameters.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=0),
    default=256,
    show_default=True,
    help="Payload bytes shown (and kept in --json) per frame and message.",
)
@click.option(
    "--max-message-size",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_MESSAGE_SIZE,
    show_default=True,
    help="Largest (decompressed) message; past it: message-too-big, inflating stops.",
)
@click.option("--summary", is_flag=True, help="Only counts: frames, messages, bytes, violations.")
@click.option(
    "--json-lines",
    "json_lines",
    is_flag=True,
    help="Stream one JSON object per line (frame, message, violation, then end): for big "
    "captures, where --json would hold every record.",
)
@output_options
def parse_frame(
    data_words: tuple[str, ...],
    file: str | None,
    encoding: str | None,
    role: str,
    deflate: bool,
    deflate_params: str | None,
    handshake: str | None,
    max_bytes: int,
    max_message_size: int,
    summary: bool,
    json_lines: bool,
    as_json: bool,
    no_color: bool,
) -> None:
    if json_lines and as_json:
        raise click.UsageError("give --json or --json-lines, not both")
    settings = _deflate_settings(deflate, deflate_params, handshake)
    data = " ".join(data_words) if data_words else None
    head, chunks = split_http_head(open_input(data, file, encoding))
    role_source = "option" if role != "auto" else "auto"
    deflate_from_head = False
    if head is not None:
        if role == "auto":
            role, role_source = head.role, "http-head"
        if head.kind == "response" and not (deflate or deflate_params or handshake):
            settings = _deflate_from_response(head.head)
            deflate_from_head = settings is not None
    offset = head.length if head is not None else 0
    keep = 0 if summary else max_bytes
    if json_lines:
        parser = FrameParser(
            role=role,
            deflate=settings,
            keep=keep,
            max_message_size=max_message_size,
            records=not summary,
            offset=offset,
        )
        ok = _stream_json_lines(parser, chunks, head, role_source)
        click.get_current_context().exit(EXIT_OK if ok else EXIT_INVALID)
    if as_json or summary:
        result = parse_stream(
            chunks,
            role=role,
            deflate=settings,
            keep=keep,
            max_message_size=max_message_size,
            records=not summary,
            offset=offset,
        )
        if as_json:
            document = result.to_json()
            document["role_source"] = role_source
            document["http_head"] = (
                None if head is None else {"kind": head.kind, "length": head.length}
            )
            emit_json(document)
        else:
            console = make_console(no_color=no_color)
            render_http_head(console, head, deflate_from_head=deflate_from_head)
            render_deflate(console, settings)
            render_role(console, result.role, role_source)
            render_summary(console, result.summary)
            for violation in result.violations[:20]:
                render_violation(console, violation)
            render_status(
                console,
                result.summary,
                complete=result.complete,
                bytes_needed=result.bytes_needed,
                shown=min(20, len(result.violations)),
            )
        click.get_current_context().exit(EXIT_OK if result.ok else EXIT_INVALID)
    console = make_console(no_color=no_color)
    parser = FrameParser(
        role=role, deflate=settings, keep=keep, max_message_size=max_message_size, offset=offset
    )
    render_legend(console)
    render_http_head(console, head, deflate_from_head=deflate_from_head)
    render_deflate(console, settings)
    shown_role = False
    shown_violations = 0
    for events in _feed_all(parser, chunks):
        for event in events:
            if isinstance(event, FrameRecord):
                if not shown_role:
                    render_role(console, parser.role, role_source)
                    shown_role = True
                render_frame(console, event, max_bytes=max_bytes)
            elif isinstance(event, MessageRecord):
                render_message(console, event, max_bytes=max_bytes)
            else:
                shown_violations += 1
                render_violation(console, event)
    totals = parser.summary()
    render_status(
        console,
        totals,
        complete=parser.complete,
        bytes_needed=parser.bytes_needed,
        shown=shown_violations,
    )
    ok = parser.complete and not totals.violations
    click.get_current_context().exit(EXIT_OK if ok else EXIT_INVALID)


def _stream_json_lines(
    parser: FrameParser, chunks: Iterator[bytes], head: HttpHead | None, role_source: str
) -> bool:
    """``--json-lines``: each event as soon as it is known, memory bounded by one chunk."""
    write = sys.stdout.write
    if head is not None:
        write(_line({"type": "http_head", "kind": head.kind, "length": head.length}))
    for events in _feed_all(parser, chunks):
        for event in events:
            kind = (
                "frame"
                if isinstance(event, FrameRecord)
                else "message"
                if isinstance(event, MessageRecord)
                else "violation"
            )
            write(_line({"type": kind, **event.to_json()}))
    totals = parser.summary()
    write(
        _line(
            {
                "type": "end",
                "role": parser.role,
                "role_source": role_source,
                "complete": parser.complete,
                "bytes_needed": parser.bytes_needed,
                "summary": totals.to_json(),
            }
        )
    )
    return parser.complete and not totals.violations


def _line(document: dict[str, object]) -> str:
    return json.dumps(document, ensure_ascii=True) + "\n"


def _feed_all(parser: FrameParser, chunks: Iterator[bytes]) -> Iterator[list[Event]]:
    for chunk in chunks:
        yield from parser.feed_in_slices(chunk)
    yield parser.finish()
