"""A key made of random bytes (``app.secret_key = os.urandom(24)``, a common recipe),
fixed here so that tests can rebuild it; not valid UTF-8."""

from __future__ import annotations

from flask import Flask, session

SECRET = bytes(range(200, 224))

app = Flask(__name__)
app.secret_key = SECRET


@app.post("/login/<user>")
def login(user: str) -> str:
    session["user"] = user
    return "ok"


@app.get("/whoami")
def whoami() -> str:
    return str(session.get("user", "anonymous"))
