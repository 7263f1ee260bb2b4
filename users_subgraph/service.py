"""Users domain rules: registration, credentials, refresh-token rotation, roles. No GraphQL here."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn

from argon2 import PasswordHasher
from sqlalchemy import func, select, tuple_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from subgraph_kit.auth import TokenService
from subgraph_kit.db import utcnow
from subgraph_kit.errors import BadUserInput, Forbidden, NotFound, RateLimited, Unauthenticated
from subgraph_kit.events import emit
from subgraph_kit.pagination import Position
from subgraph_kit.ratelimit import RateLimiter
from users_subgraph.models import RefreshToken, User, new_id
from users_subgraph.passwords import PasswordPool

__all__ = [
    "LoginLimits",
    "Session",
    "authenticate",
    "create_admin",
    "get_users_by_ids",
    "list_users",
    "logout",
    "normalize_email",
    "register",
    "rotate_refresh_token",
    "set_role",
    "update_profile",
]

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_passwords = PasswordPool()
_DUMMY_HASH = PasswordHasher().hash("not-a-real-password")
MIN_PASSWORD, MAX_PASSWORD, MAX_NAME = 10, 128, 100


@dataclass(frozen=True, slots=True)
class Session:
    """What a successful login or refresh hands back."""

    access_token: str
    refresh_token: str
    user: User


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """Failed-login counters per email and per client address, with their thresholds."""

    by_email: RateLimiter
    by_address: RateLimiter
    max_per_email: int = 5
    max_per_address: int = 20


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if len(email) > 254 or not _EMAIL.match(email):
        raise BadUserInput("email is not a valid address", field="email")
    return email


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD or len(password) > MAX_PASSWORD:
        raise BadUserInput(
            f"password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters", field="password"
        )
    classes = sum(
        bool(re.search(pattern, password)) for pattern in (r"[a-z]", r"[A-Z]", r"\d", r"[^\w\s]")
    )
    if classes < 3 or len(set(password)) < 5:
        raise BadUserInput(
            "password too weak: use at least three of lower case, upper case, digits, symbols",
            field="password",
        )


def _check_display_name(display_name: str) -> str:
    display_name = display_name.strip()
    if not display_name or len(display_name) > MAX_NAME:
        raise BadUserInput(f"displayName must be 1 to {MAX_NAME} characters", field="displayName")
    return display_name


async def register(
    session: AsyncSession, *, email: str, password: str, display_name: str, role: str = "USER"
) -> User:
    email = normalize_email(email)
    _check_password(password)
    user = User(
        id=new_id(),
        email=email,
        password_hash=await _passwords.hash(password),
        display_name=_check_display_name(display_name),
        role=role,
        created_at=utcnow(),
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as error:
        raise BadUserInput("an account with this email already exists", field="email") from error
    await emit(
        session,
        "user.registered",
        {"user_id": user.id, "email": user.email, "display_name": user.display_name},
    )
    return user


async def create_admin(
    session: AsyncSession, *, email: str, password: str, display_name: str
) -> User:
    """Create an ADMIN, or promote the existing account with that email."""
    existing = await session.scalar(select(User).where(User.email == normalize_email(email)))
    if existing is not None:
        existing.role = "ADMIN"
        return existing
    return await register(
        session, email=email, password=password, display_name=display_name, role="ADMIN"
    )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _issue_session(
    session: AsyncSession, tokens: TokenService, user: User, *, family_id: str, ttl: int
) -> Session:
    refresh = secrets.token_urlsafe(32)
    session.add(
        RefreshToken(
            id=new_id(),
            user_id=user.id,
            token_hash=_hash_token(refresh),
            family_id=family_id,
            created_at=utcnow(),
            expires_at=utcnow() + timedelta(seconds=ttl),
        )
    )
    await session.flush()
    access = tokens.issue(user_id=user.id, role=user.role)
    return Session(access_token=access, refresh_token=refresh, user=user)


async def authenticate(
    session: AsyncSession,
    *,
    tokens: TokenService,
    limits: LoginLimits,
    email: str,
    password: str,
    client_ip: str,
    refresh_ttl: int,
) -> Session:
    """Check credentials; wrong email and wrong password look alike; failures are rate-limited.

    Each attempt is counted before the hash (an atomic increment), so concurrent guesses
    cannot all pass the check; a success gives its attempts back.
    """
    email_key = email.strip().lower()[:254]
    await _reserve_attempt(limits, email_key, client_ip)
    user = await session.scalar(select(User).where(User.email == email_key))
    known_hash = user.password_hash if user else _DUMMY_HASH
    if not await _passwords.matches(known_hash, password[: MAX_PASSWORD * 4]) or not user:
        raise Unauthenticated("invalid email or password")
    await limits.by_email.reset(email_key)
    await limits.by_address.release(client_ip)
    return await _issue_session(session, tokens, user, family_id=new_id(), ttl=refresh_ttl)


async def _reserve_attempt(limits: LoginLimits, email_key: str, client_ip: str) -> None:
    by_email = await limits.by_email.hit(email_key)
    by_address = await limits.by_address.hit(client_ip)
    if by_email > limits.max_per_email or by_address > limits.max_per_address:
        raise RateLimited("too many failed sign-in attempts; try again later")


async def rotate_refresh_token(
    session: AsyncSession, *, tokens: TokenService, token: str, refresh_ttl: int
) -> Session:
    """Swap a refresh token for a new pair; reusing a rotated token revokes its whole family.

    The token is claimed by one compare-and-set UPDATE, so of concurrent rotations exactly one
    wins and every other one counts as reuse.
    """
    token_hash = _hash_token(token)
    now = utcnow()
    claimed = await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.token_hash == token_hash,
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > now,
        )
        .values(used_at=now)
        .returning(RefreshToken.user_id, RefreshToken.family_id)
    )
    won = claimed.first()
    if won is None:
        await _refuse_rotation(session, token_hash)
    user = await session.get(User, won.user_id)
    if user is None:
        raise Unauthenticated("invalid refresh token")
    return await _issue_session(session, tokens, user, family_id=won.family_id, ttl=refresh_ttl)


async def _refuse_rotation(session: AsyncSession, token_hash: str) -> NoReturn:
    """Why a token could not be claimed; a used one is reuse and revokes its family."""
    stored = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == token_hash))
    if stored is not None and stored.used_at is not None:
        await _revoke_family(session, stored.family_id)
        raise Unauthenticated("refresh token reused; all sessions of this login were revoked")
    raise Unauthenticated("invalid refresh token")


async def _revoke_family(session: AsyncSession, family_id: str) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def logout(session: AsyncSession, *, token: str) -> bool:
    stored = await session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == _hash_token(token))
    )
    if stored is None:
        return False
    await _revoke_family(session, stored.family_id)
    return True


async def get_users_by_ids(session: AsyncSession, ids: Sequence[str]) -> dict[str, User]:
    if not ids:
        return {}
    rows = await session.scalars(select(User).where(User.id.in_(set(ids))))
    return {user.id: user for user in rows}


async def list_users(
    session: AsyncSession, *, limit: int, after: Position | None
) -> tuple[list[User], int]:
    """Users ordered by (createdAt, id), `limit` of them after the cursor, and the total."""
    query = select(User).order_by(User.created_at, User.id).limit(limit)
    if after is not None:
        created_at, user_id = after
        query = query.where(tuple_(User.created_at, User.id) > (created_at, user_id))
    rows = list(await session.scalars(query))
    total = await session.scalar(select(func.count()).select_from(User)) or 0
    return rows, total


async def update_profile(session: AsyncSession, *, user_id: str, display_name: str) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    user.display_name = _check_display_name(display_name)
    return user


async def set_role(session: AsyncSession, *, actor_id: str, user_id: str, role: str) -> User:
    """Change a role (the caller is an admin); the last admin cannot demote themself."""
    user = await session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound("user not found")
    if user.role == "ADMIN" and role != "ADMIN":
        admins = await session.scalar(
            select(func.count()).select_from(User).where(User.role == "ADMIN")
        )
        if (admins or 0) <= 1:
            raise Forbidden("the last administrator cannot be demoted")
    user.role = role
    return user
