"""``flaskscope audit-secret`` through the CLI, on cookies made by real Flask."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

import flaskscope.audit.checker
from tests.audit.test_checker import empty_key_cookie
from tests.conftest import run_cli, run_json
from tests.peers import flask_cookie

# More lines than audit_runner.SMALL_LIST, so --jobs 2 really starts two workers.
FILLER = [f"not-the-key-{n}" for n in range(30000)]


def write_list(tmp_path: Path, lines: list[bytes], name: str = "list.txt") -> str:
    path = tmp_path / name
    data = b"\n".join(lines) + b"\n"
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return str(path)


def filler_with(key: bytes, where: str) -> list[bytes]:
    lines = [line.encode() for line in FILLER]
    position = {"first": 0, "middle": len(lines) // 2, "last": len(lines)}[where]
    lines.insert(position, key)
    return lines


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_key_is_found_wherever_it_is(tmp_path: Path, where: str, jobs: str) -> None:
    cookie = flask_cookie("acme-prod-2019")
    wordlist = write_list(tmp_path, filler_with(b"acme-prod-2019", where))
    document = run_json(
        "audit-secret", cookie, "--wordlist", wordlist, "--no-builtin", "--jobs", jobs, code=1
    )
    assert document["found"] is True
    assert document["secret_key"] == "acme-prod-2019"
    position = {"first": 1, "middle": len(FILLER) // 2 + 1, "last": len(FILLER) + 1}[where]
    assert document["candidates_tried"] == position
    assert document["jobs"] == int(jobs)
    assert isinstance(document["seconds"], float)
    assert "SECRET_KEY_FALLBACKS" in document["advice"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_absent_key_exits_0_after_every_candidate(tmp_path: Path, jobs: str) -> None:
    cookie = flask_cookie("a-long-random-key-nobody-lists")
    wordlist = write_list(tmp_path, [line.encode() for line in FILLER])
    document = run_json("audit-secret", cookie, "-w", wordlist, "--jobs", jobs)
    assert document["found"] is False
    assert document["secret_key"] is None
    builtin = len(
        Path(flaskscope.__file__)
        .parent.joinpath("data", "weak_secrets.txt")
        .read_bytes()
        .splitlines()
    )
    assert document["candidates_tried"] == len(FILLER) + builtin + 1  # + the quickstart key
    assert document["advice"] is None


def test_builtin_list_finds_the_flask_tutorial_key() -> None:
    result = run_cli("audit-secret", flask_cookie("dev"))
    assert result.exit_code == 1, result.stderr
    assert "Weak secret key found: dev" in result.stdout
    assert "SECRET_KEY_FALLBACKS" in result.stdout


def test_builtin_list_finds_the_flask_quickstart_bytes_key() -> None:
    document = run_json("audit-secret", flask_cookie(b'_5#y2L"F4Q8z\n\xec]/'), code=1)
    assert document["secret_key"] is None
    assert document["secret_key_hex"] == b'_5#y2L"F4Q8z\n\xec]/'.hex()
    assert document["secret_key_utf8"] is False


def test_empty_key_is_found() -> None:
    document = run_json("audit-secret", empty_key_cookie(), code=1)
    assert document["found"] is True
    assert document["secret_key"] == ""
    assert document["candidates_tried"] == 1  # the blank first line of the built-in list


def test_non_utf8_key_is_tried_as_raw_bytes(tmp_path: Path) -> None:
    key = b"\xff\xfe\x80weak"
    wordlist = write_list(tmp_path, filler_with(key, "middle"))
    document = run_json("audit-secret", flask_cookie(key), "-w", wordlist, "--no-builtin", code=1)
    assert document["secret_key"] is None
    assert document["secret_key_hex"] == key.hex()
    result = run_cli("audit-secret", flask_cookie(key), "-w", wordlist, "--no-builtin")
    assert "b'\\xff\\xfe\\x80weak'" in result.stdout


def test_gzip_wordlist(tmp_path: Path) -> None:
    wordlist = write_list(tmp_path, filler_with(b"gz-key", "last"), name="keys.txt.gz")
    document = run_json(
        "audit-secret", flask_cookie("gz-key"), "-w", wordlist, "--no-builtin", code=1
    )
    assert document["secret_key"] == "gz-key"


def test_wordlist_from_stdin_with_cookie_from_a_file(tmp_path: Path) -> None:
    cookie_file = tmp_path / "cookie.txt"
    cookie_file.write_text("Cookie: theme=dark; session=" + flask_cookie("piped") + "\n")
    document = run_json(
        "audit-secret",
        "--file",
        str(cookie_file),
        "-w",
        "-",
        "--no-builtin",
        input=b"a\r\nb\r\npiped\r\nc\r\n",
        code=1,
    )
    assert document["secret_key"] == "piped"
    assert document["candidates_tried"] == 3


def test_stdin_cannot_hold_both_cookie_and_wordlist() -> None:
    result = run_cli("audit-secret", "-", "-w", "-", input=b"x\n")
    assert result.exit_code == 2
    assert "stdin" in result.stderr
    result = run_cli("audit-secret", "-w", "-", input=b"x\n")
    assert result.exit_code == 2


def test_custom_salt_is_found_and_a_wrong_salt_is_not() -> None:
    cookie = flask_cookie("dev", salt="my-app-session")
    document = run_json("audit-secret", cookie, "--salt", "my-app-session", code=1)
    assert document["secret_key"] == "dev"
    assert document["salt"] == "my-app-session"
    assert run_json("audit-secret", cookie)["found"] is False
    assert run_json("audit-secret", cookie, "--salt", "other")["found"] is False


def test_compressed_cookie_is_found() -> None:
    cookie = flask_cookie("changeme", {"cart": ["item"] * 200})
    assert cookie.startswith(".")
    document = run_json("audit-secret", cookie, code=1)
    assert document["secret_key"] == "changeme"


def test_expired_cookie_still_proves_the_key() -> None:
    """Signed 90 days ago the way Flask signs (Flask rejects it after 31 days by default)."""
    import hashlib
    import time

    from flask.sessions import session_json_serializer
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class SignedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 90 * 86400

    old = URLSafeTimedSerializer(
        "secret",
        salt="cookie-session",
        serializer=session_json_serializer,
        signer=SignedLongAgo,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    cookie = old.dumps({"user": "alice"})
    document = run_json("audit-secret", cookie, code=1)
    assert document["found"] is True
    assert document["secret_key"] == "secret"
    assert document["expired"] is True
    result = run_cli("audit-secret", cookie)
    assert "expired, but the key is proven" in result.stdout
    fresh = run_json("audit-secret", flask_cookie("secret"), code=1)
    assert fresh["expired"] is False


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_fast_check_claim_is_reported_only_when_decode_cookie_confirms(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, jobs: str
) -> None:
    """Make the fast check claim every chunk's first line; only the real key may come out.

    Forked workers inherit the patched method, so the pool path is covered too.
    """
    real = flaskscope.audit.checker.BatchChecker.find_hits_in_chunk

    def lying(self: flaskscope.audit.checker.BatchChecker, chunk: bytes) -> list[int]:
        return sorted({0, *real(self, chunk)})

    monkeypatch.setattr(flaskscope.audit.checker.BatchChecker, "find_hits_in_chunk", lying)
    wordlist = write_list(tmp_path, [b"forged-claim", *filler_with(b"true-key", "middle")])
    document = run_json(
        "audit-secret", flask_cookie("true-key"), "-w", wordlist, "--no-builtin", "-j", jobs, code=1
    )
    assert document["secret_key"] == "true-key"
    assert document["unconfirmed_hits"] >= 1

    absent = run_json(
        "audit-secret", flask_cookie("not-listed"), "-w", wordlist, "--no-builtin", "-j", jobs
    )
    assert absent["found"] is False
    assert absent["unconfirmed_hits"] >= 1


def test_digest_option_and_signature_size_hint(tmp_path: Path) -> None:
    from itsdangerous import URLSafeTimedSerializer

    serializer = URLSafeTimedSerializer(
        "letmein",
        salt="cookie-session",
        signer_kwargs={"key_derivation": "hmac", "digest_method": __import__("hashlib").sha256},
    )
    cookie = serializer.dumps({"user": "bob"})
    assert run_json("audit-secret", cookie, "--digest", "sha256", code=1)["secret_key"] == "letmein"
    result = run_cli("audit-secret", cookie)
    assert result.exit_code == 2
    assert "--digest sha256" in result.stderr


def test_bad_input_exits_2(tmp_path: Path) -> None:
    result = run_cli("audit-secret", "not-a-cookie")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error:")
    result = run_cli("audit-secret", flask_cookie("dev"), "-w", str(tmp_path / "missing.txt"))
    assert result.exit_code == 2
    assert "missing.txt" in result.stderr
    result = run_cli("audit-secret", flask_cookie("dev"), "--no-builtin")
    assert result.exit_code == 2
    result = run_cli("audit-secret", flask_cookie("dev"), "--jobs", "0")
    assert result.exit_code == 2


def test_plain_output_is_free_of_escapes_and_progress_when_piped(tmp_path: Path) -> None:
    key = b"\x1b[31mred"
    wordlist = write_list(tmp_path, [key])
    result = run_cli("audit-secret", flask_cookie(key), "-w", wordlist)
    assert result.exit_code == 1
    assert "\x1b" not in result.stdout
    assert "\\x1b[31mred" in result.stdout
    assert result.stderr == ""


def test_json_is_one_object(tmp_path: Path) -> None:
    result = run_cli("audit-secret", flask_cookie("dev"), "--json")
    document = json.loads(result.stdout)
    assert {"found", "secret_key", "candidates_tried", "seconds"} <= set(document)
    assert result.stderr == ""


@pytest.mark.parametrize("key_derivation", ["concat", "django-concat", "none"])
def test_other_key_derivations_through_the_cli(key_derivation: str) -> None:
    import hashlib

    from itsdangerous import URLSafeTimedSerializer

    serializer = URLSafeTimedSerializer(
        "changeme",
        salt="cookie-session",
        signer_kwargs={"key_derivation": key_derivation, "digest_method": hashlib.sha1},
    )
    cookie = serializer.dumps({"user": "carol"})
    document = run_json("audit-secret", cookie, "--key-derivation", key_derivation, code=1)
    assert document["secret_key"] == "changeme"
    assert document["key_derivation"] == key_derivation
    assert run_json("audit-secret", cookie)["found"] is False


def test_app_settings_give_salt_and_cookie_name(tmp_path: Path) -> None:
    """--app: the app's session interface salt and cookie name, without its key."""
    (tmp_path / "audited_app.py").write_text(
        "from flask import Flask, session\n"
        "from flask.sessions import SecureCookieSessionInterface\n"
        "class Salted(SecureCookieSessionInterface):\n"
        "    salt = 'audited-salt'\n"
        "app = Flask(__name__)\n"
        "app.secret_key = 'changeme'\n"
        "app.config['SESSION_COOKIE_NAME'] = 'sid'\n"
        "app.session_interface = Salted()\n"
        "@app.route('/')\n"
        "def index():\n"
        "    session['user'] = 'dora'\n"
        "    return 'ok'\n"
    )
    import importlib
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        module = importlib.import_module("audited_app")
        client = module.app.test_client()
        client.get("/")
        cookie = client.get_cookie("sid")
        assert cookie is not None
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("audited_app", None)
    header = f"Cookie: theme=dark; sid={cookie.value}"
    document = run_json(
        "audit-secret", header, "--app", "audited_app", "--app-dir", str(tmp_path), code=1
    )
    assert document["secret_key"] == "changeme"
    assert document["salt"] == "audited-salt"
    assert run_json("audit-secret", cookie.value)["found"] is False


