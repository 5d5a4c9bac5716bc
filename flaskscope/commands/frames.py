"""``flaskscope parse-frame``: read input, call the cores, render.

Input is read in chunks (``--file`` of 1 GiB never needs 1 GiB). What an HTTP head in front
of the frames means for the parser is decided in :mod:`flaskscope.frames.capture`, not here. The
rich renderers are imported by the two human views only: ``--json`` runs skip rich.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from flaskscope.cli import EXIT_INVALID, EXIT_OK, command, no_limit, output_options, read_file
from flaskscope.commands.frames_input import DEFAULT_MAX_INPUT_BYTES, non_empty, open_input
from flaskscope.commands.report_options import command_line, html_option, save_report
from flaskscope.frames.capture import (
    HttpHead,
    ParserSettings,
    iter_events,
    settings_from_head,
    split_http_head,
)
from flaskscope.frames.deflate import DeflateSettings
from flaskscope.frames.records import FrameRecord, MessageRecord
from flaskscope.frames.stream import (
    DEFAULT_MAX_MESSAGE_SIZE,
    DEFAULT_MAX_TOTAL_DECOMPRESSED,
    FrameParser,
)
from flaskscope.frames.violations import Violation
from flaskscope.render.console import make_console
from flaskscope.render.frames_json import (
    JSON_VIOLATIONS,
    json_end_line,
    json_event_line,
    json_head_line,
    json_message_line,
    stream_totals,
    write_json_document,
)
from flaskscope.subprotocols.decoder import ConversationDecoder
from flaskscope.subprotocols.detect import SUBPROTOCOL_CHOICES
from flaskscope.subprotocols.model import DecodedMessage
from flaskscope.subprotocols.stream import DECODE_KEEP, StageEvent, SubprotocolStage

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from rich.console import Console

    from flaskscope.render.html.conversation import ConversationBuilder

SUMMARY_VIOLATIONS = 20
"""``--summary`` lists this many violations (it counts them all)."""

HUMAN_VIOLATIONS = 200
"""The frame-by-frame view lists this many violations (it counts them all)."""

TOP_VIOLATIONS = 5
"""The frame-by-frame view repeats this many violations under its verdict, on top."""

DEFAULT_MAX_FRAMES = 100
"""The frame-by-frame view shows this many frames unless --max-frames says otherwise."""

MAX_SIZE_OPTION = 1 << 40
"""The largest value a size or count option takes (1 TiB): far past any real capture, and
small enough for every C API it reaches (zlib's output limit is a C ``ssize_t``)."""


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
    its RFC section. --html FILE also writes a page with a timeline of the messages.

    The messages are then decoded as the application protocol inside them
    (--subprotocol, default auto): Socket.IO / Engine.IO events with their namespace,
    arguments, acks and binary attachments, GraphQL over WebSocket operations, STOMP
    frames, or JSON; protocol faults are violations too (socketio-bad-json, ...).

    \b
    Examples:
      flaskscope parse-frame 81 85 37 fa 21 3d 7f 9f 4d 51 58
      flaskscope parse-frame --file capture.bin --role client --summary
      flaskscope build-frame --text hi --mask | flaskscope parse-frame
      flaskscope parse-frame --file samples/frames-deflate.bin --deflate
      flaskscope parse-frame --file samples/socketio-server.bin --messages-only
      flaskscope parse-frame --file capture.bin --html report.html

    Exit codes: 0 complete and no violation; 1 a violation, or the stream ends inside a
    frame or message; 2 empty input, input that is not hex/base64, or a usage error.
    """,
)
@click.argument("data_words", nargs=-1, metavar="[DATA|-]")
@click.option(
    "--file",
    "file",
    metavar="PATH",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Read raw bytes from PATH ('-': stdin).",
)
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
    type=click.Path(dir_okay=False),
    help="An HTTP response whose Sec-WebSocket-Extensions gives the deflate parameters (and "
    "whose Sec-WebSocket-Protocol the subprotocol).",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(0, MAX_SIZE_OPTION),
    default=256,
    show_default=True,
    help="Payload bytes shown per frame and message (0: all). --json and --json-lines "
    "carry whole payloads (up to --max-message-size) unless --max-bytes is given.",
)
@click.option(
    "--max-message-size",
    type=click.IntRange(0, MAX_SIZE_OPTION),
    default=DEFAULT_MAX_MESSAGE_SIZE,
    show_default=True,
    help="Largest (decompressed) message (0: no limit); past it: message-too-big, inflating stops.",
)
@click.option(
    "--max-total-decompressed",
    type=click.IntRange(0, MAX_SIZE_OPTION),
    default=DEFAULT_MAX_TOTAL_DECOMPRESSED,
    show_default=True,
    metavar="BYTES",
    help="What all compressed messages together may inflate to (0: no limit); past it: "
    "decompression-limit, later messages are not inflated.",
)
@click.option(
    "--max-input-bytes",
    type=click.IntRange(0, MAX_SIZE_OPTION),
    default=DEFAULT_MAX_INPUT_BYTES,
    show_default=True,
    metavar="BYTES",
    help="Stop reading a file or pipe past this many bytes (exit 2): bounds a stream "
    "that never ends (0: no limit).",
)
@click.option(
    "--max-frames",
    type=click.IntRange(0, MAX_SIZE_OPTION),
    default=DEFAULT_MAX_FRAMES,
    show_default=True,
    metavar="N",
    help="Frames shown in full (0: all); the rest are parsed, counted and checked.",
)
@click.option(
    "--subprotocol",
    type=click.Choice(SUBPROTOCOL_CHOICES),
    default="auto",
    show_default=True,
    help="Decode the messages as Socket.IO/Engine.IO, GraphQL over WebSocket, STOMP or JSON "
    "(auto: from the HTTP head's Sec-WebSocket-Protocol or target, else the first messages; "
    "none: frames only). See docs/subprotocols.md.",
)
@click.option(
    "--messages-only",
    is_flag=True,
    help="People's view: only the decoded messages and the violations, no frame dumps.",
)
@click.option("--summary", is_flag=True, help="Only counts: frames, messages, bytes, violations.")
@click.option(
    "--json-lines",
    "json_lines",
    is_flag=True,
    help="Stream one JSON object per line (frame, message, violation, then end): for big "
    "captures, where --json would hold every record.",
)
@html_option
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
    max_total_decompressed: int,
    max_input_bytes: int,
    max_frames: int,
    subprotocol: str,
    messages_only: bool,
    summary: bool,
    json_lines: bool,
    html: str | None,
    as_json: bool,
    no_color: bool,
) -> None:
    if json_lines and as_json:
        raise click.UsageError("give --json or --json-lines, not both")
    given_deflate = _deflate_settings(deflate, deflate_params, handshake)
    data = " ".join(data_words) if data_words else None
    chunks_in = not_a_container(
        non_empty(open_input(data, file, encoding, max_input_bytes=no_limit(max_input_bytes))),
        role,
    )
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
    decoding = subprotocol != "none"
    max_bytes = no_limit(max_bytes)
    max_message_size = no_limit(max_message_size)
    keep = _payload_kept(max_bytes, summary=summary, as_json=as_json or json_lines)
    if html is not None and keep is not None:
        keep = max(keep, max_bytes)  # the page shows --max-bytes of each payload
    parser = FrameParser(
        role=settings.role,
        deflate=settings.deflate,
        # The protocols read (up to DECODE_KEEP of) each message; the stage cuts the records
        # to what the output keeps, the people's view cuts what it shows.
        keep=keep if not decoding or keep is None else max(keep, DECODE_KEEP),
        max_message_size=max_message_size,
        max_total_decompressed=no_limit(max_total_decompressed),
        records=decoding or not summary or html is not None,
        offset=settings.offset,
        # A subprotocol needs the messages of a --summary, not its frames; the HTML page
        # switches records off itself once it has drawn what it draws.
        frame_records=None if html is not None else not summary,
        max_violation_events=_violations_listed(
            summary=summary, as_json=as_json, json_lines=json_lines, html=html
        ),
    )
    only_counts = summary or html == "-"
    nothing_to_decode = not decoding
    stage = None
    if decoding:
        cut = keep if as_json or json_lines else None
        handshake_head = (
            None if handshake is None else read_file(handshake, param_hint="--handshake")
        )
        stage = _stage(
            subprotocol,
            head,
            parser,
            keep=cut,
            records=not summary or html is not None,
            handshake=handshake_head,
        )

        def settled(protocol: str) -> None:
            """Nothing to decode: the frames parse as fast as with --subprotocol none."""
            nonlocal nothing_to_decode
            if protocol == "none":
                nothing_to_decode = True
                parser.records = not summary or html is not None
                parser.keep = max_message_size if keep is None else min(keep, max_message_size)

        stage.on_settled = settled
    batches = iter_events(parser, chunks)
    staged: Iterable[Sequence[StageEvent]] = batches if stage is None else stage.events(batches)
    builder = None
    if html is not None:
        from flaskscope.render.html.conversation import ConversationBuilder, Limits

        builder = ConversationBuilder(
            "conversation", "WebSocket conversation", limits=Limits(payload_bytes=max_bytes)
        )
        # When only counts are printed and nothing is (left) to decode, the parser counts
        # what the page does not draw.
        staged = _fed(
            staged, builder, parser, counts_when_full=lambda: only_counts and nothing_to_decode
        )
    if html == "-":
        for _ in staged:
            pass
        totals = stream_totals(parser, stage)
        ok = parser.complete and not totals.violations
    elif json_lines:
        ok = _stream_json_lines(parser, staged, head, settings.role_source, stage)
    elif as_json:
        ok = write_json_document(
            sys.stdout.write, staged, parser, head, settings.role_source, stage
        )
    elif summary:
        console = make_console(no_color=no_color)
        ok = _render_summary(console, parser, staged, head, settings, stage)
    else:
        console = make_console(no_color=no_color)
        ok = _render_frames(
            console,
            parser,
            staged,
            head,
            settings,
            max_bytes,
            max_frames,
            stage,
            messages_only=messages_only,
            # Nothing to decode and no page to draw: past what is shown, counts will do.
            counts_when_hidden=lambda: nothing_to_decode and html is None,
        )
    if builder is not None and html is not None:
        from flaskscope.render.html.reports import frames_report

        report = frames_report(
            builder,
            stream_totals(parser, stage),
            counted_by_parser=not parser.records,
            complete=parser.complete,
            bytes_needed=parser.bytes_needed,
            role=parser.role,
            role_source=settings.role_source,
            head=head,
            deflate=settings.deflate,
            command=command_line(),
        )
        save_report(report, html)
    click.get_current_context().exit(EXIT_OK if ok else EXIT_INVALID)


def _violations_listed(
    *, summary: bool, as_json: bool, json_lines: bool, html: str | None
) -> int | None:
    """How many of the parser's violations the chosen view lists (it counts them all): the
    parser reports only those as events, so a flood of broken frames costs counts only."""
    if json_lines or html is not None:
        return None
    if as_json:
        return JSON_VIOLATIONS
    return SUMMARY_VIOLATIONS if summary else HUMAN_VIOLATIONS


def _fed(
    staged: Iterable[Sequence[StageEvent]],
    builder: ConversationBuilder,
    parser: FrameParser,
    *,
    counts_when_full: Callable[[], bool],
) -> Iterator[Sequence[StageEvent]]:
    """The batches, each event also given to the report (the role is known by then: the
    parser decides it on the first frame's header); a message reaches the page with its
    subprotocol decoding, which the stage puts right after it.

    While ``counts_when_full()`` (nothing else needs records), once the page has all the
    marks it draws the parser goes on counting only (its fast path: a 100,000-frame
    capture's page in about a third of the time); the page then takes its counts from
    the parser's summary.
    """
    from flaskscope.render.html.decoded import decoded_fields

    held: MessageRecord | None = None
    direction = "unknown"
    for events in staged:
        direction = parser.role or "unknown"
        for event in events:
            if isinstance(event, DecodedMessage):
                if held is not None:
                    decoded = decoded_fields(event) if held.index == event.message else ()
                    builder.add(held, direction=direction, decoded=decoded)
                held = None
                continue
            if held is not None:
                builder.add(held, direction=direction)
                held = None
            if not isinstance(event, Violation) and not parser.records:
                continue  # a record made before the switch, no longer drawn
            if isinstance(event, MessageRecord):
                held = event
            else:
                builder.add(event, direction=direction)
        if parser.records and builder.full and counts_when_full():
            parser.count_only()
        yield events
    if held is not None:
        builder.add(held, direction=direction)


def _stage(
    subprotocol: str,
    head: HttpHead | None,
    parser: FrameParser,
    *,
    keep: int | None,
    records: bool,
    handshake: bytes | None = None,
) -> SubprotocolStage:
    """The subprotocol decoder over the parser's messages; a request head in front of the
    frames gives the target and offered Sec-WebSocket-Protocol, a response head (in front,
    else the --handshake file) the negotiated one."""
    request = head.head if head is not None and head.kind == "request" else None
    response = head.head if head is not None and head.kind == "response" else handshake
    decoder = ConversationDecoder(
        subprotocol, handshake_request=request, handshake_response=response
    )
    return SubprotocolStage(decoder, lambda: parser.role, keep=keep, records=records)


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
    staged: Iterable[Sequence[StageEvent]],
    head: HttpHead | None,
    settings: ParserSettings,
    stage: SubprotocolStage | None,
) -> bool:
    """``--summary``: the whole capture parsed first, then counts and the first violations
    (the subprotocol's among them when one is decoded)."""
    from flaskscope.render.frames import (
        render_deflate,
        render_http_head,
        render_role,
        render_status,
        render_summary,
        render_violation,
    )

    violations: list[Violation] = []
    for events in staged:
        for event in events:
            if isinstance(event, Violation) and len(violations) < SUMMARY_VIOLATIONS:
                violations.append(event)
    totals = stream_totals(parser, stage)

    def status() -> None:
        render_status(
            console,
            totals,
            complete=parser.complete,
            bytes_needed=parser.bytes_needed,
            shown=min(SUMMARY_VIOLATIONS, len(violations)),
        )

    status()  # the verdict first, and last
    render_http_head(console, head, deflate_from_head=settings.deflate_from_head)
    render_deflate(console, settings.deflate)
    render_role(console, parser.role, settings.role_source)
    if stage is not None:
        from flaskscope.render.subprotocols import render_detection

        render_detection(console, stage.decoder.detection)
    render_summary(console, totals)
    for violation in violations[:SUMMARY_VIOLATIONS]:
        render_violation(console, violation)
    status()
    return parser.complete and not totals.violations


def _render_frames(
    console: Console,
    parser: FrameParser,
    staged: Iterable[Sequence[StageEvent]],
    head: HttpHead | None,
    settings: ParserSettings,
    max_bytes: int,
    max_frames: int,
    stage: SubprotocolStage | None = None,
    *,
    messages_only: bool = False,
    counts_when_hidden: Callable[[], bool] = lambda: False,
) -> bool:
    """The verdict and the first violations on top, then the first ``max_frames`` frames
    (0: all) with their messages, decodings and violations in stream order, then the totals
    again.

    The capture is parsed to its end before anything is shown (the verdict needs it); only
    the events shown are kept, so memory is bounded by ``max_frames``. Past them the parser
    reports no frame, and, while ``counts_when_hidden()`` and no message is open (one that
    began among the shown frames is still shown), it only counts: the totals and the hidden
    counts come from its summary. rich costs about half a millisecond a frame shown.
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
    from flaskscope.render.subprotocols import render_decoded, render_detection

    shown: list[StageEvent] = []
    violations_kept = frames_shown = messages_shown = 0
    message_shown = False
    for events in staged:
        for event in events:
            if isinstance(event, FrameRecord):
                if max_frames and event.index >= max_frames:
                    continue
                frames_shown += 1
            elif isinstance(event, MessageRecord):
                message_shown = not (max_frames and event.frames and event.frames[0] >= max_frames)
                if not message_shown:
                    continue
                messages_shown += 1
            elif isinstance(event, DecodedMessage):
                if not message_shown:  # the decoding follows its message at once
                    continue
            elif violations_kept < HUMAN_VIOLATIONS:
                violations_kept += 1
            else:
                continue
            shown.append(event)
        if max_frames and parser.frames_parsed >= max_frames:
            parser.frame_records = False  # the rest are counted, not shown
            if parser.records and not parser.in_message and counts_when_hidden():
                parser.count_only()
    hidden_frames = parser.frames_parsed - frames_shown
    hidden_messages = parser.messages_parsed - messages_shown
    totals = stream_totals(parser, stage)
    violations = [event for event in shown if isinstance(event, Violation)]
    complete, bytes_needed = parser.complete, parser.bytes_needed
    render_status(
        console, totals, complete=complete, bytes_needed=bytes_needed, shown=len(violations)
    )
    for violation in violations[:TOP_VIOLATIONS]:
        render_violation(console, violation)
    if len(violations) > TOP_VIOLATIONS:
        console.print("  ... the other violations are listed with their frames below")
    if not messages_only:
        render_legend(console)
    render_http_head(console, head, deflate_from_head=settings.deflate_from_head)
    render_deflate(console, settings.deflate)
    render_role(console, parser.role, settings.role_source)
    if stage is not None and any(isinstance(event, DecodedMessage) for event in shown):
        render_detection(console, stage.decoder.detection)
    for event in shown:
        if isinstance(event, FrameRecord):
            if not messages_only:
                render_frame(console, event, max_bytes=max_bytes)
        elif isinstance(event, MessageRecord):
            if not messages_only or stage is None:
                render_message(console, event, max_bytes=max_bytes)
        elif isinstance(event, DecodedMessage):
            render_decoded(console, event, max_bytes=max_bytes, numbered=messages_only)
        else:
            render_violation(console, event)
    render_hidden(console, hidden_frames, hidden_messages, max_frames=max_frames)
    render_status(
        console, totals, complete=complete, bytes_needed=bytes_needed, shown=len(violations)
    )
    return parser.complete and not totals.violations


def _stream_json_lines(
    parser: FrameParser,
    staged: Iterable[Sequence[StageEvent]],
    head: HttpHead | None,
    role_source: str,
    stage: SubprotocolStage | None,
) -> bool:
    """``--json-lines``: each event as soon as it is known, memory bounded by one chunk (and
    by the messages a subprotocol holds back); a message line carries its decoding."""
    write = sys.stdout.write
    if head is not None:
        write(json_head_line(head))
    held: MessageRecord | None = None
    for events in staged:
        for event in events:
            if isinstance(event, DecodedMessage):
                if held is not None and held.index == event.message:
                    write(json_message_line(held, event))
                held = None
            elif isinstance(event, MessageRecord) and stage is not None:
                held = event
            else:
                write(json_event_line(event))
    write(json_end_line(parser, role_source, stage))
    totals = stream_totals(parser, stage)
    return parser.complete and not totals.violations
