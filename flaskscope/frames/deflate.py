"""permessage-deflate (RFC 7692): decompress captured messages, compress built ones.

Decompression is bounded: every call gets an output budget, so a deflate bomb (a few KiB
that inflate to gigabytes) ends as a ``message-too-big`` violation, never as an
out-of-memory. Context takeover (§7.1.1, §7.1.2) is kept per direction: frames a client sent
use the ``client_*`` parameters, frames a server sent use the ``server_*`` ones.
"""

from __future__ import annotations

import zlib
from typing import Protocol

from flaskscope.errors import FlaskscopeError

__all__ = [
    "EMPTY_UNCOMPRESSED_BLOCK",
    "DecompressionFailed",
    "DeflateSettings",
    "Deflater",
    "Inflater",
    "MessageTooBig",
    "inflater_for",
]

EMPTY_UNCOMPRESSED_BLOCK = b"\x00\x00\xff\xff"
"""Removed from the end of each compressed message by the sender and appended back by the
receiver before inflating (RFC 7692 §7.2.1, §7.2.2)."""

MIN_ZLIB_WINDOW_BITS = 9
"""zlib turns a raw window of 8 bits into 9 when compressing, so 8 is inflated with 9 too."""


class DeflateSettings(Protocol):
    """Negotiated permessage-deflate parameters (``deflate_negotiation.DeflateParams``)."""

    @property
    def server_no_context_takeover(self) -> bool:
        """The server starts each message with an empty window (§7.1.1.1)."""

    @property
    def client_no_context_takeover(self) -> bool:
        """The client starts each message with an empty window (§7.1.1.2)."""

    @property
    def server_max_window_bits(self) -> int:
        """LZ77 window the server compresses with (§7.1.2.1)."""

    @property
    def client_max_window_bits(self) -> int:
        """LZ77 window the client compresses with (§7.1.2.2)."""


class DecompressionFailed(FlaskscopeError):
    """The compressed payload is not a valid raw DEFLATE stream (RFC 7692 §7.2.2)."""

    exit_code = 1


class MessageTooBig(FlaskscopeError):
    """Inflating went past the size limit (a deflate bomb, or just a very big message)."""

    exit_code = 1

    def __init__(self, limit: int) -> None:
        super().__init__(f"the decompressed message is larger than {limit} bytes")
        self.limit = limit


def _window(bits: int) -> int:
    return -max(MIN_ZLIB_WINDOW_BITS, min(15, bits))


class Inflater:
    """Decompresses the messages one endpoint sent, one message after the other."""

    def __init__(self, *, no_context_takeover: bool = False, max_window_bits: int = 15) -> None:
        self.no_context_takeover = no_context_takeover
        self.max_window_bits = max_window_bits
        self._inflater = zlib.decompressobj(wbits=_window(max_window_bits))
        self._fresh = True
        self._broken: str | None = None

    def begin_message(self) -> None:
        """Start a compressed message: a new window without context takeover (§7.2.2)."""
        if self._broken is not None:
            raise DecompressionFailed(self._broken)
        if self.no_context_takeover and not self._fresh:
            self._inflater = zlib.decompressobj(wbits=_window(self.max_window_bits))
        self._fresh = False

    def feed(self, data: bytes, budget: int) -> bytes:
        """Inflate a chunk of the message, producing at most ``budget`` bytes.

        Raises :class:`MessageTooBig` past the budget and :class:`DecompressionFailed` for a
        corrupt stream; either one leaves a context-takeover inflater unusable, and later
        messages say so rather than being decoded against a wrong window.
        """
        if self._broken is not None:
            raise DecompressionFailed(self._broken)
        try:
            output = self._inflater.decompress(data, max(budget, 0) + 1)
        except zlib.error as error:
            self._break("an earlier compressed message could not be inflated")
            raise DecompressionFailed(f"invalid DEFLATE data: {error}") from error
        if len(output) > budget or self._inflater.unconsumed_tail:
            self._break("an earlier compressed message was too big to inflate")
            raise MessageTooBig(budget)
        return output

    def end_message(self, budget: int, last: bytes = b"") -> bytes:
        """Inflate the message's ``last`` compressed bytes with ``00 00 ff ff`` appended
        (§7.2.2) and return its last decompressed bytes."""
        return self.feed(last + EMPTY_UNCOMPRESSED_BLOCK, budget)

    def _break(self, reason: str) -> None:
        """After a failure: without context takeover the next message starts afresh; with
        it the shared window is lost, so every later message must fail too."""
        if self.no_context_takeover:
            self._fresh = True
            self._inflater = zlib.decompressobj(wbits=_window(self.max_window_bits))
        else:
            self._broken = f"{reason}; its window is lost (context takeover, RFC 7692 §7.1.1)"


class Deflater:
    """Compresses messages the way an endpoint would send them (RFC 7692 §7.2.1)."""

    def __init__(self, *, no_context_takeover: bool = False, max_window_bits: int = 15) -> None:
        self.no_context_takeover = no_context_takeover
        self.max_window_bits = max_window_bits
        self._deflater = self._new()

    def _new(self) -> zlib._Compress:
        return zlib.compressobj(
            zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, _window(self.max_window_bits)
        )

    def compress(self, message: bytes) -> bytes:
        """One message's compressed payload, without the trailing ``00 00 ff ff``."""
        if self.no_context_takeover:
            self._deflater = self._new()
        data = self._deflater.compress(message) + self._deflater.flush(zlib.Z_SYNC_FLUSH)
        if data.endswith(EMPTY_UNCOMPRESSED_BLOCK):
            data = data[: -len(EMPTY_UNCOMPRESSED_BLOCK)]
        return data


def inflater_for(settings: DeflateSettings, role: str) -> Inflater:
    """The inflater for the frames that ``role`` (``client`` or ``server``) sent: each side
    compresses with its own parameters (``client_*`` for a client, ``server_*``, §7.1)."""
    if role == "client":
        return Inflater(
            no_context_takeover=settings.client_no_context_takeover,
            max_window_bits=settings.client_max_window_bits,
        )
    return Inflater(
        no_context_takeover=settings.server_no_context_takeover,
        max_window_bits=settings.server_max_window_bits,
    )
