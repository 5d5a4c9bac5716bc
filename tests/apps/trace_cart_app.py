"""A shop cart: /add changes a list in place (the classic mistake), /add-fixed does it right.

Every hook the app registers writes its name to ``CALLS`` so a test can compare the trace's
order with what really ran.
"""

from __future__ import annotations

from flask import Blueprint, Flask, flash, jsonify, render_template_string, session

CALLS: list[str] = []

app = Flask(__name__)
app.config["SECRET_KEY"] = "trace-cart-app-secret-key-0123456789abcdef"

shop = Blueprint("shop", __name__)


@app.before_request
def load_user() -> None:
    CALLS.append("before:app.load_user")


@shop.before_request
def shop_before() -> None:
    CALLS.append("before:shop.shop_before")


@shop.after_request
def shop_after(response):  # type: ignore[no-untyped-def]
    CALLS.append("after:shop.shop_after")
    return response


@app.after_request
def stamp(response):  # type: ignore[no-untyped-def]
    CALLS.append("after:app.stamp")
    return response


@app.teardown_request
def close_db(error: BaseException | None) -> None:
    CALLS.append("teardown:app.close_db")


@app.post("/login")
def login() -> str:
    CALLS.append("view:login")
    session["user"] = "ada"
    session["cart"] = []
    return "ok"


@shop.get("/add")
def add() -> str:
    CALLS.append("view:add")
    session["cart"].append("apple")
    return "added"


@shop.get("/add-fixed")
def add_fixed() -> str:
    CALLS.append("view:add_fixed")
    session["cart"].append("pear")
    session.modified = True
    return "added"


@shop.get("/cart")
def cart():  # type: ignore[no-untyped-def]
    CALLS.append("view:cart")
    return jsonify(session.get("cart", []))


@app.get("/hello")
def hello() -> str:
    flash("welcome")
    return render_template_string("hello {{ name }}", name=session.get("user", "stranger"))


@app.get("/boom")
def boom() -> str:
    raise ValueError("the view failed")


admin = Blueprint("admin", __name__)


@admin.before_request
def admins_only():  # type: ignore[no-untyped-def]
    CALLS.append("before:admin.admins_only")
    if session.get("user") != "root":
        return "forbidden", 403
    return None


@admin.get("/panel")
def panel() -> str:
    CALLS.append("view:panel")
    return "panel"


app.register_blueprint(shop, url_prefix="/shop")
app.register_blueprint(admin, url_prefix="/admin")
