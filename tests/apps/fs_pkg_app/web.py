"""``package.module:factory("arg")``: the factory names the secret's owner."""

from __future__ import annotations

from flask import Flask, session


def make(owner: str) -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = f"{owner}-package-secret"

    @app.post("/login/<user>")
    def login(user: str) -> str:
        session["user"] = user
        return "ok"

    return app
