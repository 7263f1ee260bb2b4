"""`taskChanged` through the single-process router: joined with users, ended by removeMember."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from taskforge.standalone import Standalone
from tasks_subgraph.live import group_topic
from tests.supergraph.subscriptions.harness import WsClient
from tests.support.graphql import GraphQLClient

PASSWORD = "Corr3ct-Horse-Battery"
SUBSCRIPTION = """subscription($g: ID!) { taskChanged(groupId: $g) {
  kind actor { displayName } task { title assignee { displayName } } } }"""


async def _ok(gql: GraphQLClient, query: str, variables: dict[str, Any], token: str) -> Any:
    reply = await gql(query, variables, token=token)
    assert reply.errors == [], reply.errors
    return reply.data


async def _person(gql: GraphQLClient, name: str) -> tuple[str, str]:
    email = f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.com"
    registered = await gql(
        "mutation($e: String!, $p: String!, $n: String!) {"
        " register(email: $e, password: $p, displayName: $n) { id } }",
        {"e": email, "p": PASSWORD, "n": name},
    )
    assert registered.errors == [], registered.errors
    login = await gql(
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
        {"e": email, "p": PASSWORD},
    )
    return str(registered.data["register"]["id"]), str(login.data["login"]["accessToken"])


async def _until(check: Any, failure: str) -> None:
    for _ in range(300):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(failure)


async def test_a_member_follows_changes_until_removed_from_the_group(
    federation: Standalone, router_gql: GraphQLClient
) -> None:
    ann_id, ann = await _person(router_gql, "Ann")
    _bob_id, bob = await _person(router_gql, "Bob")
    group = await _ok(router_gql, 'mutation { createGroup(name: "Garden") { id } }', {}, bob)
    group_id = group["createGroup"]["id"]
    await _ok(
        router_gql,
        "mutation($g: ID!, $u: ID!) { addMember(groupId: $g, userId: $u) { role } }",
        {"g": group_id, "u": ann_id},
        bob,
    )

    async def ann_is_member() -> bool:
        query = "query($g: ID!) { group(id: $g) { tasks { totalCount } } }"
        return (await router_gql(query, {"g": group_id}, token=ann)).errors == []

    await _until(ann_is_member, "the tasks subgraph never learned Ann joined")
    create = "mutation($g: ID!, $t: String!) { createTask(groupId: $g, title: $t) { id } }"
    channel = federation.runtimes["tasks"].extras["live"]
    async with WsClient(federation) as client:
        await client.init({"Authorization": f"Bearer {ann}"})
        request = {"query": SUBSCRIPTION, "variables": {"g": group_id}}
        await client.send({"id": "1", "type": "subscribe", "payload": request})

        async def listening() -> bool:
            return bool(await channel.listener_count(group_topic(group_id)) == 1)

        await _until(listening, "the router never subscribed to tasks")
        await _ok(router_gql, create, {"g": group_id, "t": "Weed the beds"}, bob)
        created = await client.receive(timeout=10)
        assert created["payload"] == {
            "data": {
                "taskChanged": {
                    "kind": "CREATED",
                    "actor": {"displayName": "Bob"},
                    "task": {"title": "Weed the beds", "assignee": None},
                }
            }
        }
        await _ok(
            router_gql,
            "mutation($g: ID!, $u: ID!) { removeMember(groupId: $g, userId: $u) }",
            {"g": group_id, "u": ann_id},
            bob,
        )
        ended = await client.receive(timeout=10)
        errors = ended["payload"] if ended["type"] == "error" else ended["payload"]["errors"]
        assert [error["extensions"]["code"] for error in errors] == ["FORBIDDEN"], ended
        await _ok(router_gql, create, {"g": group_id, "t": "After Ann left"}, bob)
        later = []
        while True:
            try:
                later.append(await client.receive(timeout=1))
            except TimeoutError:
                break
    assert all(message["type"] == "complete" for message in later), later
