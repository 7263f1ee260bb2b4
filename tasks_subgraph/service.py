"""Tasks domain rules: who may do what, the status state machine, photos, events; no GraphQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from subgraph_kit.db import utcnow
from subgraph_kit.errors import BadUserInput, Forbidden, NotFound
from subgraph_kit.events import emit
from subgraph_kit.storage import PhotoInUse, StoredPhoto
from tasks_subgraph.models import Membership, Task, TaskPhoto, new_id

__all__ = [
    "MANAGER_ROLES",
    "PRIORITIES",
    "STATUSES",
    "TaskChanges",
    "add_photo",
    "assign_task",
    "create_task",
    "delete_task",
    "finish_task",
    "group_folder",
    "member_task",
    "photo_target",
    "release_task",
    "remove_photo",
    "reopen_task",
    "require_member",
    "take_task",
    "task_event_payload",
    "update_task",
]

STATUSES = ("OPEN", "IN_PROGRESS", "DONE")
PRIORITIES = ("LOW", "NORMAL", "HIGH", "URGENT")
MANAGER_ROLES = frozenset({"OWNER", "ADMIN"})
MAX_TITLE, MAX_DESCRIPTION, MAX_CAPTION = 200, 10_000, 500


@dataclass(frozen=True, slots=True)
class TaskChanges:
    """Fields an update sets; `None` leaves a field alone, `clear_due_at` removes the due date."""

    title: str | None = None
    description: str | None = None
    priority: str | None = None
    due_at: datetime | None = None
    clear_due_at: bool = False


def group_folder(group_id: str) -> str:
    """Where a group's photos live in the storage."""
    return f"taskforge/groups/{group_id}"


def _title(title: str) -> str:
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise BadUserInput(f"title must be 1 to {MAX_TITLE} characters", field="title")
    return title


def _description(description: str) -> str:
    if len(description) > MAX_DESCRIPTION:
        raise BadUserInput(f"description is longer than {MAX_DESCRIPTION}", field="description")
    return description


def _priority(priority: str) -> str:
    if priority not in PRIORITIES:
        raise BadUserInput(f"priority must be one of {', '.join(PRIORITIES)}", field="priority")
    return priority


def _caption(caption: str | None) -> str | None:
    if caption is not None and len(caption) > MAX_CAPTION:
        raise BadUserInput(f"caption is longer than {MAX_CAPTION}", field="caption")
    return caption


async def require_member(session: AsyncSession, *, group_id: str, user_id: str) -> str:
    """The caller's role in the group; a non-member learns nothing, not even that it exists."""
    role = await session.scalar(
        select(Membership.role).where(
            Membership.group_id == group_id, Membership.user_id == user_id
        )
    )
    if role is None:
        raise NotFound("group not found", field="groupId")
    return role


async def member_task(
    session: AsyncSession, *, task_id: str, user_id: str, for_update: bool = False
) -> tuple[Task, str]:
    """A task and the caller's role in its group; NOT_FOUND unless the caller is a member."""
    query = (
        select(Task, Membership.role)
        .join(
            Membership,
            (Membership.group_id == Task.group_id) & (Membership.user_id == user_id),
        )
        .where(Task.id == task_id)
    )
    if for_update:
        query = query.with_for_update(of=Task)
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound("task not found", field="taskId")
    return row[0], row[1]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def task_event_payload(task: Task, actor_id: str | None, **extra: Any) -> dict[str, Any]:
    """The task.* payload of the events contract; `actor_id` is None for system changes."""
    return {
        "task_id": task.id,
        "group_id": task.group_id,
        "actor_id": actor_id,
        "assignee_id": task.assignee_id,
        "previous_assignee_id": None,
        "created_by": task.created_by,
        "title": task.title,
        "status": task.status,
        "priority": task.priority,
        "due_at": _iso(task.due_at),
        "description": task.description,
        "created_at": _iso(task.created_at),
        "updated_at": _iso(task.updated_at),
        "finished_at": _iso(task.finished_at),
        **extra,
    }


async def _flush(session: AsyncSession) -> None:
    """Write pending changes now; a concurrent change to the same task is BAD_USER_INPUT."""
    try:
        await session.flush()
    except StaleDataError as error:
        raise BadUserInput(
            "the task was changed by someone else meanwhile; reload it and retry",
            reason="CONFLICT",
        ) from error


