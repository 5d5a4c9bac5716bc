"""``--app`` on flaskscope's commands and ``flask scope ...`` inside Flask's own CLI.

Cookies come from each sample app's own ``test_client()``; they are read back through
``flaskscope decode-cookie --app``, through Flask's real ``FlaskGroup`` (which finds the
``scope`` group through the ``flask.commands`` entry point), and once through a real
``flask --app ... scope decode-cookie`` process.
"""

from __future__ import annotations

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
