"""A small shop for ``flaskscope trace``: /cart/add has the classic session mistake.

    flaskscope trace --app samples/trace_app.py POST /login --data user=ada -- POST /cart/add
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, flash, redirect, request, session

app = Flask(__name__)
app.config.update(
    SECRET_KEY="trace-sample-not-a-real-secret-3f9a1c7e5b2d4086a1c3e5f7",
    SESSION_COOKIE_SAMESITE="Lax",
    PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
)


@app.before_request
def count_requests() -> None:
    request.environ["shop.seen"] = True


@app.post("/login")
def login():  # type: ignore[no-untyped-def]
    session["user"] = request.form.get("user", "guest")
    session["cart"] = []
    flash("welcome")
    return redirect("/cart")


@app.post("/cart/add")
def add():  # type: ignore[no-untyped-def]
    session["cart"].append(request.form.get("item", "apple"))  # in place: not saved!
    return {"cart": session["cart"]}


@app.post("/cart/add-fixed")
def add_fixed():  # type: ignore[no-untyped-def]
    session["cart"] = [*session.get("cart", []), request.form.get("item", "apple")]
    return {"cart": session["cart"]}


@app.get("/cart")
def cart():  # type: ignore[no-untyped-def]
    return {"user": session.get("user"), "cart": session.get("cart", [])}


@app.after_request
def no_store(response):  # type: ignore[no-untyped-def]
    response.headers["Cache-Control"] = "no-store"
    return response
