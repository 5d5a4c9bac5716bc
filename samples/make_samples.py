"""Make the cookie samples and test vectors with real Flask (run: python samples/make_samples.py).

Every cookie here is written by Flask itself: a small app sets the session in a view and the
test client returns the ``Set-Cookie`` header. The clock itsdangerous signs with is frozen at
``ISSUED_AT`` so the files are reproducible. The demo key is a sample, public on purpose:

* ``samples/cookie-secret-key.txt``  the demo SECRET_KEY (never use it for a real app)
* ``samples/cookie.txt``             a session cookie value (every tagged type, a flash)
* ``samples/cookie-request.http``    a raw HTTP request carrying it in a Cookie header
* ``samples/cookie-response.http``   Flask's response headers with its Set-Cookie
* ``samples/cookie-session.json``    a session in Flask's tagged JSON, for sign-cookie
* ``tests/vectors/cookie_vectors.json``  cookies from differently configured apps, each with
  the session Flask loads from it (tagged JSON written by Flask's own serializer)
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from flask import Flask, flash, request, session
from flask.sessions import SecureCookieSessionInterface, session_json_serializer
from itsdangerous.timed import TimestampSigner
from markupsafe import Markup

HERE = Path(__file__).resolve().parent
VECTORS = HERE.parent / "tests" / "vectors" / "cookie_vectors.json"
DEMO_SECRET_KEY = "flaskscope-demo-secret-key-do-not-use"
ISSUED_AT = 1748779200  # 2025-06-01T12:00:00Z

# name -> how the app is configured and what the view stores.
VECTOR_CONFIGS: dict[str, dict[str, Any]] = {
    "every-tagged-type": {"view": "all_types"},
    "permanent-session": {"view": "permanent"},
    "flash-messages": {"view": "flashes"},
    "large-compressed": {"view": "large"},
    "fallback-key": {
        "view": "login",
        "signed_with": "old-rotated-key",
        "secret_key": "current-key",
        "fallbacks": ["oldest-key", "old-rotated-key"],
        "matched_key": "fallback:1",
    },
    "short-lifetime": {"view": "login", "lifetime": 3600},
    "custom-interface": {
        "view": "login",
        "salt": "my-app-session",
        "digest": "sha256",
        "key_derivation": "concat",
    },
    "unicode-and-escaped-key": {"view": "unicode"},
}


def _set_all_types() -> None:
    session["user_id"] = 42
    session["roles"] = ("admin", "editor")
    session["csrf"] = b"\x8f\x01\xfe token bytes"
    session["request_id"] = uuid.UUID("7d444840-9dc0-11d1-b245-5ffdce74fad2")
    session["last_login"] = datetime(2025, 5, 31, 18, 30, tzinfo=timezone.utc)
    session["banner"] = Markup("<strong>Welcome back</strong>")
    flash("Logged in")


def _views(app: Flask) -> None:
    @app.route("/all_types")
    def all_types() -> str:
        _set_all_types()
        return "ok"

    @app.route("/permanent")
    def permanent() -> str:
        session.permanent = True
        session["user"] = "alice"
        return "ok"

    @app.route("/flashes")
    def flashes() -> str:
        flash("Saved")
        flash("Disk almost full", "warning")
        return "ok"

    @app.route("/large")
    def large() -> str:
        session["cart"] = [{"sku": f"ITEM-{n:04d}", "qty": 1, "gift": False} for n in range(120)]
        return "ok"

    @app.route("/login")
    def login() -> str:
        session["user_id"] = 7
        return "ok"

    @app.route("/unicode")
    def unicode() -> str:
        session["name"] = "Zoë \u2603 \U0001f600"
        session["escaped"] = {" t": "a dict whose only key is a tag name"}
        return "ok"


def make_app(config: dict[str, Any], *, signing: bool = True) -> Flask:
    """An app configured as the vector says; ``signing`` picks the key it signs with."""
    app = Flask(__name__)
    secret = config.get("secret_key", DEMO_SECRET_KEY)
    app.secret_key = config.get("signed_with", secret) if signing else secret
    app.config["SECRET_KEY_FALLBACKS"] = [] if signing else config.get("fallbacks", [])
    if "lifetime" in config:
        app.permanent_session_lifetime = timedelta(seconds=config["lifetime"])
    if "salt" in config:
        import hashlib

        digest_name = config["digest"]

        class Interface(SecureCookieSessionInterface):
            salt = config["salt"]
            key_derivation = config["key_derivation"]
            digest_method = staticmethod(lambda data=b"": hashlib.new(digest_name, data))

        app.session_interface = Interface()
    _views(app)
    return app


def freeze_clock(seconds: int) -> None:
    """itsdangerous signs with ``TimestampSigner.get_timestamp``; fix it for reproducible files."""
    TimestampSigner.get_timestamp = lambda self: seconds  # type: ignore[method-assign]


def flask_cookie(app: Flask, view: str) -> tuple[str, str]:
    """(cookie value, Set-Cookie header) from a request to ``/view``."""
    client = app.test_client()
    response = client.get(f"/{view}")
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value, response.headers["Set-Cookie"]


def flask_session(app: Flask, value: str) -> Any:
    """What the (verifying) app loads from the cookie, as Flask's session interface does."""
    with app.test_request_context(headers={"Cookie": f"session={value}"}):
        loaded = app.session_interface.open_session(app, request)
        return dict(loaded) if loaded is not None else None


