"""Hex dumps: offset, 16 bytes in hex, then printable ASCII.

Bytes can be coloured by region (the parts of a frame header, then the payload) in the way
Wireshark highlights a dissected field. Which bytes of a frame form which region is decided
once, by :func:`frame_regions`, for the terminal (:func:`hexdump`, rich ``Text``) and the
HTML report (:func:`hexdump_rows`, runs of one region per row). Only printable ASCII reaches
the ASCII column, so a payload can never put a control character or escape sequence on the
terminal or into the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from flaskscope.frames.frame import FrameHeader

__all__ = [
    "BYTES_PER_LINE",
    "FRAME_REGIONS",
    "HexRow",
    "frame_regions",
    "hexdump",
    "hexdump_rows",
    "printable",
]

FRAME_REGIONS = (
    "flags/opcode byte",
    "mask bit + length byte",
    "extended length",
    "masking key",
    "payload (as sent)",
)
"""The regions of a frame on the wire (RFC 6455 §5.2), in the order they come."""

BYTES_PER_LINE = 16

_PRINTABLE = bytes(range(0x20, 0x7F))
_ASCII_TABLE = bytes(byte if byte in _PRINTABLE else ord(".") for byte in range(256))


def printable(data: bytes) -> str:
    """``data`` with every byte outside printable ASCII shown as ``.``."""
    return data.translate(_ASCII_TABLE).decode("ascii")


def hexdump(
    regions: Sequence[tuple[bytes, str]],
    *,
    start_offset: int = 0,
    indent: str = "  ",
) -> Text:
    """One hex dump of the concatenated ``(bytes, style)`` regions, each byte in its style."""
    styled: list[tuple[int, str]] = [(byte, style) for data, style in regions for byte in data]
    text = Text()
    for line_start in range(0, len(styled), BYTES_PER_LINE):
        line = styled[line_start : line_start + BYTES_PER_LINE]
        if line_start:
            text.append("\n")
        text.append(f"{indent}{start_offset + line_start:08x}  ", style="dim")
        for position, (byte, style) in enumerate(line):
            if position == 8:
                text.append(" ")
            text.append(f"{byte:02x}", style=style)
            text.append(" ")
        missing = BYTES_PER_LINE - len(line)
        text.append("   " * missing + (" " if len(line) <= 8 else ""))
        text.append(" ")
        for byte, style in line:
            text.append(chr(_ASCII_TABLE[byte]), style=style)
    return text


def frame_regions(header: FrameHeader, on_wire_payload: bytes) -> list[tuple[bytes, str]]:
    """The frame's bytes as sent, cut into named :data:`FRAME_REGIONS` (RFC 6455 §5.2):
    the first byte, the mask bit and 7-bit length, the 16/64-bit extended length, the
    masking key, then the payload as it was on the wire (still masked)."""
    flags, length, extended_name, key, payload = FRAME_REGIONS
    raw = header.raw
    extended = {7: 0, 16: 2, 64: 8}[header.length_encoding]
    regions = [(raw[:1], flags), (raw[1:2], length)]
    if extended:
        regions.append((raw[2 : 2 + extended], extended_name))
    if header.mask_key is not None:
        regions.append((header.mask_key, key))
    if on_wire_payload:
        regions.append((on_wire_payload, payload))
    return regions


@dataclass(frozen=True)
class HexRow:
    """One row of a dump as runs of bytes that share a region (few runs, not one per byte)."""

    offset: int
    hex_runs: tuple[tuple[str, str], ...]
    """``(hex text, region)``: two digits and a space per byte, an extra space before the
    ninth."""
    ascii_runs: tuple[tuple[str, str], ...]
    """``(printable ASCII, region)``: every other byte shown as ``.``."""
    padding: str
    """Spaces that line the ASCII column up when the row has fewer than 16 bytes."""


def hexdump_rows(regions: Sequence[tuple[bytes, str]], *, start_offset: int = 0) -> list[HexRow]:
    """The same layout as :func:`hexdump`, for renderers that style runs themselves (HTML)."""
    spans: list[tuple[int, int, str]] = []  # (start, end, region) over the concatenation
    position = 0
    for data, region in regions:
        if data:
            spans.append((position, position + len(data), region))
            position += len(data)
    data = b"".join(part for part, _ in regions)
    rows: list[HexRow] = []
    for line_start in range(0, len(data), BYTES_PER_LINE):
        line_end = min(line_start + BYTES_PER_LINE, len(data))
        hex_runs: list[tuple[str, str]] = []
        ascii_runs: list[tuple[str, str]] = []
        for start, end, region in spans:
            start, end = max(start, line_start), min(end, line_end)
            if start >= end:
                continue
            chunk = data[start:end]
            words = []
            for position in range(start, end):
                if position - line_start == 8:
                    words.append(" ")
                words.append(f"{data[position]:02x} ")
            hex_runs.append(("".join(words), region))
            ascii_runs.append((printable(chunk), region))
        count = line_end - line_start
        padding = "   " * (BYTES_PER_LINE - count) + (" " if count <= 8 else "")
        rows.append(HexRow(start_offset + line_start, tuple(hex_runs), tuple(ascii_runs), padding))
    return rows
