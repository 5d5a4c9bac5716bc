#!/usr/bin/env bash
# Sourced by demo.sh (uses its `step`): decode-cookie --store against a throwaway redis-server
# on a free loopback port, loaded with sample values made by a real Flask-Session app.
# Skipped, with the reason, when redis-server or redis-cli is not installed.
if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
  echo "(no redis-server/redis-cli here: skipping the --store demo; see scripts/system-deps.sh)"
  return 0 2>/dev/null || exit 0
fi
redis_dir=$(mktemp -d)
redis_port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$redis_dir" --save '' --appendonly no \
  --daemonize yes --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log"
for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
store="redis://127.0.0.1:$redis_port/0"
sid=$(tr -d '\n' < flask-session-cookie.txt)
legacy_sid=LegacyPickleSessionFromFlaskSession05xxxxxxx
redis-cli -p "$redis_port" -x SET "session:$sid" < flask-session-value.msgpack >/dev/null
redis-cli -p "$redis_port" EXPIRE "session:$sid" 2678400 >/dev/null
redis-cli -p "$redis_port" -x SET "session:$legacy_sid" < flask-session-legacy-pickle.bin >/dev/null
rm -f /tmp/flaskscope-demo-pwned
step flaskscope decode-cookie --file flask-session-cookie.txt --store "$store"
# A legacy pickle that would create /tmp/flaskscope-demo-pwned if it were unpickled:
step flaskscope decode-cookie "$legacy_sid" --store "$store" --no-color
# ... and both as HTML reports (docs/reports.md), written to reports/
step flaskscope decode-cookie --file flask-session-cookie.txt --store "$store" --html ../reports/flask-session.html
step flaskscope decode-cookie "$legacy_sid" --store "$store" --html ../reports/flask-session-legacy-pickle.html
if [ -e /tmp/flaskscope-demo-pwned ]; then echo "the pickle RAN"; else echo "the pickle did not run: /tmp/flaskscope-demo-pwned does not exist"; fi
# After logout (Flask-Session deletes the key) the session is gone: exit 1
redis-cli -p "$redis_port" DEL "session:$sid" >/dev/null
step flaskscope decode-cookie --file flask-session-cookie.txt --store "$store" --json
kill "$(cat "$redis_dir/redis.pid")" 2>/dev/null
sleep 0.2
rm -rf "$redis_dir"
# Nobody listens there any more: one clear error line, exit 2
step flaskscope decode-cookie --file flask-session-cookie.txt --store "$store" --timeout 1
