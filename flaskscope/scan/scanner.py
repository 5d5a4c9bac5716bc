"""The scan itself: recognise each input, turn it into connections, analyse them, and keep
the distinct cookies across all of them (pure: chunks of bytes in, reports out).

Connections are reported as they close, so a capture of any size is read in bounded memory
(:mod:`flaskscope.captures.tcp` releases a connection's state when it ends). Ids run across
all the files of one scan, in the order the connections open.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import replace

from flaskscope.captures.containers import PROBE, CaptureKind, CaptureReader, detect_kind
from flaskscope.captures.errors import CaptureError
from flaskscope.captures.follow import parse_follow
from flaskscope.captures.har import parse_har
from flaskscope.captures.links import SUPPORTED_LINKTYPES, decode_packet
from flaskscope.captures.tcp import (
    ConnectionClosed,
    ConnectionOpened,
    StreamData,
    StreamGap,
    TcpEvent,
    TcpReassembler,
)
from flaskscope.handshake.accept import Check
from flaskscope.scan.connection import ConnectionAnalyzer
from flaskscope.scan.cookies import CookieBook
from flaskscope.scan.har import har_reports
from flaskscope.scan.http import looks_like_http
from flaskscope.scan.model import ConnectionReport, CookieFinding
from flaskscope.scan.settings import ScanSettings

__all__ = ["Scanner"]

MAX_TEXT_INPUT = 256 * 1024 * 1024
"""A follow dump is text read whole: larger ones are refused."""


MAX_SHARED_CHECKS = 100_000
"""Distinct handshake checks remembered for sharing (a bound, whatever the capture holds)."""


class Scanner:
    """Scan one or more inputs with :meth:`scan`; then :meth:`cookies` and :meth:`audit`."""

    def __init__(self, settings: ScanSettings) -> None:
        self.settings = settings
        self.book = CookieBook(settings.cookies)
        self.next_id = 0
        self.packets = 0
        self.notes: list[str] = []
        self.kinds: dict[str, str] = {}
        self._checks: dict[Check, Check] = {}

    # -- entry point -----------------------------------------------------------------------

    def scan(self, name: str, chunks: Iterable[bytes]) -> Iterator[ConnectionReport]:
        """The connections of one input, each reported when it ends."""
        iterator = iter(chunks)
        head = b""
        pieces: list[bytes] = []
        while len(head) < PROBE:
            chunk = next(iterator, None)
            if chunk is None:
                break
            pieces.append(chunk)
            head += chunk
        if not head:
            raise CaptureError(f"{name} is empty")
        kind = detect_kind(head[:PROBE])
        self.kinds[name] = kind.value
        rest = itertools.chain(pieces, iterator)
        if kind in (CaptureKind.PCAP, CaptureKind.PCAPNG):
            return self._packets(name, rest)
        if kind is CaptureKind.HAR:
            return self._har(name, rest)
        if kind is CaptureKind.FOLLOW:
            return self._follow(name, rest)
        return self._stream(name, head, rest)

    # -- pcap and pcapng -------------------------------------------------------------------

    def _packets(self, name: str, chunks: Iterable[bytes]) -> Iterator[ConnectionReport]:
        reader = CaptureReader(chunks, name=name)
        reassembler = TcpReassembler()
        analyzers: dict[int, ConnectionAnalyzer | None] = {}
        base = self.next_id
        problems: dict[str, int] = {}
        not_tcp = tcp = 0
        last = 0.0
        for packet in reader:
            self.packets += 1
            segment = decode_packet(packet)
            if segment is None:
                not_tcp += 1
                continue
            if isinstance(segment, str):
                problems[segment] = problems.get(segment, 0) + 1
                continue
            tcp += 1
            last = packet.timestamp if packet.timestamp > last else last
            for event in reassembler.add(segment):
                report = self._event(event, analyzers, base, name)
                if report is not None:
                    yield report
        for event in reassembler.finish(last):
            report = self._event(event, analyzers, base, name)
            if report is not None:
                yield report
        self.next_id = base + reassembler.connections_seen
        self.notes.extend(reader.notes)
        for problem, count in sorted(problems.items()):
            self.notes.append(f"{name}: {count} packets skipped: {problem}")
        unknown = sorted(set(reader.linktypes) - set(SUPPORTED_LINKTYPES))
        if unknown and not tcp:
            self.notes.append(
                f"{name}: link type {', '.join(map(str, unknown))} is not read (supported: "
                "Ethernet, Linux SLL/SLL2, BSD loopback, raw IP)"
            )
        if not tcp:
            self.notes.append(f"{name}: no TCP segment in {self.packets} packets")

    def _event(
        self,
        event: TcpEvent,
        analyzers: dict[int, ConnectionAnalyzer | None],
        base: int,
        name: str,
    ) -> ConnectionReport | None:
        if isinstance(event, StreamData):
            analyzer = analyzers.get(event.connection)
            if analyzer is not None:
                analyzer.data(event)
        elif isinstance(event, ConnectionOpened):
            number = base + event.connection
            wanted = self.settings.connection is None or self.settings.connection == number
            analyzers[event.connection] = (
                ConnectionAnalyzer(
                    number,
                    name,
                    client=str(event.client),
                    server=str(event.server),
                    start=event.timestamp,
                    syn_seen=event.syn_seen,
                    settings=self.settings,
                    cookies=self.book,
                )
                if wanted
                else None
            )
        elif isinstance(event, StreamGap):
            analyzer = analyzers.get(event.connection)
            if analyzer is not None:
                analyzer.gap(event)
        elif isinstance(event, ConnectionClosed):
            analyzer = analyzers.pop(event.connection, None)
            if analyzer is not None:
                return self._shared(analyzer.close(event))
        return None

    def _shared(self, report: ConnectionReport) -> ConnectionReport:
        """The report with its handshake checks shared with earlier connections'.

        A caller listing every connection at the end keeps every report; 22 checks are
        about 9 KiB a connection, and between one client and one server most are the same
        words (only the key and the accept differ), so each distinct check is kept once:
        a 1 GiB capture of 4,020 connections otherwise went past 256 MiB.
        """
        handshake = report.handshake
        if handshake is None:
            return report
        if len(self._checks) > MAX_SHARED_CHECKS:
            self._checks.clear()
        checks = tuple(self._checks.setdefault(check, check) for check in handshake.checks)
        return replace(report, handshake=replace(handshake, checks=checks))

    # -- HAR -------------------------------------------------------------------------------

    def _har(self, name: str, chunks: Iterable[bytes]) -> Iterator[ConnectionReport]:
        data = _read_whole(name, chunks)
        entries = parse_har(data, name=name)
        base = self.next_id
        self.next_id += len(entries)
        return har_reports(
            entries, first_id=base, source=name, settings=self.settings, book=self.book
        )

    # -- tshark follow dumps and raw streams -----------------------------------------------

    def _follow(self, name: str, chunks: Iterable[bytes]) -> Iterator[ConnectionReport]:
        text = _read_whole(name, chunks).decode("utf-8", "replace")
        streams = parse_follow(text)
        now = self.settings.now
        for stream in streams:
            number = self.next_id
            self.next_id += 1
            if self.settings.connection is not None and self.settings.connection != number:
                continue
            analyzer = ConnectionAnalyzer(
                number,
                name,
                client=stream.client or "node 0",
                server=stream.server or "node 1",
                start=now,
                syn_seen=True,
                settings=self.settings,
                cookies=self.book,
                timed=False,
            )
            offsets = {True: 0, False: 0}
            for from_client, data in stream.chunks:
                analyzer.data(StreamData(number, from_client, data, now, 0, offsets[from_client]))
                offsets[from_client] += len(data)
            yield analyzer.close(
                ConnectionClosed(number, now, "end-of-dump", offsets[True], offsets[False], 0, 0)
            )
        self.notes.append(f"{name}: a tshark follow dump has no timestamps: cookies judged now")

    def _stream(
        self, name: str, head: bytes, chunks: Iterable[bytes]
    ) -> Iterator[ConnectionReport]:
        """One direction's raw bytes (what ``parse-frame`` reads): an HTTP request head
        makes them a client's, a response head a server's; frames alone are read from the
        first frame boundary, their role from the mask bit."""
        now = self.settings.now
        number = self.next_id
        self.next_id += 1
        from_client = not head.startswith(b"HTTP/1.")
        syn_seen = looks_like_http(head)
        analyzer = ConnectionAnalyzer(
            number,
            name,
            client="(client)",
            server="(server)",
            start=now,
            syn_seen=syn_seen,
            settings=self.settings,
            cookies=self.book,
            timed=False,
        )
        offset = 0
        for chunk in chunks:
            analyzer.data(StreamData(number, from_client, chunk, now, 0, offset))
            offset += len(chunk)
        report = analyzer.close(
            ConnectionClosed(
                number,
                now,
                "end-of-dump",
                offset if from_client else 0,
                0 if from_client else offset,
                0,
                0,
            )
        )
        if report.kind == "other":
            raise CaptureError(
                f"{name} is not a capture: not pcap, pcapng, a HAR or a tshark follow dump, "
                "and its bytes are neither HTTP nor WebSocket frames"
            )
        if self.settings.connection is None or self.settings.connection == number:
            yield report

    # -- cookies ---------------------------------------------------------------------------

    def cookies(self) -> list[CookieFinding]:
        return self.book.findings()

    def audit(self, candidate_batches: Iterable[list[bytes]]) -> int:
        """Search the candidates for every signed cookie's key; returns candidates tried."""
        tried, _ = self.book.audit(candidate_batches)
        return tried


def _read_whole(name: str, chunks: Iterable[bytes]) -> bytes:
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size > MAX_TEXT_INPUT:
            raise CaptureError(f"{name} is larger than {MAX_TEXT_INPUT // (1024 * 1024)} MiB")
    return b"".join(parts)
