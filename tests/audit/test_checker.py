"""The audit core against real peers: itsdangerous' Signer and cookies made by real Flask."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from typing import Any

import pytest
from flask.sessions import session_json_serializer
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import Signer, URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode

from flaskscope import _speedups
from flaskscope.audit import runner as audit_runner
from flaskscope.audit.checker import AuditSpec, BatchChecker
from flaskscope.audit.runner import check_chunk, run_audit
from flaskscope.audit.wordlists import Chunk, chunks_from_stream
from flaskscope.cookies import split_cookie
from flaskscope.errors import FlaskscopeError, OptionError
from tests.peers import flask_cookie
from tests.profiles import examples

SIGNED = b"eyJ1c2VybmFtZSI6ImFkbWluIn0.YjdgRQ"


def empty_key_cookie() -> str:
    """Flask refuses to sign with an empty key; build the serializer its interface would."""
    serializer = URLSafeTimedSerializer(
        b"",
        salt="cookie-session",
        serializer=session_json_serializer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    return serializer.dumps({"user": "alice"})


def spec_for(cookie: str, **options: Any) -> AuditSpec:
    parts = split_cookie(cookie)
    return AuditSpec(parts.signed_part, parts.signature, **options)


KEYS = [
    b"",
    b"k",
    b"secret",
    "pässwörd".encode(),
    b"\xff\xfe\x00raw",
    b"x" * 63,
    b"x" * 64,
    b"y" * 65,
    b"z" * 200,
    b"with space and\ttab",
]


@pytest.mark.parametrize("key_derivation", ["hmac", "concat", "django-concat", "none"])
@pytest.mark.parametrize("digest", ["sha1", "sha256", "sha512", "md5", "sha3_256", "blake2b"])
def test_batch_checker_agrees_with_itsdangerous_signer(key_derivation: str, digest: str) -> None:
    digest_method = getattr(hashlib, digest)
    for key in KEYS:
        signer = Signer(
            key, salt="my-salt", key_derivation=key_derivation, digest_method=digest_method
        )
        signature = base64_decode(signer.get_signature(SIGNED))
        checker = BatchChecker(AuditSpec(SIGNED, signature, b"my-salt", digest, key_derivation))
        others = [b"a", b"secret!", b"k\x00"[:1] + b"j"]
        assert checker.find_hits([*others, key]) == [len(others)], key
        # The chunk path (whole-chunk padding) must agree with the list path.
        if b"\n" not in key:
            chunk = b"\n".join([*others, key, b"after"])
            assert checker.find_hits_in_chunk(chunk) == [len(others)], key
        assert checker.find_hits(others) == []


def test_every_repeat_of_the_key_is_reported() -> None:
    cookie = flask_cookie("dev")
    checker = BatchChecker(spec_for(cookie))
    assert checker.find_hits_in_chunk(b"dev\nx\ndev\ny") == [0, 2]


def test_a_signature_of_the_wrong_size_cannot_match() -> None:
    cookie = flask_cookie("dev")
    parts = split_cookie(cookie)
    checker = BatchChecker(AuditSpec(parts.signed_part, parts.signature, digest="sha256"))
    assert not checker.can_match
    assert checker.find_hits([b"dev"]) == []


def test_unknown_digest_and_derivation_are_option_errors() -> None:
    with pytest.raises(OptionError):
        BatchChecker(AuditSpec(SIGNED, b"", digest="no-such-hash"))
    with pytest.raises(OptionError):
        BatchChecker(AuditSpec(SIGNED, b"", key_derivation="rot13"))


def _lines(*keys: bytes, filler: int = 1000) -> list[bytes]:
    return [b"candidate-%d" % n for n in range(filler)] + list(keys)


def _chunks(lines: list[bytes], chunk_bytes: int = 4096) -> list[Chunk]:
    import io

    data = b"\n".join(lines) + b"\n"
    return list(chunks_from_stream(io.BytesIO(data), name="test", chunk_bytes=chunk_bytes))


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_runner_finds_a_real_flask_key(jobs: int, where: str) -> None:
    key = "s3cr3t-flask-key"
    cookie = flask_cookie(key)
    lines = _lines(filler=3000)
    position = {"first": 0, "middle": 1500, "last": len(lines)}[where]
    lines.insert(position, key.encode())
    run = run_audit(
        spec_for(cookie), _chunks(lines), confirm=lambda _key: True, jobs=jobs, small_list=0
    )
    assert run.key == key.encode()
    assert run.candidates_tried == position + 1
    assert run.jobs == jobs


def test_a_short_list_is_searched_without_a_pool() -> None:
    cookie = flask_cookie("dev")
    run = run_audit(spec_for(cookie), _chunks(_lines(b"dev")), confirm=lambda _key: True, jobs=2)
    assert run.key == b"dev"
    assert run.jobs == 1


@pytest.mark.parametrize("jobs", [1, 2])
def test_runner_reports_every_candidate_tried_when_absent(jobs: int) -> None:
    cookie = flask_cookie("not-in-the-list")
    lines = _lines(filler=5000)
    progress: list[int] = []
    run = run_audit(
        spec_for(cookie),
        _chunks(lines),
        confirm=lambda _key: True,
        jobs=jobs,
        on_progress=progress.append,
        small_list=0,
    )
    assert run.key is None
    assert run.candidates_tried == len(lines)
    assert progress == sorted(progress)
    assert progress[-1] == len(lines)


def test_runner_goes_on_past_an_unconfirmed_claim() -> None:
    cookie = flask_cookie("dev")
    lines = _lines(b"dev", b"dev", filler=10)
    confirmations: list[bytes] = []

    def confirm(candidate: bytes) -> bool:
        confirmations.append(candidate)
        return len(confirmations) == 2

    run = run_audit(spec_for(cookie), _chunks(lines), confirm=confirm, jobs=1)
    assert run.key == b"dev"
    assert run.candidates_tried == 12
    assert run.unconfirmed_hits == 1


def test_check_chunk_hands_back_the_claimed_candidates() -> None:
    cookie = flask_cookie(b"\xff\xfe binary")
    checker = BatchChecker(spec_for(cookie))
    count, claims = check_chunk(checker, Chunk(b"a\n\xff\xfe binary\nb", 3))
    assert (count, claims) == (3, [(1, b"\xff\xfe binary")])
    count, claims = check_chunk(checker, Chunk(b"", 2, (b"x\ny", b"\xff\xfe binary")))
    assert (count, claims) == (2, [(1, b"\xff\xfe binary")])


def test_jobs_below_one_is_an_option_error() -> None:
    with pytest.raises(OptionError):
        run_audit(spec_for(flask_cookie("dev")), [], confirm=lambda _key: True, jobs=0)


def test_empty_key_cookie_is_found() -> None:
    checker = BatchChecker(spec_for(empty_key_cookie()))
    assert checker.find_hits_in_chunk(b"a\n\nb") == [1]
    assert checker.find_hits_in_chunk(b"") == [0]


@given(
    key=st.binary(max_size=150),
    others=st.lists(st.binary(max_size=150), max_size=8),
    key_derivation=st.sampled_from(["hmac", "concat", "django-concat", "none"]),
)
@settings(max_examples=examples(150))
def test_random_keys_match_itsdangerous(
    key: bytes, others: list[bytes], key_derivation: str
) -> None:
    signer = Signer(key, salt="cookie-session", key_derivation=key_derivation)
    signature = base64_decode(signer.get_signature(SIGNED))
    checker = BatchChecker(AuditSpec(SIGNED, signature, key_derivation=key_derivation))
    # Keys equivalent under HMAC (zero padding, hashed long keys) may match too; the key
    # itself must always be among the hits.
    candidates = [*others, key]
    assert len(candidates) - 1 in checker.find_hits(candidates)
    lines = [candidate for candidate in candidates if b"\n" not in candidate]
    if b"\n" not in key:
        assert len(lines) - 1 in checker.find_hits_in_chunk(b"\n".join(lines))


@pytest.mark.parametrize("jobs", [1, 2])
def test_runner_streams_an_endless_list_and_stops_at_the_hit(jobs: int) -> None:
    """Chunks are pulled only as workers need them (bounded memory), and a hit ends it all."""
    cookie = flask_cookie("needle")
    pulled = 0

    def endless() -> Iterator[Chunk]:
        nonlocal pulled
        while True:
            pulled += 1
            filler = b"\n".join(b"hay-%d-%d" % (pulled, n) for n in range(500))
            yield Chunk(filler + (b"\nneedle" if pulled == 60 else b""), 500 + (pulled == 60))

    run = run_audit(spec_for(cookie), endless(), confirm=lambda _key: True, jobs=jobs, small_list=0)
    assert run.key == b"needle"
    assert run.candidates_tried == 59 * 500 + 501
    assert pulled <= 60 + 2 * jobs


def test_a_worker_that_dies_is_a_clear_error_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    def die(_checker: BatchChecker, _chunk: Chunk) -> Any:
        os._exit(3)  # the worker process vanishes mid-chunk (OOM killer, a signal)

    monkeypatch.setattr(audit_runner, "check_chunk", die)  # forked workers inherit it
    with pytest.raises(FlaskscopeError, match="worker process exited"):
        run_audit(
            spec_for(flask_cookie("absent")),
            _chunks(_lines(filler=5000)),
            confirm=lambda _key: True,
            jobs=2,
            small_list=0,
            engine="python",  # worker processes (the native engine's workers are threads)
        )


def test_an_error_in_a_worker_thread_reaches_the_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    """The native engine checks in threads: an error there is raised here, not lost."""
    if _speedups.native is None:
        pytest.skip(f"no native engine: {_speedups.why_python}")

    def fail(_checker: BatchChecker, _chunk: Chunk) -> Any:
        raise FlaskscopeError("the check failed")

    monkeypatch.setattr(audit_runner, "check_chunk", fail)
    with pytest.raises(FlaskscopeError, match="the check failed"):
        run_audit(
            spec_for(flask_cookie("absent")),
            _chunks(_lines(filler=5000)),
            confirm=lambda _key: True,
            jobs=2,
            small_list=0,
            engine="native",
        )
