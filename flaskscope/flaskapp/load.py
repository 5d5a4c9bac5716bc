"""Load a user's Flask app the way ``flask --app`` does and read its session settings.

Users debugging their own app should not copy its secret key and signing settings by hand,
and an app with a custom ``SessionInterface`` (another salt, SHA-512, its own serializer)
must be decoded exactly as the app itself decodes. So the settings are taken from the app's
own ``session_interface.get_signing_serializer(app)``, the very object Flask's
``SecureCookieSessionInterface.open_session`` uses, not from a copy of Flask's defaults.

Locating the app follows ``flask.cli.ScriptInfo.load_app``: ``module``, ``module:app``,
``module:create_app()``, ``package.module:factory("arg")`` or a path ``dir/app.py``, made
importable with ``flask.cli.prepare_import`` and found with ``flask.cli.locate_app``; with no
import string, ``FLASK_APP``, then ``wsgi.py`` and ``app.py`` in the directory. The import is
done in two stages (import the module, then locate or call the factory) so that an error
says whether the import or the factory failed, in one line, without a traceback.

This module does not print and has no Click; the CLI glue is in
:mod:`flaskscope.flask_commands`.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any

from flaskscope.errors import FlaskscopeError

if TYPE_CHECKING:
    from flask import Flask

__all__ = [
    "AppError",
    "AppFactoryError",
    "AppImportError",
    "AppNotFoundError",
    "AppSessionSettings",
    "NoSecretKeyError",
    "NotCookieSessionError",
    "load_app",
    "load_session_settings",
    "session_settings",
]

DEFAULT_APP_FILES = ("wsgi.py", "app.py")
"""Files searched when no import string is given, in ``flask.cli.ScriptInfo.load_app``'s order."""

# ``flask.cli.ScriptInfo.load_app`` splits "path:name" on the first colon that does not start
# a Windows drive path ("C:\\app.py").
_IMPORT_SPLIT = re.compile(r":(?![\\/])")


class AppError(FlaskscopeError):
    """The app named with ``--app`` cannot be used (exit 2)."""


class AppNotFoundError(AppError):
    """No module of that name, or no Flask app (or factory) in it."""


class AppImportError(AppError):
    """Importing the app's module raised an exception."""

    def __init__(self, module_name: str, error: BaseException) -> None:
        self.module_name = module_name
        self.error = error
        super().__init__(
            f"importing {module_name!r} raised {_describe_exception(error)}"
            f"{_where(error.__traceback__)}"
        )


class AppFactoryError(AppError):
    """The app factory (``module:create_app(...)``) raised an exception."""

    def __init__(self, target: str, error: BaseException) -> None:
        self.target = target
        self.error = error
        super().__init__(
            f"the app factory {target!r} raised {_describe_exception(error)}"
            f"{_where(error.__traceback__)}"
        )


class NoSecretKeyError(AppError):
    """The app has no ``SECRET_KEY``, so Flask itself could not sign or read a session."""

    def __init__(self, app_name: str) -> None:
        self.app_name = app_name
        super().__init__(
            f"the app {app_name!r} has no SECRET_KEY (Flask cannot sign sessions without one); "
            "set it in the app's config, or pass --secret-key"
        )


class NotCookieSessionError(AppError):
    """The app keeps its sessions somewhere else than in a signed cookie.

    ``interface`` is the class name of the app's ``session_interface`` (for example
    Flask-Session's ``RedisSessionInterface``) so that callers can special-case it.
    """

    def __init__(self, app_name: str, interface: str, module: str = "") -> None:
        self.app_name = app_name
        self.interface = interface
        self.module = module
        qualified = f"{module}.{interface}" if module else interface
        super().__init__(
            f"the app {app_name!r} uses the session interface {qualified}, which does not "
            "keep the session in a signed cookie"
        )


@dataclass(frozen=True)
class AppSessionSettings:
    """What an app uses to sign and read its session cookie.

    ``secret_key`` and ``fallback_keys`` are kept out of ``repr`` so that a stray print or a
    traceback does not show the secret. ``fallback_keys`` is in ``SECRET_KEY_FALLBACKS``
    order, so ``"fallback:N"`` names ``SECRET_KEY_FALLBACKS[N]``. ``secret_key`` is None only
    when asked for with ``require_secret_key=False``.
    """

    app_name: str
    interface: str
    cookie_name: str
    max_age: int
    salt: str
    digest: str
    key_derivation: str
    serializer: Any = field(repr=False)
    secret_key: str | bytes | None = field(repr=False, default=None)
    fallback_keys: tuple[str | bytes, ...] = field(repr=False, default=())

    @property
    def has_secret_key(self) -> bool:
        return bool(self.secret_key)


def split_import(import_name: str) -> tuple[str, str | None]:
    """``"path:name"`` -> ``("path", "name")``, as ``flask.cli.ScriptInfo.load_app`` splits it."""
    parts = _IMPORT_SPLIT.split(import_name, maxsplit=1)
    return parts[0], (parts[1] if len(parts) == 2 else None)


