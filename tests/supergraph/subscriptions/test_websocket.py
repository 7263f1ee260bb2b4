"""graphql-transport-ws on the router: events joined with another subgraph's entities, per event."""

from __future__ import annotations

import asyncio

import pytest

from supergraph.subscriptions import LIMIT_EXCEEDED, SubscriptionOptions
from supergraph.subscriptions.asgi_websocket import WebSocketClosed
from tests.supergraph.subscriptions.harness import WsClient, build_federation

QUERY = """
subscription Changes($group: ID!, $count: Int!) {
  taskChanged(groupId: $group, count: $count) {
    change
    task { id title assignee { displayName } }
  }
}
"""


def _event(index: int) -> dict:
    name = "Ada" if index % 2 == 0 else "Grace"
    return {
        "data": {
            "taskChanged": {
                "change": "UPDATED",
                "task": {
                    "id": f"g-{index}",
                    "title": f"t{index}",
                    "assignee": {"displayName": name},
                },
            }
        }
    }


async def test_events_carry_entity_fields_from_the_other_subgraph() -> None:
    federation = build_federation()
    federation.state.hold.set()
    async with WsClient(federation.app) as client:
        await client.init()
        variables = {"group": "g", "count": 3}
        await client.send(
            {"id": "a", "type": "subscribe", "payload": {"query": QUERY, "variables": variables}}
        )
        received = [await client.receive() for _ in range(4)]
    assert received == [
        *({"id": "a", "type": "next", "payload": _event(i)} for i in range(3)),
        {"id": "a", "type": "complete"},
    ]
    assert federation.state.closed == 1


async def test_connection_init_authorization_is_forwarded_to_the_subgraph() -> None:
    federation = build_federation()
    federation.state.hold.set()
    async with WsClient(federation.app) as client:
        await client.init({"Authorization": "Bearer abc"})
        payload = {"query": "subscription { taskChanged(groupId: 1, count: 1) { change } }"}
        await client.send({"id": "1", "type": "subscribe", "payload": payload})
        assert (await client.receive())["type"] == "next"
        assert await client.receive() == {"id": "1", "type": "complete"}
    assert federation.state.seen_authorization == ["Bearer abc"]


async def test_invalid_token_is_refused_at_connection_init() -> None:
    def verify(token: str) -> object:
        if token != "good":
            raise ValueError("bad token")
        return token

    federation = build_federation(verify_token=verify)
    async with WsClient(federation.app) as client:
        await client.send({"type": "connection_init", "payload": {"authorization": "Bearer bad"}})
        with pytest.raises(WebSocketClosed) as closed:
            await client.receive()
    assert closed.value.code == 4403
    async with WsClient(federation.app) as client:
        await client.init({"authorization": "Bearer good"})


async def test_client_complete_closes_the_subgraph_generator() -> None:
    federation = build_federation()
    async with WsClient(federation.app) as client:
        await client.init()
        payload = {"query": "subscription { forever }"}
        await client.send({"id": "1", "type": "subscribe", "payload": payload})
        assert (await client.receive())["payload"] == {"data": {"forever": 0}}
        await client.send({"id": "1", "type": "complete"})
        await _until(lambda: federation.state.closed == 1)
        await client.send({"type": "ping"})
        while (message := await client.receive())["type"] == "next":
            pass
        assert message == {"type": "pong"}


async def test_client_disconnect_closes_the_subgraph_generator() -> None:
    federation = build_federation()
    async with WsClient(federation.app) as client:
        await client.init()
        await client.send(
            {"id": "1", "type": "subscribe", "payload": {"query": "subscription { forever }"}}
        )
        await client.receive()
        assert federation.state.opened == 1
    await _until(lambda: federation.state.closed == 1)


async def test_subscriptions_per_connection_are_limited() -> None:
    federation = build_federation(options=SubscriptionOptions(max_subscriptions_per_connection=1))
    async with WsClient(federation.app) as client:
        await client.init()
        payload = {"query": "subscription { forever }"}
        await client.send({"id": "1", "type": "subscribe", "payload": payload})
        await client.send({"id": "2", "type": "subscribe", "payload": payload})
        while (message := await client.receive())["id"] == "1":
            pass
    assert message["type"] == "error"
    assert message["id"] == "2"
    assert message["payload"][0]["extensions"]["code"] == LIMIT_EXCEEDED


async def test_validation_errors_are_error_messages() -> None:
    federation = build_federation()
    async with WsClient(federation.app) as client:
        await client.init()
        payload = {"query": "subscription { nope }"}
        await client.send({"id": "1", "type": "subscribe", "payload": payload})
        message = await client.receive()
    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_queries_over_the_socket_answer_once_and_complete() -> None:
    federation = build_federation()
    async with WsClient(federation.app) as client:
        await client.init()
        payload = {"query": "{ task(id: 7) { title assignee { displayName } } }"}
        await client.send({"id": "q", "type": "subscribe", "payload": payload})
        first, second = await client.receive(), await client.receive()
    assert first["payload"] == {
        "data": {"task": {"title": "task 7", "assignee": {"displayName": "Ada"}}}
    }
    assert second == {"id": "q", "type": "complete"}


@pytest.mark.parametrize(
    ("messages", "code"),
    [
        ([{"type": "subscribe", "id": "1", "payload": {"query": "{ __typename }"}}], 4401),
        ([{"type": "connection_init"}, {"type": "connection_init"}], 4429),
        ([{"type": "connection_init"}, {"type": "bogus"}], 4400),
    ],
)
async def test_protocol_violations_close_with_their_codes(messages: list, code: int) -> None:
    federation = build_federation()
    async with WsClient(federation.app) as client:
        for message in messages:
            await client.send(message)
        with pytest.raises(WebSocketClosed) as closed:
            while True:
                await client.receive()
    assert closed.value.code == code


async def test_duplicate_operation_id_closes_with_4409() -> None:
    federation = build_federation()
    async with WsClient(federation.app) as client:
        await client.init()
        payload = {"query": "subscription { forever }"}
        await client.send({"id": "1", "type": "subscribe", "payload": payload})
        assert (await client.receive())["type"] == "next"
        await client.send({"id": "1", "type": "subscribe", "payload": payload})
        with pytest.raises(WebSocketClosed) as closed:
            while True:
                await client.receive()
    assert closed.value.code == 4409
    await _until(lambda: federation.state.closed == 1)


async def test_missing_connection_init_times_out_with_4408() -> None:
    federation = build_federation(options=SubscriptionOptions(init_timeout=0.05))
    async with WsClient(federation.app) as client:
        with pytest.raises(WebSocketClosed) as closed:
            await client.receive()
    assert closed.value.code == 4408


async def test_wrong_subprotocol_is_refused() -> None:
    federation = build_federation()
    with pytest.raises(WebSocketClosed) as closed:
        async with WsClient(federation.app, subprotocols=("graphql-ws",)):
            pass
    assert closed.value.code == 4406


async def _until(condition: object, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.01)
