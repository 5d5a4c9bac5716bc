"""``doctor``: a session-security audit of an app's configuration (pure over the app object).

Reads what Flask and its extensions will really use: ``app.config``, the app's own
``session_interface`` (Flask's signed cookie, or Flask-Session's store, signer and
serializer), Flask-SocketIO's server options and Flask-Sock's WebSocket routes. The store
scan (``--store``) and the wordlist are the only I/O, both bounded.
"""

from __future__ import annotations

import ast
import inspect
import ipaddress
import math
import string
import sys
import textwrap
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from flaskscope.appinspect.doctor_store import scan_for_pickles
from flaskscope.appinspect.doctor_ws import websocket_findings
from flaskscope.appinspect.findings import DoctorReport, Finding, severity_rank
from flaskscope.audit.wordlists import BUILTIN_NAME

__all__ = ["MIN_KEY_BYTES", "diagnose", "key_strength_bytes"]

MIN_KEY_BYTES = 24
"""Random bytes' worth below which a key is short (Flask's docs suggest 32 random bytes)."""

MAX_LIFETIME = timedelta(days=31)
"""Flask's default PERMANENT_SESSION_LIFETIME; longer is reported."""

_HEX = frozenset(string.hexdigits)
_BASE64 = frozenset(string.ascii_letters + string.digits + "+/=-_")


def key_strength_bytes(key: str | bytes) -> float:
    """Random bytes' worth of a key, judged by its alphabet: hex carries 4 bits a character,
    base64 6; other text about as much as the characters it uses (at most log2(95) for
    printable ASCII). Bytes that are not text count 8 bits each."""
    if isinstance(key, bytes):
        if not (key.isascii() and key.decode("ascii").isprintable()):
            return float(len(key))
        key = key.decode("ascii")
    if not key:
        return 0.0
    characters = set(key)
    if characters <= _HEX:
        bits = 4.0
    elif characters <= _BASE64:
        bits = 6.0
    else:
        bits = min(math.log2(95), math.log2(max(len(characters), 2)) + 1)
    return len(key) * bits / 8


def _module_file(app: Any) -> str | None:
    module = sys.modules.get(str(app.import_name))
    file = getattr(module, "__file__", None)
    return str(file) if file else None


def _line_of(file: str | None, needle: str) -> int | None:
    """First line of the app's source that names ``needle`` (for SARIF regions)."""
    if file is None:
        return None
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, start=1):
                if needle in line:
                    return number
                if number > 100_000:
                    break
    except OSError:
        return None
    return None


class _Findings:
    def __init__(self, file: str | None) -> None:
        self.file = file
        self.items: list[Finding] = []

    def add(
        self,
        rule_id: str,
        what: str,
        where: str,
        *,
        needle: str | None = None,
        severity: str | None = None,
    ) -> None:
        from flaskscope.appinspect.findings import RULES

        self.items.append(
            Finding(
                rule_id,
                severity or RULES[rule_id].severity,
                what,
                where,
                self.file,
                _line_of(self.file, needle or where.split()[0]),
            )
        )


