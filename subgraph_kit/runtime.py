"""A subgraph's runtime resources: settings, database, tokens, Redis, rate limiter; started once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from subgraph_kit.auth import TokenService
from subgraph_kit.db import Database, wait_for_database
from subgraph_kit.migrations import migrate
from subgraph_kit.ratelimit import InMemoryRateLimiter, RateLimiter, RedisRateLimiter
from subgraph_kit.settings import CommonSettings, ServiceSettings, common_settings, service_settings

__all__ = ["ServiceRuntime"]

log = logging.getLogger(__name__)


@dataclass
class ServiceRuntime:
    """Everything one subgraph needs at run time; `start` waits for the DB and migrates it."""

    name: str
    package: str
    settings: ServiceSettings
    common: CommonSettings
    database: Database
    tokens: TokenService
    redis: Redis | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    _started: bool = False

    @classmethod
    def create(
        cls,
        name: str,
        package: str,
        *,
        settings: ServiceSettings | None = None,
        common: CommonSettings | None = None,
    ) -> ServiceRuntime:
        common = common or common_settings()
        settings = settings or service_settings(name)
        redis = Redis.from_url(common.redis_url) if common.redis_url else None
        return cls(
            name=name,
            package=package,
            settings=settings,
            common=common,
            database=Database(settings.database_url),
            tokens=TokenService(common),
            redis=redis,
        )

    def rate_limiter(self, scope: str, *, window_seconds: int) -> RateLimiter:
        if self.redis is not None:
            prefix = f"{self.common.redis_key_prefix}{self.name}:{scope}:"
            return RedisRateLimiter(self.redis, prefix=prefix, window_seconds=window_seconds)
        return InMemoryRateLimiter(window_seconds=window_seconds)

    async def start(self) -> None:
        if self._started:
            return
        await wait_for_database(self.database, timeout=self.settings.db_connect_timeout_seconds)
        await migrate(self.database, self.package)
        self._started = True
        log.info("%s subgraph ready on %s", self.name, self.database.url.split("@")[-1])

    async def stop(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
        await self.database.dispose()
        self._started = False
