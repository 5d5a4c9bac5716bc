"""An app that forgot its SECRET_KEY."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)
