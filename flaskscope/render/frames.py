"""Human output for ``parse-frame``: each frame with its coloured hex dump, messages,
violations, and the summary of a capture. JSON comes from the records' ``to_json``.

Payload text is untrusted: it goes through ``safe_text`` (never markup), and only printable
ASCII reaches the hex dumps' ASCII column.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from flaskscope.frames.capture import HttpHead
from flaskscope.frames.close_codes import close_code_name
from flaskscope.frames.deflate import DeflateSettings
from flaskscope.frames.frame import FrameHeader, apply_mask
from flaskscope.frames.records import FrameRecord, MessageRecord, StreamSummary
from flaskscope.frames.violations import Violation
from flaskscope.render.console import hang, is_screen, plural, print_hanging, safe_text
from flaskscope.render.hexdump import FRAME_REGIONS, frame_regions, hexdump

__all__ = [
    "REGION_STYLES",
    "render_deflate",
    "render_frame",
    "render_hidden",
    "render_http_head",
    "render_legend",
    "render_message",
    "render_role",
    "render_status",
    "render_summary",
    "render_violation",
    "status_segments",
]

REGION_STYLES: dict[str, str] = dict(
    zip(
        FRAME_REGIONS,
        ("bold cyan", "bold yellow", "black on yellow", "bold magenta", "green"),
        strict=True,
    )
)
_FLAGS, _LENGTH, _EXTENDED, _KEY, _PAYLOAD = REGION_STYLES.values()
_BAD = "bold red"
_OK = "bold green"
_LABEL = "bold"

FLAGS_NOTE = "flags: upper case is set, lower case clear (FIN rsv1 rsv2 rsv3 MASK)"
"""The case convention of the flags in each frame's title, said once per run."""


def _coloured(console: Console) -> bool:
    return console.color_system is not None and not console.no_color


def render_legend(console: Console) -> None:
    """How to read the frames, once: which colour marks which region of the raw dumps
    (without colour, each frame gets a ``regions`` line of offsets instead), and the case
    convention of the flags."""
    if _coloured(console):
        legend = Text()
        legend.append("legend: ", style="dim")
        for name, style in REGION_STYLES.items():
            legend.append("■ ", style=style)
            legend.append(name, style=style)
            legend.append("  ")
        print_hanging(console, legend, indent=8)
    print_hanging(console, Text(FLAGS_NOTE, style="dim"), indent=7)


def render_deflate(console: Console, settings: DeflateSettings | None) -> None:
    """The permessage-deflate parameters in force (RFC 7692 §7.1)."""
    if settings is None:
        return
    line = Text()
    line.append("permessage-deflate: ", style=_LABEL)
    for side in ("client", "server"):
        takeover = getattr(settings, f"{side}_no_context_takeover")
        bits = getattr(settings, f"{side}_max_window_bits")
        line.append(
            f"{side} {'no context takeover' if takeover else 'context takeover'}, {bits}-bit window"
        )
        if side == "client":
            line.append("; ")
    console.print(line)


def render_role(console: Console, role: str | None, source: str) -> None:
    """Who sent the frames and how that was decided (``auto``, ``option``, ``http-head``)."""
    if role is None:
        return
    how = {
        "auto": f"auto: the first frame is {'masked' if role == 'client' else 'not masked'}",
        "option": "given with --role",
        "http-head": f"the capture starts with an HTTP {_HEAD_KIND[role]} head",
    }[source]
    console.print(Text.assemble(("role: ", _LABEL), (role, "bold"), f" ({how})"))


_HEAD_KIND = {"client": "request", "server": "response"}


def render_http_head(console: Console, head: HttpHead | None, *, deflate_from_head: bool) -> None:
    """The HTTP head skipped in front of the frames."""
    if head is None:
        return
    line = Text()
    line.append("http: ", style=_LABEL)
    line.append(f"skipped the HTTP {head.kind} head ({head.length} bytes) in front of the frames")
    if deflate_from_head:
        line.append("; permessage-deflate parameters taken from its Sec-WebSocket-Extensions")
    console.print(line)


_REGION_NAMES = dict(zip(REGION_STYLES.values(), REGION_STYLES, strict=True))


