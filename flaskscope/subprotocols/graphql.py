"""GraphQL over WebSocket: ``graphql-transport-ws`` (the graphql-ws library's PROTOCOL.md)
and the legacy Apollo ``graphql-ws`` (subscriptions-transport-ws PROTOCOL.md).

Every message is a JSON object with a ``type``, and ``id``/``payload`` by type. The decoder
follows the connection: who may send which type, the connection_init / connection_ack
order, operation ids (a result for an id nobody subscribed to; a second subscribe with an id
in use), and pairs each result with the message that started its operation.
"""

from __future__ import annotations

import json

from flaskscope.frames.violations import Violation
from flaskscope.subprotocols.model import (
    CLIENT,
    SERVER,
    DecodedMessage,
    WireMessage,
    violation,
)

__all__ = ["LEGACY_TYPES", "TRANSPORT_TYPES", "GraphQLDecoder"]

BOTH = "both"

TRANSPORT_TYPES: dict[str, str] = {
    "connection_init": CLIENT,
    "connection_ack": SERVER,
    "ping": BOTH,
    "pong": BOTH,
    "subscribe": CLIENT,
    "next": SERVER,
    "error": SERVER,
    "complete": BOTH,
}
"""graphql-transport-ws §Message types: each type and who sends it."""

LEGACY_TYPES: dict[str, str] = {
    "connection_init": CLIENT,
    "start": CLIENT,
    "stop": CLIENT,
    "connection_terminate": CLIENT,
    "connection_ack": SERVER,
    "connection_error": SERVER,
    "ka": SERVER,
    "data": SERVER,
    "error": SERVER,
    "complete": SERVER,
}
"""subscriptions-transport-ws PROTOCOL.md: Client -> Server and Server -> Client types."""

STARTS = {"subscribe", "start"}
RESULTS = {"next", "data", "error", "complete"}

MAX_OPERATIONS = 100_000
"""Operation ids remembered per connection (the oldest are forgotten first)."""


class GraphQLDecoder:
    """One GraphQL-over-WebSocket connection, modern (``legacy=False``) or Apollo's."""

    def __init__(self, *, legacy: bool) -> None:
        self.legacy = legacy
        self.name = "graphql-ws" if legacy else "graphql-transport-ws"
        self.types = LEGACY_TYPES if legacy else TRANSPORT_TYPES
        self.operations: dict[str, int] = {}
        """Operation id -> the message that started it (still running)."""
        self.finished: set[str] = set()
        self.init_seen = False
        self.acknowledged = False
        self.directions: set[str] = set()

    def feed(self, wire: WireMessage) -> tuple[list[DecodedMessage], list[Violation]]:
        found: list[Violation] = []
        if wire.direction is not None:
            self.directions.add(wire.direction)
        decoded: dict[str, object] = {
            "type": None,
            "id": None,
            "payload": None,
            "operation_of": None,
        }
        bad_json = "graphql-bad-json"
        try:
            message = json.loads(wire.text())
        except (ValueError, RecursionError) as error:
            found.append(violation(bad_json, wire, f"message is not JSON ({error})"))
            return [self._plain(wire, decoded, "not JSON")], found
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            found.append(
                violation("graphql-bad-message", wire, "message is not an object with a type")
            )
            return [self._plain(wire, decoded, "no type")], found
        kind: str = message["type"]
        operation_id = message.get("id")
        payload = message.get("payload")
        decoded.update({"type": kind, "id": operation_id, "payload": payload})
        sender = self.types.get(kind)
        if sender is None:
            code = "graphql-ws-unknown-type" if self.legacy else "graphql-unknown-type"
            found.append(violation(code, wire, f"unknown message type {kind!r}"))
        elif sender != BOTH and wire.direction is not None and wire.direction != sender:
            found.append(
                violation(
                    "graphql-wrong-direction",
                    wire,
                    f"{kind!r} is sent by the {sender}, this came from the {wire.direction}",
                )
            )
        self._check(wire, kind, operation_id, payload, found, decoded)
        title = kind if operation_id is None else f"{kind}  id={operation_id}"
        note = None
        operation_of = decoded.get("operation_of")
        if isinstance(operation_of, int):
            note = f"result of message {operation_of}"
        body: object = payload
        if kind in STARTS and isinstance(payload, dict):
            query = payload.get("query")
            if isinstance(query, str):
                decoded["query"] = query
                decoded["variables"] = payload.get("variables")
                decoded["operation_name"] = payload.get("operationName")
        out = DecodedMessage(
            wire.index,
            wire.direction,
            self.name,
            kind,
            title,
            decoded,
            body,
            "payload" in message,
            note,
        )
        return [out], found

    def _plain(self, wire: WireMessage, decoded: dict[str, object], why: str) -> DecodedMessage:
        return DecodedMessage(
            wire.index,
            wire.direction,
            self.name,
            "invalid",
            f"invalid GraphQL message: {why}",
            decoded,
        )

    def _check(
        self,
        wire: WireMessage,
        kind: str,
        operation_id: object,
        payload: object,
        found: list[Violation],
        decoded: dict[str, object],
    ) -> None:
        if kind == "connection_init":
            if self.init_seen and not self.legacy:
                found.append(
                    violation(
                        "graphql-duplicate-init",
                        wire,
                        "a second connection_init (the server closes with 4429)",
                    )
                )
            self.init_seen = True
            return
        if kind == "connection_ack":
            self.acknowledged = True
            return
        needs_id = kind in STARTS | RESULTS | {"stop"}
        if needs_id and not isinstance(operation_id, str):
            if not (self.legacy and kind == "error" and operation_id is None):
                found.append(violation("graphql-bad-message", wire, f"{kind!r} needs a string id"))
            return
        if not isinstance(operation_id, str):
            return
        if kind in STARTS:
            if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
                found.append(
                    violation("graphql-bad-message", wire, f"{kind!r} payload needs a query string")
                )
            both = self.directions == {CLIENT, SERVER}
            if not self.legacy and both and self.init_seen and not self.acknowledged:
                found.append(
                    violation(
                        "graphql-not-acknowledged",
                        wire,
                        "subscribe before connection_ack (the server closes with 4401)",
                    )
                )
            if operation_id in self.operations and not self.legacy:
                found.append(
                    violation(
                        "graphql-duplicate-operation-id",
                        wire,
                        f"subscribe with id {operation_id!r} while it is running "
                        "(the server closes with 4409)",
                    )
                )
            if len(self.operations) >= MAX_OPERATIONS:
                del self.operations[next(iter(self.operations))]
            self.operations[operation_id] = wire.index
            self.finished.discard(operation_id)
            return
        started = self.operations.get(operation_id)
        decoded["operation_of"] = started
        ends = kind in ("error", "complete", "stop")
        unknown = started is None and operation_id not in self.finished
        if unknown and self.init_seen and wire.direction == SERVER:
            found.append(
                violation(
                    "graphql-unknown-operation-id",
                    wire,
                    f"{kind!r} for id {operation_id!r}, which no running subscribe started",
                )
            )
        if ends and started is not None:
            del self.operations[operation_id]
            self.finished.add(operation_id)
            if len(self.finished) > MAX_OPERATIONS:
                self.finished.clear()

    def finish(self) -> tuple[list[DecodedMessage], list[Violation]]:
        return [], []
