"""Stored values decoded as Flask-Session's own serializer decodes them (never unpickled)."""

from __future__ import annotations

import contextlib
import datetime
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_session.base import MsgSpecSerializer, ServerSideSession
from hypothesis import given, settings
from hypothesis import strategies as st

from flaskscope.errors import FlaskscopeError, InputError, OptionError
from flaskscope.sessions.payload import (
    SerializationFormat,
    StoredPayloadError,
    decode_stored_payload,
)
from flaskscope.sessions.safe_pickle import PickleObject
from tests.profiles import examples

SESSIONS: list[dict[str, Any]] = [
    {"_permanent": True, "user": "alice"},
    {"_permanent": False, "cart": [1, 2, 3], "profile": {"name": "Bob", "age": 41}},
    {"unicode": "caf\u00e9 \u202e \x1b[31m", "float": 0.25, "none": None, "big": 2**62},
    {},
]


def flask_session_serializer(format_name: str) -> MsgSpecSerializer:
    """Flask-Session's own serializer, the peer both directions are checked against."""
    return MsgSpecSerializer(app=Flask(__name__), format=format_name)


@pytest.mark.parametrize("format_name", ["msgpack", "json"])
@pytest.mark.parametrize("session", SESSIONS, ids=range(len(SESSIONS)))
def test_decodes_what_flask_session_encodes(format_name: str, session: dict[str, Any]) -> None:
    serializer = flask_session_serializer(format_name)
    stored = serializer.encode(ServerSideSession(session, sid="x"))
    payload = decode_stored_payload(stored, format_name)
    assert payload.format is SerializationFormat(format_name)
    assert payload.data == session
    assert payload.data == serializer.decode(stored)
    assert not payload.decoded_by_fallback
    assert not payload.legacy_pickle
    assert payload.size == len(stored)


@pytest.mark.parametrize(("written", "configured"), [("msgpack", "json"), ("json", "msgpack")])
def test_other_format_is_read_as_flask_session_falls_back(written: str, configured: str) -> None:
    session = {"_permanent": True, "n": 7}
    stored = flask_session_serializer(written).encode(ServerSideSession(session, sid="x"))
    payload = decode_stored_payload(stored, configured)
    assert payload.format.value == written
    assert payload.decoded_by_fallback
    assert payload.data == flask_session_serializer(configured).decode(stored) == session


def test_msgpack_types_beyond_json_are_kept() -> None:
    moment = datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.timezone.utc)
    session = ServerSideSession({"raw": b"\x00\x01", "when": moment}, sid="x")
    stored = flask_session_serializer("msgpack").encode(session)
    payload = decode_stored_payload(stored, "msgpack")
    assert payload.data == {"raw": b"\x00\x01", "when": moment}


def test_permanent_flag() -> None:
    stored = flask_session_serializer("json").encode(ServerSideSession({"_permanent": True}))
    assert decode_stored_payload(stored, "json").permanent is True


class _CreatesAFile:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (self.path, "w"))


def test_legacy_pickle_is_shown_and_flask_session_would_have_run_it(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    stored = pickle.dumps({"user": "eve", "x": _CreatesAFile(str(marker))})
    payload = decode_stored_payload(stored, "msgpack")
    assert not marker.exists()
    assert payload.legacy_pickle
    assert payload.pickle is not None
    assert payload.pickle.would_run_code
    assert payload.data["user"] == "eve"
    assert isinstance(payload.data["x"], PickleObject)
    assert not marker.exists()
    # Flask-Session 0.8's own decoder falls back to pickle.loads and runs it.
    flask_session_serializer("msgpack").decode(stored)
    assert marker.exists()
    os.unlink(marker)


def test_plain_legacy_pickle_matches_pickle_loads() -> None:
    session = {"_permanent": True, "user": "carol", "ids": [1, 2]}
    stored = pickle.dumps(session, protocol=2)
    payload = decode_stored_payload(stored)
    assert payload.legacy_pickle
    assert payload.data == pickle.loads(stored)


@pytest.mark.parametrize("data", [b"", b"\xc1", b"not a session", b"\x80\x04\x95garbage"])
def test_undecodable_values_are_input_errors(data: bytes) -> None:
    with pytest.raises(InputError) as caught:
        decode_stored_payload(data)
    assert "msgpack" in str(caught.value) or "pickle" in str(caught.value)


def test_not_a_session_value_names_every_decoder() -> None:
    with pytest.raises(StoredPayloadError) as caught:
        decode_stored_payload(b"not a session")
    assert set(caught.value.reasons) == {"msgpack", "json", "pickle"}


def test_unknown_format_is_an_option_error() -> None:
    with pytest.raises(OptionError):
        decode_stored_payload(b"\x80", "yaml")


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(StoredPayloadError):
        decode_stored_payload(b"\x91" * 100_000 + b"\xc0")


@settings(max_examples=examples(300))
@given(st.binary(max_size=512), st.sampled_from(["msgpack", "json"]))
def test_random_bytes_give_a_payload_or_a_flaskscope_error(data: bytes, fmt: str) -> None:
    with contextlib.suppress(FlaskscopeError):
        decode_stored_payload(data, fmt)


@settings(max_examples=examples(200))
@given(
    st.sampled_from(
        [
            flask_session_serializer(fmt).encode(ServerSideSession(session))
            for fmt in ("msgpack", "json")
            for session in SESSIONS
        ]
    ),
    st.data(),
)
def test_mutated_values_give_a_payload_or_a_flaskscope_error(data: bytes, draw: Any) -> None:
    position = draw.draw(st.integers(0, max(0, len(data) - 1)))
    replacement = draw.draw(st.binary(max_size=4))
    with contextlib.suppress(FlaskscopeError):
        decode_stored_payload(data[:position] + replacement + data[position + 1 :])
