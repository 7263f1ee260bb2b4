"""The Redis Streams bus: consumer groups, acknowledgement, reclaiming what a dead consumer left."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from redis.asyncio import Redis

from subgraph_kit import events
from tests.support.backends import Backend

pytestmark = pytest.mark.redis_only


@pytest.fixture
async def redis(backend: Backend, redis_prefix: str) -> AsyncIterator[Redis]:
    assert backend.redis_url is not None
    client = Redis.from_url(backend.redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def stream(redis_prefix: str) -> str:
    return f"{redis_prefix}events"


def make_bus(redis: Redis, stream: str, name: str, **options: int) -> events.RedisStreamsBus:
    options.setdefault("block_ms", 50)
    return events.RedisStreamsBus(redis, stream, consumer_name=name, **options)


def recorder(into: list[events.Event]) -> Callable[[events.Event], Awaitable[None]]:
    async def handle(event: events.Event) -> None:
        into.append(event)

    return handle


def _event(type: str = "task.created", n: int = 0) -> events.Event:
    return events.Event(
        id=uuid.uuid4().hex,
        type=type,
        version=1,
        occurred_at=datetime.now(UTC),
        payload={"n": n},
        source="tests",
    )


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def pending_count(redis: Redis, stream: str, group: str) -> int:
    summary = await redis.xpending(stream, group)
    return int(summary["pending"])


async def drained(redis: Redis, stream: str, group: str, timeout: float = 5.0) -> bool:
    """Whether every message of `group` gets acknowledged within `timeout` seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while await pending_count(redis, stream, group):
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def test_every_consumer_group_gets_every_event_in_order(redis: Redis, stream: str) -> None:
    bus = make_bus(redis, stream, "one")
    notifications: list[events.Event] = []
    tasks: list[events.Event] = []
    bus.subscribe("notifications", recorder(notifications))
    bus.subscribe("tasks", recorder(tasks), types={"group.deleted"})
    await bus.start()
    try:
        published = [_event("task.created", n) for n in range(5)] + [_event("group.deleted")]
        for event in published:
            await bus.publish(event)
        await eventually(lambda: len(notifications) == 6 and len(tasks) == 1)
        assert await drained(redis, stream, "notifications")
        assert await drained(redis, stream, "tasks")
    finally:
        await bus.stop()
    assert notifications == published
    assert tasks == published[-1:]


async def test_a_group_started_later_still_sees_earlier_events(redis: Redis, stream: str) -> None:
    producer = make_bus(redis, stream, "producer")
    early = _event("user.registered")
    await producer.publish(early)
    consumer = make_bus(redis, stream, "late")
    seen: list[events.Event] = []
    consumer.subscribe("groups", recorder(seen))
    await consumer.start()
    try:
        await eventually(lambda: seen == [early])
    finally:
        await consumer.stop()


async def test_replicas_of_one_consumer_share_the_work(redis: Redis, stream: str) -> None:
    seen: list[events.Event] = []
    replicas = [make_bus(redis, stream, f"replica-{n}") for n in range(2)]
    for replica in replicas:
        replica.subscribe("notifications", recorder(seen))
        await replica.start()
    try:
        published = [_event(n=n) for n in range(20)]
        for event in published:
            await replicas[0].publish(event)
        await eventually(lambda: len(seen) >= 20)
        await asyncio.sleep(0.2)
    finally:
        for replica in replicas:
            await replica.stop()
    assert sorted(event.id for event in seen) == sorted(event.id for event in published)


async def test_a_message_a_dead_consumer_left_pending_is_reclaimed(
    redis: Redis, stream: str
) -> None:
    bus = make_bus(redis, stream, "survivor", claim_idle_ms=200)
    await bus.ensure_group("notifications")
    lost = _event("task.assigned")
    await bus.publish(lost)
    taken = await redis.xreadgroup("notifications", "crashed", {stream: ">"}, count=10)
    assert len(taken[0][1]) == 1
    assert await pending_count(redis, stream, "notifications") == 1

    seen: list[events.Event] = []
    bus.subscribe("notifications", recorder(seen))
    await bus.start()
    try:
        await eventually(lambda: seen == [lost])
        assert await drained(redis, stream, "notifications")
    finally:
        await bus.stop()


async def test_a_failed_handler_leaves_the_message_pending_and_retries_it(
    redis: Redis, stream: str
) -> None:
    bus = make_bus(redis, stream, "flaky", claim_idle_ms=100)
    attempts: list[str] = []

    async def flaky(event: events.Event) -> None:
        attempts.append(event.id)
        if len(attempts) == 1:
            raise RuntimeError("database briefly down")

    bus.subscribe("notifications", flaky)
    await bus.start()
    try:
        event = _event()
        await bus.publish(event)
        await eventually(lambda: len(attempts) == 1)
        assert await pending_count(redis, stream, "notifications") == 1
        await eventually(lambda: len(attempts) == 2)
        assert await drained(redis, stream, "notifications")
    finally:
        await bus.stop()
    assert attempts == [event.id, event.id]


async def test_a_restarted_consumer_finishes_its_own_pending_messages(
    redis: Redis, stream: str
) -> None:
    bus = make_bus(redis, stream, "stable-name")
    await bus.ensure_group("notifications")
    event = _event()
    await bus.publish(event)
    await redis.xreadgroup("notifications", "stable-name", {stream: ">"}, count=10)

    seen: list[events.Event] = []
    bus.subscribe("notifications", recorder(seen))
    await bus.start()
    try:
        await eventually(lambda: seen == [event])
    finally:
        await bus.stop()


async def test_a_message_that_keeps_failing_is_dead_lettered(redis: Redis, stream: str) -> None:
    bus = make_bus(redis, stream, "unlucky", claim_idle_ms=50, max_deliveries=3)
    attempts: list[str] = []

    async def always_fails(event: events.Event) -> None:
        attempts.append(event.id)
        raise RuntimeError("poison")

    bus.subscribe("notifications", always_fails)
    await bus.start()
    try:
        poison = _event()
        await bus.publish(poison)
        for _ in range(250):
            if await redis.xlen(bus.dead_letter_key):
                break
            await asyncio.sleep(0.02)
        assert await drained(redis, stream, "notifications")
    finally:
        await bus.stop()
    assert attempts == [poison.id] * 3
    dead = await redis.xrange(bus.dead_letter_key)
    assert len(dead) == 1
    assert events.Event.from_json(dead[0][1][b"event"]) == poison
    assert dead[0][1][b"consumer"] == b"notifications"
