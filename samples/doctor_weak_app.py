"""A session set-up with most of what ``flaskscope doctor`` looks for (do not copy it).

    flaskscope doctor --app samples/doctor_weak_app.py
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

app = Flask(__name__)
app.config.update(
    SECRET_KEY="development key",  # from an old tutorial: in every wordlist
    SECRET_KEY_FALLBACKS=["changeme-2023"],
    SESSION_COOKIE_SECURE=False,
    SESSION_COOKIE_HTTPONLY=False,
    SESSION_COOKIE_SAMESITE="None",
    PERMANENT_SESSION_LIFETIME=timedelta(days=365),
    SESSION_REFRESH_EACH_REQUEST=False,
)


@app.get("/")
def index() -> str:
    return "hello"
