"""Notifications subgraph GraphQL schema: Notification, User fields, mutations, subscription."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from datetime import datetime
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from notifications_subgraph import models, service
from notifications_subgraph.notifier import Notifier, live_topic
from notifications_subgraph.service import NotificationKind
from subgraph_kit.context import Ctx, require_user
from subgraph_kit.errors import Forbidden
from subgraph_kit.graphql import federation_schema
from subgraph_kit.pagination import Connection, decode_position, page_size, position_values

__all__ = ["schema"]


# The domain enum doubles as the GraphQL enum: strawberry.enum marks the class in place.
strawberry.enum(NotificationKind)


@strawberry.federation.type(keys=["id"])
class Task:
    id: strawberry.ID


@strawberry.federation.type(keys=["id"])
class Group:
    id: strawberry.ID


def _user_ref(user_id: str | None) -> User | None:
    return User(id=strawberry.ID(user_id)) if user_id else None


@strawberry.federation.type(keys=["id"])
class Notification:
    id: strawberry.ID
    kind: NotificationKind
    message: str
    created_at: datetime
    read_at: datetime | None
    recipient_id: strawberry.Private[str]
    actor_id: strawberry.Private[str | None]
    task_id: strawberry.Private[str | None]
    group_id: strawberry.Private[str | None]

    @strawberry.field
    def recipient(self) -> User:
        return User(id=strawberry.ID(self.recipient_id))

    @strawberry.field(description="Who caused it; null for reminders.")
    def actor(self) -> User | None:
        return _user_ref(self.actor_id)

    @strawberry.field
    def task(self) -> Task | None:
        return Task(id=strawberry.ID(self.task_id)) if self.task_id else None

    @strawberry.field
    def group(self) -> Group | None:
        return Group(id=strawberry.ID(self.group_id)) if self.group_id else None

    @classmethod
    def from_model(cls, row: models.Notification) -> Notification:
        return cls(
            id=strawberry.ID(row.id),
            kind=NotificationKind(row.kind),
            message=row.message,
            created_at=row.created_at,
            read_at=row.read_at,
            recipient_id=row.recipient_id,
            actor_id=row.actor_id,
            task_id=row.task_id,
            group_id=row.group_id,
        )

    @classmethod
    def from_message(cls, message: dict[str, Any]) -> Notification:
        read_at = message.get("read_at")
        return cls(
            id=strawberry.ID(message["id"]),
            kind=NotificationKind(message["kind"]),
            message=message["message"],
            created_at=datetime.fromisoformat(message["created_at"]),
            read_at=datetime.fromisoformat(read_at) if read_at else None,
            recipient_id=message["recipient_id"],
            actor_id=message.get("actor_id"),
            task_id=message.get("task_id"),
            group_id=message.get("group_id"),
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> Notification | None:
        """Null for anyone but the recipient."""
        claims = info.context.claims
        row = await _notification_loader(info).load(str(id))
        if row is None or claims is None or row.recipient_id != claims.user_id:
            return None
        return cls.from_model(row)


def _notification_loader(info: Ctx) -> DataLoader[str, models.Notification | None]:
    runtime = info.context.runtime

    async def load(ids: Sequence[str]) -> list[models.Notification | None]:
        async with runtime.database.session() as session:
            found = await service.notifications_by_ids(session, ids)
        return [found.get(notification_id) for notification_id in ids]

    return info.context.loader("notifications", lambda: DataLoader(load_fn=load))


def _require_self(info: Ctx, user_id: str) -> str:
    claims = require_user(info)
    if claims.user_id != user_id:
        raise Forbidden("only the user themself may see their notifications")
    return user_id


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.field(description="The user's notifications, newest first; the user themself only.")
    async def notifications(
        self,
        info: Ctx,
        unread_only: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Notification] | None:
        user_id = _require_self(info, str(self.id))
        limit = page_size(first)
        async with info.context.runtime.database.session() as session:
            rows, total = await service.list_notifications(
                session,
                user_id=user_id,
                unread_only=unread_only,
                limit=limit + 1,
                after=decode_position(after),
            )
        return Connection[Notification].build(
            rows,
            first=limit,
            total_count=total,
            cursor_of=lambda row: position_values(row.created_at, row.id),
            node_of=Notification.from_model,
        )

    @strawberry.field(description="How many notifications are unread; the user themself only.")
    async def unread_notification_count(self, info: Ctx) -> int | None:
        user_id = _require_self(info, str(self.id))
        async with info.context.runtime.database.session() as session:
            return await service.unread_count(session, user_id=user_id)


@strawberry.type
class NotificationPreference:
    kind: NotificationKind
    email: bool


@strawberry.input
class NotificationPreferenceInput:
    kind: NotificationKind
    email: bool


def _preferences(chosen: dict[NotificationKind, bool]) -> list[NotificationPreference]:
    return [NotificationPreference(kind=kind, email=email) for kind, email in chosen.items()]


@strawberry.type
class Query:
    @strawberry.field(description="The caller's email choice for every notification kind.")
    async def notification_preferences(self, info: Ctx) -> list[NotificationPreference]:
        claims = require_user(info)
        async with info.context.runtime.database.session() as session:
            chosen = await service.email_preferences(session, user_id=claims.user_id)
        return _preferences(chosen)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Mark one of the caller's notifications read.")
    async def mark_notification_read(self, info: Ctx, id: strawberry.ID) -> Notification:
        claims = require_user(info)
        async with info.context.runtime.database.session() as session:
            row = await service.mark_read(session, user_id=claims.user_id, notification_id=str(id))
        return Notification.from_model(row)

    @strawberry.mutation(description="Mark all the caller's notifications read; returns how many.")
    async def mark_all_notifications_read(self, info: Ctx) -> int:
        claims = require_user(info)
        async with info.context.runtime.database.session() as session:
            return await service.mark_all_read(session, user_id=claims.user_id)

    @strawberry.mutation(description="Choose which kinds of notification also come by email.")
    async def set_notification_preferences(
        self, info: Ctx, preferences: list[NotificationPreferenceInput]
    ) -> list[NotificationPreference]:
        claims = require_user(info)
        wanted = {item.kind: item.email for item in preferences}
        async with info.context.runtime.database.session() as session:
            chosen = await service.set_email_preferences(
                session, user_id=claims.user_id, email=wanted
            )
        return _preferences(chosen)


@strawberry.type
class Subscription:
    @strawberry.subscription(description="The caller's new notifications, as they are created.")
    async def notification_added(self, info: Ctx) -> AsyncGenerator[Notification, None]:
        claims = require_user(info)
        notifier: Notifier = info.context.runtime.extras["notifier"]
        async for message in notifier.live.listen(live_topic(claims.user_id)):
            yield Notification.from_message(message)


schema = federation_schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[User, Notification, Task, Group],
)
