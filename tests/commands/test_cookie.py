"""decode-cookie and sign-cookie through Click's runner: every option, exit code and message."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from flask import Flask, session
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import BadSignature, SignatureExpired
from itsdangerous.timed import TimestampSigner

from flaskscope.commands.cookie import show_decoded
from flaskscope.commands.cookie_options import (
    cookie_input_options,
    key_options,
    parse_max_age,
    parse_time,
    read_cookie_input,
    resolve_cookie_name,
    resolve_keys,
    resolve_max_age,
    resolve_signing,
    signing_options,
)
from flaskscope.cookies import DEFAULT_MAX_AGE, SigningOptions, decode_cookie, sign_cookie
from tests.conftest import run_cli, run_json
from tests.profiles import examples

SAMPLES = Path(__file__).resolve().parent.parent.parent / "samples"
KEY = "cli-key"
T0 = 1_700_000_000
NOW = "2023-11-14T22:13:30Z"  # T0 + 10 s
COOKIE = sign_cookie({"user_id": 42, "roles": ("admin",), "token": b"\x00\x01"}, KEY, timestamp=T0)
DEMO_KEY = (SAMPLES / "cookie-secret-key.txt").read_text(encoding="utf-8").strip()
DEMO_COOKIE = (SAMPLES / "cookie.txt").read_text(encoding="utf-8").strip()
DEMO_NOW = "2025-06-01T12:05:00Z"


def decode(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
    return run_cli("decode-cookie", *args, input=input, env=env)


# --- decode-cookie: verdicts and exit codes --------------------------------------------------


def test_valid_with_key() -> None:
    document = run_json("decode-cookie", COOKIE, "-k", KEY, "--now", NOW)
    assert document["status"] == "valid"
    assert document["verified"] is True
    assert document["matched_key"] == "primary"
    assert document["compressed"] is False
    assert document["issued_at"] == "2023-11-14T22:13:20Z"
    assert document["age_seconds"] == 10
    assert document["expires_at"] == "2023-12-15T22:13:20Z"
    assert json.loads(document["payload"]) == {
        "roles": {" t": ["admin"]},
        "token": {" b": "AAE="},
        "user_id": 42,
    }
    assert document["session"] == {"roles": ["admin"], "token": "AAE=", "user_id": 42}


def test_unverified_without_key_exits_0_with_a_visible_warning() -> None:
    result = decode(COOKIE, "--now", NOW)
    assert result.exit_code == 0
    assert "unverified" in result.stdout
    assert "NOT checked" in result.stdout
    document = run_json("decode-cookie", COOKIE, "--now", NOW)
    assert document["status"] == "unverified"
    assert document["matched_key"] is None
    assert any("NOT checked" in warning for warning in document["warnings"])


def test_wrong_key_exits_1() -> None:
    result = decode(COOKIE, "-k", "wrong", "--now", NOW)
    assert result.exit_code == 1
    assert "invalid signature" in result.stdout
    assert run_json("decode-cookie", COOKIE, "-k", "wrong", code=1)["status"] == "invalid-signature"


def test_expired_exits_1() -> None:
    result = decode(COOKIE, "-k", KEY, "--now", "2024-06-01T00:00:00Z")
    assert result.exit_code == 1
    assert "expired" in result.stdout
    document = run_json("decode-cookie", COOKIE, "-k", KEY, "--now", "2024-06-01", code=1)
    assert document["status"] == "expired"
    assert document["verified"] is True


def test_tampered_and_truncated_exit_1() -> None:
    flipped = COOKIE[:-3] + ("A" if COOKIE[-3] != "A" else "B") + COOKIE[-2:]
    for value in (flipped, COOKIE[:-5]):
        with pytest.raises(BadSignature):  # itsdangerous refuses both, whatever the clock
            TimestampSigner(KEY, salt="cookie-session", key_derivation="hmac").unsign(value)
        assert decode(value, "-k", KEY, "--now", NOW).exit_code == 1
        document = run_json("decode-cookie", value, "-k", KEY, "--now", NOW, code=1)
        assert document["status"] == "invalid-signature"
        assert document["verified"] is False
        assert document["matched_key"] is None
        assert document["issued_at"] == "2023-11-14T22:13:20Z"  # T0: the timestamp is intact


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not a cookie at all!", "neither a cookie value"),
        ("abc.def", "only one '.'"),
        ("e*J.ZW.sig", "base64url"),
        (".eJwBAgM.ZW.AAAA", "zlib"),
        ("bm90IGpzb24.ZW.AAAA", "not valid JSON"),
        ("WzEsMl0.ZW.AAAA", "not an object"),
        ("a=1; b=2", "no cookie named 'session'"),
    ],
)
def test_not_a_cookie_exits_2_with_one_error_line(value: str, message: str) -> None:
    result = decode(value, "-k", KEY)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_zlib_bomb_is_a_clear_error() -> None:
    import zlib

    from flaskscope.cookies.format import b64url_encode

    bomb = "." + b64url_encode(zlib.compress(b"[" + b"0," * 2_000_000 + b"0]", 9)) + ".ZW.AAAA"
    result = decode(bomb)
    assert result.exit_code == 2
    assert "inflates to more than 1048576 bytes" in result.stderr
    assert decode(bomb, "--max-decompressed", "100").exit_code == 2
    # 0 is "no limit", as for every --max-* option: a 1.2 MB session is inflated and decoded.
    big = '{"a": "' + "x" * 1_200_000 + '"}'
    roomy = "." + b64url_encode(zlib.compress(big.encode(), 9)) + ".ZW.AAAA"
    assert decode(roomy).exit_code == 2
    unlimited = decode(roomy, "--max-decompressed", "0", "--json")
    assert unlimited.exit_code == 0, unlimited.stderr
    assert len(json.loads(unlimited.stdout)["session"]["a"]) == 1_200_000


# --- input forms ------------------------------------------------------------------------------


def test_stdin_with_dash_and_without_argument() -> None:
    assert decode("-", "-k", KEY, "--now", NOW, input=COOKIE + "\n").exit_code == 0
    result = decode("-k", KEY, "--now", NOW, "--json", input=f"Cookie: a=1; session={COOKIE}\n")
    assert json.loads(result.stdout)["status"] == "valid"


def test_file_and_raw_http_messages() -> None:
    for name in ("cookie.txt", "cookie-request.http", "cookie-response.http"):
        result = decode(
            "--file",
            str(SAMPLES / name),
            "--secret-key-file",
            str(SAMPLES / "cookie-secret-key.txt"),
            "--now",
            DEMO_NOW,
            "--json",
        )
        assert result.exit_code == 0, (name, result.stderr)
        assert json.loads(result.stdout)["status"] == "valid"


def test_file_and_argument_together_is_a_usage_error() -> None:
    result = decode(COOKIE, "--file", str(SAMPLES / "cookie.txt"))
    assert result.exit_code == 2
    assert "not both" in result.stderr


def test_missing_file_is_a_usage_error() -> None:
    result = decode("--file", "/no/such/file")
    assert result.exit_code == 2
    assert "/no/such/file" in result.stderr


def test_cookie_name() -> None:
    text = f"Cookie: session=junk; app_session={COOKIE}"
    assert decode(text, "--cookie-name", "app_session", "-k", KEY, "--now", NOW).exit_code == 0
    result = decode(text, "--cookie-name", "other")
    assert result.exit_code == 2
    assert "'app_session'" in result.stderr


# --- keys ------------------------------------------------------------------------------------


def test_env_key_and_it_is_never_printed() -> None:
    secret = "super-secret-value-123"
    value = sign_cookie({"a": 1}, secret, timestamp=T0)
    for args in ((), ("--json",)):
        result = decode(value, "--now", NOW, *args, env={"FLASKSCOPE_SECRET_KEY": secret})
        assert result.exit_code == 0
        assert "valid" in result.stdout
        assert secret not in result.stdout + result.stderr
    wrong = decode(value, "--now", NOW, env={"FLASKSCOPE_SECRET_KEY": "nope"})
    assert wrong.exit_code == 1
    assert "nope" not in wrong.stdout


def test_secret_key_file_holds_raw_bytes(tmp_path: Path) -> None:
    raw = b"\x8a\xff binary key\x00"
    key_file = tmp_path / "key.bin"
    key_file.write_bytes(raw + b"\n")
    value = sign_cookie({"a": 1}, raw, timestamp=T0)
    assert decode(value, "--secret-key-file", str(key_file), "--now", NOW).exit_code == 0
    empty = tmp_path / "empty"
    empty.write_bytes(b"\n")
    assert "empty" in decode(value, "--secret-key-file", str(empty)).stderr


def test_key_file_overrides_env_but_not_option(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(KEY)
    env = {"FLASKSCOPE_SECRET_KEY": "wrong"}
    result = decode(COOKIE, "--secret-key-file", str(key_file), "--now", NOW, env=env)
    assert result.exit_code == 0
    both = decode(COOKIE, "-k", KEY, "--secret-key-file", str(key_file))
    assert both.exit_code == 2
    assert "not both" in both.stderr


def test_fallback_keys_report_which_matched() -> None:
    document = run_json(
        "decode-cookie",
        COOKIE,
        "-k",
        "new",
        "--fallback-key",
        "older",
        "--fallback-key",
        KEY,
        "--now",
        NOW,
    )
    assert document["matched_key"] == "fallback:1"
    assert document["keys_tried"] == 3
    result = decode(COOKIE, "-k", "new", "--fallback-key", KEY, "--now", NOW)
    assert "fallback key #0" in result.stdout


# --- signing options, time -------------------------------------------------------------------


def test_signing_options() -> None:
    value = sign_cookie(
        {"a": 1}, KEY, salt="s", digest="sha256", key_derivation="concat", timestamp=T0
    )
    args = ("--salt", "s", "--digest", "sha256", "--key-derivation", "concat", "--now", NOW)
    document = run_json("decode-cookie", value, "-k", KEY, *args)
    assert document["status"] == "valid"
    assert document["signing"] == {
        "salt": "s",
        "digest": "sha256",
        "key_derivation": "concat",
        "legacy": False,
    }
    assert decode(value, "-k", KEY, "--now", NOW).exit_code == 1
    default_options = run_json("decode-cookie", value, "-k", KEY, "--now", NOW, code=1)
    assert default_options["status"] == "invalid-signature"
    assert default_options["verified"] is False
    bad = decode(value, "-k", KEY, "--digest", "nope")
    assert bad.exit_code == 2
    assert "unknown digest" in bad.stderr
    assert decode(value, "--key-derivation", "md5").exit_code == 2


def test_legacy() -> None:
    value = sign_cookie({"a": 1}, KEY, legacy=True, timestamp=T0)
    document = run_json("decode-cookie", value, "-k", KEY, "--legacy", "--now", NOW)
    assert document["issued_at"] == "2023-11-14T22:13:20Z"
    assert document["status"] == "valid"
    plain = run_json("decode-cookie", value, "-k", KEY, "--max-age", "none")
    assert any("--legacy" in warning for warning in plain["warnings"])


@pytest.mark.parametrize(
    ("max_age", "code"), [("10", 0), ("9", 1), ("none", 0), ("1m", 0), ("0", 1), ("31d", 0)]
)
def test_max_age(max_age: str, code: int) -> None:
    assert decode(COOKIE, "-k", KEY, "--now", NOW, "--max-age", max_age).exit_code == code


def test_max_age_none_in_json() -> None:
    document = run_json("decode-cookie", COOKIE, "-k", KEY, "--max-age", "none")
    assert document["expires_at"] is None
    assert document["max_age"] is None


@pytest.mark.parametrize("option", [("--max-age", "soon"), ("--now", "yesterday")])
def test_bad_option_values(option: tuple[str, str]) -> None:
    result = decode(COOKIE, *option)
    assert result.exit_code == 2
    assert "Invalid value" in result.stderr


def test_no_color() -> None:
    result = decode(COOKIE, "-k", KEY, "--now", NOW, "--no-color")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert "status      valid" in result.stdout


@settings(max_examples=examples(150))
@given(st.text(max_size=120) | st.sampled_from([COOKIE, f"session={COOKIE}"]).map(lambda v: v[:-7]))
def test_random_input_never_escapes_as_a_traceback(text: str) -> None:
    result = decode("-", "-k", KEY, "--now", NOW, input=text)
    assert result.exit_code in (0, 1, 2)
    if result.exit_code == 2:
        assert result.stderr.startswith(("Error: ", "Usage: "))


def test_now_as_epoch() -> None:
    document = run_json("decode-cookie", COOKIE, "--now", str(T0 + 99))
    assert document["age_seconds"] == 99


# --- human output ----------------------------------------------------------------------------


def test_human_view_shows_real_types() -> None:
    result = decode("--file", str(SAMPLES / "cookie.txt"), "-k", DEMO_KEY, "--now", DEMO_NOW)
    assert result.exit_code == 0
    for expected in (
        "roles  tuple[2]",
        "csrf = b'\\x8f\\x01\\xfe token bytes'  bytes",
        "UUID",
        "datetime",
        "Markup('<strong>Welcome back</strong>')",
        "matches the secret key",
        "issued at   2025-06-01 12:00:00 UTC",
    ):
        assert expected in result.stdout, expected
    assert "\x1b[" not in result.stdout


def test_untrusted_text_is_escaped_in_both_views() -> None:
    value = sign_cookie({"evil\x1b[2J": "\u202eabc\x07", "m": "x\n"}, KEY, timestamp=T0)
    result = decode(value, "-k", KEY, "--now", NOW)
    assert "\x1b" not in result.stdout
    assert "\u202e" not in result.stdout
    assert "\\x1b[2J" in result.stdout
    assert "\\u202e" in result.stdout
    assert "\\n" in result.stdout
    as_json = decode(value, "--json")
    assert "\x1b" not in as_json.stdout
    assert "\u202e" not in as_json.stdout


def test_near_size_limit_warning_is_visible() -> None:
    import random

    blob = random.Random(3).randbytes(2650)
    value = sign_cookie({"blob": blob}, KEY, timestamp=T0)
    result = decode(value, "-k", KEY, "--now", NOW)
    assert "near the ~4 KB" in result.stdout or "over the ~4 KB" in result.stdout


def test_json_is_one_object_and_nothing_else() -> None:
    result = decode(COOKIE, "--json", "--now", NOW)
    assert result.stderr == ""
    document = json.loads(result.stdout)
    assert isinstance(document, dict)
    for field in (
        "status",
        "verified",
        "matched_key",
        "compressed",
        "issued_at",
        "age_seconds",
        "expires_at",
        "payload",
    ):
        assert field in document


HEAVY_MODULES = (
    "rich",
    "flask",
    "werkzeug",
    "redis",
    "msgspec",
    "email.utils",
    "flaskscope.flaskapp.load",
    "flaskscope.sessions.store",
    "flaskscope.sessions.payload",
    "flaskscope.sessions.report",
    "flaskscope.sessions.ids",
    "flaskscope.flaskapp.flask_session",
)


@pytest.mark.parametrize("output", ["--json", "piped"])
def test_flask_cookie_paths_do_not_import_heavy_modules(output: str) -> None:
    """Decoding Flask's own cookie (a datetime in it) pays for no app, store or rich."""
    cookie = sign_cookie({"at": datetime(2024, 1, 2, tzinfo=timezone.utc)}, KEY)
    args = [cookie, "--json"] if output == "--json" else [cookie]
    code = (
        "import sys; from flaskscope.cli import main\n"
        "try:\n"
        f"    main(['decode-cookie', *{args!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print([name for name in {HEAVY_MODULES!r} if name in sys.modules], file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert completed.stderr.strip() == "[]"
    assert "unverified" in completed.stdout


def test_rich_view_on_a_terminal_has_colour_unless_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    decoded = decode_cookie(COOKIE, KEY)
    outputs = {}
    for no_color in ("", "1"):
        if no_color:
            monkeypatch.setenv("NO_COLOR", no_color)
        terminal = Terminal()
        monkeypatch.setattr(sys, "stdout", terminal)
        show_decoded(decoded, as_json=False, no_color=False)
        outputs[no_color] = terminal.getvalue()
    assert "\x1b[" in outputs[""]
    assert "user_id" in outputs[""]
    assert "\x1b[" not in outputs["1"]
    assert "user_id = 42  int" in outputs["1"]


# --- sign-cookie ------------------------------------------------------------------------------


def flask_app() -> Flask:
    app = Flask(__name__)
    app.secret_key = KEY

    @app.route("/read")
    def read() -> str:
        return repr(sorted(session.items()))

    return app


def sign(*args: str, input: str | None = None) -> Any:
    return run_cli("sign-cookie", *args, input=input)


def test_sign_cookie_prints_only_the_value_and_flask_accepts_it() -> None:
    result = sign('{"user_id": 7, "roles": {" t": ["admin"]}, "raw": {" b": "AAE="}}', "-k", KEY)
    assert result.exit_code == 0, result.stderr
    value = result.stdout.strip()
    assert result.stdout == value + "\n"
    client = flask_app().test_client()
    client.set_cookie("session", value)
    body = client.get("/read").get_data(as_text=True)
    assert body == repr([("raw", b"\x00\x01"), ("roles", ("admin",)), ("user_id", 7)])


def test_sign_cookie_matches_flask_byte_for_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: T0)
    app = flask_app()

    @app.route("/set")
    def set_session() -> str:
        session["cart"] = [{"sku": n} for n in range(50)]
        session["who"] = ("a", "b")
        return "ok"

    client = app.test_client()
    client.get("/set")
    cookie = client.get_cookie("session")
    assert cookie is not None
    document = json.dumps({"who": {" t": ["a", "b"]}, "cart": [{"sku": n} for n in range(50)]})
    result = sign(document, "-k", KEY, "--timestamp", str(T0))
    assert result.stdout.strip() == cookie.value
    assert cookie.value.startswith(".")


