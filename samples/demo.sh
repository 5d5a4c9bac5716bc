#!/usr/bin/env bash
# `make demo`: run the commands on the bundled sample inputs (with .venv/bin on PATH).
set -u
cd "$(dirname "$0")"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; echo "(exit $?)"; }
step flaskscope --version
