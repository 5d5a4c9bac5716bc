"""``flaskscope trace`` and ``flaskscope doctor`` end to end, under ``flaskscope`` and
``flask scope``; SARIF validated against the OASIS SARIF 2.1.0 JSON schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from flask.cli import FlaskGroup

from tests.conftest import run_cli

pytestmark = pytest.mark.usefixtures("sample_apps")

SCHEMA = Path(__file__).parent.parent / "schemas" / "sarif-schema-2.1.0.json"


def flask_cli(*args: str) -> Any:
    return CliRunner().invoke(FlaskGroup(), list(args), catch_exceptions=False)


def test_trace_sequence_json_and_exit_code() -> None:
    result = run_cli(
        "trace",
        "--app",
        "trace_cart_app",
        "POST",
        "/login",
        "--data",
        "user=ada",
        "--",
        "GET",
        "/shop/add",
        "--",
        "/shop/cart",
        "--json",
    )
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    assert [r["method"] for r in document["requests"]] == ["POST", "GET", "GET"]
    assert [r["status"] for r in document["requests"]] == [200, 200, 200]
    assert [m["id"] for m in document["mistakes"]] == ["mutated-without-modified"]
    events = document["events"]
    assert all(set(event) == {"seq", "kind", "name", "detail"} for event in events)
    assert [event["seq"] for event in events] == list(range(1, len(events) + 1))


def test_trace_of_the_good_app_exits_0_and_shows_the_timeline() -> None:
    result = run_cli(
        "trace",
        "--app",
        "trace_good_app",
        "--base-url",
        "https://localhost",
        "POST",
        "/login",
        "--",
        "GET",
        "/profile",
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "no session mistake seen" in result.stdout
    assert "request context pushed" in result.stdout
    assert "refreshed" in result.stdout


def test_trace_under_flask_scope() -> None:
    result = flask_cli("--app", "trace_cart_app", "scope", "trace", "GET", "/shop/cart", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["app"] == "trace_cart_app"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["FETCH", "/x"], "unknown method"),
        (["GET", "x"], "must start with '/'"),
        (["POST", "/x", "--json-body", "{"], "not JSON"),
        (["POST", "/x", "--data", "novalue"], "NAME=VALUE"),
        (["GET", "/", "--", "--"], "empty request"),
        ([], "no request given"),
        (["--base-url", "ftp://x", "GET", "/"], "http:// or https://"),
    ],
)
def test_trace_usage_errors_are_one_line_exit_2(args: list[str], message: str) -> None:
    result = run_cli("trace", "--app", "trace_good_app", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_trace_json_body_and_header_reach_the_app() -> None:
    result = run_cli(
        "trace",
        "--app",
        "trace_good_app",
        "POST",
        "/login",
        "-H",
        "X-Test: 1",
        "--json-body",
        '{"a": 1}',
        "--json",
    )
    document = json.loads(result.stdout)
    assert document["requests"][0]["json"] == {"a": 1}
    assert document["requests"][0]["headers"] == [["X-Test", "1"]]


def test_doctor_groups_by_severity_and_fail_on() -> None:
    result = run_cli("doctor", "--app", "doctor_apps:weak()")
    assert result.exit_code == 1
    text = result.stdout
    assert text.index("HIGH (1)") < text.index("MEDIUM") < text.index("LOW") < text.index("INFO")
    assert "secret-key-weak" in text
    assert "why:" in text
    assert "fix:" in text
    good = run_cli("doctor", "--app", "doctor_apps:good()")
    assert good.exit_code == 0
    assert "no finding" in good.stdout
    medium = run_cli("doctor", "--app", "doctor_apps:short_key()", "--json")
    assert medium.exit_code == 1
    assert json.loads(medium.stdout)["counts"] == {"high": 1, "medium": 2, "low": 0, "info": 0}
    nokey_fail_on_low = run_cli(
        "doctor", "--app", "doctor_apps:flask_session()", "--fail-on", "low"
    )
    assert nokey_fail_on_low.exit_code == 0


def test_doctor_fail_on_threshold() -> None:
    app = (
        "doctor_apps:short_key('b7f3c1e9a24d5f6081c3e7a9d2b4f6a8c0e1d3f5a7b9c2e4d6f8a0b1c3e5d7f9')"
    )
    assert run_cli("doctor", "--app", app).exit_code == 1  # samesite None without Secure: high
    assert (
        run_cli("doctor", "--app", "doctor_apps:sock(check_origin=True, max_size=None)").exit_code
        == 0
    )
    assert (
        run_cli(
            "doctor",
            "--app",
            "doctor_apps:sock(check_origin=True, max_size=None)",
            "--fail-on",
            "medium",
        ).exit_code
        == 1
    )


@pytest.mark.parametrize(
    "app",
    [
        "doctor_apps:weak()",
        "doctor_apps:good()",
        "doctor_apps:socketio('*')",
        "doctor_apps:no_key()",
    ],
)
def test_sarif_is_valid_sarif_2_1_0(app: str) -> None:
    result = run_cli("doctor", "--app", app, "--sarif")
    log = json.loads(result.stdout)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for item in run["results"]:
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
        location = item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "doctor_apps.py"


def test_sarif_schema_rejects_a_broken_log() -> None:
    """The schema check can fail: a result without a message is not SARIF."""
    result = run_cli("doctor", "--app", "doctor_apps:weak()", "--sarif")
    log = json.loads(result.stdout)
    del log["runs"][0]["results"][0]["message"]
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(log)


def test_doctor_under_flask_scope_and_errors() -> None:
    result = flask_cli("--app", "doctor_apps:weak()", "scope", "doctor", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["failed"] is True
    missing = run_cli("doctor", "--app", "doctor_apps:weak()", "--wordlist", "/nonexistent")
    assert missing.exit_code == 2
    assert missing.stderr.startswith("Error: ")
    both = run_cli("doctor", "--app", "doctor_apps:weak()", "--json", "--sarif")
    assert both.exit_code == 2
    no_store = run_cli("doctor", "--app", "doctor_apps:weak()", "--store")
    assert no_store.exit_code == 2
    assert "Flask-Session" in no_store.stderr


def test_doctor_store_scan_through_the_cli(tmp_path: Path) -> None:
    import pickle

    import redis

    from tests.redis_server import running_redis

    with running_redis(tmp_path / "redis") as server:
        redis.Redis.from_url(server.url).set("session:old", pickle.dumps({"user": "ada"}))
        app = f"doctor_apps:flask_session({server.url!r})"
        result = run_cli("doctor", "--app", app, "--store", "--json")
        assert result.exit_code == 1, result.stderr
        document = json.loads(result.stdout)
        assert document["store_scanned"] == 1
        assert [f["id"] for f in document["findings"]] == ["flask-session-legacy-pickles-in-store"]
        by_url = run_cli("doctor", "--app", "doctor_apps:good()", "--store", server.url, "--json")
        assert json.loads(by_url.stdout)["store_scanned"] == 1
    unreachable = run_cli("doctor", "--app", app, "--store")
    assert unreachable.exit_code == 2
    assert unreachable.stderr.startswith("Error: ")
