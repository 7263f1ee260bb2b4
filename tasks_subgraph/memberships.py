"""The memberships read model: group.* events from the groups subgraph, applied idempotently.

Authorization in this subgraph reads only its own `memberships` table, so checks are one local
query and do not depend on the groups subgraph being up. The cost is a short window after a
change in groups: the groups outbox relay publishes right after the commit (or at its next poll,
at most 200 ms later) and this consumer applies the event as soon as the bus delivers it.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from subgraph_kit.db import Database, utcnow
from subgraph_kit.events import Event, EventHandler, emit, idempotent_handler
from subgraph_kit.storage import PhotoService
from tasks_subgraph.models import Membership, Task, TaskPhoto
from tasks_subgraph.service import task_event_payload

__all__ = ["CONSUMER", "GROUP_EVENT_TYPES", "apply_group_event", "membership_consumer"]

log = logging.getLogger(__name__)

CONSUMER = "tasks.memberships"
GROUP_EVENT_TYPES = (
    "group.created",
    "group.member_added",
    "group.member_role_changed",
    "group.member_removed",
    "group.deleted",
)


async def _set_role(session: AsyncSession, group_id: str, user_id: str, role: str) -> None:
    await session.merge(Membership(group_id=group_id, user_id=user_id, role=role))


async def _remove_member(session: AsyncSession, group_id: str, user_id: str) -> None:
    """The member loses access, and whatever they were assigned in the group goes back to OPEN."""
    await session.execute(
        delete(Membership).where(Membership.group_id == group_id, Membership.user_id == user_id)
    )
    tasks = await session.scalars(
        select(Task).where(Task.group_id == group_id, Task.assignee_id == user_id)
    )
    for task in tasks:
        task.assignee_id = None
        if task.status == "IN_PROGRESS":
            task.status = "OPEN"
        task.updated_at = utcnow()
        payload = task_event_payload(
            task, None, previous_assignee_id=user_id, reason="member_removed"
        )
        await emit(session, "task.released", payload)


async def _delete_group(session: AsyncSession, group_id: str) -> list[str]:
    """Delete the group's tasks and memberships; returns photo ids to remove from storage."""
    await session.execute(delete(Membership).where(Membership.group_id == group_id))
    tasks = list(await session.scalars(select(Task).where(Task.group_id == group_id)))
    task_ids = [task.id for task in tasks]
    public_ids = list(
        await session.scalars(select(TaskPhoto.public_id).where(TaskPhoto.task_id.in_(task_ids)))
    )
    for task in tasks:
        await emit(session, "task.deleted", task_event_payload(task, None, reason="group_deleted"))
    await session.execute(delete(TaskPhoto).where(TaskPhoto.task_id.in_(task_ids)))
    await session.execute(delete(Task).where(Task.group_id == group_id))
    return public_ids


async def apply_group_event(received: Event, session: AsyncSession) -> list[str]:
    """Apply one group.* event; returns storage ids of photos that no longer have a task."""
    payload = received.payload
    group_id = str(payload["group_id"])
    match received.type:
        case "group.created":
            await _set_role(session, group_id, str(payload["owner_id"]), "OWNER")
        case "group.member_added" | "group.member_role_changed":
            await _set_role(session, group_id, str(payload["user_id"]), str(payload["role"]))
        case "group.member_removed":
            await _remove_member(session, group_id, str(payload["user_id"]))
        case "group.deleted":
            return await _delete_group(session, group_id)
        case _:
            log.debug("%s ignores %s", CONSUMER, received.type)
    return []


def membership_consumer(database: Database, photos: PhotoService) -> EventHandler:
    """The bus handler: the event's effects and its processed mark commit together, once."""

    async def handle(received: Event) -> None:
        orphaned: list[str] = []

        async def apply(event: Event, session: AsyncSession) -> None:
            orphaned.extend(await apply_group_event(event, session))

        await idempotent_handler(database, CONSUMER, apply)(received)
        for public_id in orphaned:
            await photos.discard(public_id)

    return handle
