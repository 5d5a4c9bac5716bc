"""A sample app for `make demo`: its own session interface (salt, SHA-512, a Decimal tag).

`flaskscope decode-cookie --app demo_shop_app COOKIE` and
`flask --app demo_shop_app scope decode-cookie COOKIE` read its cookies as it does.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import Flask, session
from flask.json.tag import JSONTag, TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface


class TagDecimal(JSONTag):
    __slots__ = ()
    key = " dec"

    def check(self, value: Any) -> bool:
        return isinstance(value, Decimal)

    def to_json(self, value: Any) -> Any:
        return str(value)

    def to_python(self, value: Any) -> Any:
        return Decimal(value)


class ShopSerializer(TaggedJSONSerializer):
    def __init__(self) -> None:
        super().__init__()
        self.register(TagDecimal, index=0)


class ShopSessionInterface(SecureCookieSessionInterface):
    salt = "demo-shop-session"
    digest_method = staticmethod(hashlib.sha512)
    serializer = ShopSerializer()


app = Flask(__name__)
app.config["SECRET_KEY"] = "demo-shop-secret-key"
app.config["SECRET_KEY_FALLBACKS"] = ["demo-shop-key-2024"]
app.config["SESSION_COOKIE_NAME"] = "shop"
app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=7)
app.session_interface = ShopSessionInterface()


@app.post("/cart/<item>/<price>")
def add_to_cart(item: str, price: str) -> str:
    session.setdefault("cart", {})[item] = Decimal(price)
    session["user"] = "ada"
    return "ok"


@app.get("/cart")
def cart() -> str:
    return repr(session.get("cart"))