async def _emit(
    session: AsyncSession, kind: str, task: Task, actor_id: str | None, **extra: Any
) -> None:
    await _flush(session)
    await emit(session, f"task.{kind}", task_event_payload(task, actor_id, **extra))


def _illegal(task: Task, action: str, allowed: str) -> BadUserInput:
    return BadUserInput(
        f"cannot {action} a task that is {task.status}; only {allowed} tasks can be",
        currentStatus=task.status,
    )


def _require_manager(role: str, action: str) -> None:
    if role not in MANAGER_ROLES:
        raise Forbidden(f"only the group's owner or admins may {action}")


async def create_task(
    session: AsyncSession,
    *,
    actor_id: str,
    group_id: str,
    title: str,
    description: str = "",
    due_at: datetime | None = None,
    priority: str = "NORMAL",
) -> Task:
    await require_member(session, group_id=group_id, user_id=actor_id)
    now = utcnow()
    task = Task(
        id=new_id(),
        group_id=group_id,
        title=_title(title),
        description=_description(description),
        status="OPEN",
        priority=_priority(priority),
        due_at=due_at,
        created_by=actor_id,
        assignee_id=None,
        created_at=now,
        updated_at=now,
        finished_at=None,
    )
    session.add(task)
    await session.flush()
    await _emit(session, "created", task, actor_id)
    return task


def _can_edit(task: Task, role: str, actor_id: str) -> bool:
    return task.created_by == actor_id or role in MANAGER_ROLES


async def update_task(
    session: AsyncSession, *, actor_id: str, task_id: str, changes: TaskChanges
) -> Task:
    task, role = await member_task(session, task_id=task_id, user_id=actor_id, for_update=True)
    if not _can_edit(task, role, actor_id):
        raise Forbidden("only the task's creator or the group's owner or admins may edit it")
    if changes.title is not None:
        task.title = _title(changes.title)
    if changes.description is not None:
        task.description = _description(changes.description)
    if changes.priority is not None:
        task.priority = _priority(changes.priority)
    if changes.due_at is not None:
        task.due_at = changes.due_at
    elif changes.clear_due_at:
        task.due_at = None
    task.updated_at = utcnow()
    await _emit(session, "updated", task, actor_id)
    return task


async def delete_task(session: AsyncSession, *, actor_id: str, task_id: str) -> list[str]:
    """Delete a task; returns its photos' public ids for the caller to remove after commit."""
    task, role = await member_task(session, task_id=task_id, user_id=actor_id, for_update=True)
    if not _can_edit(task, role, actor_id):
        raise Forbidden("only the task's creator or the group's owner or admins may delete it")
    public_ids = list(
        await session.scalars(select(TaskPhoto.public_id).where(TaskPhoto.task_id == task.id))
    )
    await _emit(session, "deleted", task, actor_id)
    await session.delete(task)
    await _flush(session)
    return public_ids


def _set_assignee(task: Task, assignee_id: str | None, status: str) -> str | None:
    previous = task.assignee_id
    task.assignee_id = assignee_id
    task.status = status
    task.updated_at = utcnow()
    return previous


async def take_task(session: AsyncSession, *, actor_id: str, task_id: str) -> Task:
    task, _role = await member_task(session, task_id=task_id, user_id=actor_id, for_update=True)
    if task.status != "OPEN" or task.assignee_id is not None:
        raise _illegal(task, "take", "unassigned OPEN")
    _set_assignee(task, actor_id, "IN_PROGRESS")
    await _emit(session, "taken", task, actor_id, previous_assignee_id=None)
    return task


async def release_task(session: AsyncSession, *, actor_id: str, task_id: str) -> Task:
    task, _role = await member_task(session, task_id=task_id, user_id=actor_id, for_update=True)
    if task.status != "IN_PROGRESS":
        raise _illegal(task, "release", "IN_PROGRESS")
    if task.assignee_id != actor_id:
        raise Forbidden("only the assignee may release a task")
    _set_assignee(task, None, "OPEN")
    await _emit(session, "released", task, actor_id, previous_assignee_id=actor_id)
    return task


