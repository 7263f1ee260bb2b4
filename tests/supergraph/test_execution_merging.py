"""Entity fetches to one subgraph in one Parallel stage go as one aliased request."""

from __future__ import annotations

from typing import Any

from graphql import SelectionSetNode, parse

from supergraph.execution import execute_plan
from supergraph.execution.merging import merged_operation
from supergraph.plan import Fetch, Flatten, Parallel, QueryPlan, Sequence
from tests.supergraph.fake_transport import FakeTransport


def requires(text: str) -> SelectionSetNode:
    return parse(text).definitions[0].selection_set  # type: ignore[attr-defined]


USER_KEY = requires("{ ... on User { __typename id } }")


def entity_op(field: str) -> str:
    return (
        "query($representations:[_Any!]!)"
        f"{{_entities(representations:$representations){{...on User{{{field}}}}}}}"
    )


ROOT = {
    "data": {
        "tasks": [{"owner": {"__typename": "User", "id": "1"}}],
        "groups": [{"lead": {"__typename": "User", "id": "2"}}],
    }
}


def plan() -> QueryPlan:
    return QueryPlan(
        Sequence(
            (
                Fetch(service="tasks", operation="{ tasks { owner { __typename id } } }"),
                Parallel(
                    (
                        Flatten(
                            ("tasks", "@", "owner"),
                            Fetch(service="users", operation=entity_op("name"), requires=USER_KEY),
                        ),
                        Flatten(
                            ("groups", "@", "lead"),
                            Fetch(service="users", operation=entity_op("email"), requires=USER_KEY),
                        ),
                    )
                ),
            )
        )
    )


def users(body: dict[str, Any]) -> dict:
    variables = body["variables"]
    assert set(variables) == {"representations_0", "representations_1"}
    return {
        "data": {
            "_0": [{"name": f"n{r['id']}"} for r in variables["representations_0"]],
            "_1": [None for _ in variables["representations_1"]],
        },
        "errors": [{"message": "no email", "path": ["_1", 0, "email"]}],
    }


async def test_parallel_entity_fetches_to_one_subgraph_share_a_request() -> None:
    transport = FakeTransport({"tasks": ROOT, "users": users})
    data, errors = await execute_plan(plan(), variables={}, transport=transport)
    assert len(transport.bodies("users")) == 1
    assert data["tasks"][0]["owner"] == {"__typename": "User", "id": "1", "name": "n1"}
    assert data["groups"][0]["lead"] == {"__typename": "User", "id": "2"}
    # The error of the second fetch is placed at its own objects' path, once.
    assert errors == [
        {
            "message": "no email",
            "path": ["groups", 0, "lead", "email"],
            "extensions": {"serviceName": "users"},
        }
    ]


async def test_merging_can_be_turned_off() -> None:
    def separate(body: dict[str, Any]) -> dict:
        count = len(body["variables"]["representations"])
        return {"data": {"_entities": [{"name": "n", "email": "e"}] * count}}

    transport = FakeTransport({"tasks": ROOT, "users": separate})
    data, errors = await execute_plan(
        plan(), variables={}, transport=transport, merge_entity_fetches=False
    )
    assert len(transport.bodies("users")) == 2
    assert errors == []
    assert data["groups"][0]["lead"]["email"] == "e"


def test_merged_operation_aliases_each_entities_and_shares_client_variables() -> None:
    first = (
        "query Q($representations: [_Any!]!, $size: Int) "
        "{ _entities(representations: $representations) { ... on User { avatar(size: $size) } } }"
    )
    merged = merged_operation((first, entity_op("name")))
    assert merged is not None
    assert parse(merged) is not None
    assert "_0: _entities(representations: $representations_0)" in merged
    assert "_1: _entities(representations: $representations_1)" in merged
    assert "$size: Int" in merged
    assert merged_operation((first, "{ users { id } }")) is None


SAME_ROOT = {
    "data": {
        "tasks": [
            {"owner": {"__typename": "User", "id": "1"}},
            {"owner": {"__typename": "User", "id": "2"}},
        ],
        "groups": [{"lead": {"__typename": "User", "id": "2"}}],
    }
}


def same_operation_plan() -> QueryPlan:
    fetch = Fetch(service="users", operation=entity_op("name"), requires=USER_KEY)
    return QueryPlan(
        Sequence(
            (
                Fetch(service="tasks", operation="{ tasks { owner { __typename id } } }"),
                Parallel(
                    (
                        Flatten(("tasks", "@", "owner"), fetch),
                        Flatten(("groups", "@", "lead"), fetch),
                    )
                ),
            )
        )
    )


async def test_fetches_with_one_operation_share_one_entities_list() -> None:
    def users_by_id(body: dict[str, Any]) -> dict:
        reps = body["variables"]["representations"]
        entities = [{"name": f"n{r['id']}"} if r["id"] == "1" else None for r in reps]
        errors = [
            {"message": "hidden", "path": ["_entities", i, "name"]}
            for i, r in enumerate(reps)
            if r["id"] == "2"
        ]
        return {"data": {"_entities": entities}, "errors": errors}

    transport = FakeTransport({"tasks": SAME_ROOT, "users": users_by_id})
    data, errors = await execute_plan(same_operation_plan(), variables={}, transport=transport)
    bodies = transport.bodies("users")
    assert len(bodies) == 1
    # User 2 is asked for once although both fetches need it.
    assert [r["id"] for r in bodies[0]["variables"]["representations"]] == ["1", "2"]
    assert data["tasks"][0]["owner"]["name"] == "n1"
    assert sorted(error["path"] for error in errors) == [
        ["groups", 0, "lead", "name"],
        ["tasks", 1, "owner", "name"],
    ]
