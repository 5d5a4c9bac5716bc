"""Which kind of session cookie a value is: Flask's own signed cookie, or a Flask-Session id.

``decode-cookie`` takes every cookie to one of two places: Flask's signed-cookie session
(:mod:`flaskscope.cookies.decode`) or a Flask-Session id (:mod:`flaskscope.sessions.report`), and
:func:`server_session_cookie` makes that choice. It runs on every decode, so Flask's own
cookies (two or more dots, which no session id has) are told apart before the session-id
module is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flaskscope.errors import InputError

if TYPE_CHECKING:
    from flaskscope.sessions.ids import ServerSessionCookie

__all__ = ["NotASessionIdError", "server_session_cookie"]


class NotASessionIdError(InputError):
    """The app keeps its sessions with Flask-Session, but the cookie is no session id (exit 2)."""

    def __init__(self, interface: str) -> None:
        self.interface = interface
        super().__init__(
            f"the app keeps its sessions with Flask-Session ({interface}), but this cookie "
            "is not a Flask-Session session id (a bare or signed token)"
        )


def server_session_cookie(
    value: str, *, app_loaded: bool = False, interface: str | None = None
) -> ServerSessionCookie | None:
    """The Flask-Session id in ``value``, or ``None`` for a Flask signed-cookie session.

    Without an app the shape decides (a bare id needs
    :data:`flaskscope.sessions.ids.MIN_ID_LENGTH` characters, so a stray word is not taken for
    one). An app that does not use Flask-Session cannot have
    written an id; one that does (``interface``: the name of its Flask-Session interface)
    wrote every cookie it sets as an id, of any length, so anything else is
    :class:`NotASessionIdError`.
    """
    if app_loaded and interface is None:
        return None
    if interface is None and value.count(".") > 1:  # payload.timestamp.signature: Flask's own
        return None
    from flaskscope.sessions.ids import MIN_ID_LENGTH, parse_server_session_cookie

    min_id_length = MIN_ID_LENGTH if interface is None else 1
    cookie = parse_server_session_cookie(value, min_id_length=min_id_length)
    if cookie is None and interface is not None:
        raise NotASessionIdError(interface)
    return cookie