async def assign_task(session: AsyncSession, *, actor_id: str, task_id: str, user_id: str) -> Task:
    """Assign or reassign (owner/admin) to a member; the task becomes IN_PROGRESS."""
    task, role = await member_task(session, task_id=task_id, user_id=actor_id, for_update=True)
    _require_manager(role, "assign tasks")
    if task.status == "DONE":
        raise _illegal(task, "assign", "OPEN or IN_PROGRESS")
    assignee_role = await session.scalar(
        select(Membership.role).where(
            Membership.group_id == task.group_id, Membership.user_id == user_id
        )
    )
    if assignee_role is None:
        raise BadUserInput("the assignee must be a member of the task's group", field="userId")
    if task.assignee_id == user_id:
        return task
    previous = _set_assignee(task, user_id, "IN_PROGRESS")
    kind = "assigned" if previous is None else "reassigned"
    await _emit(session, kind, task, actor_id, previous_assignee_id=previous)
    return task


async def finish_task(session: AsyncSession, *, actor_id: str, task_id: str) -> Task:
    task, role = await member_task(session, task_id=task_id, user_id=actor_id, for_update=True)
    if task.assignee_id != actor_id and role not in MANAGER_ROLES:
        raise Forbidden("only the assignee or the group's owner or admins may finish a task")
    if task.status == "DONE":
        raise _illegal(task, "finish", "OPEN or IN_PROGRESS")
    task.status = "DONE"
    task.finished_at = task.updated_at = utcnow()
    await _emit(session, "finished", task, actor_id)
    return task


async def reopen_task(session: AsyncSession, *, actor_id: str, task_id: str) -> Task:
    """DONE goes back to IN_PROGRESS with its assignee, or to OPEN when it has none."""
    task, role = await member_task(session, task_id=task_id, user_id=actor_id, for_update=True)
    if actor_id not in (task.assignee_id, task.created_by) and role not in MANAGER_ROLES:
        raise Forbidden("only the assignee, the creator or the group's owner or admins may reopen")
    if task.status != "DONE":
        raise _illegal(task, "reopen", "DONE")
    task.status = "IN_PROGRESS" if task.assignee_id else "OPEN"
    task.finished_at = None
    task.updated_at = utcnow()
    await _emit(session, "reopened", task, actor_id)
    return task


async def photo_target(session: AsyncSession, *, actor_id: str, task_id: str) -> Task:
    """The task a member may attach a photo to (checked before any bytes are stored)."""
    task, _role = await member_task(session, task_id=task_id, user_id=actor_id)
    return task


async def add_photo(
    session: AsyncSession,
    *,
    actor_id: str,
    task_id: str,
    photo: StoredPhoto,
    caption: str | None,
) -> TaskPhoto:
    task, _role = await member_task(session, task_id=task_id, user_id=actor_id, for_update=True)
    if not photo.public_id.startswith(f"{group_folder(task.group_id)}/"):
        raise BadUserInput("the photo was not uploaded for this task", field="publicId")
    record = TaskPhoto(
        id=new_id(),
        task_id=task.id,
        public_id=photo.public_id,
        format=photo.format,
        width=photo.width,
        height=photo.height,
        bytes=photo.bytes,
        caption=_caption(caption),
        uploaded_by=actor_id,
        created_at=utcnow(),
    )
    if await session.scalar(select(TaskPhoto.id).where(TaskPhoto.public_id == photo.public_id)):
        raise PhotoInUse("this photo is already attached", field="publicId")
    session.add(record)
    try:
        await session.flush()
    except IntegrityError as error:
        raise PhotoInUse("this photo is already attached", field="publicId") from error
    await _emit(session, "photo_added", task, actor_id, photo_id=record.id)
    return record


async def remove_photo(session: AsyncSession, *, actor_id: str, photo_id: str) -> TaskPhoto:
    """Delete a photo record (uploader, task creator or owner/admin); storage is the caller's."""
    record = await session.get(TaskPhoto, photo_id, with_for_update=True)
    if record is None:
        raise NotFound("photo not found", field="photoId")
    try:
        task, role = await member_task(session, task_id=record.task_id, user_id=actor_id)
    except NotFound as error:
        raise NotFound("photo not found", field="photoId") from error
    if actor_id not in (record.uploaded_by, task.created_by) and role not in MANAGER_ROLES:
        raise Forbidden("only the uploader, the task's creator or the group's owner or admins")
    await session.delete(record)
    await _emit(session, "photo_removed", task, actor_id, photo_id=record.id)
    return record
