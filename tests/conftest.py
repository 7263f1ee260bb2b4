"""Shared fixtures: the parametrized storage backend every DB/Redis-facing test runs on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.backends import Backend, available_backends, delete_redis_keys

BACKENDS = available_backends()


@pytest.fixture(params=BACKENDS, ids=[backend.name for backend in BACKENDS])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    """Each DB/Redis-facing test runs once per configured backend."""
    chosen: Backend = request.param
    yield chosen


@pytest.fixture
async def redis_prefix(backend: Backend) -> AsyncIterator[str]:
    prefix = backend.redis_prefix
    yield prefix
    if backend.redis_url:
        await delete_redis_keys(backend.redis_url, prefix)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path
