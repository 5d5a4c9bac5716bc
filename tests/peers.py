"""Real peers that cookie tests and benchmarks share: Flask setting a cookie, hashcat cracking.

The benchmarks import this too (``bench/bench_audit.py``), so a test and a benchmark run the
same peer the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface

from flaskscope.audit.hashcat import HASHCAT_MODE


def flask_cookie(
    secret_key: str | bytes,
    data: dict[str, Any] | None = None,
    *,
    salt: str | None = None,
) -> str:
    """A session cookie as a real Flask app sets it (``salt`` through a session interface)."""
    app = Flask(__name__)
    app.secret_key = secret_key
    if salt is not None:

        class SaltedInterface(SecureCookieSessionInterface):
            pass

        SaltedInterface.salt = salt
        app.session_interface = SaltedInterface()

    @app.route("/")
    def index() -> str:
        session.update(data or {"user": "alice", "admin": False})
        return "ok"

    client = app.test_client()
    client.get("/")
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def hashcat_crack_command(
    hashcat: str, hash_file: Path, wordlist: Path, out_file: Path, *, session_name: str
) -> list[str]:
    """hashcat mode 29100, straight attack on the CPU (``-D 1``, pocl), the cracked key alone
    (``--outfile-format 2``) in ``out_file``; no potfile, so every run cracks afresh."""
    return [
        hashcat,
        "-m",
        str(HASHCAT_MODE),
        "-a",
        "0",
        "-D",
        "1",
        "--potfile-disable",
        "--session",
        session_name,
        "--outfile",
        str(out_file),
        "--outfile-format",
        "2",
        str(hash_file),
        str(wordlist),
    ]
