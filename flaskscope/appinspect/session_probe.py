"""A session interface that wraps the app's own for the length of a trace.

Flask calls ``open_session`` while it pushes the request context and ``save_session`` in
``process_response`` (``flask/app.py``); everything else is passed through to the app's own
interface, so the app behaves exactly as without the probe. The probe records the incoming
cookie's verdict, the save decision and why (``SessionInterface.should_set_cookie``:
modified, or permanent with ``SESSION_REFRESH_EACH_REQUEST``), the Set-Cookie produced, and
a value changed in place without ``session.modified``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flaskscope.appinspect.model import describe_value
from flaskscope.appinspect.recorder import Recorder, session_diff, snapshot
from flaskscope.appinspect.setcookie import parse_set_cookie

__all__ = ["SessionProbe"]


class SessionProbe:
    """Delegates to ``inner``; records what it did. Every attribute and method other than
    ``open_session`` and ``save_session`` is the inner interface's own (``__getattr__``), so
    Flask's calls (``is_null_session``, ``get_cookie_name``, ...) reach it unchanged. Not a
    ``SessionInterface`` subclass, so that importing the probe does not import Flask."""

    def __init__(self, inner: Any, recorder: Recorder, now: datetime | None) -> None:
        self.inner = inner
        self.recorder = recorder
        self.now = now
        self.opened: Any = None
        self.at_open: dict[str, Any] | None = None
        self.saved_session: Any = None
        self.at_save: dict[str, Any] | None = None
        self.save_seq: int | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["inner"], name)

    # -- open -------------------------------------------------------------------------------

    def open_session(self, app: Any, request: Any) -> Any:
        self.recorder.add(
            "context",
            "request context pushed",
            method=request.method,
            url=request.url,
            note="Flask opens the session from the cookie while it pushes the request context",
        )
        name = self.inner.get_cookie_name(app)
        value = request.cookies.get(name)
        session = self.inner.open_session(app, request)
        self.opened = session
        self.at_open = snapshot(session)
        try:
            self._incoming(app, name, value, session)
        except Exception as error:  # the probe must never change what the app does
            self.recorder.add("session", "probe error", error=describe_value(error))
        return session

    def _incoming(self, app: Any, name: str, value: str | None, session: Any) -> None:
        from flaskscope.appinspect.incoming import incoming_verdict

        verdict = incoming_verdict(app, self.inner, name, value, self.now)
        self.recorder.add("cookie", "incoming session cookie", **verdict)
        if session is None:
            self.recorder.mistake(
                "session-unusable",
                "the app has no SECRET_KEY: open_session returned None, so Flask uses a "
                "NullSession; reading gives nothing and writing raises RuntimeError",
                "set SECRET_KEY (a long random value, e.g. secrets.token_hex(32)) in the config",
            )
        elif value is not None and verdict.get("status") in ("invalid-signature", "expired"):
            self.recorder.mistake(
                "cookie-rejected",
                f"the session cookie was {verdict['status']}: Flask silently started an "
                "empty session, so the user looks logged out",
                "check SECRET_KEY is the same on every worker and restart (rotate with "
                "SECRET_KEY_FALLBACKS), and PERMANENT_SESSION_LIFETIME",
            )
        self.recorder.add(
            "session",
            "session opened",
            interface=f"{type(self.inner).__module__}.{type(self.inner).__name__}",
            keys=sorted(str(key) for key in (self.at_open or {})),
            new=bool(getattr(session, "new", False)),
            permanent=bool(getattr(session, "permanent", False)),
            null=session is None,
        )

    # -- save -------------------------------------------------------------------------------

    def save_session(self, app: Any, session: Any, response: Any) -> None:
        before = list(response.headers.getlist("Set-Cookie"))
        try:
            self._before_save(app, session)
        except Exception as error:  # the probe must never change what the app does
            self.recorder.add("save", "probe error", error=describe_value(error))
        self.inner.save_session(app, session, response)
        self.saved_session = session
        self.at_save = snapshot(session)
        try:
            self._after_save(app, response, before)
        except Exception as error:
            self.recorder.add("set-cookie", "probe error", error=describe_value(error))

    def _before_save(self, app: Any, session: Any) -> None:
        now_contents = snapshot(session)
        diff = session_diff(self.at_open, now_contents)
        decision, reason = self._decision(app, session)
        self.save_seq = self.recorder.add(
            "save",
            decision,
            reason=reason,
            modified=bool(getattr(session, "modified", False)),
            accessed=bool(getattr(session, "accessed", False)),
            permanent=bool(getattr(session, "permanent", False)),
            changes=diff.as_json(),
        )
        self._in_place_change(app, session, diff, decision)

    def _after_save(self, app: Any, response: Any, before: list[str]) -> None:
        name = self.inner.get_cookie_name(app)
        for header in response.headers.getlist("Set-Cookie")[len(before) :]:
            cookie = parse_set_cookie(header)
            detail = _shown(cookie)
            if cookie.name == name and not cookie.deletes:
                from flaskscope.appinspect.incoming import incoming_verdict

                verdict = incoming_verdict(app, self.inner, name, cookie.value, self.now)
                shown = ("status", "session", "store_key")
                detail["decoded"] = {key: verdict[key] for key in shown if key in verdict}
            self.recorder.add("set-cookie", cookie.name, header_size=cookie.size, **detail)

    def _decision(self, app: Any, session: Any) -> tuple[str, str]:
        """What Flask's (and Flask-Session's) ``save_session`` will do, and why."""
        if session is None or self.inner.is_null_session(session):
            return "skipped", "null session (no SECRET_KEY): nothing can be saved"
        modified = bool(getattr(session, "modified", False))
        if not session:
            if modified:
                return "deleted", "the session was emptied: the cookie is deleted"
            return "skipped", "the session is empty and was not modified: no cookie is sent"
        refresh = bool(session.permanent and app.config.get("SESSION_REFRESH_EACH_REQUEST"))
        if modified:
            return "saved", "session.modified is true"
        if refresh:
            return (
                "refreshed",
                "not modified, but the session is permanent and SESSION_REFRESH_EACH_REQUEST "
                "is on: the cookie is sent again with a new expiry",
            )
        return "skipped", "not modified (and not a refreshed permanent session): no Set-Cookie"

    def _in_place_change(self, app: Any, session: Any, diff: Any, decision: str) -> None:
        if session is None or diff.empty or getattr(session, "modified", True):
            return
        keys = ", ".join(diff.keys)
        if decision == "skipped":
            self.recorder.mistake(
                "mutated-without-modified",
                f"session value(s) {keys} changed in place (a list or dict inside the session) "
                "but session.modified is false: Flask does not save the change, the next "
                "request sees the old value",
                "assign a new value (session[key] = new) or set session.modified = True "
                "after changing it in place",
            )
        else:
            self.recorder.add(
                "session",
                "changed in place, saved only by the refresh",
                keys=list(diff.keys),
                note="saved only because SESSION_REFRESH_EACH_REQUEST re-sends permanent "
                "sessions; set session.modified = True so it does not depend on that",
            )

    def changed_after_save(self) -> tuple[str, ...]:
        """Keys changed after ``save_session`` ran (a streamed body writing to the session)."""
        if self.saved_session is None or self.at_save is None:
            return ()
        return session_diff(self.at_save, snapshot(self.saved_session)).keys


def _shown(cookie: Any) -> dict[str, Any]:
    document: dict[str, Any] = cookie.as_json()
    document.pop("name", None)
    document.pop("size", None)
    return document
