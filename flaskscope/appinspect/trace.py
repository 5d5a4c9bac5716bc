"""Run requests through the app's own test client and record each one's life (``trace``).

Cookies are carried between requests by Werkzeug's test client, which keeps them as a
browser does (domain, path, expiry). Each request is traced with the probes of
:mod:`~flaskscope.appinspect.hooks`, :mod:`~flaskscope.appinspect.session_probe` and
:mod:`~flaskscope.appinspect.store_probe` installed, and the app is put back as it was after
each request, whatever happens inside it. The response body is read inside the trace, so a
streamed response's work (and any session change it makes after the headers went out) is
seen at its place.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flaskscope.appinspect.hooks import instrumented
from flaskscope.appinspect.model import RequestSpec, RequestTrace, Trace, describe_value
from flaskscope.appinspect.recorder import Recorder
from flaskscope.appinspect.session_probe import SessionProbe
from flaskscope.appinspect.setcookie import SetCookie, domain_matches, is_loopback_host
from flaskscope.appinspect.store_probe import store_probe
from flaskscope.cookies import BROWSER_COOKIE_LIMIT, COOKIE_SIZE_WARNING
from flaskscope.errors import InputError

__all__ = ["DEFAULT_BASE_URL", "MAX_REQUESTS", "TraceInputError", "trace_requests"]

DEFAULT_BASE_URL = "http://localhost"
MAX_REQUESTS = 100
"""A sequence is for following a session across a few requests, not for load."""


class TraceInputError(InputError):
    """A request of the sequence cannot be built (exit 2)."""


def trace_requests(
    app: Any,
    requests: Sequence[RequestSpec],
    *,
    base_url: str = DEFAULT_BASE_URL,
    cookies: Sequence[tuple[str, str]] = (),
    now: datetime | None = None,
) -> Trace:
    """Send ``requests`` in order through ``app.test_client()``; one :class:`RequestTrace` each.

    ``cookies`` are put in the client's jar first (as if the browser already held them).
    ``now`` is the time cookies are judged at (default: the clock at each judgement, as
    Flask's own check runs then: a cookie signed during the trace is never "from the
    future").
    """
    if not requests:
        raise TraceInputError("no request to trace")
    if len(requests) > MAX_REQUESTS:
        raise TraceInputError(f"at most {MAX_REQUESTS} requests in one trace")
    scheme, host = _split_base_url(base_url)
    for spec in requests:
        _check_spec(spec)
    for name, value in cookies:
        _check_header_field("cookie", name, value)
    client = app.test_client()
    for name, value in cookies:
        client.set_cookie(name, value, domain=host)
    traced: list[RequestTrace] = []
    next_seq = 1
    for spec in requests:
        recorder = Recorder(next_seq=next_seq)
        traced.append(_trace_one(app, client, spec, recorder, base_url, scheme, host, now))
        next_seq = recorder.next_seq
    interface = app.session_interface
    return Trace(
        app_name=str(app.import_name),
        base_url=base_url,
        session_interface=f"{type(interface).__module__}.{type(interface).__name__}",
        requests=tuple(traced),
    )


_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
"""RFC 9110 §5.6.2 token: what a header (and cookie) name may be."""


def _check_header_field(what: str, name: str, value: str) -> None:
    if not _TOKEN.fullmatch(name):
        raise TraceInputError(f"{what} name {name!r} is not an HTTP token (RFC 9110 §5.6.2)")
    if any(char in value for char in "\r\n\x00"):
        raise TraceInputError(f"{what} {name} has a CR, LF or NUL in its value")


def _check_spec(spec: RequestSpec) -> None:
    if not spec.path.startswith("/"):
        raise TraceInputError(f"the path {spec.path!r} must start with '/'")
    if any(char in spec.path for char in "\r\n\x00"):
        raise TraceInputError(f"the path {spec.path!r} has a CR, LF or NUL in it")
    for name, value in spec.headers:
        _check_header_field("header", name, value)


def _split_base_url(base_url: str) -> tuple[str, str]:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TraceInputError(
            f"--base-url {base_url!r} is not an http:// or https:// URL with a host"
        )
    return parts.scheme, parts.hostname


def _trace_one(
    app: Any,
    client: Any,
    spec: RequestSpec,
    recorder: Recorder,
    base_url: str,
    scheme: str,
    host: str,
    now: datetime | None,
) -> RequestTrace:
    recorder.add("request", f"{spec.method} {spec.path}", **spec.as_json(), base_url=base_url)
    _server_name(app, host, recorder)
    original = app.session_interface
    status: int | None = None
    probe = SessionProbe(original, recorder, now)
    with (
        warnings.catch_warnings(record=True) as caught,
        store_probe(app, recorder),
        instrumented(app, recorder),
    ):
        warnings.simplefilter("always")
        app.session_interface = probe
        try:
            status = _send(client, spec, recorder, base_url, caught)
        finally:
            app.session_interface = original
    changed = probe.changed_after_save()
    if changed:
        recorder.mistake(
            "session-set-after-headers",
            f"session key(s) {', '.join(changed)} changed while the streamed body was sent: "
            "the Set-Cookie had already gone out with the headers, so the change is lost",
            "change the session before returning the streamed response (in the view, not "
            "inside the generator)",
        )
    _check_set_cookies(recorder, scheme, host)
    jar = _jar(client, app.session_interface.get_cookie_name(app), host)
    recorder.add("cookie", "browser cookie jar", cookies={k: _cut(v) for k, v in jar.items()})
    return RequestTrace(
        spec=spec,
        status=status,
        events=tuple(recorder.events),
        mistakes=tuple(recorder.mistakes),
        cookies_after=jar,
    )


def _send(
    client: Any,
    spec: RequestSpec,
    recorder: Recorder,
    base_url: str,
    caught: list[warnings.WarningMessage],
) -> int | None:
    """Open the request and read the whole body (a streamed body runs now). Warnings the
    app, Flask or Werkzeug emit (Werkzeug's "cookie is too large") become events."""
    kwargs: dict[str, Any] = {"method": spec.method, "base_url": base_url}
    if spec.headers:
        kwargs["headers"] = list(spec.headers)
    if spec.form is not None:
        kwargs["data"] = _merge(spec.form)
    if spec.has_json_body:
        kwargs["json"] = spec.json_body
    try:
        response = client.open(spec.path, **kwargs)
    except Exception as error:  # the app's own exception, propagated (TESTING/DEBUG)
        _warnings(recorder, caught)
        recorder.add("response", "exception left the app", exception=describe_value(error))
        return None
    _warnings(recorder, caught)
    headers = response.headers.getlist("Set-Cookie")
    recorder.add(
        "response",
        "headers sent",
        status=response.status_code,
        set_cookie_headers=len(headers),
        vary=response.headers.get("Vary"),
    )
    try:
        body = response.get_data()
        recorder.add("response", "body sent", bytes=len(body))
    except Exception as error:
        hint = (
            "the generator used request or session after the request context was gone: "
            "wrap it in flask.stream_with_context"
            if "outside of request context" in str(error)
            else None
        )
        recorder.add(
            "response", "exception while streaming", exception=describe_value(error), hint=hint
        )
    finally:
        _warnings(recorder, caught)
        with contextlib.suppress(Exception):
            response.close()
    return int(response.status_code)


def _warnings(recorder: Recorder, caught: list[warnings.WarningMessage]) -> None:
    for warning in caught:
        recorder.add(
            "warning",
            warning.category.__name__,
            message=_cut(" ".join(str(warning.message).split()), 300),
            source=f"{warning.filename}:{warning.lineno}",
        )
    caught.clear()


def _merge(pairs: Sequence[tuple[str, str]]) -> Any:
    from werkzeug.datastructures import MultiDict

    return MultiDict(list(pairs))


def _server_name(app: Any, host: str, recorder: Recorder) -> None:
    server_name = app.config.get("SERVER_NAME")
    if not server_name:
        return
    configured = str(server_name).rsplit(":", 1)[0].lower()
    if configured != host.lower() and not domain_matches(host, configured):
        recorder.mistake(
            "server-name-mismatch",
            f"SERVER_NAME is {server_name!r} but the request went to {host!r}: url_for "
            "builds links to the other host, routing may answer 404 (host_matching, "
            "subdomain_matching, Flask before 3.1), and Flask before 2.3 took the cookie "
            "Domain from it",
            "set SERVER_NAME to the host the site is served on, or leave it unset",
        )


def _check_set_cookies(recorder: Recorder, scheme: str, host: str) -> None:
    """The mistakes a browser would make of the Set-Cookie headers, after they are known."""
    for event in list(recorder.events):
        if event.kind != "set-cookie":
            continue
        cookie = SetCookie(
            name=event.name,
            value="",
            size=int(event.detail["header_size"]),
            domain=event.detail.get("domain"),
            secure=bool(event.detail.get("secure")),
        )
        _check_one(recorder, cookie, scheme, host, bool(event.detail.get("deletes")))


def _check_one(
    recorder: Recorder, cookie: SetCookie, scheme: str, host: str, deletes: bool
) -> None:
    if COOKIE_SIZE_WARNING < cookie.size <= BROWSER_COOKIE_LIMIT:
        recorder.add(
            "cookie",
            "near the browser size limit",
            cookie=cookie.name,
            size=cookie.size,
            limit=BROWSER_COOKIE_LIMIT,
            note="a few more session keys and browsers drop the cookie silently",
        )
    if cookie.size > BROWSER_COOKIE_LIMIT:
        recorder.mistake(
            "cookie-too-large",
            f"the {cookie.name} Set-Cookie is {cookie.size} bytes, over the "
            f"{BROWSER_COOKIE_LIMIT} browsers keep: the browser drops it silently and the "
            "session is lost",
            "keep large data out of the session (store an id; use Flask-Session or a "
            "database for the rest)",
        )
    if cookie.domain and not domain_matches(host, cookie.domain):
        recorder.mistake(
            "cookie-domain-mismatch",
            f"the {cookie.name} cookie has Domain={cookie.domain} but the request host is "
            f"{host}: the browser rejects it (RFC 6265 §5.3 step 6)",
            "set SESSION_COOKIE_DOMAIN to the site's host or a parent domain of it, or "
            "leave it unset for a host-only cookie",
        )
    if cookie.secure and scheme == "http" and not deletes:
        where = (
            " (Chrome and Firefox make an exception for localhost, so it works in "
            "development and fails on a deployed http:// site)"
            if is_loopback_host(host)
            else ""
        )
        recorder.mistake(
            "secure-cookie-over-http",
            f"the {cookie.name} cookie is Secure but the request is plain HTTP: browsers do "
            f"not store it{where}",
            "serve the site over HTTPS (behind a proxy, use ProxyFix so Flask sees https), "
            "or turn SESSION_COOKIE_SECURE off in development only",
        )


def _jar(client: Any, session_cookie: str, host: str) -> dict[str, str]:
    """The cookies the test client now holds. Werkzeug keeps them in ``_cookies`` (keyed by
    domain, path and name) and has no public way to list them all; where that is missing,
    the session cookie is asked for with the public ``get_cookie``."""
    jar: dict[str, str] = {}
    cookies = getattr(client, "_cookies", None)
    if isinstance(cookies, dict):
        for cookie in cookies.values():
            jar[str(cookie.key)] = str(cookie.value)
        return jar
    get_cookie = getattr(client, "get_cookie", None)
    found = get_cookie(session_cookie, domain=host) if callable(get_cookie) else None
    if found is not None:
        jar[session_cookie] = str(found.value)
    return jar


def _cut(value: str, limit: int = 120) -> str:
    return value if len(value) <= limit else f"{value[: limit - 3]}..."
