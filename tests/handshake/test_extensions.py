"""Sec-WebSocket-Extensions parsing and formatting (RFC 6455 §9.1), against websockets."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.exceptions import InvalidHeaderFormat
from websockets.headers import build_extension, parse_extension

from flaskscope.errors import FlaskscopeError, InputError
from flaskscope.handshake.deflate_negotiation import (
    deflate_params,
)
from flaskscope.handshake.extensions import (
    Extension,
    ExtensionError,
    format_extensions,
    parse_extensions,
)
from tests.conftest import load_vectors

VECTORS = load_vectors("handshake_extensions.json")
SETTINGS = settings(max_examples=300, deadline=None)


def _as_lists(extensions: tuple[Extension, ...]) -> list[Any]:
    return [
        [extension.name, [list(param) for param in extension.params]] for extension in extensions
    ]


@pytest.mark.parametrize("vector", VECTORS["valid"], ids=lambda v: v["header"])
def test_valid_headers(vector: dict[str, Any]) -> None:
    parsed = parse_extensions(vector["header"])
    assert _as_lists(parsed) == vector["parsed"]
    # websockets' own parser reads the (stripped) value the same way.
    theirs = parse_extension(vector["header"].strip(" \t"))
    assert [(e.name, list(e.params)) for e in parsed] == [(n, list(p)) for n, p in theirs]
    # And what we write back parses to the same extensions.
    assert parse_extensions(format_extensions(parsed)) == parsed


@pytest.mark.parametrize("header", VECTORS["invalid"])
def test_invalid_headers(header: str) -> None:
    with pytest.raises(ExtensionError) as caught:
        parse_extensions(header)
    assert isinstance(caught.value, InputError)
    assert "RFC 6455 §9.1" in str(caught.value)
    if header.strip():
        with pytest.raises(InvalidHeaderFormat):
            parse_extension(header.strip(" \t"))


_TOKENS = st.text(alphabet="abcxyz-_019!#", min_size=1, max_size=8)
_EXTENSIONS = st.lists(
    st.tuples(_TOKENS, st.lists(st.tuples(_TOKENS, st.none() | _TOKENS), max_size=4)),
    min_size=1,
    max_size=4,
)


@SETTINGS
@given(_EXTENSIONS)
def test_headers_built_by_websockets_parse_back(extensions: list[Any]) -> None:
    header = build_extension(extensions)
    parsed = parse_extensions(header)
    assert [(e.name, list(e.params)) for e in parsed] == extensions


_HEADER_CHARS = st.sampled_from(list(' \t,;="\\ab-_1'))


@SETTINGS
@given(st.lists(_HEADER_CHARS, max_size=16).map("".join))
def test_accepts_and_rejects_like_websockets(header: str) -> None:
    try:
        theirs = [(name, list(params)) for name, params in parse_extension(header.strip(" \t"))]
    except InvalidHeaderFormat:
        theirs = None
    try:
        ours = [(e.name, list(e.params)) for e in parse_extensions(header)]
    except ExtensionError:
        ours = None
    assert ours == theirs


@SETTINGS
@given(st.text(max_size=60))
def test_any_text_raises_only_input_errors(header: str) -> None:
    try:
        extensions = parse_extensions(header)
    except InputError:
        return
    for extension in extensions:
        with contextlib.suppress(FlaskscopeError):
            deflate_params(extension)


@SETTINGS
@given(st.lists(_HEADER_CHARS | st.sampled_from(["ab", "=1", ";x"]), max_size=20).map("".join))
def test_fast_path_and_scanner_agree(header: str) -> None:
    """The whole-element regex path returns exactly what the diagnosing scanner accepts."""
    from flaskscope.handshake.extensions import _parse_well_formed, _parse_with_reasons

    try:
        slow: tuple[Extension, ...] | None = _parse_with_reasons(header)
    except ExtensionError:
        slow = None
    assert _parse_well_formed(header) == slow


def test_long_values_parse_in_linear_time() -> None:
    header = "permessage-deflate; server_max_window_bits=10, " * 20000
    assert len(parse_extensions(header)) == 20000
    with pytest.raises(ExtensionError, match="offset"):
        parse_extensions(header + " bad value")
