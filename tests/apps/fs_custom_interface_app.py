"""A custom SecureCookieSessionInterface: another salt, SHA-512, and its own serializer.

The serializer is Flask's tagged JSON with one more tag (`` dec`` for ``Decimal``), so a
value only decodes to a ``Decimal`` when the app's own serializer is used.
"""

from __future__ import annotations

import hashlib
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


class DecimalSerializer(TaggedJSONSerializer):
    def __init__(self) -> None:
        super().__init__()
        self.register(TagDecimal, index=0)


class ShopSessionInterface(SecureCookieSessionInterface):
    salt = "shop-session-v2"
    digest_method = staticmethod(hashlib.sha512)
    serializer = DecimalSerializer()


app = Flask(__name__)
app.config["SECRET_KEY"] = "custom-interface-secret"
app.config["SESSION_COOKIE_NAME"] = "shop"
app.session_interface = ShopSessionInterface()


@app.post("/cart/<item>/<price>")
def add(item: str, price: str) -> str:
    session["cart"] = {item: Decimal(price)}
    return "ok"


@app.get("/cart")
def cart() -> str:
    return repr(session.get("cart"))
