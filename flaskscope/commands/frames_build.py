"""``flaskscope build-frame``: craft frames (valid or broken on purpose) for tests and demos.

Random masking keys are drawn here with os.urandom, at the CLI boundary, never in a core.
"""

from __future__ import annotations

import base64
import json
import os
import sys

import click

from flaskscope.cli import EXIT_OK, command, output_options, read_file, stdout_is_terminal
from flaskscope.commands.frames_input import decode_hex
from flaskscope.errors import InputError, OptionError
from flaskscope.frames.builder import BuiltFrames, build_frames, close_payload, parse_opcode
from flaskscope.frames.deflate import Deflater
from flaskscope.frames.frame import Opcode
from flaskscope.render.console import emit_json, plural
from flaskscope.render.frames_json import built_frames_json


@command(
    "build-frame",
    help="""Craft a WebSocket frame (or a fragmented message) for tests and demos.

    The payload is --text, --payload-hex or --payload-file; --close-code/--reason make a
    Close payload. --mask-key HEX masks with that key, --mask with a random one (a client
    frame). Anything can be crafted on purpose, reserved bits and opcodes included, so
    parse-frame has something to complain about. Output is hex (default), base64 or raw
    bytes (--format raw, only when stdout is not a terminal).

    \b
    Examples:
      flaskscope build-frame --text Hello --mask-key 37fa213d
      flaskscope build-frame --text "Hello, world" --fragment 3 --mask | flaskscope parse-frame
      flaskscope build-frame --close-code 1000 --reason bye --format raw > close.bin
      flaskscope build-frame --text hi --compress | flaskscope parse-frame --deflate
      flaskscope build-frame --socketio-event chat --args '[{"msg": "hi"}]' --ack-id 1
      flaskscope build-frame --engineio ping --engineio-data probe --mask

    Exit codes: 0 built; 2 usage error (bad hex, an opcode out of range, ...).
    """,
)
@click.option(
    "--opcode", metavar="NAME|N", help="text, binary, close, ping, pong, continuation or 0-15."
)
@click.option("--text", metavar="STR", help="UTF-8 text payload (opcode text by default).")
@click.option("--payload-hex", metavar="HEX", help="Payload bytes as hex.")
@click.option(
    "--payload-file", metavar="PATH", type=click.Path(dir_okay=False), help="Payload from a file."
)
@click.option("--mask-key", metavar="HEX", help="Mask with this 4-byte key (a client frame).")
@click.option("--mask", is_flag=True, help="Mask with a random key per frame (os.urandom).")
@click.option("--no-fin", is_flag=True, help="Clear FIN on the last frame (the message goes on).")
@click.option("--rsv1", is_flag=True, help="Set RSV1 on every frame.")
@click.option("--rsv2", is_flag=True, help="Set RSV2 on every frame.")
@click.option("--rsv3", is_flag=True, help="Set RSV3 on every frame.")
@click.option("--close-code", type=click.IntRange(0, 0xFFFF), help="Close frame status code.")
@click.option("--reason", default="", help="Close frame reason (needs --close-code).")
@click.option("--compress", is_flag=True, help="Compress with permessage-deflate (RSV1, §7.2.1).")
@click.option(
    "--fragment",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    metavar="N",
    help="Split the message into N frames.",
)
@click.option(
    "--length-encoding",
    type=click.Choice(["7", "16", "64"]),
    help="Force the length field (non-minimal on purpose).",
)
@click.option(
    "--socketio-event",
    metavar="NAME",
    help="A Socket.IO EVENT packet (in an Engine.IO message) with this event name.",
)
@click.option(
    "--socketio-ack",
    metavar="ID",
    type=click.IntRange(min=0),
    help="A Socket.IO ACK packet answering ack id ID (arguments from --args).",
)
@click.option(
    "--args",
    "socketio_args",
    metavar="JSON",
    help="The event's or ack's arguments as a JSON array (a single value is one argument).",
)
@click.option("--namespace", default="/", show_default=True, help="Socket.IO namespace.")
@click.option(
    "--ack-id", type=click.IntRange(min=0), help="Ask for an acknowledgement with this id."
)
@click.option(
    "--attachment-hex",
    "attachments_hex",
    multiple=True,
    metavar="HEX",
    help="A binary attachment (repeatable): the packet becomes BINARY_EVENT/BINARY_ACK with "
    "placeholders, each attachment a binary message after it.",
)
@click.option(
    "--engineio",
    "engineio_type",
    type=click.Choice(["open", "close", "ping", "pong", "message", "upgrade", "noop"]),
    help="An Engine.IO packet (with --engineio-data, e.g. ping + probe).",
)
@click.option("--engineio-data", default="", metavar="STR", help="Data after the type digit.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["hex", "base64", "raw"]),
    default="hex",
    show_default=True,
    help="How to write the bytes.",
)
@output_options
def build_frame(
    opcode: str | None,
    text: str | None,
    payload_hex: str | None,
    payload_file: str | None,
    mask_key: str | None,
    mask: bool,
    no_fin: bool,
    rsv1: bool,
    rsv2: bool,
    rsv3: bool,
    close_code: int | None,
    reason: str,
    compress: bool,
    fragment: int,
    length_encoding: str | None,
    socketio_event: str | None,
    socketio_ack: int | None,
    socketio_args: str | None,
    namespace: str,
    ack_id: int | None,
    attachments_hex: tuple[str, ...],
    engineio_type: str | None,
    engineio_data: str,
    output_format: str,
    as_json: bool,
    no_color: bool,
) -> None:
    messages = _subprotocol_messages(
        socketio_event,
        socketio_ack,
        socketio_args,
        namespace,
        ack_id,
        attachments_hex,
        engineio_type,
        engineio_data,
    )
    if messages is not None:
        if any((text, payload_hex, payload_file, close_code is not None, opcode)):
            raise click.UsageError(
                "--socketio-event/--socketio-ack/--engineio make the payload; drop "
                "--text/--payload-*/--close-code/--opcode"
            )
        text, extra = messages
    else:
        extra = ()
    sources = [text is not None, payload_hex is not None, payload_file is not None]
    if sum(sources) > 1:
        raise click.UsageError("give one of --text, --payload-hex and --payload-file")
    if close_code is not None and any(sources):
        raise click.UsageError("--close-code makes the payload; drop --text/--payload-*")
    if reason and close_code is None:
        raise click.UsageError("--reason needs --close-code")
    if mask and mask_key is not None:
        raise click.UsageError("give --mask or --mask-key, not both")
    if output_format == "raw" and not as_json and stdout_is_terminal():
        raise OptionError("--format raw writes bytes: redirect stdout to a file or a pipe")
    if close_code is not None:
        payload = close_payload(close_code, reason)
        default_opcode = Opcode.CLOSE
    elif text is not None:
        payload = text.encode("utf-8", "surrogateescape")
        default_opcode = Opcode.TEXT
    elif payload_hex is not None:
        payload = _option_hex(payload_hex, "--payload-hex")
        default_opcode = Opcode.BINARY
    elif payload_file is not None:
        payload = read_file(payload_file, param_hint="--payload-file")
        default_opcode = Opcode.BINARY
    else:
        payload = b""
        default_opcode = Opcode.BINARY
    the_opcode = parse_opcode(opcode) if opcode is not None else int(default_opcode)
    if fragment > max(1, len(payload)):
        # One frame per payload byte at most: more would be empty frames, and a huge N only
        # burns memory and time (100 million keys and frames).
        raise OptionError(
            f"--fragment {fragment} is more than the payload's {plural(len(payload), 'byte')}: "
            f"at most {max(1, len(payload))}"
        )
    if mask:
        keys: list[bytes | None] = [os.urandom(4) for _ in range(fragment)]
    elif mask_key is not None:
        key = _option_hex(mask_key, "--mask-key")
        if len(key) != 4:
            raise OptionError(f"--mask-key is 4 bytes (8 hex digits), not {len(key)}")
        keys = [key] * fragment
    else:
        keys = [None] * fragment
    deflater = Deflater() if compress else None
    built = build_frames(
        the_opcode,
        payload,
        fragments=fragment,
        fin=not no_fin,
        rsv1=rsv1,
        rsv2=rsv2,
        rsv3=rsv3,
        mask_keys=keys,
        deflater=deflater,
        length_encoding=int(length_encoding) if length_encoding is not None else None,
    )
    for attachment in extra:  # Socket.IO binary attachments: one binary message each
        more = build_frames(
            Opcode.BINARY,
            attachment,
            rsv1=rsv1,
            rsv2=rsv2,
            rsv3=rsv3,
            mask_keys=[os.urandom(4) if mask else keys[0]],
            deflater=deflater,
        )
        built = BuiltFrames(
            built.data + more.data, built.frames + more.frames, built.mask_keys + more.mask_keys
        )
    if not any(sources) and close_code is None and opcode is None:
        click.echo(
            "note: no payload given (--text, --payload-hex, --payload-file or --close-code): "
            "built an empty binary frame",
            err=True,
        )
    if as_json:
        emit_json(built_frames_json(built))
    elif output_format == "raw":
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:
            raise OptionError("stdout takes no bytes here; use --format hex")
        stream.write(built.data)
        stream.flush()
    elif output_format == "base64":
        click.echo(base64.b64encode(built.data).decode("ascii"))
    else:
        click.echo(built.data.hex())
    click.get_current_context().exit(EXIT_OK)


