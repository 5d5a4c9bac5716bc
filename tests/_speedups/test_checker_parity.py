"""The native check and the pure-Python check agree with itsdangerous, candidate by candidate.

For random keys (empty, non-UTF-8, longer than the hash's block), salts, digests, key
derivations and payloads: the signature each engine computes for every candidate of a batch
(millions in all) is the same, itsdangerous' ``Signer.get_signature`` agrees on a sample of
them, and both engines find the same key at the same index.
"""

from __future__ import annotations

import base64
import hashlib
import random
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import Signer

from flaskscope.audit.checker import AuditSpec, BatchChecker

DIGESTS = ("sha1", "sha224", "sha256", "sha384", "sha512")
DERIVATIONS = ("hmac", "concat", "django-concat", "none")


def itsdangerous_signature(
    key: bytes, payload: bytes, salt: bytes, digest: str, derivation: str
) -> bytes:
    signer = Signer(
        key, salt=salt, key_derivation=derivation, digest_method=getattr(hashlib, digest)
    )
    text = signer.get_signature(payload)
    return base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))


def _candidate(rng: random.Random, block: int) -> bytes:
    """Random bytes without a newline: short, around the block size, or longer than it."""
    length = rng.choice(
        [0, rng.randint(1, 24), rng.randint(1, 24), block - 1, block, block + 1, 2 * block + 3]
    )
    return rng.randbytes(length).replace(b"\n", b"\xff")


def _spec(rng: random.Random, digest: str, derivation: str) -> AuditSpec:
    salt = rng.choice([b"cookie-session", b"", rng.randbytes(rng.randint(1, 300))])
    signed = rng.randbytes(rng.choice([0, 21, 55, 56, 64, 120, 400]))
    return AuditSpec(signed, bytes(hashlib.new(digest).digest_size), salt, digest, derivation)


CANDIDATES_PER_CASE = 60_000
"""20 digest/derivation cases: 1.2 million candidates through both engines (and 800,000 more
for sha1 below)."""


@pytest.mark.parametrize("derivation", DERIVATIONS)
@pytest.mark.parametrize("digest", DIGESTS)
def test_every_candidate_signature_agrees(native: ModuleType, digest: str, derivation: str) -> None:
    rng = random.Random(f"{digest}/{derivation}")
    spec = _spec(rng, digest, derivation)
    block = hashlib.new(digest).block_size
    candidates = [_candidate(rng, block) for _ in range(CANDIDATES_PER_CASE)]
    batch = b"\n".join(candidates)
    native_checker = native.Checker(digest, derivation, spec.salt, spec.signed_part, spec.signature)
    produced = native_checker.signatures(batch)
    pure = b"".join(BatchChecker(spec, engine="python").signatures(candidates))
    if produced != pure:
        size = hashlib.new(digest).digest_size
        first = next(
            index
            for index in range(len(candidates))
            if produced[index * size : (index + 1) * size]
            != pure[index * size : (index + 1) * size]
        )
        pytest.fail(f"engines differ for candidate {candidates[first]!r}")
    size = hashlib.new(digest).digest_size
    for index in rng.sample(range(len(candidates)), 300):
        assert produced[index * size : (index + 1) * size] == itsdangerous_signature(
            candidates[index], spec.signed_part, spec.salt, digest, derivation
        ), candidates[index]


@pytest.mark.parametrize(
    ("cpu_extensions", "count"), [(True, 600_000), (False, 200_000)], ids=["sha-ext", "portable"]
)
def test_sha1_paths_agree_with_python_on_many_candidates(
    native: ModuleType, cpu_extensions: bool, count: int
) -> None:
    """Flask's own signing (sha1, hmac), the case the search is tuned for, on both C paths."""
    rng = random.Random(f"29100-{cpu_extensions}")
    spec = _spec(rng, "sha1", "hmac")
    candidates = [_candidate(rng, 64) for _ in range(count)]
    checker = native.Checker(
        "sha1", "hmac", spec.salt, spec.signed_part, spec.signature, cpu_extensions=cpu_extensions
    )
    assert checker.accelerated == (cpu_extensions and native.features()["sha_extensions"])
    pure = b"".join(BatchChecker(spec, engine="python").signatures(candidates))
    assert checker.signatures(b"\n".join(candidates)) == pure


