"""TCP reassembly (RFC 9293 §3.4, §3.10.7.4): each connection's two byte streams, in order.

Segments are placed by sequence number, compared modulo 2**32 (§3.4: "sequence numbers wrap
around"), against a 64-bit count of the bytes delivered so far, so wrap-around never breaks
the order. Bytes already delivered (retransmissions, overlaps) are dropped and counted;
segments from beyond the next expected byte wait in a bounded buffer. A hole becomes a
:class:`StreamGap` when the peer acknowledges data past it (so the capture, not the network,
lost it), when the buffer is full, or when the connection ends. Connections end (and their
state is released) on RST, on FIN from both sides once all data before the FINs is in, or at
the end of the capture. A connection whose SYN is not in the capture began before it.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from flaskscope.captures.links import ACK, FIN, RST, SYN, TcpSegment, format_address

__all__ = [
    "MAX_PENDING",
    "ConnectionClosed",
    "ConnectionOpened",
    "Endpoint",
    "StreamData",
    "StreamGap",
    "TcpEvent",
    "TcpReassembler",
]

MAX_PENDING = 2 * 1024 * 1024
"""Out-of-order bytes kept per direction before the hole in front of them is given up."""

MAX_PENDING_SEGMENTS = 4096
"""Out-of-order segments kept per direction (tiny segments must not make the buffer slow)."""

MAX_OPEN = 50_000
"""Connections tracked at once; past it the longest idle ones end (``idle-evicted``), so a
capture of endless half-open connections (a SYN flood) cannot exhaust memory."""

RECENTLY_CLOSED = 4096
"""Closed connections remembered, so their late retransmissions start no new connection."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    address: bytes
    port: int

    def __str__(self) -> str:
        return format_address(self.address, self.port)


@dataclass(frozen=True, slots=True)
class ConnectionOpened:
    connection: int
    client: Endpoint
    server: Endpoint
    timestamp: float
    packet: int
    syn_seen: bool
    """False: the connection began before the capture (its sides are guessed from the ports
    until the content says otherwise)."""


class StreamData(NamedTuple):
    connection: int
    from_client: bool
    data: bytes
    timestamp: float
    packet: int
    offset: int
    """Where ``data`` starts in its direction's stream (bytes since the first one seen)."""


@dataclass(frozen=True, slots=True)
class StreamGap:
    connection: int
    from_client: bool
    size: int
    offset: int
    timestamp: float
    reason: str


@dataclass(frozen=True, slots=True)
class ConnectionClosed:
    connection: int
    timestamp: float
    reason: str
    """``fin``, ``rst``, ``reused`` (a new SYN on the same ports), ``idle-evicted`` (too
    many open at once) or ``capture-end``."""
    client_bytes: int
    server_bytes: int
    retransmitted: int
    """Bytes seen more than once (retransmissions and overlaps), both directions."""
    gap_bytes: int


TcpEvent = ConnectionOpened | StreamData | StreamGap | ConnectionClosed


class _Half:
    """One direction: the next sequence number expected and what waits beyond it."""

    __slots__ = (
        "delivered",
        "fin",
        "gap_bytes",
        "next_seq",
        "order",
        "pending",
        "pending_bytes",
        "retransmitted",
    )

    def __init__(self) -> None:
        self.next_seq: int | None = None
        self.delivered = 0
        self.pending: dict[int, bytes] = {}
        self.order: list[int] = []
        """The offsets of ``pending`` as a heap: the first one waiting is ``order[0]``."""
        self.pending_bytes = 0
        self.fin: int | None = None
        """Stream offset of the FIN, once seen."""
        self.retransmitted = 0
        self.gap_bytes = 0


class _Connection:
    __slots__ = ("client", "client_half", "id", "last_seen", "server", "server_half")

    def __init__(self, number: int, client: Endpoint, server: Endpoint) -> None:
        self.id = number
        self.client = client
        self.server = server
        self.client_half = _Half()
        self.server_half = _Half()
        self.last_seen = 0.0


def _signed(delta: int) -> int:
    delta &= 0xFFFFFFFF
    return delta - 0x100000000 if delta & 0x80000000 else delta


