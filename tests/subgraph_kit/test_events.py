"""Events: the outbox commits with the change, the relay publishes in order, idempotent handlers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from subgraph_kit import events
from subgraph_kit.db import Database
from tests.support.backends import Backend, fresh_database_url

metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("text", String))
OUTBOX, PROCESSED = events.event_tables(metadata)


@pytest.fixture
async def database(backend: Backend, tmp_path: Path) -> AsyncIterator[Database]:
    async with fresh_database_url(backend, tmp_path, "events") as url:
        db = Database(url)
        async with db.engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
        try:
            yield db
        finally:
            await db.dispose()


class RecordingBus(events.InProcessBus):
    """An in-process bus that also remembers what was published, and can refuse one event type."""

    def __init__(self, refuse: str | None = None) -> None:
        super().__init__()
        self.published: list[events.Event] = []
        self.refuse = refuse

    async def publish(self, event: events.Event) -> None:
        if event.type == self.refuse:
            raise ConnectionError("bus unavailable")
        self.published.append(event)
        await super().publish(event)


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def emit_note(database: Database, text: str, *, fail: bool = False) -> events.Event:
    async with database.session() as session:
        await session.execute(insert(notes).values(text=text))
        emitted = await events.emit(session, "note.added", {"text": text}, source="tests")
        if fail:
            raise RuntimeError("the change fails after emitting")
    return emitted


async def outbox_rows(database: Database) -> list[dict[str, object]]:
    async with database.session() as session:
        rows = await session.execute(select(OUTBOX).order_by(OUTBOX.c.seq))
        return [dict(row) for row in rows.mappings()]


async def test_emit_writes_the_outbox_in_the_callers_transaction(database: Database) -> None:
    emitted = await emit_note(database, "kept")
    with pytest.raises(RuntimeError):
        await emit_note(database, "rolled back", fail=True)

    rows = await outbox_rows(database)
    assert [row["id"] for row in rows] == [emitted.id]
    assert rows[0]["type"] == "note.added" and rows[0]["payload"] == {"text": "kept"}
    assert rows[0]["sent_at"] is None and rows[0]["source"] == "tests"
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(notes)) == 1


async def test_emit_normalises_the_payload_to_json(database: Database) -> None:
    due = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    async with database.session() as session:
        emitted = await events.emit(session, "task.created", {"due_at": due, "n": 1}, version=2)
    assert emitted.payload == {"due_at": "2030-01-02T03:04:05+00:00", "n": 1}
    assert emitted.version == 2 and len(emitted.id) == 32
    assert emitted.occurred_at.tzinfo is not None
    assert events.Event.from_json(emitted.to_json()) == emitted


async def test_relay_publishes_in_order_and_marks_sent(database: Database) -> None:
    emitted = [await emit_note(database, f"n{i}") for i in range(5)]
    bus = RecordingBus()
    relay = events.OutboxRelay(database, bus, "tests", batch_size=3)

    assert await relay.publish_pending() == 3
    assert await relay.publish_pending() == 2
    assert await relay.publish_pending() == 0

    assert [event.id for event in bus.published] == [event.id for event in emitted]
    assert bus.published == emitted
    assert all(row["sent_at"] is not None for row in await outbox_rows(database))


async def test_a_failed_publish_keeps_the_event_and_everything_after_it(database: Database) -> None:
    first = await emit_note(database, "first")
    async with database.session() as session:
        blocked = await events.emit(session, "note.blocked", {})
    last = await emit_note(database, "last")
    bus = RecordingBus(refuse="note.blocked")
    relay = events.OutboxRelay(database, bus, "tests")

    assert await relay.publish_pending() == 1
    assert await relay.publish_pending() == 0
    assert bus.published == [first]

    bus.refuse = None
    assert await relay.publish_pending() == 2
    assert [event.id for event in bus.published] == [first.id, blocked.id, last.id]


async def test_running_relay_delivers_right_after_commit(database: Database) -> None:
    bus = events.InProcessBus()
    received: list[events.Event] = []

    async def handler(event: events.Event) -> None:
        received.append(event)

    bus.subscribe("reader", handler)
    relay = events.OutboxRelay(database, bus, "tests", poll_interval=30)
    database.sessionmaker.configure(info={events.OUTBOX_KICK_INFO_KEY: relay.kick})
    await relay.start()
    try:
        await asyncio.sleep(0.05)
        emitted = await emit_note(database, "fast")
        await eventually(lambda: len(received) == 1, timeout=2)
    finally:
        await relay.stop()
    assert received == [emitted]


async def test_relay_polls_for_rows_committed_without_a_kick(database: Database) -> None:
    emitted = await emit_note(database, "before the relay started")
    bus = RecordingBus()
    relay = events.OutboxRelay(database, bus, "tests", poll_interval=0.05)
    await relay.start()
    try:
        await eventually(lambda: len(bus.published) == 1)
        later = await emit_note(database, "no kick configured")
        await eventually(lambda: len(bus.published) == 2)
    finally:
        await relay.stop()
    assert bus.published == [emitted, later]


async def test_in_process_bus_delivers_to_each_consumer_with_type_filters() -> None:
    bus = events.InProcessBus()
    seen: dict[str, list[str]] = {"all": [], "tasks": [], "broken": []}

    def recorder(name: str) -> Callable[[events.Event], Awaitable[None]]:
        async def handle(event: events.Event) -> None:
            seen[name].append(event.type)
            if name == "broken":
                raise ValueError("consumer bug")

        return handle

    bus.subscribe("all", recorder("all"))
    bus.subscribe("tasks", recorder("tasks"), types={"task.created"})
    bus.subscribe("broken", recorder("broken"), types=["group.deleted"])

    await bus.publish(_event("task.created"))
    with pytest.raises(events.EventDeliveryError, match="broken"):
        await bus.publish(_event("group.deleted"))

    assert seen == {
        "all": ["task.created", "group.deleted"],
        "tasks": ["task.created"],
        "broken": ["group.deleted"],
    }


async def test_in_process_retries_reach_only_consumers_still_owing_the_event() -> None:
    bus = events.InProcessBus(max_attempts=3)
    calls: dict[str, int] = {"healthy": 0, "flaky": 0, "broken": 0}

    def consumer(name: str, fails: int) -> Callable[[events.Event], Awaitable[None]]:
        async def handle(_event: events.Event) -> None:
            calls[name] += 1
            if calls[name] <= fails:
                raise RuntimeError(f"{name} failed")

        return handle

    bus.subscribe("healthy", consumer("healthy", 0))
    bus.subscribe("flaky", consumer("flaky", 1))
    bus.subscribe("broken", consumer("broken", 99))
    event = _event("task.created")

    with pytest.raises(events.EventDeliveryError, match="flaky, broken"):
        await bus.publish(event)
    with pytest.raises(events.EventDeliveryError, match=r"failed in broken$"):
        await bus.publish(event)
    await bus.publish(event)

    assert calls == {"healthy": 1, "flaky": 2, "broken": 3}
    with pytest.raises(events.EventDeliveryError, match=r"failed in broken$"):
        await bus.publish(_event("task.updated"))
    assert calls == {"healthy": 2, "flaky": 3, "broken": 4}


async def test_idempotent_handler_has_one_effect_per_event(database: Database) -> None:
    calls: list[str] = []

    async def count_note(event: events.Event, session: AsyncSession) -> None:
        calls.append(event.id)
        await session.execute(insert(notes).values(text=event.payload["text"]))
        if event.payload["text"] == "explode":
            raise RuntimeError("handler failed")

    handle = events.idempotent_handler(database, "counter", count_note)
    other = events.idempotent_handler(database, "other-consumer", count_note)
    once = _event("note.added", {"text": "once"})
    await handle(once)
    await handle(once)
    await asyncio.gather(handle(once), handle(once))
    await other(once)

    explode = _event("note.added", {"text": "explode"})
    with pytest.raises(RuntimeError):
        await handle(explode)

    async with database.session() as session:
        texts = list(await session.scalars(select(notes.c.text).order_by(notes.c.id)))
        processed = (
            await session.execute(select(PROCESSED.c.consumer, PROCESSED.c.event_id))
        ).all()
    assert texts == ["once", "once"]
    assert sorted(processed) == [("counter", once.id), ("other-consumer", once.id)]
    assert calls.count(explode.id) == 1


def _event(type: str, payload: dict[str, object] | None = None) -> events.Event:
    return events.Event(
        id=uuid.uuid4().hex,
        type=type,
        version=1,
        occurred_at=datetime.now(UTC),
        payload=dict(payload or {}),
        source="tests",
    )


async def test_pruning_deletes_only_rows_published_long_enough_ago(database: Database) -> None:
    old, recent = await emit_note(database, "old"), await emit_note(database, "recent")
    unsent = await emit_note(database, "unsent")
    now = datetime.now(UTC)
    async with database.session() as session:
        for emitted, sent_at in [(old, now - timedelta(days=9)), (recent, now)]:
            await session.execute(
                update(OUTBOX).where(OUTBOX.c.id == emitted.id).values(sent_at=sent_at)
            )
    relay = events.OutboxRelay(database, RecordingBus(), "tests")

    assert await relay.prune_sent(sent_before=now - timedelta(days=7)) == 1
    assert [row["id"] for row in await outbox_rows(database)] == [recent.id, unsent.id]


async def test_handlers_may_write_the_same_database_while_the_relay_publishes(
    database: Database,
) -> None:
    """Single-process mode: consumers run inside publish, and may write the relay's database."""
    for n in range(3):
        await emit_note(database, f"n{n}")
    bus = events.InProcessBus()

    async def write_elsewhere(event: events.Event) -> None:
        if event.payload["text"] != "follow-up":
            await emit_note(database, "follow-up")

    bus.subscribe("writer", write_elsewhere)
    relay = events.OutboxRelay(database, bus, "tests")

    assert await relay.publish_pending() == 3
    assert await relay.publish_pending() == 3
    assert await relay.publish_pending() == 0
    assert all(row["sent_at"] is not None for row in await outbox_rows(database))
