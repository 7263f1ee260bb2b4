"""Subscriptions through the single-process router: notificationAdded, joined with users."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from subgraph_kit.events import Event
from taskforge.standalone import Standalone
from tests.supergraph.subscriptions.harness import WsClient
from tests.support.graphql import GraphQLClient

PASSWORD = "Corr3ct-Horse-Battery"
SUBSCRIPTION = "subscription { notificationAdded { id kind recipient { displayName } } }"


async def _session(gql: GraphQLClient) -> tuple[str, str]:
    registered = await gql(
        "mutation($e: String!, $p: String!) {"
        ' register(email: $e, password: $p, displayName: "Ada") { id } }',
        {"e": "ada@example.com", "p": PASSWORD},
    )
    assert registered.errors == [], registered.errors
    login = await gql(
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
        {"e": "ada@example.com", "p": PASSWORD},
    )
    return str(registered.data["register"]["id"]), str(login.data["login"]["accessToken"])


async def test_notification_added_requires_a_user_and_streams_for_one(
    federation: Standalone, router_gql: GraphQLClient
) -> None:
    user_id, token = await _session(router_gql)
    async with WsClient(federation) as anonymous:
        await anonymous.init()
        await anonymous.send({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        refused = await anonymous.receive(timeout=10)
    assert refused["type"] in ("error", "next"), refused
    errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    async with WsClient(federation) as client:
        await client.init({"Authorization": f"Bearer {token}"})
        await client.send({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        await client.send({"type": "ping"})
        assert await client.receive(timeout=10) == {"type": "pong"}
        bus = federation.bus or federation.runtimes["notifications"].bus
        event = await _first_event(client, lambda: bus.publish(_assigned(user_id)))
    assert event["type"] == "next", event
    added = event["payload"]["data"]["notificationAdded"]
    assert added["kind"] == "TASK_ASSIGNED"
    assert added["recipient"] == {"displayName": "Ada"}


async def _first_event(
    client: WsClient, publish: Callable[[], Awaitable[object]]
) -> dict[str, Any]:
    """Publish until the subscriber hears something: its subgraph stream opens asynchronously."""
    for _ in range(40):
        await publish()
        try:
            return await client.receive(timeout=0.5)
        except TimeoutError:
            continue
    raise AssertionError("no event reached the subscriber")


def _assigned(user_id: str) -> Event:
    """A task.assigned event as tasks_subgraph publishes it: Ada is the new assignee."""
    payload = {
        "task_id": uuid.uuid4().hex,
        "group_id": "g" * 32,
        "actor_id": None,
        "assignee_id": user_id,
        "previous_assignee_id": None,
        "created_by": user_id,
        "title": "Water the plants",
        "status": "OPEN",
        "priority": "NORMAL",
        "due_at": None,
    }
    return Event(uuid.uuid4().hex, "task.assigned", 1, datetime.now(UTC), payload, "test")
