"""Finding 15: under `taskforge up`, a SIGKILL of one subgraph ended the whole topology. Now
the topology restarts a child that exits, with backoff, and the router keeps serving (with
errors for the missing subgraph) meanwhile."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.backends import Backend
from tests.support.topology import Services, services_topology

pytestmark = pytest.mark.redis_only

PASSWORD = "Corr3ct-Horse-Battery"
TASK = {"query": 'query { task(id: "00000000-0000-0000-0000-000000000000") { id } }'}


@pytest.fixture
async def services(backend: Backend, redis_prefix: str, tmp_path: Path) -> AsyncIterator[Services]:
    async with services_topology(backend, redis_prefix, tmp_path) as topology:
        yield topology


def _child_pid(parent: int, service: str) -> int:
    """The pid of `parent`'s child running `taskforge serve <service>`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and command[-3:-1] == [b"serve", service.encode()]:
            return int(entry.name)
    raise AssertionError(f"no `serve {service}` child of {parent}")


def _post(router: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    reply = httpx.post(f"{router}/graphql", json=body, headers=headers, timeout=30)
    assert reply.status_code == 200, reply.text
    answer: dict[str, Any] = reply.json()
    return answer


def _codes(answer: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in answer.get("errors") or ()]


def test_a_killed_subgraph_is_restarted_and_the_router_keeps_serving(services: Services) -> None:
    up = services.up()
    router = services.router_url
    _post(
        router,
        {
            "query": "mutation($e: String!, $p: String!) {"
            " register(email: $e, password: $p, displayName: $e) { id } }",
            "variables": {"e": "crash@example.com", "p": PASSWORD},
        },
    )
    login = _post(
        router,
        {
            "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p)"
            " { accessToken } }",
            "variables": {"e": "crash@example.com", "p": PASSWORD},
        },
    )
    token = login["data"]["login"]["accessToken"]
    killed = _child_pid(up.process.pid, "tasks")
    os.kill(killed, signal.SIGKILL)

    me = _post(router, {"query": "{ me { email } }"}, token)
    assert me == {"data": {"me": {"email": "crash@example.com"}}}
    assert _codes(_post(router, TASK, token)) != ["NOT_FOUND"]  # tasks cannot answer

    deadline = time.monotonic() + 45
    codes: list[str] = []
    while time.monotonic() < deadline and codes != ["NOT_FOUND"]:
        time.sleep(0.5)
        codes = _codes(_post(router, TASK, token))
    assert codes == ["NOT_FOUND"], "tasks never came back"
    assert up.process.poll() is None, "the topology stopped"
    assert _child_pid(up.process.pid, "tasks") != killed
