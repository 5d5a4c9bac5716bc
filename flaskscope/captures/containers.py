"""pcap and pcapng, read record by record from chunks of bytes, and recognising a capture by
its first bytes (not its name).

pcap: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html (magic 0xA1B2C3D4 for
microseconds, 0xA1B23C4D for nanoseconds, in the writer's byte order). pcapng:
https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html (Section Header Block with its
own byte order, Interface Description Blocks numbered per section, Enhanced/Simple/obsolete
Packet Blocks, ``if_tsresol`` and ``if_tsoffset``).

Parsed here rather than with a library: the two formats are a few fixed headers, a reader
that streams from chunks keeps memory bounded, and no dependency is added; reading and
decoding are a small part of a scan's time (docs/scan.md). A record that claims more than
:data:`MAX_RECORD` bytes is corruption, not a packet; a file cut short ends with a note
instead of an error, as tcpdump -r does.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from flaskscope.captures.errors import CaptureError

__all__ = ["MAX_RECORD", "CaptureKind", "CaptureReader", "Packet", "detect_kind", "iter_packets"]

MAX_RECORD = 256 * 1024
"""Largest packet record accepted (tcpdump's own snapshot length limit is 262144)."""

PROBE = 4096
"""Bytes looked at to recognise a capture."""


class CaptureKind(str, enum.Enum):
    PCAP = "pcap"
    PCAPNG = "pcapng"
    HAR = "har"
    FOLLOW = "tshark-follow"
    STREAM = "stream"
    """Anything else: one direction's raw bytes, as ``parse-frame`` reads them."""


_PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
_PCAPNG_SHB = b"\x0a\x0d\x0d\x0a"


def detect_kind(head: bytes) -> CaptureKind:
    """What the capture whose first bytes are ``head`` is (give it :data:`PROBE` bytes)."""
    if head[:4] in _PCAP_MAGICS:
        return CaptureKind.PCAP
    if head[:4] == _PCAPNG_SHB:
        return CaptureKind.PCAPNG
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"{") and b'"log"' in head:
        return CaptureKind.HAR
    if text.startswith(b"=====") and b"Follow: " in text[:200]:
        return CaptureKind.FOLLOW
    return CaptureKind.STREAM


class Packet(NamedTuple):
    """One captured packet: its bytes from the link layer on."""

    number: int
    """Position in the file, from 1 (Wireshark's frame number)."""
    timestamp: float
    """Seconds since the epoch (UTC)."""
    linktype: int
    data: bytes
    original_length: int


class _Chunks:
    """Bytes from an iterable of chunks, taken a record at a time."""

    __slots__ = ("_buffer", "_chunks", "_position", "consumed")

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""
        self._position = 0
        self.consumed = 0

    def take(self, count: int) -> bytes:
        """The next ``count`` bytes, or fewer at the end of the input."""
        end = self._position + count
        if end <= len(self._buffer):
            piece = self._buffer[self._position : end]
            self._position = end
            self.consumed += count
            return piece
        parts = [self._buffer[self._position :]]
        have = len(parts[0])
        while have < count:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            parts.append(chunk)
            have += len(chunk)
        self._buffer = b"".join(parts)
        piece = self._buffer[:count]
        self._position = len(piece)
        self.consumed += len(piece)
        return piece


