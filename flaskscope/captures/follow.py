"""tshark's "follow TCP stream" dumps (``tshark -q -z follow,tcp,raw|hex,N``), both
directions: lines of the first node (the side that sent first: the client) start in column
0, lines of the other node are indented by one tab. ``raw`` lines are hex strings, ``hex``
lines are offset, up to 16 hex bytes and their ASCII. The ``ascii`` (and ``ebcdic``) forms
print non-printable bytes as ``.`` and cannot give the bytes back: refused with a hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flaskscope.captures.errors import CaptureError

__all__ = ["FollowStream", "parse_follow"]

_HEX_LINE = re.compile(r"[0-9A-Fa-f]{8}  ")
_NODE = re.compile(r"Node ([01]): (.*)")


@dataclass(frozen=True)
class FollowStream:
    """One followed TCP stream: its two nodes and the payloads in the order tshark lists."""

    mode: str
    client: str
    server: str
    chunks: tuple[tuple[bool, bytes], ...]
    """(sent by the client, bytes), in capture order."""


def _hex_bytes(text: str, line_number: int) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError as error:
        raise CaptureError(f"follow dump line {line_number}: not hex ({error})") from error


def parse_follow(text: str) -> list[FollowStream]:
    """Every stream in a follow dump (several ``-z follow`` options give several)."""
    streams: list[FollowStream] = []
    mode: str | None = None
    nodes = {"0": "", "1": ""}
    chunks: list[tuple[bool, bytes]] = []
    in_block = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("====="):
            if in_block and mode is not None:
                streams.append(FollowStream(mode, nodes["0"], nodes["1"], tuple(chunks)))
                mode, chunks, nodes = None, [], {"0": "", "1": ""}
            in_block = not in_block if mode is None else in_block
            continue
        if line.startswith("Follow: "):
            kind, _, form = line[8:].strip().partition(",")
            if kind != "tcp":
                raise CaptureError(f"a follow dump of {kind!r} streams: only TCP is read")
            if form not in ("raw", "hex"):
                raise CaptureError(
                    f"a 'follow,tcp,{form}' dump prints unprintable bytes as '.', so the bytes "
                    "cannot be recovered: export it with 'follow,tcp,raw' (or give the capture "
                    "itself to 'flaskscope scan')"
                )
            mode, in_block = form, True
            continue
        node = _NODE.match(line)
        if node is not None:
            nodes[node.group(1)] = node.group(2).strip()
            continue
        if line.startswith("Filter: ") or not line.strip() or mode is None:
            continue
        from_server = line.startswith("\t")
        body = line.lstrip("\t")
        if mode == "raw":
            data = _hex_bytes(body.strip(), number)
        else:
            if not _HEX_LINE.match(body):
                raise CaptureError(f"follow dump line {number}: not an offset and hex bytes")
            data = _hex_bytes(body[10:58].replace(" ", ""), number)
        if chunks and chunks[-1][0] == (not from_server) and mode == "hex":
            chunks[-1] = (chunks[-1][0], chunks[-1][1] + data)
        else:
            chunks.append((not from_server, data))
    if mode is not None:
        streams.append(FollowStream(mode, nodes["0"], nodes["1"], tuple(chunks)))
    if not streams:
        raise CaptureError("a tshark follow dump with no stream in it")
    return streams
