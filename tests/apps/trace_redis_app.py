"""Flask-Session on a real Redis (``TRACE_REDIS_URL``), msgpack serializer."""

from __future__ import annotations

import os
from datetime import timedelta

import redis
from flask import Flask, session
from flask_session import Session


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="trace-redis-app-secret-0123456789abcdef",
        SESSION_TYPE="redis",
        SESSION_REDIS=redis.Redis.from_url(os.environ["TRACE_REDIS_URL"]),
        SESSION_KEY_PREFIX="trace:",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=30),
    )
    Session(app)

    @app.post("/login")
    def login() -> str:
        session["user"] = "ada"
        return "ok"

    @app.get("/profile")
    def profile() -> str:
        return str(session.get("user"))

    @app.get("/logout")
    def logout() -> str:
        session.clear()
        return "bye"

    return app
