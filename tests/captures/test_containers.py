"""pcap and pcapng containers and link layers, written by hand (tests/captures/writer.py)."""

from __future__ import annotations

import pytest

from flaskscope.captures import CaptureError, CaptureKind, decode_packet, detect_kind, iter_packets
from flaskscope.captures.containers import CaptureReader
from flaskscope.captures.links import TcpSegment
from tests.captures.test_tcp import REQUEST, reassemble
from tests.captures.writer import (
    Conversation,
    ethernet,
    null_loopback,
    pcap,
    pcapng,
    sll,
    sll2,
    timed,
)


def _conversation_packets(talk: Conversation) -> list[bytes]:
    return [*talk.handshake(), talk.packet(True, REQUEST), *talk.close()]


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("nanoseconds", [False, True])
def test_pcap_in_both_byte_orders_and_resolutions(order: str, nanoseconds: bool) -> None:
    packets = timed(
        [ethernet(packet) for packet in _conversation_packets(Conversation())], step=0.25
    )
    data = pcap(packets, order=order, nanoseconds=nanoseconds)
    assert detect_kind(data[:4096]) is CaptureKind.PCAP
    read = list(iter_packets([data[i : i + 7] for i in range(0, len(data), 7)]))  # tiny chunks
    assert [packet.timestamp for packet in read] == pytest.approx([t for t, _ in packets], abs=1e-6)
    assert [packet.data for packet in read] == [bytes(p) for _, p in packets]
    assert [stream.client for stream in reassemble(data)] == [bytearray(REQUEST)]


@pytest.mark.parametrize(
    ("linktype", "wrap"),
    [
        (1, lambda packet: ethernet(packet, vlans=(100,))),
        (1, lambda packet: ethernet(packet, vlans=(100, 200))),
        (113, sll),
        (276, sll2),
        (0, null_loopback),
        (0, lambda packet: null_loopback(packet, order=">")),
        (108, lambda packet: null_loopback(packet, order=">")),
        (101, lambda packet: packet),
        (228, lambda packet: packet),
    ],
    ids=["vlan", "qinq", "sll", "sll2", "null-le", "null-be", "loop", "raw", "ipv4"],
)
def test_link_layers_ipv4(linktype: int, wrap: object) -> None:
    packets = [wrap(packet) for packet in _conversation_packets(Conversation())]  # type: ignore[operator]
    [stream] = reassemble(pcap(timed(packets), linktype=linktype))
    assert bytes(stream.client) == REQUEST


@pytest.mark.parametrize(
    ("linktype", "wrap"),
    [
        (1, lambda packet: ethernet(packet, ethertype=0x86DD)),
        (1, lambda packet: ethernet(packet, ethertype=0x86DD, vlans=(7,))),
        (276, lambda packet: sll2(packet, ethertype=0x86DD)),
        (0, lambda packet: null_loopback(packet, family=30)),
        (229, lambda packet: packet),
    ],
    ids=["ethernet", "vlan", "sll2", "null", "raw"],
)
def test_ipv6(linktype: int, wrap: object) -> None:
    talk = Conversation(client="2001:db8::1", server="2001:db8::2", version=6)
    packets = [wrap(packet) for packet in _conversation_packets(talk)]  # type: ignore[operator]
    [stream] = reassemble(pcap(timed(packets), linktype=linktype))
    assert bytes(stream.client) == REQUEST
    assert stream.opened is not None
    assert str(stream.opened.client) == "[2001:db8::1]:50000"


