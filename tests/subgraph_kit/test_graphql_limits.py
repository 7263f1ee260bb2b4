"""The limits every subgraph schema gets from subgraph_kit: query depth and token count."""

from __future__ import annotations

import strawberry

from subgraph_kit.app import error_code_for
from subgraph_kit.graphql import federation_schema


@strawberry.type
class Node:
    name: str

    @strawberry.field
    def child(self) -> Node:
        return Node(name=self.name + "+")


@strawberry.type
class Query:
    @strawberry.field
    def root(self) -> Node:
        return Node(name="r")


schema = federation_schema(query=Query)


def _nested(depth: int) -> str:
    return "{ root " + "{ child " * depth + "{ name }" + " }" * depth + " }"


async def test_queries_within_the_depth_limit_run() -> None:
    result = await schema.execute(_nested(10))
    assert result.errors is None


async def test_queries_beyond_the_depth_limit_are_validation_errors() -> None:
    result = await schema.execute(_nested(30))
    assert result.data is None
    assert result.errors
    assert "exceeds maximum operation depth" in result.errors[0].message
    assert error_code_for(result.errors[0]) == "GRAPHQL_VALIDATION_FAILED"


async def test_queries_with_too_many_tokens_are_refused() -> None:
    result = await schema.execute("{ " + " ".join(f"a{n}: __typename" for n in range(3000)) + " }")
    assert result.data is None
    assert result.errors
