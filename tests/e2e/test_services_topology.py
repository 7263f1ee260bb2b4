"""`taskforge up`: every subgraph and the router as separate processes on PostgreSQL and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from taskforge.registry import SUBGRAPHS
from tests.support.backends import Backend, fresh_database_url
from tests.support.processes import ServerProcess, free_port, start_taskforge

pytestmark = pytest.mark.redis_only

SCHEMA_DIR = Path(__file__).parents[2] / "schema"
PASSWORD = "Corr3ct-Horse-Battery"


@pytest.fixture
async def topology(
    backend: Backend, redis_prefix: str, tmp_path: Path
) -> AsyncIterator[ServerProcess]:
    env = {
        "TASKFORGE_DATA_DIR": str(tmp_path / "var"),
        "TASKFORGE_REDIS_URL": backend.redis_url,
        "TASKFORGE_REDIS_KEY_PREFIX": redis_prefix,
    }
    async with AsyncExitStack() as stack:
        for name in SUBGRAPHS:
            url = await stack.enter_async_context(fresh_database_url(backend, tmp_path, name))
            env[f"TASKFORGE_{name.upper()}_DATABASE_URL"] = url
            env[f"TASKFORGE_{name.upper()}_PORT"] = str(free_port())
        port = free_port()
        args = ["up", "--port", str(port), "--supergraph", str(SCHEMA_DIR / "supergraph.graphql")]
        server = start_taskforge(args, cwd=tmp_path, env=env, port=port)
        try:
            yield server
        finally:
            if server.process.poll() is None:
                server.stop()


def _gql(base: str, query: str, variables: dict[str, object], token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    reply = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert not body.get("errors"), body
    return body["data"]


def test_register_login_me_through_the_router_process(topology: ServerProcess) -> None:
    router = topology.base_url
    _gql(
        router,
        "mutation($e: String!, $p: String!) {"
        ' register(email: $e, password: $p, displayName: "Tom") { id } }',
        {"e": "tom@example.com", "p": PASSWORD},
    )
    token = _gql(
        router,
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
        {"e": "tom@example.com", "p": PASSWORD},
    )["login"]["accessToken"]
    assert _gql(router, "{ me { email displayName } }", {}, token) == {
        "me": {"email": "tom@example.com", "displayName": "Tom"}
    }
    assert _gql(router, "{ __typename }", {}) == {"__typename": "Query"}


def test_topology_starts_and_stops_promptly_on_sigterm(topology: ServerProcess) -> None:
    assert topology.started_in < 45, f"took {topology.started_in:.1f}s to become healthy"
    assert topology.stop() < 12