def build_vectors() -> list[dict[str, Any]]:
    vectors = []
    for name, config in VECTOR_CONFIGS.items():
        value, _ = flask_cookie(make_app(config), config["view"])
        reader = make_app(config, signing=False)
        loaded = flask_session(reader, value)
        assert loaded, f"{name}: Flask did not load its own cookie"
        with reader.test_request_context():
            tagged = session_json_serializer.dumps(loaded)
        vectors.append(
            {
                "name": name,
                "cookie": value,
                "secret_key": config.get("secret_key", DEMO_SECRET_KEY),
                "fallback_keys": config.get("fallbacks", []),
                "salt": config.get("salt", "cookie-session"),
                "digest": config.get("digest", "sha1"),
                "key_derivation": config.get("key_derivation", "hmac"),
                "max_age": int(reader.permanent_session_lifetime.total_seconds()),
                "timestamp": ISSUED_AT,
                "compressed": value.startswith("."),
                "matched_key": config.get("matched_key", "primary"),
                "session_tagged": tagged,
            }
        )
    return vectors


def main() -> None:
    freeze_clock(ISSUED_AT)
    app = make_app({})
    value, set_cookie = flask_cookie(app, "all_types")
    (HERE / "cookie-secret-key.txt").write_text(DEMO_SECRET_KEY + "\n", encoding="utf-8")
    (HERE / "cookie.txt").write_text(value + "\n", encoding="utf-8")
    (HERE / "cookie-request.http").write_text(
        "GET /account HTTP/1.1\r\n"
        "Host: app.example.com\r\n"
        "User-Agent: curl/8.5.0\r\n"
        f"Cookie: theme=dark; session={value}\r\n"
        "\r\n",
        encoding="utf-8",
    )
    (HERE / "cookie-response.http").write_text(
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        "Vary: Cookie\r\n"
        f"Set-Cookie: {set_cookie}\r\n"
        "\r\n",
        encoding="utf-8",
    )
    with app.test_request_context():
        tagged = session_json_serializer.dumps(flask_session(app, value))
    (HERE / "cookie-session.json").write_text(
        json.dumps(json.loads(tagged), indent=2) + "\n", encoding="utf-8"
    )
    VECTORS.write_text(json.dumps(build_vectors(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote samples in {HERE} and {VECTORS}")


if __name__ == "__main__":
    main()
