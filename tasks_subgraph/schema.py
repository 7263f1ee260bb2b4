"""Tasks subgraph GraphQL schema: Task, Photo, and the task fields of Group and User."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.file_uploads import Upload

from subgraph_kit.context import Ctx, require_user
from subgraph_kit.errors import Forbidden, NotFound
from subgraph_kit.graphql import federation_schema
from subgraph_kit.live import LiveChannel
from subgraph_kit.pagination import Connection, decode_position, page_size, position_values
from subgraph_kit.storage import PhotoService
from subgraph_kit.storage.graphql import PhotoFields
from tasks_subgraph import live, loaders, models, service

__all__ = ["schema"]


@strawberry.enum
class TaskStatus(Enum):
    OPEN = "OPEN"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"


@strawberry.enum
class TaskPriority(Enum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


def _photos(info: Ctx) -> PhotoService:
    photos: PhotoService = info.context.runtime.extras["photos"]
    return photos


async def _my_roles(info: Ctx) -> dict[str, str]:
    """The caller's groups and roles, read once per request."""
    claims = require_user(info)
    return await loaders.memberships_loader(info.context).load(claims.user_id)


async def _require_group_member(info: Ctx, group_id: str) -> None:
    if group_id not in await _my_roles(info):
        raise NotFound("group not found")


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID

    @strawberry.field(description="Tasks assigned to this user, in the caller's groups.")
    async def assigned_tasks(
        self,
        info: Ctx,
        status: TaskStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Task]:
        visible = frozenset(await _my_roles(info))
        limit = page_size(first)
        key = loaders.TaskPageKey(
            owner_kind="assignee",
            owner_id=str(self.id),
            first=limit,
            after=decode_position(after),
            status=status.value if status else None,
            visible_groups=visible,
        )
        return _connection(await loaders.task_page_loader(info.context).load(key), limit)

    @strawberry.field(description="Counts of this user's assigned tasks in the caller's groups.")
    async def task_stats(self, info: Ctx) -> TaskStats:
        visible = frozenset(await _my_roles(info))
        counts = await loaders.counts_loader(info.context, "assignee", visible).load(str(self.id))
        return TaskStats(
            assigned=counts.total,
            in_progress=counts.in_progress,
            done=counts.done,
            overdue=counts.overdue,
        )

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return cls(id=id)


@strawberry.type
class TaskStats:
    assigned: int
    in_progress: int
    done: int
    overdue: int


@strawberry.type
class GroupProgress:
    total: int
    open: int
    in_progress: int
    done: int
    overdue: int
    percent_done: float = strawberry.field(description="DONE tasks in percent, 0 when none.")


@strawberry.input
class TaskFilter:
    status: TaskStatus | None = None
    assignee_id: strawberry.ID | None = None
    due_before: datetime | None = None


@strawberry.federation.type(keys=["id"])
class Group:
    id: strawberry.ID

    @strawberry.field(description="The group's tasks, oldest first; members only.")
    async def tasks(
        self,
        info: Ctx,
        filter: TaskFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Task]:
        await _require_group_member(info, str(self.id))
        limit = page_size(first)
        chosen = filter or TaskFilter()
        key = loaders.TaskPageKey(
            owner_kind="group",
            owner_id=str(self.id),
            first=limit,
            after=decode_position(after),
            status=chosen.status.value if chosen.status else None,
            assignee_id=str(chosen.assignee_id) if chosen.assignee_id else None,
            due_before=chosen.due_before,
        )
        return _connection(await loaders.task_page_loader(info.context).load(key), limit)

    @strawberry.field(description="How far the group's tasks are; members only.")
    async def progress(self, info: Ctx) -> GroupProgress:
        await _require_group_member(info, str(self.id))
        counts = await loaders.counts_loader(info.context, "group").load(str(self.id))
        percent = round(100.0 * counts.done / counts.total, 1) if counts.total else 0.0
        return GroupProgress(
            total=counts.total,
            open=counts.open,
            in_progress=counts.in_progress,
            done=counts.done,
            overdue=counts.overdue,
            percent_done=percent,
        )

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Group:
        return cls(id=id)