def _subprotocol_messages(
    event: str | None,
    ack: int | None,
    args_json: str | None,
    namespace: str,
    ack_id: int | None,
    attachments_hex: tuple[str, ...],
    engineio_type: str | None,
    engineio_data: str,
) -> tuple[str, tuple[bytes, ...]] | None:
    """The text of a Socket.IO or Engine.IO packet and the attachments after it, or None
    when no such option was given."""
    from flaskscope.subprotocols.encode import encode_engine_packet, encode_socketio

    if sum((event is not None, ack is not None, engineio_type is not None)) > 1:
        raise click.UsageError("give one of --socketio-event, --socketio-ack and --engineio")
    if engineio_type is not None:
        return encode_engine_packet(engineio_type, engineio_data), ()
    socket_only = args_json is not None or ack_id is not None or attachments_hex
    if event is None and ack is None:
        if socket_only or namespace != "/":
            raise click.UsageError(
                "--args, --ack-id, --namespace and --attachment-hex need --socketio-event "
                "or --socketio-ack"
            )
        return None
    args: list[object] = []
    if args_json is not None:
        try:
            value = json.loads(args_json)
        except ValueError as error:
            raise OptionError(f"--args is not JSON: {error}") from None
        args = value if isinstance(value, list) else [value]
    attachments = tuple(decode_hex(each) for each in attachments_hex)
    if event is not None:
        packet = encode_socketio(
            "EVENT",
            namespace=namespace,
            ack_id=ack_id,
            data=[event, *args],
            attachments=attachments,
        )
    else:
        if ack_id is not None:
            raise click.UsageError("--socketio-ack ID gives the ack id; drop --ack-id")
        packet = encode_socketio(
            "ACK", namespace=namespace, ack_id=ack, data=args, attachments=attachments
        )
    return packet.text, packet.attachments


def _option_hex(text: str, option: str) -> bytes:
    """Hex given with ``option``; when it is not hex, the error names the option."""
    try:
        return decode_hex(text)
    except InputError as error:
        raise OptionError(f"{option}: {error}") from error
