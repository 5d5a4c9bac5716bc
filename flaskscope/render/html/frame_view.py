"""One frame for the report: flags, header facts, the dump as sent coloured by region (the
terminal's regions, :func:`flaskscope.render.hexdump.frame_regions`) and the unmasked payload."""

from __future__ import annotations

from flaskscope.frames.frame import apply_mask
from flaskscope.frames.records import FrameRecord
from flaskscope.render.hexdump import frame_regions, hexdump_rows
from flaskscope.render.html.model import FrameView

__all__ = ["frame_view"]


def frame_view(record: FrameRecord, payload_bytes: int) -> FrameView:
    """The frame's header facts, its dump as sent (by region) and its unmasked payload, each
    cut to ``payload_bytes``."""
    header = record.header
    shown = record.payload[:payload_bytes]
    masked = header.mask_key is not None
    on_wire = apply_mask(shown, header.mask_key) if header.mask_key is not None else shown
    facts = [
        ("opcode", f"{header.opcode_name} (0x{header.opcode:x})"),
        ("length", f"{header.payload_length} ({header.length_encoding}-bit)"),
        ("header", f"{header.header_length} bytes"),
    ]
    if header.mask_key is not None:
        facts.append(("masking key", header.mask_key.hex()))
    if record.compressed:
        facts.append(("compressed", "yes (RSV1, permessage-deflate)"))
    if record.truncated:
        facts.append(("truncated", f"{record.received} of {header.payload_length} bytes present"))
    return FrameView(
        index=record.index,
        offset=record.offset,
        title=f"frame {record.index} at offset {record.offset}",
        flags=(
            ("FIN", header.fin),
            ("RSV1", header.rsv1),
            ("RSV2", header.rsv2),
            ("RSV3", header.rsv3),
            ("MASK", header.masked),
        ),
        facts=tuple(facts),
        wire_rows=tuple(hexdump_rows(frame_regions(header, on_wire), start_offset=record.offset)),
        unmasked_rows=tuple(hexdump_rows([(shown, "")])) if masked and shown else (),
        hidden_bytes=max(0, min(record.received, header.payload_length) - len(shown)),
        violations=(),
    )
