"""Live updates in services mode: real processes on PostgreSQL and Redis, subscribers at the router.

A subscribes with the real graphql-ws npm client, then over SSE; B (the group's owner) assigns A
a task; A hears the change (the assignee's displayName joined from users by the router) and the
TASK_ASSIGNED notification, and the dashboard shows it unread. Then no event is lost when the
notifications process is SIGKILLed while task events keep coming.
"""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from redis.asyncio import Redis
from sqlalchemy import text

from subgraph_kit.auth import TokenService
from subgraph_kit.db import Database
from subgraph_kit.events import Event, RedisStreamsBus
from subgraph_kit.settings import common_settings
from tests.support.backends import Backend
from tests.support.topology import Services, services_topology

pytestmark = pytest.mark.redis_only

NODE_DIR = Path(__file__).resolve().parents[1] / "federation" / "node"
WS_SCRIPT = NODE_DIR / "graphql_ws_stream.mjs"
PASSWORD = "Corr3ct-Horse-Battery"

REGISTER = """mutation($e: String!, $p: String!, $n: String!) {
  register(email: $e, password: $p, displayName: $n) { id } }"""
LOGIN = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }"
CREATE_GROUP = "mutation($n: String!) { createGroup(name: $n) { id } }"
ADD_MEMBER = "mutation($g: ID!, $u: ID!) { addMember(groupId: $g, userId: $u) { role } }"
CREATE_TASK = "mutation($g: ID!, $t: String!) { createTask(groupId: $g, title: $t) { id } }"
ASSIGN = "mutation($t: ID!, $u: ID!) { assignTask(taskId: $t, userId: $u) { id } }"
TASK = "query($t: ID!) { task(id: $t) { id } }"
TASK_CHANGED = """subscription($g: ID!) { taskChanged(groupId: $g) {
  kind taskId actor { displayName } task { title status assignee { id displayName } } } }"""
NOTIFICATION_ADDED = "subscription { notificationAdded { kind message task { id title } } }"
DASHBOARD = """{ me { displayName unreadNotificationCount
  notifications(unreadOnly: true, first: 10) { edges { node { kind task { title } } } } } }"""


@dataclass(frozen=True)
class Person:
    id: str
    token: str
    name: str

    @property
    def authorization(self) -> str:
        return f"Bearer {self.token}"


@pytest.fixture
async def services(backend: Backend, redis_prefix: str, tmp_path: Path) -> AsyncIterator[Services]:
    async with services_topology(backend, redis_prefix, tmp_path) as topology:
        yield topology


async def _gql(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], who: Person | None = None
) -> dict[str, Any]:
    headers = {"Authorization": who.authorization} if who else {}
    reply = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = reply.json()
    assert reply.status_code == 200 and not body.get("errors"), body
    data: dict[str, Any] = body["data"]
    return data


async def _eventually(check: Callable[[], Awaitable[bool]], failure: str, timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, failure
        await asyncio.sleep(0.05)


async def _person(http: httpx.AsyncClient, name: str) -> Person:
    email = f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.com"
    user = await _gql(http, REGISTER, {"e": email, "p": PASSWORD, "n": name})
    token = await _gql(http, LOGIN, {"e": email, "p": PASSWORD})
    return Person(user["register"]["id"], token["login"]["accessToken"], name)


async def _succeeds(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], who: Person
) -> bool:
    reply = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": who.authorization},
    )
    return reply.status_code == 200 and not reply.json().get("errors")


async def _member(http: httpx.AsyncClient, group_id: str, who: Person) -> bool:
    """Whether the tasks subgraph has applied the events making `who` a member of the group."""
    query = "query($g: ID!) { group(id: $g) { tasks { totalCount } } }"
    return await _succeeds(http, query, {"g": group_id}, who)


async def _unread(http: httpx.AsyncClient, who: Person) -> int:
    data = await _gql(http, "{ me { unreadNotificationCount } }", {}, who)
    return int(data["me"]["unreadNotificationCount"])


@dataclass
class Scene:
    """A group owned by Bob with Ann as a member, known to every subgraph; a redis client."""

    http: httpx.AsyncClient
    redis: Redis
    services: Services
    ann: Person
    bob: Person
    group_id: str

    @property
    def live_channels(self) -> list[str]:
        prefix = f"{self.services.redis_prefix}live:"
        return [f"{prefix}tasks:{self.group_id}", f"{prefix}notifications:{self.ann.id}"]

    @property
    def subscriptions(self) -> list[dict[str, Any]]:
        return [
            {"query": TASK_CHANGED, "variables": {"g": self.group_id}},
            {"query": NOTIFICATION_ADDED},
        ]

    async def listening(self, count: int) -> None:
        """Wait until each live channel has `count` subscribers (the router's upstream ones)."""

        async def ready() -> bool:
            counts = dict(await self.redis.pubsub_numsub(*self.live_channels))
            return [counts.get(channel.encode(), 0) for channel in self.live_channels] == [
                count,
                count,
            ]

        await _eventually(ready, f"expected {count} subscriber(s) per live channel", 15)

    async def create_task(self, title: str) -> str:
        data = await _gql(self.http, CREATE_TASK, {"g": self.group_id, "t": title}, self.bob)
        return str(data["createTask"]["id"])

    async def assign_to_ann(self, task_id: str) -> None:
        await _gql(self.http, ASSIGN, {"t": task_id, "u": self.ann.id}, self.bob)