@pytest.mark.parametrize("from_stdin", [False, True])
def test_progress_bar_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, from_stdin: bool
) -> None:
    """On a terminal the bar shows tried/total, candidates/s and ETA (total known) on stderr."""
    import io

    from rich.console import Console

    import flaskscope.commands.audit as audit_command

    screen = io.StringIO()
    consoles: list[Console] = []

    def terminal_console(*, no_color: bool = False, stderr: bool = False) -> Console:
        console = Console(file=screen if stderr else io.StringIO(), force_terminal=True, width=150)
        consoles.append(console)
        return console

    monkeypatch.setattr(audit_command, "is_terminal", lambda _stream: True)
    monkeypatch.setattr(audit_command, "make_console", terminal_console)
    lines = [line.encode() for line in FILLER]
    wordlist = write_list(tmp_path, lines)
    cookie = flask_cookie("absent-key")
    if from_stdin:
        data = b"\n".join(lines) + b"\n"
        result = run_cli("audit-secret", cookie, "-w", "-", "--no-builtin", input=data)
    else:
        result = run_cli("audit-secret", cookie, "-w", wordlist, "--no-builtin")
    assert result.exit_code == 0, result.stderr
    shown = screen.getvalue()
    assert "candidates/s" in shown
    if from_stdin:
        assert "tried" in shown
        assert "ETA" not in shown
    else:
        assert f"/{len(FILLER):,}" in shown  # thousands separators, as in the summary
        assert "ETA" in shown


