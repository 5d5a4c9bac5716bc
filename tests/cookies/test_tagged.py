"""flaskscope.cookies.tagged against Flask's own TaggedJSONSerializer, on chosen and random
values."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask
from flask.json.tag import TaggedJSONSerializer
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from werkzeug.http import http_date, parse_date

from flaskscope.cookies import tagged
from flaskscope.errors import FlaskscopeError
from tests.profiles import examples

FLASK = TaggedJSONSerializer()
APP = Flask(__name__)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**15), 10**15)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
tag_keys = st.sampled_from([*tagged.TAG_KEYS, " od", "x", " t__"])
# Random JSON that is likely to contain tags, well-formed or not.
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=5) | tag_keys, children, max_size=4)
        | st.builds(lambda k, v: {k: v}, tag_keys, children)
    ),
    max_leaves=12,
)

aware_datetimes = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(timezone.utc)
).map(lambda d: d.replace(microsecond=0))
python_scalars = (
    json_scalars
    | st.binary(max_size=20)
    | st.uuids()
    | aware_datetimes
    | st.text(max_size=10).map(Markup)
)
python_values = st.recursive(
    python_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=4).map(tuple)
        | st.dictionaries(st.text(max_size=5) | tag_keys, children, max_size=4)
    ),
    max_leaves=12,
)


def flask_loads(text: str) -> tuple[str, Any]:
    """("ok", value) or ("error", type) for Flask's loads of ``text``."""
    try:
        return "ok", FLASK.loads(text)
    except Exception as error:
        return "error", type(error).__name__


@settings(max_examples=examples(300))
@given(json_values)
def test_loads_matches_flask_on_random_tagged_json(value: Any) -> None:
    text = json.dumps(value)
    outcome, expected = flask_loads(text)
    if outcome == "ok":
        assert tagged.loads(text) == expected
        assert type_structure(tagged.loads(text)) == type_structure(expected)
    else:
        with pytest.raises(FlaskscopeError):
            tagged.loads(text)


@settings(max_examples=examples(300))
@given(python_values)
def test_dumps_matches_flask_outside_and_inside_an_app(value: Any) -> None:
    assert tagged.dumps(value, sort_keys=False) == FLASK.dumps(value)
    with APP.app_context():
        assert tagged.dumps(value) == FLASK.dumps(value)


@settings(max_examples=examples(200))
@given(python_values)
def test_round_trip_gives_what_flask_round_trip_gives(value: Any) -> None:
    text = FLASK.dumps(value)
    assert tagged.loads(text) == FLASK.loads(text)
    assert type_structure(tagged.loads(text)) == type_structure(FLASK.loads(text))


def type_structure(value: Any) -> Any:
    """The structure of types, so 1 == 1.0 == True and str == Markup do not hide a mismatch."""
    if isinstance(value, dict):
        return {key: type_structure(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [type_structure(item) for item in value])
    return type(value).__name__


@pytest.mark.parametrize(
    "text",
    [
        '{" t": "abc"}',  # a string becomes a tuple of characters in Flask
        '{" t": {"a": 1, "b": 2}}',  # a dict becomes a tuple of its keys
        '{" d": "not a date"}',  # an unparseable date loads as None
        '{" d": null}',
        '{" d": "Tue, 02 Jan 2024 03:04:05 +0200"}',  # an offset survives
        '{" d": "Tue, 02 Jan 2024 03:04:05 -0000"}',  # no zone: taken as UTC
        '{" m": 5}',
        '{" m": [1, 2]}',
        '{" b": ""}',
        '{" di": {" t__": [1]}}',
        '{" di": {"x": 1}}',  # Flask strips two characters whatever they are
        '{" od": [[1, 2]]}',  # an app's own tag: left as a dict
        '{" t": [1], "x": 2}',  # two keys: not a tag
        '{"a": {" u": "12345678123456781234567812345678"}}',
    ],
)
def test_quirks_match_flask(text: str) -> None:
    outcome, expected = flask_loads(text)
    assert outcome == "ok"
    assert tagged.loads(text) == expected
    assert type_structure(tagged.loads(text)) == type_structure(expected)


@pytest.mark.parametrize(
    "text",
    [
        '{" u": "nope"}',
        '{" u": 5}',
        '{" b": "a"}',
        '{" b": 5}',
        '{" t": 5}',
        '{" di": {}}',
        '{" di": [1]}',
        '{" di": "abc"}',
        '{" d": 5}',
        "[" * 100000,
        "{",
        "",
    ],
)
def test_what_flask_rejects_is_a_flaskscope_error(text: str) -> None:
    assert flask_loads(text)[0] == "error"
    with pytest.raises(FlaskscopeError):
        tagged.loads(text)


def test_tag_error_names_the_tag() -> None:
    with pytest.raises(FlaskscopeError, match="UUID"):
        tagged.loads('{"user": {" u": "nope"}}')


def test_dumps_of_other_types_uses_flasks_json_default() -> None:
    from dataclasses import dataclass
    from datetime import date
    from decimal import Decimal

    @dataclass
    class Point:
        x: int

    value = {"day": date(2024, 1, 2), "n": Decimal("1.5"), "p": Point(1)}
    with APP.app_context():
        assert tagged.dumps(value) == FLASK.dumps(value)
    with pytest.raises(TypeError):
        tagged.dumps({"x": object()})


def test_naive_and_offset_datetimes_dump_as_flask_does() -> None:
    naive = datetime(2024, 5, 6, 7, 8, 9)
    offset = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone(timedelta(hours=5)))
    for value in ({"d": naive}, {"d": offset}, {"u": uuid.uuid4()}):
        assert tagged.dumps(value, sort_keys=False) == FLASK.dumps(value)


