"""Cookie settings that browsers refuse, one route per mistake (configured by factory)."""

from __future__ import annotations

import hashlib

from flask import Flask, Response, session, stream_with_context


def create_app(**config: object) -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "trace-cookie-mistakes-secret-0123456789"
    app.config.update(config)

    @app.get("/login")
    def login() -> str:
        session["user"] = "ada"
        return "ok"

    @app.get("/big")
    def big() -> str:
        # Hex digests barely compress: the signed cookie ends up over the 4 KB a browser keeps.
        session["blob"] = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(120))
        return "big"

    @app.get("/nearly-big")
    def nearly_big() -> str:
        session["blob"] = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(80))
        return "nearly"

    @app.get("/stream")
    def stream() -> Response:
        def body():  # type: ignore[no-untyped-def]
            yield "part one\n"
            session["streamed"] = "too late"  # after the headers went out
            yield "part two\n"

        return Response(stream_with_context(body()))

    @app.get("/stream-bare")
    def stream_bare() -> Response:
        def body():  # type: ignore[no-untyped-def]
            yield "part one\n"
            session["streamed"] = "no context"  # without stream_with_context: RuntimeError
            yield "part two\n"

        return Response(body())

    @app.get("/seen")
    def seen() -> str:
        return repr(sorted(session.items()))

    @app.get("/logout")
    def logout() -> str:
        session.clear()
        return "bye"

    return app


app = create_app()
