"""Building a subgraph's Strawberry federation schema with the limits every subgraph applies."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import strawberry
from graphql import DocumentNode, GraphQLError, StringValueNode, Visitor, visit
from strawberry.extensions import MaxTokensLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.types import ExecutionResult

from subgraph_kit.errors import BadUserInput
from subgraph_kit.settings import common_settings

__all__ = ["AwareDateTime", "RefuseNulBytes", "federation_schema"]

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
        scalar_overrides={datetime: AwareDateTime},
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


def _parse_aware_datetime(value: object) -> datetime:
    """An ISO 8601 instant with a UTC offset, within what every database stores."""
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO 8601 string")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError("DateTime needs a UTC offset, e.g. 2030-01-31T09:00:00Z")
    if not _EARLIEST <= parsed <= _LATEST:
        raise ValueError("DateTime must be between the years 1900 and 9999")
    return parsed.astimezone(UTC)


_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC) - timedelta(days=1)

AwareDateTime = strawberry.scalar(
    datetime,
    name="DateTime",
    description="Date with time (isoformat)",
    serialize=datetime.isoformat,
    parse_value=_parse_aware_datetime,
)
"""Every subgraph's DateTime: a naive or out-of-range input is BAD_USER_INPUT, not a 500."""