def diagnose(
    app: Any,
    *,
    wordlists: Iterable[Any] = (),
    store_client: Any = None,
    store_prefix: str | None = None,
    scan_limit: int = 10_000,
) -> DoctorReport:
    """Every finding for ``app``. ``wordlists``: extra :class:`WordlistSource` objects for
    ``secret-key-weak`` (the built-in list is always used). ``store_client``: a Redis client
    to scan for legacy pickles (at most ``scan_limit`` keys under ``store_prefix``)."""
    from flaskscope.flaskapp.flask_session import flask_session_settings

    file = _module_file(app)
    found = _Findings(file)
    config = app.config
    fs_settings = flask_session_settings(app)
    _secret_keys(app, found, wordlists, server_side=fs_settings is not None)
    _cookie_settings(config, found, server_side=fs_settings is not None)
    scanned = None
    if fs_settings is not None:
        _flask_session(app, fs_settings, found)
        client = store_client if store_client is not None else None
        if client is not None:
            prefix = fs_settings.key_prefix if store_prefix is None else store_prefix
            scanned, pickled, examples = scan_for_pickles(client, prefix, scan_limit)
            if pickled:
                shown = ", ".join(examples)
                found.add(
                    "flask-session-legacy-pickles-in-store",
                    f"{pickled} of {scanned} session value(s) under {prefix!r} are pickles "
                    f"(e.g. {shown})",
                    "session store",
                    needle="SESSION_TYPE",
                )
    elif store_client is not None:
        scanned, pickled, examples = scan_for_pickles(
            store_client, store_prefix or "session:", scan_limit
        )
        if pickled:
            found.add(
                "flask-session-legacy-pickles-in-store",
                f"{pickled} of {scanned} value(s) are pickles (e.g. {', '.join(examples)})",
                "session store",
            )
    for rule_id, what, where, needle in websocket_findings(app):
        found.add(rule_id, what, where, needle=needle)
    interface = app.session_interface
    return DoctorReport(
        app_name=str(app.import_name),
        app_file=file,
        session_interface=f"{type(interface).__module__}.{type(interface).__name__}",
        findings=tuple(sorted(found.items, key=lambda f: (severity_rank(f.severity), f.id))),
        store_scanned=scanned,
    )


def _secret_keys(
    app: Any, found: _Findings, wordlists: Iterable[Any], *, server_side: bool
) -> None:
    key = app.secret_key
    fallbacks = list(app.config.get("SECRET_KEY_FALLBACKS") or ())
    if not key and server_side and not getattr(app.session_interface, "use_signer", False):
        found.add(
            "secret-key-missing",
            "SECRET_KEY is not set: Flask-Session keeps sessions without it, but anything "
            "else signed with it (extensions' CSRF tokens, signed cookies) fails",
            "SECRET_KEY",
            severity="info",
        )
    elif not key:
        found.add("secret-key-missing", "SECRET_KEY is not set (or empty)", "SECRET_KEY")
    if fallbacks:
        found.add(
            "secret-key-fallbacks-present",
            f"{len(fallbacks)} old key(s) in SECRET_KEY_FALLBACKS are still accepted",
            "SECRET_KEY_FALLBACKS",
        )
    named = ([("SECRET_KEY", key)] if key else []) + [
        (f"SECRET_KEY_FALLBACKS[{index}]", value) for index, value in enumerate(fallbacks)
    ]
    weak = _in_wordlists([value for _, value in named], wordlists)
    for (where, value), (is_weak, source) in zip(named, weak, strict=True):
        if is_weak:
            label = "flaskscope's built-in wordlist" if source == BUILTIN_NAME else source
            found.add("secret-key-weak", f"{where} is in {label}", where)
        elif key_strength_bytes(value) < MIN_KEY_BYTES:
            found.add(
                "secret-key-short",
                f"{where} has about {key_strength_bytes(value):.0f} random bytes' worth "
                f"({len(value)} characters); at least {MIN_KEY_BYTES} are needed",
                where,
            )


def _in_wordlists(keys: list[Any], wordlists: Iterable[Any]) -> list[tuple[bool, str]]:
    """For each key: found in the built-in list or one of ``wordlists``, and which."""
    from flaskscope.audit.wordlists import builtin_source

    wanted = {_as_bytes(key): index for index, key in enumerate(keys)}
    result = [(False, "")] * len(keys)
    for source in (builtin_source(), *wordlists):
        if not wanted:
            break
        for chunk in source.chunks():
            for line in chunk.lines():
                index = wanted.pop(line, None)
                if index is not None:
                    result[index] = (True, source.name)
            if not wanted:
                break
    return result


def _as_bytes(key: Any) -> bytes:
    return key if isinstance(key, bytes) else str(key).encode("utf-8", "surrogateescape")


