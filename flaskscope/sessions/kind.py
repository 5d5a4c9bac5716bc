"""Which kind of session cookie a value is: Flask's own signed cookie, or a Flask-Session id.

``decode-cookie`` takes every cookie to one of two places: Flask's signed-cookie session
(:mod:`flaskscope.cookies.decode`) or a Flask-Session id (:mod:`flaskscope.sessions.report`), and
:func:`server_session_cookie` makes that choice. It runs on every decode, so Flask's own
cookies (two or more dots, which no session id has) are told apart before the session-id
module is imported.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from flaskscope.errors import InputError

if TYPE_CHECKING:
    from flaskscope.sessions.ids import ServerSessionCookie

__all__ = ["NotASessionIdError", "TruncatedCookieError", "server_session_cookie"]


class TruncatedCookieError(InputError):
    """A Flask signed cookie cut before its first dot: its payload is there, nothing else."""

    def __init__(self) -> None:
        super().__init__(
            "truncated signed cookie: the value decodes to a JSON session, but the timestamp"
            " and signature (after a '.') are missing; copy the whole cookie value"
        )


_PAYLOAD_PROBE = 4096
"""Characters of a value decoded to look for a JSON session in it."""


def _decodes_to_json(value: str) -> bool:
    """Evidence that ``value`` is a Flask session payload (base64url of ``{"...``), not an id.

    A random id (``secrets.token_urlsafe``) decodes to bytes that start ``{"`` or ``{}``
    with probability 1/32768, and are all printable text besides with a chance below 1e-14.
    """
    head = value[: min(len(value), _PAYLOAD_PROBE) // 4 * 4]
    try:
        raw = base64.urlsafe_b64decode(head)
    except (binascii.Error, ValueError):
        return False
    stripped = raw.lstrip(b" \t\r\n")
    if not stripped.startswith((b'{"', b"{}", b"{ ")):
        return False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(raw) - 3:  # only a character cut at the very end is allowed
            return False
        text = raw[: error.start].decode("utf-8")
    return all(char.isprintable() or char in " \t\r\n" for char in text)


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
    if interface is None and "." not in value and _decodes_to_json(value):
        raise TruncatedCookieError()
    from flaskscope.sessions.ids import MIN_ID_LENGTH, parse_server_session_cookie

    min_id_length = MIN_ID_LENGTH if interface is None else 1
    cookie = parse_server_session_cookie(value, min_id_length=min_id_length)
    if cookie is None and interface is not None:
        raise NotASessionIdError(interface)
    return cookie
