"""The hashcat hand-off: the mode 29100 line, checked against hashcat itself."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from flaskscope.audit.checker import AuditSpec, BatchChecker
from flaskscope.audit.hashcat import HashcatUnsupportedError, hashcat_line
from flaskscope.cookies import SigningOptions, split_cookie
from tests.conftest import load_vectors, run_cli, run_json
from tests.peers import flask_cookie, hashcat_crack_command

HASHCAT = shutil.which("hashcat")
needs_hashcat = pytest.mark.skipif(
    HASHCAT is None,
    reason="hashcat is not installed (scripts/system-deps.sh installs Debian's hashcat and "
    "pocl-opencl-icd)",
)


def test_hashcats_own_example_is_its_own_line_and_our_audit_finds_its_password() -> None:
    vector = load_vectors("hashcat_29100.json")
    parts = split_cookie(vector["hash"])
    assert hashcat_line(parts, SigningOptions()).line == vector["hash"]
    checker = BatchChecker(AuditSpec(parts.signed_part, parts.signature))
    assert checker.find_hits([b"admin", vector["password"].encode()]) == [1]


def test_small_flask_cookie_line_is_the_cookie_value() -> None:
    cookie = flask_cookie("dev", {"u": "al"})
    line = hashcat_line(split_cookie(cookie), SigningOptions())
    assert line.line == cookie
    assert line.mode == 29100


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        (SigningOptions(salt="other"), "salt"),
        (SigningOptions(digest="sha256"), "sha1"),
        (SigningOptions(key_derivation="concat"), "hmac key derivation"),
    ],
)
def test_options_hashcat_does_not_know_are_refused(options: SigningOptions, reason: str) -> None:
    with pytest.raises(HashcatUnsupportedError, match=reason):
        hashcat_line(split_cookie(flask_cookie("dev", {"u": "al"})), options)


def test_compressed_cookie_is_refused_with_the_reason() -> None:
    cookie = flask_cookie("dev", {"cart": ["item"] * 100})
    assert cookie.startswith(".")
    result = run_cli("audit-secret", cookie, "--hashcat")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "compressed" in result.stderr


def test_long_payload_is_refused_and_a_middling_one_warned() -> None:
    # Random-looking text does not compress, so Flask leaves the cookie uncompressed.
    token = base64.b64encode(hashlib.sha512(b"x").digest()).decode()[:60]
    long_cookie = flask_cookie("dev", {"token": token})
    assert not long_cookie.startswith(".")
    with pytest.raises(HashcatUnsupportedError, match="at most 56"):
        hashcat_line(split_cookie(long_cookie), SigningOptions())
    middling = flask_cookie("dev", {"user": "alice-smith"})
    parts = split_cookie(middling)
    assert 27 < len(parts.payload_b64) <= 56
    line = hashcat_line(parts, SigningOptions())
    assert any("6.2.6" in warning for warning in line.warnings)


def test_hashcat_json() -> None:
    cookie = flask_cookie("dev", {"u": "al"})
    document = run_json("audit-secret", cookie, "--hashcat")
    assert document["hashcat_mode"] == 29100
    assert document["hash"] == cookie


@needs_hashcat
def test_example_format_matches_hashcat_example_hashes() -> None:
    assert HASHCAT is not None
    completed = subprocess.run(
        [HASHCAT, "-m", "29100", "--example-hashes"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    match = re.search(r"Example\.Hash\.*: (\S+)", completed.stdout)
    assert match is not None, completed.stdout
    parts = split_cookie(match.group(1))
    assert hashcat_line(parts, SigningOptions()).line == match.group(1)


@needs_hashcat
def test_hashcat_cracks_the_line_from_a_small_list(tmp_path: Path) -> None:
    """The printed line loads into real hashcat (CPU via pocl) and cracks a real Flask key."""
    assert HASHCAT is not None
    cookie = flask_cookie("pizza-party", {"u": "al"})
    result = run_cli("audit-secret", cookie, "--hashcat")
    assert result.exit_code == 0, result.stderr
    hash_file = tmp_path / "cookie.hash"
    hash_file.write_text(result.stdout)
    wordlist = tmp_path / "words.txt"
    wordlist.write_text("dev\nsecret\npizza-party\nchangeme\n")
    out_file = tmp_path / "cracked.txt"
    command = hashcat_crack_command(
        HASHCAT, hash_file, wordlist, out_file, session_name=f"flaskscope-test-{tmp_path.name}"
    )
    completed = subprocess.run(
        [*command, "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )
    assert completed.returncode == 0, (completed.returncode, completed.stdout, completed.stderr)
    assert out_file.read_text().strip() == "pizza-party"
