"""Demand control: @cost/@listSize estimates, refusal above the limit, estimate on request."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

from supergraph.composition import SubgraphDefinition, compose
from supergraph.edge.cost import estimate_cost, read_cost_rules
from supergraph.loading import load_supergraph
from tests.supergraph.edge_fixtures import edge_app
from tests.supergraph.fake_transport import FakeTransport

SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9",
  import: ["@key", "@cost", "@listSize"])
type Query {
  users(first: Int): [User!]! @listSize(slicingArguments: ["first"])
  tags: [String!]!
  search(limit: Int): Page @listSize(slicingArguments: ["limit"], sizedFields: ["items"])
  report: Report
}
type Mutation { touch: Int }
type Page { items: [User!]! total: Int }
type User @key(fields: "id") { id: ID! name: String! avatar: String @cost(weight: 5) }
type Report @cost(weight: 50) { size: Int }
"""

SUPERGRAPH = compose([SubgraphDefinition("users", "http://users/graphql", SDL)])
API = load_supergraph(SUPERGRAPH).api_schema
RULES = read_cost_rules(SUPERGRAPH, default_list_size=10)


def _estimate(query: str, variables: dict[str, Any] | None = None) -> int:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return estimate_cost(API, operation, fragments, RULES, variables or {})


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        ("{ users(first: 3) { id name } }", None, 3),
        ("query($n: Int) { users(first: $n) { id avatar } }", {"n": 4}, 4 * (1 + 5)),
        ("{ users { id } }", None, 10),
        ("{ tags }", None, 0),
        ("{ search(limit: 7) { items { avatar } total } }", None, 1 + 7 * 6),
        ("{ report { size } }", None, 50),
        ("mutation { touch }", None, 10),
        ("{ ...F } fragment F on Query { users(first: 2) { avatar } }", None, 12),
    ],
)
def test_estimates_follow_cost_and_list_size(
    query: str, variables: dict[str, Any] | None, expected: int
) -> None:
    assert _estimate(query, variables) == expected


def test_rules_are_read_from_linked_directives() -> None:
    assert RULES.field_weights == {"User.avatar": 5}
    assert RULES.type_weights == {"Report": 50}
    assert RULES.list_sizes["Query.search"].sized_fields == ("items",)


def _users(body: dict[str, Any]) -> dict:
    return {"data": {"users": [{"id": "1", "name": "Ann"}]}}


async def test_operations_above_the_limit_are_refused_before_any_subgraph_call() -> None:
    edge = edge_app(FakeTransport({"users": _users}), SUPERGRAPH, max_cost=20)
    async with edge.client() as client:
        cheap = await client.post("/graphql", json={"query": "{ users(first: 20) { id } }"})
        costly = await client.post("/graphql", json={"query": "{ users(first: 21) { id } }"})
    assert cheap.json() == {"data": {"users": [{"id": "1"}]}}
    error = costly.json()["errors"][0]
    assert error["extensions"] == {
        "code": "COST_ESTIMATED_TOO_EXPENSIVE",
        "cost": {"estimated": 21, "max": 20},
    }
    assert len(edge.transport.requests) == 1


async def test_the_estimate_is_reported_when_asked() -> None:
    edge = edge_app(FakeTransport({"users": _users}), SUPERGRAPH)
    async with edge.client() as client:
        by_header = await client.post(
            "/graphql",
            json={"query": "{ users(first: 2) { id } }"},
            headers={"x-taskforge-cost": "true"},
        )
        by_extension = await client.post(
            "/graphql",
            json={"query": "{ users(first: 2) { id } }", "extensions": {"cost": True}},
        )
        silent = await client.post("/graphql", json={"query": "{ users(first: 2) { id } }"})
    assert by_header.json()["extensions"] == {"cost": {"estimated": 2, "max": None}}
    assert by_extension.json()["extensions"]["cost"]["estimated"] == 2
    assert "extensions" not in silent.json()
