"""Loading a real app as ``flask --app`` does, and reading its session settings.

The settings are checked against the apps' real cookies: a cookie made by the app's own
``test_client()`` must verify with a plain itsdangerous serializer built only from what
:func:`session_settings` returned.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from itsdangerous import BadSignature, URLSafeTimedSerializer

from flaskscope.flaskapp.load import (
    AppError,
    AppFactoryError,
    AppImportError,
    AppNotFoundError,
    AppSessionSettings,
    NoSecretKeyError,
    NotCookieSessionError,
    load_app,
    load_session_settings,
    session_settings,
)
from tests.profiles import examples

pytestmark = pytest.mark.usefixtures("sample_apps")


def cookie_from(app: Flask, path: str) -> str:
    """The session cookie the app's own test client gets after POSTing to ``path``."""
    client = app.test_client()
    response = client.post(path)
    assert response.status_code == 200, response.data
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def serializer_from(settings: AppSessionSettings) -> URLSafeTimedSerializer:
    """A serializer built by hand from the settings, not by the app."""
    assert settings.secret_key is not None
    return URLSafeTimedSerializer(
        [*settings.fallback_keys, settings.secret_key],
        salt=settings.salt,
        serializer=settings.serializer,
        signer_kwargs={
            "key_derivation": settings.key_derivation,
            "digest_method": lambda data=b"": hashlib.new(settings.digest, data),
        },
    )


def test_plain_app() -> None:
    app = load_app("fs_plain_app")
    settings = session_settings(app)
    assert settings.app_name == "fs_plain_app"
    assert settings.secret_key == "plain-app-secret"
    assert settings.fallback_keys == ()
    assert settings.cookie_name == "session"
    assert settings.max_age == 2 * 3600  # PERMANENT_SESSION_LIFETIME = timedelta(hours=2)
    assert (settings.salt, settings.digest, settings.key_derivation) == (
        "cookie-session",
        "sha1",
        "hmac",
    )
    session = serializer_from(settings).loads(cookie_from(app, "/login/ada"))
    assert session == {"user": "ada", "roles": ("reader", "writer")}


def test_the_module_search_finds_the_app_attribute_like_flask() -> None:
    assert load_app("fs_plain_app") is load_app("fs_plain_app:app")
    assert load_app("fs_plain_app") is importlib.import_module("fs_plain_app").app


def test_factory_with_arguments() -> None:
    app = load_app('fs_factory_app:create_app("staging", cookie="sid")')
    settings = session_settings(app)
    assert settings.secret_key == "factory-staging-secret"
    assert settings.cookie_name == "sid"
    assert serializer_from(settings).loads(cookie_from(app, "/login/bob")) == {"user": "bob"}


def test_factory_without_arguments_is_found_like_flask_does() -> None:
    assert load_session_settings("fs_factory_app").secret_key == "factory-production-secret"


@pytest.mark.parametrize(
    "import_name", ['fs_pkg_app.web:make("ann")', 'fs_pkg_app/web.py:make("ann")']
)
def test_package_module_factory(import_name: str) -> None:
    app = load_app(import_name)
    settings = session_settings(app)
    assert settings.secret_key == "ann-package-secret"
    assert serializer_from(settings).loads(cookie_from(app, "/login/ann")) == {"user": "ann"}


def test_fallback_keys_in_config_order_and_old_cookies_still_verify() -> None:
    settings = load_session_settings("fs_fallback_app")
    module = importlib.import_module("fs_fallback_app")
    assert settings.secret_key == "current-2026"
    assert settings.fallback_keys == tuple(module.OLD_KEYS)
    # A cookie signed before the rotation, by the same app with an old key as SECRET_KEY.
    old_app = Flask("fs_fallback_app_before_rotation")
    old_app.config["SECRET_KEY"] = module.OLD_KEYS[0]
    importlib.import_module("fs_routes").add_login_routes(old_app)  # the app's own routes
    old_cookie = cookie_from(old_app, "/login/eve")
    assert serializer_from(settings).loads(old_cookie) == {"user": "eve"}
    # And the app itself accepts it (so the test is about real rotation, not our reading).
    client = module.app.test_client()
    client.set_cookie("session", old_cookie)
    assert client.get("/whoami").text == "eve"


def test_custom_interface_salt_sha512_and_serializer() -> None:
    app = load_app("fs_custom_interface_app")
    settings = session_settings(app)
    assert settings.interface == "ShopSessionInterface"
    assert settings.salt == "shop-session-v2"
    assert settings.digest == "sha512"
    assert settings.cookie_name == "shop"
    cookie = cookie_from(app, "/cart/tea/4.20")
    from decimal import Decimal

    assert serializer_from(settings).loads(cookie) == {"cart": {"tea": Decimal("4.20")}}
    # The default Flask settings do not verify this cookie: the values really matter.
    default = URLSafeTimedSerializer(settings.secret_key or "", salt="cookie-session")
    with pytest.raises(BadSignature):
        default.loads(cookie)


def test_no_secret_key() -> None:
    with pytest.raises(NoSecretKeyError, match="'fs_nokey_app' has no SECRET_KEY"):
        load_session_settings("fs_nokey_app")


