"""An app whose import fails (a missing setting, as happens when an env var is not set)."""

from __future__ import annotations

import os

from flask import Flask

DATABASE_URL = os.environ.get("FS_BROKEN_APP_DATABASE_URL")
if DATABASE_URL is None:
    raise RuntimeError("FS_BROKEN_APP_DATABASE_URL is not set")

app = Flask(__name__)
app.config["SECRET_KEY"] = "never-reached"