class TcpReassembler:
    """Feed segments in capture order with :meth:`add`; :meth:`finish` at the end."""

    def __init__(self, *, max_pending: int = MAX_PENDING, max_open: int = MAX_OPEN) -> None:
        self.max_open = max_open
        self._connections: dict[tuple[bytes, int, bytes, int], _Connection] = {}
        self._closed: OrderedDict[tuple[bytes, int, bytes, int], tuple[int, int]] = OrderedDict()
        self._next_id = 0
        self.max_pending = max_pending
        self.open_connections = 0

    @property
    def connections_seen(self) -> int:
        return self._next_id

    def add(self, segment: TcpSegment) -> list[TcpEvent]:
        events: list[TcpEvent] = []
        src = (segment.source, segment.source_port)
        dst = (segment.destination, segment.destination_port)
        key = (*src, *dst) if src <= dst else (*dst, *src)
        connection = self._connections.get(key)
        flags = segment.flags
        syn = flags & SYN
        if connection is not None and syn and not flags & ACK:
            half = self._half(connection, segment)
            if half.next_seq is not None and _signed(segment.seq + 1 - half.next_seq) != 0:
                self._close(connection, key, segment.timestamp, "reused", events)
                connection = None
        if connection is None:
            if not syn and not segment.payload:
                return events  # a bare ACK/FIN/RST of a connection not (or no longer) tracked
            closed = self._closed.get(key)
            if closed is not None and not syn:
                return events  # a late retransmission of a connection that has ended
            connection = self._open(segment, key, events)
        connection.last_seen = segment.timestamp
        from_client = (segment.source, segment.source_port) == (
            connection.client.address,
            connection.client.port,
        )
        half = connection.client_half if from_client else connection.server_half
        if syn:
            if half.next_seq is None or (half.delivered == 0 and not half.pending):
                half.next_seq = (segment.seq + 1) & 0xFFFFFFFF
        elif half.next_seq is None:
            half.next_seq = segment.seq
        if flags & ACK:  # first: the other side's buffered bytes were captured before this
            other = connection.server_half if from_client else connection.client_half
            if other.pending and other.next_seq is not None:
                acked = _signed(segment.ack - other.next_seq)
                if acked > 0:
                    self._fill_gap(connection, other, not from_client, segment, events, acked)
        if segment.payload:
            self._place(connection, half, from_client, segment, events)
        if flags & FIN:
            seq = segment.seq + (1 if syn else 0) + len(segment.payload)
            half.fin = half.delivered + _signed(seq - (half.next_seq or 0))
        if flags & RST:
            self._close(connection, key, segment.timestamp, "rst", events)
        elif self._both_finished(connection):
            self._close(connection, key, segment.timestamp, "fin", events)
        return events

    def _half(self, connection: _Connection, segment: TcpSegment) -> _Half:
        if (segment.source, segment.source_port) == (
            connection.client.address,
            connection.client.port,
        ):
            return connection.client_half
        return connection.server_half

    def _open(
        self, segment: TcpSegment, key: tuple[bytes, int, bytes, int], events: list[TcpEvent]
    ) -> _Connection:
        source = Endpoint(segment.source, segment.source_port)
        destination = Endpoint(segment.destination, segment.destination_port)
        flags = segment.flags
        syn_seen = bool(flags & SYN)
        if syn_seen:
            client_is_source = not flags & ACK
        else:  # guess: the ephemeral (higher) port is the client's
            client_is_source = segment.source_port >= segment.destination_port
        client, server = (source, destination) if client_is_source else (destination, source)
        if len(self._connections) >= self.max_open:
            self._evict(segment.timestamp, events)
        connection = _Connection(self._next_id, client, server)
        self._next_id += 1
        self._connections[key] = connection
        self._closed.pop(key, None)
        self.open_connections = len(self._connections)
        events.append(
            ConnectionOpened(
                connection.id, client, server, segment.timestamp, segment.packet, syn_seen
            )
        )
        return connection

    def _place(
        self,
        connection: _Connection,
        half: _Half,
        from_client: bool,
        segment: TcpSegment,
        events: list[TcpEvent],
    ) -> None:
        payload = segment.payload
        seq = segment.seq + (1 if segment.flags & SYN else 0)
        delta = _signed(seq - (half.next_seq or 0))
        if delta > 0:
            offset = half.delivered + delta
            present = half.pending.get(offset)
            if present is None:
                heapq.heappush(half.order, offset)
            if present is None or len(present) < len(payload):
                half.pending_bytes += len(payload) - (0 if present is None else len(present))
                half.pending[offset] = payload
            if half.pending_bytes > self.max_pending or len(half.pending) > MAX_PENDING_SEGMENTS:
                self._fill_gap(connection, half, from_client, segment, events, None)
            return
        if -delta >= len(payload):
            half.retransmitted += len(payload)
            return
        if delta:
            half.retransmitted += -delta
            payload = payload[-delta:]
        self._deliver(connection, half, from_client, payload, segment, events)
        if half.pending:
            self._drain(connection, half, from_client, segment, events)

    def _deliver(
        self,
        connection: _Connection,
        half: _Half,
        from_client: bool,
        payload: bytes,
        segment: TcpSegment,
        events: list[TcpEvent],
    ) -> None:
        events.append(
            StreamData(
                connection.id,
                from_client,
                payload,
                segment.timestamp,
                segment.packet,
                half.delivered,
            )
        )
        half.delivered += len(payload)
        half.next_seq = ((half.next_seq or 0) + len(payload)) & 0xFFFFFFFF

    def _drain(
        self,
        connection: _Connection,
        half: _Half,
        from_client: bool,
        segment: TcpSegment,
        events: list[TcpEvent],
    ) -> None:
        """Deliver the buffered segments that now join the stream."""
        for piece in _ready(half):
            self._deliver(connection, half, from_client, piece, segment, events)

    def _fill_gap(
        self,
        connection: _Connection,
        half: _Half,
        from_client: bool,
        segment: TcpSegment,
        events: list[TcpEvent],
        acked: int | None,
    ) -> None:
        """Give up the hole in front of the first buffered segment: the peer acknowledged
        past it (``acked`` bytes past the next expected one), the buffer is full, or the
        connection ends."""
        if not half.pending:
            return
        offset = half.order[0]
        size = offset - half.delivered
        if acked is not None and acked < size:
            return
        reason = (
            "the peer acknowledged bytes the capture does not have"
            if acked is not None
            else "segments after it were buffered, the missing ones never came"
        )
        events.append(
            StreamGap(connection.id, from_client, size, half.delivered, segment.timestamp, reason)
        )
        half.gap_bytes += size
        half.delivered = offset
        half.next_seq = ((half.next_seq or 0) + size) & 0xFFFFFFFF
        self._drain(connection, half, from_client, segment, events)

    def _both_finished(self, connection: _Connection) -> bool:
        client, server = connection.client_half, connection.server_half
        return (
            client.fin is not None
            and server.fin is not None
            and client.delivered >= client.fin
            and server.delivered >= server.fin
        )

    def _close(
        self,
        connection: _Connection,
        key: tuple[bytes, int, bytes, int],
        timestamp: float,
        reason: str,
        events: list[TcpEvent],
    ) -> None:
        for from_client, half in ((True, connection.client_half), (False, connection.server_half)):
            while half.pending:
                offset = half.order[0]
                size = offset - half.delivered
                events.append(
                    StreamGap(
                        connection.id,
                        from_client,
                        size,
                        half.delivered,
                        timestamp,
                        "the connection ended before the missing bytes came",
                    )
                )
                half.gap_bytes += size
                half.delivered = offset
                half.next_seq = ((half.next_seq or 0) + size) & 0xFFFFFFFF
                self._drain_at_close(connection, half, from_client, timestamp, events)
        client, server = connection.client_half, connection.server_half
        events.append(
            ConnectionClosed(
                connection.id,
                timestamp,
                reason,
                client.delivered - client.gap_bytes,
                server.delivered - server.gap_bytes,
                client.retransmitted + server.retransmitted,
                client.gap_bytes + server.gap_bytes,
            )
        )
        del self._connections[key]
        self.open_connections = len(self._connections)
        if reason != "reused":
            self._closed[key] = (connection.id, 0)
            if len(self._closed) > RECENTLY_CLOSED:
                self._closed.popitem(last=False)

    def _drain_at_close(
        self,
        connection: _Connection,
        half: _Half,
        from_client: bool,
        timestamp: float,
        events: list[TcpEvent],
    ) -> None:
        for piece in _ready(half):
            events.append(
                StreamData(connection.id, from_client, piece, timestamp, 0, half.delivered)
            )
            half.delivered += len(piece)

    def _evict(self, timestamp: float, events: list[TcpEvent]) -> None:
        """End the tenth of the connections idle the longest."""
        idle = sorted(self._connections.items(), key=lambda item: item[1].last_seen)
        for key, connection in idle[: max(1, self.max_open // 10)]:
            self._close(connection, key, timestamp, "idle-evicted", events)

    def finish(self, timestamp: float) -> list[TcpEvent]:
        """The capture has ended: every connection still open ends here."""
        events: list[TcpEvent] = []
        for key, connection in list(self._connections.items()):
            self._close(
                connection, key, max(timestamp, connection.last_seen), "capture-end", events
            )
        return events


def _ready(half: _Half) -> Iterator[bytes]:
    """The buffered bytes that now join ``half``'s stream, in order, with what was already
    delivered (retransmissions, overlaps) cut off and counted. The caller delivers each piece
    (advancing ``half.delivered``) before the next is looked at."""
    while half.pending:
        offset = half.order[0]
        if offset > half.delivered:
            return
        payload = half.pending.pop(heapq.heappop(half.order))
        half.pending_bytes -= len(payload)
        overlap = half.delivered - offset
        if overlap >= len(payload):
            half.retransmitted += len(payload)
            continue
        half.retransmitted += overlap
        yield payload[overlap:]