def test_sign_cookie_from_stdin_file_and_json(tmp_path: Path) -> None:
    assert sign("-", "-k", KEY, input='{"a": 1}').exit_code == 0
    path = SAMPLES / "cookie-session.json"
    document = json.loads(
        sign(
            "--file", str(path), "-k", DEMO_KEY, "--timestamp", "2025-06-01T12:00:00Z", "--json"
        ).stdout
    )
    assert document["cookie"] == DEMO_COOKIE  # the sample Flask made, rebuilt exactly
    assert document["compressed"] is True
    assert document["issued_at"] == "2025-06-01T12:00:00Z"
    assert document["timestamp"] == 1748779200


def test_sign_cookie_notes_that_fallback_keys_are_not_used() -> None:
    result = sign('{"a": 1}', "-k", KEY, "--fallback-key", "old")
    assert result.exit_code == 0
    assert "not used to sign" in result.stderr
    assert decode_cookie(result.stdout.strip(), KEY).matched_key == "primary"


def test_sign_cookie_options_round_trip() -> None:
    args = ("--salt", "x", "--digest", "sha512", "--key-derivation", "django-concat", "--legacy")
    value = sign('{"a": 1}', "-k", KEY, *args, "--timestamp", str(T0)).stdout.strip()
    document = run_json("decode-cookie", value, "-k", KEY, *args, "--now", NOW)
    assert document["status"] == "valid"
    assert document["issued_at"] == "2023-11-14T22:13:20Z"


