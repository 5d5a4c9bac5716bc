"""One TCP connection of a capture: classified (HTTP, WebSocket, TLS, other) and analysed as
its bytes come, in bounded memory.

HTTP/1.x (RFC 9112) requests are paired with responses; a request asking to upgrade to
WebSocket holds the client's later bytes back until its response is seen (RFC 6455 §4.1: the
client may send frames only after the 101). After a 101 the opening handshake is checked
(:func:`flaskscope.handshake.check.check_handshake`) and both directions go through the frame
parser, with the role known from the direction and the permessage-deflate parameters from the
response (RFC 7692 §7). A connection whose start is not in the capture is recognised from its
frames (the masked side is the client, §5.1). TLS (a handshake record, RFC 8446 §5.1) is
listed, not parsed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

from flaskscope.captures.tcp import ConnectionClosed, StreamData, StreamGap
from flaskscope.frames.records import (
    FrameRecord,
    MessageRecord,
    StreamSummary,
    cut_frame,
    cut_message,
)
from flaskscope.frames.violations import Violation
from flaskscope.handshake.accept import HandshakeReport
from flaskscope.scan.cookies import CookieBook, cookie_in_set_cookie, cookies_in_request
from flaskscope.scan.http import (
    HttpDirection,
    HttpHeadRecord,
    content_length,
    looks_like_http,
    start_line_in,
)
from flaskscope.scan.model import (
    ConnectionReport,
    CookieSighting,
    Exchange,
    ScanFrame,
    ScanGap,
    ScanMessage,
    ScanViolation,
)
from flaskscope.scan.settings import ScanSettings
from flaskscope.scan.subprotocol import ConnectionDecoding, DecodingOutput
from flaskscope.scan.websocket import DirectionEvents, WebSocketDirection, find_frame_boundary
from flaskscope.subprotocols.model import DecodedMessage
from flaskscope.subprotocols.stream import DECODE_KEEP

__all__ = ["MAX_HELD_BACK", "TLS_HINT", "ConnectionAnalyzer"]

MAX_LISTED = 1000
"""Gaps and notes listed per connection (the gaps are all counted)."""

MAX_HELD_BACK = 1024 * 1024
"""Client bytes held back while an upgrade request waits for its response."""

TLS_HINT = (
    "TLS, not parsed: decrypt it first (Wireshark with an SSLKEYLOGFILE), export a pcap or HAR"
)


def _upgrades_to_websocket(head: HttpHeadRecord) -> bool:
    return (head.get("Upgrade") or "").strip().lower() == "websocket"


def _is_tls(data: bytes) -> bool:
    """A TLS handshake record: content type 22, version 3.x (RFC 8446 §5.1)."""
    return len(data) >= 3 and data[0] == 0x16 and data[1] == 0x03 and data[2] <= 0x04


class ConnectionAnalyzer:
    """Feed it a connection's events in capture order; :meth:`close` gives its report."""

    def __init__(
        self,
        number: int,
        source: str,
        *,
        client: str,
        server: str,
        start: float,
        syn_seen: bool,
        settings: ScanSettings,
        cookies: CookieBook,
        timed: bool = True,
    ) -> None:
        self.timed = timed
        self.id = number
        self.source = source
        self.settings = settings
        self.book = cookies
        self.client = client
        self.server = server
        self.start = start
        self.syn_seen = syn_seen
        self.swapped = False
        self.kind: str | None = None
        self.exchanges: list[Exchange] = []
        self.exchange_count = 0
        self.waiting: deque[HttpHeadRecord] = deque()
        self.cookie_ids: dict[int, None] = {}
        self.handshake: HandshakeReport | None = None
        self.deflate_text: str | None = None
        self.upgrade_request: HttpHeadRecord | None = None
        self.held_back = bytearray()
        self.client_http: HttpDirection | None = None
        self.server_http: HttpDirection | None = None
        self.ws: dict[str, WebSocketDirection] = {}
        self.frames: list[ScanFrame] = []
        self.frames_omitted = 0
        self.messages: list[ScanMessage] = []
        self.messages_omitted = 0
        self.violations: list[ScanViolation] = []
        self.violation_counts: dict[str, int] = {}
        self.gaps: list[ScanGap] = []
        self.gaps_omitted = 0
        self.gap_bytes_omitted = 0
        self.notes: list[str] = []
        self.role_inferred = False
        self.resync_http: set[str] = set()
        """Directions that had a gap before their HTTP parser existed."""
        self.decoding: ConnectionDecoding | None = None
        self.decoded: dict[int, DecodedMessage] = {}
        """Decodings of the listed messages, by connection-wide message number."""
        self.listed_numbers: set[int] = set()
        self.decoded_counts: dict[str, int] = {}
        self.undecoded = False
        """``auto`` settled on none: the parsers went back to what the output keeps."""
        self.counting = False
        """The listing is full and nothing is decoded: the parsers only count."""
        if not syn_seen:
            self.notes.append("the connection began before the capture (no SYN seen)")

    # -- input -----------------------------------------------------------------------------

    def data(self, event: StreamData) -> None:
        from_client = event.from_client != self.swapped
        data, timestamp = event.data, event.timestamp
        if self.kind is None:
            self._classify(data, from_client)
            from_client = event.from_client != self.swapped
        if self.kind == "http":
            self._http(data, from_client, timestamp)
        elif self.kind == "websocket":
            self._websocket(data, from_client, timestamp)

    def _classify(self, data: bytes, from_client: bool) -> None:
        if _is_tls(data):
            self.kind = "tls"
            self.notes.append(TLS_HINT)
            return
        direction = "client" if from_client else "server"
        if direction in self.resync_http and start_line_in(data, response=not from_client):
            self.kind = "http"
            return
        if looks_like_http(data, response=False):
            self.kind = "http"
            if not from_client and not self.syn_seen:
                self._swap()
            return
        if data.startswith(b"HTTP/1."):
            self.kind = "http"
            if from_client and not self.syn_seen:
                self._swap()
            elif not self.syn_seen:
                self.notes.append(
                    "the first bytes are a response: its request is not in the capture"
                )
            return
        if not self.syn_seen:
            boundary, _ = find_frame_boundary(data, None)
            if boundary is not None:
                from flaskscope.frames.frame import parse_header

                header = parse_header(data, boundary)
                masked = not isinstance(header, int) and header.masked
                if masked != from_client:
                    self._swap()
                self.kind = "websocket"
                self.role_inferred = True
                self.notes.append(
                    "no opening handshake in the capture: the roles are inferred from the mask "
                    "bits (§5.1), permessage-deflate parameters are unknown (RFC 7692 defaults "
                    "assumed)"
                )
                self._start_websocket(None, aligned=False, context_known=False)
                return
        self.kind = "other"

    def _swap(self) -> None:
        self.swapped = not self.swapped
        self.client, self.server = self.server, self.client

    def gap(self, event: StreamGap) -> None:
        direction = "client" if event.from_client != self.swapped else "server"
        consequence = "nothing is parsed in this direction after it"
        ws = self.ws.get(direction)
        if ws is not None:
            events, consequence = ws.gap(event.size)
            self._ws_events(direction, events, event.timestamp)
        elif self.kind in ("http", None):
            http = self.client_http if direction == "client" else self.server_http
            if http is None:
                self.resync_http.add(direction)
                consequence = "HTTP parsing starts at the first start line after it"
            else:
                in_head = http.gap()
                consequence = "HTTP parsing resumes at the next start line after it"
                if direction == "server" and in_head and self.waiting:
                    lost = self.waiting.popleft()  # its response was in the missing bytes
                    self.exchanges.append(Exchange(lost.method, lost.target, lost.timestamp))
                    self.exchange_count += 1
        if len(self.gaps) < MAX_LISTED:
            self.gaps.append(
                ScanGap(
                    direction, event.offset, event.size, event.timestamp, event.reason, consequence
                )
            )
        else:
            self.gaps_omitted += 1
            self.gap_bytes_omitted += event.size

    # -- HTTP ------------------------------------------------------------------------------

    def _http(self, data: bytes, from_client: bool, timestamp: float) -> None:
        if from_client:
            if self.upgrade_request is not None:
                if len(self.held_back) + len(data) <= MAX_HELD_BACK:
                    self.held_back += data
                return
            if self.client_http is None:
                self.client_http = HttpDirection(is_request=True, body_rule=self._request_rule)
                if "client" in self.resync_http:
                    self.client_http.gap()
            heads, _rest = self.client_http.feed(data, timestamp)
            for head in heads:
                self._request(head)
            if self.upgrade_request is not None and _rest:
                self.held_back += _rest
        else:
            if self.server_http is None:
                self.server_http = HttpDirection(is_request=False, body_rule=self._response_rule)
                if "server" in self.resync_http:
                    self.server_http.gap()
            heads, rest = self.server_http.feed(data, timestamp)
            for head in heads:
                self._response(head)
            if self.kind == "websocket" and rest:
                self._websocket(rest, False, timestamp)

    def _request_rule(self, head: HttpHeadRecord) -> str:
        if head.has_token("Connection", "upgrade") and head.get("Upgrade") is not None:
            return "upgrade"
        if head.has_token("Transfer-Encoding", "chunked"):
            return "chunked"
        length = content_length(head)
        return f"length:{length}" if length else "none"

    def _response_rule(self, head: HttpHeadRecord) -> str:
        status = head.status or 0
        request = self.waiting[0] if self.waiting else None
        if status == 101:
            return "upgrade"
        if 100 <= status < 200 or status in (204, 304):
            return "none"
        if request is not None and request.method == "HEAD":
            return "none"
        if head.has_token("Transfer-Encoding", "chunked"):
            return "chunked"
        if head.get("Content-Length") is not None:
            length = content_length(head)
            return f"length:{length}" if length else "none"
        return "close"

    def _request(self, head: HttpHeadRecord) -> None:
        if len(self.waiting) >= MAX_LISTED:  # requests nobody answers: keep memory bounded
            unanswered = self.waiting.popleft()
            self.exchange_count += 1
            if len(self.exchanges) < self.settings.max_exchanges:
                self.exchanges.append(
                    Exchange(unanswered.method, unanswered.target, unanswered.timestamp)
                )
        self.waiting.append(head)
        names = self.settings.cookies.names
        for field in head.get_all("Cookie"):
            for name, value in cookies_in_request(field, names):
                self._cookie(name, value, "Cookie", head.timestamp)
        if head.has_token("Connection", "upgrade") and head.get("Upgrade") is not None:
            self.upgrade_request = head

    def _response(self, head: HttpHeadRecord) -> None:
        status = head.status or 0
        names = self.settings.cookies.names
        for field in head.get_all("Set-Cookie"):
            found = cookie_in_set_cookie(field, names)
            if found is not None:
                self._cookie(found[0], found[1], "Set-Cookie", head.timestamp)
        if 100 <= status < 200 and status != 101:
            return
        request = self.waiting.popleft() if self.waiting else None
        self.exchange_count += 1
        if len(self.exchanges) < self.settings.max_exchanges:
            self.exchanges.append(
                Exchange(
                    request.method if request else "?",
                    request.target if request else "?",
                    request.timestamp if request else head.timestamp,
                    status,
                    head.reason,
                    head.timestamp,
                )
            )
        if request is None and status == 101 and _upgrades_to_websocket(head):
            self.notes.append(
                "the upgrade request is not in the capture: the handshake is not checked"
            )
            self._upgraded(None, head)
            return
        upgrade = self.upgrade_request
        if upgrade is not None and request is upgrade:
            self.upgrade_request = None
            if status == 101 and _upgrades_to_websocket(head):
                self._upgraded(upgrade, head)
            else:
                held = bytes(self.held_back)
                self.held_back.clear()
                self.client_http = HttpDirection(is_request=True, body_rule=self._request_rule)
                if held:
                    self._http(held, True, head.timestamp)

    def _cookie(self, name: str, value: str, header: str, timestamp: float) -> None:
        if timestamp <= 0:  # no time in the capture (pcapng simple packet blocks): now
            timestamp = self.settings.now
        found = self.book.see(name, value, CookieSighting(self.id, header, timestamp))
        if found is not None:
            self.cookie_ids[found] = None

    def _upgraded(self, request: HttpHeadRecord | None, response: HttpHeadRecord) -> None:
        from flaskscope.handshake.check import check_handshake
        from flaskscope.handshake.response_rules import negotiated_deflate

        self.kind = "websocket"
        if request is not None:
            self.handshake = check_handshake(request.raw, response.raw)
        deflate = None
        try:
            deflate = negotiated_deflate(response.raw)
        except Exception as error:  # a broken extension header: the checklist says why
            self.notes.append(f"permessage-deflate parameters not usable: {error}")
        if deflate is not None:
            self.deflate_text = ", ".join(response.get_all("Sec-WebSocket-Extensions"))
        self._start_websocket(
            deflate,
            aligned=True,
            context_known=True,
            request=None if request is None else request.raw,
            response=response.raw,
        )
        held = bytes(self.held_back)
        self.held_back.clear()
        if held:
            self._websocket(held, True, response.timestamp)

    # -- WebSocket -------------------------------------------------------------------------

    def _start_websocket(
        self,
        deflate: object,
        *,
        aligned: bool,
        context_known: bool,
        request: bytes | None = None,
        response: bytes | None = None,
    ) -> None:
        if self.settings.only == "cookies":
            return
        from flaskscope.handshake.deflate_negotiation import DeflateParams

        settings = self.settings
        if not context_known:
            deflate = DeflateParams()
        keep = settings.keep if settings.records else 0
        records = settings.records
        if settings.subprotocol != "none":
            self.decoding = ConnectionDecoding(
                settings.subprotocol, request=request, response=response
            )
            # The protocols read up to DECODE_KEEP of each message (records are cut to
            # ``keep`` when listed); once ``auto`` settles on none, back to the fast path.
            keep, records = max(keep, DECODE_KEEP), True
        for role in ("client", "server"):
            self.ws[role] = WebSocketDirection(
                role=role,
                deflate=deflate,  # type: ignore[arg-type]
                keep=keep,
                records=records,
                max_message_size=settings.max_message_size,
                aligned=aligned,
                context_known=context_known,
                # Frames and violations past what the report lists are only counted: a
                # flood of tiny broken frames then costs counts, not a record each.
                frame_records=settings.records and settings.max_frames > 0,
                max_violation_events=settings.max_violations,
            )

    def _websocket(self, data: bytes, from_client: bool, timestamp: float) -> None:
        direction = "client" if from_client else "server"
        ws = self.ws.get(direction)
        if ws is None:
            return
        self._ws_events(direction, ws.feed(data), timestamp)

    def _ws_events(self, direction: str, events: DirectionEvents, timestamp: float) -> None:
        settings = self.settings
        keep = settings.keep
        for event in events:
            if isinstance(event, FrameRecord):
                if not settings.records:
                    continue
                if len(self.frames) < settings.max_frames:
                    self.frames.append(ScanFrame(direction, timestamp, cut_frame(event, keep)))
                    if len(self.frames) == settings.max_frames:
                        for ws in self.ws.values():
                            ws.stop_frame_records()
                else:
                    self.frames_omitted += 1
            elif isinstance(event, MessageRecord):
                number = None
                if self.decoding is not None:
                    number, found = self.decoding.feed_record(direction, timestamp, event)
                    self._decoding(found, timestamp)
                if not settings.records and not settings.on_message:
                    continue  # --summary: counted by the parser, decoded above
                message = ScanMessage.from_record(
                    self.id, direction, timestamp, cut_message(event, keep), number
                )
                for hook in settings.on_message:
                    hook(message)
                if not settings.records:
                    continue
                if len(self.messages) < settings.max_frames:
                    self.messages.append(message)
                    if number is not None:
                        self.listed_numbers.add(number)
                else:
                    self.messages_omitted += 1
            elif isinstance(event, Violation):
                self._violation(direction, event, timestamp)
            elif len(self.notes) < MAX_LISTED:
                self.notes.append(f"{direction}: {event}")
        if not self.counting and self._listing_full():
            self.counting = True
            for ws in self.ws.values():
                ws.count_only()

    def _listing_full(self) -> bool:
        """Frames and messages are listed up to --max-frames, nothing is decoded
        (``--subprotocol none``: after ``auto`` settles on none, every message still counts
        in ``decoded_counts``) and no hook reads the messages: the rest of the connection is
        only counted."""
        settings = self.settings
        return (
            settings.records
            and not settings.on_message
            and self.decoding is None
            and len(self.frames) >= settings.max_frames
            and len(self.messages) >= settings.max_frames
        )

    def _violation(self, direction: str, event: Violation, timestamp: float) -> None:
        self.violation_counts[event.code] = self.violation_counts.get(event.code, 0) + 1
        if len(self.violations) < self.settings.max_violations:
            self.violations.append(
                ScanViolation(
                    direction, event.code, event.frame, event.message, event.rfc, timestamp
                )
            )

    def _decoding(self, found: DecodingOutput, timestamp: float) -> None:
        """Keep the decodings of listed messages; protocol faults join the violations."""
        for decoded in found.decoded:
            label = decoded.kind
            self.decoded_counts[label] = self.decoded_counts.get(label, 0) + 1
            listed = decoded.message in self.listed_numbers
            if self.settings.records and (
                listed or len(self.listed_numbers) < self.settings.max_frames
            ):
                self.decoded[decoded.message] = decoded
        for direction, violation in found.violations:
            self._violation(direction, violation, timestamp)
        decoding = self.decoding
        if decoding is not None and not self.undecoded and self._nothing_to_decode(decoding):
            self.undecoded = True  # parse as fast as --subprotocol none from here on
            self.decoded_counts.clear()  # counts of the first messages only would mislead
            records = self.settings.records
            for ws in self.ws.values():
                ws.set_output(keep=self.settings.keep if records else 0, records=records)

    def _nothing_to_decode(self, decoding: ConnectionDecoding) -> bool:
        """``auto`` found no protocol; or, when nothing is listed (``--summary``), JSON
        recognised from the content, whose decoder judges nothing (``json-bad-json`` needs
        ``--subprotocol json``): decoding every message would only cost time."""
        if decoding.protocol == "none":
            return True
        detection = decoding.detection
        return (
            decoding.protocol == "json"
            and detection is not None
            and detection.source != "option"
            and not self.settings.records
            and not self.settings.on_message
        )

    # -- the end ---------------------------------------------------------------------------

    def close(self, event: ConnectionClosed) -> ConnectionReport:
        if self.upgrade_request is not None and self.held_back and not self.ws:
            # the client's frames after an upgrade request whose answer is not in the input
            self.kind = "websocket"
            self.notes.append(
                "the response to the upgrade request is not in the capture: the frames after "
                "it are parsed as a client's, permessage-deflate parameters unknown (an offer "
                "does not fix them; RFC 7692 defaults assumed)"
            )
            self._start_websocket(None, aligned=True, context_known=False)
            held = bytes(self.held_back)
            self.held_back.clear()
            self._websocket(held, True, event.timestamp)
        for direction, ws in self.ws.items():
            self._ws_events(direction, ws.finish(), event.timestamp)
            if self.settings.records:
                self.frames_omitted += ws.frames_unrecorded()
                self.messages_omitted += ws.messages_unrecorded()
            for code, count in ws.violations_unreported().items():
                self.violation_counts[code] = self.violation_counts.get(code, 0) + count
        if self.decoding is not None:
            self._decoding(self.decoding.finish(), event.timestamp)
        messages = tuple(
            message
            if message.number is None or message.number not in self.decoded
            else replace(message, decoded=self.decoded[message.number])
            for message in self.messages
        )
        for request in self.waiting:
            self.exchange_count += 1
            if len(self.exchanges) < self.settings.max_exchanges:
                self.exchanges.append(Exchange(request.method, request.target, request.timestamp))
        if self.exchange_count > len(self.exchanges):
            self.notes.append(
                f"{self.exchange_count - len(self.exchanges)} more HTTP exchanges not listed"
            )
        for direction, http in (("client", self.client_http), ("server", self.server_http)):
            if http is not None and http.broken is not None:
                self.notes.append(f"{direction}: HTTP parsing stopped: {http.broken}")
        if event.reason == "capture-end":
            self.notes.append("the capture ends before the connection does")
        client_bytes, server_bytes = event.client_bytes, event.server_bytes
        if self.swapped:
            client_bytes, server_bytes = server_bytes, client_bytes
        return ConnectionReport(
            id=self.id,
            source=self.source,
            client=self.client,
            server=self.server,
            start=self.start,
            end=event.timestamp,
            kind=self.kind or "other",
            began_before_capture=not self.syn_seen,
            client_bytes=client_bytes,
            server_bytes=server_bytes,
            exchanges=tuple(self.exchanges),
            cookies=tuple(self.cookie_ids),
            handshake=self.handshake,
            frames=tuple(self.frames),
            frames_omitted=self.frames_omitted,
            messages=messages,
            messages_omitted=self.messages_omitted,
            violations=tuple(self.violations),
            violation_counts=dict(self.violation_counts),
            summaries={direction: _summary(ws) for direction, ws in self.ws.items()},
            gaps=tuple(self.gaps),
            gaps_omitted=self.gaps_omitted,
            gap_bytes_omitted=self.gap_bytes_omitted,
            notes=tuple(self.notes),
            retransmitted_bytes=event.retransmitted,
            role_inferred=self.role_inferred,
            deflate=self.deflate_text,
            timed=self.timed,
            subprotocol=None if self.decoding is None else self.decoding.detection,
            decoded_counts=dict(self.decoded_counts),
        )


def _summary(ws: WebSocketDirection) -> StreamSummary:
    """Counts over every parser of a direction (one more after each resynchronisation)."""
    total = StreamSummary()
    frames: dict[str, int] = {}
    messages: dict[str, int] = {}
    violations: dict[str, int] = {}
    stream_bytes = payload_bytes = 0
    for parser in ws.parsers:
        summary = parser.summary()
        stream_bytes += summary.stream_bytes
        payload_bytes += summary.payload_bytes
        for into, counts in (
            (frames, summary.frames),
            (messages, summary.messages),
            (violations, summary.violations),
        ):
            for name, count in counts.items():
                into[name] = into.get(name, 0) + count
    if not ws.parsers:
        return total
    return StreamSummary(stream_bytes, payload_bytes, frames, messages, violations)