def test_no_secret_key_allowed_when_the_caller_brings_one() -> None:
    settings = load_session_settings("fs_nokey_app", require_secret_key=False)
    assert settings.secret_key is None
    assert (settings.salt, settings.digest) == ("cookie-session", "sha1")


def test_import_that_raises_says_what_and_where() -> None:
    with pytest.raises(AppImportError) as caught:
        load_app("fs_broken_app")
    message = str(caught.value)
    assert "importing 'fs_broken_app' raised RuntimeError" in message
    assert "FS_BROKEN_APP_DATABASE_URL is not set" in message
    assert "fs_broken_app.py:" in message
    assert "\n" not in message


def test_factory_that_raises() -> None:
    with pytest.raises(AppFactoryError) as caught:
        load_app('fs_factory_app:create_app("qa")')
    assert "create_app(\"qa\")' raised ValueError: unknown environment 'qa'" in str(caught.value)


@pytest.mark.parametrize(
    ("import_name", "expected"),
    [
        ("fs_no_such_module", "could not import 'fs_no_such_module': no such module"),
        ("fs_plain_app:nope", "Failed to find attribute 'nope'"),
        ("fs_pkg_app", "Failed to find Flask application or factory"),
        ("fs_factory_app:create_app(1, 2, 3)", "could not be called with the specified"),
        ("fs_factory_app:create_app(os.environ)", "Failed to parse arguments as literal"),
    ],
)
def test_not_found(import_name: str, expected: str) -> None:
    with pytest.raises(AppNotFoundError, match=expected.replace("(", r"\(")):
        load_app(import_name)


def test_session_interface_that_is_not_a_cookie() -> None:
    with pytest.raises(NotCookieSessionError) as caught:
        load_session_settings("fs_memory_session_app")
    assert caught.value.interface == "MemorySessionInterface"
    assert "fs_memory_session_app.MemorySessionInterface" in str(caught.value)


def test_flask_app_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_APP", 'fs_factory_app:create_app("staging")')
    assert load_session_settings(None).secret_key == "factory-staging-secret"


def write_app(directory: Path, file_name: str, secret: str, extra: str = "") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / file_name).write_text(
        "from flask import Flask\n"
        "app = Flask(__name__)\n"
        f"app.config['SECRET_KEY'] = {secret!r}\n" + extra,
        encoding="utf-8",
    )


def test_search_of_the_current_directory_prefers_wsgi_py(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_app(tmp_path, "wsgi.py", "from-wsgi")
    write_app(tmp_path, "app.py", "from-app")
    monkeypatch.chdir(tmp_path)
    assert load_session_settings(None).secret_key == "from-wsgi"


def test_app_dir(tmp_path: Path) -> None:
    write_app(tmp_path / "project", "fs_tmp_dir_app.py", "in-project")
    assert load_session_settings("fs_tmp_dir_app", str(tmp_path / "project")).secret_key == (
        "in-project"
    )


def test_app_dir_search(tmp_path: Path) -> None:
    write_app(tmp_path / "site", "app.py", "searched")
    assert load_session_settings(None, str(tmp_path / "site")).secret_key == "searched"


def test_nothing_to_find(tmp_path: Path) -> None:
    with pytest.raises(AppNotFoundError, match="could not locate a Flask application"):
        load_app(None, str(tmp_path))
    with pytest.raises(AppNotFoundError, match="is not a directory"):
        load_app("fs_plain_app", str(tmp_path / "missing"))


def test_unguarded_app_run_does_not_start_a_server_or_touch_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_app(tmp_path, "fs_tmp_runs_app.py", "runs", "print('hello')\napp.run(port=1)\n")
    assert load_session_settings("fs_tmp_runs_app", str(tmp_path)).secret_key == "runs"
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "hello" in captured.err
    import os

    assert os.environ.get("FLASK_RUN_FROM_CLI") == ""  # restored to what the fixture set


def test_the_secret_is_not_in_repr() -> None:
    settings = load_session_settings("fs_fallback_app")
    text = repr(settings)
    for secret in ("current-2026", "rotated-out-2024", "rotated-out-2025"):
        assert secret not in text


def test_settings_are_frozen() -> None:
    settings = load_session_settings("fs_plain_app")
    with pytest.raises(AttributeError):
        settings.salt = "other"  # type: ignore[misc]


def test_sample_modules_are_forgotten_between_tests() -> None:
    # The fixture removes app modules after each test; this one has not imported any yet.
    assert "fs_plain_app" not in sys.modules
    assert "fs_fallback_app" not in sys.modules


@settings(max_examples=examples(200))
@given(
    module=st.sampled_from(["fs_plain_app", "fs_factory_app", "fs_pkg_app.web"]),
    attribute=st.text(max_size=40)
    | st.builds(
        lambda name, args: f"{name}({args})",
        st.sampled_from(["create_app", "make", "app"]),
        st.text(max_size=30),
    ),
)
def test_any_attribute_text_gives_an_app_or_an_app_error(module: str, attribute: str) -> None:
    outcome: Flask | AppError
    try:
        outcome = load_app(f"{module}:{attribute}")
    except AppError as error:
        outcome = error
    if isinstance(outcome, AppError):
        assert "\n" not in str(outcome)
    else:
        assert isinstance(outcome, Flask)
