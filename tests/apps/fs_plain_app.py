"""A plain Flask app with a module-level ``app`` and a SECRET_KEY."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, session

app = Flask(__name__)
app.config["SECRET_KEY"] = "plain-app-secret"
app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=2)


@app.post("/login/<user>")
def login(user: str) -> str:
    session["user"] = user
    session["roles"] = ("reader", "writer")
    return "ok"


@app.get("/whoami")
def whoami() -> str:
    return str(session.get("user", "anonymous"))
