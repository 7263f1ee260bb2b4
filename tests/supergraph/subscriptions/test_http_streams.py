"""SSE (graphql-sse distinct connections) and Apollo multipart subscriptions; a dying subgraph."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
from strawberry.asgi import GraphQL

from tests.supergraph.subscriptions.harness import TASKS, USERS, WsClient, build_federation

QUERY = (
    "subscription { taskChanged(groupId: 5, count: 2) { task { id assignee { displayName } } } }"
)
EVENTS = [
    {"data": {"taskChanged": {"task": {"id": "5-0", "assignee": {"displayName": "Ada"}}}}},
    {"data": {"taskChanged": {"task": {"id": "5-1", "assignee": {"displayName": "Grace"}}}}},
]


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router")


def _sse_events(text: str) -> list[tuple[str, str]]:
    events = []
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            events.append((fields["event"], fields.get("data", "")))
    return events


def _multipart_parts(body: bytes) -> list[Any]:
    assert body.endswith(b"\r\n--graphql--\r\n")
    parts = body[: -len(b"\r\n--graphql--\r\n")].split(b"\r\n--graphql\r\n")[1:]
    out = []
    for part in parts:
        headers, _, payload = part.partition(b"\r\n\r\n")
        assert headers.lower() == b"content-type: application/json"
        out.append(orjson.loads(payload))
    return out


async def test_sse_streams_next_events_then_complete() -> None:
    federation = build_federation()
    federation.state.hold.set()
    async with _client(federation.app) as client:
        response = await client.post(
            "/graphql", json={"query": QUERY}, headers={"accept": "text/event-stream"}
        )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _sse_events(response.text)
    assert events == [("next", orjson.dumps(e).decode()) for e in EVENTS] + [("complete", "")]


async def test_sse_over_get_and_invalid_operations() -> None:
    federation = build_federation()
    federation.state.hold.set()
    async with _client(federation.app) as client:
        response = await client.get(
            "/graphql", params={"query": QUERY}, headers={"accept": "text/event-stream"}
        )
        invalid = await client.post(
            "/graphql",
            json={"query": "subscription { nope }"},
            headers={"accept": "text/event-stream"},
        )
    assert [name for name, _ in _sse_events(response.text)] == ["next", "next", "complete"]
    assert invalid.status_code == 400
    assert invalid.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_multipart_subscription_parts_and_end_boundary() -> None:
    federation = build_federation()
    federation.state.hold.set()
    async with _client(federation.app) as client:
        response = await client.post(
            "/graphql",
            json={"query": QUERY},
            headers={"accept": 'multipart/mixed;subscriptionSpec="1.0", application/json'},
        )
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        'multipart/mixed;boundary="graphql";subscriptionSpec="1.0"'
    )
    assert _multipart_parts(response.content) == [{}, *({"payload": e} for e in EVENTS)]


async def test_multipart_accept_on_a_query_is_answered_by_the_json_endpoint() -> None:
    federation = build_federation()
    async with _client(federation.app) as client:
        response = await client.post(
            "/graphql",
            json={"query": "{ task(id: 1) { id } }"},
            headers={"accept": 'multipart/mixed;subscriptionSpec="1.0", application/json'},
        )
    assert response.json() == {"data": {"task": {"id": "1"}}}


def _dies_after(app: Any, events: int) -> Any:
    """The subgraph app, crashing (task and socket gone) once it sent ``events`` events."""

    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            await app(scope, receive, send)
            return
        died = asyncio.Event()
        sent = 0

        async def counting_send(message: Any) -> None:
            nonlocal sent
            if message.get("type") == "websocket.send" and '"next"' in message.get("text", ""):
                if sent == events:
                    died.set()
                    await asyncio.Event().wait()
                sent += 1
            await send(message)

        inner = asyncio.create_task(app(scope, receive, counting_send))
        death = asyncio.create_task(died.wait())
        await asyncio.wait({inner, death}, return_when=asyncio.FIRST_COMPLETED)
        inner.cancel()
        death.cancel()
        if died.is_set():
            raise RuntimeError("subgraph process died")

    return wrapper


async def test_subgraph_dying_mid_stream_ends_the_subscription_with_an_error() -> None:
    federation = build_federation(
        subgraphs={"tasks": _dies_after(GraphQL(TASKS), 1), "users": GraphQL(USERS)}
    )
    async with WsClient(federation.app) as client:
        await client.init()
        payload = {"query": "subscription { forever }"}
        await client.send({"id": "1", "type": "subscribe", "payload": payload})
        first, second = await client.receive(), await client.receive()
    assert first == {"id": "1", "type": "next", "payload": {"data": {"forever": 0}}}
    assert second["type"] == "error"
    assert second["payload"][0]["extensions"] == {
        "code": "SUBSCRIPTION_CONNECTION_LOST",
        "serviceName": "tasks",
    }


async def test_subgraph_dying_mid_stream_over_sse_and_multipart() -> None:
    federation = build_federation(
        subgraphs={"tasks": _dies_after(GraphQL(TASKS), 1), "users": GraphQL(USERS)}
    )
    async with _client(federation.app) as client:
        sse = await client.post(
            "/graphql",
            json={"query": "subscription { forever }"},
            headers={"accept": "text/event-stream"},
        )
        multipart = await client.post(
            "/graphql",
            json={"query": "subscription { forever }"},
            headers={"accept": 'multipart/mixed;subscriptionSpec="1.0"'},
        )
    events = _sse_events(sse.text)
    assert [name for name, _ in events] == ["next", "next", "complete"]
    lost = orjson.loads(events[1][1])
    assert lost["errors"][0]["extensions"]["code"] == "SUBSCRIPTION_CONNECTION_LOST"
    parts = _multipart_parts(multipart.content)
    assert parts[1] == {"payload": {"data": {"forever": 0}}}
    assert parts[2]["payload"] is None
    assert parts[2]["errors"][0]["extensions"]["code"] == "SUBSCRIPTION_CONNECTION_LOST"
