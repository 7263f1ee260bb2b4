"""GraphQL over HTTP: status codes, media types, GET rules, GraphiQL and health."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import orjson
import pytest

from supergraph.http import create_router_app
from tests.supergraph.fake_transport import FakeTransport
from tests.supergraph.router_fixtures import make_router

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture
def transport_and_client() -> tuple[FakeTransport, httpx.AsyncClient]:
    router, transport, _ = make_router()
    app = create_router_app(router)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://router",
        headers={"x-taskforge-csrf": "1"},
    )
    return transport, client


@pytest.fixture
async def client(
    transport_and_client: tuple[FakeTransport, httpx.AsyncClient],
) -> AsyncIterator[httpx.AsyncClient]:
    async with transport_and_client[1] as http:
        yield http


async def test_post_json_answers_with_application_json(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ me { name } }"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"data": {"me": {"name": "Ann"}}}


async def test_typename_calls_no_subgraph(
    transport_and_client: tuple[FakeTransport, httpx.AsyncClient],
) -> None:
    transport, http = transport_and_client
    async with http:
        response = await http.post("/graphql", json={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}
    assert transport.requests == []


async def test_graphql_response_json_when_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"accept": GRAPHQL_RESPONSE}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)


@pytest.mark.parametrize(("accept", "status"), [(GRAPHQL_RESPONSE, 400), ("application/json", 200)])
async def test_request_errors_status_depends_on_media_type(
    client: httpx.AsyncClient, accept: str, status: int
) -> None:
    for query in ("{ me {", "{ nope }"):
        response = await client.post("/graphql", json={"query": query}, headers={"accept": accept})
        assert response.status_code == status
        assert "data" not in response.json()


async def test_malformed_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "body",
    [[], {"query": 1}, {}, {"query": "{ me { id } }", "variables": "x"}],
)
async def test_malformed_params_are_400(client: httpx.AsyncClient, body: object) -> None:
    response = await client.post(
        "/graphql", content=orjson.dumps(body), headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


async def test_unsupported_content_type_and_accept(client: httpx.AsyncClient) -> None:
    text = await client.post(
        "/graphql", content=b"{ me { id } }", headers={"content-type": "text/plain"}
    )
    assert text.status_code == 415
    xml = await client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"accept": "application/xml"}
    )
    assert xml.status_code == 406


async def test_get_runs_queries_with_json_variables(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql",
        params={
            "query": "query($x: Boolean!) { me { id @include(if: $x) } }",
            "variables": '{"x": true}',
        },
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"id": "u1"}}}


async def test_get_refuses_mutations(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql", params={"query": 'mutation { rename(name: "x") { id } }'}
    )
    assert response.status_code == 405
    assert "POST" in response.headers["allow"]


async def test_get_with_bad_variables_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", params={"query": "{ me { id } }", "variables": "{"})
    assert response.status_code == 400


async def test_browser_get_serves_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html,*/*"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    assert response.headers["content-type"].startswith("text/html")


async def test_root_redirects_to_graphiql(client: httpx.AsyncClient) -> None:
    response = await client.get("/", headers={"accept": "text/html"})
    assert response.status_code == 307
    assert response.headers["location"] == "/graphql"


async def test_health(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_query_plan_header_adds_extension(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"x-taskforge-query-plan": "1"}
    )
    assert "QueryPlan" in response.json()["extensions"]["queryPlan"]
