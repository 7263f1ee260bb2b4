"""Password hashing off the event loop: argon2 in a bounded worker pool that refuses overload."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from subgraph_kit.errors import RateLimited

__all__ = ["PasswordPool"]

T = TypeVar("T")


class PasswordPool:
    """Hash and verify in `workers` threads, at most `capacity` calls running or queued.

    argon2 releases the GIL, so the event loop keeps serving other requests; a call beyond
    the capacity is refused with RATE_LIMITED instead of waiting without bound.
    """

    def __init__(self, *, workers: int = 2, capacity: int = 64) -> None:
        self._hasher = PasswordHasher()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="argon2")
        self.capacity = capacity
        self._in_flight = 0

    async def hash(self, password: str) -> str:
        return await self._run(partial(self._hasher.hash, password))

    async def matches(self, password_hash: str, password: str) -> bool:
        return await self._run(partial(self._verify, password_hash, password))

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    async def _run(self, work: Callable[[], T]) -> T:
        if self._in_flight >= self.capacity:
            raise RateLimited("the server is busy; try again in a moment", retry_after_seconds=1)
        self._in_flight += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, work)
        finally:
            self._in_flight -= 1
