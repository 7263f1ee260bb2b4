"""Building a subgraph's Strawberry federation schema with the limits every subgraph applies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry.extensions import MaxTokensLimiter, QueryDepthLimiter

from subgraph_kit.settings import common_settings

__all__ = ["federation_schema"]

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
    ]
    return strawberry.federation.Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=list(types),
        extensions=extensions,
    )