@strawberry.federation.type(shareable=True)
class Photo(PhotoFields):
    uploaded_by_id: strawberry.Private[str]

    @strawberry.field
    def uploaded_by(self) -> User:
        return User(id=strawberry.ID(self.uploaded_by_id))

    @classmethod
    def from_model(cls, photo: models.TaskPhoto, info: Ctx) -> Photo:
        return cls(
            id=strawberry.ID(photo.id),
            width=photo.width,
            height=photo.height,
            format=photo.format,
            bytes=photo.bytes,
            caption=photo.caption,
            created_at=photo.created_at,
            public_id=photo.public_id,
            storage=_photos(info).storage,
            uploaded_by_id=photo.uploaded_by,
        )


@strawberry.federation.type(keys=["id"])
class Task:
    id: strawberry.ID
    title: str
    description: str
    status: TaskStatus
    priority: TaskPriority
    due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    group_id: strawberry.Private[str]
    created_by_id: strawberry.Private[str]
    assignee_id: strawberry.Private[str | None]

    @strawberry.field
    def group(self) -> Group:
        return Group(id=strawberry.ID(self.group_id))

    @strawberry.field
    def created_by(self) -> User:
        return User(id=strawberry.ID(self.created_by_id))

    @strawberry.field
    def assignee(self) -> User | None:
        return User(id=strawberry.ID(self.assignee_id)) if self.assignee_id else None

    @strawberry.field
    async def photos(self, info: Ctx) -> list[Photo]:
        rows = await loaders.photos_loader(info.context).load(str(self.id))
        return [Photo.from_model(photo, info) for photo in rows]

    @classmethod
    def from_model(cls, task: models.Task) -> Task:
        return cls(
            id=strawberry.ID(task.id),
            title=task.title,
            description=task.description,
            status=TaskStatus(task.status),
            priority=TaskPriority(task.priority),
            due_at=task.due_at,
            created_at=task.created_at,
            updated_at=task.updated_at,
            finished_at=task.finished_at,
            group_id=task.group_id,
            created_by_id=task.created_by,
            assignee_id=task.assignee_id,
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> Task | None:
        """Null for a task outside the caller's groups: its existence is not revealed."""
        task = await loaders.tasks_loader(info.context).load(str(id))
        if task is None or task.group_id not in await _my_roles(info):
            return None
        return cls.from_model(task)


def _connection(page: loaders.TaskPage, limit: int) -> Connection[Task]:
    return Connection[Task].build(
        page.rows,
        first=limit,
        total_count=page.total,
        cursor_of=lambda task: position_values(task.created_at, task.id),
        node_of=Task.from_model,
    )


@strawberry.type
class UploadField:
    name: str
    value: str


@strawberry.type
class PhotoUploadTicket:
    """POST the file with these form fields to uploadUrl, then call attachUploadedPhoto."""

    upload_url: str
    fields: list[UploadField]
    expires_at: datetime


@strawberry.type
class Query:
    @strawberry.field(description="A task of one of the caller's groups.")
    async def task(self, info: Ctx, id: strawberry.ID) -> Task | None:
        found = await Task.resolve_reference(info, id)
        if found is None:
            raise NotFound("task not found", field="id")
        return found


def _database(info: Ctx) -> Any:
    return info.context.runtime.database


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Any member creates a task in their group; it starts OPEN.")
    async def create_task(
        self,
        info: Ctx,
        group_id: strawberry.ID,
        title: str,
        description: str = "",
        due_at: datetime | None = None,
        priority: TaskPriority = TaskPriority.NORMAL,
    ) -> Task:
        claims = require_user(info)
        async with _database(info).session() as session:
            task = await service.create_task(
                session,
                actor_id=claims.user_id,
                group_id=str(group_id),
                title=title,
                description=description,
                due_at=due_at,
                priority=priority.value,
            )
        return Task.from_model(task)

    @strawberry.mutation(description="The creator or the group's owner/admins; null dueAt clears.")
    async def update_task(
        self,
        info: Ctx,
        id: strawberry.ID,
        title: str | None = None,
        description: str | None = None,
        due_at: datetime | None = strawberry.UNSET,
        priority: TaskPriority | None = None,
    ) -> Task:
        claims = require_user(info)
        changes = service.TaskChanges(
            title=title,
            description=description,
            priority=priority.value if priority else None,
            due_at=due_at or None,
            clear_due_at=due_at is None,
        )
        async with _database(info).session() as session:
            task = await service.update_task(
                session, actor_id=claims.user_id, task_id=str(id), changes=changes
            )
        return Task.from_model(task)

    @strawberry.mutation(description="The creator or the group's owner/admins; returns the id.")
    async def delete_task(self, info: Ctx, id: strawberry.ID) -> strawberry.ID:
        claims = require_user(info)
        async with _database(info).session() as session:
            public_ids = await service.delete_task(
                session, actor_id=claims.user_id, task_id=str(id)
            )
        for public_id in public_ids:
            await _photos(info).discard(public_id)
        return id

    @strawberry.mutation(description="Any member takes an unassigned OPEN task: IN_PROGRESS.")
    async def take_task(self, info: Ctx, id: strawberry.ID) -> Task:
        return await _transition(info, service.take_task, id)

    @strawberry.mutation(description="The assignee gives an IN_PROGRESS task back: OPEN.")
    async def release_task(self, info: Ctx, id: strawberry.ID) -> Task:
        return await _transition(info, service.release_task, id)

    @strawberry.mutation(description="Owner/admins assign or reassign to a member: IN_PROGRESS.")
    async def assign_task(self, info: Ctx, task_id: strawberry.ID, user_id: strawberry.ID) -> Task:
        claims = require_user(info)
        async with _database(info).session() as session:
            task = await service.assign_task(
                session, actor_id=claims.user_id, task_id=str(task_id), user_id=str(user_id)
            )
        return Task.from_model(task)

    @strawberry.mutation(description="The assignee or owner/admins finish a task: DONE.")
    async def finish_task(self, info: Ctx, id: strawberry.ID) -> Task:
        return await _transition(info, service.finish_task, id)

    @strawberry.mutation(description="DONE back to IN_PROGRESS (assigned) or OPEN.")
    async def reopen_task(self, info: Ctx, id: strawberry.ID) -> Task:
        return await _transition(info, service.reopen_task, id)

    @strawberry.mutation(description="Any member attaches a JPEG, PNG, WebP or GIF photo.")
    async def add_task_photo(
        self, info: Ctx, task_id: strawberry.ID, file: Upload, caption: str | None = None
    ) -> Photo:
        claims = require_user(info)
        database, photos = _database(info), _photos(info)
        async with database.session() as session:
            task = await service.photo_target(
                session, actor_id=claims.user_id, task_id=str(task_id)
            )
        folder = service.group_folder(task.group_id)
        # The session commits before `stored` exits, so a failed commit deletes the stored file.
        async with photos.stored(file, folder=folder) as stored, database.session() as session:
            record = await service.add_photo(
                session, actor_id=claims.user_id, task_id=task.id, photo=stored, caption=caption
            )
        return Photo.from_model(record, info)

    @strawberry.mutation(description="The uploader, the task's creator or owner/admins.")
    async def remove_task_photo(self, info: Ctx, photo_id: strawberry.ID) -> Task:
        claims = require_user(info)
        async with _database(info).session() as session:
            record = await service.remove_photo(
                session, actor_id=claims.user_id, photo_id=str(photo_id)
            )
            task = await session.get(models.Task, record.task_id)
        await _photos(info).discard(record.public_id)
        assert task is not None
        return Task.from_model(task)

    @strawberry.mutation(description="Signed parameters to upload a photo straight to storage.")
    async def request_photo_upload(self, info: Ctx, task_id: strawberry.ID) -> PhotoUploadTicket:
        claims = require_user(info)
        async with _database(info).session() as session:
            task = await service.photo_target(
                session, actor_id=claims.user_id, task_id=str(task_id)
            )
        signed = _photos(info).sign_upload(service.group_folder(task.group_id))
        return PhotoUploadTicket(
            upload_url=signed.upload_url,
            fields=[UploadField(name=name, value=value) for name, value in signed.fields.items()],
            expires_at=signed.expires_at,
        )

    @strawberry.mutation(
        description="Attach a directly uploaded photo after checking its signature."
    )
    async def attach_uploaded_photo(
        self,
        info: Ctx,
        task_id: strawberry.ID,
        public_id: str,
        version: int,
        signature: str,
        caption: str | None = None,
    ) -> Photo:
        claims = require_user(info)
        database, photos = _database(info), _photos(info)
        async with database.session() as session:
            task = await service.photo_target(
                session, actor_id=claims.user_id, task_id=str(task_id)
            )
        async with (
            photos.uploaded(
                public_id=public_id,
                version=version,
                signature=signature,
                folder=service.group_folder(task.group_id),
            ) as stored,
            database.session() as session,
        ):
            record = await service.add_photo(
                session,
                actor_id=claims.user_id,
                task_id=task.id,
                photo=stored,
                caption=caption,
            )
        return Photo.from_model(record, info)


@strawberry.enum
class TaskChangeKind(Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    TAKEN = "TAKEN"
    RELEASED = "RELEASED"
    ASSIGNED = "ASSIGNED"
    REASSIGNED = "REASSIGNED"
    FINISHED = "FINISHED"
    REOPENED = "REOPENED"
    DELETED = "DELETED"
    PHOTO_ADDED = "PHOTO_ADDED"
    PHOTO_REMOVED = "PHOTO_REMOVED"


@strawberry.type
class TaskChange:
    """What happened to a task, and the task as the change left it (null once deleted)."""

    kind: TaskChangeKind
    task_id: strawberry.ID
    task: Task | None
    actor_id: strawberry.Private[str | None]

    @strawberry.field(description="Who made the change; null for changes the system made.")
    def actor(self) -> User | None:
        return User(id=strawberry.ID(self.actor_id)) if self.actor_id else None

    @classmethod
    def from_message(cls, message: live.LiveMessage) -> TaskChange:
        snapshot = message.task
        return cls(
            kind=TaskChangeKind(message.kind),
            task_id=strawberry.ID(str(message.task_id)),
            task=Task.from_model(live.task_from_snapshot(snapshot)) if snapshot else None,
            actor_id=message.actor_id,
        )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Changes to the group's tasks; members only, and only while still a member."
    )
    async def task_changed(
        self, info: Ctx, group_id: strawberry.ID
    ) -> AsyncGenerator[TaskChange, None]:
        claims = require_user(info)
        group, database = str(group_id), _database(info)
        if not await live.is_member(database, group_id=group, user_id=claims.user_id):
            raise NotFound("group not found", field="groupId")
        channel: LiveChannel = info.context.runtime.extras["live"]
        async for raw in channel.listen(live.group_topic(group)):
            message = live.LiveMessage.from_json(raw)
            if message.ends_access_of(claims.user_id):
                raise Forbidden("you are no longer a member of this group")
            if message.revoked is not None:
                continue
            if not await live.is_member(database, group_id=group, user_id=claims.user_id):
                raise Forbidden("you are no longer a member of this group")
            info.context.reset_loaders()
            yield TaskChange.from_message(message)


async def _transition(info: Ctx, change: Any, task_id: strawberry.ID) -> Task:
    claims = require_user(info)
    async with _database(info).session() as session:
        task = await change(session, actor_id=claims.user_id, task_id=str(task_id))
    return Task.from_model(task)


schema = federation_schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[Task, Group, User, Photo],
)
