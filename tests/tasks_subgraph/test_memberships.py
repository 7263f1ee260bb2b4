"""The memberships read model fed by group.* events: idempotent, and prompt to revoke access."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, func, select

from subgraph_kit.db import Database, utcnow
from subgraph_kit.events import (
    OUTBOX_KICK_INFO_KEY,
    SOURCE_INFO_KEY,
    Event,
    OutboxRelay,
    emit,
    event_tables,
)
from tasks_subgraph.memberships import CONSUMER
from tasks_subgraph.models import Membership, Task, TasksBase
from tests.support.images import jpeg_bytes
from tests.tasks_subgraph.conftest import Tasks

PROCESSED = TasksBase.metadata.tables["processed_events"]
TASK = "query($id: ID!) { task(id: $id) { id status assignee { id } } }"
ASSIGN = "mutation($t: ID!, $u: ID!) { assignTask(taskId: $t, userId: $u) { id } }"
ADD_PHOTO = "mutation($t: ID!, $file: Upload!) { addTaskPhoto(taskId: $t, file: $file) { id } }"
# The groups relay publishes right after its commit, or at its next poll (every 200 ms); the
# consumer applies the event as the bus delivers it. The design window is that poll interval plus
# one handler run (milliseconds); the test allows 2 s so a loaded 2-core CI box does not flake.
REVOCATION_WINDOW_SECONDS = 2.0


async def _roles(tasks: Tasks, group_id: str) -> dict[str, str]:
    async with tasks.runtime.database.session() as session:
        rows = await session.execute(
            select(Membership.user_id, Membership.role).where(Membership.group_id == group_id)
        )
        return {user_id: role for user_id, role in rows}


async def test_a_redelivered_event_has_one_effect(tasks_service: Tasks) -> None:
    owner, member = tasks_service.user(), tasks_service.user()
    group_id = await tasks_service.group(owner, member)
    removal = await tasks_service.publish(
        "group.member_removed", group_id=group_id, user_id=member.id
    )
    await tasks_service.publish(
        "group.member_added", group_id=group_id, user_id=member.id, role="MEMBER"
    )
    await tasks_service.runtime.bus.publish(removal)
    await tasks_service.publish(
        "group.member_role_changed", group_id=group_id, user_id=owner.id, role="OWNER"
    )
    assert await _roles(tasks_service, group_id) == {owner.id: "OWNER", member.id: "MEMBER"}
    async with tasks_service.runtime.database.session() as session:
        handled = await session.scalar(
            select(func.count()).select_from(PROCESSED).where(PROCESSED.c.consumer == CONSUMER)
        )
    assert handled == 5


async def test_role_changes_grant_and_take_manager_rights(tasks_service: Tasks) -> None:
    owner, member = tasks_service.user(), tasks_service.user()
    group_id = await tasks_service.group(owner, member)
    task = await tasks_service.create_task(owner, group_id)
    variables = {"t": task["id"], "u": member.id}
    assert (await tasks_service.gql(ASSIGN, variables, as_=member)).codes == ["FORBIDDEN"]
    await tasks_service.publish(
        "group.member_role_changed", group_id=group_id, user_id=member.id, role="ADMIN"
    )
    assert (await tasks_service.gql(ASSIGN, variables, as_=member)).errors == []
    await tasks_service.publish(
        "group.member_role_changed", group_id=group_id, user_id=member.id, role="MEMBER"
    )
    assert (await tasks_service.gql(ASSIGN, variables, as_=member)).codes == ["FORBIDDEN"]


async def test_removing_a_member_unassigns_their_tasks_in_that_group_only(
    tasks_service: Tasks,
) -> None:
    owner, leaver = tasks_service.user(), tasks_service.user()
    group_id = await tasks_service.group(owner, leaver)
    other_group = await tasks_service.group(owner, leaver)
    here = await tasks_service.create_task(owner, group_id)
    there = await tasks_service.create_task(owner, other_group)
    for task in (here, there):
        await tasks_service.gql(ASSIGN, {"t": task["id"], "u": leaver.id}, as_=owner)
    await tasks_service.publish("group.member_removed", group_id=group_id, user_id=leaver.id)

    here_now = (await tasks_service.gql(TASK, {"id": here["id"]}, as_=owner)).data["task"]
    there_now = (await tasks_service.gql(TASK, {"id": there["id"]}, as_=owner)).data["task"]
    assert (here_now["status"], here_now["assignee"]) == ("OPEN", None)
    assert (there_now["status"], there_now["assignee"]) == ("IN_PROGRESS", {"id": leaver.id})
    assert (await tasks_service.outbox_types())[-1] == "task.released"


async def test_deleting_a_group_deletes_its_tasks_and_photos(tasks_service: Tasks) -> None:
    owner = tasks_service.user()
    group_id = await tasks_service.group(owner)
    kept_group = await tasks_service.group(owner)
    doomed = [await tasks_service.create_task(owner, group_id, f"T{n}") for n in range(3)]
    kept = await tasks_service.create_task(owner, kept_group)
    reply = await tasks_service.upload(
        ADD_PHOTO, {"t": doomed[0]["id"]}, filename="a.jpg", data=jpeg_bytes(), as_=owner
    )
    assert reply.errors == []
    photos_dir = tasks_service.runtime.extras["photos"].storage.directory
    assert [path for path in photos_dir.rglob("*") if path.is_file()]

    await tasks_service.publish("group.deleted", group_id=group_id)
    async with tasks_service.runtime.database.session() as session:
        left = list(await session.scalars(select(Task.id)))
    assert left == [kept["id"]]
    assert await _roles(tasks_service, group_id) == {}
    assert [path for path in photos_dir.rglob("*") if path.is_file()] == []
    assert (await tasks_service.outbox_types()).count("task.deleted") == 3


@pytest.fixture
async def groups_outbox(tmp_path: Path) -> AsyncIterator[Database]:
    """A stand-in for the groups subgraph's database: just the kit's outbox tables."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'groups-outbox.db'}")
    metadata = MetaData()
    event_tables(metadata)
    async with database.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield database
    await database.dispose()


