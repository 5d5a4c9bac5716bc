"""Wordlist streaming: exact lines, bounded chunks, gzip, and random bytes."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flaskscope.audit.wordlists import (
    BUILTIN_EXTRA_KEYS,
    MAX_LINE_BYTES,
    WordlistError,
    builtin_source,
    chunks_from_stream,
    count_lines,
    file_source,
    stream_source,
)
from flaskscope.errors import FlaskscopeError
from tests.profiles import examples


def reference_lines(data: bytes) -> list[bytes]:
    """What a person means by the lines of a file: split at \\n, a \\r before it dropped, no
    line after a final newline."""
    if not data:
        return []
    pieces = data.split(b"\n")
    last = pieces.pop()
    lines = [piece[:-1] if piece.endswith(b"\r") else piece for piece in pieces]
    return [*lines, last] if last else lines


def streamed_lines(data: bytes, chunk_bytes: int) -> list[bytes]:
    chunks = chunks_from_stream(io.BytesIO(data), name="t", chunk_bytes=chunk_bytes)
    lines: list[bytes] = []
    for chunk in chunks:
        got = chunk.lines()
        assert len(got) == chunk.count
        lines.extend(got)
    return lines


def test_lines_are_taken_as_they_are() -> None:
    data = b"dev\r\n  spaced  \n\n\tsecret\xff\r\nlast-no-newline"
    assert streamed_lines(data, 4) == [
        b"dev",
        b"  spaced  ",
        b"",
        b"\tsecret\xff",
        b"last-no-newline",
    ]


def test_a_lone_carriage_return_is_data() -> None:
    assert streamed_lines(b"a\rb\nc\r", 3) == [b"a\rb", b"c\r"]
    assert streamed_lines(b"a\r\r\n", 2) == [b"a\r"]


def test_a_blank_line_is_the_empty_key_and_an_empty_file_has_none() -> None:
    assert streamed_lines(b"\n", 8) == [b""]
    assert streamed_lines(b"", 8) == []
    assert streamed_lines(b"\n\n", 1) == [b"", b""]


def test_a_line_without_end_longer_than_the_limit_is_refused() -> None:
    with pytest.raises(WordlistError, match="longer than"):
        streamed_lines(b"x" * (MAX_LINE_BYTES + 10), 64 * 1024)


@given(data=st.binary(max_size=400), chunk_bytes=st.integers(1, 64))
@settings(max_examples=examples(200))
def test_streaming_round_trips_any_bytes(data: bytes, chunk_bytes: int) -> None:
    assert streamed_lines(data, chunk_bytes) == reference_lines(data)


@given(data=st.binary(max_size=300))
@settings(max_examples=examples(150))
def test_random_bytes_as_a_gzip_wordlist_give_only_wordlist_errors(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("gz") / "list.gz"
    path.write_bytes(data)
    try:
        lines = [line for chunk in file_source(str(path)).chunks() for line in chunk.lines()]
    except FlaskscopeError:
        return
    assert lines == reference_lines(gzip.decompress(data))


@given(data=st.binary(max_size=300))
@settings(max_examples=examples(100))
def test_mutated_gzip_gives_only_wordlist_errors(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    valid = bytearray(gzip.compress(b"dev\nsecret\n" * 20))
    for index, byte in enumerate(data[:16]):
        valid[(index * 7 + byte) % len(valid)] ^= byte or 1
    path = tmp_path_factory.mktemp("gz") / "mutated.gz"
    path.write_bytes(bytes(valid))
    try:
        for _chunk in file_source(str(path)).chunks():
            pass
    except FlaskscopeError:
        pass


def test_gzip_list_by_name(tmp_path: Path) -> None:
    path = tmp_path / "keys.txt.gz"
    path.write_bytes(gzip.compress(b"one\r\ntwo\n\xfe\n"))
    lines = [line for chunk in file_source(str(path)).chunks() for line in chunk.lines()]
    assert lines == [b"one", b"two", b"\xfe"]


def test_truncated_gzip_is_a_wordlist_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(b"dev\n" * 1000)[:-12])
    with pytest.raises(WordlistError, match=r"cut\.gz"):
        list(file_source(str(path)).chunks())


def test_missing_file_and_directory_are_wordlist_errors(tmp_path: Path) -> None:
    with pytest.raises(WordlistError, match="no such wordlist"):
        file_source(str(tmp_path / "nope.txt"))
    with pytest.raises(WordlistError, match="directory"):
        file_source(str(tmp_path))


def test_memory_is_bounded_by_the_chunk_size(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"".join(b"candidate-%d\n" % n for n in range(100_000)))
    sizes = [len(chunk.data) for chunk in file_source(str(path)).chunks(chunk_bytes=4096)]
    # A chunk is one read plus the unfinished line carried over from the read before.
    assert max(sizes) <= 4096 + len(b"candidate-99999")
    assert sum(chunk.count for chunk in file_source(str(path)).chunks()) == 100_000


def test_count_lines_matches_the_stream(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(b"a\n\nb\r\nc")
    source = file_source(str(path))
    assert count_lines(source) == 4 == sum(chunk.count for chunk in source.chunks())
    assert source.countable_size() == 7


def test_stdin_source_reads_the_stream() -> None:
    source = stream_source(io.BytesIO(b"x\ny\n"))
    assert [line for chunk in source.chunks() for line in chunk.lines()] == [b"x", b"y"]
    assert source.countable_size() is None


def test_builtin_list_holds_documented_weak_keys() -> None:
    source = builtin_source()
    lines = [line for chunk in source.chunks() for line in chunk.lines()]
    # Keys from the Flask tutorial and quickstart, the Mega-Tutorial, Flask-SocketIO examples
    # and Apache Superset's old default (CVE-2023-27524).
    for expected in (
        b"",
        b"dev",
        b"development key",
        b"you-will-never-guess",
        b"secret!",
        b"super secret key",
        b"changeme",
        b"your-secret-key",
        b"\x02\x01thisismyscretkey\x01\x02\\e\\y\\y\\h",
        b'_5#y2L"F4Q8z\n\xec]/',
    ):
        assert expected in lines, expected
    assert len(lines) == len(set(lines)) == source.count()
    assert lines[-len(BUILTIN_EXTRA_KEYS) :] == list(BUILTIN_EXTRA_KEYS)
