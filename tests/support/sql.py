"""Count the SQL a request runs, ignoring what background loops run on the same engines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["BACKGROUND_TABLES", "counted_statements", "selects"]

# Tables polled by background loops (outbox relays, the due-soon scan, the email sender).
BACKGROUND_TABLES = ("outbox", "processed_events", "tracked_tasks", "pending_emails")


def _is_background(statement: str) -> bool:
    return any(table in statement for table in BACKGROUND_TABLES)


@contextmanager
def counted_statements(engines: Iterable[AsyncEngine]) -> Iterator[list[str]]:
    """Every statement run on `engines` inside the block, except background polling."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not _is_background(statement):
            statements.append(statement)

    sync_engines = [engine.sync_engine for engine in engines]
    for engine in sync_engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        for engine in sync_engines:
            event.remove(engine, "before_cursor_execute", count)


def selects(statements: Iterable[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]
