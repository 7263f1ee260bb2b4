"""Live task changes: a task.* consumer that fans each committed change out to its group's topic.

Publishing from a bus consumer (not from the mutation) means only committed changes go live,
including the ones no mutation makes (a removed member's tasks released, a deleted group's tasks
deleted), and with Redis Streams exactly one tasks replica publishes each change to Redis pub/sub,
which reaches the subscribers of every replica. The same consumer sees group.member_removed and
group.deleted in stream order, and tells that group's listeners, so a removed member's stream ends
before any later change of the group reaches it.

Changes older than `MAX_AGE` are dropped rather than pushed: a consumer group created on a long
stream (the first deployment of this consumer) must not replay history to today's subscribers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from subgraph_kit.db import Database, utcnow
from subgraph_kit.events import Event, EventHandler
from subgraph_kit.live import LiveChannel
from tasks_subgraph.models import Membership, Task

__all__ = [
    "CONSUMER",
    "EVENT_TYPES",
    "MAX_AGE",
    "LiveMessage",
    "group_topic",
    "is_member",
    "live_consumer",
    "task_from_snapshot",
]

CONSUMER = "tasks.live"
MAX_AGE = timedelta(minutes=1)
TASK_KINDS = (
    "created",
    "updated",
    "taken",
    "released",
    "assigned",
    "reassigned",
    "finished",
    "reopened",
    "deleted",
    "photo_added",
    "photo_removed",
)
EVENT_TYPES = (
    *(f"task.{kind}" for kind in TASK_KINDS),
    "group.member_removed",
    "group.deleted",
)
_DATETIMES = ("due_at", "created_at", "updated_at", "finished_at")
_COLUMNS = (
    "id",
    "group_id",
    "title",
    "description",
    "status",
    "priority",
    "created_by",
    "assignee_id",
    *_DATETIMES,
)


def group_topic(group_id: str) -> str:
    return f"tasks:{group_id}"


@dataclass(frozen=True, slots=True)
class LiveMessage:
    """One message on a group's topic: a task change, or a member's access ending (`revoked`)."""

    kind: str
    task_id: str | None = None
    actor_id: str | None = None
    task: dict[str, Any] | None = None
    revoked: str | None = None
    group_deleted: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "task_id": self.task_id,
            "actor_id": self.actor_id,
            "task": self.task,
            "revoked": self.revoked,
            "group_deleted": self.group_deleted,
        }

    @classmethod
    def from_json(cls, message: dict[str, Any]) -> LiveMessage:
        return cls(
            kind=str(message["kind"]),
            task_id=message.get("task_id"),
            actor_id=message.get("actor_id"),
            task=message.get("task"),
            revoked=message.get("revoked"),
            group_deleted=bool(message.get("group_deleted")),
        )

    def ends_access_of(self, user_id: str) -> bool:
        return self.group_deleted or self.revoked == user_id


def _snapshot(payload: dict[str, Any]) -> dict[str, Any]:
    """The task's columns as the event recorded them (the payload carries every one)."""
    snapshot = {name: payload.get(name) for name in _COLUMNS}
    snapshot["id"] = payload["task_id"]
    return snapshot


def task_from_snapshot(snapshot: dict[str, Any]) -> Task:
    """A detached Task row rebuilt from a message, for the GraphQL layer's `Task.from_model`."""
    values = dict(snapshot)
    for name in _DATETIMES:
        if values.get(name) is not None:
            values[name] = datetime.fromisoformat(values[name])
    return Task(**values)


async def is_member(database: Database, *, group_id: str, user_id: str) -> bool:
    async with database.session() as session:
        role = await session.scalar(
            select(Membership.role).where(
                Membership.group_id == group_id, Membership.user_id == user_id
            )
        )
    return role is not None


def _task_message(received: Event) -> LiveMessage:
    """The change with the task as the change left it (null once deleted)."""
    payload = received.payload
    deleted = received.type == "task.deleted"
    return LiveMessage(
        kind=received.type.removeprefix("task.").upper(),
        task_id=str(payload["task_id"]),
        actor_id=payload.get("actor_id"),
        task=None if deleted else _snapshot(payload),
    )


def _access_message(received: Event) -> LiveMessage:
    if received.type == "group.deleted":
        return LiveMessage(kind="GROUP_DELETED", group_deleted=True)
    return LiveMessage(kind="MEMBER_REMOVED", revoked=str(received.payload["user_id"]))


def live_consumer(channel: LiveChannel) -> EventHandler:
    """The bus handler; nothing is stored and the database is not read, so a redelivered event is
    at worst pushed twice."""

    async def handle(received: Event) -> None:
        if utcnow() - received.occurred_at > MAX_AGE:
            return
        group_id = str(received.payload["group_id"])
        if received.type.startswith("task."):
            message = _task_message(received)
        else:
            message = _access_message(received)
        await channel.publish(group_topic(group_id), message.to_json())

    return handle
