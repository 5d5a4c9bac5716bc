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
the capture itself. May import: the standard library and :mod:`flaskscope.errors`. The names
here load on first use, so ``parse-frame`` can recognise a capture without loading the
reassembler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flaskscope._paths import lazy_exports

if TYPE_CHECKING:  # the names, for type checkers; at run time they load on first use
    from flaskscope.captures.containers import (
        CaptureKind as CaptureKind,
    )
    from flaskscope.captures.containers import (
        Packet as Packet,
    )
    from flaskscope.captures.containers import (
        detect_kind as detect_kind,
    )
    from flaskscope.captures.containers import (
        iter_packets as iter_packets,
    )
    from flaskscope.captures.errors import CaptureError as CaptureError
    from flaskscope.captures.links import TcpSegment as TcpSegment
    from flaskscope.captures.links import decode_packet as decode_packet
    from flaskscope.captures.tcp import (
        ConnectionClosed as ConnectionClosed,
    )
    from flaskscope.captures.tcp import (
        ConnectionOpened as ConnectionOpened,
    )
    from flaskscope.captures.tcp import (
        Endpoint as Endpoint,
    )
    from flaskscope.captures.tcp import (
        StreamData as StreamData,
    )
    from flaskscope.captures.tcp import (
        StreamGap as StreamGap,
    )
    from flaskscope.captures.tcp import (
        TcpEvent as TcpEvent,
    )
    from flaskscope.captures.tcp import (
        TcpReassembler as TcpReassembler,
    )

_EXPORTS: dict[str, str] = {
    "CaptureError": "flaskscope.captures.errors",
    "CaptureKind": "flaskscope.captures.containers",
    "ConnectionClosed": "flaskscope.captures.tcp",
    "ConnectionOpened": "flaskscope.captures.tcp",
    "Endpoint": "flaskscope.captures.tcp",
    "Packet": "flaskscope.captures.containers",
    "StreamData": "flaskscope.captures.tcp",
    "StreamGap": "flaskscope.captures.tcp",
    "TcpEvent": "flaskscope.captures.tcp",
    "TcpReassembler": "flaskscope.captures.tcp",
    "TcpSegment": "flaskscope.captures.links",
    "decode_packet": "flaskscope.captures.links",
    "detect_kind": "flaskscope.captures.containers",
    "iter_packets": "flaskscope.captures.containers",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