def _cookie_settings(config: Any, found: _Findings, *, server_side: bool) -> None:
    secure = bool(config.get("SESSION_COOKIE_SECURE"))
    samesite = config.get("SESSION_COOKIE_SAMESITE")
    if not secure:
        found.add("cookie-not-secure", "SESSION_COOKIE_SECURE is False", "SESSION_COOKIE_SECURE")
    if not config.get("SESSION_COOKIE_HTTPONLY", True):
        found.add(
            "cookie-not-httponly", "SESSION_COOKIE_HTTPONLY is False", "SESSION_COOKIE_HTTPONLY"
        )
    if isinstance(samesite, str) and samesite.lower() == "none" and not secure:
        found.add(
            "samesite-none-without-secure",
            "SESSION_COOKIE_SAMESITE is 'None' and SESSION_COOKIE_SECURE is False",
            "SESSION_COOKIE_SAMESITE",
        )
    elif samesite is None:
        found.add("samesite-unset", "SESSION_COOKIE_SAMESITE is None", "SESSION_COOKIE_SAMESITE")
    lifetime = config.get("PERMANENT_SESSION_LIFETIME")
    if isinstance(lifetime, (int, float)):
        lifetime = timedelta(seconds=lifetime)
    if isinstance(lifetime, timedelta) and lifetime > MAX_LIFETIME:
        found.add(
            "lifetime-very-long",
            f"PERMANENT_SESSION_LIFETIME is {lifetime.days} days",
            "PERMANENT_SESSION_LIFETIME",
        )
    if not config.get("SESSION_REFRESH_EACH_REQUEST", True):
        found.add(
            "refresh-each-request-off",
            "SESSION_REFRESH_EACH_REQUEST is False",
            "SESSION_REFRESH_EACH_REQUEST",
        )


def _flask_session(app: Any, settings: Any, found: _Findings) -> None:
    interface = app.session_interface
    if settings.use_signer:
        found.add(
            "flask-session-signer-deprecated", "SESSION_USE_SIGNER is True", "SESSION_USE_SIGNER"
        )
    if _is_pickle(getattr(interface, "serializer", None)):
        found.add(
            "flask-session-pickle-serializer",
            f"{type(interface).__name__} serializes sessions with pickle",
            "SESSION_TYPE",
        )
    client = settings.client
    if client is not None:
        problem = _open_redis(client)
        if problem:
            found.add("redis-no-password-non-loopback", problem, "SESSION_REDIS")


def _is_pickle(serializer: Any) -> bool:
    if serializer is None:
        return False
    names = [
        getattr(serializer, "__name__", ""),
        type(serializer).__module__,
        type(serializer).__name__,
    ]
    return any("pickle" in str(name).lower() for name in names)


def _open_redis(client: Any) -> str | None:
    kwargs = getattr(getattr(client, "connection_pool", None), "connection_kwargs", None) or {}
    if kwargs.get("path"):
        return None  # a unix socket: local only
    host = str(kwargs.get("host", "localhost"))
    if kwargs.get("password"):
        return None
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return f"SESSION_REDIS connects to {host}:{kwargs.get('port', 6379)} without a password"


def references_origin(functions: Iterable[Callable[..., Any]]) -> bool:
    """True when one of ``functions`` reads ``Origin`` (a string ``origin``, an attribute
    ``.origin``, or a name containing it), judged from its source."""
    for function in functions:
        target = inspect.unwrap(function)
        try:
            source = textwrap.dedent(inspect.getsource(target))
            tree = ast.parse(source)
        except (OSError, TypeError, SyntaxError):
            return True  # cannot read it: do not accuse it
        if any("origin" in _identifier(node) for node in ast.walk(tree)):
            return True
    return False


def _identifier(node: ast.AST) -> str:
    """The lower-cased text a node names: a string constant, an attribute, a variable."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.lower()
    if isinstance(node, ast.Attribute):
        return node.attr.lower()
    if isinstance(node, ast.Name):
        return node.id.lower()
    return ""
