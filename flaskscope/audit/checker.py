"""The hot loop of ``audit-secret``: which candidate secret keys made a cookie's signature.

Per candidate it does only what the signature needs, exactly as itsdangerous computes it
(``Signer.derive_key`` then ``HMACAlgorithm.get_signature``): derive the signing key from the
candidate, one HMAC over the signed part (``PAYLOAD.TIMESTAMP``), compare. No itsdangerous
objects and no Python bytecode per candidate: a batch of candidates flows through chains of
``map`` over C functions (``bytes.ljust``, ``bytes.translate``, ``bytes.__add__``, the hashlib
constructor and ``digest``) and ``operator.indexOf`` finds the matching signature.

HMAC is written out as RFC 2104 defines it, ``H((K ^ opad) || H((K ^ ipad) || m))`` with K
zero-padded to the hash's block size (and hashed first when longer), because one
``hashlib`` construction plus ``digest`` costs about half of what OpenSSL's one-shot HMAC
costs per call; ``K ^ ipad`` is one ``bytes.translate`` through a 256-byte table.

With the native engine (:mod:`flaskscope._speedups`) a whole chunk goes to C in one call
instead: the same derivation and HMAC per line, with the GIL released and no Python object per
candidate (5 to 10x the pure-Python rate for sha1, see docs/speedups.md). Digests without a
native implementation (md5, sha3, blake2 ...) keep to the pure-Python path.

This module is pure: no I/O, no clock, no processes (see :mod:`flaskscope.audit.runner`).
A hit found here is a claim; callers confirm it through
:func:`flaskscope.cookies.decode.decode_cookie`.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import repeat
from typing import Any

from flaskscope import _speedups
from flaskscope.cookies.signing import KEY_DERIVATIONS
from flaskscope.errors import OptionError

__all__ = [
    "KEY_DERIVATIONS",
    "AuditReport",
    "AuditSpec",
    "BatchChecker",
    "split_lines",
]

_IPAD = bytes(byte ^ 0x36 for byte in range(256))
"""RFC 2104 inner pad as a ``bytes.translate`` table: every byte XOR 0x36."""
_OPAD = bytes(byte ^ 0x5C for byte in range(256))
"""RFC 2104 outer pad as a ``bytes.translate`` table: every byte XOR 0x5C."""

_NEWLINE_IPAD = b"\n".translate(_IPAD)
_NEWLINE_OPAD = b"\n".translate(_OPAD)

_translate = bytes.translate


@dataclass(frozen=True)
class AuditSpec:
    """What a candidate must reproduce: the signature over the signed part, and how it is made.

    Plain bytes and strings only, so a spec crosses to worker processes as it is.
    """

    signed_part: bytes
    """``PAYLOAD.TIMESTAMP`` as in the cookie: what the HMAC covers."""
    signature: bytes
    """The decoded signature the cookie carries."""
    salt: bytes = b"cookie-session"
    digest: str = "sha1"
    """A hashlib name (``sha1``, ``sha256``, ...)."""
    key_derivation: str = "hmac"


def _constructor(name: str) -> Callable[..., Any]:
    named: Callable[..., Any] | None = getattr(hashlib, name, None)
    if named is not None and name in hashlib.algorithms_guaranteed:
        return named
    return partial(hashlib.new, name)


def split_lines(chunk: bytes) -> list[bytes]:
    """The candidates of one chunk: lines separated by ``\\n`` (a chunk of one empty line is
    the empty key)."""
    return chunk.split(b"\n")


class BatchChecker:
    """Checks batches of candidate keys against one :class:`AuditSpec`.

    Everything that does not depend on the candidate (hash constructor, block size, padded
    tails, the salt) is computed once here. ``engine`` picks the implementation: ``None`` the
    process's engine (:data:`flaskscope._speedups.ENGINE`), ``"python"`` the pure-Python one,
    ``"native"`` the C one (an error when it is not built or has not got the digest).
    """

    def __init__(self, spec: AuditSpec, engine: str | None = None) -> None:
        if spec.key_derivation not in KEY_DERIVATIONS:
            choices = ", ".join(KEY_DERIVATIONS)
            raise OptionError(
                f"unknown key derivation {spec.key_derivation!r} (choose from {choices})"
            )
        try:
            probe = hashlib.new(spec.digest)
            probe.digest()
        except (TypeError, ValueError) as error:
            raise OptionError(f"digest {spec.digest!r} cannot make an HMAC: {error}") from error
        self.spec = spec
        self._hash = _constructor(spec.digest)
        self._digest = type(self._hash()).digest
        self.block_size: int = probe.block_size
        self.digest_size: int = probe.digest_size
        tail = self.block_size - self.digest_size
        # For keys of exactly digest_size bytes (derived keys): K ^ ipad = translate(K) + tail.
        self._ipad_tail_and_message = b"\x36" * tail + spec.signed_part
        self._opad_tail = b"\x5c" * tail
        # Pads that bring a key of n bytes (already XORed) to a block: index n.
        block = self.block_size
        self._ipads = [b"\x36" * (block - n) for n in range(block + 1)]
        self._opads = [b"\x5c" * (block - n) for n in range(block + 1)]
        self._concat_prefix = spec.salt + (
            b"signer" if spec.key_derivation == "django-concat" else b""
        )
        self._can_match = len(spec.signature) == self.digest_size
        self._native = _native_checker(spec, engine)

    @property
    def engine(self) -> str:
        """``"native"`` or ``"python"``: which implementation checks the candidates."""
        return "python" if self._native is None else "native"

    @property
    def can_match(self) -> bool:
        """False when the cookie's signature is not ``digest_size`` bytes: no key can match."""
        return self._can_match

    # -- HMAC over many keys -------------------------------------------------------------------

    def _short_keys(self, keys: list[bytes]) -> list[bytes]:
        """RFC 2104: keys longer than the block are replaced by their hash."""
        if keys and max(map(len, keys)) > self.block_size:
            block, hash_, digest = self.block_size, self._hash, self._digest
            return [digest(hash_(key)) if len(key) > block else key for key in keys]
        return keys

    def _hmac_padded(
        self, inner_keys: list[bytes], outer_keys: list[bytes], message: bytes
    ) -> Iterator[bytes]:
        """``HMAC(K, message)`` from ``K ^ ipad`` and ``K ^ opad`` not yet padded to a block.

        Padding is appended per key length from precomputed pads (``0x36``/``0x5c`` are what
        zero padding becomes); ``b"".join`` of a zipped tuple is the cheapest concatenation
        (it reuses the tuple and allocates once).
        """
        hash_, digest, join = self._hash, self._digest, b"".join
        lengths = list(map(len, inner_keys))
        inner = map(
            digest,
            map(
                hash_,
                map(join, zip(inner_keys, map(self._ipads.__getitem__, lengths), repeat(message))),
            ),
        )
        return map(
            digest,
            map(
                hash_,
                map(
                    join, zip(outer_keys, map(self._opads.__getitem__, lengths), inner, strict=True)
                ),
            ),
        )

    def _hmac_any_keys(self, keys: list[bytes], message: bytes) -> Iterator[bytes]:
        """``HMAC(key, message)`` for each key of any length."""
        short = self._short_keys(keys)
        inner_keys = list(map(_translate, short, repeat(_IPAD)))
        outer_keys = list(map(_translate, short, repeat(_OPAD)))
        return self._hmac_padded(inner_keys, outer_keys, message)

    def _hmac_derived_keys(self, keys: Iterable[bytes]) -> Iterator[bytes]:
        """``HMAC(key, signed_part)`` for keys of exactly ``digest_size`` bytes."""
        hash_, digest, join = self._hash, self._digest, b"".join
        fixed = list(keys)
        inner = map(
            digest,
            map(
                hash_,
                map(
                    join,
                    zip(map(_translate, fixed, repeat(_IPAD)), repeat(self._ipad_tail_and_message)),
                ),
            ),
        )
        outer_keys = map(_translate, fixed, repeat(_OPAD))
        return map(digest, map(hash_, map(join, zip(outer_keys, repeat(self._opad_tail), inner))))

    # -- the signature per candidate -----------------------------------------------------------

    def derived_keys(self, candidates: list[bytes]) -> Iterator[bytes] | list[bytes]:
        """itsdangerous ``Signer.derive_key`` for each candidate."""
        method = self.spec.key_derivation
        if method == "hmac":
            return self._hmac_any_keys(candidates, self.spec.salt)
        if method in ("concat", "django-concat"):
            prefix = self._concat_prefix
            return map(self._digest, map(self._hash, map(prefix.__add__, candidates)))
        return candidates

    def signatures(self, candidates: list[bytes]) -> Iterator[bytes]:
        """The signature each candidate would have made over the signed part."""
        if self.spec.key_derivation == "none":
            return self._hmac_any_keys(candidates, self.spec.signed_part)
        return self._hmac_derived_keys(self.derived_keys(candidates))

    def find_hits(self, candidates: list[bytes]) -> list[int]:
        """Indexes of the candidates whose signature equals the cookie's (usually none)."""
        if not candidates or not self._can_match:
            return []
        if self._native is not None and not any(b"\n" in key for key in candidates):
            return self._native_hits(b"\n".join(candidates))
        return self._positions(self.signatures(candidates))

    def _native_hits(self, chunk: bytes) -> list[int]:
        """Every matching line: the native check stops at the first, so go on after it."""
        hits: list[int] = []
        check = self._native.check_candidates
        view = memoryview(chunk)
        base = start = 0
        while True:
            found: int = check(view[start:])
            if found < 0:
                return hits
            hits.append(base + found)
            for _ in range(found + 1):  # past the matching line (a claim is rare)
                start = chunk.find(b"\n", start) + 1
                if start == 0:
                    return hits
            base += found + 1

    def _positions(self, produced: Iterator[bytes]) -> list[int]:
        hits: list[int] = []
        position = -1
        target = self.spec.signature
        while True:
            try:
                position += operator.indexOf(produced, target) + 1
            except ValueError:
                return hits
            hits.append(position)

    def _hmac_chunk_keys(self, chunk: bytes, message: bytes) -> Iterator[bytes] | None:
        """``HMAC(line, message)`` for each line of a chunk.

        ``K ^ ipad`` for every line is one ``translate`` of the whole chunk, split at the
        translated newline (a line never holds a newline, so it never holds the translated one
        either). ``None`` when a line is longer than a block (those keys are hashed first:
        the general path).
        """
        inner_keys = chunk.translate(_IPAD).split(_NEWLINE_IPAD)
        if max(map(len, inner_keys)) > self.block_size:
            return None
        outer_keys = chunk.translate(_OPAD).split(_NEWLINE_OPAD)
        return self._hmac_padded(inner_keys, outer_keys, message)

    def find_hits_in_chunk(self, chunk: bytes) -> list[int]:
        """:meth:`find_hits` over the lines of one chunk (see :func:`split_lines`)."""
        if self._native is not None:
            return self._native_hits(chunk) if self._can_match else []
        method = self.spec.key_derivation
        if self._can_match and method in ("hmac", "none"):
            if method == "hmac":
                derived = self._hmac_chunk_keys(chunk, self.spec.salt)
                produced = None if derived is None else self._hmac_derived_keys(derived)
            else:
                produced = self._hmac_chunk_keys(chunk, self.spec.signed_part)
            if produced is not None:
                return self._positions(produced)
        return self.find_hits(split_lines(chunk))


