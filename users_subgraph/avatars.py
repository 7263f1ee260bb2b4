"""Users' avatars: one photo per user in the kit's photo storage, in its own table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from subgraph_kit.db import UTCDateTime, utcnow
from subgraph_kit.errors import BadUserInput, NotFound
from subgraph_kit.storage import StoredPhoto
from users_subgraph.models import User, UsersBase

__all__ = ["Avatar", "avatar_folder", "avatars_by_user_ids", "remove_avatar", "set_avatar"]


class Avatar(UsersBase):
    __tablename__ = "avatars"

    user_id: Mapped[str] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    photo_id: Mapped[str] = mapped_column(String(32))
    public_id: Mapped[str] = mapped_column(String(255), unique=True)
    format: Mapped[str] = mapped_column(String(8))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def avatar_folder(user_id: str) -> str:
    return f"taskforge/avatars/{user_id}"


async def set_avatar(
    session: AsyncSession, *, user_id: str, photo: StoredPhoto
) -> tuple[Avatar, str | None]:
    """Replace the user's avatar; returns it and the public id of the one it replaced."""
    if await session.get(User, user_id) is None:
        raise NotFound("user not found")
    previous = await session.get(Avatar, user_id, with_for_update=True)
    replaced = previous.public_id if previous else None
    if previous is not None:
        await session.delete(previous)
        await _flush(session)
    avatar = Avatar(
        user_id=user_id,
        photo_id=photo.public_id.rsplit("/", 1)[-1][:32],
        public_id=photo.public_id,
        format=photo.format,
        width=photo.width,
        height=photo.height,
        bytes=photo.bytes,
        created_at=utcnow(),
    )
    session.add(avatar)
    await _flush(session)
    return avatar, replaced


async def _flush(session: AsyncSession) -> None:
    """Two avatar changes racing for one user: the later one is told to retry."""
    try:
        await session.flush()
    except (IntegrityError, StaleDataError) as error:
        raise BadUserInput("your avatar changed meanwhile; retry", reason="CONFLICT") from error


async def remove_avatar(session: AsyncSession, *, user_id: str) -> str | None:
    """Drop the avatar; returns its public id for removal from storage after commit."""
    avatar = await session.get(Avatar, user_id, with_for_update=True)
    if avatar is None:
        return None
    await session.delete(avatar)
    return avatar.public_id


async def avatars_by_user_ids(session: AsyncSession, ids: Sequence[str]) -> dict[str, Avatar]:
    if not ids:
        return {}
    rows = await session.scalars(select(Avatar).where(Avatar.user_id.in_(set(ids))))
    return {avatar.user_id: avatar for avatar in rows}
