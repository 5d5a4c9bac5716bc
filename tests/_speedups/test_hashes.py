"""The hand-written SHA compressions (``_hashes.h``) against hashlib on millions of inputs.

Every prefix of random data (so every length around the block boundaries, where the padding
takes one or two blocks) for SHA-1, SHA-224/256 and SHA-384/512, through the CPU's SHA
extensions where the CPU has them and through the portable C.
"""

from __future__ import annotations

import hashlib
import random
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

DIGESTS = ("sha1", "sha224", "sha256", "sha384", "sha512")

INPUTS = {"sha1": 1_000_000, "sha256": 500_000}
"""Inputs per digest and path; the others (and the default) get 100,000."""


def _expected(name: str, data: bytes) -> bytes:
    new = hashlib.new
    return b"".join([new(name, data[:n]).digest() for n in range(len(data) + 1)])


def _first_difference(name: str, data: bytes, got: bytes) -> int:
    size = hashlib.new(name).digest_size
    for n in range(len(data) + 1):
        if got[n * size : (n + 1) * size] != hashlib.new(name, data[:n]).digest():
            return n
    return -1


@pytest.mark.parametrize("cpu_extensions", [True, False], ids=["sha-extensions", "portable"])
@pytest.mark.parametrize("name", DIGESTS)
def test_every_prefix_matches_hashlib(native: ModuleType, name: str, cpu_extensions: bool) -> None:
    block = hashlib.new(name).block_size
    rng = random.Random(f"{name}-{cpu_extensions}")
    checked = 0
    wanted = INPUTS.get(name, 100_000)
    while checked < wanted:
        # Up to three blocks and a bit: every padding case (one or two final blocks) and
        # messages of several whole blocks.
        data = rng.randbytes(rng.randint(0, 3 * block + 9))
        got = native.digest_prefixes(name, data, cpu_extensions=cpu_extensions)
        if got != _expected(name, data):
            length = _first_difference(name, data, got)
            pytest.fail(f"{name} differs from hashlib for a {length}-byte message")
        checked += len(data) + 1
    assert checked >= wanted


def test_the_sha_extensions_are_used_where_the_cpu_has_them(
    native: ModuleType, cpu_flags: set[str]
) -> None:
    assert native.features()["sha_extensions"] == ("sha_ni" in cpu_flags)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=700), name=st.sampled_from(DIGESTS), extensions=st.booleans())
def test_any_message(native: ModuleType, data: bytes, name: str, extensions: bool) -> None:
    assert native.digest(name, data, cpu_extensions=extensions) == hashlib.new(name, data).digest()


def test_unknown_digest_is_refused(native: ModuleType) -> None:
    with pytest.raises(ValueError, match="md5"):
        native.digest("md5", b"")
