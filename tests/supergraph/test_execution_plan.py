"""Executor tests with hand-written plans and a fake transport."""

from __future__ import annotations

import asyncio
from typing import Any

from graphql import SelectionSetNode, build_schema, parse

from supergraph.execution import RequestContext, deep_merge, execute_plan
from supergraph.plan import Fetch, Flatten, Parallel, QueryPlan, Sequence
from supergraph.transport import TransportError
from tests.supergraph.fake_transport import FakeTransport


def requires(text: str) -> SelectionSetNode:
    return parse(text).definitions[0].selection_set  # type: ignore[attr-defined]


ENTITY_OP = (
    "query($representations:[_Any!]!)"
    "{_entities(representations:$representations){...on User{name}}}"
)
USER_KEY = requires("{ ... on User { __typename id } }")


def entities_echo(field: str) -> Any:
    def answer(body: dict[str, Any]) -> dict:
        reps = body["variables"]["representations"]
        return {"data": {"_entities": [{field: f"{field}-{r['id']}"} for r in reps]}}

    return answer


def tasks_then_users(root_data: dict) -> QueryPlan:
    return QueryPlan(
        Sequence(
            (
                Fetch(service="tasks", operation="{ tasks { id owner { __typename id } } }"),
                Flatten(
                    ("tasks", "@", "owner"),
                    Fetch(service="users", operation=ENTITY_OP, requires=USER_KEY),
                ),
            )
        )
    )


async def test_root_fetch_merges_data_and_forwards_headers() -> None:
    transport = FakeTransport({"tasks": {"data": {"tasks": [{"id": "1"}]}}})
    plan = QueryPlan(Fetch(service="tasks", operation="{ tasks { id } }"))
    data, errors = await execute_plan(
        plan,
        variables={},
        transport=transport,
        request_context=RequestContext(headers={"authorization": "Bearer x"}),
    )
    assert data == {"tasks": [{"id": "1"}]}
    assert errors == []
    assert transport.requests[0].headers == {"authorization": "Bearer x"}
    assert transport.requests[0].body == {"query": "{ tasks { id } }", "variables": {}}


async def test_empty_plan_calls_nothing() -> None:
    transport = FakeTransport({})
    assert await execute_plan(QueryPlan(None), variables={}, transport=transport) == ({}, [])
    assert transport.requests == []


async def test_only_used_variables_are_forwarded_with_operation_name() -> None:
    transport = FakeTransport({"tasks": {"data": {"task": None}}})
    plan = QueryPlan(
        Fetch(
            service="tasks",
            operation="query Q($id: ID!) { task(id: $id) { id } }",
            variable_usages=("id",),
            operation_name="Q",
        )
    )
    await execute_plan(plan, variables={"id": "7", "other": 1}, transport=transport)
    assert transport.requests[0].body["variables"] == {"id": "7"}
    assert transport.requests[0].body["operationName"] == "Q"


async def test_entity_fetch_dedups_representations_and_merges_into_every_owner() -> None:
    tasks = {
        "data": {
            "tasks": [
                {"id": "1", "owner": {"__typename": "User", "id": "u1"}},
                {"id": "2", "owner": {"__typename": "User", "id": "u2"}},
                {"id": "3", "owner": {"__typename": "User", "id": "u1"}},
                {"id": "4", "owner": None},
                None,
            ]
        }
    }
    transport = FakeTransport({"tasks": tasks, "users": entities_echo("name")})
    data, errors = await execute_plan(tasks_then_users(tasks), variables={}, transport=transport)
    assert errors == []
    assert transport.bodies("users")[0]["variables"]["representations"] == [
        {"__typename": "User", "id": "u1"},
        {"__typename": "User", "id": "u2"},
    ]
    owners = [t["owner"] if t else None for t in data["tasks"]]
    assert owners == [
        {"__typename": "User", "id": "u1", "name": "name-u1"},
        {"__typename": "User", "id": "u2", "name": "name-u2"},
        {"__typename": "User", "id": "u1", "name": "name-u1"},
        None,
        None,
    ]


async def test_no_representations_means_no_request() -> None:
    transport = FakeTransport({"tasks": {"data": {"tasks": []}}, "users": entities_echo("name")})
    await execute_plan(tasks_then_users({}), variables={}, transport=transport)
    assert transport.bodies("users") == []


