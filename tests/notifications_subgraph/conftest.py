"""Fixtures for the notifications subgraph: the service, users with tokens, events to drive it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from notifications_subgraph import app as notifications_app
from notifications_subgraph.app import NotificationsRuntime
from notifications_subgraph.models import NotificationsBase
from notifications_subgraph.notifier import CONSUMER, Notifier
from subgraph_kit.db import utcnow
from subgraph_kit.events import Event
from tests.support.backends import Backend
from tests.support.graphql import Response
from tests.support.services import RunningService, running_service

_PROCESSED = NotificationsBase.metadata.tables["processed_events"]

NOTIFICATIONS = """query($u: [_Any!]!, $unread: Boolean! = false, $first: Int, $after: String) {
  _entities(representations: $u) { ... on User {
    unreadNotificationCount
    notifications(unreadOnly: $unread, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id kind message readAt createdAt recipient { id } actor { id }
        task { id } group { id } } } } } } }"""


@dataclass(frozen=True)
class User:
    id: str
    token: str
    name: str


@dataclass
class Notifications:
    """The running notifications subgraph, plus helpers to act as users and as other subgraphs."""

    service: RunningService

    @property
    def runtime(self) -> NotificationsRuntime:
        runtime: NotificationsRuntime = self.service.runtime  # type: ignore[assignment]
        return runtime

    @property
    def notifier(self) -> Notifier:
        return self.runtime.notifier

    async def user(self, name: str = "user") -> User:
        """A user the notifications subgraph has heard of through user.registered."""
        user_id = uuid.uuid4().hex
        await self.publish(
            "user.registered",
            user_id=user_id,
            email=f"{name.lower()}-{user_id[:6]}@example.com",
            display_name=name,
        )
        return User(user_id, self.runtime.tokens.issue(user_id=user_id, role="USER"), name)

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: User | None = None
    ) -> Response:
        return await self.service.gql(query, variables, token=as_.token if as_ else None)

    async def publish(
        self, event_type: str, *, at: datetime | None = None, **payload: Any
    ) -> Event:
        """Publish an event the way the other subgraphs' relays do; wait until it is handled."""
        event = Event(uuid.uuid4().hex, event_type, 1, at or utcnow(), payload, "test")
        await self.deliver(event)
        return event

    async def deliver(self, event: Event) -> None:
        await self.runtime.bus.publish(event)
        await self.wait_processed(event.id)

    async def wait_processed(self, event_id: str) -> None:
        await eventually(lambda: self._processed(event_id), f"event {event_id} not handled")

    async def _processed(self, event_id: str) -> bool:
        async with self.runtime.database.session() as session:
            found = await session.scalar(
                select(func.count())
                .select_from(_PROCESSED)
                .where(_PROCESSED.c.consumer == CONSUMER, _PROCESSED.c.event_id == event_id)
            )
        return bool(found)

    async def task_event(
        self,
        kind: str,
        task_id: str,
        *,
        actor: User | None,
        created_by: User,
        assignee: User | None = None,
        previous: User | None = None,
        due_at: datetime | None = None,
        status: str = "OPEN",
        group_id: str = "g" * 32,
        title: str = "Water the plants",
        at: datetime | None = None,
    ) -> Event:
        """A task.* event shaped like tasks_subgraph's `task_event_payload`."""
        return await self.publish(
            f"task.{kind}",
            at=at,
            task_id=task_id,
            group_id=group_id,
            actor_id=actor.id if actor else None,
            assignee_id=assignee.id if assignee else None,
            previous_assignee_id=previous.id if previous else None,
            created_by=created_by.id,
            title=title,
            status=status,
            priority="NORMAL",
            due_at=due_at.isoformat() if due_at else None,
        )

    async def inbox(self, user: User, **variables: Any) -> dict[str, Any]:
        """The user's own notifications and unread count, asked through the User entity."""
        reply = await self.gql(
            NOTIFICATIONS, {"u": [{"__typename": "User", "id": user.id}], **variables}, as_=user
        )
        assert reply.errors == [], reply.errors
        entity: dict[str, Any] = reply.data["_entities"][0]
        return entity

    async def kinds(self, user: User) -> list[str]:
        inbox = await self.inbox(user)
        return [edge["node"]["kind"] for edge in inbox["notifications"]["edges"]]


async def eventually(
    check: Callable[[], Awaitable[bool]], message: str, timeout: float = 10.0
) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, message
        await asyncio.sleep(0.01)


def new_task_id() -> str:
    return uuid.uuid4().hex


@asynccontextmanager
async def started(
    backend: Backend,
    redis_prefix: str,
    data_dir: Path,
    *,
    database_url: str | None = None,
    **runtime_options: Any,
) -> AsyncIterator[Notifications]:
    """The notifications subgraph on `backend`; `runtime_options` go to its create_runtime."""
    async with running_service(
        notifications_app,
        "notifications",
        backend=backend,
        redis_prefix=redis_prefix,
        data_dir=data_dir,
        runtime_options=runtime_options,
        database_url=database_url,
    ) as service:
        yield Notifications(service)


@pytest.fixture
async def notifications(
    backend: Backend, redis_prefix: str, data_dir: Path
) -> AsyncIterator[Notifications]:
    async with started(backend, redis_prefix, data_dir) as service:
        yield service
