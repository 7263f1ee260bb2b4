"""Against the real tasks subgraph: its events, as it emits them, become notifications."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from subgraph_kit.db import utcnow
from subgraph_kit.events import InProcessBus
from tasks_subgraph import app as tasks_app
from tasks_subgraph.memberships import CONSUMER as TASKS_CONSUMER
from tasks_subgraph.models import TasksBase
from tests.notifications_subgraph.conftest import Notifications, User, eventually, started
from tests.support.backends import Backend
from tests.support.services import RunningService, running_service

CREATE = """mutation($g: ID!, $due: DateTime) {
  createTask(groupId: $g, title: "Fix the roof", dueAt: $due) { id } }"""
ASSIGN = "mutation($t: ID!, $u: ID!) { assignTask(taskId: $t, userId: $u) { id } }"
FINISH = "mutation($t: ID!) { finishTask(id: $t) { id } }"

_TASKS_PROCESSED = TasksBase.metadata.tables["processed_events"]


@pytest.fixture
async def both(
    backend: Backend, redis_prefix: str, data_dir: Path
) -> AsyncIterator[tuple[Notifications, RunningService]]:
    """Both subgraphs on one bus: a shared in-process bus, or the same Redis stream."""
    options: dict[str, Any] = {} if backend.redis_url else {"bus": InProcessBus()}
    async with (
        started(backend, redis_prefix, data_dir, **options) as notifications,
        running_service(
            tasks_app,
            "tasks",
            backend=backend,
            redis_prefix=redis_prefix,
            data_dir=data_dir,
            runtime_options=options,
        ) as tasks,
    ):
        yield notifications, tasks


async def _tasks_processed(tasks: RunningService, event_id: str) -> bool:
    async with tasks.runtime.database.session() as session:
        found = await session.scalar(
            select(func.count())
            .select_from(_TASKS_PROCESSED)
            .where(
                _TASKS_PROCESSED.c.consumer == TASKS_CONSUMER,
                _TASKS_PROCESSED.c.event_id == event_id,
            )
        )
    return bool(found)


async def _call(tasks: RunningService, query: str, variables: dict[str, Any], user: User) -> Any:
    reply = await tasks.gql(query, variables, token=user.token)
    assert reply.errors == [], reply.errors
    return reply.data


async def test_assigning_finishing_and_due_soon_through_the_tasks_subgraph(
    both: tuple[Notifications, RunningService],
) -> None:
    notifications, tasks = both
    boss, worker = await notifications.user("Boss"), await notifications.user("Worker")
    group_id = "0" * 31 + "1"
    await notifications.publish("group.created", group_id=group_id, owner_id=boss.id, name="Ops")
    added = await notifications.publish(
        "group.member_added", group_id=group_id, user_id=worker.id, role="MEMBER", actor_id=boss.id
    )
    await eventually(lambda: _tasks_processed(tasks, added.id), "tasks did not see the member")

    due = (utcnow() + timedelta(hours=2)).isoformat()
    created = await _call(tasks, CREATE, {"g": group_id, "due": due}, boss)
    task_id = created["createTask"]["id"]
    await _call(tasks, ASSIGN, {"t": task_id, "u": worker.id}, boss)

    async def worker_notified() -> bool:
        return sorted(await notifications.kinds(worker)) == [
            "ADDED_TO_GROUP",
            "TASK_ASSIGNED",
            "TASK_DUE_SOON",
        ]

    await eventually(worker_notified, "the worker was not notified")
    await _call(tasks, FINISH, {"t": task_id}, worker)

    async def boss_notified() -> bool:
        return await notifications.kinds(boss) == ["TASK_FINISHED"]

    await eventually(boss_notified, "the creator was not notified")
    latest = (await notifications.inbox(worker))["notifications"]["edges"]
    messages = {edge["node"]["kind"]: edge["node"]["message"] for edge in latest}
    assert messages["TASK_ASSIGNED"] == "Boss assigned you “Fix the roof”"
    assert messages["ADDED_TO_GROUP"] == "Boss added you to the group “Ops”"
    assert all(edge["node"]["task"] in ({"id": task_id}, None) for edge in latest)
