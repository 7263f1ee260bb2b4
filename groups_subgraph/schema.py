"""Groups subgraph GraphQL schema: the Group entity, memberships, User.groups and the mutations."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from groups_subgraph import loaders, models, service
from subgraph_kit.context import Ctx, require_user
from subgraph_kit.errors import NotFound
from subgraph_kit.graphql import federation_schema
from subgraph_kit.pagination import Connection, decode_position, page_size, position_values

__all__ = ["schema"]


@strawberry.enum
class GroupRole(Enum):
    OWNER = "OWNER"
    ADMIN = "ADMIN"
    MEMBER = "MEMBER"


@strawberry.federation.type(keys=["id"])
class User:
    """A user of the users subgraph; this subgraph adds the groups they belong to."""

    id: strawberry.ID

    @strawberry.field(
        description="The user's groups; listed for the user themself and administrators, "
        "an empty list for anyone else."
    )
    async def groups(self, info: Ctx) -> list[Group]:
        claims = info.context.claims
        if claims is None or (claims.user_id != self.id and not claims.is_admin):
            return []
        rows = await loaders.user_groups(info).load(str(self.id))
        return [Group.from_model(group) for group in rows]


@strawberry.type
class Membership:
    user: User
    role: GroupRole
    joined_at: datetime
    group_id: strawberry.Private[str]

    @strawberry.field
    async def group(self, info: Ctx) -> Group | None:
        return await Group.resolve_reference(info, strawberry.ID(self.group_id))

    @classmethod
    def from_model(cls, membership: models.Membership) -> Membership:
        return cls(
            user=User(id=strawberry.ID(membership.user_id)),
            role=GroupRole(membership.role),
            joined_at=membership.joined_at,
            group_id=membership.group_id,
        )


@strawberry.federation.type(keys=["id"])
class Group:
    id: strawberry.ID
    name: str
    description: str
    created_at: datetime
    owner_id: strawberry.Private[str]

    @strawberry.field
    def owner(self) -> User:
        return User(id=strawberry.ID(self.owner_id))

    @strawberry.field(description="Members in the order they joined.")
    async def members(
        self, info: Ctx, first: int | None = None, after: str | None = None
    ) -> Connection[Membership]:
        limit = page_size(first)
        key = loaders.MemberPageKey(str(self.id), limit + 1, decode_position(after))
        rows = await loaders.member_pages(info).load(key)
        total = await loaders.member_counts(info).load(str(self.id))
        return Connection[Membership].build(
            rows,
            first=limit,
            total_count=total,
            cursor_of=lambda row: position_values(row.joined_at, row.user_id),
            node_of=Membership.from_model,
        )

    @strawberry.field(description="The signed-in user's role here; null if not a member.")
    async def my_role(self, info: Ctx) -> GroupRole | None:
        role = await loaders.my_roles(info).load(str(self.id))
        return GroupRole(role) if role else None

    @classmethod
    def from_model(cls, group: models.Group) -> Group:
        return cls(
            id=strawberry.ID(group.id),
            name=group.name,
            description=group.description,
            created_at=group.created_at,
            owner_id=group.owner_id,
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> Group | None:
        """Null unless the caller may read the group, so ids reveal nothing to outsiders."""
        group = await loaders.groups(info).load(str(id))
        if group is None or not await loaders.may_read(info, group.id):
            return None
        return cls.from_model(group)


async def _readable_group(info: Ctx, group_id: strawberry.ID) -> Group:
    require_user(info)
    group = await Group.resolve_reference(info, group_id)
    if group is None:
        raise NotFound("group not found", argument="id")
    return group


@strawberry.type
class Query:
    @strawberry.field(
        description="A group the signed-in user belongs to; NOT_FOUND for any other id."
    )
    async def group(self, info: Ctx, id: strawberry.ID) -> Group | None:
        return await _readable_group(info, id)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create a group; its creator becomes the OWNER.")
    async def create_group(self, info: Ctx, name: str, description: str = "") -> Group:
        claims = require_user(info)
        async with info.context.runtime.database.session() as session:
            group = await service.create_group(
                session, actor_id=claims.user_id, name=name, description=description
            )
        return Group.from_model(group)

    @strawberry.mutation(description="Rename or describe a group; owner or admins.")
    async def update_group(
        self,
        info: Ctx,
        id: strawberry.ID,
        name: str | None = None,
        description: str | None = None,
    ) -> Group:
        claims = require_user(info)
        async with info.context.runtime.database.session() as session:
            group = await service.update_group(
                session,
                actor=claims,
                group_id=str(id),
                name=name,
                description=description,
            )
        return Group.from_model(group)

    @strawberry.mutation(description="Delete a group and its memberships; owner only.")
    async def delete_group(self, info: Ctx, id: strawberry.ID) -> strawberry.ID:
        claims = require_user(info)
        async with info.context.runtime.database.session() as session:
            await service.delete_group(session, actor=claims, group_id=str(id))
        return id

    @strawberry.mutation(
        description="Add a registered user by userId or email; owner or admins "
        "(ADMIN role: owner only)."
    )
    async def add_member(
        self,
        info: Ctx,
        group_id: strawberry.ID,
        user_id: strawberry.ID | None = None,
        email: str | None = None,
        role: GroupRole = GroupRole.MEMBER,
    ) -> Membership:
        claims = require_user(info)
        async with info.context.runtime.database.session() as session:
            added = await service.add_member(
                session,
                actor=claims,
                group_id=str(group_id),
                role=role.value,
                user_id=str(user_id) if user_id is not None else None,
                email=email,
            )
        return Membership.from_model(added)

    @strawberry.mutation(
        description="Change a member's role; only the owner grants or revokes ADMIN."
    )
    async def change_member_role(
        self, info: Ctx, group_id: strawberry.ID, user_id: strawberry.ID, role: GroupRole
    ) -> Membership:
        claims = require_user(info)
        async with info.context.runtime.database.session() as session:
            changed = await service.change_member_role(
                session,
                actor=claims,
                group_id=str(group_id),
                user_id=str(user_id),
                role=role.value,
            )
        return Membership.from_model(changed)

    @strawberry.mutation(description="Remove a member; never the owner, admins only by the owner.")
    async def remove_member(
        self, info: Ctx, group_id: strawberry.ID, user_id: strawberry.ID
    ) -> bool:
        claims = require_user(info)
        async with info.context.runtime.database.session() as session:
            await service.remove_member(
                session, actor=claims, group_id=str(group_id), user_id=str(user_id)
            )
        return True

    @strawberry.mutation(description="Leave a group; the owner must transfer ownership first.")
    async def leave_group(self, info: Ctx, group_id: strawberry.ID) -> bool:
        claims = require_user(info)
        async with info.context.runtime.database.session() as session:
            await service.leave_group(session, actor=claims, group_id=str(group_id))
        return True

    @strawberry.mutation(description="Hand the group to another member; you become an ADMIN.")
    async def transfer_ownership(
        self, info: Ctx, group_id: strawberry.ID, user_id: strawberry.ID
    ) -> Group:
        claims = require_user(info)
        async with info.context.runtime.database.session() as session:
            group = await service.transfer_ownership(
                session, actor=claims, group_id=str(group_id), user_id=str(user_id)
            )
        return Group.from_model(group)


schema = federation_schema(query=Query, mutation=Mutation, types=[Group, User])
