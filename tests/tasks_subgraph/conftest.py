"""Fixtures for the tasks subgraph: the service, users with tokens, and groups fed by events."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from subgraph_kit.db import utcnow
from subgraph_kit.events import Event, event_tables
from subgraph_kit.storage import PhotoService
from tasks_subgraph import app as tasks_app
from tasks_subgraph.memberships import CONSUMER
from tasks_subgraph.models import TasksBase
from tests.support.backends import Backend
from tests.support.graphql import Response
from tests.support.services import RunningService, running_service

_OUTBOX, _PROCESSED = (TasksBase.metadata.tables[name] for name in ("outbox", "processed_events"))
assert event_tables  # the tables above come from the kit via models.py

TASK_FIELDS = "id title status priority dueAt finishedAt assignee { id } createdBy { id }"
CREATE = f"""mutation($g: ID!, $title: String!, $due: DateTime, $p: TaskPriority) {{
  createTask(groupId: $g, title: $title, dueAt: $due, priority: $p) {{ {TASK_FIELDS} }} }}"""


@dataclass
class Tasks:
    """The running tasks subgraph plus helpers to act as users and as the groups subgraph."""

    service: RunningService

    @property
    def runtime(self) -> Any:
        return self.service.runtime

    def user(self, name: str = "user") -> User:
        user_id = uuid.uuid4().hex
        return User(user_id, self.runtime.tokens.issue(user_id=user_id, role="USER"), name)

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: User | None = None
    ) -> Response:
        return await self.service.gql(query, variables, token=as_.token if as_ else None)

    async def publish(self, event_type: str, **payload: Any) -> Event:
        """Publish a group.* event on the bus and wait until the tasks consumer has applied it."""
        event = Event(uuid.uuid4().hex, event_type, 1, utcnow(), payload, "groups")
        await self.runtime.bus.publish(event)
        await self.wait_processed(event.id)
        return event

    async def wait_processed(self, event_id: str, timeout: float = 10.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not await self.processed(event_id):
            assert asyncio.get_running_loop().time() < deadline, f"event {event_id} not handled"
            await asyncio.sleep(0.01)

    async def processed(self, event_id: str) -> bool:
        async with self.runtime.database.session() as session:
            found = await session.scalar(
                select(func.count())
                .select_from(_PROCESSED)
                .where(_PROCESSED.c.consumer == CONSUMER, _PROCESSED.c.event_id == event_id)
            )
        return bool(found)

    async def group(self, owner: User, *members: User, admins: tuple[User, ...] = ()) -> str:
        group_id = uuid.uuid4().hex
        await self.publish("group.created", group_id=group_id, owner_id=owner.id)
        for member in members:
            await self.publish(
                "group.member_added", group_id=group_id, user_id=member.id, role="MEMBER"
            )
        for admin in admins:
            await self.publish(
                "group.member_added", group_id=group_id, user_id=admin.id, role="ADMIN"
            )
        return group_id

    async def create_task(
        self, user: User, group_id: str, title: str = "Task", **extra: Any
    ) -> dict[str, Any]:
        reply = await self.gql(CREATE, {"g": group_id, "title": title, **extra}, as_=user)
        assert reply.errors == [], reply.errors
        return reply.data["createTask"]  # type: ignore[no-any-return]

    async def outbox_types(self) -> list[str]:
        async with self.runtime.database.session() as session:
            rows = await session.scalars(select(_OUTBOX.c.type).order_by(_OUTBOX.c.seq))
            return list(rows)

    async def upload(
        self,
        query: str,
        variables: dict[str, Any],
        *,
        filename: str,
        data: bytes,
        content_type: str = "application/octet-stream",
        as_: User,
    ) -> Response:
        """A GraphQL multipart request (the `file` variable carries the upload)."""
        operations = json.dumps({"query": query, "variables": {**variables, "file": None}})
        reply = await self.service.http.post(
            "/graphql",
            data={"operations": operations, "map": json.dumps({"0": ["variables.file"]})},
            files={"0": (filename, data, content_type)},
            headers={"Authorization": f"Bearer {as_.token}"},
        )
        return Response(reply.status_code, reply.json())


@dataclass(frozen=True)
class User:
    id: str
    token: str
    name: str


@pytest.fixture
async def tasks_service(
    backend: Backend, redis_prefix: str, data_dir: Path
) -> AsyncIterator[Tasks]:
    async with running_service(
        tasks_app, "tasks", backend=backend, redis_prefix=redis_prefix, data_dir=data_dir
    ) as service:
        yield Tasks(service)


async def start_tasks(
    backend: Backend, redis_prefix: str, data_dir: Path, photos: PhotoService
) -> AsyncIterator[Tasks]:
    async with running_service(
        tasks_app,
        "tasks",
        backend=backend,
        redis_prefix=redis_prefix,
        data_dir=data_dir,
        runtime_options={"photos": photos},
    ) as service:
        yield Tasks(service)
