"""End to end through build_router: a hand-written supergraph, planner and fake subgraphs."""

from __future__ import annotations

from typing import Any

import pytest

from supergraph.router import Router, build_router
from supergraph.transport import TransportError
from tests.supergraph.fake_transport import FakeTransport

SUPERGRAPH = """
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
{
  query: Query
}

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet,
  type: String, external: Boolean, override: String, usedOverridden: Boolean)
  repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!)
  repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false,
  resolvable: Boolean! = true, isInterfaceObject: Boolean! = false)
  repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import])
  repeatable on SCHEMA

scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }

enum join__Graph {
  TASKS @join__graph(name: "tasks", url: "http://tasks.invalid/graphql")
  USERS @join__graph(name: "users", url: "http://users.invalid/graphql")
}

type Query @join__type(graph: TASKS) @join__type(graph: USERS) {
  tasks: [Task!]! @join__field(graph: TASKS)
  me: User @join__field(graph: USERS)
}

type Task @join__type(graph: TASKS, key: "id") {
  id: ID!
  title: String!
  owner: User
}

type User @join__type(graph: TASKS, key: "id") @join__type(graph: USERS, key: "id") {
  id: ID!
  name: String! @join__field(graph: USERS)
  email: String @join__field(graph: USERS)
}
"""

TASKS = {
    "data": {
        "tasks": [
            {"id": "t1", "title": "Write", "owner": {"__typename": "User", "id": "u1"}},
            {"id": "t2", "title": "Read", "owner": {"__typename": "User", "id": "u1"}},
            {"id": "t3", "title": "Rest", "owner": None},
        ]
    }
}


def users(body: dict[str, Any]) -> dict:
    representations = body["variables"].get("representations")
    if representations is None:
        return {"data": {"me": {"id": "u1", "name": "Ann", "email": None}}}
    # Subgraph operations keep the client's aliases.
    name_key = "who" if "who: name" in body["query"] else "name"
    return {"data": {"_entities": [{name_key: "Ann", "email": "a@x"} for _ in representations]}}


@pytest.fixture
def fake() -> FakeTransport:
    return FakeTransport({"tasks": TASKS, "users": users})


@pytest.fixture
def router(fake: FakeTransport) -> Router:
    return build_router(SUPERGRAPH, transport=fake)


async def test_entity_jump_with_aliases_and_dedup(router: Router, fake: FakeTransport) -> None:
    response = await router.execute("{ tasks { title owner { who: name id } } }")
    assert response == {
        "data": {
            "tasks": [
                {"title": "Write", "owner": {"who": "Ann", "id": "u1"}},
                {"title": "Read", "owner": {"who": "Ann", "id": "u1"}},
                {"title": "Rest", "owner": None},
            ]
        }
    }
    assert [r.service for r in fake.requests] == ["tasks", "users"]
    assert fake.bodies("users")[0]["variables"]["representations"] == [
        {"__typename": "User", "id": "u1"}
    ]


async def test_parallel_roots_with_introspection_and_typename(router: Router) -> None:
    response = await router.execute(
        '{ __typename me { email } q: __type(name: "Task") { name } tasks { id } }'
    )
    assert response == {
        "data": {
            "__typename": "Query",
            "me": {"email": None},
            "q": {"name": "Task"},
            "tasks": [{"id": "t1"}, {"id": "t2"}, {"id": "t3"}],
        }
    }


async def test_users_down_nulls_owner_names_but_keeps_tasks(fake: FakeTransport) -> None:
    fake.responders["users"] = TransportError("SUBREQUEST_HTTP_ERROR", "502: Bad Gateway")
    router = build_router(SUPERGRAPH, transport=fake)
    response = await router.execute("{ tasks { title owner { name } } }")
    assert response["data"] == {
        "tasks": [
            {"title": "Write", "owner": None},
            {"title": "Read", "owner": None},
            {"title": "Rest", "owner": None},
        ]
    }
    first = response["errors"][0]
    assert first["extensions"] == {"code": "SUBREQUEST_HTTP_ERROR", "serviceName": "users"}
    assert first["path"] == ["tasks", 0, "owner"]


async def test_query_plan_is_printed_on_request(router: Router) -> None:
    response = await router.execute("{ tasks { owner { name } } }", extensions={"queryPlan": True})
    plan = response["extensions"]["queryPlan"]
    assert plan.startswith("QueryPlan {")
    assert 'Flatten(path: "tasks.@.owner")' in plan
