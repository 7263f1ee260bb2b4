"""Shared fixtures: the parametrized storage backend every DB/Redis-facing test runs on."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# Services refuse to start without a JWT key (there is no default): the suite signs with this.
os.environ.setdefault(
    "TASKFORGE_JWT_SECRET", "taskforge-test-suite-jwt-secret-long-enough-for-hs512"
)

from tests.support.backends import Backend, available_backends, delete_redis_keys

BACKENDS = available_backends()
REDIS_BACKENDS = [backend for backend in BACKENDS if backend.redis_url]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each DB/Redis-facing test runs once per backend; `redis_only` ones on Redis backends."""
    if "backend" not in metafunc.fixturenames:
        return
    redis_only = metafunc.definition.get_closest_marker("redis_only") is not None
    chosen = REDIS_BACKENDS if redis_only else BACKENDS
    metafunc.parametrize("backend", chosen, ids=[b.name for b in chosen], indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without TASKFORGE_TEST_REDIS_URL, `redis_only` tests are not collected (CI sets it)."""
    if REDIS_BACKENDS:
        return
    dropped = [item for item in items if item.get_closest_marker("redis_only")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not item.get_closest_marker("redis_only")]


@pytest.fixture
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    """The backend this instance of a test runs on (see pytest_generate_tests)."""
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