@settings(max_examples=250, deadline=None)
@given(
    key=st.binary(max_size=300).map(lambda key: key.replace(b"\n", b"")),
    others=st.lists(st.binary(max_size=80).map(lambda key: key.replace(b"\n", b"")), max_size=6),
    salt=st.binary(max_size=200),
    payload=st.binary(max_size=300),
    digest=st.sampled_from(DIGESTS),
    derivation=st.sampled_from(DERIVATIONS),
)
def test_both_engines_find_the_key_itsdangerous_signed_with(
    native: ModuleType,
    key: bytes,
    others: list[bytes],
    salt: bytes,
    payload: bytes,
    digest: str,
    derivation: str,
) -> None:
    signature = itsdangerous_signature(key, payload, salt, digest, derivation)
    spec = AuditSpec(payload, signature, salt, digest, derivation)
    chunk = b"\n".join([*others, key])
    expected = [
        index
        for index, candidate in enumerate(chunk.split(b"\n"))
        if itsdangerous_signature(candidate, payload, salt, digest, derivation) == signature
    ]
    assert expected, "the key itself signs"
    native_checker = BatchChecker(spec, engine="native")
    assert native_checker.engine == "native"
    assert native_checker.find_hits_in_chunk(chunk) == expected
    assert BatchChecker(spec, engine="python").find_hits_in_chunk(chunk) == expected
    wrong = AuditSpec(payload, bytes(byte ^ 1 for byte in signature), salt, digest, derivation)
    assert BatchChecker(wrong, engine="native").find_hits_in_chunk(chunk) == []


def test_every_hit_of_a_chunk_is_found_in_order(native: ModuleType) -> None:
    """The native check stops at the first match; the checker goes on after each one."""
    signature = itsdangerous_signature(b"k", b"payload.ts", b"cookie-session", "sha1", "hmac")
    spec = AuditSpec(b"payload.ts", signature)
    lines = [b"a", b"k", b"", b"k", b"b", b"k"]
    assert BatchChecker(spec, engine="native").find_hits_in_chunk(b"\n".join(lines)) == [1, 3, 5]
    assert BatchChecker(spec, engine="native").find_hits(lines) == [1, 3, 5]
    assert BatchChecker(spec, engine="native").find_hits_in_chunk(b"k") == [0]


def test_a_signature_of_the_wrong_size_matches_nothing(native: ModuleType) -> None:
    checker = native.Checker("sha1", "hmac", b"s", b"p", b"\x00" * 19)
    assert checker.can_match is False
    assert checker.check_candidates(b"a\nb") == -1


def test_digests_without_native_code_use_the_python_engine() -> None:
    """md5, sha3, blake2: any hashlib digest still works, through the pure-Python path."""
    signature = itsdangerous_signature(b"k", b"p.t", b"cookie-session", "md5", "hmac")
    checker = BatchChecker(AuditSpec(b"p.t", signature, digest="md5"))
    assert checker.engine == "python"
    assert checker.find_hits_in_chunk(b"x\nk") == [1]


def test_a_checker_is_initialised_once(native: ModuleType) -> None:
    """A second ``__init__`` could free buffers another thread is reading without the GIL."""
    checker = native.Checker("sha1", "hmac", b"s", b"p", bytes(20))
    with pytest.raises(TypeError, match="once"):
        checker.__init__("sha256", "hmac", b"s", b"p", bytes(32))
    assert checker.digest_size == 20


def test_the_check_releases_the_gil(native: ModuleType) -> None:
    """While one thread checks a large batch, this thread keeps running: with the GIL held it
    would stall for the whole check (the gap would be the check's duration)."""
    import threading
    import time

    checker = native.Checker("sha1", "hmac", b"cookie-session", b"p.t", bytes(20))
    batch = b"\n".join(b"candidate-%07d" % number for number in range(3_000_000))
    done = threading.Event()
    elapsed: list[float] = []

    def check() -> None:
        started = time.perf_counter()
        assert checker.check_candidates(batch) == -1
        elapsed.append(time.perf_counter() - started)
        done.set()

    worker = threading.Thread(target=check)
    last = time.perf_counter()
    longest = 0.0
    worker.start()
    while not done.is_set():
        time.sleep(0.001)
        now = time.perf_counter()
        longest = max(longest, now - last)
        last = now
    worker.join()
    assert elapsed[0] > 0.2, "the check was too short to tell"
    assert longest < elapsed[0] / 2, (longest, elapsed[0])
