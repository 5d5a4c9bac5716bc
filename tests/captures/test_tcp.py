"""TCP reassembly on hand-written captures: each case is one the loopback tests cannot make
(reordering, loss, retransmission, overlap, wrap-around), checked against the bytes the
peers "sent"."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from flaskscope.captures import (
    ConnectionClosed,
    ConnectionOpened,
    StreamData,
    StreamGap,
    TcpReassembler,
    decode_packet,
    iter_packets,
)
from flaskscope.captures.links import TcpSegment
from tests.captures.writer import ACK, FIN, PSH, RST, Conversation, ethernet, pcap, timed


@dataclass
class Stream:
    client: bytearray = field(default_factory=bytearray)
    server: bytearray = field(default_factory=bytearray)
    gaps: list[StreamGap] = field(default_factory=list)
    opened: ConnectionOpened | None = None
    closed: ConnectionClosed | None = None


def reassemble(capture: bytes, *, max_pending: int = 2 * 1024 * 1024) -> list[Stream]:
    reassembler = TcpReassembler(max_pending=max_pending)
    streams: dict[int, Stream] = {}
    last = 0.0
    events = []
    for packet in iter_packets([capture]):
        segment = decode_packet(packet)
        assert isinstance(segment, TcpSegment)
        last = packet.timestamp
        events.extend(reassembler.add(segment))
    events.extend(reassembler.finish(last))
    for event in events:
        if isinstance(event, ConnectionOpened):
            streams[event.connection] = Stream(opened=event)
        elif isinstance(event, StreamData):
            target = streams[event.connection]
            side = target.client if event.from_client else target.server
            assert event.offset == len(side) + sum(
                gap.size for gap in target.gaps if gap.from_client == event.from_client
            )
            side += event.data
        elif isinstance(event, StreamGap):
            streams[event.connection].gaps.append(event)
        elif isinstance(event, ConnectionClosed):
            streams[event.connection].closed = event
    return [streams[number] for number in sorted(streams)]


def capture(packets: list[bytes]) -> bytes:
    return pcap(timed([ethernet(packet) for packet in packets]))


REQUEST = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"


def test_in_order_connection_both_directions_and_fin_closes_it() -> None:
    talk = Conversation()
    packets = [
        *talk.handshake(),
        talk.packet(True, REQUEST),
        talk.packet(False, RESPONSE),
        *talk.close(),
    ]
    [stream] = reassemble(capture(packets))
    assert bytes(stream.client) == REQUEST
    assert bytes(stream.server) == RESPONSE
    assert stream.opened is not None
    assert stream.opened.syn_seen
    assert stream.closed is not None
    assert stream.closed.reason == "fin"
    assert stream.gaps == []


def test_out_of_order_segments_are_buffered_and_delivered_in_sequence_order() -> None:
    talk = Conversation()
    parts = [b"first-", b"second-", b"third"]
    packets = talk.handshake()
    start = talk.client_seq
    seqs = [start, start + 6, start + 13]
    # the third, then the first, then the second
    packets += [talk.packet(True, parts[2], seq=seqs[2])]
    packets += [talk.packet(True, parts[0], seq=seqs[0])]
    packets += [talk.packet(True, parts[1], seq=seqs[1])]
    [stream] = reassemble(capture(packets))
    assert bytes(stream.client) == b"first-second-third"
    assert stream.gaps == []


def test_retransmissions_and_overlaps_are_dropped_and_counted() -> None:
    talk = Conversation()
    packets = talk.handshake()
    start = talk.client_seq
    packets += [talk.packet(True, b"abcdef", seq=start)]
    packets += [talk.packet(True, b"abcdef", seq=start)]  # exact retransmission
    packets += [talk.packet(True, b"defghi", seq=start + 3)]  # overlaps 3 bytes
    packets += [talk.packet(True, b"cdefghijkl", seq=start + 2)]  # overlaps 7, adds 3
    [stream] = reassemble(capture(packets))
    assert bytes(stream.client) == b"abcdefghijkl"
    assert stream.closed is not None
    assert stream.closed.retransmitted == 6 + 3 + 7


def test_a_lost_segment_is_a_gap_once_the_peer_acknowledges_past_it() -> None:
    talk = Conversation()
    packets = talk.handshake()
    start = talk.client_seq
    packets += [talk.packet(True, b"0123456789", seq=start)]
    # bytes 10..19 never captured
    packets += [talk.packet(True, b"KLMNOPQRST", seq=start + 20)]
    talk.client_seq = start + 30
    packets += [talk.packet(False, b"ok", flags=ACK | PSH)]  # acknowledges all 30
    [stream] = reassemble(capture(packets))
    assert bytes(stream.client) == b"0123456789KLMNOPQRST"
    [gap] = stream.gaps
    assert (gap.from_client, gap.offset, gap.size) == (True, 10, 10)
    assert "acknowledged" in gap.reason


def test_a_hole_still_open_at_the_end_of_the_connection_is_a_gap() -> None:
    talk = Conversation()
    packets = talk.handshake()
    start = talk.client_seq
    packets += [talk.packet(True, b"abc", seq=start), talk.packet(True, b"xyz", seq=start + 5)]
    packets += [talk.packet(True, flags=RST, seq=start + 8)]
    [stream] = reassemble(capture(packets))
    assert bytes(stream.client) == b"abcxyz"
    assert [(gap.offset, gap.size) for gap in stream.gaps] == [(3, 2)]
    assert stream.closed is not None
    assert stream.closed.reason == "rst"


def test_the_pending_buffer_is_bounded() -> None:
    talk = Conversation()
    packets = talk.handshake()
    start = talk.client_seq
    packets += [
        talk.packet(True, bytes([65 + n]) * 1000, seq=start + 10 + 1000 * n) for n in range(20)
    ]
    [stream] = reassemble(capture(packets), max_pending=4000)
    assert stream.gaps[0].offset == 0
    assert stream.gaps[0].size == 10
    assert len(stream.client) == 20_000


def test_sequence_numbers_wrap_around() -> None:
    talk = Conversation(client_seq=0xFFFFFFF0 - 1)
    packets = talk.handshake()  # the SYN takes 0xFFFFFFEF; data starts at 0xFFFFFFF0
    first = talk.packet(True, b"A" * 10)  # 0xFFFFFFF0 .. 0xFFFFFFF9
    second = talk.packet(True, b"B" * 10)  # wraps: 0xFFFFFFFA .. 0x00000003
    third = talk.packet(True, b"C" * 10)  # 0x00000004 ..
    packets += [third, first, second]  # out of order across the wrap
    [stream] = reassemble(capture(packets))
    assert bytes(stream.client) == b"A" * 10 + b"B" * 10 + b"C" * 10
    assert stream.gaps == []


def test_a_capture_that_starts_mid_stream_flags_the_connection() -> None:
    talk = Conversation(client_port=51515, server_port=8080)
    talk.handshake()  # happened before the capture
    packets = [talk.packet(False, b"server speaks"), talk.packet(True, b"client answers")]
    [stream] = reassemble(capture(packets))
    assert stream.opened is not None
    assert not stream.opened.syn_seen
    assert stream.opened.client.port == 51515  # the ephemeral port is the client's
    assert bytes(stream.client) == b"client answers"
    assert bytes(stream.server) == b"server speaks"


def test_a_new_syn_on_the_same_ports_starts_a_new_connection() -> None:
    talk = Conversation()
    packets = [*talk.handshake(), talk.packet(True, b"one"), *talk.close()]
    again = Conversation(client_seq=90000)
    packets += [*again.handshake(), again.packet(True, b"two"), *again.close()]
    streams = reassemble(capture(packets))
    assert [bytes(stream.client) for stream in streams] == [b"one", b"two"]


def test_late_retransmission_after_close_starts_no_connection() -> None:
    talk = Conversation()
    start = None
    packets = talk.handshake()
    start = talk.client_seq
    packets += [talk.packet(True, b"data"), *talk.close()]
    packets += [talk.packet(True, b"data", seq=start)]
    assert len(reassemble(capture(packets))) == 1


@pytest.mark.parametrize("flags", [FIN | ACK, ACK])
def test_bare_segments_of_unknown_connections_are_ignored(flags: int) -> None:
    talk = Conversation()
    assert reassemble(capture([talk.packet(True, flags=flags)])) == []


def test_open_connections_are_bounded() -> None:
    reassembler = TcpReassembler(max_open=10)
    closed = []
    for number in range(25):
        talk = Conversation(client_port=30000 + number)
        for packet in iter_packets([capture([talk.packet(True, flags=0x02)])]):
            segment = decode_packet(packet)
            assert isinstance(segment, TcpSegment)
            closed += [e for e in reassembler.add(segment) if isinstance(e, ConnectionClosed)]
    assert reassembler.open_connections <= 10
    assert closed
    assert {event.reason for event in closed} == {"idle-evicted"}


def test_many_tiny_out_of_order_segments_stay_bounded() -> None:
    """5000 one-byte segments in reverse order: at most MAX_PENDING_SEGMENTS wait; the
    hole in front of them is given up (a gap), and every byte is delivered or in a gap."""
    from flaskscope.captures.tcp import MAX_PENDING_SEGMENTS

    talk = Conversation()
    packets = talk.handshake()
    start = talk.client_seq
    packets += [talk.packet(True, b"x", seq=start + n) for n in reversed(range(5000))]
    [stream] = reassemble(capture(packets))
    assert MAX_PENDING_SEGMENTS < 5000
    assert stream.gaps
    assert len(stream.client) + sum(gap.size for gap in stream.gaps) == 5000