def load_app(import_name: str | None, app_dir: str | None = None) -> Flask:
    """The Flask app that ``flask --app IMPORT_NAME`` would load (``app_dir``: where to look).

    With no ``import_name``, ``FLASK_APP`` is used, then ``wsgi.py`` and ``app.py`` in
    ``app_dir`` (default: the current directory), as Flask's CLI does. Like Flask's CLI this
    puts the app's directory on ``sys.path`` and sets ``FLASK_RUN_FROM_CLI`` while loading, so
    an unguarded ``app.run()`` in the module does not start a server. Anything the app prints
    while loading goes to stderr, so it cannot corrupt ``--json`` output.
    """
    if not import_name:
        import_name = os.environ.get("FLASK_APP") or None
    with _loading():
        if import_name:
            path, app_name = split_import(import_name)
            return _locate(_prepare(path, app_dir), app_name, import_name)
        for file_name in DEFAULT_APP_FILES:
            candidate = os.path.join(app_dir or os.curdir, file_name)
            if os.path.isfile(candidate):
                return _locate(_prepare(candidate, None), None, file_name)
    where = os.path.abspath(app_dir or os.curdir)
    raise AppNotFoundError(
        "could not locate a Flask application: pass --app IMPORT (or set FLASK_APP), or put "
        f"a wsgi.py or app.py in {where}"
    )


MAX_LIFETIME_SECONDS = 36525 * 86400
"""A ``PERMANENT_SESSION_LIFETIME`` past 100 years is taken as 100 years (no expiry in
practice): later dates do not fit in ``datetime``."""


def session_settings(app: Flask, *, require_secret_key: bool = True) -> AppSessionSettings:
    """The app's session cookie settings, read from its own session interface.

    Raises :class:`NotCookieSessionError` for an interface that does not sign cookies with
    itsdangerous (checked before the secret key, so a server-side session app is reported as
    such), and :class:`NoSecretKeyError` when the app has no ``SECRET_KEY`` and
    ``require_secret_key`` is true (with it false, the signing settings come from the
    interface's attributes, which is what ``get_signing_serializer`` would use).

    Configuration of the wrong type (``SECRET_KEY = 12345``, ``PERMANENT_SESSION_LIFETIME =
    "forever"``, a salt that is a number) or an interface method that raises is an
    :class:`AppError` naming the setting, never a traceback: the app's code runs here.
    """
    try:
        return _session_settings(app, require_secret_key=require_secret_key)
    except AppError:
        raise
    except Exception as error:
        raise AppError(
            f"reading the app's session settings raised {_describe_exception(error)}"
            f"{_where(error.__traceback__)}"
        ) from error


def _checked_key(value: Any, setting: str) -> str | bytes:
    """A key as Flask can use it: text or bytes (itsdangerous fails later on anything else)."""
    if isinstance(value, (str, bytes)):
        return _text(value)
    raise AppError(
        f"the app's {setting} is {type(value).__name__}, not text or bytes; Flask cannot sign"
        " sessions with it"
    )


def _lifetime_seconds(app: Flask) -> int:
    try:
        seconds = app.permanent_session_lifetime.total_seconds()
    except (TypeError, ValueError, OverflowError, AttributeError) as error:
        raise AppError(
            "the app's PERMANENT_SESSION_LIFETIME "
            f"{app.config.get('PERMANENT_SESSION_LIFETIME')!r:.60} is not a number of seconds"
            f" or a timedelta that fits: {_describe_exception(error)}"
        ) from error
    return int(min(seconds, MAX_LIFETIME_SECONDS))


