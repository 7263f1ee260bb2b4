"""SSE and multipart over a real HTTP connection: heartbeats, auth, and clients that leave."""

from __future__ import annotations

import asyncio

import httpx

from supergraph.subscriptions import SubscriptionOptions
from tests.supergraph.subscriptions.harness import build_federation, serving

FOREVER = {"query": "subscription { forever }"}
MULTIPART = 'multipart/mixed;subscriptionSpec="1.0", application/json'


async def _until(condition: object, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0.01)


async def test_sse_client_leaving_closes_the_subgraph_generator() -> None:
    federation = build_federation()
    async with serving(federation.app) as port, httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{port}/graphql"
        headers = {"accept": "text/event-stream"}
        async with client.stream("POST", url, json=FOREVER, headers=headers) as response:
            lines = response.aiter_lines()
            assert await anext(lines) == "event: next"
            assert federation.state.opened == 1
        await _until(lambda: federation.state.closed == 1)


async def test_multipart_client_leaving_closes_the_subgraph_generator() -> None:
    federation = build_federation()
    async with serving(federation.app) as port, httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{port}/graphql"
        headers = {"accept": MULTIPART}
        async with client.stream("POST", url, json=FOREVER, headers=headers) as response:
            chunks = response.aiter_bytes()
            received = b""
            while b'"payload"' not in received:
                received += await anext(chunks)
        await _until(lambda: federation.state.closed == 1)


async def test_idle_streams_send_heartbeats() -> None:
    federation = build_federation(
        options=SubscriptionOptions(sse_heartbeat=0.05, multipart_heartbeat=0.05)
    )
    idle = {"query": "subscription { taskChanged(groupId: 1, count: 0) { change } }"}
    async with serving(federation.app) as port, httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{port}/graphql"
        async with client.stream(
            "POST", url, json=idle, headers={"accept": "text/event-stream"}
        ) as response:
            lines = response.aiter_lines()
            assert await anext(lines) == ":"
        async with client.stream("POST", url, json=idle, headers={"accept": MULTIPART}) as response:
            received = b""
            async for chunk in response.aiter_bytes():
                received += chunk
                if received.count(b"\r\n\r\n{}") >= 2:
                    break
        assert received.startswith(b"\r\n--graphql\r\ncontent-type: application/json\r\n\r\n{}")
        await _until(lambda: federation.state.closed == federation.state.opened == 2)


async def test_sse_refuses_an_invalid_token() -> None:
    def verify(token: str) -> object:
        raise ValueError(token)

    federation = build_federation(verify_token=verify)
    async with serving(federation.app) as port, httpx.AsyncClient() as client:
        response = await client.post(
            f"http://127.0.0.1:{port}/graphql",
            json=FOREVER,
            headers={"accept": "text/event-stream", "authorization": "Bearer nope"},
        )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert federation.state.opened == 0
