"""Key rotation: a new SECRET_KEY and two old keys in SECRET_KEY_FALLBACKS (Flask 3.1)."""

from __future__ import annotations

from flask import Flask
from fs_routes import add_login_routes

OLD_KEYS = ["rotated-out-2024", "rotated-out-2025"]

app = Flask(__name__)
app.config["SECRET_KEY"] = "current-2026"
app.config["SECRET_KEY_FALLBACKS"] = list(OLD_KEYS)

add_login_routes(app)