def _native_checker(spec: AuditSpec, engine: str | None) -> Any:
    """The C checker for ``spec``, or ``None`` for the pure-Python path."""
    wanted = _speedups.ENGINE if engine is None else engine
    if wanted not in _speedups.ENGINES:
        raise OptionError(f"unknown engine {wanted!r} (choose from native, python)")
    native = _speedups.native
    if wanted == "python" or (engine is None and spec.digest not in _speedups.NATIVE_DIGESTS):
        return None
    if native is None:
        raise OptionError(f"the native engine is not available: {_speedups.why_python}")
    try:
        return native.Checker(
            spec.digest, spec.key_derivation, spec.salt, spec.signed_part, spec.signature
        )
    except ValueError as error:
        raise OptionError(f"the native engine cannot check this: {error}") from error


@dataclass(frozen=True)
class AuditReport:
    """The outcome of an audit, for the renderers (people and ``--json``)."""

    key: bytes | None
    """The weak key, confirmed by the normal decode path; ``None`` when none was found."""
    candidates_tried: int
    seconds: float
    jobs: int
    sources: tuple[str, ...]
    salt: str
    digest: str
    key_derivation: str
    legacy: bool
    issued_at: datetime | None = None
    """When the audited cookie was signed."""
    max_age: int | None = None
    expired: bool | None = None
    """Whether the cookie is past ``max_age`` (the key is proven either way)."""
    unconfirmed_hits: int = 0
    engine: str = "python"
    """Which implementation checked the candidates: ``native`` (C) or ``python``."""

    @property
    def found(self) -> bool:
        return self.key is not None

    @property
    def key_text(self) -> str | None:
        """The key as text when it is UTF-8 (as Flask's ``SECRET_KEY`` str would be)."""
        if self.key is None:
            return None
        try:
            return self.key.decode("utf-8")
        except UnicodeDecodeError:
            return None

    @property
    def key_display(self) -> str | None:
        """The key as a person should copy it: text, or a Python bytes literal."""
        if self.key is None:
            return None
        text = self.key_text
        return repr(self.key) if text is None else text

    @property
    def candidates_per_second(self) -> float:
        return self.candidates_tried / self.seconds if self.seconds > 0 else 0.0
