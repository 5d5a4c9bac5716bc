"""Link layer, IPv4/IPv6 and TCP headers off a captured packet.

Link types (https://www.tcpdump.org/linktypes.html): 0 BSD loopback (NULL, host byte order),
1 Ethernet (802.1Q/802.1ad VLAN tags skipped), 12/14/101 raw IP, 108 OpenBSD loopback,
113 Linux cooked (SLL), 228/229 raw IPv4/IPv6, 276 Linux cooked v2 (SLL2). IPv4 (RFC 791):
fragments are counted, not reassembled (TCP stacks avoid them with PMTU discovery). IPv6
(RFC 8200): hop-by-hop, routing and destination options headers are skipped.
TCP (RFC 9293 §3.1): ports, sequence and acknowledgement numbers, flags, the payload.
"""

from __future__ import annotations

import ipaddress
import struct
from typing import NamedTuple

from flaskscope.captures.containers import Packet

__all__ = [
    "ACK",
    "FIN",
    "RST",
    "SUPPORTED_LINKTYPES",
    "SYN",
    "TcpSegment",
    "decode_packet",
    "format_address",
]

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

SUPPORTED_LINKTYPES = {
    0: "BSD loopback",
    1: "Ethernet",
    12: "raw IP",
    14: "raw IP",
    101: "raw IP",
    108: "OpenBSD loopback",
    113: "Linux cooked (SLL)",
    228: "raw IPv4",
    229: "raw IPv6",
    276: "Linux cooked v2 (SLL2)",
}

_VLAN_TYPES = (0x8100, 0x88A8, 0x9100)
_IPV4, _IPV6 = 0x0800, 0x86DD
_IPV6_SKIPPED = (0, 43, 60)  # hop-by-hop, routing, destination options
_TCP = struct.Struct("!HHIIBBH")
_NULL_IPV6 = (24, 28, 30)


class TcpSegment(NamedTuple):
    """One TCP segment, with where and when it was captured."""

    source: bytes
    """Packed IP address (4 or 16 bytes)."""
    source_port: int
    destination: bytes
    destination_port: int
    seq: int
    ack: int
    flags: int
    payload: bytes
    timestamp: float
    packet: int
    """The packet's number in the capture, from 1."""


def _network(linktype: int, data: bytes) -> tuple[int, int] | None:
    """(ethertype, offset of the network header), or None for what is not IP."""
    if linktype == 1:
        if len(data) < 14:
            return None
        offset = 12
        ethertype = (data[12] << 8) | data[13]
        while ethertype in _VLAN_TYPES and len(data) >= offset + 6:
            offset += 4
            ethertype = (data[offset] << 8) | data[offset + 1]
        return ethertype, offset + 2
    if linktype in (0, 108):
        if len(data) < 4:
            return None
        # NULL is in the writer's byte order, OpenBSD loopback in network order; a family
        # read the wrong way round is above 0xFFFF, so the other order is taken.
        family = int.from_bytes(data[:4], "little")
        if family > 0xFFFF or linktype == 108:
            family = int.from_bytes(data[:4], "big")
        if family == 2:
            return _IPV4, 4
        if family in _NULL_IPV6:
            return _IPV6, 4
        return None
    if linktype in (12, 14, 101, 228, 229):
        if not data:
            return None
        return (_IPV4 if data[0] >> 4 == 4 else _IPV6), 0
    if linktype == 113:
        if len(data) < 16:
            return None
        return (data[14] << 8) | data[15], 16
    if linktype == 276:
        if len(data) < 20:
            return None
        return (data[0] << 8) | data[1], 20
    return None


def decode_packet(packet: Packet) -> TcpSegment | str | None:
    """The TCP segment in ``packet``; a reason (str) when it is an IP fragment or broken;
    None when it is not TCP over IP at all (ARP, UDP, ...)."""
    data = packet.data
    found = _network(packet.linktype, data)
    if found is None:
        return None
    ethertype, offset = found
    if ethertype == _IPV4:
        if len(data) < offset + 20 or data[offset] >> 4 != 4:
            return "broken IPv4 header"
        header_length = (data[offset] & 0x0F) * 4
        total = (data[offset + 2] << 8) | data[offset + 3]
        if data[offset + 9] != 6:
            return None
        fragment = ((data[offset + 6] << 8) | data[offset + 7]) & 0x3FFF
        if fragment:
            return "IP fragment (not reassembled)"
        end = offset + total if total else len(data)
        source = data[offset + 12 : offset + 16]
        destination = data[offset + 16 : offset + 20]
        start = offset + header_length
        if header_length < 20 or end < start:
            return "broken IPv4 header"
    elif ethertype == _IPV6:
        if len(data) < offset + 40 or data[offset] >> 4 != 6:
            return "broken IPv6 header"
        payload_length = (data[offset + 4] << 8) | data[offset + 5]
        next_header = data[offset + 6]
        source = data[offset + 8 : offset + 24]
        destination = data[offset + 24 : offset + 40]
        start = offset + 40
        end = start + payload_length if payload_length else len(data)
        while next_header in _IPV6_SKIPPED or next_header == 44:
            if len(data) < start + 8:
                return "broken IPv6 extension header"
            if next_header == 44:
                return "IP fragment (not reassembled)"
            next_header, length = data[start], (data[start + 1] + 1) * 8
            start += length
        if next_header != 6:
            return None
    else:
        return None
    end = min(end, len(data))
    if end - start < 20:
        return "TCP header cut short (snapshot length?)"
    source_port, destination_port, seq, ack, data_offset, flags, _window = _TCP.unpack_from(
        data, start
    )
    payload_start = start + (data_offset >> 4) * 4
    if payload_start > end or data_offset >> 4 < 5:
        return "broken TCP header"
    return TcpSegment(
        source,
        source_port,
        destination,
        destination_port,
        seq,
        ack,
        flags,
        data[payload_start:end],
        packet.timestamp,
        packet.number,
    )


def format_address(address: bytes, port: int) -> str:
    """``127.0.0.1:8080`` or ``[::1]:8080``."""
    if len(address) == 4:
        return f"{ipaddress.IPv4Address(address)}:{port}"
    return f"[{ipaddress.IPv6Address(address)}]:{port}"
