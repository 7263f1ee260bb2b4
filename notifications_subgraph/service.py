"""Notification rules that are not about events: creating, listing, reading, preferences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from notifications_subgraph.models import (
    KnownUser,
    Notification,
    NotificationPreference,
    PendingEmail,
    new_id,
)
from subgraph_kit.db import utcnow
from subgraph_kit.errors import NotFound

__all__ = [
    "NotificationKind",
    "create_notification",
    "email_preferences",
    "list_notifications",
    "mark_all_read",
    "mark_read",
    "notification_message",
    "notifications_by_ids",
    "set_email_preferences",
    "unread_count",
]


class NotificationKind(StrEnum):
    TASK_ASSIGNED = "TASK_ASSIGNED"
    TASK_REASSIGNED = "TASK_REASSIGNED"
    TASK_DUE_SOON = "TASK_DUE_SOON"
    TASK_FINISHED = "TASK_FINISHED"
    ADDED_TO_GROUP = "ADDED_TO_GROUP"
    REMOVED_FROM_GROUP = "REMOVED_FROM_GROUP"


async def create_notification(
    session: AsyncSession,
    *,
    recipient_id: str,
    kind: NotificationKind,
    message: str,
    actor_id: str | None = None,
    task_id: str | None = None,
    group_id: str | None = None,
    email: bool = False,
) -> Notification:
    """Store a notification; with `email`, also queue a mail if the recipient asked for one."""
    notification = Notification(
        id=new_id(),
        recipient_id=recipient_id,
        kind=kind.value,
        message=message,
        actor_id=actor_id,
        task_id=task_id,
        group_id=group_id,
        created_at=utcnow(),
        read_at=None,
    )
    session.add(notification)
    if email:
        await _queue_email(session, notification)
    await session.flush()
    return notification


async def _queue_email(session: AsyncSession, notification: Notification) -> None:
    wanted = await session.scalar(
        select(NotificationPreference.email).where(
            NotificationPreference.user_id == notification.recipient_id,
            NotificationPreference.kind == notification.kind,
        )
    )
    if not wanted:
        return
    recipient = await session.get(KnownUser, notification.recipient_id)
    if recipient is None:
        return
    session.add(
        PendingEmail(
            id=new_id(),
            notification_id=notification.id,
            to_address=recipient.email,
            subject=f"Taskforge: {notification.message}"[:300],
            body=f"Hello {recipient.display_name},\n\n{notification.message}\n",
            attempts=0,
            next_attempt_at=notification.created_at,
        )
    )


def notification_message(notification: Notification) -> dict[str, Any]:
    """A notification as JSON, for the live channel."""
    return {
        "id": notification.id,
        "recipient_id": notification.recipient_id,
        "kind": notification.kind,
        "message": notification.message,
        "actor_id": notification.actor_id,
        "task_id": notification.task_id,
        "group_id": notification.group_id,
        "created_at": notification.created_at.isoformat(),
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
    }


def _of_recipient(user_id: str, unread_only: bool) -> list[Any]:
    conditions: list[Any] = [Notification.recipient_id == user_id]
    if unread_only:
        conditions.append(Notification.read_at.is_(None))
    return conditions


async def list_notifications(
    session: AsyncSession,
    *,
    user_id: str,
    unread_only: bool,
    limit: int,
    after: tuple[datetime, str] | None,
) -> tuple[list[Notification], int]:
    """Newest first; `after` is the (created_at, id) of the last notification already seen."""
    conditions = _of_recipient(user_id, unread_only)
    total = await session.scalar(select(func.count()).select_from(Notification).where(*conditions))
    query = select(Notification).where(*conditions)
    if after is not None:
        created_at, last_id = after
        query = query.where(
            (Notification.created_at < created_at)
            | ((Notification.created_at == created_at) & (Notification.id < last_id))
        )
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return list(await session.scalars(query)), int(total or 0)


async def unread_count(session: AsyncSession, *, user_id: str) -> int:
    conditions = _of_recipient(user_id, unread_only=True)
    count = await session.scalar(select(func.count()).select_from(Notification).where(*conditions))
    return int(count or 0)


async def notifications_by_ids(
    session: AsyncSession, ids: Sequence[str]
) -> dict[str, Notification]:
    if not ids:
        return {}
    found = await session.scalars(select(Notification).where(Notification.id.in_(set(ids))))
    return {notification.id: notification for notification in found}


async def mark_read(session: AsyncSession, *, user_id: str, notification_id: str) -> Notification:
    """Only the recipient may; anyone else is told it does not exist."""
    notification = await session.get(Notification, notification_id)
    if notification is None or notification.recipient_id != user_id:
        raise NotFound("notification not found", argument="id")
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


async def mark_all_read(session: AsyncSession, *, user_id: str) -> int:
    """Returns how many notifications were unread."""
    result = await session.execute(
        update(Notification)
        .where(*_of_recipient(user_id, unread_only=True))
        .values(read_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def email_preferences(session: AsyncSession, *, user_id: str) -> dict[NotificationKind, bool]:
    """Every kind with whether the user gets an email for it (default: no)."""
    rows = await session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id)
    )
    chosen = {row.kind: row.email for row in rows}
    return {kind: chosen.get(kind.value, False) for kind in NotificationKind}


async def set_email_preferences(
    session: AsyncSession, *, user_id: str, email: Mapping[NotificationKind, bool]
) -> dict[NotificationKind, bool]:
    """Change the kinds given; the others keep their setting."""
    for kind, wanted in email.items():
        await session.merge(NotificationPreference(user_id=user_id, kind=kind.value, email=wanted))
    await session.flush()
    return await email_preferences(session, user_id=user_id)
