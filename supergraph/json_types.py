"""The JSON shapes the router passes between its stages: objects, GraphQL responses, errors."""

from __future__ import annotations

from typing import Any, TypeAlias

__all__ = ["GraphQLResponse", "JSONError", "JSONList", "JSONObject", "ResponsePath"]

# Values are whatever orjson parsed (or a subgraph may send): any JSON type, hence Any.
JSONObject: TypeAlias = dict[str, Any]
JSONList: TypeAlias = list[Any]
# A GraphQL response as JSON: "data" (object or null), "errors", optional "extensions".
GraphQLResponse: TypeAlias = dict[str, Any]
# One GraphQL error as JSON: "message", optional "path", "locations" and "extensions".
JSONError: TypeAlias = dict[str, Any]
# A position in response data: field response keys and list indices.
ResponsePath: TypeAlias = tuple[str | int, ...]
