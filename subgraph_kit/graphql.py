"""Building a subgraph's Strawberry federation schema with the limits every subgraph applies."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import strawberry
from graphql import DocumentNode, GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import MaxTokensLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.types import ExecutionResult

from subgraph_kit.errors import BadUserInput
from subgraph_kit.settings import common_settings

__all__ = ["RefuseNulBytes", "federation_schema"]

MAX_TOKENS = 5_000


def federation_schema(
    *,
    query: type,
    mutation: type | None = None,
    subscription: type | None = None,
    types: Iterable[type] = (),
) -> strawberry.federation.Schema:
    """A Federation v2 schema with depth and token limits (TASKFORGE_MAX_QUERY_DEPTH)."""
    extensions: list[Any] = [
        lambda: QueryDepthLimiter(max_depth=common_settings().max_query_depth),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        RefuseNulBytes,
    ]
    return strawberry.federation.Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=list(types),
        extensions=extensions,
    )


class RefuseNulBytes(SchemaExtension):
    """Refuse any string input holding a NUL byte, which PostgreSQL text cannot store."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        literals = _string_literals(document) if document is not None else []
        if any("\x00" in text for text in [*literals, *_strings(context.variables)]):
            refusal = BadUserInput("string inputs must not contain NUL bytes")
            error = GraphQLError(refusal.message, original_error=refusal)
            context.result = ExecutionResult(data=None, errors=[error])
        yield


def _string_literals(document: DocumentNode) -> list[str]:
    found: list[str] = []

    class _Collect(Visitor):
        def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
            found.append(node.value)

    visit(document, _Collect())
    return found


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
