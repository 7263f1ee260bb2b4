"""The graphql-transport-ws protocol: message types, close codes and the errors both sides use."""

from __future__ import annotations

from typing import Any

__all__ = [
    "COMPLETE",
    "CONNECTION_ACK",
    "CONNECTION_INIT",
    "ERROR",
    "NEXT",
    "PING",
    "PONG",
    "SUBPROTOCOL",
    "SUBSCRIBE",
    "CloseCode",
    "SubscriptionFailed",
    "error",
    "from_subgraph",
]

SUBPROTOCOL = "graphql-transport-ws"

CONNECTION_INIT = "connection_init"
CONNECTION_ACK = "connection_ack"
PING = "ping"
PONG = "pong"
SUBSCRIBE = "subscribe"
NEXT = "next"
ERROR = "error"
COMPLETE = "complete"


class CloseCode:
    """WebSocket close codes graphql-transport-ws assigns to protocol violations."""

    INTERNAL_ERROR = 4500
    BAD_REQUEST = 4400
    UNAUTHORIZED = 4401
    FORBIDDEN = 4403
    SUBPROTOCOL_NOT_ACCEPTABLE = 4406
    INIT_TIMEOUT = 4408
    SUBSCRIBER_EXISTS = 4409
    TOO_MANY_INIT = 4429


def error(message: str, code: str, **extensions: Any) -> dict[str, Any]:
    """A GraphQL error with a stable ``extensions.code``."""
    return {"message": message, "extensions": {"code": code, **extensions}}


class SubscriptionFailed(Exception):
    """A subscription that ends with errors instead of more events (or never starts)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(str(e.get("message")) for e in errors))
        self.errors = errors


def from_subgraph(subgraph_error: Any, service: str) -> dict[str, Any]:
    """A subgraph's error as the router reports it: tagged with ``serviceName``."""
    if not isinstance(subgraph_error, dict):
        return error(str(subgraph_error), "SUBGRAPH_ERROR", serviceName=service)
    extensions = subgraph_error.get("extensions")
    known = extensions if isinstance(extensions, dict) else {}
    return {**subgraph_error, "extensions": {**known, "serviceName": service}}
