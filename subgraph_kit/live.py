"""Live fan-out for GraphQL subscriptions: publish a message on a topic, stream a topic's messages.

Unlike the event bus, nothing here is durable: a subscriber gets what is published while it
listens. `InProcessLiveChannel` serves the single-process mode; `RedisLiveChannel` uses Redis
pub/sub so any instance of a subgraph can serve any subscriber.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, Protocol

import orjson
from redis.asyncio import Redis

__all__ = ["InProcessLiveChannel", "LiveChannel", "RedisLiveChannel", "create_live_channel"]

Message = dict[str, Any]

# A subscriber slower than this many messages loses the oldest rather than stalling publishers.
_QUEUE_LIMIT = 1000


class LiveChannel(Protocol):
    """Topics of JSON messages; `listen` yields each message published after it started."""

    async def publish(self, topic: str, message: Message) -> None: ...

    def listen(self, topic: str) -> AsyncIterator[Message]: ...

    async def listener_count(self, topic: str) -> int: ...


class InProcessLiveChannel:
    """Fan-out to listeners of this process, one bounded queue per listener."""

    def __init__(self) -> None:
        self._listeners: dict[str, set[asyncio.Queue[Message]]] = {}

    async def publish(self, topic: str, message: Message) -> None:
        for queue in list(self._listeners.get(topic, ())):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)

    async def listener_count(self, topic: str) -> int:
        return len(self._listeners.get(topic, ()))

    async def listen(self, topic: str) -> AsyncIterator[Message]:
        queue: asyncio.Queue[Message] = asyncio.Queue(maxsize=_QUEUE_LIMIT)
        self._listeners.setdefault(topic, set()).add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            listeners = self._listeners.get(topic, set())
            listeners.discard(queue)
            if not listeners:
                self._listeners.pop(topic, None)


class RedisLiveChannel:
    """Redis pub/sub; each listener holds its own subscription, keys are `prefix + topic`."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    async def publish(self, topic: str, message: Message) -> None:
        await self.redis.publish(self.prefix + topic, orjson.dumps(message))

    async def listener_count(self, topic: str) -> int:
        """Listeners across every instance (PUBSUB NUMSUB)."""
        counts = await self.redis.pubsub_numsub(self.prefix + topic)
        return int(counts[0][1]) if counts else 0

    async def listen(self, topic: str) -> AsyncIterator[Message]:
        pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self.prefix + topic)
        try:
            async for received in pubsub.listen():
                if received.get("type") == "message":
                    yield orjson.loads(received["data"])
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe()
            await pubsub.aclose()


def create_live_channel(redis: Redis | None, prefix: str) -> LiveChannel:
    """Redis pub/sub when the service has Redis, otherwise in-process fan-out."""
    if redis is None:
        return InProcessLiveChannel()
    return RedisLiveChannel(redis, prefix)