async def test_requires_reads_aliases_writes_names_nests_and_skips_missing() -> None:
    key = requires("{ ... on Task { __typename id __tf_1_due: due owner { id } } }")
    root = {
        "data": {
            "tasks": [
                {"__typename": "Task", "id": "1", "__tf_1_due": "d1", "owner": {"id": "u"}},
                {"__typename": "Task", "id": "2", "owner": {"id": "u"}},
                {"__typename": "Task", "id": "3", "__tf_1_due": None, "owner": None},
            ]
        }
    }
    transport = FakeTransport(
        {"tasks": root, "late": {"data": {"_entities": [{"late": True}, {"late": False}]}}}
    )
    plan = QueryPlan(
        Sequence(
            (
                Fetch(service="tasks", operation="{ tasks { __typename id } }"),
                Flatten(("tasks", "@"), Fetch(service="late", operation="x", requires=key)),
            )
        )
    )
    data, errors = await execute_plan(plan, variables={}, transport=transport)
    assert errors == []
    assert transport.bodies("late")[0]["variables"]["representations"] == [
        {"__typename": "Task", "id": "1", "due": "d1", "owner": {"id": "u"}},
        {"__typename": "Task", "id": "3", "due": None, "owner": None},
    ]
    assert [t.get("late") for t in data["tasks"]] == [True, None, False]


async def test_requires_on_interface_matches_implementations_with_schema_and_rewrites() -> None:
    schema = build_schema(
        "interface Node { id: ID! } type User implements Node { id: ID! } "
        "type Query { nodes: [Node] }"
    )
    key = requires("{ ... on Node { __typename id } }")
    transport = FakeTransport(
        {
            "root": {"data": {"nodes": [{"__typename": "User", "id": "1"}]}},
            "meta": {"data": {"_entities": [{"__typename": "Node", "seen": 3}]}},
        }
    )
    plan = QueryPlan(
        Sequence(
            (
                Fetch(service="root", operation="{ nodes { __typename id } }"),
                Flatten(
                    ("nodes", "@"),
                    Fetch(
                        service="meta",
                        operation="x",
                        requires=key,
                        input_rewrites=(("User", "Node"),),
                    ),
                ),
            )
        )
    )
    data, _ = await execute_plan(plan, variables={}, transport=transport, schema=schema)
    assert transport.bodies("meta")[0]["variables"]["representations"] == [
        {"__typename": "Node", "id": "1"}
    ]
    assert data["nodes"] == [{"__typename": "User", "id": "1", "seen": 3}]


async def test_entity_error_paths_are_rewritten_to_client_paths() -> None:
    tasks = {
        "data": {
            "tasks": [
                {"id": "1", "owner": {"__typename": "User", "id": "u1"}},
                {"id": "2", "owner": {"__typename": "User", "id": "u2"}},
            ]
        }
    }
    users = {
        "data": {"_entities": [{"name": "a"}, None]},
        "errors": [
            {"message": "gone", "path": ["_entities", 1, "name"], "extensions": {"code": "X"}},
            {"message": "no path"},
        ],
    }
    transport = FakeTransport({"tasks": tasks, "users": users})
    data, errors = await execute_plan(tasks_then_users(tasks), variables={}, transport=transport)
    assert data["tasks"][0]["owner"]["name"] == "a"
    assert "name" not in data["tasks"][1]["owner"]
    assert errors == [
        {
            "message": "gone",
            "path": ["tasks", 1, "owner", "name"],
            "extensions": {"code": "X", "serviceName": "users"},
        },
        {"message": "no path", "extensions": {"serviceName": "users"}},
    ]


async def test_root_fetch_errors_keep_paths_and_gain_service_name() -> None:
    transport = FakeTransport(
        {"tasks": {"data": {"a": None}, "errors": [{"message": "bad", "path": ["a"]}]}}
    )
    plan = QueryPlan(Fetch(service="tasks", operation="{ a }"))
    data, errors = await execute_plan(plan, variables={}, transport=transport)
    assert data == {"a": None}
    assert errors == [{"message": "bad", "path": ["a"], "extensions": {"serviceName": "tasks"}}]


async def test_failed_entity_subgraph_keeps_partial_data() -> None:
    tasks = {"data": {"tasks": [{"id": "1", "owner": {"__typename": "User", "id": "u1"}}]}}
    transport = FakeTransport(
        {"tasks": tasks, "users": TransportError("SUBREQUEST_HTTP_ERROR", "500: Boom")}
    )
    data, errors = await execute_plan(tasks_then_users(tasks), variables={}, transport=transport)
    assert data == tasks["data"]
    assert errors == [
        {
            "message": "HTTP fetch failed from 'users': 500: Boom",
            "path": ["tasks", 0, "owner"],
            "extensions": {"code": "SUBREQUEST_HTTP_ERROR", "serviceName": "users"},
        }
    ]


