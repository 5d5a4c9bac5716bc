"""Hex dumps as rich ``Text``: offset, 16 bytes in hex, then printable ASCII.

Bytes can be coloured by region (the parts of a frame header, then the payload) in the way
Wireshark highlights a dissected field. Only printable ASCII reaches the ASCII column, so a
payload can never put a control character or escape sequence on the terminal.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

__all__ = ["BYTES_PER_LINE", "hexdump", "printable"]

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
