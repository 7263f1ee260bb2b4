"""`notificationAdded` over a real WebSocket (graphql-transport-ws): own notifications only."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from notifications_subgraph.notifier import live_topic
from tests.notifications_subgraph.conftest import (
    Notifications,
    User,
    eventually,
    new_task_id,
    started,
)
from tests.support.backends import Backend, fresh_database_url

SUBSCRIBE = """subscription { notificationAdded {
  id kind message recipient { id } actor { id } task { id } } }"""


@asynccontextmanager
async def serving(notifications: Notifications) -> AsyncIterator[str]:
    """The subgraph's app on a real HTTP/WebSocket server; yields its ws:// URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        notifications.service.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    await eventually(lambda: _true(server.started), "server did not start")
    try:
        yield f"ws://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        await task


async def _true(value: bool) -> bool:
    return value


@asynccontextmanager
async def subscribed(
    url: str, init: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> AsyncIterator[ClientConnection]:
    async with connect(
        url,
        subprotocols=[Subprotocol("graphql-transport-ws")],
        additional_headers=headers,
    ) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": init or {}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
        yield ws


async def _next(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    return message


async def _listening(notifications: Notifications, user: User) -> None:
    live = notifications.notifier.live

    async def ready() -> bool:
        return await live.listener_count(live_topic(user.id)) == 1

    await eventually(ready, "the subscription is not listening")


async def test_a_subscriber_receives_only_its_own_notifications(
    notifications: Notifications,
) -> None:
    boss, worker = await notifications.user("Boss"), await notifications.user("Worker")
    other = await notifications.user("Other")
    async with serving(notifications) as url:
        auth = {"Authorization": f"Bearer {worker.token}"}
        async with subscribed(url, init=auth) as ws:
            await _listening(notifications, worker)
            await notifications.task_event(
                "assigned", new_task_id(), actor=boss, created_by=boss, assignee=other
            )
            task_id = new_task_id()
            await notifications.task_event(
                "assigned", task_id, actor=boss, created_by=boss, assignee=worker
            )
            message = await _next(ws)
            assert message["type"] == "next" and message["id"] == "1"
            added = message["payload"]["data"]["notificationAdded"]
            assert added["kind"] == "TASK_ASSIGNED"
            assert added["message"] == "Boss assigned you “Water the plants”"
            assert added["recipient"] == {"id": worker.id}
            assert added["actor"] == {"id": boss.id}
            assert added["task"] == {"id": task_id}
            inbox = await notifications.inbox(worker)
            assert added["id"] == inbox["notifications"]["edges"][0]["node"]["id"]

        async def closed() -> bool:
            return await notifications.notifier.live.listener_count(live_topic(worker.id)) == 0

        await eventually(closed, "closing the socket did not end the subscription")


async def test_the_token_may_come_in_the_upgrade_headers(notifications: Notifications) -> None:
    boss, worker = await notifications.user("Boss"), await notifications.user("Worker")
    async with serving(notifications) as url:
        headers = {"Authorization": f"Bearer {worker.token}"}
        async with subscribed(url, headers=headers) as ws:
            await _listening(notifications, worker)
            await notifications.task_event(
                "assigned", new_task_id(), actor=boss, created_by=boss, assignee=worker
            )
            message = await _next(ws)
            assert message["payload"]["data"]["notificationAdded"]["kind"] == "TASK_ASSIGNED"


async def test_anonymous_subscribers_are_refused(notifications: Notifications) -> None:
    async with serving(notifications) as url, subscribed(url) as ws:
        message = await _next(ws)
    assert message["type"] == "next"
    assert message["payload"]["data"] is None
    assert [e["extensions"]["code"] for e in message["payload"]["errors"]] == ["UNAUTHENTICATED"]


@pytest.mark.redis_only
async def test_any_instance_serves_any_subscriber(
    backend: Backend, redis_prefix: str, data_dir: Path
) -> None:
    """Two replicas on one database and Redis: whichever consumes the event, the subscriber of
    the other one hears of it through Redis pub/sub."""
    async with (
        fresh_database_url(backend, data_dir, "notifications") as url,
        started(backend, redis_prefix, data_dir, database_url=url) as first,
        started(backend, redis_prefix, data_dir, database_url=url) as second,
    ):
        boss, worker = await first.user("Boss"), await first.user("Worker")
        async with serving(second) as ws_url:
            auth = {"Authorization": f"Bearer {worker.token}"}
            async with subscribed(ws_url, init=auth) as ws:
                await _listening(second, worker)
                for _ in range(4):
                    await first.task_event(
                        "assigned", new_task_id(), actor=boss, created_by=boss, assignee=worker
                    )
                received = [await _next(ws) for _ in range(4)]
        kinds = [m["payload"]["data"]["notificationAdded"]["kind"] for m in received]
        assert kinds == ["TASK_ASSIGNED"] * 4
        assert len(await first.kinds(worker)) == 4
