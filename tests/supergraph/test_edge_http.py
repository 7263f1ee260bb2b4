"""The router's HTTP edge: tokens, auth directives, request ids, batches, CORS, headers."""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from supergraph.edge.tokens import JwtSettings
from supergraph.transport import AsgiTransport
from tests.supergraph.edge_fixtures import CSRF, edge_app, issue_token, token


def _codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-a-jwt",
        "Basic dXNlcjpwdw==",
        "Bearer " + issue_token(JwtSettings(secret="x" * 40)),
        "Bearer " + issue_token(ttl_seconds=-60),
    ],
    ids=["malformed", "not-bearer", "wrongly-signed", "expired"],
)
async def test_bad_tokens_are_401_and_the_router_keeps_serving(authorization: str) -> None:
    edge = edge_app()
    async with edge.client() as client:
        refused = await client.post(
            "/graphql",
            json={"query": "{ users { name } }"},
            headers={"authorization": authorization},
        )
        assert refused.status_code == 401
        assert _codes(refused.json()) == ["UNAUTHENTICATED"]
        assert edge.transport.requests == []
        served = await client.post("/graphql", json={"query": "{ users { name } }"})
    assert served.json() == {"data": {"users": [{"name": "Ann"}, {"name": "Bob"}]}}


async def test_absent_token_is_anonymous_and_authenticated_fields_are_null() -> None:
    edge = edge_app()
    async with edge.client() as client:
        response = await client.post("/graphql", json={"query": "{ me { name } users { id } }"})
    body = response.json()
    assert response.status_code == 200
    assert body["data"] == {"me": None, "users": [{"id": "1"}, {"id": "2"}]}
    assert body["errors"][0]["path"] == ["me"]
    assert _codes(body) == ["UNAUTHORIZED_FIELD_OR_TYPE"]


async def test_user_calling_a_scoped_admin_field_gets_null_and_no_subgraph_call() -> None:
    edge = edge_app()
    async with edge.client(authorization="Bearer " + token("USER")) as client:
        response = await client.post("/graphql", json={"query": "{ adminStats }"})
    assert response.json()["data"] == {"adminStats": None}
    assert _codes(response.json()) == ["UNAUTHORIZED_FIELD_OR_TYPE"]
    assert edge.transport.requests == []


async def test_token_with_the_scope_reaches_the_field_and_is_forwarded() -> None:
    edge = edge_app()
    bearer = "Bearer " + token("ADMIN", ("admin",))
    async with edge.client(authorization=bearer) as client:
        response = await client.post("/graphql", json={"query": "{ adminStats me { name } }"})
    assert response.json() == {"data": {"adminStats": 42, "me": {"name": "Ann"}}}
    assert edge.transport.requests[0].headers["authorization"] == bearer


async def test_request_id_is_made_echoed_and_forwarded(caplog: pytest.LogCaptureFixture) -> None:
    edge = edge_app()
    caplog.set_level(logging.INFO, logger="taskforge.router.access")
    async with edge.client() as client:
        made = await client.post("/graphql", json={"query": "{ users { id } }"})
        echoed = await client.post(
            "/graphql", json={"query": "{ users { id } }"}, headers={"x-request-id": "abc-123"}
        )
        insane = await client.get("/health", headers={"x-request-id": "no spaces <allowed>"})
    assert len(made.headers["x-request-id"]) == 32
    assert echoed.headers["x-request-id"] == "abc-123"
    assert insane.headers["x-request-id"] != "no spaces <allowed>"
    assert edge.transport.requests[1].headers["x-request-id"] == "abc-123"
    lines = [orjson.loads(r.getMessage()) for r in caplog.records]
    assert {"request_id": "abc-123", "status": 200, "path": "/graphql"}.items() <= lines[1].items()


async def test_batches_answer_in_order_and_respect_the_maximum() -> None:
    edge = edge_app(max_batch_size=2)
    async with edge.client() as client:
        batch = [{"query": "{ users { id } }"}, {"query": "{ nope }"}]
        answered = await client.post("/graphql", json=batch)
        too_many = await client.post("/graphql", json=[{"query": "{ users { id } }"}] * 3)
    results = answered.json()
    assert answered.status_code == 200
    assert results[0] == {"data": {"users": [{"id": "1"}, {"id": "2"}]}}
    assert _codes(results[1]) == ["GRAPHQL_VALIDATION_FAILED"]
    assert too_many.status_code == 400
    assert _codes(too_many.json()) == ["BATCH_LIMIT_EXCEEDED"]


async def test_cors_allows_only_configured_origins() -> None:
    edge = edge_app(cors_origins=["https://app.example"])
    preflight_headers = {"access-control-request-method": "POST"}
    async with edge.client() as client:
        allowed = await client.options(
            "/graphql", headers={"origin": "https://app.example", **preflight_headers}
        )
        refused = await client.options(
            "/graphql", headers={"origin": "https://evil.example", **preflight_headers}
        )
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert "access-control-allow-origin" not in refused.headers


async def test_get_mutation_is_405_and_get_without_csrf_header_is_refused() -> None:
    edge = edge_app()
    async with edge.client() as client:
        mutation = await client.get(
            "/graphql", params={"query": 'mutation { rename(name: "x") { id } }'}, headers=CSRF
        )
        no_header = await client.get("/graphql", params={"query": "{ users { id } }"})
        with_header = await client.get(
            "/graphql", params={"query": "{ users { id } }"}, headers=CSRF
        )
    assert mutation.status_code == 405
    assert mutation.headers["allow"] == "POST"
    assert _codes(no_header.json()) == ["CSRF_PREVENTION"]
    assert no_header.status_code == 400
    assert with_header.json()["data"]["users"][0]["id"] == "1"
    assert edge.transport.requests and len(edge.transport.requests) == 1


async def test_a_20_mb_body_is_413_and_the_router_keeps_serving() -> None:
    edge = edge_app()
    huge = orjson.dumps({"query": "{ users { id } }", "variables": {"pad": "x" * 20_000_000}})
    async with edge.client() as client:
        refused = await client.post(
            "/graphql", content=huge, headers={"content-type": "application/json"}
        )
        served = await client.post("/graphql", json={"query": "{ users { id } }"})
    assert refused.status_code == 413
    assert _codes(refused.json()) == ["PAYLOAD_TOO_LARGE"]
    assert served.status_code == 200


def _subgraph_with_headers() -> Starlette:
    async def graphql(request: Request) -> Response:
        body: dict[str, Any] = {"data": {"users": [{"id": "1", "name": "Ann"}]}}
        response = Response(orjson.dumps(body), media_type="application/json")
        response.headers.append("set-cookie", "session=abc; HttpOnly")
        response.headers["cache-control"] = "max-age=60"
        response.headers["x-internal"] = "secret"
        return response

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])


async def test_selected_subgraph_response_headers_reach_the_client() -> None:
    edge = edge_app(transport=AsgiTransport({"users": _subgraph_with_headers()}))
    async with edge.client() as client:
        response = await client.post("/graphql", json={"query": "{ users { id } }"})
    assert response.json() == {"data": {"users": [{"id": "1"}]}}
    assert response.headers["set-cookie"] == "session=abc; HttpOnly"
    assert response.headers["cache-control"] == "max-age=60"
    assert "x-internal" not in response.headers
