"""tests/vectors/cookie_vectors.json: cookies written by differently configured Flask apps.

Each vector is checked three ways: flaskscope decodes it to the session Flask's own serializer
wrote down when the vector was made; the same app rebuilt now still loads the same session
from it (so the vector file cannot drift from Flask); and sign_cookie rebuilds it byte for byte.
"""

from __future__ import annotations

import importlib.util
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from flask.sessions import session_json_serializer
from itsdangerous.timed import TimestampSigner

from flaskscope.cookies import decode_cookie, sign_cookie, tagged
from tests.conftest import load_vectors

VECTORS = load_vectors("cookie_vectors.json")
SAMPLES = Path(__file__).resolve().parent.parent.parent / "samples" / "make_samples.py"


def _make_samples_module() -> Any:
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE_SAMPLES = _make_samples_module()


def _decode(vector: dict[str, Any], **overrides: Any) -> Any:
    arguments: dict[str, Any] = {
        "fallback_keys": vector["fallback_keys"],
        "salt": vector["salt"],
        "digest": vector["digest"],
        "key_derivation": vector["key_derivation"],
        "max_age": vector["max_age"],
        "now": datetime.fromtimestamp(vector["timestamp"] + 30, tz=timezone.utc),
    }
    arguments.update(overrides)
    return decode_cookie(vector["cookie"], vector["secret_key"], **arguments)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector_decodes_to_what_flask_wrote_down(vector: dict[str, Any]) -> None:
    decoded = _decode(vector)
    assert decoded.status == "valid"
    assert decoded.matched_key == vector["matched_key"]
    assert decoded.compressed is vector["compressed"]
    assert int(decoded.issued_at.timestamp()) == vector["timestamp"]
    assert tagged.dumps(decoded.session) == vector["session_tagged"]
    assert decoded.session == session_json_serializer.loads(vector["session_tagged"])


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector_is_still_what_flask_loads(
    vector: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: vector["timestamp"] + 30)
    config = MAKE_SAMPLES.VECTOR_CONFIGS[vector["name"]]
    app = MAKE_SAMPLES.make_app(config, signing=False)
    assert MAKE_SAMPLES.flask_session(app, vector["cookie"]) == _decode(vector).session


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector_expires_when_flask_says(
    vector: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    late = vector["timestamp"] + vector["max_age"] + 1
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: late)
    app = MAKE_SAMPLES.make_app(MAKE_SAMPLES.VECTOR_CONFIGS[vector["name"]], signing=False)
    assert MAKE_SAMPLES.flask_session(app, vector["cookie"]) == {}  # Flask starts afresh
    decoded = _decode(vector, now=datetime.fromtimestamp(late, tz=timezone.utc))
    assert decoded.status == "expired"


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_sign_cookie_rebuilds_the_vector(vector: dict[str, Any]) -> None:
    config = MAKE_SAMPLES.VECTOR_CONFIGS[vector["name"]]
    signing_key = config.get("signed_with", vector["secret_key"])
    rebuilt = sign_cookie(
        session_json_serializer.loads(vector["session_tagged"]),
        signing_key,
        salt=vector["salt"],
        digest=vector["digest"],
        key_derivation=vector["key_derivation"],
        timestamp=vector["timestamp"],
    )
    assert rebuilt == vector["cookie"]


def test_vectors_cover_what_issue_2_names() -> None:
    names = {vector["name"] for vector in VECTORS}
    assert {"every-tagged-type", "permanent-session", "flash-messages", "fallback-key"} <= names
    assert any(vector["compressed"] for vector in VECTORS)
    assert any(vector["matched_key"].startswith("fallback:") for vector in VECTORS)
