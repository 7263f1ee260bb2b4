"""Who is notified of what: event rules, and the read models (users, groups, tasks) they use.

Nobody is notified of their own action: assigning a task to yourself, finishing a task you
created or adding yourself to a group creates no notification. Taking a task is always one's
own action, so it notifies nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from notifications_subgraph.models import KnownGroup, KnownUser, Notification, TrackedTask
from notifications_subgraph.service import NotificationKind, create_notification
from subgraph_kit.events import Event

__all__ = ["EVENT_TYPES", "TASK_EVENT_TYPES", "apply_event"]

TASK_EVENT_TYPES = (
    "task.created",
    "task.updated",
    "task.taken",
    "task.released",
    "task.assigned",
    "task.reassigned",
    "task.finished",
    "task.reopened",
    "task.deleted",
)
EVENT_TYPES = (
    "user.registered",
    "group.created",
    "group.updated",
    "group.deleted",
    "group.member_added",
    "group.member_removed",
    *TASK_EVENT_TYPES,
)


@dataclass(frozen=True)
class _Planned:
    """A notification a rule wants, before the self-notification filter."""

    recipient_id: str | None
    kind: NotificationKind
    message: str


async def apply_event(received: Event, session: AsyncSession, *, email: bool) -> list[Notification]:
    """Update the read models from one event and create its notifications."""
    if received.type.startswith("task."):
        await _track_task(session, received)
        planned = _task_rules(received.type, received.payload, await _actor_name(session, received))
    else:
        planned = await _other_rules(session, received)
    payload = received.payload
    actor_id = payload.get("actor_id")
    created = []
    for plan in planned:
        if plan.recipient_id is None or plan.recipient_id == actor_id:
            continue
        created.append(
            await create_notification(
                session,
                recipient_id=plan.recipient_id,
                kind=plan.kind,
                message=plan.message,
                actor_id=actor_id,
                task_id=payload.get("task_id"),
                group_id=payload.get("group_id"),
                email=email,
            )
        )
    return created


async def _actor_name(session: AsyncSession, received: Event) -> str:
    actor_id = received.payload.get("actor_id")
    known = await session.get(KnownUser, actor_id) if actor_id else None
    return known.display_name if known else "Someone"


def _task_rules(event_type: str, payload: dict[str, Any], actor: str) -> list[_Planned]:
    title = payload.get("title", "a task")
    match event_type:
        case "task.assigned":
            return [_assigned(payload, actor, title)]
        case "task.reassigned":
            previous = payload.get("previous_assignee_id")
            message = f"{actor} reassigned “{title}” to someone else"
            return [
                _assigned(payload, actor, title),
                _Planned(previous, NotificationKind.TASK_REASSIGNED, message),
            ]
        case "task.finished":
            message = f"{actor} finished “{title}”"
            return [_Planned(payload.get("created_by"), NotificationKind.TASK_FINISHED, message)]
    return []


def _assigned(payload: dict[str, Any], actor: str, title: str) -> _Planned:
    message = f"{actor} assigned you “{title}”"
    return _Planned(payload.get("assignee_id"), NotificationKind.TASK_ASSIGNED, message)


async def _other_rules(session: AsyncSession, received: Event) -> list[_Planned]:
    payload = received.payload
    match received.type:
        case "user.registered":
            await session.merge(
                KnownUser(
                    user_id=payload["user_id"],
                    email=payload["email"],
                    display_name=payload.get("display_name", ""),
                )
            )
        case "group.created" | "group.updated":
            await session.merge(KnownGroup(group_id=payload["group_id"], name=payload["name"]))
        case "group.deleted":
            await session.execute(
                delete(KnownGroup).where(KnownGroup.group_id == payload["group_id"])
            )
        case "group.member_added":
            name = await _group_name(session, payload["group_id"])
            message = f"{await _actor_name(session, received)} added you to {name}"
            return [_Planned(payload["user_id"], NotificationKind.ADDED_TO_GROUP, message)]
        case "group.member_removed":
            name = await _group_name(session, payload["group_id"])
            message = f"You were removed from {name}"
            return [_Planned(payload["user_id"], NotificationKind.REMOVED_FROM_GROUP, message)]
    return []


async def _group_name(session: AsyncSession, group_id: str) -> str:
    known = await session.get(KnownGroup, group_id)
    return f"the group “{known.name}”" if known else "a group"


async def _track_task(session: AsyncSession, received: Event) -> None:
    """Keep the scheduler's copy of the task; an event older than the copy changes nothing."""
    payload = received.payload
    tracked = await session.get(TrackedTask, payload["task_id"], with_for_update=True)
    if received.type == "task.deleted":
        if tracked is not None:
            await session.delete(tracked)
        return
    if tracked is None:
        tracked = TrackedTask(task_id=payload["task_id"])
        session.add(tracked)
    elif tracked.last_event_at > received.occurred_at:
        return
    tracked.group_id = payload["group_id"]
    tracked.title = payload.get("title", "")
    tracked.status = payload.get("status", "OPEN")
    tracked.assignee_id = payload.get("assignee_id")
    tracked.due_at = _parse_time(payload.get("due_at"))
    tracked.last_event_at = received.occurred_at


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