async def _scene(services: Services, http: httpx.AsyncClient, redis: Redis) -> Scene:
    ann, bob = await _person(http, "Ann"), await _person(http, "Bob")
    group_id = (await _gql(http, CREATE_GROUP, {"n": "Garden"}, bob))["createGroup"]["id"]
    await _gql(http, ADD_MEMBER, {"g": group_id, "u": ann.id}, bob)
    await _eventually(lambda: _member(http, group_id, ann), "Ann never joined in tasks", 15)
    await _eventually(lambda: _member(http, group_id, bob), "Bob never joined in tasks", 15)

    async def told_of_joining() -> bool:
        return await _unread(http, ann) == 1

    await _eventually(told_of_joining, "Ann was not told she joined the group", 15)
    return Scene(http, redis, services, ann, bob, group_id)


def _check(scene: Scene, task_id: str, title: str, change: Any, notification: Any) -> None:
    assert change == {
        "data": {
            "taskChanged": {
                "kind": "ASSIGNED",
                "taskId": task_id,
                "actor": {"displayName": "Bob"},
                "task": {
                    "title": title,
                    "status": "IN_PROGRESS",
                    "assignee": {"id": scene.ann.id, "displayName": "Ann"},
                },
            }
        }
    }
    added = notification["data"]["notificationAdded"]
    assert added["kind"] == "TASK_ASSIGNED"
    assert added["task"] == {"id": task_id, "title": title}
    assert added["message"] == f"Bob assigned you “{title}”"


async def _dashboard_shows_unread(scene: Scene, titles: list[str]) -> None:
    me = (await _gql(scene.http, DASHBOARD, {}, scene.ann))["me"]
    assert me["unreadNotificationCount"] == 1 + len(titles)
    nodes = [edge["node"] for edge in me["notifications"]["edges"]]
    assigned = [node["task"]["title"] for node in nodes if node["kind"] == "TASK_ASSIGNED"]
    assert sorted(assigned) == sorted(titles)
    assert [node["kind"] for node in nodes].count("ADDED_TO_GROUP") == 1


async def _over_websocket(scene: Scene, task_id: str) -> list[dict[str, Any]]:
    """The real graphql-ws client on the router, both subscriptions on one socket."""
    router_ws = scene.services.router_url.replace("http", "ws", 1) + "/graphql"
    process = await asyncio.create_subprocess_exec(
        "node",
        str(WS_SCRIPT),
        router_ws,
        orjson.dumps(scene.subscriptions).decode(),
        "2",
        scene.ann.authorization,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await scene.listening(1)
        await scene.assign_to_ann(task_id)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, (stdout, stderr)
    lines = [orjson.loads(line) for line in stdout.splitlines()]
    return [line for line in lines if "connected" not in line]


async def _sse_first_event(
    http: httpx.AsyncClient, request: dict[str, Any], who: Person
) -> dict[str, Any]:
    """The first `next` event of a graphql-sse (distinct connections) stream."""
    headers = {"Accept": "text/event-stream", "Authorization": who.authorization}
    async with http.stream("POST", "/graphql", json=request, headers=headers) as response:
        assert response.status_code == 200, await response.aread()
        event = ""
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "next":
                data: dict[str, Any] = orjson.loads(line.removeprefix("data: "))
                return data
    raise AssertionError("the SSE stream ended before any event")


async def _over_sse(scene: Scene, task_id: str) -> list[dict[str, Any]]:
    streams = [
        asyncio.create_task(_sse_first_event(scene.http, request, scene.ann))
        for request in scene.subscriptions
    ]
    try:
        await scene.listening(1)
        await scene.assign_to_ann(task_id)
        return list(await asyncio.wait_for(asyncio.gather(*streams), timeout=30))
    finally:
        for stream in streams:
            stream.cancel()
        await asyncio.gather(*streams, return_exceptions=True)


async def test_assignment_reaches_websocket_and_sse_subscribers_through_the_router(
    services: Services,
) -> None:
    await asyncio.to_thread(_ensure_node_modules)
    services.up()
    redis = Redis.from_url(services.redis_url)
    async with httpx.AsyncClient(base_url=services.router_url, timeout=30) as http:
        scene = await _scene(services, http, redis)
        by_ws = await scene.create_task("Water the plants")
        by_sse = await scene.create_task("Feed the cat")

        received = await _over_websocket(scene, by_ws)
        by_index = {line["index"]: line["next"] for line in received}
        assert sorted(by_index) == [0, 1], received
        _check(scene, by_ws, "Water the plants", by_index[0], by_index[1])
        await _dashboard_shows_unread(scene, ["Water the plants"])

        await scene.listening(0)
        change, notification = await _over_sse(scene, by_sse)
        _check(scene, by_sse, "Feed the cat", change, notification)
        await _dashboard_shows_unread(scene, ["Water the plants", "Feed the cat"])
    await redis.aclose()


def _ensure_node_modules() -> None:
    modules = NODE_DIR / "node_modules"
    if not (modules / "graphql-ws").is_dir() or not (modules / "ws").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)