def _regions_line(regions: list[tuple[bytes, str]], payload_length: int) -> Text:
    """The regions of a dump as offsets (``0 flags/opcode byte, 1 ...``): what the colours
    say, for a reader without them."""
    parts = []
    start = 0
    for data, style in regions:
        end = start + len(data) - 1
        where = f"{start}" if end == start else f"{start}-{end}"
        parts.append(f"{where} {_REGION_NAMES[style]}")
        start += len(data)
    if payload_length:
        end = start + payload_length - 1
        where = f"{start}" if end == start else f"{start}-{end}"
        parts.append(f"{where} {_REGION_NAMES[_PAYLOAD]}")
    return Text("  regions: " + ", ".join(parts), style="dim")


def _header_regions(header: FrameHeader) -> list[tuple[bytes, str]]:
    """The header's regions (:func:`frame_regions`, shared with the HTML report) as styles."""
    return [(data, REGION_STYLES[name]) for data, name in frame_regions(header, b"")]


def _flags(header: FrameHeader) -> Text:
    text = Text()
    for name, on in (
        ("FIN", header.fin),
        ("RSV1", header.rsv1),
        ("RSV2", header.rsv2),
        ("RSV3", header.rsv3),
        ("MASK", header.masked),
    ):
        text.append(name if on else name.lower(), style="bold" if on else "dim")
        text.append(" ")
    return text


def render_frame(console: Console, record: FrameRecord, *, max_bytes: int) -> None:
    """Header fields, the raw frame dump by region, then the unmasked payload: one ``print``
    (rich's per-call cost, not the bytes, set the speed of big captures)."""
    header = record.header
    title = Text.assemble(
        (f"frame {record.index}", "bold"),
        (f" at offset {record.offset}  ", "dim"),
        (f"{header.opcode_name} (0x{header.opcode:x})", "bold cyan"),
        "  ",
    )
    title.append_text(_flags(header))
    title.append(
        f" length {header.payload_length} ({header.length_encoding}-bit)"
        f"  header {plural(header.header_length, 'byte')}"
    )
    if header.mask_key is not None:
        title.append("  key ")
        title.append(header.mask_key.hex(), style=_KEY)
    if record.compressed:
        title.append("  compressed", style="bold")
    if record.truncated:
        title.append(
            f"  truncated: {record.received} of {plural(header.payload_length, 'byte')} present",
            style=_BAD,
        )
    lines = [_hung(console, title, 2)]
    shown = record.payload[:max_bytes]
    on_wire = apply_mask(shown, header.mask_key) if header.mask_key is not None else shown
    regions = _header_regions(header)
    if not _coloured(console):
        lines.append(_regions_line(regions, len(on_wire)))
    lines.append(hexdump([*regions, (on_wire, _PAYLOAD)]))
    hidden = min(record.received, header.payload_length) - len(shown)
    if shown and header.mask_key is not None:
        lines.append(Text("  payload, unmasked:", style="dim"))
        lines.append(hexdump([(shown, "")]))
    if hidden > 0:
        more = plural(hidden, "more payload byte")
        lines.append(Text(f"  ... {more} (--max-bytes {max_bytes}; 0 shows all)", "dim"))
    if record.text is not None and not record.compressed:
        line = Text()
        line.append("  text: ", style=_LABEL)
        line.append_text(safe_text(_cut(record.text, max_bytes)))
        lines.append(_hung(console, line, 8))
    if record.close_code is not None:
        line = Text()
        line.append("  close: ", style=_LABEL)
        line.append(f"{record.close_code} {close_code_name(record.close_code)}")
        if record.close_reason:
            line.append("  reason: ")
            line.append_text(safe_text(record.close_reason))
        lines.append(_hung(console, line, 9))
    console.print(Text("\n").join(lines))


