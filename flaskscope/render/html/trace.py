"""``trace --html``: each request's events as a numbered list, the mistakes linked to the
event where they happened.

The event lines are the terminal's (:func:`flaskscope.render.trace.event_summary`); they
quote the app (session values, headers, exception messages), so they go in as plain text,
with controls and bidi overrides made visible, for the templates to escape.
"""

from __future__ import annotations

from flaskscope.appinspect.model import Trace
from flaskscope.render.html.model import Report, SummaryItem, TraceEventRow, TraceSection
from flaskscope.render.html.text import visible
from flaskscope.render.trace import event_summary, trace_verdict

__all__ = ["trace_report"]


def _anchor(seq: int) -> str:
    return f"event-{seq}"


def trace_report(trace: Trace, *, command: str) -> Report:
    """The page: the verdict and counts on top, then one section per request."""
    sections = []
    mistaken = {mistake.seq for mistake in trace.mistakes}
    for number, request in enumerate(trace.requests, start=1):
        status = "exception" if request.status is None else str(request.status)
        failed = request.status is None or bool(request.mistakes)
        sections.append(
            TraceSection(
                anchor=f"request-{number}",
                title=visible(f"{request.spec.method} {request.spec.path} -> {status}"),
                status=status,
                tone="bad" if failed else "ok",
                events=tuple(
                    TraceEventRow(
                        anchor=_anchor(event.seq),
                        seq=event.seq,
                        kind=event.kind,
                        name=visible(event.name),
                        summary=visible(event_summary(event)),
                        mistake=event.kind == "mistake" or event.seq in mistaken,
                    )
                    for event in request.events
                ),
                mistakes=tuple(
                    (
                        mistake.id,
                        visible(mistake.message),
                        visible(mistake.fix),
                        _anchor(mistake.seq),
                    )
                    for mistake in request.mistakes
                ),
                cookies_after=tuple(
                    (visible(name), visible(value)) for name, value in request.cookies_after.items()
                ),
            )
        )
    exceptions = sum(1 for request in trace.requests if request.status is None)
    summary = (
        SummaryItem("app", visible(trace.app_name)),
        SummaryItem("session interface", visible(trace.session_interface)),
        SummaryItem("base URL", visible(trace.base_url)),
        SummaryItem("requests", str(len(trace.requests))),
        SummaryItem("events", str(len(trace.events))),
        SummaryItem("mistakes", str(len(trace.mistakes)), "bad" if trace.mistakes else "ok"),
        SummaryItem("exceptions", str(exceptions), "bad" if exceptions else "ok"),
    )
    return Report(
        title=f"Trace: {visible(trace.app_name)}",
        command=command,
        verdict=trace_verdict(trace),
        tone="bad" if trace.mistakes or exceptions else "ok",
        summary=summary,
        sections=tuple(sections),
    )
