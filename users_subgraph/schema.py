"""Users subgraph GraphQL schema: the User entity, sign-in mutations and admin queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.file_uploads import Upload

from subgraph_kit.context import Ctx, require_admin, require_user
from subgraph_kit.errors import NotFound
from subgraph_kit.graphql import federation_schema
from subgraph_kit.pagination import Connection, decode_position, page_size, position_values
from subgraph_kit.storage import PhotoService
from subgraph_kit.storage.graphql import PhotoFields
from users_subgraph import avatars, models, service

__all__ = ["schema"]


@strawberry.enum
class Role(Enum):
    ADMIN = "ADMIN"
    USER = "USER"


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    display_name: str
    role: Role
    created_at: datetime
    email_address: strawberry.Private[str]

    @strawberry.field(description="Visible to the user themself and to administrators only.")
    def email(self, info: Ctx) -> str | None:
        claims = info.context.claims
        if claims is not None and (claims.user_id == self.id or claims.is_admin):
            return self.email_address
        return None

    @strawberry.field(description="The user's picture, or null.")
    async def avatar(self, info: Ctx) -> Photo | None:
        found = await _avatar_loader(info).load(str(self.id))
        return Photo.from_avatar(found, _photos(info)) if found else None

    @classmethod
    def from_model(cls, user: models.User) -> User:
        return cls(
            id=strawberry.ID(user.id),
            display_name=user.display_name,
            role=Role(user.role),
            created_at=user.created_at,
            email_address=user.email,
        )

    @classmethod
    async def resolve_reference(cls, info: Ctx, id: strawberry.ID) -> User | None:
        user = await _user_loader(info).load(str(id))
        return cls.from_model(user) if user else None


@strawberry.federation.type(shareable=True)
class Photo(PhotoFields):
    uploaded_by_id: strawberry.Private[str]

    @strawberry.field
    async def uploaded_by(self, info: Ctx) -> User:
        found = await User.resolve_reference(info, strawberry.ID(self.uploaded_by_id))
        if found is None:
            raise NotFound("user not found")
        return found

    @classmethod
    def from_avatar(cls, avatar: avatars.Avatar, photos: PhotoService) -> Photo:
        return cls(
            id=strawberry.ID(avatar.photo_id),
            width=avatar.width,
            height=avatar.height,
            format=avatar.format,
            bytes=avatar.bytes,
            caption=None,
            created_at=avatar.created_at,
            public_id=avatar.public_id,
            storage=photos.storage,
            uploaded_by_id=avatar.user_id,
        )


def _photos(info: Ctx) -> PhotoService:
    photos: PhotoService = info.context.runtime.extras["photos"]
    return photos


def _avatar_loader(info: Ctx) -> DataLoader[str, avatars.Avatar | None]:
    runtime = info.context.runtime

    async def load(ids: Sequence[str]) -> list[avatars.Avatar | None]:
        async with runtime.database.session() as session:
            found = await avatars.avatars_by_user_ids(session, ids)
        return [found.get(user_id) for user_id in ids]

    return info.context.loader("avatars", lambda: DataLoader(load_fn=load))


def _user_loader(info: Ctx) -> DataLoader[str, models.User | None]:
    runtime = info.context.runtime

    async def load(ids: Sequence[str]) -> list[models.User | None]:
        async with runtime.database.session() as session:
            found = await service.get_users_by_ids(session, ids)
        return [found.get(user_id) for user_id in ids]

    return info.context.loader("users", lambda: DataLoader(load_fn=load))


@strawberry.type
class AuthPayload:
    access_token: str
    refresh_token: str
    user: User


def _limits(info: Ctx) -> service.LoginLimits:
    limits: service.LoginLimits = info.context.runtime.extras["login_limits"]
    return limits


def _auth_payload(session: service.Session) -> AuthPayload:
    return AuthPayload(
        access_token=session.access_token,
        refresh_token=session.refresh_token,
        user=User.from_model(session.user),
    )


@strawberry.type
class Query:
    @strawberry.field(description="The signed-in user, or null when anonymous.")
    async def me(self, info: Ctx) -> User | None:
        claims = info.context.claims
        if claims is None:
            return None
        return await User.resolve_reference(info, strawberry.ID(claims.user_id))

    @strawberry.field
    async def user(self, info: Ctx, id: strawberry.ID) -> User | None:
        require_user(info)
        return await User.resolve_reference(info, id)

    @strawberry.field(description="All users, for administrators.")
    async def users(
        self, info: Ctx, first: int | None = None, after: str | None = None
    ) -> Connection[User]:
        require_admin(info)
        limit = page_size(first)
        position = decode_position(after)
        async with info.context.runtime.database.session() as session:
            rows, total = await service.list_users(session, limit=limit + 1, after=position)
        return Connection[User].build(
            rows,
            first=limit,
            total_count=total,
            cursor_of=lambda user: position_values(user.created_at, user.id),
            node_of=User.from_model,
        )


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def register(self, info: Ctx, email: str, password: str, display_name: str) -> User:
        async with info.context.runtime.database.session() as session:
            user = await service.register(
                session, email=email, password=password, display_name=display_name
            )
        return User.from_model(user)

    @strawberry.mutation
    async def login(self, info: Ctx, email: str, password: str) -> AuthPayload:
        runtime = info.context.runtime
        async with runtime.database.session() as session:
            result = await service.authenticate(
                session,
                tokens=runtime.tokens,
                limits=_limits(info),
                email=email,
                password=password,
                client_ip=info.context.client_ip,
                refresh_ttl=runtime.common.refresh_token_ttl_seconds,
            )
        return _auth_payload(result)

    @strawberry.mutation
    async def refresh_token(self, info: Ctx, token: str) -> AuthPayload:
        return _auth_payload(await _rotate(info, token))

    @strawberry.mutation
    async def logout(self, info: Ctx, refresh_token: str) -> bool:
        async with info.context.runtime.database.session() as session:
            return await service.logout(session, token=refresh_token)

    @strawberry.mutation
    async def update_profile(self, info: Ctx, display_name: str) -> User:
        claims = require_user(info)
        async with info.context.runtime.database.session() as session:
            user = await service.update_profile(
                session, user_id=claims.user_id, display_name=display_name
            )
        return User.from_model(user)

    @strawberry.mutation(description="Change a user's role; administrators only.")
    async def set_user_role(self, info: Ctx, user_id: strawberry.ID, role: Role) -> User:
        claims = require_admin(info)
        async with info.context.runtime.database.session() as session:
            user = await service.set_role(
                session, actor_id=claims.user_id, user_id=str(user_id), role=role.value
            )
        return User.from_model(user)

    @strawberry.mutation(description="Set the caller's avatar: a JPEG, PNG, WebP or GIF.")
    async def set_avatar(self, info: Ctx, file: Upload) -> User:
        claims = require_user(info)
        photos = _photos(info)
        folder = avatars.avatar_folder(claims.user_id)
        # The session commits before `stored` exits, so a failed commit deletes the new file.
        async with (
            photos.stored(file, folder=folder) as stored,
            info.context.runtime.database.session() as session,
        ):
            _avatar, replaced = await avatars.set_avatar(
                session, user_id=claims.user_id, photo=stored
            )
        if replaced:
            await photos.discard(replaced)
        return await _me(info, claims.user_id)

    @strawberry.mutation(description="Remove the caller's avatar.")
    async def remove_avatar(self, info: Ctx) -> User:
        claims = require_user(info)
        async with info.context.runtime.database.session() as session:
            removed = await avatars.remove_avatar(session, user_id=claims.user_id)
        if removed:
            await _photos(info).discard(removed)
        return await _me(info, claims.user_id)


async def _me(info: Ctx, user_id: str) -> User:
    found = await User.resolve_reference(info, strawberry.ID(user_id))
    if found is None:
        raise NotFound("user not found")
    return found


async def _rotate(info: Ctx, token: str) -> service.Session:
    """Rotation commits even when it fails: a detected reuse must revoke the family for good."""
    runtime = info.context.runtime
    async with runtime.database.sessionmaker() as session:
        try:
            result = await service.rotate_refresh_token(
                session,
                tokens=runtime.tokens,
                token=token,
                refresh_ttl=runtime.common.refresh_token_ttl_seconds,
            )
        except Exception:
            await session.commit()
            raise
        await session.commit()
        return result


schema = federation_schema(query=Query, mutation=Mutation, types=[User, Photo])
