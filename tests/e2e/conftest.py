"""Fixtures for end-to-end tests: the whole federation in one process on a test backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from subgraph_kit.settings import ServiceSettings
from taskforge.registry import SUBGRAPHS
from taskforge.standalone import Standalone, create_standalone
from tests.support.backends import Backend, fresh_database_url
from tests.support.graphql import GraphQLClient
from tests.support.services import test_common_settings


@pytest.fixture
async def federation(
    backend: Backend, redis_prefix: str, data_dir: Path
) -> AsyncIterator[Standalone]:
    """Router + every subgraph in-process, each subgraph on a fresh database of `backend`."""
    common = test_common_settings(backend, redis_prefix, data_dir)
    async with AsyncExitStack() as stack:
        urls = {
            name: await stack.enter_async_context(fresh_database_url(backend, data_dir, name))
            for name in SUBGRAPHS
        }
        settings = {
            name: ServiceSettings(name=name, database_url=url) for name, url in urls.items()
        }
        standalone = create_standalone(SUBGRAPHS.values(), common=common, settings=settings)
        await standalone.start()
        try:
            yield standalone
        finally:
            await standalone.stop()


@pytest.fixture
async def router_gql(federation: Standalone) -> AsyncIterator[GraphQLClient]:
    transport = httpx.ASGITransport(app=federation)
    async with httpx.AsyncClient(transport=transport, base_url="http://router") as http:
        yield GraphQLClient(http)
