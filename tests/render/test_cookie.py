"""The cookie renderers: plain JSON forms of Flask's types, the tree, limits and escaping."""

from __future__ import annotations

import io
import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from markupsafe import Markup

from flaskscope.cookies import decode_cookie, describe_duration, sign_cookie
from flaskscope.render.cookie import MAX_DEPTH, MAX_ITEMS, render_decoded_plain, session_lines
from flaskscope.render.cookie_json import decoded_json, iso_z, plain_session

KEY = "render-key"
T0 = 1_700_000_000


def text_of(lines: list) -> str:  # type: ignore[type-arg]
    return "\n".join("".join(segment.text for segment in line) for line in lines)


def test_plain_session_converts_every_flask_type() -> None:
    session = {
        "t": (1, (2,)),
        "b": b"\x00\xff",
        "u": uuid.UUID(int=1),
        "d": datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))),
        "m": Markup("<b>x</b>"),
        "n": float("nan"),
        "i": float("-inf"),
        "plain": [None, True, 1, 1.5, "s"],
    }
    plain = plain_session(session)
    assert plain == {
        "t": [1, [2]],
        "b": "AP8=",
        "u": "00000000-0000-0000-0000-000000000001",
        "d": "2024-01-02T01:04:05Z",
        "m": "<b>x</b>",
        "n": "nan",
        "i": "-inf",
        "plain": [None, True, 1, 1.5, "s"],
    }
    json.dumps(plain, allow_nan=False)  # strict JSON


def test_iso_z() -> None:
    assert iso_z(datetime(1, 1, 1, tzinfo=timezone.utc)) == "0001-01-01T00:00:00Z"
    assert iso_z(datetime.fromtimestamp(T0, tz=timezone.utc)) == "2023-11-14T22:13:20Z"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (59, "59 s"),
        (61, "1 min 1 s"),
        (3600, "1 h"),
        (90061, "1 d 1 h"),
        (-90, "1 min 30 s"),
    ],
)
def test_describe_duration(seconds: int, text: str) -> None:
    assert describe_duration(seconds) == text


def test_tree_lines_show_types_and_guides() -> None:
    lines = text_of(session_lines({"a": [1, {"b": (2,)}], "z": Markup("<i>")}))
    assert lines.splitlines() == [
        "session  dict[2]",
        "├── a  list[2]",
        "│   ├── [0] = 1  int",
        "│   └── [1]  dict[1]",
        "│       └── b  tuple[1]",
        "│           └── [0] = 2  int",
        "└── z = Markup('<i>')  Markup",
    ]


def test_tree_limits_items_and_depth() -> None:
    many = text_of(session_lines({"x": list(range(MAX_ITEMS + 50))}))
    assert "... 50 more (see --json)" in many
    deep: object = 0
    for _ in range(MAX_DEPTH + 20):
        deep = [deep]
    nested = text_of(session_lines({"deep": deep}))
    assert nested.count("\n") < MAX_DEPTH + 10
    assert nested.rstrip().endswith("...")


def test_empty_session() -> None:
    assert "(empty)" in text_of(session_lines({}))


def test_deep_session_renders_in_both_views() -> None:
    value = sign_cookie({"deep": json.loads("[" * 400 + "]" * 400)}, KEY, timestamp=T0)
    decoded = decode_cookie(value, KEY, max_age=None)
    stream = io.StringIO()
    render_decoded_plain(stream, decoded)
    assert "deep  list[1]" in stream.getvalue()
    json.dumps(decoded_json(decoded))


def test_plain_report_escapes_untrusted_text_but_not_the_layout() -> None:
    value = sign_cookie({"k\x1b]0;pwned\x07": "\u202e\r\n"}, KEY, timestamp=T0)
    stream = io.StringIO()
    render_decoded_plain(stream, decode_cookie(value, KEY, max_age=None))
    output = stream.getvalue()
    assert "\x1b" not in output
    assert "\u202e" not in output
    assert "\r" not in output
    assert "k\\x1b]0;pwned\\x07 = '\\u202e\\r\\n'  str" in output
    assert "└── " in output


def test_json_never_holds_the_key() -> None:
    secret = "json-secret-9"
    value = sign_cookie({"a": 1}, secret, timestamp=T0)
    document = json.dumps(decoded_json(decode_cookie(value, secret, fallback_keys=["f-key"])))
    assert secret not in document
    assert "f-key" not in document
