"""The tasks subgraph as a federation subgraph: SDL, batched entities, statement counts."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from taskforge.registry import SUBGRAPHS
from tests.support.sql import counted_statements as count_sql
from tests.tasks_subgraph.conftest import Tasks


def counted_statements(tasks: Tasks) -> AbstractContextManager[list[str]]:
    return count_sql([tasks.runtime.database.engine])


async def test_service_sdl_matches_the_checked_in_schema(tasks_service: Tasks) -> None:
    reply = await tasks_service.gql("{ _service { sdl } }")
    served = reply.data["_service"]["sdl"]
    checked_in = (Path(__file__).parents[2] / "schema" / "tasks.graphql").read_text()
    assert served.strip() == checked_in.strip() == SUBGRAPHS["tasks"].sdl().strip(), (
        "schema/tasks.graphql is stale: run `taskforge export-schema`"
    )


ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Task { id title group { id } } } }"""


async def test_task_entities_are_batched_and_hide_other_groups(tasks_service: Tasks) -> None:
    owner, outsider = tasks_service.user(), tasks_service.user()
    group_id = await tasks_service.group(owner)
    other_group = await tasks_service.group(outsider)
    mine = [(await tasks_service.create_task(owner, group_id, f"T{n}"))["id"] for n in range(4)]
    theirs = (await tasks_service.create_task(outsider, other_group, "secret"))["id"]
    representations = [{"__typename": "Task", "id": task_id} for task_id in [*mine, theirs]]
    representations.insert(1, {"__typename": "Task", "id": "missing"})

    with counted_statements(tasks_service) as statements:
        reply = await tasks_service.gql(ENTITIES, {"r": representations}, as_=owner)

    entities = reply.data["_entities"]
    assert [entity["id"] if entity else None for entity in entities] == [
        mine[0],
        None,
        *mine[1:],
        None,
    ]
    assert all(entity["group"]["id"] == group_id for entity in entities if entity)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, statements  # the tasks, and the caller's memberships


GROUP_TASKS = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Group {
  progress { total open inProgress done overdue percentDone }
  tasks(first: 100) { totalCount edges { node {
    id title status assignee { id } createdBy { id } group { id }
    photos { id thumbnail url(width: 300) uploadedBy { id } } } } } } } }"""


async def _statements_for_group_with(tasks_service: Tasks, count: int) -> tuple[int, Any]:
    owner, member = tasks_service.user(), tasks_service.user()
    group_id = await tasks_service.group(owner, member)
    async with tasks_service.runtime.database.session() as session:
        await _insert_tasks(session, group_id, owner.id, member.id, count)
    with counted_statements(tasks_service) as statements:
        reply = await tasks_service.gql(
            GROUP_TASKS, {"r": [{"__typename": "Group", "id": group_id}]}, as_=member
        )
    assert reply.errors == [], reply.errors
    return len(statements), reply.data["_entities"][0]


async def _insert_tasks(
    session: Any, group_id: str, owner_id: str, member_id: str, count: int
) -> None:
    from subgraph_kit.db import utcnow
    from tasks_subgraph.models import Task, TaskPhoto, new_id

    for number in range(count):
        task = Task(
            id=new_id(),
            group_id=group_id,
            title=f"Task {number}",
            description="",
            status="IN_PROGRESS" if number % 2 else "OPEN",
            priority="NORMAL",
            created_by=owner_id,
            assignee_id=member_id if number % 2 else None,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        session.add(task)
        session.add(
            TaskPhoto(
                id=new_id(),
                task_id=task.id,
                public_id=f"taskforge/groups/{group_id}/{new_id()}",
                format="jpeg",
                width=16,
                height=8,
                bytes=172,
                uploaded_by=member_id,
                created_at=utcnow(),
            )
        )


async def test_group_tasks_statements_do_not_grow_with_the_number_of_tasks(
    tasks_service: Tasks,
) -> None:
    few, few_group = await _statements_for_group_with(tasks_service, 5)
    many, many_group = await _statements_for_group_with(tasks_service, 100)
    assert few == many
    assert few_group["tasks"]["totalCount"] == 5
    assert many_group["tasks"]["totalCount"] == 100
    assert many_group["progress"] == {
        "total": 100,
        "open": 50,
        "inProgress": 50,
        "done": 0,
        "overdue": 0,
        "percentDone": 0.0,
    }
    nodes = [edge["node"] for edge in many_group["tasks"]["edges"]]
    assert len(nodes) == 100
    assert all(len(node["photos"]) == 1 and node["photos"][0]["thumbnail"] for node in nodes)
