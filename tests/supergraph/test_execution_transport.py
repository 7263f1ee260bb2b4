"""Transports: pooled aiohttp HTTP against a real local server, httpx and in-process ASGI."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest
from aiohttp import web
from starlette.applications import Starlette
from starlette.datastructures import Headers, UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from supergraph.plan import OperationKind
from supergraph.transport import (
    AsgiTransport,
    HttpTransport,
    HttpxTransport,
    TransportError,
    request_has_uploads,
    subgraph_response_headers,
)

Handler = Callable[[web.Request], Awaitable[web.Response]]
PNG = Headers({"content-type": "image/png"})


async def echo_graphql(request: Request) -> Response:
    body = orjson.loads(await request.body())
    answer = {"data": {"query": body["query"], "auth": request.headers.get("authorization")}}
    return Response(orjson.dumps(answer), media_type="application/json")


SUBGRAPH = Starlette(routes=[Route("/graphql", echo_graphql, methods=["POST"])])


async def test_asgi_transport_posts_json_and_forwards_headers() -> None:
    transport = AsgiTransport({"users": SUBGRAPH})
    try:
        response = await transport.send(
            "users", {"query": "{ me { id } }"}, {"authorization": "Bearer t"}
        )
    finally:
        await transport.aclose()
    assert response == {"data": {"query": "{ me { id } }", "auth": "Bearer t"}}


@asynccontextmanager
async def served(handler: Handler, timeout: float = 30.0) -> AsyncIterator[HttpTransport]:
    """The production transport against a real aiohttp server on a free local port."""
    app = web.Application()
    app.router.add_post("/graphql", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    transport = HttpTransport({"users": f"http://127.0.0.1:{port}/graphql"}, timeout=timeout)
    try:
        yield transport
    finally:
        await transport.aclose()
        await runner.cleanup()


def answer(status: int, content: bytes) -> Handler:
    async def handle(_: web.Request) -> web.Response:
        return web.Response(status=status, body=content)

    return handle


@pytest.mark.parametrize(
    ("status", "content", "code"),
    [
        (500, b"Internal Server Error", "SUBREQUEST_HTTP_ERROR"),
        (200, b"<html>not json</html>", "SUBREQUEST_MALFORMED_RESPONSE"),
        (200, b"[1, 2]", "SUBREQUEST_MALFORMED_RESPONSE"),
    ],
)
async def test_http_failures_raise_typed_errors(status: int, content: bytes, code: str) -> None:
    async with served(answer(status, content)) as transport:
        with pytest.raises(TransportError) as raised:
            await transport.send("users", {"query": "{ a }"}, {})
    assert raised.value.code == code


async def test_graphql_error_bodies_with_4xx_are_returned() -> None:
    body = orjson.dumps({"errors": [{"message": "bad query"}]})
    async with served(answer(400, body)) as transport:
        assert await transport.send("users", {"query": "{"}, {}) == {
            "errors": [{"message": "bad query"}]
        }


async def test_connection_errors_and_unknown_services_raise() -> None:
    async with served(answer(200, b"{}")) as transport:
        with pytest.raises(TransportError) as unknown:
            await transport.send("nobody", {"query": "{ a }"}, {})
    assert unknown.value.code == "SUBREQUEST_HTTP_ERROR"
    # The server is gone now: its port refuses connections.
    with pytest.raises(TransportError) as refused:
        await transport.send("users", {"query": "{ a }"}, {})
    await transport.aclose()
    assert refused.value.code == "SUBREQUEST_HTTP_ERROR"


async def test_a_slow_subgraph_is_a_timeout() -> None:
    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.Response(body=b'{"data": {}}')

    async with served(slow, timeout=0.2) as transport:
        with pytest.raises(TransportError) as raised:
            await transport.send("users", {"query": "{ a }"}, {})
    assert raised.value.code == "SUBREQUEST_TIMEOUT"


async def test_request_body_media_types_and_forwarded_headers() -> None:
    seen: list[tuple[bytes, dict[str, str]]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append((await request.read(), dict(request.headers)))
        return web.Response(body=b'{"data": {"a": 1}}', headers={"x-cache": "HIT"})

    sink: list[httpx.Headers] = []
    token = subgraph_response_headers.set(sink)
    try:
        async with served(record) as transport:
            response = await transport.send(
                "users", {"query": "{ a }", "variables": {}}, {"authorization": "Bearer t"}
            )
    finally:
        subgraph_response_headers.reset(token)
    assert response == {"data": {"a": 1}}
    content, headers = seen[0]
    assert orjson.loads(content) == {"query": "{ a }", "variables": {}}
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == "Bearer t"
    assert sink[0]["x-cache"] == "HIT"


async def test_uploads_are_sent_as_a_graphql_multipart_request() -> None:
    seen: dict[str, Any] = {}

    async def record(request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["0"]
        assert isinstance(upload, web.FileField)
        seen.update(
            operations=orjson.loads(str(form["operations"])),
            map=orjson.loads(str(form["map"])),
            file=(upload.filename, upload.content_type, upload.file.read()),
            preflight=request.headers.get("apollo-require-preflight"),
        )
        return web.Response(body=b'{"data": {"ok": true}}')

    upload = UploadFile(io.BytesIO(b"\x89PNG..."), filename="a.png", headers=PNG)
    body = {"query": "mutation($f: Upload!) { up(f: $f) }", "variables": {"f": upload}}
    token = request_has_uploads.set(True)
    try:
        async with served(record) as transport:
            assert await transport.send("users", body, {}) == {"data": {"ok": True}}
    finally:
        request_has_uploads.reset(token)
    assert seen["operations"] == {"query": body["query"], "variables": {"f": None}}
    assert seen["map"] == {"0": ["variables.f"]}
    assert seen["file"] == ("a.png", "image/png", b"\x89PNG...")
    assert seen["preflight"] == "true"


async def test_the_httpx_transport_still_takes_an_injected_client() -> None:
    client = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda _: httpx.Response(200, content=b'{"data": {}}'))
    )
    transport = HttpxTransport({"users": "http://users.test/graphql"}, client=client)
    assert await transport.send("users", {"query": "{ a }"}, {}) == {"data": {}}
    await transport.aclose()


def counting(seen: list[bytes]) -> Handler:
    """Answers after a pause, so concurrent identical fetches overlap; records each body."""

    async def handle(request: web.Request) -> web.Response:
        seen.append(await request.read())
        await asyncio.sleep(0.05)
        return web.json_response({"data": {"a": 1}})

    return handle


@pytest.mark.parametrize(
    ("text", "kind", "requests"),
    [
        # Text sniffing would take these for non-queries and never share them.
        ("# planned\nquery { a }", "query", 1),
        ("fragment F on Query { a } query { ...F }", "query", 1),
        # ... and this mutation (its document starting with a query) for a query to share.
        ("query Q { a } mutation M { a }", "mutation", 2),
        ("{ a }", None, 2),
    ],
)
async def test_only_fetches_the_plan_calls_queries_share_one_request(
    text: str, kind: OperationKind | None, requests: int
) -> None:
    seen: list[bytes] = []
    async with served(counting(seen)) as transport:
        body = {"query": text, "variables": {}}
        answers = await asyncio.gather(
            transport.send("users", body, {}, kind=kind),
            transport.send("users", body, {}, kind=kind),
        )
    assert answers == [{"data": {"a": 1}}, {"data": {"a": 1}}]
    assert len(seen) == requests
