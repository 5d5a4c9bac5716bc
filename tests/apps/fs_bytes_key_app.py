"""A key made of random bytes (``app.secret_key = os.urandom(24)``, a common recipe),
fixed here so that tests can rebuild it; not valid UTF-8."""

from __future__ import annotations

from flask import Flask
from fs_routes import add_login_routes

SECRET = bytes(range(200, 224))

app = Flask(__name__)
app.secret_key = SECRET

add_login_routes(app)
