"""Finding 6: subgraphs trusted anyone. The single process served `/subgraphs/<name>/graphql`
on its public port (bypassing the router's limits, CSRF and auth directives), and in services
mode an anonymous `_entities` call straight to users returned anyone's displayName and role.
Now subgraphs answer GraphQL only over the router channel (a shared secret header, on by
default in services mode) and the single process mounts no subgraph publicly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from taskforge.standalone import Standalone
from tests.e2e.conftest import federation, router_gql
from tests.support.backends import Backend
from tests.support.graphql import GraphQLClient
from tests.support.topology import Services, services_topology

__all__ = ["federation", "router_gql"]

PASSWORD = "Corr3ct-Horse-Battery"
ENTITIES = {
    "query": "query($r: [_Any!]!) { _entities(representations: $r) "
    "{ ... on User { id displayName role } } }",
    "variables": {"r": [{"__typename": "User", "id": "any"}]},
}


@pytest.fixture
async def services(backend: Backend, redis_prefix: str, tmp_path: Path) -> AsyncIterator[Services]:
    async with services_topology(backend, redis_prefix, tmp_path) as topology:
        yield topology


@pytest.mark.parametrize("name", ["users", "groups", "tasks", "notifications"])
async def test_the_single_process_mounts_no_subgraph(federation: Standalone, name: str) -> None:
    transport = httpx.ASGITransport(app=federation)
    async with httpx.AsyncClient(transport=transport, base_url="http://router") as http:
        reply = await http.post(f"/subgraphs/{name}/graphql", json=ENTITIES)
    assert reply.status_code == 404
    assert "_entities" not in reply.text and "displayName" not in reply.text


async def test_the_router_still_reaches_the_in_process_subgraphs(
    router_gql: GraphQLClient,
) -> None:
    registered = await router_gql(
        "mutation($e: String!, $p: String!) { register(email: $e, password: $p,"
        " displayName: $e) { id } }",
        {"e": "channel@example.com", "p": PASSWORD},
    )
    assert registered.errors == [] and registered.data["register"]["id"]


@pytest.mark.redis_only
async def test_a_subgraph_refuses_callers_without_the_router_secret(services: Services) -> None:
    services.start("users")
    async with httpx.AsyncClient(base_url=services.url("users"), timeout=10) as http:
        anonymous = await http.post("/graphql", json=ENTITIES)
        wrong = await http.post(
            "/graphql", json=ENTITIES, headers={"x-taskforge-subgraph-secret": "guess"}
        )
        health = await http.get("/health")
        router = await http.post("/graphql", json=ENTITIES, headers=services.subgraph_headers)
    for refused in (anonymous, wrong):
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert "displayName" not in refused.text
    assert health.status_code == 200
    assert router.status_code == 200 and "errors" not in router.json()


@pytest.mark.redis_only
def test_serving_a_subgraph_without_the_router_secret_is_refused(services: Services) -> None:
    services.env.pop("TASKFORGE_SUBGRAPH_SECRET")
    with pytest.raises(AssertionError, match="TASKFORGE_SUBGRAPH_SECRET is not set"):
        services.start("users")