@pytest.mark.parametrize("kicked", [True, False], ids=["kicked", "polled"])
async def test_a_removed_member_is_refused_within_the_window(
    tasks_service: Tasks, groups_outbox: Database, kicked: bool
) -> None:
    """The removal commits in the groups outbox; its relay carries it over the shared bus."""
    owner, leaver = tasks_service.user(), tasks_service.user()
    group_id = await tasks_service.group(owner, leaver)
    task = await tasks_service.create_task(leaver, group_id)
    assert (await tasks_service.gql(TASK, {"id": task["id"]}, as_=leaver)).errors == []
    relay = OutboxRelay(groups_outbox, tasks_service.runtime.bus, "groups", poll_interval=0.2)
    info = {SOURCE_INFO_KEY: "groups", **({OUTBOX_KICK_INFO_KEY: relay.kick} if kicked else {})}
    groups_outbox.sessionmaker.configure(info=info)
    await relay.start()
    try:
        await asyncio.sleep(0.05)
        async with groups_outbox.session() as session:
            await emit(
                session, "group.member_removed", {"group_id": group_id, "user_id": leaver.id}
            )
        committed = asyncio.get_running_loop().time()
        while (await tasks_service.gql(TASK, {"id": task["id"]}, as_=leaver)).codes != [
            "NOT_FOUND"
        ]:
            elapsed = asyncio.get_running_loop().time() - committed
            assert elapsed < REVOCATION_WINDOW_SECONDS, "removed member still has access"
            await asyncio.sleep(0.005)
    finally:
        await relay.stop()
    elapsed = asyncio.get_running_loop().time() - committed
    assert elapsed < REVOCATION_WINDOW_SECONDS
    owner_view = (await tasks_service.gql(TASK, {"id": task["id"]}, as_=owner)).data["task"]
    assert owner_view["id"] == task["id"]


async def test_unknown_events_are_ignored(tasks_service: Tasks) -> None:
    owner = tasks_service.user()
    group_id = await tasks_service.group(owner)
    event = Event(uuid.uuid4().hex, "group.renamed", 1, utcnow(), {"group_id": group_id}, "groups")
    await tasks_service.runtime.bus.publish(event)
    assert await _roles(tasks_service, group_id) == {owner.id: "OWNER"}
