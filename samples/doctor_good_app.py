"""The same app configured as ``flaskscope doctor`` wants it: no finding.

    flaskscope doctor --app samples/doctor_good_app.py
"""

from __future__ import annotations

import os
from datetime import timedelta

from flask import Flask

app = Flask(__name__)
app.config.update(
    # In production: os.environ["SECRET_KEY"], made with secrets.token_hex(32).
    SECRET_KEY=os.environ.get(
        "SHOP_SECRET_KEY", "0f4c8a2e6b1d9f3a7c5e0b8d2f6a4c1e9b3d7f5a0c8e2b6d4f1a9c3e7b5d0f8a"
    ),
    SESSION_COOKIE_SECURE=True,
    SESSION_COOKIE_SAMESITE="Lax",
    PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
)


@app.get("/")
def index() -> str:
    return "hello"
