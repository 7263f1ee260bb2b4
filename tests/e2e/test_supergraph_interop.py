"""Our composed supergraph and Apollo's composition of the same subgraphs answer alike."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx

from supergraph.http import create_router_app
from supergraph.router import build_router
from taskforge.registry import SUBGRAPHS
from taskforge.standalone import Standalone
from tests.federation.apollo import NODE_DIR, ensure_node_modules
from tests.support.graphql import GraphQLClient, Response

SCHEMA_DIR = Path(__file__).parents[2] / "schema"
PASSWORD = "Corr3ct-Horse-Battery"


def apollo_composed_supergraph() -> str:
    ensure_node_modules()
    args = [f"{name}={SCHEMA_DIR / f'{name}.graphql'}" for name in sorted(SUBGRAPHS)]
    done = subprocess.run(
        ["node", "compose.mjs", *args], cwd=NODE_DIR, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def _seed(gql: GraphQLClient) -> dict[str, str]:
    for email, name in [("ada@example.com", "Ada"), ("bob@example.com", "Bob")]:
        reply = await gql(
            "mutation($e: String!, $p: String!, $n: String!) {"
            " register(email: $e, password: $p, displayName: $n) { id } }",
            {"e": email, "p": PASSWORD, "n": name},
        )
        assert reply.errors == [], reply.errors
    login = await gql(
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) {"
        " accessToken user { id } } }",
        {"e": "ada@example.com", "p": PASSWORD},
    )
    return {"token": login.data["login"]["accessToken"], "id": login.data["login"]["user"]["id"]}


READ_QUERIES = [
    "{ me { id email displayName role createdAt __typename } }",
    "query($id: ID!) { user(id: $id) { id displayName role } who: me { name: displayName } }",
    "{ __typename me { ...on User { id } } }",
    "{ users(first: 1) { totalCount } }",
    "{ me { email unknownField } }",
]


async def test_apollo_composed_supergraph_gives_identical_answers(
    federation: Standalone, router_gql: GraphQLClient
) -> None:
    session = await _seed(router_gql)
    apollo_router = build_router(
        apollo_composed_supergraph(),
        transport=federation.router.transport,
        subgraph_headers=federation.router.subgraph_headers,  # the router channel's secret
    )
    transport = httpx.ASGITransport(app=create_router_app(apollo_router))
    async with httpx.AsyncClient(transport=transport, base_url="http://apollo") as http:
        apollo_gql = GraphQLClient(http)
        for query in READ_QUERIES:
            variables = {"id": session["id"]}
            ours: Response = await router_gql(query, variables, token=session["token"])
            theirs: Response = await apollo_gql(query, variables, token=session["token"])
            assert ours.status == theirs.status, query
            assert ours.data == theirs.data, query
            assert ours.codes == theirs.codes, query
    assert ours.codes == ["GRAPHQL_VALIDATION_FAILED"]
