"""``flaskscope parse-frame``: read input, call the cores, render.

Input is read in chunks (``--file`` of 1 GiB never needs 1 GiB). What an HTTP head in front
of the frames means for the parser is decided in :mod:`flaskscope.frames.capture`, not here. The
rich renderers are imported by the two human views only: ``--json`` runs skip rich.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from flaskscope.cli import EXIT_INVALID, EXIT_OK, command, output_options, read_file
from flaskscope.commands.frames_input import non_empty, open_input
from flaskscope.frames.capture import (
    HttpHead,
    ParserSettings,
    collect_events,
    iter_events,
    settings_from_head,
    split_http_head,
)
from flaskscope.frames.deflate import DeflateSettings
from flaskscope.frames.records import FrameRecord, MessageRecord
from flaskscope.frames.stream import DEFAULT_MAX_MESSAGE_SIZE, FrameParser
from flaskscope.render.console import make_console
from flaskscope.render.frames_json import (
    json_end_line,
    json_event_line,
    json_head_line,
    write_json_document,
)

if TYPE_CHECKING:
    from rich.console import Console

SUMMARY_VIOLATIONS = 20
"""``--summary`` lists this many violations (it counts them all)."""

HUMAN_VIOLATIONS = 200
"""The frame-by-frame view lists this many violations (it counts them all)."""

DEFAULT_MAX_FRAMES = 100
"""The frame-by-frame view shows this many frames unless --max-frames says otherwise."""


def _deflate_settings(
    deflate: bool, params: str | None, handshake: str | None
) -> DeflateSettings | None:
    """The permessage-deflate parameters the options give, or None (then maybe the head's)."""
    if sum((deflate, params is not None, handshake is not None)) > 1:
        raise click.UsageError("give one of --deflate, --deflate-params and --handshake")
    if deflate:
        from flaskscope.handshake.deflate_negotiation import DeflateParams

        return DeflateParams()
    if params is not None:
        from flaskscope.handshake.deflate_negotiation import deflate_params_from_header

        return deflate_params_from_header(params)
    if handshake is not None:
        # Imported here: the HTTP parser behind it costs start-up time most runs do not need.
        from flaskscope.handshake.response_rules import negotiated_deflate

        return negotiated_deflate(read_file(handshake, param_hint="--handshake"))
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
    frame or message; 2 empty input, input that is not hex/base64, or a usage error.
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
    help="Payload bytes shown per frame and message. --json and --json-lines carry whole "
    "payloads (up to --max-message-size) unless --max-bytes is given.",
)
@click.option(
    "--max-message-size",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_MESSAGE_SIZE,
    show_default=True,
    help="Largest (decompressed) message; past it: message-too-big, inflating stops.",
)
@click.option(
    "--max-frames",
    type=click.IntRange(min=0),
    default=DEFAULT_MAX_FRAMES,
    show_default=True,
    metavar="N",
    help="Frames shown in full (0: all); the rest are parsed, counted and checked.",
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
    max_frames: int,
    summary: bool,
    json_lines: bool,
    as_json: bool,
    no_color: bool,
) -> None:
    if json_lines and as_json:
        raise click.UsageError("give --json or --json-lines, not both")
    given_deflate = _deflate_settings(deflate, deflate_params, handshake)
    data = " ".join(data_words) if data_words else None
    chunks_in = not_a_container(non_empty(open_input(data, file, encoding)), role)
    head, chunks = split_http_head(chunks_in)
    deflate_given = deflate or deflate_params is not None or handshake is not None
    settings = settings_from_head(
        head, role=role, deflate=given_deflate, deflate_given=deflate_given
    )
    if head is not None and head.kind == "request" and not deflate_given:
        offer = _deflate_offer(head.head)
        if offer:
            click.echo(
                f"note: the request head only offers permessage-deflate ({offer}); an offer "
                "does not fix the parameters, the server's response does: give that response "
                "with --handshake FILE (or --deflate-params) so compressed frames are inflated "
                "(without it RSV1 frames read as reserved-bits), or read the whole capture "
                "with 'flaskscope scan', which pairs both sides",
                err=True,
            )
    parser = FrameParser(
        role=settings.role,
        deflate=settings.deflate,
        keep=_payload_kept(max_bytes, summary=summary, as_json=as_json or json_lines),
        max_message_size=max_message_size,
        records=not summary,
        offset=settings.offset,
    )
    if json_lines:
        ok = _stream_json_lines(parser, chunks, head, settings.role_source)
    elif as_json:
        ok = write_json_document(
            sys.stdout.write, iter_events(parser, chunks), parser, head, settings.role_source
        )
    elif summary:
        ok = _render_summary(make_console(no_color=no_color), parser, chunks, head, settings)
    else:
        console = make_console(no_color=no_color)
        ok = _render_frames(console, parser, chunks, head, settings, max_bytes, max_frames)
    click.get_current_context().exit(EXIT_OK if ok else EXIT_INVALID)


