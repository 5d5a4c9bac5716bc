"""Whole captures that start with the HTTP upgrade: the head taken off, what it says about the
frames (role, permessage-deflate), checked against a connection wsproto made and used."""

from __future__ import annotations

import pytest
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, BytesMessage, Request, TextMessage
from wsproto.extensions import PerMessageDeflate

from flaskscope.errors import InputError
from flaskscope.frames.capture import (
    MAX_HTTP_HEAD,
    collect_events,
    settings_from_head,
    split_http_head,
)
from flaskscope.frames.stream import FrameParser
from flaskscope.handshake.deflate_negotiation import DeflateParams

MESSAGES = ["hello", "héllo " * 50, b"\x00\x01binary"]


def _server_capture() -> tuple[bytes, bytes, bytes]:
    """(the server's 101 response, the server's frames after it, the client's request head),
    as wsproto sends them with permessage-deflate negotiated (server window 10 bits)."""
    client = WSConnection(ConnectionType.CLIENT)
    request = client.send(
        Request(
            host="example.com",
            target="/ws",
            extensions=[PerMessageDeflate(client_max_window_bits=9, server_max_window_bits=10)],
        )
    )
    server = WSConnection(ConnectionType.SERVER)
    server.receive_data(request)
    assert isinstance(next(server.events()), Request)
    response = server.send(
        AcceptConnection(
            extensions=[PerMessageDeflate(client_max_window_bits=9, server_max_window_bits=10)]
        )
    )
    frames = b"".join(
        server.send(TextMessage(data=m) if isinstance(m, str) else BytesMessage(data=m))
        for m in MESSAGES
    )
    return response, frames, request


def _chunked(data: bytes, size: int) -> list[bytes]:
    return [data[start : start + size] for start in range(0, len(data), size)]


@pytest.mark.parametrize("chunk_size", [1, 7, 100, 4096, 1 << 20])
def test_head_is_split_off_whatever_the_chunking(chunk_size: int) -> None:
    response, frames, _ = _server_capture()
    head, rest = split_http_head(_chunked(response + frames, chunk_size))
    assert head is not None
    assert (head.kind, head.head, head.role) == ("response", response, "server")
    assert b"".join(rest) == frames


def test_no_head_leaves_the_chunks_alone() -> None:
    _, frames, _ = _server_capture()
    head, rest = split_http_head(_chunked(frames, 3))
    assert head is None
    assert b"".join(rest) == frames


def test_response_head_gives_role_and_deflate_and_the_messages_inflate() -> None:
    response, frames, _ = _server_capture()
    head, rest = split_http_head([response + frames])
    settings = settings_from_head(head, role="auto", deflate=None, deflate_given=False)
    assert (settings.role, settings.role_source) == ("server", "http-head")
    assert settings.deflate == DeflateParams(server_max_window_bits=10, client_max_window_bits=9)
    assert settings.deflate_from_head
    assert settings.offset == len(response)
    parser = FrameParser(role=settings.role, deflate=settings.deflate, offset=settings.offset)
    result = collect_events(parser, rest)
    assert result.ok, result.violations
    assert [m.text if m.text is not None else m.payload for m in result.messages] == MESSAGES
    assert result.frames[0].offset == len(response)  # offsets count from the capture start


def test_given_options_win_over_the_head() -> None:
    response, _, request = _server_capture()
    head, _ = split_http_head([response])
    given = DeflateParams(server_no_context_takeover=True)
    settings = settings_from_head(head, role="client", deflate=given, deflate_given=True)
    assert (settings.role, settings.role_source) == ("client", "option")
    assert settings.deflate is given
    assert not settings.deflate_from_head
    request_head, _ = split_http_head([request])
    settings = settings_from_head(request_head, role="auto", deflate=None, deflate_given=False)
    assert (settings.role, settings.role_source, settings.deflate) == ("client", "http-head", None)
    assert settings_from_head(None, role="auto", deflate=None, deflate_given=False).role_source == (
        "auto"
    )


def test_head_without_its_blank_line_is_an_input_error() -> None:
    response, _, _ = _server_capture()
    unterminated = response.rstrip(b"\r\n") + b"\r\n"
    with pytest.raises(InputError, match="blank line"):
        split_http_head([unterminated])
    endless = b"HTTP/1.1 101 Switching Protocols\r\n" + b"X: y\r\n" * (MAX_HTTP_HEAD // 6)
    with pytest.raises(InputError, match="blank line"):
        split_http_head(_chunked(endless, 4096))