async def _publish_group(services: Services, redis: Redis, owner: str, member: str) -> str:
    """What the groups subgraph would publish: a group of `owner` with `member` in it."""
    bus = RedisStreamsBus(redis, f"{services.redis_prefix}events")
    group_id = uuid.uuid4().hex
    for event_type, payload in (
        ("group.created", {"group_id": group_id, "owner_id": owner}),
        ("group.member_added", {"group_id": group_id, "user_id": member, "role": "MEMBER"}),
    ):
        await bus.publish(
            Event(uuid.uuid4().hex, event_type, 1, datetime.now(UTC), payload, "groups")
        )
    return group_id


async def _assigned_notifications(database: Database) -> tuple[int, int, int]:
    """TASK_ASSIGNED rows, distinct tasks among them, and all rows."""
    async with database.session() as session:
        row = (
            await session.execute(
                text(
                    "SELECT count(*) FILTER (WHERE kind = 'TASK_ASSIGNED'),"
                    " count(DISTINCT task_id) FILTER (WHERE kind = 'TASK_ASSIGNED'),"
                    " count(*) FROM notifications"
                )
            )
        ).one()
    return int(row[0]), int(row[1]), int(row[2])


EVENTS = 200


async def test_no_event_is_lost_when_notifications_is_killed_midway(services: Services) -> None:
    """SIGKILL notifications after 50 of 200 assignments, restart it after 120: every assignment
    gives exactly one TASK_ASSIGNED notification (Redis Streams redelivers what the dead process
    had read but not acknowledged; the idempotent consumer drops what it had already stored)."""
    services.start("tasks")
    services.start("notifications")
    tokens = TokenService(common_settings())
    owner, worker = uuid.uuid4().hex, uuid.uuid4().hex
    as_owner = {
        "Authorization": f"Bearer {tokens.issue(user_id=owner, role='USER')}",
        **services.subgraph_headers,
    }
    redis = Redis.from_url(services.redis_url)
    database = Database(services.database_urls["notifications"])
    group_id = await _publish_group(services, redis, owner, worker)
    async with httpx.AsyncClient(base_url=services.url("tasks"), headers=as_owner) as http:

        async def gql(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            reply = await http.post("/graphql", json={"query": query, "variables": variables})
            body: dict[str, Any] = reply.json()
            assert not body.get("errors"), body
            return body["data"]

        async def knows_the_group() -> bool:
            reply = await http.post(
                "/graphql", json={"query": CREATE_TASK, "variables": {"g": group_id, "t": "0"}}
            )
            return not reply.json().get("errors")

        await _eventually(knows_the_group, "tasks never applied the group's events", 15)
        task_ids = [
            (await gql(CREATE_TASK, {"g": group_id, "t": f"Task {n}"}))["createTask"]["id"]
            for n in range(1, EVENTS + 1)
        ]
        restarted: asyncio.Task[Any] | None = None
        for assigned, task_id in enumerate(task_ids, start=1):
            await gql(ASSIGN, {"t": task_id, "u": worker})
            if assigned == 50:
                services.kill("notifications")
            if assigned == 120:
                while_down = (await _assigned_notifications(database))[0]
                assert while_down <= 50, "notifications did not die"
                restarted = asyncio.create_task(asyncio.to_thread(services.start, "notifications"))
        assert restarted is not None
        await restarted

    async def all_arrived() -> bool:
        return (await _assigned_notifications(database))[0] >= EVENTS

    # A message the killed consumer had read stays pending until XAUTOCLAIM (30 s idle).
    await _eventually(all_arrived, "notifications were lost", timeout=90)
    await asyncio.sleep(1)
    assert await _assigned_notifications(database) == (EVENTS, EVENTS, EVENTS + 1)
    await database.dispose()
    await redis.aclose()
