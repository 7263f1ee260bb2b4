"""Subscriptions through the single-process router to the real notifications subgraph."""

from __future__ import annotations

import asyncio

from supergraph.standalone import Standalone
from tests.supergraph.subscriptions.harness import WsClient
from tests.support.graphql import GraphQLClient

PASSWORD = "Corr3ct-Horse-Battery"
SUBSCRIPTION = "subscription { notificationAdded { id kind recipient { displayName } } }"


async def _token(gql: GraphQLClient) -> str:
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
    return str(login.data["login"]["accessToken"])


async def test_notification_added_requires_a_user_and_streams_for_one(
    federation: Standalone, router_gql: GraphQLClient
) -> None:
    token = await _token(router_gql)
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
        await asyncio.sleep(0.2)
        await client.send({"type": "ping"})
        assert await client.receive(timeout=10) == {"type": "pong"}
