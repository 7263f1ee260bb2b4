"""A subgraph's runtime resources: settings, database, tokens, Redis, event bus; started once."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.trace import TracerProvider
from redis.asyncio import Redis

from subgraph_kit.auth import TokenService
from subgraph_kit.db import Database, wait_for_database
from subgraph_kit.events import (
    OUTBOX_KICK_INFO_KEY,
    SOURCE_INFO_KEY,
    EventBus,
    InProcessBus,
    OutboxRelay,
    RedisStreamsBus,
)
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
    bus: EventBus
    relay: OutboxRelay
    redis: Redis | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    owns_bus: bool = True
    # None: the global OpenTelemetry provider, if one is ever configured.
    tracer_provider: TracerProvider | None = None
    _started: bool = False

    @classmethod
    def create(
        cls,
        name: str,
        package: str,
        *,
        settings: ServiceSettings | None = None,
        common: CommonSettings | None = None,
        bus: EventBus | None = None,
    ) -> ServiceRuntime:
        """`bus`: a shared bus (single-process mode); by default Redis Streams when Redis is set."""
        common = common or common_settings()
        settings = settings or service_settings(name, common)
        redis = Redis.from_url(common.redis_url) if common.redis_url else None
        database = Database(settings.database_url)
        chosen_bus = bus or _default_bus(common, redis)
        relay = OutboxRelay(database, chosen_bus, name)
        database.sessionmaker.configure(
            info={SOURCE_INFO_KEY: name, OUTBOX_KICK_INFO_KEY: relay.kick}
        )
        return cls(
            name=name,
            package=package,
            settings=settings,
            common=common,
            database=database,
            tokens=TokenService(common),
            bus=chosen_bus,
            relay=relay,
            redis=redis,
            owns_bus=bus is None,
        )

    def outbox_kick(self) -> None:
        """Wake the outbox relay now (emit already does this after each commit)."""
        self.relay.kick()

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
        if self.owns_bus:
            await self.bus.start()
        await self.relay.start()
        self._started = True
        log.info("%s subgraph ready on %s", self.name, self.database.url.split("@")[-1])

    async def stop(self) -> None:
        await self.relay.stop()
        if self.owns_bus:
            await self.bus.stop()
        if self.redis is not None:
            await self.redis.aclose()
        await self.database.dispose()
        self._started = False


def _default_bus(common: CommonSettings, redis: Redis | None) -> EventBus:
    if redis is None:
        return InProcessBus()
    return RedisStreamsBus(redis, f"{common.redis_key_prefix}events")