def _deflate_offer(head: bytes) -> str | None:
    """The permessage-deflate offer in a request head's Sec-WebSocket-Extensions, if any."""
    for line in head.split(b"\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-extensions" and b"permessage-deflate" in value:
            return value.strip().decode("latin-1")
    return None


def not_a_container(chunks: Iterable[bytes], role: str) -> Iterator[bytes]:
    """The chunks, unless they are a whole capture: a pcap, pcapng or HAR is pointed at
    ``scan`` (exit 2), never parsed as frames; a tshark follow dump (both directions) gives
    the direction ``--role`` names."""
    from flaskscope.captures.containers import PROBE, CaptureKind, detect_kind
    from flaskscope.errors import InputError

    iterator = iter(chunks)
    pieces: list[bytes] = []
    size = 0
    while size < PROBE:
        chunk = next(iterator, None)
        if chunk is None:
            break
        pieces.append(chunk)
        size += len(chunk)
    kind = detect_kind(b"".join(pieces)[:PROBE])
    if kind in (CaptureKind.PCAP, CaptureKind.PCAPNG, CaptureKind.HAR):
        raise InputError(
            f"the input is a {kind.value} capture, not WebSocket frames: read it with "
            "'flaskscope scan FILE' (every connection, both directions, handshakes paired)"
        )
    if kind is CaptureKind.FOLLOW:
        from flaskscope.captures.follow import parse_follow

        text = b"".join(itertools.chain(pieces, iterator)).decode("utf-8", "replace")
        streams = parse_follow(text)
        if role not in ("client", "server"):
            raise InputError(
                "the input is a tshark follow dump holding both directions: give --role "
                "client or --role server to parse one of them, or read it with "
                "'flaskscope scan FILE'"
            )
        if len(streams) != 1:
            raise InputError(
                f"the follow dump holds {len(streams)} streams: read it with 'flaskscope scan'"
            )
        wanted = role == "client"
        return iter([data for from_client, data in streams[0].chunks if from_client == wanted])
    return itertools.chain(pieces, iterator)


def _payload_kept(max_bytes: int, *, summary: bool, as_json: bool) -> int | None:
    """How many payload bytes of each frame and message the parser keeps.

    Issue 4 puts the unmasked payload of each frame in the JSON, so JSON gets all of it
    (None: up to --max-message-size, ``payload_truncated`` past it) unless --max-bytes was
    given; the people's view shows --max-bytes; --summary keeps none.
    """
    if summary:
        return 0
    source = click.get_current_context().get_parameter_source("max_bytes")
    if as_json and source is not ParameterSource.COMMANDLINE:
        return None
    return max_bytes


def _render_summary(
    console: Console,
    parser: FrameParser,
    chunks: Iterable[bytes],
    head: HttpHead | None,
    settings: ParserSettings,
) -> bool:
    """``--summary``: the whole capture parsed first, then counts and the first violations."""
    from flaskscope.render.frames import (
        render_deflate,
        render_http_head,
        render_role,
        render_status,
        render_summary,
        render_violation,
    )

    result = collect_events(parser, chunks, max_violations=SUMMARY_VIOLATIONS)
    render_http_head(console, head, deflate_from_head=settings.deflate_from_head)
    render_deflate(console, settings.deflate)
    render_role(console, result.role, settings.role_source)
    render_summary(console, result.summary)
    for violation in result.violations[:SUMMARY_VIOLATIONS]:
        render_violation(console, violation)
    render_status(
        console,
        result.summary,
        complete=result.complete,
        bytes_needed=result.bytes_needed,
        shown=min(SUMMARY_VIOLATIONS, len(result.violations)),
    )
    return result.ok


def _render_frames(
    console: Console,
    parser: FrameParser,
    chunks: Iterable[bytes],
    head: HttpHead | None,
    settings: ParserSettings,
    max_bytes: int,
    max_frames: int,
) -> bool:
    """The first ``max_frames`` frames (0: all) and their messages as soon as they are parsed,
    the first :data:`HUMAN_VIOLATIONS` violations of the whole capture, then the totals.

    rich costs about half a millisecond a frame, so a capture of a million frames is for
    --summary or --json-lines; the frames past the limit are still parsed and counted.
    """
    from flaskscope.render.frames import (
        render_deflate,
        render_frame,
        render_hidden,
        render_http_head,
        render_legend,
        render_message,
        render_role,
        render_status,
        render_violation,
    )

    render_legend(console)
    render_http_head(console, head, deflate_from_head=settings.deflate_from_head)
    render_deflate(console, settings.deflate)
    shown_role = False
    shown_violations = hidden_frames = hidden_messages = 0
    for events in iter_events(parser, chunks):
        for event in events:
            if isinstance(event, FrameRecord):
                if not shown_role:
                    render_role(console, parser.role, settings.role_source)
                    shown_role = True
                if max_frames and event.index >= max_frames:
                    hidden_frames += 1
                else:
                    render_frame(console, event, max_bytes=max_bytes)
            elif isinstance(event, MessageRecord):
                if max_frames and event.frames and event.frames[0] >= max_frames:
                    hidden_messages += 1
                else:
                    render_message(console, event, max_bytes=max_bytes)
            elif shown_violations < HUMAN_VIOLATIONS:
                shown_violations += 1
                render_violation(console, event)
    render_hidden(console, hidden_frames, hidden_messages, max_frames=max_frames)
    totals = parser.summary()
    render_status(
        console,
        totals,
        complete=parser.complete,
        bytes_needed=parser.bytes_needed,
        shown=shown_violations,
    )
    return parser.complete and not totals.violations


def _stream_json_lines(
    parser: FrameParser, chunks: Iterable[bytes], head: HttpHead | None, role_source: str
) -> bool:
    """``--json-lines``: each event as soon as it is known, memory bounded by one chunk."""
    write = sys.stdout.write
    if head is not None:
        write(json_head_line(head))
    for events in iter_events(parser, chunks):
        for event in events:
            write(json_event_line(event))
    write(json_end_line(parser, role_source))
    return parser.complete and not parser.summary().violations
