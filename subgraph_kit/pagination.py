"""Relay-style connections shared by every subgraph: opaque cursors, edges, page info."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.federation.schema_directives import Shareable

from subgraph_kit.errors import BadUserInput

__all__ = [
    "Connection",
    "Edge",
    "PageInfo",
    "Position",
    "decode_cursor",
    "decode_position",
    "encode_cursor",
    "page_size",
    "position_values",
]

T = TypeVar("T")

MAX_PAGE_SIZE = 100

Position = tuple[datetime, str]
"""Where a (timestamp, id)-ordered page starts: the last row's timestamp and id."""


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    """The sort-key values a cursor stands for; a bad cursor is a BAD_USER_INPUT error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise BadUserInput("invalid cursor", argument="after") from error
    if not isinstance(values, list):
        raise BadUserInput("invalid cursor", argument="after")
    return values


def position_values(at: datetime, key: str) -> tuple[str, str]:
    """What a (timestamp, id) cursor encodes for a row: see `decode_position`."""
    return at.isoformat(), key


def decode_position(cursor: str | None) -> Position | None:
    """The (aware UTC timestamp, id) a cursor stands for; anything malformed is BAD_USER_INPUT."""
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    if len(values) != 2 or not all(isinstance(value, str) for value in values):
        raise BadUserInput("invalid cursor", argument="after")
    at_text, key = values
    try:
        at = datetime.fromisoformat(at_text)
        if at.tzinfo is None:
            raise ValueError("naive timestamp")
        return at.astimezone(UTC), key
    except (ValueError, OverflowError) as error:
        raise BadUserInput("invalid cursor", argument="after") from error


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
