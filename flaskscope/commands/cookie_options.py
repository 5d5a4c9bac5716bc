"""Options the cookie commands share: ``decode-cookie``, ``sign-cookie``, ``audit-secret``.

Every option defaults to ``None`` (the effective default is stated in its help), so a caller
can pass an app's own settings (``--app``) as the base and command-line values still
override them: the ``resolve_*`` helpers put the values given over that base.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any, TypeVar

import click

from flaskscope.cli import read_file, read_text
from flaskscope.cookies import DEFAULT_COOKIE_NAME, DEFAULT_MAX_AGE, SigningOptions, find_cookie
from flaskscope.cookies.signing import KEY_DERIVATIONS
from flaskscope.runtime.files import MAX_KEY_FILE_BYTES

__all__ = [
    "MAX_MAX_AGE",
    "NO_MAX_AGE",
    "cookie_input_options",
    "from_environment",
    "key_options",
    "max_age_option",
    "parse_max_age",
    "parse_time",
    "read_cookie_input",
    "resolve_cookie_name",
    "resolve_keys",
    "resolve_max_age",
    "resolve_signing",
    "signing_options",
    "time_callback",
]

F = TypeVar("F", bound=Callable[..., Any])

NO_MAX_AGE = "none"
"""``--max-age none``: do not check expiry at all."""

MAX_MAX_AGE = 36525 * 86400
"""The longest ``--max-age``: 100 years. Longer is no expiry check in practice (``none``
says so), and a cookie issued now would expire past what ``datetime`` can represent."""

_DURATION = re.compile(r"(?i)\s*(\d+)\s*(s|sec|m|min|h|d|w)?\s*")
_UNIT_SECONDS = {
    None: 1,
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "d": 86400,
    "w": 7 * 86400,
}


def parse_max_age(text: str) -> int | str:
    """Seconds, a number with a unit (``90m``, ``12h``, ``31d``, ``2w``), or ``"none"``."""
    text = text.strip().lower()
    if text in (NO_MAX_AGE, "off", "never"):
        return NO_MAX_AGE
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a number of seconds (e.g. 3600, 12h, 31d or none)")
    unit = match.group(2).lower() if match.group(2) else None
    digits = match.group(1).lstrip("0") or "0"
    if len(digits) > len(str(MAX_MAX_AGE)):  # before int(): no huge (or over-long) integers
        raise ValueError(_too_long(text))
    seconds = int(digits) * _UNIT_SECONDS[unit]
    if seconds > MAX_MAX_AGE:
        raise ValueError(_too_long(text))
    return seconds


def _too_long(text: str) -> str:
    return (
        f"{text[:40]!r} is more than 100 years ({MAX_MAX_AGE} seconds); use 'none' to skip"
        " the expiry check"
    )


def parse_time(text: str) -> datetime:
    """An aware UTC datetime from ISO 8601 or unix seconds; ``ValueError`` otherwise."""
    text = text.strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        try:
            return datetime.fromtimestamp(float(text), tz=timezone.utc)
        except (OverflowError, OSError, ValueError) as error:
            raise ValueError(f"{text!r} is out of range for a unix time") from error
    iso = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        raise ValueError(
            f"{text!r} is neither ISO 8601 (2024-01-02T03:04:05Z) nor unix seconds"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:00:00+05:00 is before year 1 in UTC
        raise ValueError(f"{text!r} is out of range") from None


def _callback(parse: Callable[[str], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A Click callback that parses a given value and turns ``ValueError`` into a usage error."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None or isinstance(value, datetime):  # unset, or a default already parsed
            return value
        try:
            return parse(str(value))
        except ValueError as error:
            raise click.BadParameter(str(error)) from error

    return callback


time_callback = _callback(parse_time)
"""``--now`` and ``--timestamp``: ISO 8601 or unix seconds, as :func:`parse_time` reads them."""
_max_age_callback = _callback(parse_max_age)


def cookie_input_options(function: F) -> F:
    """``[COOKIE|-]``, ``--file PATH``, ``--cookie-name NAME``."""
    function = click.option(
        "--cookie-name",
        "cookie_name",
        metavar="NAME",
        default=None,
        help=f"Which cookie to take from headers or name=value pairs"
        f" (default: {DEFAULT_COOKIE_NAME}, Flask's SESSION_COOKIE_NAME).",
    )(function)
    function = click.option(
        "--file",
        "file",
        metavar="PATH|-",
        type=click.Path(dir_okay=False, allow_dash=True),
        default=None,
        help="Read the cookie, headers or a raw HTTP message from a file ('-': stdin).",
    )(function)
    function = click.argument("cookie", required=False, metavar="[COOKIE|-]")(function)
    return function


def signing_options(function: F) -> F:
    """``--salt``, ``--digest``, ``--key-derivation``, ``--legacy``: how the app signs."""
    function = click.option(
        "--legacy/--no-legacy",
        "legacy",
        default=None,
        help="Timestamps counted from 2011-01-01, as itsdangerous < 1.0 wrote them (default: off).",
    )(function)
    function = click.option(
        "--key-derivation",
        "key_derivation",
        type=click.Choice(KEY_DERIVATIONS),
        default=None,
        help="How itsdangerous derives the signing key from the secret (default: hmac).",
    )(function)
    function = click.option(
        "--digest",
        "digest",
        metavar="NAME",
        default=None,
        help="Hash for the HMAC: any hashlib name, e.g. sha256 (default: sha1).",
    )(function)
    function = click.option(
        "--salt",
        "salt",
        metavar="SALT",
        default=None,
        help="itsdangerous salt (default: cookie-session, as Flask uses).",
    )(function)
    return function


def key_options(function: F) -> F:
    """``--secret-key/-k`` (or FLASKSCOPE_SECRET_KEY), ``--secret-key-file``, ``--fallback-key``."""
    function = click.option(
        "--fallback-key",
        "fallback_keys",
        metavar="KEY",
        multiple=True,
        help="An older key still accepted (Flask 3.1 SECRET_KEY_FALLBACKS); repeat for"
        " several, in the app's order. The match is reported as fallback:N (zero-based).",
    )(function)
    function = click.option(
        "--secret-key-file",
        "secret_key_file",
        metavar="PATH",
        type=click.Path(dir_okay=False),
        default=None,
        help="Read the secret key from a file (raw bytes; one trailing newline removed).",
    )(function)
    function = click.option(
        "--secret-key",
        "-k",
        "secret_key",
        metavar="KEY",
        envvar="FLASKSCOPE_SECRET_KEY",
        show_envvar=True,
        default=None,
        help="The app's SECRET_KEY. It is never printed.",
    )(function)
    return function


def max_age_option(function: F) -> F:
    """``--max-age``: seconds, with a unit, or ``none``."""
    return click.option(
        "--max-age",
        "max_age",
        metavar="SECONDS",
        callback=_max_age_callback,
        default=None,
        help="Reject cookies older than this: seconds, or 90m, 12h, 31d, 2w (at most 100 years);"
        " 'none' to skip"
        " (default: 31d, Flask's PERMANENT_SESSION_LIFETIME, applied on every load).",
    )(function)


def resolve_signing(
    salt: str | None,
    digest: str | None,
    key_derivation: str | None,
    legacy: bool | None,
    base: SigningOptions = SigningOptions(),  # noqa: B008 - frozen, so sharing it is safe
) -> SigningOptions:
    """Command-line values over ``base`` (Flask's defaults, or an app's own settings)."""
    return SigningOptions(
        salt=base.salt if salt is None else salt,
        digest=base.digest if digest is None else digest,
        key_derivation=base.key_derivation if key_derivation is None else key_derivation,
        legacy=base.legacy if legacy is None else legacy,
    ).validated()


def resolve_max_age(max_age: int | str | None, base: int | None = DEFAULT_MAX_AGE) -> int | None:
    """``None`` (option not given) -> ``base``; ``"none"`` -> no expiry check."""
    if max_age is None:
        return base
    if max_age == NO_MAX_AGE:
        return None
    return int(max_age)


def resolve_cookie_name(cookie_name: str | None, base: str = DEFAULT_COOKIE_NAME) -> str:
    return base if cookie_name is None else cookie_name


def _read_key_file(path: str) -> bytes:
    """The key in ``path``: at most :data:`MAX_KEY_FILE_BYTES` read (``/dev/zero`` is refused,
    not read for ever); a FIFO or ``<(pass show key)`` works, a directory does not."""
    data = read_file(path, param_hint="--secret-key-file", limit=MAX_KEY_FILE_BYTES)
    if data.endswith(b"\r\n"):
        data = data[:-2]
    elif data.endswith(b"\n"):
        data = data[:-1]
    if not data:
        raise click.BadParameter(f"{path} is empty", param_hint="--secret-key-file")
    return data


def _key_text(key: str | bytes) -> str | bytes:
    """A key as the command line gave it: text, or bytes when it is not UTF-8 (Python hands
    such arguments over surrogate-escaped; the key is the bytes that were typed)."""
    if isinstance(key, str):
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:
            return key.encode("utf-8", "surrogateescape")
    return key


def from_environment(name: str) -> bool:
    """The option ``name`` took its value from its environment variable, not the command line."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return False
    return ctx.get_parameter_source(name) == click.core.ParameterSource.ENVIRONMENT


