"""No SECRET_KEY: Flask hands out a NullSession."""

from __future__ import annotations

from flask import Flask, session

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return str(session.get("user"))
