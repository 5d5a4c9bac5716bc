"""Signals and request hooks installed for one traced request, and removed afterwards.

Order of the hook chains (``flask/app.py``): ``preprocess_request`` runs the app's
``before_request`` functions, then each blueprint's (outermost first); ``process_response``
and ``do_teardown_request`` run each blueprint's functions (innermost first), then the app's,
each list in reverse registration order. So the probe puts a "first" function at the start of
the app's before list and a "last" one at the end of every list, and each of those only
speaks when it is at the chain's real edge for this request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from flaskscope.appinspect.model import describe_value
from flaskscope.appinspect.recorder import Recorder, session_diff, snapshot

__all__ = ["SIGNAL_NAMES", "instrumented"]

SIGNAL_NAMES = (
    "appcontext_pushed",
    "request_started",
    "before_render_template",
    "template_rendered",
    "message_flashed",
    "got_request_exception",
    "request_finished",
    "request_tearing_down",
    "appcontext_tearing_down",
    "appcontext_popped",
)
"""Flask's blinker signals (``flask.signals``), all recorded at their place."""


def _function_name(function: Callable[..., Any]) -> str:
    module = getattr(function, "__module__", None) or "?"
    name = getattr(function, "__qualname__", None) or repr(function)
    return f"{module}.{name}"


class RequestHooks:
    """The probe's hook functions for one request, and what they saw."""

    def __init__(self, app: Any, recorder: Recorder) -> None:
        self.app = app
        self.recorder = recorder
        self.view_started = False
        self.before_view: dict[str, Any] | None = None
        self.after_start: dict[str, Any] | None = None
        self.ours: set[int] = set()

    def _named(self, funcs: dict[Any, list[Any]], chain: list[Any]) -> list[str]:
        return [
            f"{key or 'app'}: {_function_name(function)}"
            for key in chain
            for function in funcs.get(key, [])
            if id(function) not in self.ours
        ]

    def before_first(self) -> None:
        from flask import request

        rule = request.url_rule
        self.recorder.add(
            "view",
            "routing",
            endpoint=request.endpoint,
            rule=None if rule is None else str(rule),
            view_args={k: describe_value(v) for k, v in (request.view_args or {}).items()},
            routing_error=None
            if request.routing_exception is None
            else describe_value(request.routing_exception),
        )
        chain = [None, *reversed(request.blueprints)]
        names = self._named(self.app.before_request_funcs, chain)
        self.recorder.add("hook", "before_request", functions=names)

    def before_last(self, key: str | None) -> None:
        from flask import request, session

        if key != ([None, *reversed(request.blueprints)])[-1]:
            return
        self.view_started = True
        self.before_view = snapshot(session)
        function = self.app.view_functions.get(request.endpoint) if request.endpoint else None
        self.recorder.add(
            "view",
            "view called",
            endpoint=request.endpoint,
            function=None if function is None else _function_name(function),
        )

    def after_first(self, key: str | None, response: Any) -> Any:
        from flask import request, session

        chain = [*request.blueprints, None]
        if key != chain[0]:
            return response
        if self.view_started:
            diff = session_diff(self.before_view, snapshot(session))
            self.recorder.add(
                "view",
                "view returned",
                status=response.status_code,
                mimetype=response.mimetype,
                streamed=bool(response.is_streamed),
                session_changes=diff.as_json(),
                modified=bool(getattr(session, "modified", False)),
                permanent=bool(getattr(session, "permanent", False)),
            )
        elif request.routing_exception is None:
            self.recorder.add(
                "hook",
                "before_request returned a response",
                status=response.status_code,
                note="a before_request function returned a response, so the view did not run",
            )
        else:
            self.recorder.add("view", "routing failed", status=response.status_code)
        self.recorder.add(
            "hook", "after_request", functions=self._named(self.app.after_request_funcs, chain)
        )
        self.after_start = snapshot(session)
        return response

    def after_last(self, response: Any) -> Any:
        from flask import session

        diff = session_diff(self.after_start, snapshot(session))
        if not diff.empty:
            self.recorder.add(
                "session", "changed by after_request functions", changes=diff.as_json()
            )
        return response

    def teardown_first(self, key: str | None, error: BaseException | None) -> None:
        from flask import request

        chain = [*request.blueprints, None]
        if key != chain[0]:
            return
        self.recorder.add(
            "hook",
            "teardown_request",
            functions=self._named(self.app.teardown_request_funcs, chain),
            error=None if error is None else describe_value(error),
        )


