"""A correct app: sessions changed by assignment, sane cookie settings. No mistake."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, session

app = Flask(__name__)
app.config.update(
    SECRET_KEY="trace-good-app-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    SESSION_COOKIE_SAMESITE="Lax",
    PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
)


@app.post("/login")
def login() -> str:
    session.permanent = True
    session["user"] = "ada"
    session["cart"] = []
    return "ok"


@app.post("/add")
def add() -> str:
    session["cart"] = [*session.get("cart", []), "apple"]
    return "added"


@app.get("/profile")
def profile() -> str:
    return f"{session.get('user')} {session.get('cart')}"
