"""A user's Flask app: loaded as ``flask --app`` does, and the session settings it uses.

``load`` imports the app (module, ``module:name`` or ``module:factory()``) and reads the
signing serializer of its session interface; ``flask_session`` reads a Flask-Session
interface's store, prefix, signer and serializer.

May import: the standard library, Flask, :mod:`flaskscope.errors`, :mod:`flaskscope.cookies`
and :mod:`flaskscope.sessions`. Never Click or rich.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flaskscope._paths import lazy_exports

if TYPE_CHECKING:  # the names, for type checkers; at run time they load on first use
    from flaskscope.flaskapp.flask_session import (
        FlaskSessionSettings as FlaskSessionSettings,
    )
    from flaskscope.flaskapp.flask_session import (
        SessionLookup as SessionLookup,
    )
    from flaskscope.flaskapp.flask_session import (
        flask_session_settings as flask_session_settings,
    )
    from flaskscope.flaskapp.flask_session import (
        is_flask_session_interface as is_flask_session_interface,
    )
    from flaskscope.flaskapp.flask_session import (
        session_lookup as session_lookup,
    )
    from flaskscope.flaskapp.load import (
        AppError as AppError,
    )
    from flaskscope.flaskapp.load import (
        AppFactoryError as AppFactoryError,
    )
    from flaskscope.flaskapp.load import (
        AppImportError as AppImportError,
    )
    from flaskscope.flaskapp.load import (
        AppNotFoundError as AppNotFoundError,
    )
    from flaskscope.flaskapp.load import (
        AppSessionSettings as AppSessionSettings,
    )
    from flaskscope.flaskapp.load import (
        NoSecretKeyError as NoSecretKeyError,
    )
    from flaskscope.flaskapp.load import (
        NotCookieSessionError as NotCookieSessionError,
    )
    from flaskscope.flaskapp.load import (
        load_app as load_app,
    )
    from flaskscope.flaskapp.load import (
        load_session_settings as load_session_settings,
    )
    from flaskscope.flaskapp.load import (
        session_settings as session_settings,
    )

_EXPORTS: dict[str, str] = {
    "AppError": "flaskscope.flaskapp.load",
    "AppFactoryError": "flaskscope.flaskapp.load",
    "AppImportError": "flaskscope.flaskapp.load",
    "AppNotFoundError": "flaskscope.flaskapp.load",
    "AppSessionSettings": "flaskscope.flaskapp.load",
    "FlaskSessionSettings": "flaskscope.flaskapp.flask_session",
    "NoSecretKeyError": "flaskscope.flaskapp.load",
    "NotCookieSessionError": "flaskscope.flaskapp.load",
    "SessionLookup": "flaskscope.flaskapp.flask_session",
    "flask_session_settings": "flaskscope.flaskapp.flask_session",
    "is_flask_session_interface": "flaskscope.flaskapp.flask_session",
    "load_app": "flaskscope.flaskapp.load",
    "load_session_settings": "flaskscope.flaskapp.load",
    "session_lookup": "flaskscope.flaskapp.flask_session",
    "session_settings": "flaskscope.flaskapp.load",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
