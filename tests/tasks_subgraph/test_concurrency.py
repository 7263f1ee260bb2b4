"""Concurrent changes to one task: the state machine holds under races."""

from __future__ import annotations

import asyncio

from tests.tasks_subgraph.conftest import Tasks

TAKE = "mutation($id: ID!) { takeTask(id: $id) { assignee { id } } }"


async def test_only_one_of_many_racing_members_takes_a_task(tasks_service: Tasks) -> None:
    owner = tasks_service.user()
    members = [tasks_service.user() for _ in range(6)]
    group_id = await tasks_service.group(owner, *members)
    task = await tasks_service.create_task(owner, group_id)
    replies = await asyncio.gather(
        *(tasks_service.gql(TAKE, {"id": task["id"]}, as_=member) for member in members)
    )
    winners = [reply for reply in replies if not reply.errors]
    assert len(winners) == 1, [reply.body for reply in replies]
    assert all(reply.codes == ["BAD_USER_INPUT"] for reply in replies if reply.errors)
    assert (await tasks_service.outbox_types()).count("task.taken") == 1
