"""A tiny API schema, hand-written plans and a fake-transport Router for router/HTTP tests."""

from __future__ import annotations

from typing import Any

from graphql import DocumentNode, OperationDefinitionNode, build_schema, parse

from supergraph.plan import Fetch, Flatten, PlanNode, QueryPlan, Sequence
from supergraph.router import Router
from tests.supergraph.fake_transport import FakeTransport

__all__ = ["SCHEMA", "CountingPlanner", "make_router", "users_answer"]

SCHEMA = build_schema(
    """
    type User { id: ID! name: String! email: String }
    type Task { id: ID! title: String! owner: User }
    type Query { me: User, task(id: ID!): Task, tasks: [Task!]! }
    type Mutation { rename(name: String!): User }
    """
)

ENTITY_OP = (
    "query($representations:[_Any!]!)"
    "{_entities(representations:$representations){...on User{name}}}"
)
USER_KEY = parse("{ ... on User { __typename id } }").definitions[0].selection_set  # type: ignore[attr-defined]

# Root field -> the plan node fetching it (tasks also jump to users for owner names).
ROOT_NODES: dict[str, PlanNode] = {
    "me": Fetch(service="users", operation="{ me { id name email } }"),
    "task": Fetch(
        service="tasks",
        operation="query($id: ID!) { task(id: $id) { id title } }",
        variable_usages=("id",),
    ),
    "tasks": Sequence(
        (
            Fetch(service="tasks", operation="{ tasks { id title owner { __typename id } } }"),
            Flatten(
                ("tasks", "@", "owner"),
                Fetch(service="users", operation=ENTITY_OP, requires=USER_KEY),
            ),
        )
    ),
    "rename": Fetch(
        service="users",
        operation="mutation($name: String!) { rename(name: $name) { id name } }",
        operation_kind="mutation",
        variable_usages=("name",),
    ),
}


class CountingPlanner:
    """Plans by root field names with :data:`ROOT_NODES`; counts how often it is asked."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, document: DocumentNode, operation_name: str | None) -> QueryPlan:
        self.calls += 1
        operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        nodes = [
            ROOT_NODES[s.name.value]  # type: ignore[attr-defined]
            for s in operation.selection_set.selections
            if s.name.value in ROOT_NODES  # type: ignore[attr-defined]
        ]
        if not nodes:
            return QueryPlan(None)
        return QueryPlan(nodes[0] if len(nodes) == 1 else Sequence(tuple(nodes)))


def users_answer(body: dict[str, Any]) -> dict:
    """The users subgraph: ``me``, ``rename`` and ``_entities`` for User."""
    variables = body["variables"]
    if "representations" in variables:
        names = {"u1": "Ann", "u2": "Bob"}
        return {
            "data": {
                "_entities": [{"name": names.get(r["id"])} for r in variables["representations"]]
            }
        }
    if "rename" in body["query"]:
        return {"data": {"rename": {"id": "u1", "name": variables["name"]}}}
    return {"data": {"me": {"id": "u1", "name": "Ann", "email": None}}}


TASKS = {
    "data": {
        "tasks": [
            {"id": "t1", "title": "Write", "owner": {"__typename": "User", "id": "u1"}},
            {"id": "t2", "title": "Read", "owner": {"__typename": "User", "id": "u2"}},
            {"id": "t3", "title": "Rest", "owner": None},
        ]
    }
}


def make_router(**responders: Any) -> tuple[Router, FakeTransport, CountingPlanner]:
    """A Router over :data:`SCHEMA` with fake ``users``/``tasks`` subgraphs."""
    transport = FakeTransport({"users": users_answer, "tasks": TASKS, **responders})
    planner = CountingPlanner()
    return Router(SCHEMA, planner, transport), transport, planner