# --- options through the CLI: --legacy, --max-age, --cookie-name, --no-color, empty lists ------

LEGACY_EPOCH_2011 = 1_293_840_000  # itsdangerous < 1.0: EPOCH = 1293840000 (2011-01-01)


def _itsdangerous_cookie(key: str, timestamp: int, data: dict[str, object]) -> str:
    """A session cookie signed as Flask signs it, with the signer's clock at ``timestamp``
    (counted as itsdangerous counts it: modern from 1970, < 1.0 from 2011)."""
    import hashlib

    from flask.sessions import session_json_serializer
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    class FixedClock(TimestampSigner):
        def get_timestamp(self) -> int:
            return timestamp

    serializer = URLSafeTimedSerializer(
        key,
        salt="cookie-session",
        serializer=session_json_serializer,
        signer=FixedClock,
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
    return serializer.dumps(data)


def test_legacy_option_reads_2011_epoch_timestamps() -> None:
    import time

    signed_at = int(time.time()) - 3600
    cookie = _itsdangerous_cookie("changeme", signed_at - LEGACY_EPOCH_2011, {"user": "old"})
    legacy = run_json("audit-secret", cookie, "--legacy", code=1)
    assert legacy["secret_key"] == "changeme"
    assert legacy["legacy"] is True
    assert legacy["expired"] is False  # an hour old, counted from 2011
    issued = legacy["issued_at"]
    assert issued == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(signed_at))
    text = run_cli("audit-secret", cookie, "--legacy")
    assert text.exit_code == 1
    assert "Weak secret key found: changeme" in text.stdout
    assert "legacy timestamps" in text.stdout
    assert "expired" not in text.stdout
    modern = run_json("audit-secret", cookie, code=1)  # read from 1970: issued in 1984
    assert modern["legacy"] is False
    assert modern["issued_at"].startswith("198")
    assert modern["expired"] is True


