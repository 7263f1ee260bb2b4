"""Sharing one run of identical in-flight work (subgraph fetches, client queries) among callers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

__all__ = ["TRACING_HEADERS", "Inflight"]

V = TypeVar("V")

# Per-request headers that never change an answer: left out of de-duplication keys.
TRACING_HEADERS = frozenset({"traceparent", "tracestate", "x-request-id", "baggage"})


class Inflight(Generic[V]):
    """Callers with the same key while a call is running await that call instead of a new one.

    The call runs as its own task, so a leader that is cancelled (its client went away) does
    not cancel the followers' answer. Results are shared, never cached past completion.
    """

    def __init__(self) -> None:
        self._calls: dict[Hashable, asyncio.Future[V]] = {}

    def __len__(self) -> int:
        return len(self._calls)

    async def run(self, key: Hashable, call: Callable[[], Awaitable[V]]) -> tuple[V, bool]:
        """Return the call's value and whether it was shared from an earlier caller's run."""
        running = self._calls.get(key)
        if running is not None:
            return await asyncio.shield(running), True
        task = asyncio.ensure_future(call())
        self._calls[key] = task
        task.add_done_callback(lambda _: self._calls.pop(key, None))
        return await asyncio.shield(task), False
