"""Flask's tagged JSON, read and written without importing Flask.

Flask stores the session as compact JSON in which values JSON cannot hold are wrapped in a
one-key object whose key is a *tag* (``flask/json/tag.py``, ``TaggedJSONSerializer``)::

    " t"  tuple       " b"  bytes (standard base64)     " u"  UUID (hex)
    " d"  datetime    " m"  Markup (anything with __html__)
    " di" a one-key dict whose own key is a tag name (the key gets a "__" suffix)

This module repeats Flask's algorithm step for step, including its quirks (``" t"`` applied
to a string gives a tuple of characters, an unparseable ``" d"`` gives ``None``), because
the point is to show exactly what Flask would load. Importing Flask itself would cost about
0.2 s (``flask.json.tag`` imports the whole package), which is most of a decode's run time.
Types that are rarely needed (UUID, Markup, the e-mail date parser) are imported on use.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from flaskscope.cookies.errors import PayloadError

if TYPE_CHECKING:
    from uuid import UUID

__all__ = [
    "TAG_BYTES",
    "TAG_DATETIME",
    "TAG_DICT",
    "TAG_KEYS",
    "TAG_MARKUP",
    "TAG_TUPLE",
    "TAG_UUID",
    "describe_path",
    "dumps",
    "http_date",
    "loads",
    "parse_date",
    "parse_json",
    "tag",
    "unknown_tags",
    "untag",
    "untag_scan",
]

TAG_DICT = " di"
TAG_TUPLE = " t"
TAG_BYTES = " b"
TAG_MARKUP = " m"
TAG_UUID = " u"
TAG_DATETIME = " d"

# Flask's registration order (``TaggedJSONSerializer.default_tags``); only keyed tags.
TAG_KEYS: tuple[str, ...] = (TAG_DICT, TAG_TUPLE, TAG_BYTES, TAG_MARKUP, TAG_UUID, TAG_DATETIME)
TAG_NAMES: dict[str, str] = {
    TAG_DICT: "escaped dict key",
    TAG_TUPLE: "tuple",
    TAG_BYTES: "bytes",
    TAG_MARKUP: "Markup",
    TAG_UUID: "UUID",
    TAG_DATETIME: "datetime",
}
_TAG_SET = frozenset(TAG_KEYS)


def parse_json(text: str) -> Any:
    """The JSON value as Python's ``json`` reads it (Flask's ``DefaultJSONProvider.loads``)."""
    try:
        return json.loads(text)
    except RecursionError as error:
        raise PayloadError("the session JSON is nested too deeply to load") from error
    except ValueError as error:
        raise PayloadError(f"the payload is not valid JSON: {error}") from error


def loads(text: str, lossy: list[str] | None = None) -> Any:
    """Load tagged JSON text into the Python values Flask would load (``lossy``: see
    :func:`untag_scan`)."""
    return untag_scan(parse_json(text), lossy)


Where = tuple[Any, Any] | None
"""Where a value sits: ``None`` for the session itself, else ``(parent, key or index)``
(built as the scan descends, so a path costs one small tuple per value)."""


def untag_scan(value: Any, lossy: list[str] | None = None) -> Any:
    """Untag every nested value, innermost first (``TaggedJSONSerializer._untag_scan``).

    ``lossy``, when given, collects one sentence per tag that Flask loads as something other
    than what was written (``{" d": "garbage"}`` as ``None``, ``{" b": "!!!"}`` as ``b""``,
    ``{" t": "ab"}`` as ``('a', 'b')``...): Flask does so silently; a signer must not.
    """
    try:
        return _untag_scan(value, None, lossy)
    except RecursionError as error:
        raise PayloadError("the session JSON is nested too deeply to load") from error


def _untag_scan(value: Any, where: Where, lossy: list[str] | None) -> Any:
    if isinstance(value, dict):
        untagged = {key: _untag_scan(item, (where, key), lossy) for key, item in value.items()}
        return _untag_at(untagged, where, lossy)
    if isinstance(value, list):
        return [_untag_scan(item, (where, index), lossy) for index, item in enumerate(value)]
    return value


def untag(value: dict[Any, Any]) -> Any:
    """One object back to its Python type when it is a one-key object with a known tag."""
    return _untag_at(value, None, None)


def _untag_at(value: dict[Any, Any], where: Where, lossy: list[str] | None) -> Any:
    if len(value) != 1:
        return value
    key = next(iter(value))
    if key not in _TAG_SET:
        return value
    inner = value[key]
    try:
        loaded = _to_python(key, inner)
    except Exception as error:
        # Flask lets the exception escape; itsdangerous turns it into BadPayload and
        # Flask starts an empty session. Here the user learns which tag was broken, where.
        raise PayloadError(
            f"{describe_path(where)} has a {key!r} ({TAG_NAMES[key]}) tag whose value Flask"
            f" cannot load ({type(error).__name__}: {error})"
        ) from error
    if lossy is not None:
        reason = _lossy_reason(key, inner, loaded)
        if reason is not None:
            lossy.append(f"{describe_path(where)} has a {key!r} ({TAG_NAMES[key]}) tag {reason}")
    return loaded


def describe_path(where: Where) -> str:
    """``the session`` or ``session["cart"][0]``: JSON-quoted keys, so any key is readable."""
    steps: list[str] = []
    while where is not None:
        where, step = where
        steps.append(f"[{step}]" if isinstance(step, int) else f"[{json.dumps(step)}]")
    return "session" + "".join(reversed(steps)) if steps else "the session"


_JSON_TYPES = {
    dict: "JSON object",
    list: "JSON array",
    str: "JSON string",
    bool: "JSON boolean",
    type(None): "JSON null",
    int: "JSON number",
    float: "JSON number",
}


def _kind(value: Any) -> str:
    """``JSON string``..., or the Python type a nested tag already made (``tuple``)."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _lossy_reason(key: str, inner: Any, loaded: Any) -> str | None:
    """Why Flask's ``to_python`` of ``inner`` does not give back what was written, or ``None``.

    Faithful means: the value has the JSON type the tag is for, and reading it throws nothing
    away (``base64.b64decode`` skips characters outside the alphabet, ``parse_date`` gives
    ``None``, ``tuple`` of a string splits it, ``" di"`` keeps one key and cuts two characters).
    """
    if key == TAG_TUPLE and not isinstance(inner, list):
        return f"on a {_kind(inner)}, not an array: Flask loads {_short(loaded)}"
    if key == TAG_MARKUP and not isinstance(inner, str):
        return f"on a {_kind(inner)}, not a string: Flask loads {_short(loaded)}"
    if key == TAG_BYTES and base64.b64encode(loaded).decode("ascii") != inner:
        return f"whose value {_short(inner)} is not standard base64: Flask loads {_short(loaded)}"
    if key == TAG_DATETIME and loaded is None:
        return f"whose value {_short(inner)} is not an HTTP date: Flask loads None"
    if key == TAG_DICT and not (
        isinstance(inner, dict)
        and len(inner) == 1
        and isinstance(next(iter(inner)), str)
        and next(iter(inner)).endswith("__")
    ):
        return (
            f"whose value {_short(inner)} is not one key ending in '__':"
            f" Flask loads {_short(loaded)}"
        )
    return None


