"""De-duplication of identical in-flight work: subgraph fetches and client queries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
from aiohttp import web

from supergraph.plan import OperationKind
from supergraph.transport import HttpTransport, subgraph_response_headers
from tests.supergraph.edge_fixtures import CSRF, edge_app, users_answer
from tests.supergraph.fake_transport import FakeTransport


@asynccontextmanager
async def counting_subgraph(deduplicate: bool = True) -> AsyncIterator[tuple[HttpTransport, list]]:
    """A slow real subgraph that counts the requests reaching it, and a transport to it."""
    seen: list[bytes] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(await request.read())
        await asyncio.sleep(0.1)
        headers = {"set-cookie": "session=first", "cache-control": "max-age=5"}
        return web.Response(body=b'{"data": {"a": {"b": 1}}}', headers=headers)

    app = web.Application()
    app.router.add_post("/graphql", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/graphql"
    transport = HttpTransport({"users": url}, deduplicate=deduplicate)
    try:
        yield transport, seen
    finally:
        await transport.aclose()
        await runner.cleanup()


async def send_twice(
    transport: HttpTransport,
    query: str,
    first: Mapping[str, str],
    second: Mapping[str, str],
    kind: OperationKind = "query",
) -> list[dict]:
    return list(
        await asyncio.gather(
            transport.send("users", {"query": query, "variables": {}}, first, kind=kind),
            transport.send("users", {"query": query, "variables": {}}, second, kind=kind),
        )
    )


async def test_identical_query_fetches_in_flight_share_one_request() -> None:
    auth = {"authorization": "Bearer t"}
    async with counting_subgraph() as (transport, seen):
        answers = await send_twice(
            transport,
            "query { a { b } }",
            {**auth, "traceparent": "1"},
            {**auth, "traceparent": "2"},
        )
    assert len(seen) == 1
    assert answers[0] == answers[1] == {"data": {"a": {"b": 1}}}
    # The executor merges into what it gets: each caller must own its answer.
    assert answers[0] is not answers[1]
    assert answers[0]["data"]["a"] is not answers[1]["data"]["a"]


async def test_mutations_different_auth_and_disabled_dedup_are_never_shared() -> None:
    one, two = {"authorization": "Bearer one"}, {"authorization": "Bearer two"}
    async with counting_subgraph() as (transport, seen):
        await send_twice(transport, "mutation { a { b } }", one, one, "mutation")
        assert len(seen) == 2
        await send_twice(transport, "query { a { b } }", one, two)
        assert len(seen) == 4
    async with counting_subgraph(deduplicate=False) as (transport, seen):
        await send_twice(transport, "query { a { b } }", one, one)
        assert len(seen) == 2


async def test_a_shared_fetch_never_hands_its_cookies_to_the_follower() -> None:
    async def send(sink: list[httpx.Headers], transport: HttpTransport) -> None:
        token = subgraph_response_headers.set(sink)
        try:
            await transport.send("users", {"query": "{ a { b } }"}, {}, kind="query")
        finally:
            subgraph_response_headers.reset(token)

    leader: list[httpx.Headers] = []
    follower: list[httpx.Headers] = []
    async with counting_subgraph() as (transport, seen):
        await asyncio.gather(send(leader, transport), send(follower, transport))
    assert len(seen) == 1
    assert leader[0]["set-cookie"] == "session=first"
    assert "set-cookie" not in follower[0]
    assert follower[0]["cache-control"] == "max-age=5"


class GatedTransport(FakeTransport):
    """Holds every subgraph answer until released, so client requests overlap."""

    def __init__(self) -> None:
        super().__init__({"users": users_answer})
        self.gate = asyncio.Event()

    async def send(
        self, service: str, body: dict[str, Any], headers: Mapping[str, str], **_: Any
    ) -> dict:
        answer = await super().send(service, body, headers)
        await self.gate.wait()
        return answer


async def post_twice(
    enabled: bool, query: str, expected_fetches: int
) -> tuple[GatedTransport, list]:
    transport = GatedTransport()
    edge = edge_app(transport, deduplicate_inbound_queries=enabled)
    body = orjson.dumps({"query": query, "variables": {"name": "Zed"}})
    headers = {**CSRF, "content-type": "application/json"}
    async with edge.client() as client:
        posts = [
            asyncio.create_task(client.post("/graphql", content=body, headers=headers))
            for _ in range(2)
        ]
        for _ in range(100):
            await asyncio.sleep(0.01)
            if len(transport.requests) >= expected_fetches:
                break
        await asyncio.sleep(0.05)
        transport.gate.set()
        responses = await asyncio.gather(*posts)
    return transport, [r.json() for r in responses]


async def test_identical_client_queries_in_flight_share_one_execution_when_enabled() -> None:
    transport, answers = await post_twice(True, "{ users { name } }", 1)
    assert len(transport.requests) == 1
    assert answers[0] == answers[1] == {"data": {"users": [{"name": "Ann"}, {"name": "Bob"}]}}


async def test_client_queries_run_separately_when_inbound_dedup_is_off() -> None:
    transport, answers = await post_twice(False, "{ users { name } }", 2)
    assert len(transport.requests) == 2
    assert answers[0] == answers[1]


async def test_identical_client_mutations_always_run_each() -> None:
    mutation = "mutation($name: String!) { rename(name: $name) { name } }"
    transport, answers = await post_twice(True, mutation, 2)
    assert len(transport.requests) == 2
    assert answers[0] == answers[1] == {"data": {"rename": {"name": "Zed"}}}