def resolve_keys(
    secret_key: str | None,
    secret_key_file: str | None,
    fallback_keys: Sequence[str] = (),
    base: str | bytes | None = None,
    base_fallbacks: Sequence[str | bytes] = (),
) -> tuple[str | bytes | None, tuple[str | bytes, ...]]:
    """The primary key and the fallbacks; options over ``base`` (an app's SECRET_KEY).

    ``--secret-key`` and ``--secret-key-file`` together are a usage error, unless the key
    came from FLASKSCOPE_SECRET_KEY: then the file given on the command line wins.
    """
    primary: str | bytes | None = base
    if secret_key_file is not None:
        if secret_key is not None and not from_environment("secret_key"):
            raise click.UsageError("give the key with --secret-key or --secret-key-file, not both")
        primary = _read_key_file(secret_key_file)
    elif secret_key is not None:
        primary = _key_text(secret_key)
    fallbacks: tuple[str | bytes, ...] = tuple(map(_key_text, fallback_keys)) or tuple(
        base_fallbacks
    )
    return primary, fallbacks


def read_cookie_input(cookie: str | None, file: str | None, cookie_name: str | None) -> str:
    """The cookie value from the argument, ``-`` (stdin) or ``--file``, in any pasted form."""
    text = read_text(cookie, file, what="cookie")
    return find_cookie(text, resolve_cookie_name(cookie_name))
