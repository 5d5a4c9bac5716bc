"""An app factory that takes arguments: ``fs_factory_app:create_app("staging", cookie="sid")``."""

from __future__ import annotations

from flask import Flask
from fs_routes import add_login_routes

SECRETS = {"production": "factory-production-secret", "staging": "factory-staging-secret"}


def create_app(environment: str = "production", *, cookie: str = "session") -> Flask:
    if environment not in SECRETS:
        raise ValueError(f"unknown environment {environment!r}")
    app = Flask(__name__)
    app.config["SECRET_KEY"] = SECRETS[environment]
    app.config["SESSION_COOKIE_NAME"] = cookie
    return add_login_routes(app)
