"""The Flask-Session cookie section says what the terminal says: for any stored session
(hypothesis: nested values with hostile and invisible characters), the page's tree is the
rich view's tree line for line, and every character the app stored reaches the page only
escaped."""

from __future__ import annotations

import io
import re
import secrets
from html import unescape
from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from flaskscope.render.html.page import render_report
from flaskscope.render.html.server_session import server_session_report
from flaskscope.render.server_session import data_tree
from flaskscope.sessions.kind import server_session_cookie
from flaskscope.sessions.report import inspect_server_session
from flaskscope.sessions.store import StoredSession

SESSION_ID = secrets.token_urlsafe(32)
HOSTILE = st.sampled_from(["<img src=x onerror=alert(1)>", "</pre><script>x</script>", "&amp;"])
TEXT = st.one_of(st.text(max_size=30), HOSTILE)
INT64 = st.integers(min_value=-(2**63), max_value=2**64 - 1)  # what msgpack carries
SCALARS = st.one_of(st.none(), st.booleans(), INT64, st.floats(allow_nan=False), TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=20,
)


def _page(data: Any) -> str:
    cookie = server_session_cookie(SESSION_ID, app_loaded=False, interface=None)
    assert cookie is not None
    stored = StoredSession(
        "redis://127.0.0.1:6379/0",
        f"session:{SESSION_ID}",
        "string",
        msgspec.msgpack.encode(data),
        3600,
    )
    report = inspect_server_session(cookie, stored=stored, serialization_format="msgpack")
    return render_report(server_session_report(report, command="flaskscope decode-cookie"))


def _terminal_tree(data: Any) -> list[str]:
    console = Console(file=io.StringIO(), width=100_000, color_system=None)
    console.print(data_tree(Text("stored session"), data))
    return [line.rstrip() for line in console.file.getvalue().splitlines()]  # type: ignore[attr-defined]


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(TEXT, VALUES, max_size=6))
def test_the_page_tree_is_the_terminal_tree(data: dict[str, Any]) -> None:
    page = _page(data)
    found = re.search(r'<pre class="tree">(.*?)</pre>', page, re.DOTALL)
    assert found is not None
    markup = found.group(1)
    assert "<img" not in markup
    assert "<script" not in markup
    shown = unescape(re.sub(r"<[^>]+>", "", markup)).rstrip("\n").split("\n")
    assert [line.rstrip() for line in shown] == _terminal_tree(data)


def test_a_value_with_controls_is_shown_escaped() -> None:
    page = _page({"note\u202e": "a\x1b[31mb"})
    assert "\u202e" not in page
    assert "\x1b" not in page
    text = unescape(re.sub(r"<[^>]+>", "", page))
    assert "note\\u202e = 'a\\x1b[31mb'  str" in text