@pytest.mark.parametrize("order", ["<", ">"])
def test_pcapng_two_interfaces_and_two_sections(order: str) -> None:
    first = Conversation(client_port=40001)
    second = Conversation(client="2001:db8::1", server="2001:db8::2", version=6, client_port=40002)
    third = Conversation(client_port=40003)
    packets_one = _conversation_packets(first)
    packets_two = _conversation_packets(second)
    section_one = [
        *((0, 1_700_000_000.0 + n, ethernet(p)) for n, p in enumerate(packets_one)),
        *((1, 1_700_000_100.5 + n, sll2(p, ethertype=0x86DD)) for n, p in enumerate(packets_two)),
    ]
    section_two = [(0, 1_700_000_200.0 + n, p) for n, p in enumerate(_conversation_packets(third))]
    data = pcapng([([1, 276], section_one), ([101], section_two)], order=order)
    assert detect_kind(data) is CaptureKind.PCAPNG
    read = list(iter_packets([data]))
    assert len(read) == 21
    assert read[7].timestamp == pytest.approx(1_700_000_100.5, abs=1e-6)  # nanosecond interface
    assert {packet.linktype for packet in read} == {1, 276, 101}
    streams = reassemble(data)
    assert [stream.opened.client.port for stream in streams if stream.opened] == [
        40001,
        40002,
        40003,
    ]
    assert all(bytes(stream.client) == REQUEST for stream in streams)


def test_a_truncated_pcap_ends_with_a_note_not_an_error() -> None:
    data = pcap(timed([ethernet(p) for p in _conversation_packets(Conversation())]))
    reader = CaptureReader([data[:-10]])
    packets = list(reader)
    assert len(packets) == 6
    assert reader.notes
    assert "cut short" in reader.notes[0]


def test_a_truncated_pcapng_ends_with_a_note() -> None:
    data = pcapng([([1], [(0, 1.0, ethernet(p)) for p in _conversation_packets(Conversation())])])
    reader = CaptureReader([data[:-30]])
    assert len(list(reader)) == 6
    assert reader.notes


def test_a_record_claiming_a_huge_length_is_corruption() -> None:
    data = bytearray(pcap(timed([ethernet(Conversation().packet(True, b"x"))])))
    data[24 + 8 : 24 + 12] = (10**9).to_bytes(4, "little")
    with pytest.raises(CaptureError, match="corrupt"):
        list(iter_packets([bytes(data)]))


def test_a_packet_naming_an_undescribed_interface_is_an_error() -> None:
    data = pcapng([([1], [(0, 1.0, ethernet(Conversation().packet(True, b"x")))])])
    broken = data.replace(b"\x06\x00\x00\x00", b"\x06\x00\x00\x00", 1)
    position = broken.index(b"\x06\x00\x00\x00")
    broken = broken[: position + 8] + b"\x05\x00\x00\x00" + broken[position + 12 :]
    with pytest.raises(CaptureError, match="interface 5"):
        list(iter_packets([broken]))


def test_non_tcp_packets_are_not_segments() -> None:
    udp = ethernet(bytes.fromhex("4500001c000100004011") + b"\0\0" + bytes(8) + bytes(8))
    [packet] = list(iter_packets([pcap([(1.0, udp)])]))
    assert decode_packet(packet) is None
    arp = ethernet(b"\0" * 28, ethertype=0x0806)
    [packet] = list(iter_packets([pcap([(1.0, arp)])]))
    assert decode_packet(packet) is None


def test_segment_fields() -> None:
    talk = Conversation(client_seq=123, server_seq=456)
    [packet] = list(iter_packets([pcap([(2.5, ethernet(talk.packet(True, b"hi")))])]))
    segment = decode_packet(packet)
    assert isinstance(segment, TcpSegment)
    assert (segment.source_port, segment.destination_port, segment.seq, segment.ack) == (
        50000,
        80,
        123,
        456,
    )
    assert segment.payload == b"hi"
    assert segment.timestamp == 2.5


def test_detect_kind() -> None:
    assert detect_kind(b'{"log": {"version": "1.2"}}') is CaptureKind.HAR
    assert detect_kind(b"\n=====\nFollow: tcp,raw\n") is CaptureKind.FOLLOW
    assert detect_kind(b"\x81\x05hello") is CaptureKind.STREAM
