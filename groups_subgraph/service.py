"""Groups domain rules: who may see and change a group and its members, and the events. No GraphQL.

Existence is never revealed to outsiders: a group the caller does not belong to is NOT_FOUND;
a member whose role is not enough gets FORBIDDEN. Every change emits its event in the same
transaction (see subgraph_kit.events).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from groups_subgraph.models import Group, KnownUser, Membership, new_id
from subgraph_kit.auth import Claims
from subgraph_kit.db import utcnow
from subgraph_kit.errors import BadUserInput, Forbidden, NotFound
from subgraph_kit.events import Event, emit

__all__ = [
    "MAX_DESCRIPTION",
    "MAX_NAME",
    "MemberCursor",
    "add_member",
    "can_read",
    "change_member_role",
    "create_group",
    "delete_group",
    "groups_by_ids",
    "groups_of_users",
    "leave_group",
    "member_counts",
    "member_pages",
    "record_known_user",
    "remove_member",
    "roles_of",
    "transfer_ownership",
    "update_group",
]

MAX_NAME, MAX_DESCRIPTION = 100, 1000
ASSIGNABLE_ROLES = ("ADMIN", "MEMBER")
MANAGERS = ("OWNER", "ADMIN")

MemberCursor = tuple[datetime, str]


# ---------------------------------------------------------------- validation


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise BadUserInput(f"name must be 1 to {MAX_NAME} characters", argument="name")
    if any(not char.isprintable() for char in name):
        raise BadUserInput("name must not contain control characters", argument="name")
    return name


def _check_description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise BadUserInput(
            f"description must be at most {MAX_DESCRIPTION} characters", argument="description"
        )
    return description


def _check_assignable(role: str) -> str:
    if role == "OWNER":
        raise BadUserInput("a group has one OWNER: use transferOwnership", argument="role")
    if role not in ASSIGNABLE_ROLES:
        raise BadUserInput("role must be ADMIN or MEMBER", argument="role")
    return role


# ---------------------------------------------------------------- authorization


async def _group_for_change(
    session: AsyncSession, group_id: str, actor: Claims
) -> tuple[Group, Membership]:
    """The group (locked against concurrent changes) and the actor's membership.

    NOT_FOUND for outsiders; FORBIDDEN for platform administrators, who may read every group
    (so its existence is no secret to them) but change only those they belong to.
    """
    group = await session.get(Group, group_id, with_for_update=True)
    membership = await session.get(Membership, (group_id, actor.user_id)) if group else None
    if group is not None and membership is None and actor.is_admin:
        raise Forbidden("administrators change only groups they belong to")
    if group is None or membership is None:
        raise NotFound("group not found", argument="groupId")
    return group, membership


def _require_manager(membership: Membership) -> None:
    if membership.role not in MANAGERS:
        raise Forbidden("only the group's owner or admins may do this")


def _require_owner(membership: Membership, action: str) -> None:
    if membership.role != "OWNER":
        raise Forbidden(f"only the group's owner may {action}")


async def _target(session: AsyncSession, group_id: str, user_id: str) -> Membership:
    target = await session.get(Membership, (group_id, user_id), with_for_update=True)
    if target is None:
        raise NotFound("that user is not a member of this group", argument="userId")
    return target


def can_read(claims: Claims | None, group_id: str, roles: dict[str, str]) -> bool:
    """Members read their groups; platform administrators read every group."""
    if claims is None:
        return False
    return claims.is_admin or group_id in roles


# ---------------------------------------------------------------- changes


async def create_group(
    session: AsyncSession, *, actor_id: str, name: str, description: str = ""
) -> Group:
    now = utcnow()
    group = Group(
        id=new_id(),
        name=_check_name(name),
        description=_check_description(description),
        owner_id=actor_id,
        created_at=now,
        updated_at=now,
    )
    session.add(group)
    session.add(Membership(group_id=group.id, user_id=actor_id, role="OWNER", joined_at=now))
    await session.flush()
    await emit(
        session, "group.created", {"group_id": group.id, "owner_id": actor_id, "name": group.name}
    )
    return group


async def update_group(
    session: AsyncSession,
    *,
    actor: Claims,
    group_id: str,
    name: str | None = None,
    description: str | None = None,
) -> Group:
    actor_id = actor.user_id
    new_name = _check_name(name) if name is not None else None
    new_description = _check_description(description) if description is not None else None
    group, membership = await _group_for_change(session, group_id, actor)
    _require_manager(membership)
    if new_name is not None:
        group.name = new_name
    if new_description is not None:
        group.description = new_description
    group.updated_at = utcnow()
    payload = {"group_id": group.id, "name": group.name, "description": group.description}
    await emit(session, "group.updated", {**payload, "actor_id": actor_id})
    return group


async def delete_group(session: AsyncSession, *, actor: Claims, group_id: str) -> None:
    actor_id = actor.user_id
    group, membership = await _group_for_change(session, group_id, actor)
    _require_owner(membership, "delete it")
    await session.execute(delete(Membership).where(Membership.group_id == group.id))
    await session.delete(group)
    await emit(session, "group.deleted", {"group_id": group.id, "actor_id": actor_id})


async def _resolve_user(session: AsyncSession, user_id: str | None, email: str | None) -> str:
    """The id of the user to add, from exactly one of userId or email (via known users)."""
    if (user_id is None) == (email is None):
        raise BadUserInput("give exactly one of userId or email", argument="userId")
    if user_id is not None:
        known = await session.get(KnownUser, user_id)
    else:
        known = await session.scalar(
            select(KnownUser).where(KnownUser.email == str(email).strip().lower())
        )
    if known is None:
        argument = "userId" if user_id is not None else "email"
        raise BadUserInput("no registered user matches", argument=argument)
    return known.id


async def add_member(
    session: AsyncSession,
    *,
    actor: Claims,
    group_id: str,
    role: str = "MEMBER",
    user_id: str | None = None,
    email: str | None = None,
) -> Membership:
    actor_id = actor.user_id
    role = _check_assignable(role)
    _group, membership = await _group_for_change(session, group_id, actor)
    _require_manager(membership)
    if role == "ADMIN":
        _require_owner(membership, "appoint admins")
    new_user = await _resolve_user(session, user_id, email)
    if await session.get(Membership, (group_id, new_user)) is not None:
        raise BadUserInput("that user is already a member of this group", argument="userId")
    added = Membership(group_id=group_id, user_id=new_user, role=role, joined_at=utcnow())
    session.add(added)
    try:
        await session.flush()
    except IntegrityError as error:
        raise BadUserInput(
            "that user is already a member of this group", argument="userId"
        ) from error
    payload = {"group_id": group_id, "user_id": new_user, "role": role, "actor_id": actor_id}
    await emit(session, "group.member_added", payload)
    return added


async def _set_role(
    session: AsyncSession, target: Membership, role: str, actor_id: str
) -> Membership:
    previous, target.role = target.role, role
    payload: dict[str, Any] = {
        "group_id": target.group_id,
        "user_id": target.user_id,
        "role": role,
        "previous_role": previous,
        "actor_id": actor_id,
    }
    await emit(session, "group.member_role_changed", payload)
    return target


async def change_member_role(
    session: AsyncSession, *, actor: Claims, group_id: str, user_id: str, role: str
) -> Membership:
    """Owner/admins manage MEMBERs; only the owner grants or revokes ADMIN."""
    actor_id = actor.user_id
    role = _check_assignable(role)
    _group, membership = await _group_for_change(session, group_id, actor)
    _require_manager(membership)
    target = await _target(session, group_id, user_id)
    if target.role == "OWNER":
        raise Forbidden("the owner's role changes only through transferOwnership")
    if "ADMIN" in (role, target.role):
        _require_owner(membership, "appoint or demote admins")
    if target.role == role:
        return target
    return await _set_role(session, target, role, actor_id)


async def _remove(session: AsyncSession, target: Membership, actor_id: str, reason: str) -> None:
    await session.delete(target)
    payload = {
        "group_id": target.group_id,
        "user_id": target.user_id,
        "actor_id": actor_id,
        "reason": reason,
    }
    await emit(session, "group.member_removed", payload)


async def remove_member(
    session: AsyncSession, *, actor: Claims, group_id: str, user_id: str
) -> None:
    """Nobody removes the owner; an admin removes MEMBERs only."""
    actor_id = actor.user_id
    _group, membership = await _group_for_change(session, group_id, actor)
    _require_manager(membership)
    target = await _target(session, group_id, user_id)
    if target.role == "OWNER":
        raise Forbidden("nobody can remove the group's owner")
    if target.role == "ADMIN" and membership.role != "OWNER":
        raise Forbidden("only the group's owner may remove admins")
    await _remove(session, target, actor_id, "removed")


async def leave_group(session: AsyncSession, *, actor: Claims, group_id: str) -> None:
    actor_id = actor.user_id
    _group, membership = await _group_for_change(session, group_id, actor)
    if membership.role == "OWNER":
        raise BadUserInput("the owner cannot leave: transfer ownership first", argument="groupId")
    await _remove(session, membership, actor_id, "left")


async def transfer_ownership(
    session: AsyncSession, *, actor: Claims, group_id: str, user_id: str
) -> Group:
    """The new owner must be a member; the previous owner stays on as ADMIN."""
    actor_id = actor.user_id
    group, membership = await _group_for_change(session, group_id, actor)
    _require_owner(membership, "transfer ownership")
    if user_id == actor_id:
        raise BadUserInput("you already own this group", argument="userId")
    target = await _target(session, group_id, user_id)
    await _set_role(session, target, "OWNER", actor_id)
    await _set_role(session, membership, "ADMIN", actor_id)
    group.owner_id = user_id
    group.updated_at = utcnow()
    payload = {"group_id": group.id, "owner_id": user_id, "previous_owner_id": actor_id}
    await emit(session, "group.ownership_transferred", {**payload, "actor_id": actor_id})
    return group


# ---------------------------------------------------------------- reads (batched)


async def groups_by_ids(session: AsyncSession, ids: Sequence[str]) -> dict[str, Group]:
    if not ids:
        return {}
    rows = await session.scalars(select(Group).where(Group.id.in_(set(ids))))
    return {group.id: group for group in rows}


async def roles_of(session: AsyncSession, user_id: str, group_ids: Sequence[str]) -> dict[str, str]:
    """The user's role in each of `group_ids` they belong to."""
    if not group_ids:
        return {}
    rows = await session.execute(
        select(Membership.group_id, Membership.role).where(
            Membership.user_id == user_id, Membership.group_id.in_(set(group_ids))
        )
    )
    return {group_id: role for group_id, role in rows.tuples()}


