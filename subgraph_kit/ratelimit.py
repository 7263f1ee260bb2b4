"""Fixed-window counters for rate limits: in-process, or shared through Redis in services mode."""

from __future__ import annotations

import time
from typing import Protocol

from redis.asyncio import Redis

__all__ = ["InMemoryRateLimiter", "RateLimiter", "RedisRateLimiter"]


class RateLimiter(Protocol):
    async def hit(self, key: str) -> int: ...

    async def release(self, key: str) -> None:
        """Give back one hit (an attempt that turned out fine)."""
        ...

    async def reset(self, key: str) -> None: ...


class InMemoryRateLimiter:
    """Counters in this process; right for the single-process mode."""

    def __init__(self, *, window_seconds: int) -> None:
        self.window = window_seconds
        self._counters: dict[str, tuple[float, int]] = {}

    def _current(self, key: str) -> tuple[float, int]:
        started, hits = self._counters.get(key, (0.0, 0))
        if time.monotonic() - started >= self.window:
            return time.monotonic(), 0
        return started, hits

    async def hit(self, key: str) -> int:
        started, hits = self._current(key)
        self._counters[key] = (started, hits + 1)
        return hits + 1

    async def release(self, key: str) -> None:
        started, hits = self._current(key)
        if hits > 0:
            self._counters[key] = (started, hits - 1)

    async def reset(self, key: str) -> None:
        self._counters.pop(key, None)


class RedisRateLimiter:
    """Counters in Redis (INCR + EXPIRE), shared by every instance of a service."""

    def __init__(self, redis: Redis, *, prefix: str, window_seconds: int) -> None:
        self.redis = redis
        self.prefix = f"{prefix}ratelimit:"
        self.window = window_seconds

    async def hit(self, key: str) -> int:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(self.prefix + key)
            pipe.expire(self.prefix + key, self.window, nx=True)
            hits, _ = await pipe.execute()
        return int(hits)

    async def release(self, key: str) -> None:
        await self.redis.eval(_RELEASE, 1, self.prefix + key)

    async def reset(self, key: str) -> None:
        await self.redis.delete(self.prefix + key)


# Decrement, but never below zero or into a key that has already expired.
_RELEASE = """
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
if hits > 0 then redis.call('DECR', KEYS[1]) end
return hits
"""
