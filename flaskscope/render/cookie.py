"""The human view of a decoded Flask session cookie.

A verdict line, the facts (signature, times, size), every warning, then the session as a tree
with its real Python types: what Flask will hand the app. The report is built once as lines of
styled segments; :func:`render_decoded` prints them through rich (colour on a terminal), and
:func:`render_decoded_plain` writes the same characters without importing rich, for pipes.
Text taken from the cookie is marked untrusted and escaped (``safe_text`` / ``safe_str``);
the secret key is never part of the report.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

from flaskscope.cookies import DecodedCookie
from flaskscope.cookies.warnings import BROWSER_COOKIE_LIMIT, describe_duration

if TYPE_CHECKING:
    from rich.console import Console

__all__ = [
    "Segment",
    "fact_lines",
    "render_decoded",
    "render_decoded_plain",
    "report_lines",
    "session_lines",
    "verdict_segment",
]

_STYLES = {
    "valid": "bold green",
    "unverified": "bold yellow",
    "invalid-signature": "bold red",
    "expired": "bold red",
}
_VERDICTS = {
    "valid": "valid: genuine and within its max age",
    "unverified": "unverified: decoded without checking the signature",
    "invalid-signature": "invalid signature: no given key made it; Flask ignores this cookie",
    "expired": "expired: genuine, but Flask rejects it as too old or from the future",
}
_LABEL = "bold"
_TYPE = "dim cyan"
_WARN = "yellow"
_GUIDE = "dim"
_LABEL_WIDTH = 12
MAX_DEPTH = 30
MAX_ITEMS = 200
MAX_STRING = 1000


class Segment(NamedTuple):
    text: str
    style: str = ""
    untrusted: bool = False


Line = list[Segment]


def _when(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def _key_segment(decoded: DecodedCookie) -> Segment:
    if decoded.matched_key == "primary":
        return Segment("matches the secret key", "green")
    if decoded.matched_key is not None:
        index = decoded.matched_key.partition(":")[2]
        return Segment(f"matches fallback key #{index} (zero-based; rotate it out)", "green")
    if decoded.keys_tried:
        plural = "s" if decoded.keys_tried > 1 else ""
        return Segment(f"matches none of the {decoded.keys_tried} key{plural} given", "red")
    return Segment("not checked (no key given)", "yellow")


def _fact(label: str, *value: Segment) -> Line:
    return [Segment(label.ljust(_LABEL_WIDTH), _LABEL), *value]


def _expiry(decoded: DecodedCookie) -> Line:
    if decoded.max_age is None:
        return _fact("expires", Segment("not checked (no max age)"))
    if decoded.expires_at is None:  # past year 9999: a forged timestamp or a huge max age
        return _fact(
            "expires",
            Segment("after 9999-12-31", "red" if decoded.expired else ""),
            Segment(f"  (max age {describe_duration(decoded.max_age)})"),
        )
    left = decoded.expires_in_seconds or 0
    if decoded.age_seconds < 0:
        state = Segment("not yet valid: signed in the future", "red")
    elif left >= 0:
        state = Segment(f"in {describe_duration(left)}")
    else:
        state = Segment(f"{describe_duration(left)} ago", "red")
    return _fact(
        "expires at",
        Segment(f"{_when(decoded.expires_at)}  ("),
        state,
        Segment(f"; max age {describe_duration(decoded.max_age)})"),
    )


def fact_lines(decoded: DecodedCookie) -> list[Line]:
    """Kind, status, which key matched, signing, issued, expiry, compression, size."""
    options = decoded.options
    legacy = ", legacy timestamps" if options.legacy else ""
    signing = f"{options.digest}, key derivation {options.key_derivation}, salt {options.salt!r}"
    age = describe_duration(decoded.age_seconds)
    ago = f"{age} ago" if decoded.age_seconds >= 0 else f"{age} in the future"
    if decoded.compressed:
        compression = f"zlib, {decoded.compressed_size} -> {decoded.payload_size} bytes"
    else:
        compression = f"no ({decoded.payload_size} bytes of JSON)"
    size_style = "red" if decoded.size > BROWSER_COOKIE_LIMIT else ""
    return [
        _fact("kind", Segment("signed-cookie (Flask's default: the data is in the cookie)")),
        _fact("status", Segment(decoded.status, _STYLES[decoded.status])),
        _fact("signature", _key_segment(decoded)),
        _fact("signing", Segment(signing + legacy, untrusted=True)),
        _fact("issued at", Segment(f"{_when(decoded.issued_at)}  ({ago})")),
        _expiry(decoded),
        _fact("compressed", Segment(compression)),
        _fact(
            "size",
            Segment(f"{decoded.size} bytes (browsers keep ~{BROWSER_COOKIE_LIMIT})", size_style),
        ),
    ]


def _scalar(value: Any) -> list[Segment]:
    """One value as Python would write it; strings marked untrusted."""
    if isinstance(value, bytes):
        shown = [Segment(repr(value[:MAX_STRING]), "magenta")]
        if len(value) > MAX_STRING:
            shown.append(Segment(f" ... ({len(value)} bytes)", "dim"))
        return shown
    if isinstance(value, str):
        shown = [Segment("'", "green"), Segment(value[:MAX_STRING], "green", True)]
        shown.append(Segment("'", "green"))
        if len(value) > MAX_STRING:
            shown.append(Segment(f" ... ({len(value)} characters)", "dim"))
        if hasattr(value, "__html__"):
            return [Segment("Markup("), *shown, Segment(")")]
        return shown
    if isinstance(value, datetime):
        return [Segment(value.isoformat(), "blue")]
    if value is None or isinstance(value, bool):
        return [Segment(repr(value), "italic")]
    if isinstance(value, (int, float)):
        return [Segment(repr(value), "cyan")]
    return [Segment(str(value), "blue", True)]


def _node(key: list[Segment], value: Any) -> list[Segment]:
    if isinstance(value, (dict, list, tuple)):
        return [*key, Segment(f"  {type(value).__name__}[{len(value)}]", _TYPE)]
    return [*key, Segment(" = "), *_scalar(value), Segment(f"  {type(value).__name__}", _TYPE)]


def _children(value: Any) -> list[tuple[list[Segment], Any]]:
    if isinstance(value, dict):
        return [
            ([Segment(key, "bold", True)] if isinstance(key, str) else [Segment(repr(key))], item)
            for key, item in list(value.items())[:MAX_ITEMS]
        ]
    return [([Segment(f"[{index}]", "dim")], item) for index, item in enumerate(value[:MAX_ITEMS])]


def session_lines(session: dict[str, Any]) -> list[Line]:
    """The session as Flask loads it, one tree line per value with its Python type."""
    lines: list[Line] = [[Segment(f"session  dict[{len(session)}]", "bold")]]
    if not session:
        lines.append([Segment("└── ", _GUIDE), Segment("(empty)", "dim")])
    _add_children(lines, session, "", 1)
    return lines


def _add_children(lines: list[Line], value: Any, prefix: str, depth: int) -> None:
    """Depth is capped at ``MAX_DEPTH``, so the recursion stays shallow."""
    entries = _children(value)
    hidden = len(value) - len(entries)
    for position, (key, item) in enumerate(entries):
        last = position == len(entries) - 1 and not hidden
        lines.append([Segment(prefix + ("└── " if last else "├── "), _GUIDE), *_node(key, item)])
        if isinstance(item, (dict, list, tuple)) and item:
            child_prefix = prefix + ("    " if last else "│   ")
            if depth >= MAX_DEPTH:
                lines.append([Segment(child_prefix + "└── ", _GUIDE), Segment("...", "dim")])
            else:
                _add_children(lines, item, child_prefix, depth + 1)
    if hidden:
        lines.append(
            [Segment(prefix + "└── ", _GUIDE), Segment(f"... {hidden} more (see --json)", "dim")]
        )


def _verdict(decoded: DecodedCookie) -> str:
    """The headline; an expired cookie says which way: too old, or from the future."""
    if decoded.status != "expired":
        return _VERDICTS[decoded.status]
    if decoded.age_seconds < 0:
        ahead = describe_duration(-decoded.age_seconds)
        return f"expired: genuine, but from the future (signed {ahead} after now); Flask rejects it"
    age = describe_duration(decoded.age_seconds)
    limit = (
        ""
        if decoded.max_age is None
        else f", past the max age of {describe_duration(decoded.max_age)}"
    )
    return f"expired: genuine, but too old (signed {age} ago{limit}); Flask rejects it"


def verdict_segment(decoded: DecodedCookie) -> Segment:
    """The first line: the status in words (shared with the HTML report)."""
    return Segment(_verdict(decoded), _STYLES[decoded.status])


def report_lines(decoded: DecodedCookie) -> list[Line]:
    lines: list[Line] = [[verdict_segment(decoded)]]
    lines.extend(fact_lines(decoded))
    for warning in decoded.warnings:
        lines.append([Segment("warning: ", f"bold {_WARN}"), Segment(warning, _WARN, True)])
    lines.extend(session_lines(decoded.session))
    return lines


def render_decoded(console: Console, decoded: DecodedCookie) -> None:
    """The report through rich: colours when wanted; on a terminal long lines wrap between
    words under their label (a hanging indent), on a pipe each stays one line."""
    from rich.text import Text

    from flaskscope.render.console import print_hanging, safe_text

    for line in report_lines(decoded):
        text = Text()
        for segment in line:
            if segment.untrusted:
                text.append_text(safe_text(segment.text, segment.style))
            else:
                text.append(segment.text, style=segment.style)
        indent = len(line[0].text) if len(line) > 1 else 2
        print_hanging(console, text, indent=indent)


def render_decoded_plain(stream: TextIO, decoded: DecodedCookie) -> None:
    """The same report as plain text (stdout is not a terminal): no rich import, no styles."""
    from flaskscope.render.console import safe_str

    for line in report_lines(decoded):
        stream.write(
            "".join(safe_str(seg.text) if seg.untrusted else seg.text for seg in line) + "\n"
        )
