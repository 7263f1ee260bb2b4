"""Durable domain events: the Event record, the transactional outbox, its relay, buses, idempotency.

A state change calls `emit(session, type, payload)` inside its own transaction; the row lands in
the subgraph's `outbox` table and commits (or rolls back) with the change. `OutboxRelay` publishes
unsent rows in order to an `EventBus` and marks them sent, so delivery is at least once; consumers
wrap their handlers in `idempotent_handler` so an event delivered twice has one effect.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import orjson
from redis.asyncio import Redis
from redis.exceptions import ResponseError
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    delete,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from subgraph_kit.db import Database, UTCDateTime, utcnow

__all__ = [
    "OUTBOX_KICK_INFO_KEY",
    "SOURCE_INFO_KEY",
    "Event",
    "EventBus",
    "EventDeliveryError",
    "EventHandler",
    "InProcessBus",
    "OutboxRelay",
    "RedisStreamsBus",
    "create_event_tables",
    "drop_event_tables",
    "emit",
    "event_tables",
    "idempotent_handler",
]

log = logging.getLogger(__name__)

SOURCE_INFO_KEY = "taskforge_event_source"
OUTBOX_KICK_INFO_KEY = "taskforge_outbox_kick"
_KICK_REGISTERED = "taskforge_outbox_kick_registered"

EventHandler = Callable[["Event"], Awaitable[None]]
SessionHandler = Callable[["Event", AsyncSession], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Event:
    """One domain event; `payload` holds JSON values only (datetimes travel as ISO-8601 strings)."""

    id: str
    type: str
    version: int
    occurred_at: datetime
    payload: dict[str, Any]
    source: str

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "id": self.id,
                "type": self.type,
                "version": self.version,
                "occurred_at": self.occurred_at.isoformat(),
                "payload": self.payload,
                "source": self.source,
            }
        )

    @classmethod
    def from_json(cls, raw: bytes | str) -> Event:
        data = orjson.loads(raw)
        return cls(
            id=data["id"],
            type=data["type"],
            version=int(data["version"]),
            occurred_at=datetime.fromisoformat(data["occurred_at"]),
            payload=data["payload"],
            source=data["source"],
        )


# ---------------------------------------------------------------- tables

_kit_metadata = MetaData()

_OUTBOX = Table(
    "outbox",
    _kit_metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("id", String(32), nullable=False, unique=True),
    Column("type", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("source", String(50), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    Index(
        "ix_outbox_unsent",
        "seq",
        postgresql_where=Column("sent_at").is_(None),
        sqlite_where=Column("sent_at").is_(None),
    ),
)

_PROCESSED = Table(
    "processed_events",
    _kit_metadata,
    Column("consumer", String(100), nullable=False),
    Column("event_id", String(32), nullable=False),
    Column("processed_at", UTCDateTime(), nullable=False),
    PrimaryKeyConstraint("consumer", "event_id"),
)


def event_tables(metadata: MetaData) -> tuple[Table, Table]:
    """Add the kit's `outbox` and `processed_events` tables to a subgraph's metadata."""
    return _OUTBOX.to_metadata(metadata), _PROCESSED.to_metadata(metadata)


def create_event_tables(op: Any) -> None:
    """Create the kit tables from an alembic migration (`op` is `alembic.op`)."""
    import sqlalchemy as sa

    op.create_table(
        "outbox",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("id", sa.String(32), nullable=False, unique=True),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("source", sa.String(50), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_outbox_unsent",
        "outbox",
        ["seq"],
        postgresql_where=sa.text("sent_at IS NULL"),
        sqlite_where=sa.text("sent_at IS NULL"),
    )
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(32), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )


def drop_event_tables(op: Any) -> None:
    op.drop_table("processed_events")
    op.drop_index("ix_outbox_unsent", "outbox")
    op.drop_table("outbox")


# ---------------------------------------------------------------- emitting


async def emit(
    session: AsyncSession,
    type: str,
    payload: dict[str, Any],
    *,
    version: int = 1,
    source: str | None = None,
) -> Event:
    """Write an event to the outbox in the caller's transaction; it is published after commit."""
    created = Event(
        id=uuid.uuid4().hex,
        type=type,
        version=version,
        occurred_at=utcnow(),
        payload=orjson.loads(orjson.dumps(payload)),
        source=source or str(session.info.get(SOURCE_INFO_KEY, "")),
    )
    await session.execute(
        insert(_OUTBOX).values(
            id=created.id,
            type=created.type,
            version=created.version,
            occurred_at=created.occurred_at,
            payload=created.payload,
            source=created.source,
        )
    )
    _kick_after_commit(session)
    return created


