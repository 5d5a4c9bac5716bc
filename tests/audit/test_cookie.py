"""audit_cookie: the audit tied to a real Flask cookie (signature size, confirmation, report)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from flaskscope.audit.cookie import audit_report, audit_spec, check_signature_size, confirmer
from flaskscope.audit.runner import AuditRun
from flaskscope.cookies import SigningOptions, split_cookie
from flaskscope.errors import OptionError
from tests.peers import flask_cookie


def test_a_signature_no_digest_option_can_make_is_an_option_error_with_a_hint() -> None:
    parts = split_cookie(flask_cookie("dev"))  # Flask: HMAC-SHA1, 20-byte signatures
    check_signature_size(parts, SigningOptions())
    with pytest.raises(OptionError, match=r"20 bytes but sha256 makes 32-byte.*--digest sha1"):
        check_signature_size(parts, SigningOptions(digest="sha256"))


def test_confirmer_accepts_only_the_key_flask_used() -> None:
    cookie = flask_cookie("the-key", {"user": "ada"})
    options = SigningOptions()
    confirm, confirmed = confirmer(cookie, options, datetime.now(timezone.utc), None)
    assert not confirm(b"another-key")
    assert confirm(b"the-key")
    assert [decoded.session for decoded in confirmed] == [{"user": "ada"}]
    assert audit_spec(split_cookie(cookie), options).salt == b"cookie-session"


def test_confirmer_checks_the_signature_when_the_payload_is_not_tagged_json() -> None:
    class Plain:
        """A custom serializer whose payload flaskscope's tagged JSON reader refuses."""

        @staticmethod
        def loads(text: str) -> dict[str, str]:
            raise ValueError("not this serializer")

    cookie = flask_cookie("the-key")
    confirm, confirmed = confirmer(cookie, SigningOptions(), datetime.now(timezone.utc), Plain())
    assert confirm(b"the-key")
    assert not confirm(b"another-key")
    assert confirmed == []


@pytest.mark.parametrize(("days", "expired"), [(1, False), (40, True)])
def test_report_judges_expiry_only_for_a_found_key(days: int, expired: bool) -> None:
    cookie = flask_cookie("the-key")
    parts = split_cookie(cookie)
    issued = datetime.fromtimestamp(parts.timestamp, tz=timezone.utc)
    now = issued + timedelta(days=days)
    confirm, confirmed = confirmer(cookie, SigningOptions(), now, None)
    assert confirm(b"the-key")
    found = AuditRun(key=b"the-key", candidates_tried=3, seconds=0.1, jobs=1)
    report = audit_report(
        found,
        parts=parts,
        options=SigningOptions(),
        sources=["builtin"],
        confirmed=confirmed,
        now=now,
        max_age=31 * 86400,
    )
    assert (report.found, report.expired, report.issued_at) == (True, expired, issued)
    missed = AuditRun(key=None, candidates_tried=3, seconds=0.1, jobs=1)
    report = audit_report(
        missed,
        parts=parts,
        options=SigningOptions(),
        sources=["builtin"],
        confirmed=[],
        now=now,
        max_age=31 * 86400,
    )
    assert (report.found, report.expired, report.issued_at) == (False, None, None)