def test_max_age_option_decides_expired() -> None:
    import time

    cookie = _itsdangerous_cookie("secret", int(time.time()) - 40 * 86400, {"user": "a"})
    assert run_json("audit-secret", cookie, code=1)["expired"] is True  # Flask's 31 days
    longer = run_json("audit-secret", cookie, "--max-age", "60d", code=1)
    assert longer["expired"] is False
    assert longer["max_age"] == 60 * 86400
    unchecked = run_json("audit-secret", cookie, "--max-age", "none", code=1)
    assert unchecked["max_age"] is None
    assert unchecked["expired"] is None  # not checked
    result = run_cli("audit-secret", cookie, "--max-age", "1h")
    assert result.exit_code == 1
    assert "expired, but the key is proven" in result.stdout
    for bad in ("soon", "3000000000000", "999999999999w"):
        refused = run_cli("audit-secret", cookie, "--max-age", bad)
        assert refused.exit_code == 2
        assert refused.stderr.startswith("Error: Invalid value for '--max-age'")
        assert refused.stderr.count("\n") == 1


def test_cookie_name_option_picks_the_cookie_from_a_header() -> None:
    strong = flask_cookie("a-long-random-key-nobody-lists")
    weak = flask_cookie("dev", {"user": "bob"})
    header = f"Cookie: session={strong}; admin_session={weak}; theme=dark"
    assert run_json("audit-secret", header)["found"] is False  # Flask's name: session
    picked = run_json("audit-secret", header, "--cookie-name", "admin_session", code=1)
    assert picked["secret_key"] == "dev"
    missing = run_cli("audit-secret", header, "--cookie-name", "nope")
    assert missing.exit_code == 2
    assert "no cookie named 'nope'" in missing.stderr
    assert "'admin_session'" in missing.stderr
    assert missing.stderr.count("\n") == 1


