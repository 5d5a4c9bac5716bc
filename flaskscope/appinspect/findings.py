"""The doctor's findings: stable ids, severities, and the catalogue of what each means.

Ids are a public contract (add, never rename); the catalogue gives each rule its default
severity, title, why it matters and the fix, which ``doctor`` shows and SARIF lists as rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["RULES", "SEVERITIES", "DoctorReport", "Finding", "Rule", "severity_rank"]

SEVERITIES = ("high", "medium", "low", "info")


def severity_rank(severity: str) -> int:
    """0 for high ... 3 for info (lower is worse)."""
    return SEVERITIES.index(severity)


_FLASK_CONFIG = "https://flask.palletsprojects.com/en/stable/config/#"
_FLASK_COOKIES = "https://flask.palletsprojects.com/en/stable/web-security/#set-cookie-options"
_FLASK_SESSION_CHANGES = "https://flask-session.readthedocs.io/en/latest/changes.html"
_REDIS_SECURITY = "https://redis.io/docs/latest/operate/oss_and_stack/management/security/"
_RFC = "https://www.rfc-editor.org/rfc/rfc"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    why: str
    fix: str
    reference: str = ""
    """Where the rule comes from: an RFC section or the documentation page that says it."""
    url: str = ""
    """That reference's address (SARIF ``helpUri``, the HTML report's link)."""


def _rule(
    rule_id: str, severity: str, title: str, why: str, fix: str, reference: tuple[str, str]
) -> Rule:
    return Rule(rule_id, severity, title, why, fix, *reference)


RULES: Mapping[str, Rule] = {
    rule.id: rule
    for rule in (
        _rule(
            "secret-key-missing",
            "high",
            "No SECRET_KEY",
            "Flask cannot sign the session cookie: every session is a NullSession and "
            "writing to it raises RuntimeError (Flask-Session cannot sign ids either).",
            "Set SECRET_KEY from the environment or a secrets manager: a random value such as "
            "secrets.token_hex(32), never committed to the code.",
            ("Flask configuration: SECRET_KEY", _FLASK_CONFIG + "SECRET_KEY"),
        ),
        _rule(
            "secret-key-weak",
            "high",
            "SECRET_KEY is in a list of known or guessable keys",
            "Anyone who guesses the key forges session cookies (log in as any user); keys "
            "from tutorials and wordlists are tried first by flask-unsign and hashcat.",
            "Replace it with secrets.token_hex(32) and move the old one to "
            "SECRET_KEY_FALLBACKS only if you must keep sessions for a short rotation.",
            ("Flask configuration: SECRET_KEY", _FLASK_CONFIG + "SECRET_KEY"),
        ),
        _rule(
            "secret-key-short",
            "medium",
            "SECRET_KEY has fewer than 24 random bytes' worth",
            "A short or low-entropy key can be found by brute force offline from one cookie "
            "(HMAC-SHA1 runs at billions of guesses per second on a GPU).",
            "Use at least 32 random bytes: secrets.token_hex(32) or secrets.token_urlsafe(32).",
            ("Flask configuration: SECRET_KEY", _FLASK_CONFIG + "SECRET_KEY"),
        ),
        _rule(
            "secret-key-fallbacks-present",
            "low",
            "SECRET_KEY_FALLBACKS still accepts old keys",
            "Cookies signed with an old key are still accepted; if the old key leaked, so "
            "did every session until it is removed.",
            "Remove the fallback keys once the rotation period (the session lifetime) is over.",
            (
                "Flask configuration: SECRET_KEY_FALLBACKS",
                _FLASK_CONFIG + "SECRET_KEY_FALLBACKS",
            ),
        ),
        _rule(
            "cookie-not-secure",
            "medium",
            "The session cookie is sent over plain HTTP",
            "Without Secure, the browser sends the session cookie over http:// too, where "
            "anyone on the network can read and replay it.",
            "Set SESSION_COOKIE_SECURE = True (serve the site over HTTPS).",
            ("RFC 6265 §4.1.2.5", _RFC + "6265#section-4.1.2.5"),
        ),
        _rule(
            "cookie-not-httponly",
            "medium",
            "JavaScript can read the session cookie",
            "Without HttpOnly, one XSS bug gives the attacker the session cookie itself.",
            "Leave SESSION_COOKIE_HTTPONLY = True (Flask's default).",
            ("RFC 6265 §4.1.2.6", _RFC + "6265#section-4.1.2.6"),
        ),
        _rule(
            "samesite-none-without-secure",
            "high",
            "SameSite=None without Secure",
            "Browsers reject a SameSite=None cookie that is not Secure: the session never "
            "sticks, and where it does it is sent on every cross-site request (CSRF).",
            "Use SameSite=Lax, or SameSite=None together with SESSION_COOKIE_SECURE = True.",
            ("Flask security: Set-Cookie options", _FLASK_COOKIES),
        ),
        _rule(
            "samesite-unset",
            "low",
            "SESSION_COOKIE_SAMESITE is not set",
            "Without SameSite the browser's default applies (Lax in Chrome, none in older "
            "browsers and Safari's rules), so cross-site requests may carry the session (CSRF).",
            "Set SESSION_COOKIE_SAMESITE = 'Lax' (or 'Strict').",
            ("Flask security: Set-Cookie options", _FLASK_COOKIES),
        ),
        _rule(
            "lifetime-very-long",
            "low",
            "Permanent sessions live longer than 31 days",
            "A stolen cookie stays valid for the whole PERMANENT_SESSION_LIFETIME: signed "
            "cookies cannot be revoked server-side.",
            "Lower PERMANENT_SESSION_LIFETIME (hours or days) and re-authenticate after it.",
            (
                "Flask configuration: PERMANENT_SESSION_LIFETIME",
                _FLASK_CONFIG + "PERMANENT_SESSION_LIFETIME",
            ),
        ),
        _rule(
            "refresh-each-request-off",
            "info",
            "SESSION_REFRESH_EACH_REQUEST is off",
            "Permanent sessions then expire a fixed time after they were last modified, not "
            "after the user's last request: active users get logged out.",
            "Leave SESSION_REFRESH_EACH_REQUEST = True unless that is what you want.",
            (
                "Flask configuration: SESSION_REFRESH_EACH_REQUEST",
                _FLASK_CONFIG + "SESSION_REFRESH_EACH_REQUEST",
            ),
        ),
        _rule(
            "flask-session-signer-deprecated",
            "low",
            "SESSION_USE_SIGNER is deprecated in Flask-Session",
            "Flask-Session 0.7 deprecated the signer and the next minor release removes it; "
            "session ids are 32 random bytes and need no signature.",
            "Remove SESSION_USE_SIGNER (cookies of existing sessions change once).",
            ("Flask-Session changes (0.7.0)", _FLASK_SESSION_CHANGES),
        ),
        _rule(
            "flask-session-pickle-serializer",
            "high",
            "Flask-Session stores sessions with pickle",
            "Anyone who can write to the session store (a shared or exposed Redis) gets code "
            "execution in the app: pickle.loads runs what the data says.",
            "Upgrade to Flask-Session 0.8 or later (msgspec serializer) and clear the store.",
            ("Flask-Session changes (0.7.0)", _FLASK_SESSION_CHANGES),
        ),
        _rule(
            "flask-session-legacy-pickles-in-store",
            "high",
            "Legacy pickled sessions are in the store",
            "Flask-Session 0.7/0.8 still falls back to pickle.loads for values that are not "
            "msgpack or JSON: pickled sessions in the store are read with pickle, so a store "
            "write is code execution.",
            "Delete the pickled keys (users log in again) and keep the store private.",
            ("Flask-Session changes (0.7.0)", _FLASK_SESSION_CHANGES),
        ),
        _rule(
            "redis-no-password-non-loopback",
            "high",
            "The session Redis is reachable over the network without a password",
            "Anyone who reaches the port reads every session (and with pickle, runs code).",
            "Require a password (requirepass/ACL) and TLS (rediss://), or bind to loopback.",
            ("Redis security", _REDIS_SECURITY),
        ),
        _rule(
            "websocket-cors-any-origin",
            "high",
            "Flask-SocketIO accepts connections from any origin",
            "cors_allowed_origins='*' lets any web site open a Socket.IO connection with the "
            "user's cookies: cross-site WebSocket hijacking (RFC 6455 §10.2).",
            "Set cors_allowed_origins to the site's own origins, e.g. ['https://example.com'].",
            ("RFC 6455 §10.2", _RFC + "6455#section-10.2"),
        ),
        _rule(
            "websocket-origin-not-checked",
            "high",
            "A Flask-Sock route never checks Origin",
            "Browsers send cookies with a cross-site WebSocket handshake; the server must "
            "check Origin (RFC 6455 §4.1 item 8, §10.2) or any page can act as the user.",
            "Compare request.headers.get('Origin') with the allowed origins before "
            "accepting (in the route or a before_request function); close otherwise.",
            ("RFC 6455 §10.2", _RFC + "6455#section-10.2"),
        ),
        _rule(
            "websocket-no-max-message-size",
            "medium",
            "WebSocket messages have no size limit",
            "Without a maximum message size one client can make the server buffer an "
            "unbounded message and run out of memory.",
            "Set SOCK_SERVER_OPTIONS = {'max_message_size': 1 << 20} (Flask-Sock) or "
            "max_http_buffer_size (Flask-SocketIO).",
            ("RFC 6455 §10.4", _RFC + "6455#section-10.4"),
        ),
    )
}
"""Every rule the doctor knows, by id."""


@dataclass(frozen=True)
class Finding:
    """One finding: its rule, what was found, and where (a config key, a route)."""

    id: str
    severity: str
    what: str
    where: str
    file: str | None = None
    line: int | None = None

    @property
    def rule(self) -> Rule:
        return RULES[self.id]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "title": self.rule.title,
            "what": self.what,
            "why": self.rule.why,
            "fix": self.rule.fix,
            "reference": self.rule.reference,
            "reference_url": self.rule.url,
            "where": self.where,
            "file": self.file,
            "line": self.line,
        }


@dataclass(frozen=True)
class DoctorReport:
    app_name: str
    app_file: str | None
    session_interface: str
    findings: tuple[Finding, ...]
    store_scanned: int | None = None
    """Keys looked at in the store (``--store``), ``None`` when the store was not scanned."""

    def at_or_above(self, severity: str) -> tuple[Finding, ...]:
        limit = severity_rank(severity)
        return tuple(f for f in self.findings if severity_rank(f.severity) <= limit)
