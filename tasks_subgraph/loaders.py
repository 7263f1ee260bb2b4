"""Batched reads for resolvers: one SQL statement per batch, whatever the number of tasks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, case, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from strawberry.dataloader import DataLoader

from subgraph_kit.context import RequestContext
from subgraph_kit.db import Database, utcnow
from tasks_subgraph.models import Membership, Task, TaskPhoto

__all__ = [
    "Counts",
    "TaskPage",
    "TaskPageKey",
    "counts_loader",
    "memberships_loader",
    "photos_loader",
    "task_page_loader",
    "tasks_loader",
]

PageOwner = Literal["group", "assignee"]


@dataclass(frozen=True, slots=True)
class TaskPageKey:
    """One page of tasks of one group (or one assignee), under one set of filters."""

    owner_kind: PageOwner
    owner_id: str
    first: int
    after: tuple[datetime, str] | None = None
    status: str | None = None
    assignee_id: str | None = None
    due_before: datetime | None = None
    visible_groups: frozenset[str] | None = None

    @property
    def criteria(self) -> tuple[Any, ...]:
        return (
            self.owner_kind,
            self.first,
            self.after,
            self.status,
            self.assignee_id,
            self.due_before,
            self.visible_groups,
        )


@dataclass(frozen=True, slots=True)
class TaskPage:
    rows: list[Task]
    total: int


@dataclass(frozen=True, slots=True)
class Counts:
    """Task counts of a group or an assignee by status, plus overdue (not done, past due)."""

    open: int = 0
    in_progress: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.open + self.in_progress + self.done


def _owner_column(kind: PageOwner) -> Any:
    return Task.group_id if kind == "group" else Task.assignee_id


def _filters(key: TaskPageKey) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if key.status is not None:
        conditions.append(Task.status == key.status)
    if key.assignee_id is not None:
        conditions.append(Task.assignee_id == key.assignee_id)
    if key.due_before is not None:
        conditions.append(Task.due_at < key.due_before)
    if key.visible_groups is not None:
        conditions.append(Task.group_id.in_(key.visible_groups))
    return conditions


async def _pages(session: AsyncSession, keys: Sequence[TaskPageKey]) -> dict[str, TaskPage]:
    """Pages for keys sharing their criteria: a windowed query and a grouped count."""
    sample = keys[0]
    owner = _owner_column(sample.owner_kind)
    owners = {key.owner_id for key in keys}
    conditions = [owner.in_(owners), *_filters(sample)]
    counted = await session.execute(select(owner, func.count()).where(*conditions).group_by(owner))
    totals: dict[str, int] = {owner_id: int(count) for owner_id, count in counted}
    if sample.after is not None:
        conditions.append(tuple_(Task.created_at, Task.id) > tuple_(*sample.after))
    rank = func.row_number().over(partition_by=owner, order_by=(Task.created_at, Task.id))
    ranked = select(Task, rank.label("rank")).where(*conditions).subquery()
    task = aliased(Task, ranked)
    rows = await session.scalars(
        select(task)
        .where(ranked.c.rank <= sample.first + 1)
        .order_by(ranked.c.created_at, ranked.c.id)
    )
    pages: dict[str, list[Task]] = defaultdict(list)
    for row in rows:
        pages[row.group_id if sample.owner_kind == "group" else str(row.assignee_id)].append(row)
    return {
        owner_id: TaskPage(pages.get(owner_id, []), int(totals.get(owner_id, 0)))
        for owner_id in owners
    }


def task_page_loader(context: RequestContext) -> DataLoader[TaskPageKey, TaskPage]:
    database: Database = context.runtime.database

    async def load(keys: Sequence[TaskPageKey]) -> list[TaskPage]:
        batches: dict[tuple[Any, ...], list[TaskPageKey]] = defaultdict(list)
        for key in keys:
            batches[key.criteria].append(key)
        found: dict[tuple[tuple[Any, ...], str], TaskPage] = {}
        async with database.session() as session:
            for criteria, batch in batches.items():
                empty = batch[0].visible_groups is not None and not batch[0].visible_groups
                pages = {} if empty else await _pages(session, batch)
                for owner_id in {key.owner_id for key in batch}:
                    found[(criteria, owner_id)] = pages.get(owner_id, TaskPage([], 0))
        return [found[(key.criteria, key.owner_id)] for key in keys]

    return context.loader("task-pages", lambda: DataLoader(load_fn=load))


def memberships_loader(context: RequestContext) -> DataLoader[str, dict[str, str]]:
    """user id -> {group id: role}, from the local read model."""
    database: Database = context.runtime.database

    async def load(user_ids: Sequence[str]) -> list[dict[str, str]]:
        roles: dict[str, dict[str, str]] = defaultdict(dict)
        async with database.session() as session:
            rows = await session.execute(
                select(Membership.user_id, Membership.group_id, Membership.role).where(
                    Membership.user_id.in_(set(user_ids))
                )
            )
            for user_id, group_id, role in rows:
                roles[user_id][group_id] = role
        return [roles.get(user_id, {}) for user_id in user_ids]

    return context.loader("memberships", lambda: DataLoader(load_fn=load))


def tasks_loader(context: RequestContext) -> DataLoader[str, Task | None]:
    database: Database = context.runtime.database

    async def load(ids: Sequence[str]) -> list[Task | None]:
        async with database.session() as session:
            rows = await session.scalars(select(Task).where(Task.id.in_(set(ids))))
            found = {task.id: task for task in rows}
        return [found.get(task_id) for task_id in ids]

    return context.loader("tasks", lambda: DataLoader(load_fn=load))


def photos_loader(context: RequestContext) -> DataLoader[str, list[TaskPhoto]]:
    database: Database = context.runtime.database

    async def load(task_ids: Sequence[str]) -> list[list[TaskPhoto]]:
        photos: dict[str, list[TaskPhoto]] = defaultdict(list)
        async with database.session() as session:
            rows = await session.scalars(
                select(TaskPhoto)
                .where(TaskPhoto.task_id.in_(set(task_ids)))
                .order_by(TaskPhoto.created_at, TaskPhoto.id)
            )
            for photo in rows:
                photos[photo.task_id].append(photo)
        return [photos.get(task_id, []) for task_id in task_ids]

    return context.loader("photos", lambda: DataLoader(load_fn=load))


def counts_loader(
    context: RequestContext, owner_kind: PageOwner, visible_groups: frozenset[str] | None = None
) -> DataLoader[str, Counts]:
    """Counts per group (progress) or per assignee (stats, within `visible_groups`)."""
    database: Database = context.runtime.database
    owner = _owner_column(owner_kind)

    async def load(owner_ids: Sequence[str]) -> list[Counts]:
        overdue = case(((Task.status != "DONE") & (Task.due_at < utcnow()), 1), else_=0)
        query = select(owner, Task.status, func.count(), func.sum(overdue)).where(
            owner.in_(set(owner_ids))
        )
        if visible_groups is not None:
            query = query.where(Task.group_id.in_(visible_groups))
        by_owner: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        async with database.session() as session:
            rows = await session.execute(query.group_by(owner, Task.status))
            for owner_id, status, count, late in rows:
                by_owner[owner_id][status] += int(count)
                by_owner[owner_id]["overdue"] += int(late or 0)
        return [_counts(by_owner.get(owner_id, {})) for owner_id in owner_ids]

    return context.loader(f"counts-{owner_kind}", lambda: DataLoader(load_fn=load))


def _counts(values: dict[str, int]) -> Counts:
    return Counts(
        open=values.get("OPEN", 0),
        in_progress=values.get("IN_PROGRESS", 0),
        done=values.get("DONE", 0),
        overdue=values.get("overdue", 0),
    )
