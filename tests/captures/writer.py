"""Captures written by hand for the cases loopback traffic does not produce.

Independent of flaskscope's reader: pcap and pcapng are written from their specifications
(draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng), headers packed with ``struct``, IPv4
checksums computed (tshark reads these files too).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def tcp_segment(
    source_port: int, destination_port: int, seq: int, ack: int, flags: int, payload: bytes
) -> bytes:
    return (
        struct.pack(
            "!HHIIBBHHH",
            source_port,
            destination_port,
            seq & 0xFFFFFFFF,
            ack & 0xFFFFFFFF,
            5 << 4,
            flags,
            65535,
            0,
            0,
        )
        + payload
    )


def ipv4(source: str, destination: str, payload: bytes, protocol: int = 6) -> bytes:
    header = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        20 + len(payload),
        1,
        0x4000,
        64,
        protocol,
        0,
        socket.inet_aton(source),
        socket.inet_aton(destination),
    )
    checksum = _checksum(header)
    return header[:10] + struct.pack("!H", checksum) + header[12:] + payload


def ipv6(source: str, destination: str, payload: bytes, protocol: int = 6) -> bytes:
    return (
        struct.pack("!IHBB", 6 << 28, len(payload), protocol, 64)
        + socket.inet_pton(socket.AF_INET6, source)
        + socket.inet_pton(socket.AF_INET6, destination)
        + payload
    )


def ethernet(packet: bytes, *, ethertype: int = 0x0800, vlans: tuple[int, ...] = ()) -> bytes:
    frame = b"\x00\x11\x22\x33\x44\x55" + b"\x66\x77\x88\x99\xaa\xbb"
    for vlan in vlans:
        frame += struct.pack("!HH", 0x8100, vlan)
    return frame + struct.pack("!H", ethertype) + packet


def sll2(packet: bytes, *, ethertype: int = 0x0800) -> bytes:
    return struct.pack("!HHIHBB8s", ethertype, 0, 1, 1, 0, 6, b"\0" * 8) + packet


def sll(packet: bytes, *, ethertype: int = 0x0800) -> bytes:
    return struct.pack("!HHH8sH", 0, 1, 6, b"\0" * 8, ethertype) + packet


def null_loopback(packet: bytes, *, family: int = 2, order: str = "<") -> bytes:
    return struct.pack(order + "I", family) + packet


def pcap(
    packets: list[tuple[float, bytes]],
    *,
    linktype: int = 1,
    order: str = "<",
    nanoseconds: bool = False,
) -> bytes:
    magic = 0xA1B23C4D if nanoseconds else 0xA1B2C3D4
    out = [struct.pack(order + "IHHiIII", magic, 2, 4, 0, 0, 262144, linktype)]
    scale = 1_000_000_000 if nanoseconds else 1_000_000
    for timestamp, data in packets:
        seconds = int(timestamp)
        fraction = round((timestamp - seconds) * scale)
        out.append(struct.pack(order + "IIII", seconds, fraction, len(data), len(data)) + data)
    return b"".join(out)


def _block(block_type: int, body: bytes, order: str = "<") -> bytes:
    body += b"\0" * (-len(body) % 4)
    length = len(body) + 12
    return struct.pack(order + "II", block_type, length) + body + struct.pack(order + "I", length)


def pcapng(
    sections: list[tuple[list[int], list[tuple[int, float, bytes]]]], *, order: str = "<"
) -> bytes:
    """Sections of (interface link types, packets as (interface, timestamp, bytes)).

    The second interface of each section uses nanosecond timestamps (if_tsresol=9)."""
    out = []
    for linktypes, packets in sections:
        out.append(_block(0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1), order))
        units = []
        for number, linktype in enumerate(linktypes):
            options = b""
            unit = 1_000_000
            if number == 1:
                options = struct.pack(order + "HH", 9, 1) + b"\x09\0\0\0" + b"\0\0\0\0"
                unit = 1_000_000_000
            units.append(unit)
            out.append(_block(1, struct.pack(order + "HHI", linktype, 0, 262144) + options, order))
        for interface, timestamp, data in packets:
            ticks = round(timestamp * units[interface])
            body = struct.pack(
                order + "IIIII", interface, ticks >> 32, ticks & 0xFFFFFFFF, len(data), len(data)
            )
            out.append(_block(6, body + data, order))
    return b"".join(out)


@dataclass
class Conversation:
    """A TCP connection between two peers, segment by segment (IPv4 or IPv6)."""

    client: str = "10.0.0.1"
    server: str = "10.0.0.2"
    client_port: int = 50000
    server_port: int = 80
    client_seq: int = 1000
    server_seq: int = 5000
    time: float = 1_700_000_000.0
    version: int = 4

    def _ip(self, source: str, destination: str, segment: bytes) -> bytes:
        if self.version == 6:
            return ipv6(source, destination, segment)
        return ipv4(source, destination, segment)

    def packet(
        self,
        from_client: bool,
        payload: bytes = b"",
        flags: int = ACK | PSH,
        *,
        seq: int | None = None,
    ) -> bytes:
        """One segment; ``seq`` overrides the next sequence number (for reordering tests)
        and then does not advance it."""
        if from_client:
            number = self.client_seq if seq is None else seq
            segment = tcp_segment(
                self.client_port, self.server_port, number, self.server_seq, flags, payload
            )
            packet = self._ip(self.client, self.server, segment)
            if seq is None:
                self.client_seq += len(payload) + (1 if flags & (SYN | FIN) else 0)
        else:
            number = self.server_seq if seq is None else seq
            segment = tcp_segment(
                self.server_port, self.client_port, number, self.client_seq, flags, payload
            )
            packet = self._ip(self.server, self.client, segment)
            if seq is None:
                self.server_seq += len(payload) + (1 if flags & (SYN | FIN) else 0)
        return packet

    def handshake(self) -> list[bytes]:
        return [
            self.packet(True, flags=SYN),
            self.packet(False, flags=SYN | ACK),
            self.packet(True, flags=ACK),
        ]

    def close(self) -> list[bytes]:
        return [
            self.packet(True, flags=FIN | ACK),
            self.packet(False, flags=FIN | ACK),
            self.packet(True, flags=ACK),
        ]


def timed(
    packets: list[bytes], start: float = 1_700_000_000.0, step: float = 0.001
) -> list[tuple[float, bytes]]:
    return [(start + number * step, packet) for number, packet in enumerate(packets)]
