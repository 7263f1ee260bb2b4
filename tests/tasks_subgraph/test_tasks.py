"""Tasks: creating, editing, the status state machine, Group.tasks, progress, stats, events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from subgraph_kit.events import Event
from tests.subgraph_kit.test_pagination import MALFORMED as MALFORMED_CURSORS
from tests.tasks_subgraph.conftest import TASK_FIELDS, Tasks, User

TRANSITION = "mutation($id: ID!) {{ {name}(id: $id) {{ {fields} }} }}"
ASSIGN = (
    f"""mutation($t: ID!, $u: ID!) {{ assignTask(taskId: $t, userId: $u) {{ {TASK_FIELDS} }} }}"""
)
UPDATE = f"""mutation($id: ID!, $title: String, $due: DateTime, $p: TaskPriority) {{
  updateTask(id: $id, title: $title, dueAt: $due, priority: $p) {{ {TASK_FIELDS} }} }}"""


def transition(name: str) -> str:
    return TRANSITION.format(name=name, fields=TASK_FIELDS)


async def test_a_task_goes_through_its_whole_life(tasks_service: Tasks) -> None:
    owner, alice, bob = tasks_service.user(), tasks_service.user(), tasks_service.user()
    group_id = await tasks_service.group(owner, alice, bob)
    due = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    task = await tasks_service.create_task(
        alice, group_id, "Paint the fence", due=due.isoformat(), p="HIGH"
    )
    assert (task["status"], task["priority"], task["assignee"]) == ("OPEN", "HIGH", None)
    assert task["createdBy"]["id"] == alice.id
    assert datetime.fromisoformat(task["dueAt"]) == due

    taken = await tasks_service.gql(transition("takeTask"), {"id": task["id"]}, as_=bob)
    assert taken.data["takeTask"]["status"] == "IN_PROGRESS"
    assert taken.data["takeTask"]["assignee"]["id"] == bob.id
    released = await tasks_service.gql(transition("releaseTask"), {"id": task["id"]}, as_=bob)
    assert released.data["releaseTask"]["status"] == "OPEN"
    assert released.data["releaseTask"]["assignee"] is None

    assigned = await tasks_service.gql(ASSIGN, {"t": task["id"], "u": alice.id}, as_=owner)
    assert assigned.data["assignTask"]["assignee"]["id"] == alice.id
    reassigned = await tasks_service.gql(ASSIGN, {"t": task["id"], "u": bob.id}, as_=owner)
    assert reassigned.data["assignTask"]["assignee"]["id"] == bob.id
    assert reassigned.data["assignTask"]["status"] == "IN_PROGRESS"

    finished = await tasks_service.gql(transition("finishTask"), {"id": task["id"]}, as_=bob)
    assert finished.data["finishTask"]["status"] == "DONE"
    assert finished.data["finishTask"]["finishedAt"] is not None
    reopened = await tasks_service.gql(transition("reopenTask"), {"id": task["id"]}, as_=alice)
    assert reopened.data["reopenTask"]["status"] == "IN_PROGRESS"
    assert reopened.data["reopenTask"]["finishedAt"] is None

    assert await tasks_service.outbox_types() == [
        "task.created",
        "task.taken",
        "task.released",
        "task.assigned",
        "task.reassigned",
        "task.finished",
        "task.reopened",
    ]


async def test_illegal_transitions_name_the_current_status(tasks_service: Tasks) -> None:
    owner, member = tasks_service.user(), tasks_service.user()
    group_id = await tasks_service.group(owner, member)
    task = await tasks_service.create_task(owner, group_id)

    async def refused(name: str, actor: User, status: str) -> None:
        reply = await tasks_service.gql(transition(name), {"id": task["id"]}, as_=actor)
        assert reply.codes == ["BAD_USER_INPUT"], (name, reply.body)
        assert status in reply.errors[0]["message"]
        assert reply.errors[0]["extensions"]["currentStatus"] == status

    await refused("releaseTask", member, "OPEN")
    await refused("reopenTask", owner, "OPEN")
    await tasks_service.gql(transition("takeTask"), {"id": task["id"]}, as_=member)
    await refused("takeTask", owner, "IN_PROGRESS")
    await refused("reopenTask", member, "IN_PROGRESS")
    await tasks_service.gql(transition("finishTask"), {"id": task["id"]}, as_=member)
    for name in ("takeTask", "finishTask", "releaseTask"):
        await refused(name, member, "DONE")
    done_assign = await tasks_service.gql(ASSIGN, {"t": task["id"], "u": owner.id}, as_=owner)
    assert done_assign.codes == ["BAD_USER_INPUT"]


async def test_update_and_delete_by_creator_or_managers(tasks_service: Tasks) -> None:
    owner, admin, creator, other = (tasks_service.user() for _ in range(4))
    group_id = await tasks_service.group(owner, creator, other, admins=(admin,))
    task = await tasks_service.create_task(creator, group_id, "Draft")
    due = "2030-01-02T03:04:05+00:00"

    by_creator = await tasks_service.gql(
        UPDATE, {"id": task["id"], "title": "Final", "due": due, "p": "URGENT"}, as_=creator
    )
    updated = by_creator.data["updateTask"]
    assert (updated["title"], updated["priority"]) == ("Final", "URGENT")
    assert datetime.fromisoformat(updated["dueAt"]) == datetime.fromisoformat(due)
    cleared = await tasks_service.gql(UPDATE, {"id": task["id"], "due": None}, as_=admin)
    assert cleared.data["updateTask"]["dueAt"] is None
    assert cleared.data["updateTask"]["title"] == "Final"

    refused = await tasks_service.gql(UPDATE, {"id": task["id"], "title": "Mine"}, as_=other)
    assert refused.codes == ["FORBIDDEN"]
    empty = await tasks_service.gql(UPDATE, {"id": task["id"], "title": "  "}, as_=creator)
    assert empty.codes == ["BAD_USER_INPUT"]

    delete = "mutation($id: ID!) { deleteTask(id: $id) }"
    assert (await tasks_service.gql(delete, {"id": task["id"]}, as_=other)).codes == ["FORBIDDEN"]
    deleted = await tasks_service.gql(delete, {"id": task["id"]}, as_=owner)
    assert deleted.data == {"deleteTask": task["id"]}
    gone = await tasks_service.gql(
        "query($id: ID!) { task(id: $id) { id } }", {"id": task["id"]}, as_=owner
    )
    assert gone.codes == ["NOT_FOUND"]
    assert (await tasks_service.outbox_types())[-1] == "task.deleted"


GROUP = """query($r: [_Any!]!, $filter: TaskFilter, $first: Int, $after: String) {
  _entities(representations: $r) { ... on Group {
    tasks(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { title status } } }
    progress { total open inProgress done overdue percentDone } } } }"""


async def test_group_tasks_filter_paginate_and_progress(tasks_service: Tasks) -> None:
    owner, member = tasks_service.user(), tasks_service.user()
    group_id = await tasks_service.group(owner, member)
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    ids = []
    for number in range(5):
        due = past if number < 2 else None
        ids.append((await tasks_service.create_task(owner, group_id, f"T{number}", due=due))["id"])
    await tasks_service.gql(transition("takeTask"), {"id": ids[0]}, as_=member)
    await tasks_service.gql(transition("takeTask"), {"id": ids[2]}, as_=member)
    await tasks_service.gql(transition("finishTask"), {"id": ids[2]}, as_=member)
    await tasks_service.gql(transition("finishTask"), {"id": ids[3]}, as_=owner)
    group = [{"__typename": "Group", "id": group_id}]

    reply = await tasks_service.gql(GROUP, {"r": group, "first": 2}, as_=member)
    entity = reply.data["_entities"][0]
    assert entity["progress"] == {
        "total": 5,
        "open": 2,
        "inProgress": 1,
        "done": 2,
        "overdue": 2,
        "percentDone": 40.0,
    }
    page = entity["tasks"]
    assert [edge["node"]["title"] for edge in page["edges"]] == ["T0", "T1"]
    assert page["totalCount"] == 5 and page["pageInfo"]["hasNextPage"]
    after = page["pageInfo"]["endCursor"]
    rest = await tasks_service.gql(GROUP, {"r": group, "first": 10, "after": after}, as_=member)
    rest_page = rest.data["_entities"][0]["tasks"]
    assert [edge["node"]["title"] for edge in rest_page["edges"]] == ["T2", "T3", "T4"]
    assert not rest_page["pageInfo"]["hasNextPage"]

    filters = {
        "status": ({"status": "DONE"}, ["T2", "T3"]),
        "assignee": ({"assigneeId": member.id}, ["T0", "T2"]),
        "due": ({"dueBefore": datetime.now(UTC).isoformat()}, ["T0", "T1"]),
        "both": ({"status": "OPEN", "dueBefore": datetime.now(UTC).isoformat()}, ["T1"]),
    }
    for name, (chosen, titles) in filters.items():
        filtered = await tasks_service.gql(GROUP, {"r": group, "filter": chosen}, as_=owner)
        found = [edge["node"]["title"] for edge in filtered.data["_entities"][0]["tasks"]["edges"]]
        assert found == titles, name
        assert filtered.data["_entities"][0]["tasks"]["totalCount"] == len(titles)
    bad = await tasks_service.gql(GROUP, {"r": group, "after": "not-a-cursor"}, as_=owner)
    assert "BAD_USER_INPUT" in bad.codes


async def test_group_tasks_answer_every_malformed_cursor_with_bad_user_input(
    tasks_service: Tasks,
) -> None:
    owner = tasks_service.user()
    group = [{"__typename": "Group", "id": await tasks_service.group(owner)}]
    for name, cursor in MALFORMED_CURSORS.items():
        bad = await tasks_service.gql(GROUP, {"r": group, "after": cursor}, as_=owner)
        assert bad.codes == ["BAD_USER_INPUT"], name


USER = """query($r: [_Any!]!, $status: TaskStatus) { _entities(representations: $r) {
  ... on User { taskStats { assigned inProgress done overdue }
    assignedTasks(status: $status) { totalCount edges { node { title group { id } } } } } } }"""


async def test_assigned_tasks_and_stats_only_count_the_callers_groups(tasks_service: Tasks) -> None:
    owner, worker, stranger = (tasks_service.user() for _ in range(3))
    shared = await tasks_service.group(owner, worker)
    private = await tasks_service.group(worker)
    one = await tasks_service.create_task(owner, shared, "shared one")
    two = await tasks_service.create_task(owner, shared, "shared two")
    hidden = await tasks_service.create_task(worker, private, "private")
    for task in (one, two, hidden):
        await tasks_service.gql(transition("takeTask"), {"id": task["id"]}, as_=worker)
    await tasks_service.gql(transition("finishTask"), {"id": two["id"]}, as_=worker)
    user = [{"__typename": "User", "id": worker.id}]

    by_owner = (await tasks_service.gql(USER, {"r": user}, as_=owner)).data["_entities"][0]
    assert by_owner["taskStats"] == {"assigned": 2, "inProgress": 1, "done": 1, "overdue": 0}
    assert by_owner["assignedTasks"]["totalCount"] == 2
    by_self = (await tasks_service.gql(USER, {"r": user}, as_=worker)).data["_entities"][0]
    assert by_self["taskStats"]["assigned"] == 3
    done = await tasks_service.gql(USER, {"r": user, "status": "DONE"}, as_=worker)
    titles = [e["node"]["title"] for e in done.data["_entities"][0]["assignedTasks"]["edges"]]
    assert titles == ["shared two"]
    by_stranger = (await tasks_service.gql(USER, {"r": user}, as_=stranger)).data["_entities"][0]
    assert by_stranger["taskStats"]["assigned"] == 0
    assert by_stranger["assignedTasks"]["edges"] == []
    anonymous = await tasks_service.gql(USER, {"r": user})
    assert "UNAUTHENTICATED" in anonymous.codes


async def test_task_events_reach_the_bus_with_the_contract_payload(tasks_service: Tasks) -> None:
    received: list[Event] = []
    arrived = asyncio.Event()

    async def collect(event: Event) -> None:
        received.append(event)
        if event.type == "task.reassigned":
            arrived.set()

    tasks_service.runtime.bus.subscribe("test.task-events", collect, types={"task.reassigned"})
    owner, first, second = (tasks_service.user() for _ in range(3))
    group_id = await tasks_service.group(owner, first, second)
    due = "2031-05-06T07:08:09+00:00"
    task = await tasks_service.create_task(owner, group_id, "Contract", due=due)
    await tasks_service.gql(ASSIGN, {"t": task["id"], "u": first.id}, as_=owner)
    await tasks_service.gql(ASSIGN, {"t": task["id"], "u": second.id}, as_=owner)
    await asyncio.wait_for(arrived.wait(), timeout=10)

    [event] = received
    assert (event.source, event.version) == ("tasks", 1)
    assert event.payload == {
        "task_id": task["id"],
        "group_id": group_id,
        "actor_id": owner.id,
        "assignee_id": second.id,
        "previous_assignee_id": first.id,
        "created_by": owner.id,
        "title": "Contract",
        "status": "IN_PROGRESS",
        "priority": "NORMAL",
        "due_at": due,
        "description": "",
        "created_at": event.payload["created_at"],
        "updated_at": event.payload["updated_at"],
        "finished_at": None,
    }
    assert event.payload["updated_at"] > event.payload["created_at"]
