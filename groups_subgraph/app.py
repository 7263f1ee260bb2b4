"""The groups subgraph service: its runtime (known-users consumer) and ASGI app."""

from __future__ import annotations

from starlette.types import ASGIApp

from groups_subgraph.schema import schema
from groups_subgraph.service import record_known_user
from subgraph_kit.app import create_subgraph_app
from subgraph_kit.events import idempotent_handler
from subgraph_kit.runtime import ServiceRuntime

__all__ = ["KNOWN_USERS_CONSUMER", "create_app", "create_runtime"]

KNOWN_USERS_CONSUMER = "groups.known_users"


def create_runtime(**overrides: object) -> ServiceRuntime:
    runtime = ServiceRuntime.create("groups", "groups_subgraph", **overrides)  # type: ignore[arg-type]
    runtime.bus.subscribe(
        KNOWN_USERS_CONSUMER,
        idempotent_handler(runtime.database, KNOWN_USERS_CONSUMER, record_known_user),
        types={"user.registered"},
    )
    return runtime


def create_app(runtime: ServiceRuntime | None = None, *, manage_runtime: bool = True) -> ASGIApp:
    return create_subgraph_app(runtime or create_runtime(), schema, manage_runtime=manage_runtime)