def test_sign_cookie_old_timestamp_decodes_expired() -> None:
    value = sign('{"a": 1}', "-k", KEY, "--timestamp", "2020-01-01T00:00:00Z").stdout.strip()
    signer = TimestampSigner(KEY, salt="cookie-session", key_derivation="hmac")
    _, signed_at = signer.unsign(value, return_timestamp=True)  # genuine: the key matches
    assert signed_at == datetime(2020, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(SignatureExpired):
        signer.unsign(value, max_age=31 * 86400)
    assert decode(value, "-k", KEY).exit_code == 1
    document = run_json("decode-cookie", value, "-k", KEY, code=1)
    assert document["status"] == "expired"
    assert document["verified"] is True
    assert document["matched_key"] == "primary"
    assert document["issued_at"] == "2020-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (('{"a": 1}',), "needs the key"),
        (("[1, 2]", "-k", KEY), "must be a JSON object"),
        (("{nope", "-k", KEY), "not valid JSON"),
        (('{"a": {" u": "bad"}}', "-k", KEY), "UUID"),
        (('{"a": 1}', "-k", KEY, "--timestamp", "1900-01-01"), "1970"),
        (('{"a": 1}', "-k", KEY, "--digest", "nope"), "unknown digest"),
    ],
)
def test_sign_cookie_errors(args: tuple[str, ...], message: str) -> None:
    result = sign(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_sign_cookie_size_warning_goes_to_stderr() -> None:
    import base64
    import random

    blob = base64.b64encode(random.Random(5).randbytes(3500)).decode()
    result = sign(json.dumps({"blob": {" b": blob}}), "-k", KEY)
    assert result.exit_code == 0
    assert "4 KB" in result.stderr
    assert result.stdout.count("\n") == 1


# --- shared decorators and resolvers (used by audit-secret and --app) --------------------------


def test_resolvers_let_command_line_values_override_a_base() -> None:
    base = SigningOptions(salt="app-salt", digest="sha256", key_derivation="concat")
    assert resolve_signing(None, None, None, None, base) == base
    assert resolve_signing("cli", None, None, True, base) == SigningOptions(
        "cli", "sha256", "concat", True
    )
    assert resolve_signing(None, None, None, None) == SigningOptions()
    assert resolve_max_age(None) == DEFAULT_MAX_AGE
    assert resolve_max_age(None, base=60) == 60
    assert resolve_max_age("none", base=60) is None
    assert resolve_max_age(30, base=60) == 30
    assert resolve_cookie_name(None) == "session"
    assert resolve_cookie_name(None, base="app") == "app"
    assert resolve_cookie_name("x", base="app") == "x"
    assert resolve_keys(None, None, (), base="app-key", base_fallbacks=["old"]) == (
        "app-key",
        ("old",),
    )
    assert resolve_keys("cli", None, ("f",), base="app-key") == ("cli", ("f",))


def test_parsers() -> None:
    assert parse_max_age("90m") == 5400
    assert parse_max_age("2w") == 14 * 86400
    assert parse_max_age("off") == "none"
    assert parse_time("2024-01-02T03:04:05Z").isoformat() == "2024-01-02T03:04:05+00:00"
    assert parse_time("2024-01-02T05:04:05+02:00").isoformat() == "2024-01-02T03:04:05+00:00"
    assert parse_time("0").year == 1970
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_time("soon")
    with pytest.raises(ValueError, match="out of range"):
        parse_time("0001-01-01T00:00:00+05:00")  # before year 1 once in UTC


@pytest.mark.parametrize(
    "args",
    [
        ["sign-cookie", "{}", "-k", KEY, "--timestamp", "0001-01-01T00:00:00+05:00"],
        ["decode-cookie", COOKIE, "--now", "0001-01-01T00:00:00+05:00"],
    ],
)
def test_times_before_year_one_in_utc_are_a_usage_error(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.exit_code == 2
    assert "out of range" in result.stderr
    assert "Traceback" not in result.stderr


def test_decorators_build_a_command_for_other_issues() -> None:
    @click.command()
    @cookie_input_options
    @key_options
    @signing_options
    def probe(**options: Any) -> None:
        value = read_cookie_input(options["cookie"], options["file"], options["cookie_name"])
        signing = resolve_signing(
            options["salt"], options["digest"], options["key_derivation"], options["legacy"]
        )
        click.echo(f"{value} {signing.salt} {sorted(options)}")

    result = CliRunner().invoke(probe, [f"session={COOKIE}", "--salt", "s"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{COOKIE} s ")
    for name in ("secret_key", "secret_key_file", "fallback_keys", "digest", "legacy"):
        assert name in result.output


# --- out-of-range timestamps and max ages ------------------------------------------------------

FORGED_9999 = "eyJhIjoxfQ.Ov_0QX8.QiaM1wi04UmHheCBA3GQ20OzOJQ"  # timestamp 9999-12-31T23:59:59Z


def test_forged_timestamp_near_year_9999_is_a_clean_result() -> None:
    result = decode(FORGED_9999)
    assert result.exit_code == 0, result.stderr
    assert "after 9999-12-31" in result.stdout
    document = run_json("decode-cookie", FORGED_9999)
    assert document["status"] == "unverified"
    assert document["issued_at"] == "9999-12-31T23:59:59Z"
    assert document["expires_at"] is None
    assert any("past the dates Python can represent" in w for w in document["warnings"])
    checked = run_json("decode-cookie", FORGED_9999, "-k", KEY, code=1)
    assert checked["status"] == "invalid-signature"
    genuine = sign_cookie({"a": 1}, KEY, timestamp=253402300799)
    assert run_json("decode-cookie", genuine, "-k", KEY, code=1)["status"] == "expired"


@pytest.mark.parametrize(
    "max_age", ["3000000000000", "99999999999999999999", "999999999999w", "36526d", "9" * 5000]
)
def test_max_age_past_100_years_is_a_usage_error(max_age: str) -> None:
    result = decode(COOKIE, "--max-age", max_age)
    assert result.exit_code == 2
    assert "more than 100 years" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_max_age_of_100_years_is_accepted() -> None:
    document = run_json("decode-cookie", COOKIE, "-k", KEY, "--max-age", "36525d", "--now", NOW)
    assert document["status"] == "valid"
    assert document["max_age"] == 36525 * 86400
    assert document["expires_at"] == "2123-11-15T22:13:20Z"  # T0 + 36525 days


# --- tags sign-cookie cannot sign faithfully ---------------------------------------------------


@pytest.mark.parametrize(
    ("document", "where", "tag"),
    [
        ('{"a": {" d": "garbage"}}', 'session["a"]', "' d' (datetime)"),
        ('{" b": "!!!"}', "the session", "' b' (bytes)"),
        ('{"a": {" b": "!!!"}}', 'session["a"]', "' b' (bytes)"),
        ('{"a": {" u": "zz"}}', 'session["a"]', "' u' (UUID)"),
        ('{"a": [{" t": "abc"}]}', 'session["a"][0]', "' t' (tuple)"),
        ('{"a": {" m": 5}}', 'session["a"]', "' m' (Markup)"),
        ('{"a": {" di": {"x": 1, "y": 2}}}', 'session["a"]', "' di' (escaped dict key)"),
    ],
)
def test_sign_cookie_refuses_tags_it_cannot_sign_faithfully(
    document: str, where: str, tag: str
) -> None:
    result = sign(document, "-k", KEY)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: session JSON: {where} has a {tag} tag")
    assert result.stderr.count("\n") == 1


def test_sign_cookie_keeps_faithful_tags_as_flask_loads_them() -> None:
    document = (
        '{"b": {" b": "AAE="}, "u": {" u": "12345678-1234-5678-1234-567812345678"},'
        ' "d": {" d": "Tue, 02 Jan 2024 03:04:05 GMT"}, "t": {" t": [1]}}'
    )
    value = sign(document, "-k", KEY).stdout.strip()
    app = Flask(__name__)
    app.secret_key = KEY
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer.loads(value) == {
        "b": b"\x00\x01",
        "u": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "d": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        "t": (1,),
    }


def test_decode_loads_a_lossy_tag_as_flask_does_with_a_warning() -> None:
    """A cookie whose JSON was written by hand (plain json): Flask loads {"a": None}."""
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer(
        KEY, salt="cookie-session", signer_kwargs={"key_derivation": "hmac"}
    ).dumps({"a": {" d": "garbage"}, "n": 1})
    app = Flask(__name__)
    app.secret_key = KEY
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert serializer.loads(forged) == {"a": None, "n": 1}
    document = run_json("decode-cookie", forged, "-k", KEY)
    assert document["status"] == "valid"
    assert document["session"] == {"a": None, "n": 1}
    assert any(
        warning.startswith("session[\"a\"] has a ' d' (datetime) tag")
        and "Flask loads None" in warning
        for warning in document["warnings"]
    )