def _kick_after_commit(session: AsyncSession) -> None:
    """Wake the relay as soon as the transaction commits, instead of waiting for its next poll."""
    kick = session.info.get(OUTBOX_KICK_INFO_KEY)
    if kick is None or session.info.get(_KICK_REGISTERED):
        return
    session.info[_KICK_REGISTERED] = True

    def after_commit(_session: Session) -> None:
        session.info.pop(_KICK_REGISTERED, None)
        kick()

    def after_rollback(_session: Session) -> None:
        session.info.pop(_KICK_REGISTERED, None)

    event.listen(session.sync_session, "after_commit", after_commit, once=True)
    event.listen(session.sync_session, "after_soft_rollback", after_rollback, once=True)


def idempotent_handler(database: Database, consumer: str, handler: SessionHandler) -> EventHandler:
    """Run `handler(event, session)` at most once per (consumer, event id).

    The handler's writes and the `processed_events` row commit in one transaction, so a crash
    either keeps both or neither; a redelivered event finds the row and is skipped.
    """

    async def handle(received: Event) -> None:
        async with database.session() as session:
            if not await _claim(session, consumer, received.id):
                log.debug("%s: event %s already processed", consumer, received.id)
                return
            await handler(received, session)

    return handle


async def _claim(session: AsyncSession, consumer: str, event_id: str) -> bool:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(_PROCESSED)
        .values(consumer=consumer, event_id=event_id, processed_at=utcnow())
        .on_conflict_do_nothing(index_elements=["consumer", "event_id"])
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- buses


class EventBus(Protocol):
    """Where the relay publishes and consumers subscribe; one consumer group per `consumer`."""

    async def publish(self, event: Event) -> None: ...

    def subscribe(
        self, consumer: str, handler: EventHandler, types: Collection[str] | None = None
    ) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class EventDeliveryError(Exception):
    """Some in-process consumers failed; the event stays unsent in the outbox and is retried."""


@dataclass(frozen=True, slots=True)
class _Subscription:
    consumer: str
    handler: EventHandler
    types: frozenset[str] | None

    def wants(self, received: Event) -> bool:
        return self.types is None or received.type in self.types


def _subscription(
    consumer: str, handler: EventHandler, types: Collection[str] | None
) -> _Subscription:
    return _Subscription(consumer, handler, frozenset(types) if types is not None else None)


@dataclass
class InProcessBus:
    """Single-process delivery: `publish` awaits each interested consumer, one event at a time each.

    A failing handler makes `publish` raise after the other consumers ran, so the relay keeps the
    event and retries it later; the retry reaches only the consumers that have not handled it yet.
    After `max_attempts` failures a consumer gives the event up (logged as an error), so one broken
    consumer cannot hold back every later event of the source. Consumer names must be unique.
    """

    max_attempts: int = 5
    _subscriptions: list[_Subscription] = field(default_factory=list)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _handled: dict[str, set[str]] = field(default_factory=dict)
    _failures: dict[tuple[str, str], int] = field(default_factory=dict)

    def subscribe(
        self, consumer: str, handler: EventHandler, types: Collection[str] | None = None
    ) -> None:
        self._subscriptions.append(_subscription(consumer, handler, types))

    async def publish(self, event: Event) -> None:
        handled = self._handled.setdefault(event.id, set())
        failed: list[str] = []
        for subscription in self._subscriptions:
            if subscription.consumer in handled or not subscription.wants(event):
                continue
            if await self._deliver(subscription, event):
                handled.add(subscription.consumer)
            else:
                failed.append(subscription.consumer)
        if failed:
            raise EventDeliveryError(f"event {event.id} failed in {', '.join(failed)}")
        del self._handled[event.id]

    async def _deliver(self, subscription: _Subscription, event: Event) -> bool:
        """Whether the consumer is done with the event: handled it, or gave it up for good."""
        key = (subscription.consumer, event.id)
        lock = self._locks.setdefault(subscription.consumer, asyncio.Lock())
        try:
            async with lock:
                await subscription.handler(event)
        except Exception:
            attempts = self._failures[key] = self._failures.get(key, 0) + 1
            if attempts < self.max_attempts:
                log.warning("consumer %s failed on event %s", *key, exc_info=True)
                return False
            log.exception("consumer %s gave up event %s after %d attempts", *key, attempts)
        self._failures.pop(key, None)
        return True

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None