def _colour_codes(text: str) -> list[str]:
    """SGR parameters that set a colour (30-38, 40-48, 90-107): bold and the like are not."""
    import re

    codes = []
    for sequence in re.findall(r"\x1b\[([0-9;]*)m", text):
        for code in sequence.split(";"):
            if code and (30 <= int(code) <= 48 or 90 <= int(code) <= 107):
                codes.append(code)
    return codes


def test_no_color_option_even_where_colour_is_forced() -> None:
    cookie = flask_cookie("dev")
    env = {"FORCE_COLOR": "1", "NO_COLOR": ""}
    forced = run_cli("audit-secret", cookie, env=env)
    assert forced.exit_code == 1
    assert _colour_codes(forced.stdout)  # rich colours when forced, so the check can fail
    plain = run_cli("audit-secret", cookie, "--no-color", env=env)
    assert plain.exit_code == 1
    assert "Weak secret key found: dev" in plain.stdout
    assert _colour_codes(plain.stdout) == []
    nothing = run_cli("audit-secret", flask_cookie("strong-key-x"), "--no-color", env=env)
    assert nothing.exit_code == 0
    assert "No weak secret key found." in nothing.stdout
    assert _colour_codes(nothing.stdout) == []


def test_empty_wordlists_are_an_input_error(tmp_path: Path) -> None:
    """A broken pipe upstream gives an empty list: 'no weak key' would pass CI wrongly."""
    cookie = flask_cookie("a-long-random-key-nobody-lists")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for args, stdin in (
        (("-w", "-"), b""),
        (("-w", str(empty)), None),
        (("-w", str(empty), "-w", "-"), b""),
    ):
        result = run_cli("audit-secret", cookie, *args, "--no-builtin", input=stdin)
        assert result.exit_code == 2, args
        assert result.stderr == "Error: no candidates to try: the wordlists were empty\n"
        assert result.stdout == ""
        as_json = run_cli("audit-secret", cookie, *args, "--no-builtin", "--json", input=stdin)
        assert as_json.exit_code == 2
        assert as_json.stdout == ""


def test_an_empty_line_is_the_empty_key_and_counts() -> None:
    document = run_json(
        "audit-secret", flask_cookie("strong-key-x"), "-w", "-", "--no-builtin", input=b"\n"
    )
    assert document["found"] is False
    assert document["candidates_tried"] == 1
    found = run_json(
        "audit-secret", empty_key_cookie(), "-w", "-", "--no-builtin", input=b"\n", code=1
    )
    assert found["secret_key"] == ""
