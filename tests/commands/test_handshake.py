"""``ws-accept`` and ``check-handshake`` through Click's runner: exit codes and messages."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from websockets.utils import accept_key

from tests.conftest import run_cli, run_json

SAMPLES = Path(__file__).parent.parent.parent / "samples"
REQUEST = SAMPLES / "handshake-request.http"
RESPONSE = SAMPLES / "handshake-response.http"
BAD_RESPONSE = SAMPLES / "handshake-response-bad.http"
RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ=="
RFC_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


# -- ws-accept --------------------------------------------------------------------------------


def test_accept_alone_when_piped() -> None:
    result = run_cli("ws-accept", RFC_KEY)
    assert result.exit_code == 0
    assert result.stdout == RFC_ACCEPT + "\n"
    assert result.stderr == ""


def test_explain_shows_every_step() -> None:
    result = run_cli("ws-accept", RFC_KEY, "--explain", "--no-color")
    assert result.exit_code == 0
    for expected in (
        RFC_KEY,
        "16 bytes",
        "258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
        "b37a4f2cc0624f1690f64606cf385945b2bec4ea",
        RFC_ACCEPT,
        "valid key",
    ):
        assert expected in result.stdout
    assert "\x1b[" not in result.stdout


def test_json_fields() -> None:
    document = run_json("ws-accept", RFC_KEY)
    assert document["key"] == RFC_KEY
    assert document["key_valid"] is True
    assert document["key_bytes"] == 16
    assert document["accept"] == RFC_ACCEPT
    assert document["verified"] is None


def test_key_from_stdin() -> None:
    result = run_cli("ws-accept", "-", input=RFC_KEY + "\n")
    assert result.exit_code == 0
    assert result.stdout.strip() == RFC_ACCEPT


def test_key_from_stdin_without_dash() -> None:
    result = run_cli("ws-accept", input=RFC_KEY)
    assert result.stdout.strip() == RFC_ACCEPT


def test_verify_match_and_mismatch() -> None:
    assert run_json("ws-accept", RFC_KEY, "--verify", RFC_ACCEPT)["verified"] is True
    document = run_json("ws-accept", RFC_KEY, "--verify", "AAAA", code=1)
    assert document["verified"] is False
    result = run_cli("ws-accept", RFC_KEY, "--verify", "AAAA")
    assert result.exit_code == 1
    assert result.stdout.strip() == RFC_ACCEPT
    assert "does not match" in result.stderr
    explained = run_cli("ws-accept", RFC_KEY, "--verify", "AAAA", "--explain")
    assert explained.exit_code == 1
    assert "MISMATCH" in explained.stdout


@pytest.mark.parametrize(
    ("key", "why", "key_bytes"),
    [("abc", "not base64", None), ("YWJj", "3 bytes", 3), ("dGhlIHNhbXBsZSBub25jZR==", "bits", 16)],
)
def test_invalid_key_still_gets_its_accept_and_exit_1(
    key: str, why: str, key_bytes: int | None
) -> None:
    result = run_cli("ws-accept", key)
    assert result.exit_code == 1
    assert result.stdout.strip() == accept_key(key)
    assert why in result.stderr
    document = run_json("ws-accept", key, code=1)
    assert document["key_valid"] is False
    assert document["key_bytes"] == key_bytes
    assert document["accept"] == accept_key(key)
    explained = run_cli("ws-accept", key, "--explain", "--no-color")
    assert "invalid key" in explained.stdout
    assert why in explained.stdout


def test_key_from_request_file_and_stdin() -> None:
    assert run_json("ws-accept", "--request", str(REQUEST))["accept"] == RFC_ACCEPT
    result = run_cli("ws-accept", "--request", "-", input=REQUEST.read_bytes())
    assert result.exit_code == 0
    assert result.stdout.strip() == RFC_ACCEPT


def test_request_without_key_is_exit_2() -> None:
    result = run_cli("ws-accept", "--request", "-", input=b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: the request has no Sec-WebSocket-Key")


def test_request_that_is_not_http_is_exit_2() -> None:
    result = run_cli("ws-accept", "--request", "-", input=b"hello there")
    assert result.exit_code == 2
    assert "Error: the request is not an HTTP/1.x message" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_request_file_is_a_usage_error() -> None:
    result = run_cli("ws-accept", "--request", "/no/such/file")
    assert result.exit_code == 2
    assert "/no/such/file" in result.stderr


def test_generate() -> None:
    document = run_json("ws-accept", "--generate")
    assert document["key_valid"] is True
    assert len(base64.b64decode(document["key"])) == 16
    assert document["accept"] == accept_key(document["key"])
    other = run_json("ws-accept", "--generate")
    assert other["key"] != document["key"]
    result = run_cli("ws-accept", "--generate")
    key, accept = result.stdout.split()
    assert accept == accept_key(key)


@pytest.mark.parametrize(
    "args",
    [
        ("ws-accept", RFC_KEY, "--generate"),
        ("ws-accept", RFC_KEY, "--request", str(REQUEST)),
        ("ws-accept", "--generate", "--request", str(REQUEST)),
    ],
)
def test_conflicting_sources_are_usage_errors(args: tuple[str, ...]) -> None:
    result = run_cli(*args)
    assert result.exit_code == 2
    assert "give one of KEY, --request or --generate" in result.stderr


def test_empty_key_is_a_usage_error() -> None:
    result = run_cli("ws-accept", "-", input="\n")
    assert result.exit_code == 2
    assert "empty" in result.stderr


def test_control_characters_in_a_key_are_escaped() -> None:
    result = run_cli("ws-accept", "ab\x1b[31mcd", "--explain")
    assert result.exit_code == 1
    assert "\x1b[31m" not in result.stdout
    assert "\\x1b" in result.stdout


# -- check-handshake --------------------------------------------------------------------------


def test_valid_sample_handshake() -> None:
    result = run_cli("check-handshake", str(REQUEST), str(RESPONSE), "--no-color")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "valid: 22 of 22 checks pass"
    assert "request-method" not in result.stdout  # piped: the passing rows only with --all
    listed = run_cli("check-handshake", str(REQUEST), str(RESPONSE), "--all")
    assert listed.stdout.splitlines()[0] == "valid: 22 of 22 checks pass"
    assert "FAIL" not in listed.stdout
    assert "request-method" in listed.stdout
    assert "RFC 6455 §4.1" in listed.stdout


def test_json_document() -> None:
    document = run_json("check-handshake", str(REQUEST), str(RESPONSE))
    assert document["valid"] is True
    assert document["expected_accept"] == RFC_ACCEPT
    assert document["subprotocol"] == "chat"
    assert document["extensions"] == [
        {
            "name": "permessage-deflate",
            "params": [["server_max_window_bits", "10"], ["client_max_window_bits", "10"]],
            "header": "permessage-deflate; server_max_window_bits=10; client_max_window_bits=10",
        }
    ]
    assert document["deflate"]["server_max_window_bits"] == 10
    assert {"id", "ok", "rfc", "message"} <= set(document["checks"][0])
    assert len(document["checks"]) == 22


def test_request_only() -> None:
    document = run_json("check-handshake", str(REQUEST))
    assert document["valid"] is True
    assert document["subprotocol"] is None
    assert document["extensions"] == []
    assert document["request"]["subprotocols"] == ["chat", "superchat"]
    assert document["expected_accept"] == RFC_ACCEPT


RESPONSE_CHECKS = {
    "response-version",
    "response-status",
    "response-upgrade",
    "response-connection",
    "accept",
    "subprotocol-offered",
    "extensions-offered",
    "deflate-params",
}


def test_response_on_stdin() -> None:
    result = run_cli("check-handshake", str(REQUEST), "-", "--json", input=RESPONSE.read_bytes())
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["has_response"] is True
    assert document["status_code"] == 101
    assert document["accept"] == accept_key(RFC_KEY) == RFC_ACCEPT
    checks = {check["id"]: check["ok"] for check in document["checks"]}
    assert checks.keys() >= RESPONSE_CHECKS
    assert all(checks[name] for name in RESPONSE_CHECKS)


def test_bad_response_on_stdin_exit_1() -> None:
    result = run_cli(
        "check-handshake", str(REQUEST), "-", "--json", input=BAD_RESPONSE.read_bytes()
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["has_response"] is True
    assert document["valid"] is False
    checks = {check["id"]: check["ok"] for check in document["checks"]}
    assert checks["accept"] is False
    assert document["accept"] != accept_key(RFC_KEY)


def test_request_and_response_in_one_stdin_capture() -> None:
    capture = REQUEST.read_bytes() + RESPONSE.read_bytes()
    document = run_json("check-handshake", "-", input=capture)
    assert document["has_response"] is True
    assert [note["id"] for note in document["notes"]] == ["response-after-request"]


def test_failing_handshake_exit_1_names_the_failures() -> None:
    result = run_cli("check-handshake", str(REQUEST), str(BAD_RESPONSE), "--no-color")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "invalid: 4 of 22 checks fail: response-connection, accept, subprotocol-offered, "
        "deflate-params"
    )
    failing = [line.split()[1] for line in lines if line.lstrip().startswith("FAIL")]
    assert failing == ["response-connection", "accept", "subprotocol-offered", "deflate-params"]
    assert not any(line.lstrip().startswith("ok ") for line in lines)
    assert "18 passing checks not listed (--all lists them)" in lines
    assert "bare LF" in result.stdout
    document = run_json("check-handshake", str(REQUEST), str(BAD_RESPONSE), code=1)
    assert document["valid"] is False
    assert document["failed"] == [
        "response-connection",
        "accept",
        "subprotocol-offered",
        "deflate-params",
    ]
    assert [note["id"] for note in document["notes"]] == ["response-line-endings"]


def test_not_http_is_exit_2() -> None:
    result = run_cli("check-handshake", "-", input=b"\x16\x03\x01 binary TLS hello")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: the request is not an HTTP/1.x message")


def test_response_not_http_is_exit_2() -> None:
    result = run_cli("check-handshake", str(REQUEST), "-", input=b"nope")
    assert result.exit_code == 2
    assert "the response is not an HTTP/1.x message" in result.stderr


def test_both_from_stdin_is_a_usage_error() -> None:
    result = run_cli("check-handshake", "-", "-")
    assert result.exit_code == 2
    assert "only one of REQUEST and RESPONSE" in result.stderr


def test_missing_file_is_a_usage_error() -> None:
    result = run_cli("check-handshake", "/no/such/request")
    assert result.exit_code == 2
    assert "/no/such/request" in result.stderr


def test_hostile_header_values_are_escaped(tmp_path: Path) -> None:
    request = REQUEST.read_bytes().replace(
        b"Sec-WebSocket-Protocol: chat, superchat",
        b"Sec-WebSocket-Protocol: chat\x1b]0;pwned\x07, \xe2\x80\xae",
    )
    path = tmp_path / "request.http"
    path.write_bytes(request)
    result = run_cli("check-handshake", str(path))
    assert result.exit_code == 1
    assert "\x1b]0;" not in result.stdout
    assert "\x07" not in result.stdout
    assert "protocol-syntax" in result.stdout


def test_terminal_gets_every_step_without_explain(monkeypatch: pytest.MonkeyPatch) -> None:
    import flaskscope.commands.handshake as module

    monkeypatch.setattr(module, "stdout_is_terminal", lambda: True)
    result = run_cli("ws-accept", RFC_KEY, env={"NO_COLOR": "1"})
    assert result.exit_code == 0
    assert "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" in result.stdout
    assert "b37a4f2cc0624f1690f64606cf385945b2bec4ea" in result.stdout
    assert "\x1b[" not in result.stdout


def test_no_key_at_a_terminal_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import flaskscope.commands.handshake as module

    monkeypatch.setattr(module, "stdin_is_terminal", lambda: True)
    result = run_cli("ws-accept")
    assert result.exit_code == 2
    assert "no key given" in result.stderr


def test_expected_origin_option(tmp_path: Path) -> None:
    request = tmp_path / "request.http"
    request.write_bytes(
        b"GET /chat HTTP/1.1\r\nHost: chat.example.com\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\nOrigin: https://evil.example\r\n"
        b"User-Agent: Mozilla/5.0\r\n\r\n"
    )
    assert run_cli("check-handshake", str(request)).exit_code == 0
    wrong = run_cli(
        "check-handshake", str(request), "--expected-origin", "https://chat.example.com"
    )
    assert wrong.exit_code == 1
    assert "origin" in wrong.stdout
    right = run_cli(
        "check-handshake", str(request), "--expected-origin", "https://evil.example:443"
    )
    assert right.exit_code == 0
    bad = run_cli("check-handshake", str(request), "--expected-origin", "chat.example.com")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("Error: ")
