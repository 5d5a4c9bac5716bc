"""Counts over a whole scan, kept as connections stream by (the summary printed first)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flaskscope.scan.model import ConnectionReport, CookieFinding

__all__ = ["ScanTotals"]


@dataclass
class ScanTotals:
    packets: int = 0
    connections: dict[str, int] = field(default_factory=dict)
    """Connections per kind."""
    began_before_capture: int = 0
    exchanges: int = 0
    websocket_connections: int = 0
    websocket_with_violations: int = 0
    handshake_failures: int = 0
    frames: int = 0
    messages: int = 0
    violations: dict[str, int] = field(default_factory=dict)
    gaps: int = 0
    gap_bytes: int = 0
    cookies: dict[str, int] = field(default_factory=dict)
    """Distinct cookies per verdict."""
    weak_keys: int = 0
    invalid_connections: int = 0

    def add(self, report: ConnectionReport) -> None:
        self.connections[report.kind] = self.connections.get(report.kind, 0) + 1
        self.began_before_capture += report.began_before_capture
        self.exchanges += len(report.exchanges)
        if report.kind == "websocket":
            self.websocket_connections += 1
            self.websocket_with_violations += bool(report.violation_counts)
            for summary in report.summaries.values():
                self.frames += sum(summary.frames.values())
                self.messages += sum(summary.messages.values())
            if not report.summaries:
                self.messages += len(report.messages) + report.messages_omitted
        if report.handshake is not None and not report.handshake.valid:
            self.handshake_failures += 1
        for code, count in report.violation_counts.items():
            self.violations[code] = self.violations.get(code, 0) + count
        self.gaps += len(report.gaps) + report.gaps_omitted
        self.gap_bytes += sum(gap.size for gap in report.gaps) + report.gap_bytes_omitted
        self.invalid_connections += not report.ok

    def add_cookies(self, cookies: list[CookieFinding]) -> None:
        for cookie in cookies:
            self.cookies[cookie.verdict] = self.cookies.get(cookie.verdict, 0) + 1
            self.weak_keys += cookie.weak_key is not None

    @property
    def bad_cookies(self) -> int:
        return (
            sum(
                count
                for verdict, count in self.cookies.items()
                if verdict not in ("valid", "unverified", "server-session")
            )
            + self.weak_keys
        )

    @property
    def ok(self) -> bool:
        return not self.invalid_connections and not self.bad_cookies

    def to_json(self) -> dict[str, object]:
        return {
            "packets": self.packets,
            "connections": {"total": sum(self.connections.values()), **self.connections},
            "began_before_capture": self.began_before_capture,
            "http_exchanges": self.exchanges,
            "websocket": {
                "connections": self.websocket_connections,
                "with_violations": self.websocket_with_violations,
                "handshake_failures": self.handshake_failures,
                "frames": self.frames,
                "messages": self.messages,
                "violations": {"total": sum(self.violations.values()), **self.violations},
            },
            "gaps": {"count": self.gaps, "bytes": self.gap_bytes},
            "cookies": {"total": sum(self.cookies.values()), **self.cookies},
            "weak_keys": self.weak_keys,
        }
