"""Relay-style connections shared by every subgraph: opaque cursors, edges, page info."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.federation.schema_directives import Shareable

from subgraph_kit.errors import BadUserInput

__all__ = ["Connection", "Edge", "PageInfo", "decode_cursor", "encode_cursor", "page_size"]

T = TypeVar("T")

MAX_PAGE_SIZE = 100


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """The sort-key values a cursor stands for; a bad cursor is a BAD_USER_INPUT error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as error:
        raise BadUserInput("invalid cursor", argument="after") from error
    if not isinstance(values, list):
        raise BadUserInput("invalid cursor", argument="after")
    return values


def page_size(first: int | None, default: int = 20) -> int:
    if first is None:
        return default
    if first < 0 or first > MAX_PAGE_SIZE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE_SIZE}", argument="first")
    return first


@strawberry.type(directives=[Shareable()])
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(directives=[Shareable()])
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int

    @classmethod
    def build(
        cls,
        rows: Sequence[Any],
        *,
        first: int,
        total_count: int,
        cursor_of: Callable[[Any], Sequence[Any]],
        node_of: Callable[[Any], Any] = lambda row: row,
    ) -> Connection[Any]:
        """Edges for the first `first` of up to first+1 ordered rows; hasNextPage from the rest."""
        page = list(rows[:first])
        edges = [Edge(cursor=encode_cursor(cursor_of(row)), node=node_of(row)) for row in page]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > first,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=total_count,
        )