async def test_failed_root_fetch_reports_each_root_field() -> None:
    transport = FakeTransport({"tasks": TransportError("SUBREQUEST_HTTP_ERROR", "timed out")})
    plan = QueryPlan(Fetch(service="tasks", operation="{ a: tasks { id } me { id } }"))
    data, errors = await execute_plan(plan, variables={}, transport=transport)
    assert data == {}
    assert [e["path"] for e in errors] == [["a"], ["me"]]
    assert {e["extensions"]["serviceName"] for e in errors} == {"tasks"}


async def test_garbage_responses_become_errors() -> None:
    tasks = {"data": {"tasks": [{"id": "1", "owner": {"__typename": "User", "id": "u1"}}]}}
    for garbage in ({"data": {"_entities": []}}, {"data": [1]}, {"errors": "x"}):
        transport = FakeTransport({"tasks": tasks, "users": garbage})
        data, errors = await execute_plan(
            tasks_then_users(tasks), variables={}, transport=transport
        )
        assert data["tasks"][0]["owner"] == {"__typename": "User", "id": "u1"}
        assert errors[0]["extensions"]["code"] == "SUBREQUEST_MALFORMED_RESPONSE"


async def test_parallel_fetches_run_concurrently() -> None:
    both_started = asyncio.Event()
    started: list[str] = []

    async def send(service: str) -> dict:
        started.append(service)
        if len(started) == 2:
            both_started.set()
        await asyncio.wait_for(both_started.wait(), timeout=2)
        return {"data": {service: 1}}

    class Concurrent(FakeTransport):
        async def send(self, service: str, body: dict, headers: Any, **_: Any) -> dict:  # type: ignore[override]
            return await send(service)

    plan = QueryPlan(
        Parallel((Fetch(service="a", operation="{ a }"), Fetch(service="b", operation="{ b }")))
    )
    data, errors = await execute_plan(plan, variables={}, transport=Concurrent({}))
    assert data == {"a": 1, "b": 1}
    assert errors == []


async def test_flatten_skips_null_lists_and_walks_nested_lists() -> None:
    root = {
        "data": {
            "groups": [
                {"tasks": [{"owner": {"__typename": "User", "id": "u1"}}, None]},
                {"tasks": None},
                None,
                {"tasks": [{"owner": {"__typename": "User", "id": "u2"}}]},
            ]
        }
    }
    transport = FakeTransport({"groups": root, "users": entities_echo("name")})
    plan = QueryPlan(
        Sequence(
            (
                Fetch(service="groups", operation="{ groups { tasks { owner { id } } } }"),
                Flatten(
                    ("groups", "@", "tasks", "@", "owner"),
                    Fetch(service="users", operation=ENTITY_OP, requires=USER_KEY),
                ),
            )
        )
    )
    data, _ = await execute_plan(plan, variables={}, transport=transport)
    assert data["groups"][0]["tasks"][0]["owner"]["name"] == "name-u1"
    assert data["groups"][3]["tasks"][0]["owner"]["name"] == "name-u2"


def test_deep_merge_merges_lists_elementwise_and_keeps_typename() -> None:
    target = {"__typename": "User", "a": {"x": 1}, "items": [{"id": 1}, {"id": 2}], "n": None}
    deep_merge(
        target,
        {"__typename": "Node", "a": {"y": 2}, "items": [{"v": 1}, {"v": 2}, {"v": 3}], "n": 5},
    )
    assert target == {
        "__typename": "User",
        "a": {"x": 1, "y": 2},
        "items": [{"id": 1, "v": 1}, {"id": 2, "v": 2}, {"v": 3}],
        "n": 5,
    }


async def test_objects_no_requires_fragment_applies_to_are_skipped() -> None:
    key = requires("{ ... on Dog { __typename id } }")
    root = {"data": {"pets": [{"__typename": "Cat", "id": "c"}, {"__typename": "Dog", "id": "d"}]}}
    transport = FakeTransport({"root": root, "dogs": {"data": {"_entities": [{"barks": True}]}}})
    plan = QueryPlan(
        Sequence(
            (
                Fetch(service="root", operation="{ pets { __typename id } }"),
                Flatten(("pets", "@"), Fetch(service="dogs", operation="x", requires=key)),
            )
        )
    )
    data, errors = await execute_plan(plan, variables={}, transport=transport)
    assert errors == []
    assert transport.bodies("dogs")[0]["variables"]["representations"] == [
        {"__typename": "Dog", "id": "d"}
    ]
    assert data["pets"][1]["barks"] is True and "barks" not in data["pets"][0]


def test_concrete_typename_replaces_an_interface_name_only() -> None:
    target = {"__typename": "Media", "id": "1"}
    deep_merge(target, {"__typename": "Movie"}, frozenset({"Media"}))
    assert target["__typename"] == "Movie"
    deep_merge(target, {"__typename": "Media"}, frozenset({"Media"}))
    assert target["__typename"] == "Movie"
