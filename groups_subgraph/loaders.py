"""Per-request DataLoaders of the groups subgraph: one SQL statement per batch, never per item."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from groups_subgraph import models, service
from subgraph_kit.context import Ctx

__all__ = [
    "MemberPageKey",
    "groups",
    "may_read",
    "member_counts",
    "member_pages",
    "my_roles",
    "user_groups",
]

K = TypeVar("K")
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class MemberPageKey:
    """One page of one group's members: up to `limit` rows after `after`."""

    group_id: str
    limit: int
    after: service.MemberCursor | None


def _loader(
    info: Ctx, name: str, fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[list[V]]]
) -> DataLoader[K, V]:
    runtime = info.context.runtime

    async def load(keys: Sequence[K]) -> list[V]:
        async with runtime.database.session() as session:
            return await fetch(session, keys)

    return info.context.loader(name, lambda: DataLoader(load_fn=load))


def groups(info: Ctx) -> DataLoader[str, models.Group | None]:
    async def fetch(session: AsyncSession, ids: Sequence[str]) -> list[models.Group | None]:
        found = await service.groups_by_ids(session, ids)
        return [found.get(group_id) for group_id in ids]

    return _loader(info, "groups", fetch)


def my_roles(info: Ctx) -> DataLoader[str, str | None]:
    """The signed-in user's role per group id (None: not a member, or anonymous)."""
    claims = info.context.claims

    async def fetch(session: AsyncSession, ids: Sequence[str]) -> list[str | None]:
        if claims is None:
            return [None for _ in ids]
        roles = await service.roles_of(session, claims.user_id, ids)
        return [roles.get(group_id) for group_id in ids]

    return _loader(info, "my_roles", fetch)


async def may_read(info: Ctx, group_id: str) -> bool:
    claims = info.context.claims
    if claims is None:
        return False
    return claims.is_admin or await my_roles(info).load(group_id) is not None


def member_pages(info: Ctx) -> DataLoader[MemberPageKey, list[models.Membership]]:
    async def fetch(
        session: AsyncSession, keys: Sequence[MemberPageKey]
    ) -> list[list[models.Membership]]:
        by_window: dict[tuple[int, Any], list[str]] = defaultdict(list)
        for key in keys:
            by_window[(key.limit, key.after)].append(key.group_id)
        pages: dict[MemberPageKey, list[models.Membership]] = {}
        for (limit, after), group_ids in by_window.items():
            found = await service.member_pages(session, group_ids, limit=limit, after=after)
            for group_id in group_ids:
                pages[MemberPageKey(group_id, limit, after)] = found.get(group_id, [])
        return [pages[key] for key in keys]

    return _loader(info, "member_pages", fetch)


def member_counts(info: Ctx) -> DataLoader[str, int]:
    async def fetch(session: AsyncSession, ids: Sequence[str]) -> list[int]:
        counts = await service.member_counts(session, ids)
        return [counts.get(group_id, 0) for group_id in ids]

    return _loader(info, "member_counts", fetch)


def user_groups(info: Ctx) -> DataLoader[str, list[models.Group]]:
    async def fetch(session: AsyncSession, ids: Sequence[str]) -> list[list[models.Group]]:
        found = await service.groups_of_users(session, ids)
        return [found.get(user_id, []) for user_id in ids]

    return _loader(info, "user_groups", fetch)
