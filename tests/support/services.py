"""Start a subgraph in-process on a test backend and talk to it over an ASGI transport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from subgraph_kit.runtime import ServiceRuntime
from subgraph_kit.settings import CommonSettings, ServiceSettings
from tests.support.backends import Backend, fresh_database_url
from tests.support.graphql import GraphQLClient

__all__ = ["RunningService", "running_service", "test_common_settings"]


def test_common_settings(
    backend: Backend, redis_prefix: str, data_dir: Path, **overrides: Any
) -> CommonSettings:
    return CommonSettings(
        data_dir=data_dir,
        redis_url=backend.redis_url,
        redis_key_prefix=redis_prefix,
        **overrides,
    )


@dataclass
class RunningService:
    runtime: ServiceRuntime
    app: Any
    http: httpx.AsyncClient
    gql: GraphQLClient


@asynccontextmanager
async def running_service(
    module: ModuleType,
    name: str,
    *,
    backend: Backend,
    redis_prefix: str,
    data_dir: Path,
    common: CommonSettings | None = None,
    runtime_options: Mapping[str, Any] | None = None,
    database_url: str | None = None,
) -> AsyncIterator[RunningService]:
    """`module` is a subgraph's app module (create_runtime, create_app); `runtime_options` are
    extra keyword arguments for its create_runtime; `database_url` reuses a database (e.g. to
    restart a service on it) instead of a fresh one."""
    common = common or test_common_settings(backend, redis_prefix, data_dir)
    async with _database_url(backend, data_dir, name, database_url) as url:
        settings = ServiceSettings(name=name, database_url=url)
        runtime = module.create_runtime(
            settings=settings, common=common, **dict(runtime_options or {})
        )
        await runtime.start()
        app = module.create_app(runtime, manage_runtime=False)
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                yield RunningService(runtime, app, http, GraphQLClient(http))
        finally:
            await runtime.stop()


@asynccontextmanager
async def _database_url(
    backend: Backend, data_dir: Path, name: str, given: str | None
) -> AsyncIterator[str]:
    if given is not None:
        yield given
        return
    async with fresh_database_url(backend, data_dir, name) as url:
        yield url
