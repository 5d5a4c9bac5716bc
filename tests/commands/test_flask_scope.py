"""``--app`` on flaskscope's commands and ``flask scope ...`` inside Flask's own CLI.

Cookies come from each sample app's own ``test_client()``; they are read back through
``flaskscope decode-cookie --app``, through Flask's real ``FlaskGroup`` (which finds the
``scope`` group through the ``flask.commands`` entry point), and once through a real
``flask --app ... scope decode-cookie`` process.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import FlaskGroup

from flaskscope.cli import main
from flaskscope.flask_commands import app_options, app_session_settings, scope

pytestmark = pytest.mark.usefixtures("sample_apps")


def flask_cli(*args: str, input: str | None = None) -> Result:
    """``flask ARGS`` in-process through Flask's own group, plugins loaded from entry points."""
    return CliRunner().invoke(FlaskGroup(), list(args), input=input, catch_exceptions=False)


def flaskscope_cli(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def login_cookie(app: Flask, path: str = "/login/ada") -> str:
    client = app.test_client()
    assert client.post(path).status_code == 200
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def import_app(import_name: str) -> Flask:
    """The app object the way a test (not flaskscope) gets it: flask.cli's own loader."""
    from flask.cli import ScriptInfo

    return ScriptInfo(import_name, set_debug_flag=False).load_app()


# A probe command: shows what app_session_settings resolves to, in both worlds.
@click.command("probe")
@app_options
def probe(app_import: str | None, app_dir: str | None) -> None:
    settings = app_session_settings(app_import, app_dir)
    click.echo("none" if settings is None else f"{settings.app_name} {settings.cookie_name}")


def test_flask_finds_the_scope_group_through_its_entry_point() -> None:
    group = FlaskGroup()
    with click.Context(group) as ctx:
        assert group.get_command(ctx, "scope") is scope


def test_scope_serves_the_very_same_command_objects() -> None:
    with click.Context(main) as ctx, click.Context(scope) as scope_ctx:
        names = main.list_commands(ctx)
        assert names == scope.list_commands(scope_ctx)
        for name in names:
            assert scope.get_command(scope_ctx, name) is main.get_command(ctx, name)


def test_no_app_means_no_settings() -> None:
    result = CliRunner().invoke(probe, [])
    assert (result.exit_code, result.stdout) == (0, "none\n")


def test_probe_with_app_option() -> None:
    result = CliRunner().invoke(probe, ['--app=fs_factory_app:create_app(cookie="sid")'])
    assert (result.exit_code, result.stdout) == (0, "fs_factory_app sid\n")


def test_probe_under_flask_uses_flasks_app() -> None:
    group = FlaskGroup()
    group.add_command(probe)
    result = CliRunner().invoke(
        group, ["--app", 'fs_factory_app:create_app(cookie="sid")', "probe"]
    )
    assert (result.exit_code, result.stdout) == (0, "fs_factory_app sid\n"), result.stderr


def test_probe_under_flask_honours_flask_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_APP", "fs_custom_interface_app")
    group = FlaskGroup()
    group.add_command(probe)
    result = CliRunner().invoke(group, ["probe"])
    assert (result.exit_code, result.stdout) == (0, "fs_custom_interface_app shop\n")


def test_app_options_are_hidden_and_refused_under_flask() -> None:
    group = FlaskGroup()
    group.add_command(probe)
    help_text = CliRunner().invoke(group, ["--app", "fs_plain_app", "probe", "--help"]).stdout
    assert "--app" not in help_text
    assert "--app" in CliRunner().invoke(probe, ["--help"]).stdout
    result = CliRunner().invoke(group, ["--app", "fs_plain_app", "probe", "--app", "fs_plain_app"])
    assert result.exit_code == 2
    assert "use 'flask --app IMPORT scope ...'" in result.stderr


# ---------------------------------------------------------------------------------------
# decode-cookie with real apps' cookies, both ways in.

NOW = "2030-01-01T00:00:00Z"  # a fixed --now, so the two ways in give identical output

# (import string, view that sets the session, secret the app signs with)
APPS = [
    ("fs_plain_app", "/login/ada", "plain-app-secret"),
    ('fs_factory_app:create_app("staging", cookie="sid")', "/login/bob", "factory-staging-secret"),
    ("fs_fallback_app", "/login/cy", "current-2026"),
    ("fs_custom_interface_app", "/cart/tea/4.20", "custom-interface-secret"),
    ('fs_pkg_app.web:make("dee")', "/login/dee", "dee-package-secret"),
    ("fs_bytes_key_app", "/login/bytes", bytes(range(200, 224)).hex()),
]


def decoded(result: Result, code: int = 0) -> dict[str, Any]:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    document: dict[str, Any] = json.loads(result.stdout)
    return document


@pytest.mark.parametrize(("import_name", "view", "secret"), APPS)
def test_app_cookie_is_valid_through_app_option_and_flask_scope(
    import_name: str, view: str, secret: str
) -> None:
    app = import_app(import_name)
    cookie = login_cookie(app, view)
    # What the app itself loads from that cookie (its own session interface, its own key).
    with app.test_request_context(
        headers={"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}
    ):
        from flask import session

        expected = dict(session)
    assert expected  # the view really wrote something

    via_option = decoded(flaskscope_cli("decode-cookie", "--app", import_name, cookie, "--json"))
    assert via_option["status"] == "valid"
    assert via_option["matched_key"] == "primary"
    assert via_option["signing"]["salt"] == app.session_interface.salt  # type: ignore[attr-defined]
    serializer = app.session_interface.serializer  # type: ignore[attr-defined]
    assert serializer.loads(via_option["payload"]) == expected
    via_flask = decoded(flask_cli("--app", import_name, "scope", "decode-cookie", cookie, "--json"))
    assert via_flask["status"] == "valid"

    # One implementation: the same output both ways (at the same --now).
    args = ["decode-cookie", cookie, "--json", "--now", NOW, "--max-age", "none"]
    assert flaskscope_cli(*args[:1], "--app", import_name, *args[1:]).stdout == (
        flask_cli("--app", import_name, "scope", *args).stdout
    )
    for result in (via_option, via_flask):
        assert secret not in json.dumps(result)


def test_the_session_is_read_with_the_apps_own_serializer() -> None:
    app = import_app("fs_custom_interface_app")
    cookie = login_cookie(app, "/cart/tea/4.20")
    human = flaskscope_cli("decode-cookie", "--app", "fs_custom_interface_app", cookie)
    assert human.exit_code == 0, human.stderr
    assert "Decimal" in human.stdout  # the app's " dec" tag, unknown to Flask's default
    assert "custom-interface-secret" not in human.stdout + human.stderr
    plain = decoded(
        flaskscope_cli(
            "decode-cookie",
            cookie,
            "-k",
            "custom-interface-secret",
            "--salt",
            "shop-session-v2",
            "--digest",
            "sha512",
            "--json",
        )
    )
    assert plain["status"] == "valid"
    assert plain["unknown_tags"] == [" dec"]  # without the app, the tag is not understood


def test_a_cookie_of_another_app_is_an_invalid_signature() -> None:
    cookie = login_cookie(import_app("fs_plain_app"))
    for result in (
        flaskscope_cli("decode-cookie", "--app", "fs_fallback_app", cookie, "--json"),
        flask_cli("--app", "fs_fallback_app", "scope", "decode-cookie", cookie, "--json"),
    ):
        assert decoded(result, code=1)["status"] == "invalid-signature"


@pytest.mark.parametrize("index", [0, 1])
def test_cookies_signed_with_rotated_keys_match_a_fallback(index: int) -> None:
    module = importlib.import_module("fs_fallback_app")
    before_rotation = Flask("before_rotation")
    before_rotation.config["SECRET_KEY"] = module.OLD_KEYS[index]
    importlib.import_module("fs_routes").add_login_routes(before_rotation)  # the app's routes
    cookie = login_cookie(before_rotation, "/login/old")
    client = module.app.test_client()  # the app itself still accepts it
    client.set_cookie("session", cookie)
    assert client.get("/whoami").text == "old"
    result = decoded(flaskscope_cli("decode-cookie", "--app", "fs_fallback_app", cookie, "--json"))
    assert (result["status"], result["matched_key"]) == ("valid", f"fallback:{index}")
    # --fallback-key on the command line replaces the app's list.
    result = decoded(
        flaskscope_cli(
            "decode-cookie", "--app", "fs_fallback_app", cookie, "--fallback-key", "x", "--json"
        ),
        code=1,
    )
    assert result["status"] == "invalid-signature"


def test_command_line_options_override_the_app() -> None:
    app = import_app("fs_custom_interface_app")
    cookie = login_cookie(app, "/cart/tea/1")
    base = ["decode-cookie", "--app", "fs_custom_interface_app", cookie, "--json"]
    assert decoded(flaskscope_cli(*base))["status"] == "valid"
    for override in (
        ["--salt", "cookie-session"],
        ["--digest", "sha1"],
        ["--key-derivation", "concat"],
        ["-k", "some-other-key"],
    ):
        assert decoded(flaskscope_cli(*base, *override), code=1)["status"] == (
            "invalid-signature"
        ), override


def test_lifetime_comes_from_the_app_and_max_age_overrides_it() -> None:
    cookie = login_cookie(import_app("fs_plain_app"))
    issued = decoded(flaskscope_cli("decode-cookie", cookie, "--json"))["timestamp"]
    three_hours_later = str(issued + 3 * 3600)
    base = ["decode-cookie", "--app", "fs_plain_app", cookie, "--now", three_hours_later, "--json"]
    result = decoded(flaskscope_cli(*base), code=1)  # PERMANENT_SESSION_LIFETIME is 2 hours
    assert (result["status"], result["max_age"]) == ("expired", 7200)
    assert decoded(flaskscope_cli(*base, "--max-age", "1d"))["status"] == "valid"


def test_cookie_name_comes_from_the_app() -> None:
    import_name = 'fs_factory_app:create_app("staging", cookie="sid")'
    cookie = login_cookie(import_app(import_name), "/login/bob")
    header = f"Cookie: session=not-this-one; sid={cookie}; theme=dark"
    result = decoded(flaskscope_cli("decode-cookie", "--app", import_name, header, "--json"))
    assert result["status"] == "valid"
    result = flaskscope_cli(
        "decode-cookie", "--app", import_name, header, "--cookie-name", "session", "--json"
    )
    assert result.exit_code == 2  # "not-this-one" is not a cookie


def test_env_key_does_not_replace_the_apps_key(monkeypatch: pytest.MonkeyPatch) -> None:
    cookie = login_cookie(import_app("fs_plain_app"))
    monkeypatch.setenv("FLASKSCOPE_SECRET_KEY", "exported-for-something-else")
    result = decoded(flaskscope_cli("decode-cookie", "--app", "fs_plain_app", cookie, "--json"))
    assert result["status"] == "valid"
    assert decoded(flaskscope_cli("decode-cookie", cookie, "--json"), code=1)["status"] == (
        "invalid-signature"
    )


def test_app_without_secret_key_lends_its_settings_when_a_key_is_given() -> None:
    twin = Flask("twin")
    twin.config["SECRET_KEY"] = "given-on-the-command-line"

    @twin.post("/set")
    def set_value() -> str:
        from flask import session

        session["n"] = 1
        return "ok"

    cookie = login_cookie(twin, "/set")
    base = ["decode-cookie", "--app", "fs_nokey_app", cookie, "--json"]
    result = decoded(flaskscope_cli(*base, "-k", "given-on-the-command-line"))
    assert result["status"] == "valid"


ERRORS = [
    ("fs_nokey_app", "the app 'fs_nokey_app' has no SECRET_KEY"),
    ("fs_broken_app", "importing 'fs_broken_app' raised RuntimeError: FS_BROKEN_APP_DATABASE"),
    ('fs_factory_app:create_app("qa")', "raised ValueError: unknown environment 'qa'"),
    ("fs_memory_session_app", "session interface fs_memory_session_app.MemorySessionInterface"),
    ("fs_no_such_app", "could not import 'fs_no_such_app'"),
]


@pytest.mark.parametrize(("import_name", "message"), ERRORS)
def test_app_errors_are_one_line_and_exit_2(import_name: str, message: str) -> None:
    cookie = login_cookie(import_app("fs_plain_app"))
    for result in (
        flaskscope_cli("decode-cookie", "--app", import_name, cookie),
        flask_cli("--app", import_name, "scope", "decode-cookie", cookie),
    ):
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr.startswith("Error: ")
        assert message in result.stderr
        assert result.stderr.count("\n") == 1
        assert "Traceback" not in result.stderr


FLASK = shutil.which("flask", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(FLASK is None, reason="no flask script next to this Python")
def test_real_flask_process(sample_apps: Path) -> None:
    import_name = 'fs_factory_app:create_app("staging")'
    cookie = login_cookie(import_app(import_name), "/login/eve")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "FLASKSCOPE_"))}
    completed = subprocess.run(
        [str(FLASK), "--app", import_name, "scope", "decode-cookie", cookie, "--json"],
        cwd=sample_apps,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    document = json.loads(completed.stdout)
    assert (document["status"], document["matched_key"]) == ("valid", "primary")
    assert json.loads(document["payload"]) == {"user": "eve"}
    env["FLASK_APP"] = "fs_broken_app"
    completed = subprocess.run(
        [str(FLASK), "scope", "decode-cookie", cookie],
        cwd=sample_apps,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stderr.startswith("Error: importing 'fs_broken_app' raised RuntimeError")
    assert "Traceback" not in completed.stderr


# ---------------------------------------------------------------------------------------
# sign-cookie --app: cookies the app itself accepts.

WHOAMI_APPS = [
    "fs_plain_app",
    'fs_factory_app:create_app("staging", cookie="sid")',
    "fs_fallback_app",
    "fs_bytes_key_app",  # a key that is not UTF-8
]


def app_sees(app: Flask, cookie: str, path: str = "/whoami") -> str:
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    response = client.get(path)
    assert response.status_code == 200
    return response.text


def signed(result: Result) -> str:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout.strip()


@pytest.mark.parametrize("import_name", WHOAMI_APPS)
def test_signed_cookie_is_accepted_by_the_app(import_name: str) -> None:
    app = import_app(import_name)
    assert (
        app_sees(
            app, signed(flaskscope_cli("sign-cookie", "--app", import_name, '{"user": "zoe"}'))
        )
        == "zoe"
    )
    assert (
        app_sees(
            app, signed(flask_cli("--app", import_name, "scope", "sign-cookie", '{"user": "yan"}'))
        )
        == "yan"
    )
    # The same session signed at the same moment is the same cookie both ways in.
    args = ["sign-cookie", '{"user": "x"}', "--timestamp", "1767225600"]
    assert flaskscope_cli(*args[:1], "--app", import_name, *args[1:]).stdout == (
        flask_cli("--app", import_name, "scope", *args).stdout
    )


def test_signed_cookie_with_the_apps_own_serializer_and_signing() -> None:
    app = import_app("fs_custom_interface_app")
    session = '{"cart": {"tea": {" dec": "4.20"}}}'
    cookie = signed(flaskscope_cli("sign-cookie", "--app", "fs_custom_interface_app", session))
    assert app_sees(app, cookie, "/cart") == "{'tea': Decimal('4.20')}"
    cookie = signed(flask_cli("--app", "fs_custom_interface_app", "scope", "sign-cookie", session))
    assert app_sees(app, cookie, "/cart") == "{'tea': Decimal('4.20')}"


@pytest.mark.parametrize(
    "override", [["--salt", "other-salt"], ["--digest", "sha256"], ["-k", "not-the-key"]]
)
def test_sign_options_override_the_app(override: list[str]) -> None:
    app = import_app("fs_plain_app")
    cookie = signed(
        flaskscope_cli("sign-cookie", "--app", "fs_plain_app", '{"user": "m"}', *override)
    )
    assert app_sees(app, cookie) == "anonymous"  # signed differently, so the app ignores it


def test_sign_with_an_app_without_secret_key() -> None:
    result = flaskscope_cli("sign-cookie", "--app", "fs_nokey_app", '{"user": "m"}')
    assert result.exit_code == 2
    assert "has no SECRET_KEY" in result.stderr
    cookie = signed(flaskscope_cli("sign-cookie", "--app", "fs_nokey_app", "{}", "-k", "given"))
    assert decoded(flaskscope_cli("decode-cookie", cookie, "-k", "given", "--json"))["status"] == (
        "valid"
    )


def test_sign_json_the_app_serializer_cannot_read() -> None:
    result = flaskscope_cli("sign-cookie", "--app", "fs_custom_interface_app", "[1, 2]")
    assert result.exit_code == 2
    assert "the session must be a JSON object" in result.stderr
    result = flaskscope_cli("sign-cookie", "--app", "fs_custom_interface_app", "{nope")
    assert result.exit_code == 2
    assert "the app's session serializer cannot read this JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_secret_is_never_printed() -> None:
    cookie = login_cookie(import_app("fs_fallback_app"), "/login/q")
    outputs = [
        flaskscope_cli("decode-cookie", "--app", "fs_fallback_app", cookie),
        flaskscope_cli("decode-cookie", "--app", "fs_fallback_app", cookie, "--json"),
        flaskscope_cli("sign-cookie", "--app", "fs_fallback_app", "{}", "--json"),
        flask_cli("--app", "fs_fallback_app", "scope", "decode-cookie", cookie),
    ]
    for result in outputs:
        for secret in ("current-2026", "rotated-out-2024", "rotated-out-2025"):
            assert secret not in result.stdout + result.stderr


# ---------------------------------------------------------------------------------------
# Finding the app like flask does, and audit-secret with the app's signing settings.


def test_bare_app_option_uses_flask_app(monkeypatch: pytest.MonkeyPatch) -> None:
    cookie = login_cookie(import_app("fs_plain_app"))
    monkeypatch.setenv("FLASK_APP", "fs_plain_app")
    result = decoded(flaskscope_cli("decode-cookie", cookie, "--app", "--json"))
    assert result["status"] == "valid"
    # Without --app, FLASK_APP alone does not make flaskscope import anything.
    assert decoded(flaskscope_cli("decode-cookie", cookie, "--json"))["status"] == "unverified"


def test_bare_app_option_searches_the_directory(tmp_path: Path) -> None:
    (tmp_path / "wsgi.py").write_text(
        "from flask import Flask, session\n"
        "app = Flask(__name__)\n"
        "app.config['SECRET_KEY'] = 'found-by-search'\n"
        "@app.post('/login/<user>')\n"
        "def login(user):\n"
        "    session['user'] = user\n"
        "    return 'ok'\n",
        encoding="utf-8",
    )
    twin = Flask("twin")
    twin.config["SECRET_KEY"] = "found-by-search"

    @twin.post("/login/<user>")
    def login(user: str) -> str:
        from flask import session

        session["user"] = user
        return "ok"

    cookie = login_cookie(twin)
    result = flaskscope_cli("decode-cookie", cookie, "--app-dir", str(tmp_path), "--json")
    assert decoded(result)["status"] == "valid"
    result = flaskscope_cli("decode-cookie", "--app", "--json", cookie)
    assert result.exit_code == 2  # tests/apps has no wsgi.py or app.py
    assert "could not locate a Flask application" in result.stderr


def test_audit_secret_under_flask_scope_uses_the_apps_signing(tmp_path: Path) -> None:
    app = import_app("fs_custom_interface_app")
    cookie = login_cookie(app, "/cart/tea/1")
    wordlist = tmp_path / "keys.txt"
    wordlist.write_text("dev\nsecret\ncustom-interface-secret\nchangeme\n", encoding="utf-8")
    args = ["audit-secret", cookie, "--wordlist", str(wordlist), "--no-builtin", "--jobs", "1"]
    result = decoded(flask_cli("--app", "fs_custom_interface_app", "scope", *args, "--json"), 1)
    assert (result["found"], result["secret_key"]) == (True, "custom-interface-secret")
    # Without the app (SHA-512 given, Flask's default salt) it cannot be found: the app's
    # salt was used. Without even the digest the signature size alone rules sha1 out.
    assert decoded(flaskscope_cli(*args, "--digest", "sha512", "--json"))["found"] is False
    assert flaskscope_cli(*args, "--json").exit_code == 2


def test_flasks_own_test_cli_runner() -> None:
    """``app.test_cli_runner()`` hands the app over through ``ScriptInfo(create_app=...)``."""
    app = import_app('fs_factory_app:create_app("staging", cookie="sid")')
    cookie = login_cookie(app, "/login/kim")
    result = app.test_cli_runner().invoke(scope, ["decode-cookie", cookie, "--json"])
    assert decoded(result)["status"] == "valid"
    result = app.test_cli_runner().invoke(scope, ["sign-cookie", '{"user": "lee"}'])
    assert app_sees(app, signed(result)) == "lee"


def test_custom_flask_script_whose_create_app_fails() -> None:
    def create_app() -> Flask:
        raise LookupError("no such tenant")

    group = FlaskGroup(create_app=create_app)
    result = CliRunner().invoke(group, ["scope", "decode-cookie", "e30.aDxAwA.abc"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: the app factory 'create_app' raised LookupError")
    assert "no such tenant" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name", ["decode-cookie", "sign-cookie", "audit-secret"])
def test_help_under_flask_scope_has_no_app_option(name: str) -> None:
    under_flask = flask_cli("--app", "fs_plain_app", "scope", name, "--help")
    assert under_flask.exit_code == 0
    assert "--json" in under_flask.stdout
    assert "--app-dir" not in under_flask.stdout
    assert "--app [IMPORT]" not in under_flask.stdout
    assert "--app [IMPORT]" in flaskscope_cli(name, "--help").stdout