def _session_settings(app: Flask, *, require_secret_key: bool) -> AppSessionSettings:
    from flask.sessions import SecureCookieSessionInterface

    interface = app.session_interface
    interface_name = type(interface).__name__
    interface_module = type(interface).__module__
    app_name = str(app.import_name)
    get_serializer = getattr(interface, "get_signing_serializer", None)
    if not callable(get_serializer):
        raise NotCookieSessionError(app_name, interface_name, interface_module)

    cookie_name = str(interface.get_cookie_name(app))
    max_age = _lifetime_seconds(app)
    if app.secret_key is not None and not isinstance(app.secret_key, (str, bytes)):
        _checked_key(app.secret_key, "SECRET_KEY")
    for fallback in app.config.get("SECRET_KEY_FALLBACKS") or ():
        _checked_key(fallback, "SECRET_KEY_FALLBACKS entry")
    serializer = get_serializer(app)
    if serializer is None:
        if app.secret_key:
            raise NotCookieSessionError(app_name, interface_name, interface_module)
        if require_secret_key or not isinstance(interface, SecureCookieSessionInterface):
            raise NoSecretKeyError(app_name)
        return AppSessionSettings(
            app_name=app_name,
            interface=interface_name,
            cookie_name=cookie_name,
            max_age=max_age,
            salt=_salt(interface.salt),
            digest=_digest_name(interface.digest_method),
            key_derivation=str(interface.key_derivation),
            serializer=interface.serializer,
        )

    from itsdangerous import Serializer, Signer

    if not isinstance(serializer, Serializer):
        raise NotCookieSessionError(app_name, interface_name, interface_module)
    keys = list(serializer.secret_keys)
    signer_kwargs = serializer.signer_kwargs
    return AppSessionSettings(
        app_name=app_name,
        interface=interface_name,
        cookie_name=cookie_name,
        max_age=max_age,
        salt=_salt(serializer.salt),
        digest=_digest_name(signer_kwargs.get("digest_method", Signer.default_digest_method)),
        key_derivation=str(signer_kwargs.get("key_derivation", Signer.default_key_derivation)),
        serializer=serializer.serializer,
        # itsdangerous keeps the keys oldest first and signs with the last one (Flask appends
        # SECRET_KEY after SECRET_KEY_FALLBACKS), so the rest are the fallbacks in config order.
        secret_key=_checked_key(keys[-1], "SECRET_KEY"),
        fallback_keys=tuple(_checked_key(key, "SECRET_KEY_FALLBACKS entry") for key in keys[:-1]),
    )


def load_session_settings(
    import_name: str | None, app_dir: str | None = None, *, require_secret_key: bool = True
) -> AppSessionSettings:
    """:func:`load_app` then :func:`session_settings`: what ``--app`` needs in one call."""
    return session_settings(load_app(import_name, app_dir), require_secret_key=require_secret_key)


def _text(value: str | bytes) -> str | bytes:
    """Keys and salts as text when they are UTF-8 (as users write them), else as bytes."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    return value


def _salt(value: Any) -> str:
    """The salt as text; ``None`` is itsdangerous' ``Signer`` default, as the signer would use."""
    if value is None:
        return "itsdangerous.Signer"
    if isinstance(value, str):
        return value
    if not isinstance(value, bytes):
        raise AppError(f"the session interface's salt is {type(value).__name__}, not text or bytes")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise AppError(f"the session interface's salt {value!r} is not UTF-8 text") from None


def _digest_name(digest_method: Any) -> str:
    """The hashlib name of a digest constructor (Flask's default is a lazy ``hashlib.sha1``)."""
    try:
        name = digest_method().name
    except Exception as error:
        raise AppError(
            f"cannot tell which hash the session interface's digest_method {digest_method!r} is"
        ) from error
    return str(name).lower()


@contextlib.contextmanager
def _loading() -> Iterator[None]:
    """What ``flask`` sets up before loading an app, plus stdout kept clean for results."""
    previous = os.environ.get("FLASK_RUN_FROM_CLI")
    os.environ["FLASK_RUN_FROM_CLI"] = "true"
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        if previous is None:
            os.environ.pop("FLASK_RUN_FROM_CLI", None)
        else:
            os.environ["FLASK_RUN_FROM_CLI"] = previous


def _prepare(path: str, app_dir: str | None) -> str:
    """``flask.cli.prepare_import``: the module name, with its directory put on ``sys.path``."""
    from flask.cli import prepare_import

    if app_dir is not None:
        if not os.path.isdir(app_dir):
            raise AppNotFoundError(f"--app-dir {app_dir!r} is not a directory")
        path = os.path.join(app_dir, path)
    return prepare_import(path)


def _locate(module_name: str, app_name: str | None, import_name: str) -> Flask:
    """Import the module, then find the app or call its factory, telling the two failures apart."""
    from flask.cli import NoAppException, locate_app

    try:
        importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is not None and (
            module_name == error.name or module_name.startswith(f"{error.name}.")
        ):
            raise AppNotFoundError(
                f"could not import {module_name!r}: no such module (looked in {sys.path[0]})"
            ) from None
        raise AppImportError(module_name, error) from error
    except (Exception, SystemExit) as error:
        raise AppImportError(module_name, error) from error

    try:
        return locate_app(module_name, app_name)
    except NoAppException as error:
        raise AppNotFoundError(_first_paragraph(error.format_message())) from None
    except (Exception, SystemExit) as error:
        target = import_name if app_name else f"{module_name} (create_app/make_app)"
        raise AppFactoryError(target, error) from error


def _describe_exception(error: BaseException) -> str:
    message = " ".join(str(error).split())
    name = type(error).__name__
    return f"{name}: {message}" if message else name


def _where(tb: TracebackType | None) -> str:
    """`` (file.py:LINE)`` of the innermost frame, so the user can find the failing line."""
    frames = traceback.extract_tb(tb) if tb is not None else []
    if not frames:
        return ""
    last = frames[-1]
    return f" ({last.filename}:{last.lineno})"


def _first_paragraph(message: str) -> str:
    return " ".join(message.split("\n\n", 1)[0].split())
