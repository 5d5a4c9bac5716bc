"""The routes most sample apps share: log a user in, and say who the session says is in."""

from __future__ import annotations

from flask import Flask, session


def add_login_routes(app: Flask) -> Flask:
    """``POST /login/<user>`` stores the user in the session; ``GET /whoami`` reads it back."""

    @app.post("/login/<user>")
    def login(user: str) -> str:
        session["user"] = user
        return "ok"

    @app.get("/whoami")
    def whoami() -> str:
        return str(session.get("user", "anonymous"))

    return app
