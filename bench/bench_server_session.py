"""Server-side sessions: flaskscope against Flask-Session itself and redis-cli, one run.

1. Wall time per process (what a user pays at the shell), ``RUNS`` interleaved runs, medians:
   ``flaskscope decode-cookie ID --store URL`` (JSON and plain report), the peer
   (a ``python -c`` that loads the same session with Flask-Session's own
   ``RedisSessionInterface``), ``redis-cli GET`` (the floor for fetching) and ``python -c
   pass`` (the floor every Python tool pays), against a throwaway ``redis-server``.
2. In-process decoding of the same stored bytes: flaskscope's ``decode_stored_payload``
   against Flask-Session's ``MsgSpecSerializer.decode`` (msgpack), and flaskscope's safe
   ``view_pickle`` against ``pickle.loads`` (on a pickle this script made itself).
"""

from __future__ import annotations

import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

RUNS = int(os.environ.get("BENCH_RUNS", "15"))
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

SESSION = {
    "_permanent": True,
    "user": "ada",
    "roles": ["admin", "dev"],
    "cart": [{"sku": f"item-{n}", "qty": n} for n in range(20)],
}

PEER = """
import sys, warnings
warnings.simplefilter("ignore")
import redis
from flask import Flask
from flask_session.redis import RedisSessionInterface
app = Flask("peer")
interface = RedisSessionInterface(app, client=redis.Redis(port=int(sys.argv[1])))
print(interface._retrieve_session_data("session:" + sys.argv[2]))
"""


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def time_process(command: list[str]) -> float:
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({completed.returncode}): {completed.stderr!r}")
    return elapsed


def time_call(function: object, argument: bytes, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        function(argument)  # type: ignore[operator]
    return (time.perf_counter() - start) / repeat


def processes(port: int, session_id: str) -> None:
    url = f"redis://127.0.0.1:{port}/0"
    flaskscope = str(BIN / "flaskscope")
    commands = {
        "flaskscope decode-cookie --store --json": [
            flaskscope,
            "decode-cookie",
            f"session={session_id}",
            "--store",
            url,
            "--json",
        ],
        "flaskscope decode-cookie --store (plain)": [
            flaskscope,
            "decode-cookie",
            f"session={session_id}",
            "--store",
            url,
            "--no-color",
        ],
        "Flask-Session RedisSessionInterface (python -c)": [
            sys.executable,
            "-c",
            PEER,
            str(port),
            session_id,
        ],
        "redis-cli GET": ["redis-cli", "-p", str(port), "GET", f"session:{session_id}"],
        "python -c pass": [sys.executable, "-c", "pass"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(RUNS):
        for name, command in commands.items():
            samples[name].append(time_process(command))
    peer = median_ms(samples["Flask-Session RedisSessionInterface (python -c)"])
    print(f"wall time per process, median of {RUNS} interleaved runs:")
    for name, times in samples.items():
        print(f"  {name:<50} {median_ms(times):8.1f} ms  ({median_ms(times) / peer:.2f}x peer)")


def decoding() -> None:
    from flask import Flask
    from flask_session.base import MsgSpecSerializer, ServerSideSession

    from flaskscope.sessions.payload import decode_stored_payload
    from flaskscope.sessions.safe_pickle import view_pickle

    serializer = MsgSpecSerializer(app=Flask("bench"), format="msgpack")
    stored = serializer.encode(ServerSideSession(SESSION))
    big = pickle.dumps({f"key{n}": [n, str(n), {"n": n}] for n in range(1000)}, protocol=2)
    rows = [
        ("decode_stored_payload (msgpack)", time_call(decode_stored_payload, stored, 2000)),
        ("Flask-Session MsgSpecSerializer.decode", time_call(serializer.decode, stored, 2000)),
        ("view_pickle (1000-key pickle, safe)", time_call(view_pickle, big, 20)),
        ("pickle.loads (same, UNSAFE on store data)", time_call(pickle.loads, big, 20)),
    ]
    print("in-process decoding, mean per call:")
    for name, seconds in rows:
        print(f"  {name:<50} {seconds * 1e6:10.1f} us")
    print(f"  decode ratio flaskscope/Flask-Session: {rows[0][1] / rows[1][1]:.2f}x")
    print(
        f"  view_pickle/pickle.loads: {rows[2][1] / rows[3][1]:.1f}x (the price of not running it)"
    )


def main() -> int:
    warnings.simplefilter("ignore")
    from tests.redis_server import redis_server_binary, running_redis

    decoding()
    if redis_server_binary() is None or not (BIN / "flaskscope").exists():
        print("no redis-server or no flaskscope in this environment: process timings skipped")
        return 0
    import redis
    from flask_session.base import MsgSpecSerializer, ServerSideSession

    session_id = "BenchSessionId0123456789abcdefghijklmnopqrs"
    with tempfile.TemporaryDirectory() as directory, running_redis(Path(directory)) as server:
        from flask import Flask

        stored = MsgSpecSerializer(app=Flask("bench"), format="msgpack").encode(
            ServerSideSession(SESSION)
        )
        redis.Redis(port=server.port).set(f"session:{session_id}", stored, ex=3600)
        processes(server.port, session_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