@contextlib.contextmanager
def instrumented(app: Any, recorder: Recorder) -> Iterator[RequestHooks]:
    """Signals connected and hook functions registered for one request; all removed after."""
    import flask.signals

    hooks = RequestHooks(app, recorder)
    added: list[tuple[dict[Any, list[Any]], Any, Any]] = []

    def put(funcs: dict[Any, list[Any]], key: Any, function: Any, *, first: bool) -> None:
        existed = key in funcs
        target = funcs.setdefault(key, [])
        if first:
            target.insert(0, function)
        else:
            target.append(function)
        hooks.ours.add(id(function))
        added.append((funcs, key, (function, existed)))

    keys: list[Any] = [None, *app.blueprints]
    put(app.before_request_funcs, None, hooks.before_first, first=True)
    put(app.after_request_funcs, None, hooks.after_last, first=True)
    for key in keys:
        put(app.before_request_funcs, key, _bind(hooks.before_last, key), first=False)
        put(app.after_request_funcs, key, _bind_response(hooks.after_first, key), first=False)
        put(app.teardown_request_funcs, key, _bind_teardown(hooks.teardown_first, key), first=False)

    receivers = []
    for name in SIGNAL_NAMES:
        signal = getattr(flask.signals, name, None)
        if signal is None:
            continue
        receiver = _signal_receiver(recorder, name)
        signal.connect(receiver, sender=app, weak=False)
        receivers.append((signal, receiver))
    try:
        yield hooks
    finally:
        for signal, receiver in receivers:
            signal.disconnect(receiver)  # from every sender: the receiver is ours alone
        for funcs, key, (function, existed) in reversed(added):
            functions = funcs.get(key, [])
            for index, present in enumerate(functions):
                if present is function:
                    del functions[index]
                    break
            if not existed and not functions:
                funcs.pop(key, None)


def _bind(method: Callable[[Any], None], key: Any) -> Callable[[], None]:
    def before_request_probe() -> None:
        method(key)

    return before_request_probe


def _bind_response(method: Callable[[Any, Any], Any], key: Any) -> Callable[[Any], Any]:
    def after_request_probe(response: Any) -> Any:
        return method(key, response)

    return after_request_probe


def _bind_teardown(
    method: Callable[[Any, BaseException | None], None], key: Any
) -> Callable[[BaseException | None], None]:
    def teardown_request_probe(error: BaseException | None) -> None:
        method(key, error)

    return teardown_request_probe


_CONTEXT_EVENTS = {
    "appcontext_pushed": ("before", "app context pushed"),
    "request_tearing_down": ("after", "request context popped"),
    "appcontext_popped": ("after", "app context popped"),
}


def _signal_receiver(recorder: Recorder, name: str) -> Callable[..., None]:
    def receive(sender: Any, **extra: Any) -> None:
        context = _CONTEXT_EVENTS.get(name)
        if context is not None and context[0] == "before":
            recorder.add("context", context[1])
        recorder.add("signal", name, **_signal_detail(name, extra))
        if context is not None and context[0] == "after":
            recorder.add("context", context[1])

    return receive


def _signal_detail(name: str, extra: dict[str, Any]) -> dict[str, Any]:
    detail: dict[str, Any] = {}
    template = extra.get("template")
    if template is not None:
        detail["template"] = getattr(template, "name", None) or "(from a string)"
    if "message" in extra:
        detail["message"] = describe_value(extra["message"])
        detail["category"] = describe_value(extra.get("category"))
    if extra.get("exception") is not None:
        detail["exception"] = describe_value(extra["exception"])
    response = extra.get("response")
    if response is not None:
        detail["status"] = getattr(response, "status_code", None)
    return detail
