"""Notifications subgraph tables: notifications, preferences, pending emails and read models."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from subgraph_kit import events
from subgraph_kit.db import UTCDateTime, utcnow

__all__ = [
    "KnownGroup",
    "KnownUser",
    "Notification",
    "NotificationPreference",
    "NotificationsBase",
    "PendingEmail",
    "TrackedTask",
    "new_id",
]


def new_id() -> str:
    return uuid.uuid4().hex


class NotificationsBase(DeclarativeBase):
    pass


events.event_tables(NotificationsBase.metadata)


class Notification(NotificationsBase):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_recipient", "recipient_id", "created_at", "id"),
        Index("ix_notifications_unread", "recipient_id", "read_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    recipient_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(String(500))
    actor_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    task_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    group_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class NotificationPreference(NotificationsBase):
    """Whether a user wants an email for a kind of notification (no row: no email)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=False)


class PendingEmail(NotificationsBase):
    """An email outbox: sent by the mailer loop, retried with backoff until sent or given up."""

    __tablename__ = "pending_emails"
    __table_args__ = (Index("ix_pending_emails_due", "sent_at", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    notification_id: Mapped[str] = mapped_column(String(32))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)


class TrackedTask(NotificationsBase):
    """What the due-soon scheduler knows of a task, from task.* events.

    `reminded_due_at`/`reminded_assignee_id` record the due time and assignee a reminder went
    out for, so a new due time or a new assignee re-arms the reminder and nothing else does.
    """

    __tablename__ = "tracked_tasks"
    __table_args__ = (Index("ix_tracked_tasks_due", "due_at"),)

    task_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    group_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    assignee_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_event_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reminded_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reminded_assignee_id: Mapped[str | None] = mapped_column(String(32), nullable=True)


class KnownUser(NotificationsBase):
    """Users' emails and names, from user.registered events."""

    __tablename__ = "known_users"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(100))


class KnownGroup(NotificationsBase):
    """Group names for messages, from group.created/updated events."""

    __tablename__ = "known_groups"

    group_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
