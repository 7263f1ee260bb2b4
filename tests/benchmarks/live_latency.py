"""Live latency in services mode: mutation sent -> subscriber message received, via the router.

Starts `taskforge up` (four subgraphs and the router as processes) on fresh PostgreSQL databases
and Redis, subscribes at the router over graphql-transport-ws to `taskChanged(groupId)` with the
assignee's displayName (an entity fetch to users per event), then assigns N tasks one at a time
and times each from just before the `assignTask` request is sent to the arrival of its ASSIGNED
message. The path: tasks commits (outbox row) -> outbox relay XADDs to the Redis stream ->
tasks' live consumer reads it and PUBLISHes -> the tasks instance serving the subscription
forwards it -> the router fetches the assignee from users and pushes the merged payload.

Usage: .venv/bin/python tests/benchmarks/live_latency.py [--events 100]
       [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]
       [--redis-url redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.support.backends import RUN_ID, Backend, delete_redis_keys
from tests.support.topology import Services, services_topology

__all__ = ["main"]

PASSWORD = "Corr3ct-Horse-Battery"
SUBSCRIPTION = """subscription($g: ID!) { taskChanged(groupId: $g) {
  kind taskId task { status assignee { displayName } } } }"""


async def _gql(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    reply = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = reply.json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    data: dict[str, Any] = body["data"]
    return data


async def _person(http: httpx.AsyncClient, name: str) -> tuple[str, str]:
    """Register and log in; returns (user id, access token)."""
    email = f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.com"
    registered = await _gql(
        http,
        "mutation($e: String!, $p: String!, $n: String!) {"
        " register(email: $e, password: $p, displayName: $n) { id } }",
        {"e": email, "p": PASSWORD, "n": name},
    )
    login = await _gql(
        http,
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
        {"e": email, "p": PASSWORD},
    )
    return registered["register"]["id"], login["login"]["accessToken"]


async def _until(check: Any, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError("the topology did not settle")
        await asyncio.sleep(0.05)


async def _group_with_tasks(
    http: httpx.AsyncClient, owner: str, member_id: str, member: str, count: int
) -> tuple[str, list[str]]:
    group_id = (await _gql(http, 'mutation { createGroup(name: "Bench") { id } }', {}, owner))[
        "createGroup"
    ]["id"]
    await _gql(
        http,
        "mutation($g: ID!, $u: ID!) { addMember(groupId: $g, userId: $u) { role } }",
        {"g": group_id, "u": member_id},
        owner,
    )

    async def member_known() -> bool:
        reply = await http.post(
            "/graphql",
            json={
                "query": "query($g: ID!) { group(id: $g) { tasks { totalCount } } }",
                "variables": {"g": group_id},
            },
            headers={"Authorization": f"Bearer {member}"},
        )
        return not reply.json().get("errors")

    await _until(member_known)
    create = "mutation($g: ID!, $t: String!) { createTask(groupId: $g, title: $t) { id } }"
    tasks = [
        (await _gql(http, create, {"g": group_id, "t": f"Task {n}"}, owner))["createTask"]["id"]
        for n in range(count)
    ]
    return group_id, tasks


async def _subscribe(services: Services, token: str, group_id: str) -> ClientConnection:
    url = services.router_url.replace("http", "ws", 1) + "/graphql"
    ws = await connect(url, subprotocols=[Subprotocol("graphql-transport-ws")])
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
    await ws.send(json.dumps(init))
    if json.loads(await ws.recv())["type"] != "connection_ack":
        raise RuntimeError("no connection_ack")
    request = {"query": SUBSCRIPTION, "variables": {"g": group_id}}
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": request}))
    return ws


async def _await_listener(services: Services, group_id: str) -> None:
    redis = Redis.from_url(services.redis_url)
    channel = f"{services.redis_prefix}live:tasks:{group_id}"
    try:

        async def listening() -> bool:
            return dict(await redis.pubsub_numsub(channel)).get(channel.encode(), 0) == 1

        await _until(listening)
    finally:
        await redis.aclose()


async def _measure(
    http: httpx.AsyncClient, ws: ClientConnection, owner: str, assignee: str, tasks: list[str]
) -> tuple[list[float], list[float]]:
    """Per task: (mutation sent -> message received, mutation sent -> mutation answered) in ms."""
    assign = "mutation($t: ID!, $u: ID!) { assignTask(taskId: $t, userId: $u) { id } }"
    live, answered = [], []
    for task_id in tasks:
        started = time.perf_counter()
        await _gql(http, assign, {"t": task_id, "u": assignee}, owner)
        answered.append((time.perf_counter() - started) * 1000)
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
            change = message["payload"]["data"]["taskChanged"]
            if change["taskId"] == task_id and change["kind"] == "ASSIGNED":
                break
        live.append((time.perf_counter() - started) * 1000)
        if change["task"]["assignee"]["displayName"] != "Ann":
            raise RuntimeError(f"unexpected payload {message}")
    return live, answered


def _summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    return (
        f"{name}: median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms,"
        f" min {ordered[0]:.1f} ms, max {ordered[-1]:.1f} ms (n={len(ordered)})"
    )


async def run(events: int, backend: Backend) -> None:
    prefix = f"tfbench:{RUN_ID}:"
    with tempfile.TemporaryDirectory() as workdir:
        try:
            async with services_topology(backend, prefix, Path(workdir)) as services:
                services.up()
                async with httpx.AsyncClient(base_url=services.router_url, timeout=30) as http:
                    ann_id, ann = await _person(http, "Ann")
                    _bob_id, bob = await _person(http, "Bob")
                    group_id, tasks = await _group_with_tasks(http, bob, ann_id, ann, events)
                    ws = await _subscribe(services, ann, group_id)
                    await _await_listener(services, group_id)
                    live, answered = await _measure(http, ws, bob, ann_id, tasks)
                    await ws.close()
        finally:
            await delete_redis_keys(str(backend.redis_url), prefix)
    print(f"services mode, {events} assignments, one at a time, subscriber at the router (WS)")
    print(_summary("mutation -> subscriber message", live))
    print(_summary("mutation -> mutation response ", answered))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "TASKFORGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("TASKFORGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
    )
    args = parser.parse_args()
    backend = Backend("postgres+redis", args.postgres_url, args.redis_url)
    asyncio.run(run(args.events, backend))


if __name__ == "__main__":
    main()
