"""Captures: pcap, pcapng, HAR and "follow TCP stream" dumps in, TCP byte streams out (pure).

``containers`` recognises a capture by its content and reads pcap (both byte orders, micro- and
nanosecond timestamps) and pcapng (several sections and interfaces) record by record from
chunks of bytes; ``links`` takes the link layer (Ethernet with VLAN tags, Linux SLL and SLL2,
BSD loopback/NULL, raw IP), IPv4/IPv6 and TCP off each packet; ``tcp`` reassembles each
connection's two byte streams (sequence order with wrap-around, retransmissions and overlaps
dropped, out-of-order segments buffered, missing ranges reported as gaps, connections that
began before the capture flagged) in bounded memory; ``follow`` reads tshark's
``-z follow,tcp,raw|hex`` dumps; ``har`` reads HAR 1.2 (Chrome's ``_webSocketMessages``).

No file or socket is opened here: callers hand in bytes (an iterable of chunks), time comes from
the capture itself. May import: the standard library and :mod:`flaskscope.errors`.
"""

from __future__ import annotations

from flaskscope.captures.containers import (
    CaptureKind,
    Packet,
    detect_kind,
    iter_packets,
)
from flaskscope.captures.errors import CaptureError
from flaskscope.captures.links import TcpSegment, decode_packet
from flaskscope.captures.tcp import (
    ConnectionClosed,
    ConnectionOpened,
    Endpoint,
    StreamData,
    StreamGap,
    TcpEvent,
    TcpReassembler,
)

__all__ = [
    "CaptureError",
    "CaptureKind",
    "ConnectionClosed",
    "ConnectionOpened",
    "Endpoint",
    "Packet",
    "StreamData",
    "StreamGap",
    "TcpEvent",
    "TcpReassembler",
    "TcpSegment",
    "decode_packet",
    "detect_kind",
    "iter_packets",
]
