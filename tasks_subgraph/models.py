"""Tasks subgraph tables: tasks, their photos, and the local read model of group memberships."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from subgraph_kit import events
from subgraph_kit.db import UTCDateTime, utcnow

__all__ = ["Membership", "Task", "TaskPhoto", "TasksBase", "new_id"]


def new_id() -> str:
    return uuid.uuid4().hex


class TasksBase(DeclarativeBase):
    pass


class Task(TasksBase):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_group_created", "group_id", "created_at", "id"),
        Index("ix_tasks_assignee", "assignee_id", "group_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    group_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default="OPEN")
    priority: Mapped[str] = mapped_column(String(8), default="NORMAL")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_by: Mapped[str] = mapped_column(String(32))
    assignee_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Optimistic locking: every UPDATE/DELETE checks the version it read, so racing changes
    # cannot overwrite each other even where reads take no row lock (SQLite).
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class TaskPhoto(TasksBase):
    __tablename__ = "task_photos"
    __table_args__ = (Index("ix_task_photos_task", "task_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    public_id: Mapped[str] = mapped_column(String(255), unique=True)
    format: Mapped[str] = mapped_column(String(8))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str | None] = mapped_column(String(500), nullable=True)
    uploaded_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Membership(TasksBase):
    """Who belongs to which group, as the groups subgraph's events said; authorization reads it."""

    __tablename__ = "memberships"
    __table_args__ = (Index("ix_memberships_user", "user_id"),)

    group_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))


events.event_tables(TasksBase.metadata)
