"""Test backends: embedded (SQLite, in-process bus) and real PostgreSQL + Redis from the env."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from redis.asyncio import Redis

__all__ = ["RUN_ID", "Backend", "available_backends", "fresh_database_url"]

RUN_ID = uuid.uuid4().hex[:8]
POSTGRES_URL = os.environ.get("TASKFORGE_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("TASKFORGE_TEST_REDIS_URL")
_counter = itertools.count()


@dataclass(frozen=True)
class Backend:
    """Where a test's databases and Redis keys live."""

    name: str
    postgres_url: str | None = None
    redis_url: str | None = None

    @property
    def redis_prefix(self) -> str:
        return f"tftest:{RUN_ID}:{next(_counter)}:"


def available_backends() -> list[Backend]:
    backends = [Backend("embedded")]
    if POSTGRES_URL or REDIS_URL:
        if not (POSTGRES_URL and REDIS_URL):
            raise RuntimeError(
                "set both TASKFORGE_TEST_POSTGRES_URL and TASKFORGE_TEST_REDIS_URL, or neither"
            )
        backends.append(Backend("postgres+redis", POSTGRES_URL, REDIS_URL))
    return backends


def _with_database(url: str, database: str, driver: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    scheme = f"{scheme}+{driver}" if driver else scheme
    return urlunsplit((scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


@asynccontextmanager
async def fresh_database_url(backend: Backend, tmp_path: Path, service: str) -> AsyncIterator[str]:
    """A brand-new empty database for one service of one test, dropped afterwards."""
    if backend.postgres_url is None:
        yield f"sqlite+aiosqlite:///{tmp_path / f'{service}.db'}"
        return
    name = f"tftest_{RUN_ID}_{service}_{next(_counter)}"
    admin = await asyncpg.connect(_with_database(backend.postgres_url, "postgres", ""))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield _with_database(backend.postgres_url, name, "asyncpg")
    finally:
        admin = await asyncpg.connect(_with_database(backend.postgres_url, "postgres", ""))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def delete_redis_keys(url: str, prefix: str) -> None:
    redis = Redis.from_url(url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*", count=500)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()
