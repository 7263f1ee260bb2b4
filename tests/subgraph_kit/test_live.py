"""Live channels: in-process and Redis pub/sub fan-out to every listener of a topic, only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from subgraph_kit.live import LiveChannel, create_live_channel
from tests.support.backends import Backend


@pytest.fixture
async def channel(backend: Backend, redis_prefix: str) -> AsyncIterator[LiveChannel]:
    redis = Redis.from_url(backend.redis_url) if backend.redis_url else None
    yield create_live_channel(redis, redis_prefix)
    if redis is not None:
        await redis.aclose()


async def _first(listener: AsyncIterator[dict[str, object]]) -> dict[str, object]:
    return await asyncio.wait_for(anext(listener), timeout=5)


async def _wait_for_listeners(channel: LiveChannel, topic: str, count: int) -> None:
    for _ in range(500):
        if await channel.listener_count(topic) == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{topic} never had {count} listeners")


async def test_every_listener_of_a_topic_gets_each_message(channel: LiveChannel) -> None:
    one, two, elsewhere = channel.listen("a"), channel.listen("a"), channel.listen("b")
    firsts = [asyncio.create_task(_first(listener)) for listener in (one, two)]
    other = asyncio.create_task(_first(elsewhere))
    await _wait_for_listeners(channel, "a", 2)
    await _wait_for_listeners(channel, "b", 1)

    await channel.publish("a", {"n": 1})

    assert await asyncio.gather(*firsts) == [{"n": 1}, {"n": 1}]
    assert not other.done()
    other.cancel()
    await asyncio.gather(other, return_exceptions=True)
    for listener in (one, two, elsewhere):
        await listener.aclose()  # type: ignore[attr-defined]
    await _wait_for_listeners(channel, "a", 0)
    await _wait_for_listeners(channel, "b", 0)
