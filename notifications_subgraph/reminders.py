"""The due-soon rule: remind a task's assignee once when its due time is near.

State lives in `tracked_tasks`: a reminder records the due time and assignee it was for, so a
restart never repeats it, while a new due time or a new assignee re-arms it. A task already
overdue when first seen gets no reminder. The claim is an UPDATE of the row (SKIP LOCKED on
PostgreSQL) in the same transaction as the notification, so replicas never both remind.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications_subgraph.models import Notification, TrackedTask
from notifications_subgraph.service import NotificationKind, create_notification

__all__ = ["remind_due_soon"]

_BATCH = 200


async def remind_due_soon(
    session: AsyncSession, *, now: datetime, window: timedelta, email: bool
) -> list[Notification]:
    """Notify the assignees of unfinished tasks due in (now, now + window] not yet reminded."""
    query = (
        select(TrackedTask)
        .where(
            TrackedTask.due_at.is_not(None),
            TrackedTask.assignee_id.is_not(None),
            TrackedTask.status != "DONE",
            TrackedTask.due_at > now,
            TrackedTask.due_at <= now + window,
            or_(
                TrackedTask.reminded_due_at.is_(None),
                TrackedTask.reminded_due_at != TrackedTask.due_at,
                TrackedTask.reminded_assignee_id.is_(None),
                TrackedTask.reminded_assignee_id != TrackedTask.assignee_id,
            ),
        )
        .order_by(TrackedTask.due_at)
        .limit(_BATCH)
        .with_for_update(skip_locked=True)
    )
    created = []
    for task in list(await session.scalars(query)):
        assert task.due_at is not None and task.assignee_id is not None
        task.reminded_due_at = task.due_at
        task.reminded_assignee_id = task.assignee_id
        created.append(
            await create_notification(
                session,
                recipient_id=task.assignee_id,
                kind=NotificationKind.TASK_DUE_SOON,
                message=f"“{task.title}” is due {_when(task.due_at, now)}",
                task_id=task.task_id,
                group_id=task.group_id,
                email=email,
            )
        )
    return created


def _when(due_at: datetime, now: datetime) -> str:
    hours = (due_at - now).total_seconds() / 3600
    spelled = "in less than an hour" if hours < 1 else f"in about {round(hours)} hours"
    return f"{spelled} ({due_at:%Y-%m-%d %H:%M} UTC)"
