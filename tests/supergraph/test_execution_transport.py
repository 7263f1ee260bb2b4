"""Transports: HTTP through a mocked httpx transport and in-process ASGI subgraphs."""

from __future__ import annotations

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from supergraph.transport import AsgiTransport, HttpTransport, TransportError


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


def mocked(handler: httpx.MockTransport) -> HttpTransport:
    client = httpx.AsyncClient(transport=handler)
    return HttpTransport({"users": "http://users.test/graphql"}, client=client)


@pytest.mark.parametrize(
    ("status", "content", "code"),
    [
        (500, b"Internal Server Error", "SUBREQUEST_HTTP_ERROR"),
        (200, b"<html>not json</html>", "SUBREQUEST_MALFORMED_RESPONSE"),
        (200, b"[1, 2]", "SUBREQUEST_MALFORMED_RESPONSE"),
    ],
)
async def test_http_failures_raise_typed_errors(status: int, content: bytes, code: str) -> None:
    transport = mocked(httpx.MockTransport(lambda _: httpx.Response(status, content=content)))
    with pytest.raises(TransportError) as raised:
        await transport.send("users", {"query": "{ a }"}, {})
    assert raised.value.code == code


async def test_graphql_error_bodies_with_4xx_are_returned() -> None:
    body = orjson.dumps({"errors": [{"message": "bad query"}]})
    transport = mocked(httpx.MockTransport(lambda _: httpx.Response(400, content=body)))
    assert await transport.send("users", {"query": "{"}, {}) == {
        "errors": [{"message": "bad query"}]
    }


async def test_connection_errors_and_unknown_services_raise() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    transport = mocked(httpx.MockTransport(refuse))
    with pytest.raises(TransportError) as refused:
        await transport.send("users", {"query": "{ a }"}, {})
    assert refused.value.code == "SUBREQUEST_HTTP_ERROR"
    with pytest.raises(TransportError):
        await transport.send("nobody", {"query": "{ a }"}, {})


async def test_request_body_and_media_types() -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b'{"data": {"a": 1}}')

    transport = mocked(httpx.MockTransport(record))
    assert await transport.send("users", {"query": "{ a }", "variables": {}}, {}) == {
        "data": {"a": 1}
    }
    assert orjson.loads(seen[0].content) == {"query": "{ a }", "variables": {}}
    assert seen[0].headers["content-type"] == "application/json"
    assert str(seen[0].url) == "http://users.test/graphql"
