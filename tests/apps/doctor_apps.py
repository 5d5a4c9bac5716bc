"""Apps for ``doctor``: one factory per configuration, each with what it should find."""

from __future__ import annotations

import pickle
from datetime import timedelta
from typing import Any

from flask import Flask

STRONG_KEY = "b7f3c1e9a24d5f6081c3e7a9d2b4f6a8c0e1d3f5a7b9c2e4d6f8a0b1c3e5d7f9"


def good() -> Flask:
    """Everything right: no finding."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=STRONG_KEY,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    )
    return app


def weak() -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="development key",  # from Flask's old tutorial
        SECRET_KEY_FALLBACKS=[STRONG_KEY],
        SESSION_COOKIE_HTTPONLY=False,
        PERMANENT_SESSION_LIFETIME=timedelta(days=90),
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    return app


def short_key(key: str = "Zq8#mP2$kL9!") -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=key,
        SESSION_COOKIE_SECURE=False,
        SESSION_COOKIE_SAMESITE="None",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=1),
    )
    return app


def no_key() -> Flask:
    app = Flask(__name__)
    app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_SAMESITE="Lax")
    return app


def _secure(app: Flask) -> Flask:
    app.config.update(
        SECRET_KEY=STRONG_KEY,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
    )
    return app


def flask_session(redis_url: str = "redis://127.0.0.1:6379/0", **config: Any) -> Flask:
    import redis
    from flask_session import Session

    app = _secure(Flask(__name__))
    app.config.update(SESSION_TYPE="redis", SESSION_REDIS=redis.Redis.from_url(redis_url))
    app.config.update(config)
    Session(app)
    return app


def flask_session_pickle() -> Flask:
    """A Flask-Session interface serializing with pickle, as Flask-Session 0.6 and older did
    (``self.serializer = pickle`` in ``RedisSessionInterface.__init__``)."""
    app = flask_session()
    app.session_interface.serializer = pickle  # type: ignore[attr-defined]
    return app


def socketio(origins: Any) -> Flask:
    from flask_socketio import SocketIO

    app = _secure(Flask(__name__))
    SocketIO(app, cors_allowed_origins=origins)
    return app


ALLOWED_ORIGINS = ("http://127.0.0.1:", "http://localhost:")


def sock(*, check_origin: bool, max_size: int | None) -> Flask:
    """An echo route with Flask-Sock; with ``check_origin`` a before_request function
    refuses the handshake (403) for an Origin that is not the site's own."""
    from flask import abort, request
    from flask_sock import Sock

    app = _secure(Flask(__name__))
    if max_size is not None:
        app.config["SOCK_SERVER_OPTIONS"] = {"max_message_size": max_size}
    sockets = Sock(app)

    if check_origin:

        @app.before_request
        def same_origin_only() -> None:
            origin = request.headers.get("Origin", "")
            if request.path == "/echo" and not origin.startswith(ALLOWED_ORIGINS):
                abort(403)

    @sockets.route("/echo")
    def echo(ws: Any) -> None:
        ws.send(ws.receive())

    return app
