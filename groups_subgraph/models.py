"""Groups subgraph tables: groups, memberships, and known users (a read model of user events)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from subgraph_kit import events
from subgraph_kit.db import UTCDateTime, utcnow

__all__ = ["ROLES", "Group", "GroupsBase", "KnownUser", "Membership", "new_id"]

ROLES = ("OWNER", "ADMIN", "MEMBER")


def new_id() -> str:
    return uuid.uuid4().hex


class GroupsBase(DeclarativeBase):
    pass


events.event_tables(GroupsBase.metadata)


class Group(GroupsBase):
    __tablename__ = "groups"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(1000), default="")
    owner_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Membership(GroupsBase):
    __tablename__ = "memberships"
    __table_args__ = (Index("ix_memberships_user", "user_id"),)

    group_id: Mapped[str] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class KnownUser(GroupsBase):
    """A user the users subgraph announced (`user.registered`): lets addMember accept an email."""

    __tablename__ = "known_users"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