def _default_consumer_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class RedisStreamsBus:
    """Redis Streams: XADD to one stream; each consumer is a consumer group read with XREADGROUP.

    Messages are acknowledged (XACK) only after the handler succeeded. A message left pending longer
    than `claim_idle_ms` (its reader died, or its handler failed) is taken over with XAUTOCLAIM and
    handled again, so nothing published is lost while Redis keeps the stream. A message whose
    handler failed `max_deliveries` times goes to the `<stream>:dead` stream and is acknowledged.
    """

    def __init__(
        self,
        redis: Redis,
        stream_key: str,
        *,
        consumer_name: str | None = None,
        block_ms: int = 1000,
        claim_idle_ms: int = 30_000,
        batch_size: int = 50,
        max_length: int = 1_000_000,
        max_deliveries: int = 10,
    ) -> None:
        self.redis = redis
        self.stream_key = stream_key
        self.consumer_name = consumer_name or _default_consumer_name()
        self.block_ms = block_ms
        self.claim_idle_ms = claim_idle_ms
        self.batch_size = batch_size
        self.max_length = max_length
        self.max_deliveries = max_deliveries
        self.dead_letter_key = f"{stream_key}:dead"
        self._subscriptions: list[_Subscription] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._claim_cursors: dict[str, Any] = {}
        self._started = False

    async def publish(self, event: Event) -> None:
        await self.redis.xadd(
            self.stream_key,
            {"event": event.to_json()},
            maxlen=self.max_length,
            approximate=True,
        )

    def subscribe(
        self, consumer: str, handler: EventHandler, types: Collection[str] | None = None
    ) -> None:
        subscription = _subscription(consumer, handler, types)
        self._subscriptions.append(subscription)
        if self._started:
            self._tasks.append(asyncio.create_task(self._consume(subscription)))

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        for subscription in self._subscriptions:
            self._tasks.append(asyncio.create_task(self._consume(subscription)))

    async def stop(self) -> None:
        self._started = False
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def ensure_group(self, consumer: str) -> None:
        """Create the consumer group at the stream's start, so it also sees earlier events."""
        try:
            await self.redis.xgroup_create(self.stream_key, consumer, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise

    async def _consume(self, subscription: _Subscription) -> None:
        delay = 0.1
        while self._started:
            try:
                await self.ensure_group(subscription.consumer)
                await self._consume_forever(subscription)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("event consumer %s crashed; restarting", subscription.consumer)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _consume_forever(self, subscription: _Subscription) -> None:
        await self._handle_batch(subscription, await self._read(subscription, "0"))
        while self._started:
            await self._handle_batch(subscription, await self._reclaim(subscription))
            await self._handle_batch(subscription, await self._read(subscription, ">"))

    async def _read(self, subscription: _Subscription, start: str) -> list[tuple[bytes, Any]]:
        """`>`: new messages, waiting up to block_ms; `0`: our own pending ones (after restart)."""
        reply = await self.redis.xreadgroup(
            subscription.consumer,
            self.consumer_name,
            {self.stream_key: start},
            count=self.batch_size,
            block=self.block_ms if start == ">" else None,
        )
        entries: list[Any] = list(reply or [])
        return [message for _stream, messages in entries for message in messages]

    async def _reclaim(self, subscription: _Subscription) -> list[tuple[bytes, Any]]:
        """Take over messages idle too long; the scan cursor walks the whole pending list."""
        reply = await self.redis.xautoclaim(
            self.stream_key,
            subscription.consumer,
            self.consumer_name,
            min_idle_time=self.claim_idle_ms,
            start_id=self._claim_cursors.get(subscription.consumer, "0-0"),
            count=self.batch_size,
        )
        if not reply:
            return []
        self._claim_cursors[subscription.consumer] = reply[0]
        return list(reply[1])

    async def _handle_batch(
        self, subscription: _Subscription, messages: list[tuple[bytes, Any]]
    ) -> None:
        for message_id, fields in messages:
            if not fields:
                continue  # trimmed away while pending; XAUTOCLAIM already dropped it
            await self._handle(subscription, message_id, fields)

    async def _handle(
        self, subscription: _Subscription, message_id: bytes, fields: dict[Any, Any]
    ) -> None:
        raw = fields.get(b"event") or fields["event"]
        received = Event.from_json(raw)
        if subscription.wants(received):
            try:
                await subscription.handler(received)
            except Exception:
                log.exception("consumer %s failed on event %s", subscription.consumer, received.id)
                if not await self._exhausted(subscription, message_id):
                    return
                await self._dead_letter(subscription, raw)
        await self.redis.xack(self.stream_key, subscription.consumer, message_id)

    async def _exhausted(self, subscription: _Subscription, message_id: bytes) -> bool:
        pending = await self.redis.xpending_range(
            self.stream_key, subscription.consumer, min=message_id, max=message_id, count=1
        )
        return bool(pending) and int(pending[0]["times_delivered"]) >= self.max_deliveries

    async def _dead_letter(self, subscription: _Subscription, raw: bytes) -> None:
        """Park a message that keeps failing, so it stops coming back; an operator replays it."""
        log.error(
            "consumer %s gave up a message after %d deliveries; moved to %s",
            subscription.consumer,
            self.max_deliveries,
            self.dead_letter_key,
        )
        await self.redis.xadd(
            self.dead_letter_key,
            {"event": raw, "consumer": subscription.consumer},
            maxlen=self.max_length,
            approximate=True,
        )


# ---------------------------------------------------------------- relay


class OutboxRelay:
    """Publishes a database's unsent outbox rows in `seq` order and marks them sent.

    Runs as a background task: woken by `kick()` right after a commit that emitted, and polling
    every `poll_interval` seconds anyway so rows committed before a crash still go out.
    """

    def __init__(
        self,
        database: Database,
        bus: EventBus,
        source: str,
        *,
        poll_interval: float = 0.2,
        batch_size: int = 100,
        retention: timedelta = timedelta(days=7),
        prune_every_seconds: float = 3600.0,
    ) -> None:
        self.database = database
        self.bus = bus
        self.source = source
        self.poll_interval = poll_interval
        self.batch_size = batch_size
        self.retention = retention
        self.prune_every_seconds = prune_every_seconds
        self._next_prune = 0.0
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stalled = False
        self._running = False

    def kick(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        if self._task is None:
            self._running = True
            self._task = asyncio.create_task(self._run(), name=f"outbox-relay-{self.source}")

    async def stop(self) -> None:
        """Stop the loop; the flag covers a cancel lost to a kick arriving at the same moment."""
        if self._task is None:
            return
        self._running = False
        self._wake.set()
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def publish_pending(self) -> int:
        """Publish up to `batch_size` unsent rows; stop at the first failure. Returns the count."""
        self._stalled = False
        if self.database.is_sqlite:
            return await self._publish_pending_sqlite()
        async with self.database.session() as session:
            # FOR UPDATE: a second replica waits, then skips the rows this one marked sent
            rows = await self._unsent(session, lock=True)
            return await self._publish_rows(rows, session)

    async def _publish_pending_sqlite(self) -> int:
        """SQLite cannot turn a read transaction into a write once someone else wrote (busy
        snapshot), and handlers run while we publish; so read, publish, then mark in turn."""
        async with self.database.session() as session:
            rows = await self._unsent(session, lock=False)
        return await self._publish_rows(rows, None)

    async def _unsent(self, session: AsyncSession, *, lock: bool) -> list[Any]:
        query = (
            select(_OUTBOX)
            .where(_OUTBOX.c.sent_at.is_(None))
            .order_by(_OUTBOX.c.seq)
            .limit(self.batch_size)
        )
        return list((await session.execute(query.with_for_update() if lock else query)).mappings())

    async def _publish_rows(self, rows: list[Any], session: AsyncSession | None) -> int:
        published = 0
        for row in rows:
            try:
                await self.bus.publish(self._event(row))
            except Exception:
                log.warning("publishing event %s failed; will retry", row["id"], exc_info=True)
                self._stalled = True
                break
            mark_sent = update(_OUTBOX).where(_OUTBOX.c.seq == row["seq"]).values(sent_at=utcnow())
            if session is not None:
                await session.execute(mark_sent)
            else:
                async with self.database.session() as own:
                    await own.execute(mark_sent)
            published += 1
        return published

    async def prune_sent(self, *, sent_before: datetime) -> int:
        """Delete rows published before `sent_before`; unsent rows are never deleted."""
        async with self.database.session() as session:
            result = await session.execute(delete(_OUTBOX).where(_OUTBOX.c.sent_at < sent_before))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def _prune_now_and_then(self) -> None:
        now = asyncio.get_running_loop().time()
        if now < self._next_prune:
            return
        self._next_prune = now + self.prune_every_seconds
        pruned = await self.prune_sent(sent_before=utcnow() - self.retention)
        if pruned:
            log.info("pruned %d published outbox rows of %s", pruned, self.source)

    def _event(self, row: Any) -> Event:
        return Event(
            id=row["id"],
            type=row["type"],
            version=row["version"],
            occurred_at=row["occurred_at"],
            payload=row["payload"],
            source=row["source"] or self.source,
        )

    async def _run(self) -> None:
        delay = self.poll_interval
        while self._running:
            self._wake.clear()
            try:
                published = await self.publish_pending()
                await self._prune_now_and_then()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay of %s failed", self.source)
                published, self._stalled = 0, True
            if self._stalled:
                delay = min(delay * 2, 5.0)
                await asyncio.sleep(delay)
                continue
            delay = self.poll_interval
            if published < self.batch_size:
                await self._wait_for_kick(delay)

    async def _wait_for_kick(self, seconds: float) -> None:
        try:
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        except TimeoutError:
            return
