#!/usr/bin/env bash
# `make demo`: run the commands on the bundled sample inputs (with .venv/bin on PATH).
set -u
cd "$(dirname "$0")"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; echo "(exit $?)"; }
step flaskscope --version
# Flask session cookies (cookie.txt was made by real Flask: see make_samples.py). The sample was
# signed on 2025-06-01, so --now judges it then; the wrong key exits 1 on purpose.
step flaskscope decode-cookie --file cookie.txt
step flaskscope decode-cookie --file cookie-request.http --secret-key-file cookie-secret-key.txt --now 2025-06-01T12:05:00Z
step flaskscope decode-cookie --file cookie.txt -k not-the-key --now 2025-06-01T12:05:00Z
step flaskscope decode-cookie --file cookie-response.http --secret-key-file cookie-secret-key.txt --now 2025-06-01T12:05:00Z --json
step flaskscope sign-cookie --file cookie-session.json --secret-key-file cookie-secret-key.txt --timestamp 2025-06-01T12:00:00Z
step flaskscope decode-cookie -k demo "$(flaskscope sign-cookie '{"user_id": 1, "roles": {" t": ["admin"]}}' -k demo)"
# Your app's own configuration (demo_shop_app.py: its own salt, SHA-512 and a Decimal tag;
# demo-shop-cookie.txt made by it, see make_app_samples.py): --app, or `flask scope` inside
# Flask's CLI. Another app's cookie exits 1 and an app string naming nothing exits 2, on purpose.
step flaskscope decode-cookie --app demo_shop_app --file demo-shop-cookie.txt --now 2025-06-01T12:05:00Z
step flask --app demo_shop_app scope decode-cookie --file demo-shop-cookie.txt --now 2025-06-01T12:05:00Z --json
step flaskscope decode-cookie --app demo_shop_app "$(flaskscope sign-cookie --app demo_shop_app '{"cart": {"tea": {" dec": "4.20"}}}')"
step flaskscope decode-cookie --app demo_shop_app --file cookie.txt --now 2025-06-01T12:05:00Z
step flaskscope decode-cookie --app 'demo_shop_app:create_app()' --file demo-shop-cookie.txt
# WebSocket handshakes (RFC 6455 §1.3 example; the bad response exits 1 on purpose)
step flaskscope ws-accept dGhlIHNhbXBsZSBub25jZQ== --explain
step flaskscope ws-accept --request handshake-request.http --verify s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
step flaskscope check-handshake handshake-request.http handshake-response.http
step flaskscope check-handshake handshake-request.http handshake-response-bad.http
# WebSocket frames: RFC 6455 §5.7 examples, frames sent by a wsproto client, permessage-deflate
# from websockets (parameters from the 101 response), a build -> parse pipe; the broken frames
# and the deflate bomb exit 1 on purpose (see frames_make_samples.py for how they were made)
step flaskscope parse-frame 81 85 37 fa 21 3d 7f 9f 4d 51 58
step flaskscope parse-frame --hex --file frames-rfc.hex
step flaskscope parse-frame --file frames-client.bin --max-bytes 32
step flaskscope parse-frame --file frames-deflate.bin --handshake frames-handshake-response.http --max-bytes 64
step flaskscope parse-frame --file frames-capture.bin --max-bytes 48
step flaskscope parse-frame --hex --file frames-bad.hex
step flaskscope parse-frame --file frames-bomb.bin --deflate --max-message-size 1048576 --summary
step flaskscope build-frame --text Hello --mask-key 37fa213d
step sh -c 'flaskscope build-frame --text "Hello, fragmented world" --fragment 3 --mask | flaskscope parse-frame --summary'
step flaskscope parse-frame --file frames-client.bin --max-frames 2 --max-bytes 16
# Whole captures (made by scan_make_samples.py): a pcap with an HTTP exchange setting a session
# cookie and WebSocket conversations, a HAR with cookies, a capture with a lost segment; the
# audit finds the weak key and the broken capture exits 1, on purpose.
step flaskscope scan scan-websocket.pcap --secret-key-file cookie-secret-key.txt
step flaskscope scan scan-cookies.har --only cookies
step flaskscope scan scan-websocket.pcap --audit --wordlist scan-wordlist.txt --only cookies
step flaskscope scan scan-broken.pcap --summary
step sh -c 'printf "" | flaskscope parse-frame -'
# Application protocols inside the messages (docs/subprotocols.md): Flask-SocketIO's side of a
# talk with python-socketio, a GraphQL subscription, STOMP and Socket.IO broken on purpose (these
# two exit 1 on purpose); samples made by real peers in subprotocols_make_samples.py
step flaskscope parse-frame --file socketio-server.bin --messages-only
step flaskscope parse-frame --file graphql-client.bin --messages-only
step flaskscope parse-frame --file stomp-client.bin --messages-only
step flaskscope parse-frame --file socketio-bad.bin --messages-only
step sh -c 'flaskscope build-frame --socketio-event chat --args "[{\"msg\": \"hi\"}]" --ack-id 1 --mask | flaskscope parse-frame --messages-only'
# Weak-secret audit (the audit-*.txt cookies were made by real Flask; a found key exits 1 on
# purpose, the strong key exits 0, and the --hashcat line is what hashcat -m 29100 loads)
step flaskscope audit-secret --file audit-weak-cookie.txt
step flaskscope audit-secret --file audit-company-cookie.txt --wordlist audit-wordlist.txt --json
step flaskscope audit-secret --file audit-strong-cookie.txt --wordlist audit-wordlist.txt
step flaskscope audit-secret --file audit-weak-cookie.txt --hashcat
# HTML reports (docs/reports.md): one self-contained page each, written to reports/ (not
# tracked); open them in a browser. The bad frames, the bad handshake, the weak app's doctor
# report, the trace of the shop's classic mistake and the forged Flask-Session id exit 1 on
# purpose.
mkdir -p ../reports
step flaskscope parse-frame --file frames-deflate.bin --handshake frames-handshake-response.http --summary --html ../reports/frames-deflate.html
step flaskscope parse-frame --hex --file frames-bad.hex --summary --html ../reports/frames-bad.html
step flaskscope decode-cookie --file cookie-request.http --secret-key-file cookie-secret-key.txt --now 2025-06-01T12:05:00Z --html ../reports/cookie.html
step flaskscope check-handshake handshake-request.http handshake-response-bad.http --html ../reports/handshake-bad.html
step flaskscope doctor --app doctor_weak_app.py --html ../reports/doctor.html
step flaskscope trace --app trace_app.py --html ../reports/trace.html POST /login --data user=ada -- POST /cart/add --data item=pear -- GET /cart
step flaskscope decode-cookie --file flask-session-signed-cookie.txt -k not-the-key --html ../reports/flask-session-forged.html
# Server-side sessions (Flask-Session; the flask-session-* samples were made by a real Flask-Session
# app): the cookie is only an id; a wrong key for a signed id exits 1 on purpose
step flaskscope decode-cookie --file flask-session-cookie.txt
step flaskscope decode-cookie --file flask-session-signed-cookie.txt -k demo-secret-key
step flaskscope decode-cookie --file flask-session-signed-cookie.txt -k not-the-key
# ... and the stored session in a throwaway redis-server (legacy pickle never unpickled)
. ./server-session-demo.sh
