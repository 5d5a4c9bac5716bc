"""An app that keeps sessions on the server (in a dict), so its cookie holds only an id."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin


class MemorySession(dict[str, Any], SessionMixin):
    def __init__(self, sid: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(data or {})
        self.sid = sid


class MemorySessionInterface(SessionInterface):
    def __init__(self) -> None:
        self.store: dict[str, dict[str, Any]] = {}

    def open_session(self, app: Flask, request: Request) -> MemorySession:
        sid = request.cookies.get(self.get_cookie_name(app)) or secrets.token_urlsafe(16)
        return MemorySession(sid, self.store.get(sid))

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, MemorySession)
        self.store[session.sid] = dict(session)
        response.set_cookie(self.get_cookie_name(app), session.sid)


app = Flask(__name__)
app.config["SECRET_KEY"] = "memory-session-secret"
app.session_interface = MemorySessionInterface()