class CaptureReader:
    """The packets of one pcap or pcapng capture; ``notes`` says what was odd about it."""

    def __init__(self, chunks: Iterable[bytes], *, name: str = "the capture") -> None:
        self._input = _Chunks(chunks)
        self.name = name
        self.notes: list[str] = []
        self.kind: CaptureKind | None = None
        self.linktypes: set[int] = set()

    def __iter__(self) -> Iterator[Packet]:
        magic = self._input.take(4)
        if magic in _PCAP_MAGICS:
            self.kind = CaptureKind.PCAP
            yield from self._pcap(magic)
        elif magic == _PCAPNG_SHB:
            self.kind = CaptureKind.PCAPNG
            yield from self._pcapng(magic)
        else:
            raise CaptureError(f"{self.name} is not a pcap or pcapng capture")

    def _truncated(self, what: str, have: int, need: int) -> None:
        self.notes.append(
            f"{self.name} is cut short: it ends {need - have} bytes into {what} "
            f"(at byte {self._input.consumed})"
        )

    # -- pcap ------------------------------------------------------------------------------

    def _pcap(self, magic: bytes) -> Iterator[Packet]:
        order, unit = _PCAP_MAGICS[magic]
        rest = self._input.take(20)
        if len(rest) < 20:
            raise CaptureError(f"{self.name}: the pcap file header is cut short")
        _major, _minor, _zone, _figures, _snaplen, network = struct.unpack(order + "HHiIII", rest)
        linktype = network & 0x0FFFFFFF
        self.linktypes.add(linktype)
        record = struct.Struct(order + "IIII")
        take = self._input.take
        index = 0
        while True:
            head = take(16)
            if len(head) < 16:
                if head:
                    self._truncated(f"the header of record {index + 1}", len(head), 16)
                return
            seconds, fraction, included, original = record.unpack(head)
            if included > MAX_RECORD:
                raise CaptureError(
                    f"{self.name}: record {index + 1} claims {included} bytes (at most "
                    f"{MAX_RECORD}): the file is corrupt"
                )
            data = take(included)
            index += 1
            if len(data) < included:
                self._truncated(f"packet {index}", len(data), included)
                return
            yield Packet(index, seconds + fraction * unit, linktype, data, original)

    # -- pcapng ----------------------------------------------------------------------------

    def _pcapng(self, first: bytes) -> Iterator[Packet]:
        take = self._input.take
        order = "<"
        interfaces: list[tuple[int, float, float]] = []
        index = 0
        block_type_bytes = first
        while True:
            length_bytes = take(4)
            if len(length_bytes) < 4:
                self._truncated("a block header", len(length_bytes), 4)
                return
            prefix = b""
            if block_type_bytes == _PCAPNG_SHB:
                prefix = take(4)
                if prefix == b"\x4d\x3c\x2b\x1a":
                    order = "<"
                elif prefix == b"\x1a\x2b\x3c\x4d":
                    order = ">"
                else:
                    raise CaptureError(f"{self.name}: a pcapng section has no byte-order magic")
                interfaces = []
            (block_type,) = struct.unpack(order + "I", block_type_bytes)
            (length,) = struct.unpack(order + "I", length_bytes)
            if length < 12 + len(prefix) or length % 4 or length > MAX_RECORD + 64:
                raise CaptureError(
                    f"{self.name}: a pcapng block of type {block_type:#x} claims {length} "
                    "bytes: the file is corrupt"
                )
            rest = take(length - 8 - len(prefix))
            if len(rest) < length - 8 - len(prefix):
                self._truncated(f"a block of type {block_type:#x}", len(rest), length - 8)
                return
            packet = self._block(order, block_type, prefix + rest[:-4], interfaces, index + 1)
            if packet is not None:
                index += 1
                yield packet
            block_type_bytes = take(4)
            if len(block_type_bytes) < 4:
                if block_type_bytes:
                    self._truncated("a block header", len(block_type_bytes), 4)
                return

    def _block(
        self,
        order: str,
        block_type: int,
        body: bytes,
        interfaces: list[tuple[int, float, float]],
        index: int,
    ) -> Packet | None:
        if block_type == 1:  # Interface Description Block
            if len(body) < 8:
                raise CaptureError(f"{self.name}: an interface description block is too short")
            linktype = struct.unpack(order + "H", body[:2])[0]
            unit, offset = _interface_options(order, body[8:])
            interfaces.append((linktype, unit, offset))
            self.linktypes.add(linktype)
            return None
        if block_type in (6, 2):  # Enhanced Packet Block, obsolete Packet Block
            if len(body) < 20:
                raise CaptureError(f"{self.name}: a packet block is too short")
            if block_type == 6:
                interface, high, low, captured, original = struct.unpack(order + "IIIII", body[:20])
            else:
                interface, _drops, high, low, captured, original = struct.unpack(
                    order + "HHIIII", body[:20]
                )
            if interface >= len(interfaces):
                raise CaptureError(
                    f"{self.name}: packet {index} names interface {interface}, which the "
                    "section does not describe"
                )
            linktype, unit, offset = interfaces[interface]
            if captured > len(body) - 20:
                raise CaptureError(f"{self.name}: packet {index} is longer than its block")
            timestamp = ((high << 32) | low) * unit + offset
            return Packet(index, timestamp, linktype, body[20 : 20 + captured], original)
        if block_type == 3:  # Simple Packet Block: no timestamp, first interface
            if not interfaces or len(body) < 4:
                raise CaptureError(f"{self.name}: a simple packet block without an interface")
            (original,) = struct.unpack(order + "I", body[:4])
            linktype = interfaces[0][0]
            return Packet(index, 0.0, linktype, body[4 : 4 + original], original)
        return None  # name resolution, statistics, custom blocks, ...


def _interface_options(order: str, options: bytes) -> tuple[float, float]:
    """``if_tsresol`` (code 9) and ``if_tsoffset`` (code 14) of an interface."""
    unit, offset = 1e-6, 0.0
    position = 0
    while position + 4 <= len(options):
        code, length = struct.unpack(order + "HH", options[position : position + 4])
        value = options[position + 4 : position + 4 + length]
        if code == 0:
            break
        if code == 9 and length >= 1:
            resolution = value[0]
            unit = 2.0 ** -(resolution & 0x7F) if resolution & 0x80 else 10.0**-resolution
        elif code == 14 and length >= 8:
            offset = float(struct.unpack(order + "q", value[:8])[0])
        position += 4 + length + (-length % 4)
    return unit, offset


def iter_packets(chunks: Iterable[bytes], *, name: str = "the capture") -> Iterator[Packet]:
    """The packets of a pcap or pcapng capture given as chunks of bytes."""
    return iter(CaptureReader(chunks, name=name))