def test_unknown_tags_skip_escaped_keys() -> None:
    raw = json.loads('{"a": {" di": {" t__": 1}}, "b": {" od": []}, "c": {" t": [1]}}')
    assert tagged.unknown_tags(raw) == {" od"}


def printed_by(code: str) -> list[str]:
    """The words a fresh interpreter prints running ``code`` (which modules it imported)."""
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return completed.stdout.split()


def test_importing_tagged_does_not_import_flask() -> None:
    code = (
        "import sys, flaskscope.cookies.tagged as t, flaskscope.cookies.decode;"
        't.loads(\'{"a": {" u": "12345678123456781234567812345678"}}\');'
        "print('flask' in sys.modules, 'werkzeug' in sys.modules)"
    )
    assert printed_by(code) == ["False", "False"]


http_dates = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(timezone.utc)
).map(http_date)
# HTTP dates with one character changed, dropped or added: the shapes next to the fast path.
mutated_http_dates = st.builds(
    lambda text, index, char, how: (
        text[:index] + char + text[index + 1 :]
        if how == 0
        else text[:index] + text[index + 1 :]
        if how == 1
        else text[:index] + char + text[index:]
    ),
    http_dates,
    st.integers(0, 29),
    st.sampled_from("0123456789 ,:-+AGMTZaz"),
    st.integers(0, 2),
)


@settings(max_examples=examples(300))
@given(st.one_of(http_dates, mutated_http_dates))
def test_parse_date_matches_werkzeug(text: str) -> None:
    """The direct IMF-fixdate reading gives what werkzeug's parse_date gives, or falls back."""
    assert tagged.parse_date(text) == parse_date(text)


def test_importing_email_only_for_other_date_forms() -> None:
    code = (
        "import sys, flaskscope.cookies.tagged as t;"
        't.loads(\'{"a": {" d": "Tue, 02 Jan 2024 03:04:05 GMT"}}\');'
        "print('email.utils' in sys.modules);"
        't.loads(\'{"a": {" d": "Tuesday, 02-Jan-24 03:04:05 GMT"}}\');'
        "print('email.utils' in sys.modules)"
    )
    assert printed_by(code) == ["False", "True"]


# --- tags Flask loads as something other than what was written --------------------------------

LOSSY = [
    ('{"a": {" d": "garbage"}}', 'session["a"]', "' d'", "not an HTTP date"),
    ('{"a": {" d": null}}', 'session["a"]', "' d'", "not an HTTP date"),
    ('{"a": {" d": ""}}', 'session["a"]', "' d'", "not an HTTP date"),
    ('{" b": "!!!"}', "the session", "' b'", "not standard base64"),
    ('{"a": [1, {" b": "AAF="}]}', 'session["a"][1]', "' b'", "not standard base64"),
    ('{"a": {" b": "AA E="}}', 'session["a"]', "' b'", "not standard base64"),
    ('{"a": {" t": "abc"}}', 'session["a"]', "' t'", "on a JSON string, not an array"),
    ('{"a": {" t": {"x": 1}}}', 'session["a"]', "' t'", "on a JSON object, not an array"),
    ('{"a": {" m": 5}}', 'session["a"]', "' m'", "on a JSON number, not a string"),
    ('{"a": {" m": {" t": ["x"]}}}', 'session["a"]', "' m'", "on a tuple, not a string"),
    ('{"a": {" di": {"x": 1, "y": 2}}}', 'session["a"]', "' di'", "not one key ending in '__'"),
    ('{"a": {" di": {"x": 1}}}', 'session["a"]', "' di'", "not one key ending in '__'"),
    ('{"a\\"b": {"c": {" d": "x"}}}', 'session["a\\"b"]["c"]', "' d'", "not an HTTP date"),
]


@pytest.mark.parametrize(("text", "path", "tag", "reason"), LOSSY)
def test_lossy_tags_load_as_flask_loads_them_and_are_named(
    text: str, path: str, tag: str, reason: str
) -> None:
    outcome, expected = flask_loads(text)
    assert outcome == "ok"  # Flask loads it without a word...
    assert json.loads(FLASK.dumps(expected)) != json.loads(text)  # ...as something else
    lossy: list[str] = []
    assert tagged.loads(text, lossy) == expected
    assert type_structure(tagged.loads(text)) == type_structure(expected)
    assert len(lossy) == 1
    assert lossy[0].startswith(f"{path} has a {tag} ")
    assert reason in lossy[0]


@pytest.mark.parametrize(
    "text",
    [
        '{"a": {" b": "AAE="}, "e": {" b": ""}}',
        '{"a": {" u": "12345678-1234-5678-1234-567812345678"}}',  # hyphens: the same UUID
        '{"a": {" u": "12345678123456781234567812345678"}}',
        '{"a": {" d": "Tue, 02 Jan 2024 03:04:05 GMT"}}',
        '{"a": {" d": "Tue, 02 Jan 2024 03:04:05 +0200"}}',  # the same moment, another zone
        '{"a": {" di": {" t__": [1]}}}',
        '{"a": {" t": []}, "m": {" m": "<b>x</b>"}}',
    ],
)
def test_faithful_tags_are_not_reported(text: str) -> None:
    lossy: list[str] = []
    assert tagged.loads(text, lossy) == flask_loads(text)[1]
    assert lossy == []


@settings(max_examples=examples(200))
@given(python_values)
def test_whatever_flask_writes_loads_faithfully(value: Any) -> None:
    lossy: list[str] = []
    tagged.loads(FLASK.dumps(value), lossy)
    assert lossy == []


def test_broken_tag_errors_name_the_path() -> None:
    with pytest.raises(FlaskscopeError, match=r'session\["user"\]\[2\] has a \' u\' \(UUID\)'):
        tagged.loads('{"user": [0, 1, {" u": "nope"}]}')
