"""`taskChanged(groupId)` over a real WebSocket: members only, and only while still members."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from subgraph_kit.db import utcnow
from subgraph_kit.events import Event
from tasks_subgraph import app as tasks_app
from tasks_subgraph.live import MAX_AGE, group_topic
from tests.support.backends import Backend
from tests.support.images import png_bytes
from tests.support.services import running_service
from tests.tasks_subgraph.conftest import Tasks, User

SUBSCRIBE = """subscription($g: ID!) { taskChanged(groupId: $g) {
  kind taskId actor { id } task { id title status assignee { id } photos { id } } } }"""
ASSIGN = "mutation($t: ID!, $u: ID!) { assignTask(taskId: $t, userId: $u) { id } }"
DELETE = "mutation($t: ID!) { deleteTask(id: $t) }"
ADD_PHOTO = """mutation($t: ID!, $file: Upload!) {
  addTaskPhoto(taskId: $t, file: $file) { id } }"""


async def _eventually(check: Callable[[], Awaitable[bool]], failure: str) -> None:
    for _ in range(500):
        if await check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(failure)


@asynccontextmanager
async def serving(tasks: Tasks) -> AsyncIterator[str]:
    """The subgraph on a real HTTP/WebSocket server; yields its ws:// URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        tasks.service.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return bool(server.started)

    await _eventually(started, "server did not start")
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def subscribed(url: str, user: User | None, group_id: str) -> AsyncIterator[ClientConnection]:
    init = {"Authorization": f"Bearer {user.token}"} if user else {}
    async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        request = {"query": SUBSCRIBE, "variables": {"g": group_id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": request}))
        yield ws


async def _next(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout=timeout))
    return message


def _change(message: dict[str, Any]) -> dict[str, Any]:
    assert message["type"] == "next" and not message["payload"].get("errors"), message
    change: dict[str, Any] = message["payload"]["data"]["taskChanged"]
    return change


def _error_codes(message: dict[str, Any]) -> list[str]:
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    return [error["extensions"]["code"] for error in errors]


async def _listeners(tasks: Tasks, group_id: str, count: int) -> None:
    async def ready() -> bool:
        return bool(
            await tasks.runtime.extras["live"].listener_count(group_topic(group_id)) == count
        )

    await _eventually(ready, f"expected {count} listeners on the group's topic")


async def test_a_member_sees_each_change_with_the_task_as_it_left_it(tasks_service: Tasks) -> None:
    owner, worker = tasks_service.user("Owner"), tasks_service.user("Worker")
    group_id = await tasks_service.group(owner, worker)
    async with serving(tasks_service) as url, subscribed(url, worker, group_id) as ws:
        await _listeners(tasks_service, group_id, 1)
        created = await tasks_service.create_task(owner, group_id, "Paint the fence")
        assigned = await tasks_service.gql(ASSIGN, {"t": created["id"], "u": worker.id}, as_=owner)
        assert assigned.errors == []
        deleted = await tasks_service.gql(DELETE, {"t": created["id"]}, as_=owner)
        assert deleted.errors == []
        changes = [_change(await _next(ws)) for _ in range(3)]
    assert [change["kind"] for change in changes] == ["CREATED", "ASSIGNED", "DELETED"]
    assert all(change["taskId"] == created["id"] for change in changes)
    assert all(change["actor"] == {"id": owner.id} for change in changes)
    assert changes[0]["task"]["title"] == "Paint the fence"
    assert changes[1]["task"]["status"] == "IN_PROGRESS"
    assert changes[1]["task"]["assignee"] == {"id": worker.id}
    assert changes[1]["task"]["photos"] == []
    assert changes[2]["task"] is None


async def test_outsiders_and_anonymous_callers_are_refused(tasks_service: Tasks) -> None:
    owner, outsider = tasks_service.user("Owner"), tasks_service.user("Outsider")
    group_id = await tasks_service.group(owner)
    async with serving(tasks_service) as url:
        async with subscribed(url, outsider, group_id) as ws:
            assert _error_codes(await _next(ws)) == ["NOT_FOUND"]
        async with subscribed(url, None, group_id) as ws:
            assert _error_codes(await _next(ws)) == ["UNAUTHENTICATED"]


async def test_a_removed_member_stops_receiving_at_once(tasks_service: Tasks) -> None:
    owner, leaver, stayer = (tasks_service.user(name) for name in ("Owner", "Leaver", "Stayer"))
    group_id = await tasks_service.group(owner, leaver, stayer)
    async with (
        serving(tasks_service) as url,
        subscribed(url, leaver, group_id) as leaving,
        subscribed(url, stayer, group_id) as staying,
    ):
        await _listeners(tasks_service, group_id, 2)
        await tasks_service.create_task(owner, group_id, "Before")
        assert _change(await _next(leaving))["task"]["title"] == "Before"
        assert _change(await _next(staying))["task"]["title"] == "Before"
        await tasks_service.publish("group.member_removed", group_id=group_id, user_id=leaver.id)
        await tasks_service.create_task(owner, group_id, "After")
        ended = await _next(leaving)
        assert _error_codes(ended) == ["FORBIDDEN"], ended
        assert (await _next(leaving))["type"] == "complete"
        assert _change(await _next(staying))["task"]["title"] == "After"
        await _listeners(tasks_service, group_id, 1)


async def test_stale_changes_are_not_replayed_to_subscribers(tasks_service: Tasks) -> None:
    """A change older than MAX_AGE (a new consumer group reading an old stream) is dropped."""
    owner = tasks_service.user("Owner")
    group_id = await tasks_service.group(owner)
    long_ago = utcnow() - MAX_AGE * 60
    payload = {
        "task_id": uuid.uuid4().hex,
        "group_id": group_id,
        "actor_id": owner.id,
        "assignee_id": None,
        "previous_assignee_id": None,
        "created_by": owner.id,
        "title": "Stale",
        "status": "OPEN",
        "priority": "NORMAL",
        "due_at": None,
        "description": "",
        "created_at": long_ago.isoformat(),
        "updated_at": long_ago.isoformat(),
        "finished_at": None,
    }
    async with serving(tasks_service) as url, subscribed(url, owner, group_id) as ws:
        await _listeners(tasks_service, group_id, 1)
        stale = Event(uuid.uuid4().hex, "task.updated", 1, long_ago, payload, "tasks")
        await tasks_service.runtime.bus.publish(stale)
        await tasks_service.create_task(owner, group_id, "Fresh")
        change = _change(await _next(ws))
    assert (change["kind"], change["task"]["title"]) == ("CREATED", "Fresh")


@pytest.mark.redis_only
async def test_any_replica_serves_any_subscriber(
    tasks_service: Tasks, backend: Backend, redis_prefix: str, data_dir: Path
) -> None:
    """Two replicas on one database and Redis: changes made through the first reach a
    subscriber of the second, whichever replica's consumer publishes them."""
    owner, worker = tasks_service.user("Owner"), tasks_service.user("Worker")
    group_id = await tasks_service.group(owner, worker)
    async with running_service(
        tasks_app,
        "tasks",
        backend=backend,
        redis_prefix=redis_prefix,
        data_dir=data_dir,
        database_url=tasks_service.runtime.settings.database_url,
    ) as replica:
        second = Tasks(replica)
        async with serving(second) as url, subscribed(url, worker, group_id) as ws:
            await _listeners(second, group_id, 1)
            titles = [f"Task {n}" for n in range(4)]
            for title in titles:
                await tasks_service.create_task(owner, group_id, title)
            changes = [_change(await _next(ws)) for _ in titles]
    assert sorted(change["task"]["title"] for change in changes) == titles


async def test_each_change_reads_the_photos_afresh(tasks_service: Tasks) -> None:
    """One subscription keeps one context; its loaders must not serve the previous event's rows."""
    owner = tasks_service.user("Owner")
    group_id = await tasks_service.group(owner)
    async with serving(tasks_service) as url, subscribed(url, owner, group_id) as ws:
        await _listeners(tasks_service, group_id, 1)
        task = await tasks_service.create_task(owner, group_id, "Photographed")
        created = _change(await _next(ws))
        added = await tasks_service.upload(
            ADD_PHOTO, {"t": task["id"]}, filename="a.png", data=png_bytes(), as_=owner
        )
        assert added.errors == [], added.errors
        photo_added = _change(await _next(ws))
    assert created["task"]["photos"] == []
    assert photo_added["kind"] == "PHOTO_ADDED"
    assert photo_added["task"]["photos"] == [{"id": added.data["addTaskPhoto"]["id"]}]