def _to_python(key: str, value: Any) -> Any:
    """``JSONTag.to_python`` of each tag, with the same operations and so the same quirks."""
    if key == TAG_DICT:
        inner_key = next(iter(value))
        return {inner_key[:-2]: value[inner_key]}
    if key == TAG_TUPLE:
        return tuple(value)
    if key == TAG_BYTES:
        return base64.b64decode(value)
    if key == TAG_MARKUP:
        from markupsafe import Markup

        return Markup(value)
    if key == TAG_UUID:
        import uuid

        return uuid.UUID(value)
    return parse_date(value)


# RFC 9110 §5.6.7 IMF-fixdate, the form ``werkzeug.http.http_date`` writes (so every " d"
# Flask stored): read directly, since importing email.utils costs about 6 ms per decode.
# Years before 1000 go to email.utils, which reads 0001 as 2001 (two-digit year rules).
_IMF_FIXDATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" ([1-9]\d{3}) (\d\d):(\d\d):(\d\d) GMT"
)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_date(value: Any) -> datetime | None:
    """``werkzeug.http.parse_date``: an HTTP date, ``None`` when it cannot be parsed."""
    if value is None:
        return None
    fixdate = _IMF_FIXDATE.fullmatch(value) if isinstance(value, str) else None
    if fixdate is not None:
        day, month, year, hour, minute, second = fixdate.groups()
        try:
            return datetime(
                int(year),
                _MONTHS.index(month) + 1,
                int(day),
                int(hour),
                int(minute),
                int(second),
                tzinfo=timezone.utc,
            )
        except ValueError:  # 31 Feb, hour 24, second 60: email.utils refuses them too
            return None
    from email.utils import parsedate_to_datetime

    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed


def http_date(value: date) -> str:
    """``werkzeug.http.http_date`` for a date or datetime (naive values are taken as UTC)."""
    from email.utils import format_datetime

    if not isinstance(value, datetime):
        from datetime import time

        value = datetime.combine(value, time(), tzinfo=timezone.utc)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    elif value.tzinfo != timezone.utc:
        value = value.astimezone(timezone.utc)
    return format_datetime(value, usegmt=True)


def tag(value: Any) -> Any:
    """A value in tagged form, ready for ``json.dumps`` (``TaggedJSONSerializer.tag``).

    The checks run in Flask's order: dict (escaped or plain), tuple, list, bytes, Markup,
    UUID, datetime. Anything else is left to JSON (and to :func:`json_default`).
    """
    import uuid

    return _tag(value, uuid.UUID)


def _tag(value: Any, uuid_type: type[UUID]) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            key = next(iter(value))
            if key in _TAG_SET:
                return {TAG_DICT: {f"{key}__": _tag(value[key], uuid_type)}}
        return {key: _tag(item, uuid_type) for key, item in value.items()}
    if isinstance(value, tuple):
        return {TAG_TUPLE: [_tag(item, uuid_type) for item in value]}
    if isinstance(value, list):
        return [_tag(item, uuid_type) for item in value]
    if isinstance(value, bytes):
        return {TAG_BYTES: base64.b64encode(value).decode("ascii")}
    if callable(getattr(value, "__html__", None)):
        return {TAG_MARKUP: str(value.__html__())}
    if isinstance(value, uuid_type):
        return {TAG_UUID: value.hex}
    if isinstance(value, datetime):
        return {TAG_DATETIME: http_date(value)}
    return value


def json_default(value: Any) -> Any:
    """Flask's ``json.provider._default``: what its JSON provider does with other types."""
    import dataclasses
    import decimal
    import uuid

    if isinstance(value, date):
        return http_date(value)
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(value: Any, *, sort_keys: bool = True) -> str:
    """Tagged compact JSON, as Flask writes a session.

    Flask saves the session inside a request, so ``flask.json.dumps`` goes through the app's
    ``DefaultJSONProvider``: ``sort_keys=True`` and ``ensure_ascii=True``. Outside an app
    context Flask does not sort; ``sort_keys=False`` gives that form.
    """
    return json.dumps(
        tag(value),
        separators=(",", ":"),
        default=json_default,
        ensure_ascii=True,
        sort_keys=sort_keys,
    )


def unknown_tags(value: Any) -> set[str]:
    """Keys that look like tags (one-key objects, key starting with a space) Flask does not
    know: an app may register its own tags, which Flask's default serializer leaves as dicts.
    """
    found: set[str] = set()
    for node in _walk(value):
        if isinstance(node, dict) and len(node) == 1:
            key = next(iter(node))
            if isinstance(key, str) and key.startswith(" ") and key not in _TAG_SET:
                found.add(key)
    return found


def _walk(value: Any) -> Iterator[Any]:
    stack = [value]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, dict):
            escaped = node.get(TAG_DICT) if len(node) == 1 else None
            # The inner object of " di" holds the escaped key ("' t__'"): not a tag itself.
            stack.extend(escaped.values() if isinstance(escaped, dict) else node.values())
        elif isinstance(node, list):
            stack.extend(node)