def _hung(console: Console, text: Text, indent: int) -> Text:
    """``text`` wrapped for a terminal between words with a hanging indent (as is on a pipe)."""
    return hang(text, width=console.width, indent=indent) if is_screen(console) else text


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def render_message(console: Console, record: MessageRecord, *, max_bytes: int) -> None:
    frames = ", ".join(str(index) for index in record.frames)
    if record.frame_count > len(record.frames):
        frames += ", ..."
    source = "frame" if record.frame_count == 1 else "frames"
    line = Text.assemble(
        ("  => message ", "bold blue"),
        (f"{record.index}", "bold blue"),
        f" {record.opcode_name}, {plural(record.length, 'byte')} from {source} {frames}",
    )
    if record.compressed:
        line.append(", decompressed", style="bold")
    if not record.complete:
        line.append(", incomplete", style=_BAD)
    lines = [_hung(console, line, 5)]
    if record.text is not None:
        text = Text()
        text.append("     text: ", style=_LABEL)
        text.append_text(safe_text(_cut(record.text, max_bytes)))
        lines.append(_hung(console, text, 11))
    elif record.payload:
        lines.append(hexdump([(record.payload[:max_bytes], "")]))
        if record.length > min(len(record.payload), max_bytes):
            more = record.length - min(len(record.payload), max_bytes)
            lines.append(
                Text(
                    f"  ... {plural(more, 'more byte')} (--max-bytes {max_bytes}; 0 shows all)",
                    "dim",
                )
            )
    console.print(Text("\n").join(lines))


def render_violation(console: Console, violation: Violation) -> None:
    where = f"frame {violation.frame}" if violation.frame is not None else "stream"
    print_hanging(
        console,
        Text.assemble(
            ("  ! ", _BAD),
            (violation.code, _BAD),
            (f" ({violation.rfc}, {where}): ", "red"),
            safe_text(violation.message),
        ),
        indent=4,
    )


def render_hidden(console: Console, frames: int, messages: int, *, max_frames: int) -> None:
    """How many frames and messages past ``--max-frames`` were parsed but not shown."""
    if not frames:
        return
    print_hanging(
        console,
        Text(
            f"... {plural(frames, 'more frame')} and {plural(messages, 'message')} parsed, not "
            f"shown (--max-frames {max_frames}; --max-frames 0 shows all, --summary or "
            "--json-lines suit big captures)",
            style="dim",
        ),
        indent=4,
    )


def status_segments(
    summary: StreamSummary, *, complete: bool, bytes_needed: int, shown: int
) -> list[tuple[str, str]]:
    """The verdict line as ``(text, style)`` pieces: the terminal and the HTML report say the
    same verdict in the same words."""
    frames = sum(summary.frames.values())
    messages = sum(summary.messages.values())
    violations = sum(summary.violations.values())
    pieces = [
        (
            f"{plural(frames, 'frame')}, {plural(messages, 'message')}, "
            f"{plural(summary.stream_bytes, 'byte')}: ",
            "",
        )
    ]
    if complete:
        pieces.append(("complete", _OK))
    else:
        pieces.append(("incomplete", _BAD))
        if bytes_needed:
            pieces.append((f" ({plural(bytes_needed, 'more byte')} needed)", _BAD))
    if violations:
        pieces.append((f", {plural(violations, 'violation')}", _BAD))
        if shown < violations:
            pieces.append((f" ({violations - shown:,} not listed)", "red"))
    else:
        pieces.append((", no violations", _OK))
    return pieces


def render_status(
    console: Console, summary: StreamSummary, *, complete: bool, bytes_needed: int, shown: int
) -> None:
    """The verdict line: counts, complete or not, and how many violations."""
    pieces = status_segments(summary, complete=complete, bytes_needed=bytes_needed, shown=shown)
    console.print(Text.assemble(*pieces))


def render_summary(console: Console, summary: StreamSummary) -> None:
    """Counts only (``--summary``): frames and messages by opcode, bytes, violations."""
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
    table.add_column("what")
    table.add_column("kind")
    table.add_column("count", justify="right")
    table.add_row("bytes", "stream", str(summary.stream_bytes))
    table.add_row("bytes", "payload (declared)", str(summary.payload_bytes))
    for section, counts, style in (
        ("frames", summary.frames, ""),
        ("messages", summary.messages, ""),
        ("violations", summary.violations, "red"),
    ):
        table.add_row(section, "total", str(sum(counts.values())), style="bold")
        for name, count in sorted(counts.items()):
            table.add_row("", name, str(count), style=style)
    console.print(table)
