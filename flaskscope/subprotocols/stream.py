"""The subprotocol layer on top of the frame parser's event stream (what ``parse-frame``
runs): each :class:`MessageRecord` is handed to a :class:`ConversationDecoder` and comes back
followed at once by its :class:`DecodedMessage`; frames and frame violations pass through;
the decoder's violations join them.

A message waits here only while ``auto`` is still deciding or a Socket.IO packet waits for
its attachments (both bounded), so memory stays bounded by the decoders' limits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace

from flaskscope.frames.records import (
    FrameRecord,
    MessageRecord,
    StreamSummary,
    cut_frame,
    cut_message,
)
from flaskscope.frames.violations import Violation
from flaskscope.subprotocols.decoder import ConversationDecoder, Output
from flaskscope.subprotocols.model import DecodedMessage, WireMessage

__all__ = ["DECODE_KEEP", "StageEvent", "SubprotocolStage"]

DECODE_KEEP = 1 << 20
"""Bytes of each message the decoders read when the output keeps fewer (the people's view,
``--max-bytes``, ``--summary``): a longer message is shown, not judged; a longer Socket.IO
attachment is counted at its full size."""


StageEvent = FrameRecord | MessageRecord | Violation | DecodedMessage


class SubprotocolStage:
    """Decode the messages of one direction's event stream (``direction`` is asked at each
    message: the parser's role, known by the first frame)."""

    def __init__(
        self,
        decoder: ConversationDecoder,
        direction: Callable[[], str | None],
        *,
        keep: int | None = None,
        records: bool = True,
        on_settled: Callable[[str], None] | None = None,
    ) -> None:
        self.decoder = decoder
        self.direction = direction
        self.keep = keep
        """Payload bytes the records keep on the way out (None: as parsed)."""
        self.records_out = records
        """False for ``--summary``: records are decoded, then dropped."""
        self.on_settled = on_settled
        """Told the protocol once ``auto`` has chosen it (``none``: the parser can go back to
        keeping only what the output needs)."""
        self.settled = False
        self.records: dict[int, MessageRecord] = {}
        self.violations: Counter[str] = Counter()

    def events(self, batches: Iterable[Sequence[StageEvent]]) -> Iterator[list[StageEvent]]:
        """The batches with each message followed by its decoding (messages may be held)."""
        for batch in batches:
            out: list[StageEvent] = []
            for event in batch:
                if isinstance(event, MessageRecord):
                    self.records[event.index] = event
                    self._outputs(self.decoder.feed(self._wire(event)), out)
                    protocol = self.decoder.protocol
                    if not self.settled and protocol is not None:
                        self.settled = True
                        if self.on_settled is not None:
                            self.on_settled(protocol)
                elif isinstance(event, FrameRecord):
                    if self.records_out:
                        out.append(event if self.keep is None else cut_frame(event, self.keep))
                else:
                    out.append(event)
            yield out
        last: list[StageEvent] = []
        self._outputs(self.decoder.finish(), last)
        yield last

    def _wire(self, record: MessageRecord) -> WireMessage:
        return WireMessage(
            index=record.index,
            direction=self.direction(),
            opcode=record.opcode,
            payload=record.payload,
            frame=record.frames[0] if record.frames else None,
            complete=record.complete and record.payload_complete,
            length=record.length,
        )

    def _outputs(self, outputs: list[Output], out: list[StageEvent]) -> None:
        for output in outputs:
            if isinstance(output, DecodedMessage):
                record = self.records.pop(output.message, None)
                if not self.records_out:
                    continue
                if record is not None:
                    out.append(record if self.keep is None else cut_message(record, self.keep))
                out.append(output)
            else:
                self.violations[output.code] += 1
                out.append(output)

    def summary(self, frames: StreamSummary) -> StreamSummary:
        """The parser's totals with the protocol violations counted in."""
        if not self.violations:
            return frames
        merged = Counter(frames.violations)
        merged.update(self.violations)
        return replace(frames, violations=dict(merged))
