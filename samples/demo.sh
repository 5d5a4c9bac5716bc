#!/usr/bin/env bash
# `make demo`: run the commands on the bundled sample inputs (with .venv/bin on PATH).
set -u
cd "$(dirname "$0")"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; echo "(exit $?)"; }
step flaskscope --version
# WebSocket handshakes (RFC 6455 §1.3 example; the bad response exits 1 on purpose)
step flaskscope ws-accept dGhlIHNhbXBsZSBub25jZQ== --explain
step flaskscope ws-accept --request handshake-request.http --verify s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
step flaskscope check-handshake handshake-request.http handshake-response.http
step flaskscope check-handshake handshake-request.http handshake-response-bad.http