async def member_pages(
    session: AsyncSession, group_ids: Sequence[str], *, limit: int, after: MemberCursor | None
) -> dict[str, list[Membership]]:
    """Up to `limit` members per group in (joinedAt, userId) order, in one statement."""
    if not group_ids:
        return {}
    order = (Membership.joined_at, Membership.user_id)
    rank = func.row_number().over(partition_by=Membership.group_id, order_by=order).label("rank")
    query = select(Membership, rank).where(Membership.group_id.in_(set(group_ids)))
    if after is not None:
        query = query.where(tuple_(*order) > after)
    ranked = query.subquery()
    member = aliased(Membership, ranked)
    rows = await session.scalars(
        select(member).where(ranked.c.rank <= limit).order_by(ranked.c.group_id, ranked.c.rank)
    )
    pages: dict[str, list[Membership]] = defaultdict(list)
    for row in rows:
        pages[row.group_id].append(row)
    return pages


async def member_counts(session: AsyncSession, group_ids: Sequence[str]) -> dict[str, int]:
    if not group_ids:
        return {}
    rows = await session.execute(
        select(Membership.group_id, func.count())
        .where(Membership.group_id.in_(set(group_ids)))
        .group_by(Membership.group_id)
    )
    return {group_id: count for group_id, count in rows.tuples()}


async def groups_of_users(session: AsyncSession, user_ids: Sequence[str]) -> dict[str, list[Group]]:
    """Each user's groups, oldest membership first, in one statement."""
    if not user_ids:
        return {}
    rows = await session.execute(
        select(Membership.user_id, Group)
        .join(Group, Group.id == Membership.group_id)
        .where(Membership.user_id.in_(set(user_ids)))
        .order_by(Membership.joined_at, Group.id)
    )
    found: dict[str, list[Group]] = defaultdict(list)
    for user_id, group in rows.tuples():
        found[user_id].append(group)
    return found


# ---------------------------------------------------------------- read model


async def record_known_user(event: Event, session: AsyncSession) -> None:
    """Apply `user.registered`: remember the id and (normalised) email."""
    user_id = str(event.payload["user_id"])
    email = str(event.payload["email"]).strip().lower()
    existing = await session.get(KnownUser, user_id)
    if existing is not None:
        existing.email = email
        return
    session.add(KnownUser(id=user_id, email=email))
