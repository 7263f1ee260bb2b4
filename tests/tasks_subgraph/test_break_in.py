"""Reaching or changing tasks without the right membership or role: refused, nothing changed."""

from __future__ import annotations

from typing import Any

from tests.support.images import jpeg_bytes
from tests.tasks_subgraph.conftest import Tasks, User

TASK = "query($id: ID!) { task(id: $id) { id title status assignee { id } photos { id } } }"
GROUP_FIELD = (
    "query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on Group {{ {field} }} }} }}"
)
ADD_PHOTO = """mutation($t: ID!, $file: Upload!) { addTaskPhoto(taskId: $t, file: $file) { id } }"""


async def _snapshot(tasks: Tasks, owner: User, task_id: str) -> dict[str, Any]:
    reply = await tasks.gql(TASK, {"id": task_id}, as_=owner)
    assert reply.errors == [], reply.errors
    return reply.data["task"]  # type: ignore[no-any-return]


async def test_a_member_of_another_group_can_neither_see_nor_touch_its_tasks(
    tasks_service: Tasks,
) -> None:
    owner_b, member_b, intruder = (tasks_service.user() for _ in range(3))
    group_b = await tasks_service.group(owner_b, member_b)
    group_a = await tasks_service.group(intruder)
    task = await tasks_service.create_task(owner_b, group_b, "B's secret")
    before = await _snapshot(tasks_service, owner_b, task["id"])
    outbox_before = await tasks_service.outbox_types()
    variables = {"id": task["id"]}

    attempts = {
        "read": (TASK, variables),
        "update": ('mutation($id: ID!) { updateTask(id: $id, title: "pwned") { id } }', variables),
        "delete": ("mutation($id: ID!) { deleteTask(id: $id) }", variables),
        "take": ("mutation($id: ID!) { takeTask(id: $id) { id } }", variables),
        "finish": ("mutation($id: ID!) { finishTask(id: $id) { id } }", variables),
        "assign": (
            "mutation($id: ID!, $u: ID!) { assignTask(taskId: $id, userId: $u) { id } }",
            {**variables, "u": intruder.id},
        ),
        "sign upload": (
            "mutation($id: ID!) { requestPhotoUpload(taskId: $id) { uploadUrl } }",
            variables,
        ),
        "attach upload": (
            """mutation($id: ID!) { attachUploadedPhoto(taskId: $id,
               publicId: "taskforge/groups/x/y", version: 1, signature: "s") { id } }""",
            variables,
        ),
        "create in B": (
            'mutation($g: ID!) { createTask(groupId: $g, title: "spam") { id } }',
            {"g": group_b},
        ),
        "group tasks": (
            GROUP_FIELD.format(field="tasks { totalCount }"),
            {"r": [{"__typename": "Group", "id": group_b}]},
        ),
        "group progress": (
            GROUP_FIELD.format(field="progress { total }"),
            {"r": [{"__typename": "Group", "id": group_b}]},
        ),
    }
    for name, (query, values) in attempts.items():
        reply = await tasks_service.gql(query, values, as_=intruder)
        assert reply.codes == ["NOT_FOUND"], (name, reply.body)
        assert "secret" not in str(reply.body), name

    entity = await tasks_service.gql(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Task { id title } } }",
        {"r": [{"__typename": "Task", "id": task["id"]}]},
        as_=intruder,
    )
    assert entity.data == {"_entities": [None]}
    nested = await tasks_service.gql(
        """query($r: [_Any!]!) { _entities(representations: $r) { ... on User {
           assignedTasks { edges { node { title } } } taskStats { assigned } } } }""",
        {"r": [{"__typename": "User", "id": owner_b.id}]},
        as_=intruder,
    )
    assert nested.data["_entities"][0]["assignedTasks"]["edges"] == []
    photo = await tasks_service.upload(
        ADD_PHOTO, {"t": task["id"]}, filename="x.jpg", data=jpeg_bytes(), as_=intruder
    )
    assert photo.codes == ["NOT_FOUND"]
    assert group_a != group_b
    assert await _snapshot(tasks_service, owner_b, task["id"]) == before
    assert await tasks_service.outbox_types() == outbox_before
    files = [
        path
        for path in tasks_service.runtime.common.data_dir.rglob("photos/**/*")
        if path.is_file()
    ]
    assert files == []


async def test_a_plain_member_cannot_do_what_owners_and_admins_do(tasks_service: Tasks) -> None:
    owner, member, other = (tasks_service.user() for _ in range(3))
    group_id = await tasks_service.group(owner, member, other)
    task = await tasks_service.create_task(owner, group_id, "Owner's task")
    await tasks_service.gql(
        "mutation($id: ID!) { takeTask(id: $id) { id } }", {"id": task["id"]}, as_=other
    )
    before = await _snapshot(tasks_service, owner, task["id"])

    attempts = {
        "assign": (
            "mutation($id: ID!, $u: ID!) { assignTask(taskId: $id, userId: $u) { id } }",
            {"id": task["id"], "u": member.id},
        ),
        "update": (
            'mutation($id: ID!) { updateTask(id: $id, title: "mine") { id } }',
            {"id": task["id"]},
        ),
        "delete": ("mutation($id: ID!) { deleteTask(id: $id) }", {"id": task["id"]}),
        "finish": ("mutation($id: ID!) { finishTask(id: $id) { id } }", {"id": task["id"]}),
        "release": ("mutation($id: ID!) { releaseTask(id: $id) { id } }", {"id": task["id"]}),
    }
    for name, (query, values) in attempts.items():
        reply = await tasks_service.gql(query, values, as_=member)
        assert reply.codes == ["FORBIDDEN"], (name, reply.body)
    assert await _snapshot(tasks_service, owner, task["id"]) == before


async def test_assignees_must_be_members(tasks_service: Tasks) -> None:
    owner, outsider = tasks_service.user(), tasks_service.user()
    group_id = await tasks_service.group(owner)
    await tasks_service.group(outsider)
    task = await tasks_service.create_task(owner, group_id)
    reply = await tasks_service.gql(
        "mutation($id: ID!, $u: ID!) { assignTask(taskId: $id, userId: $u) { id } }",
        {"id": task["id"], "u": outsider.id},
        as_=owner,
    )
    assert reply.codes == ["BAD_USER_INPUT"]
    assert (await _snapshot(tasks_service, owner, task["id"]))["assignee"] is None


async def test_anonymous_and_forged_callers_are_refused(tasks_service: Tasks) -> None:
    owner = tasks_service.user()
    group_id = await tasks_service.group(owner)
    task = await tasks_service.create_task(owner, group_id)
    anonymous = await tasks_service.gql(TASK, {"id": task["id"]})
    assert anonymous.codes == ["UNAUTHENTICATED"]
    forged = await tasks_service.service.gql(
        TASK, {"id": task["id"]}, token=owner.token[:-4] + "AAAA"
    )
    assert forged.status == 401
    assert forged.codes == ["UNAUTHENTICATED"]


async def test_a_removed_member_loses_access_to_old_task_ids(tasks_service: Tasks) -> None:
    owner, leaver = tasks_service.user(), tasks_service.user()
    group_id = await tasks_service.group(owner, leaver)
    task = await tasks_service.create_task(leaver, group_id, "Was mine")
    await tasks_service.gql(
        "mutation($id: ID!) { takeTask(id: $id) { id } }", {"id": task["id"]}, as_=leaver
    )
    await tasks_service.publish("group.member_removed", group_id=group_id, user_id=leaver.id)
    after_removal = await _snapshot(tasks_service, owner, task["id"])
    assert (after_removal["status"], after_removal["assignee"]) == ("OPEN", None)

    for query in (
        TASK,
        'mutation($id: ID!) { updateTask(id: $id, title: "still here") { id } }',
        "mutation($id: ID!) { takeTask(id: $id) { id } }",
        "mutation($id: ID!) { deleteTask(id: $id) }",
        "mutation($id: ID!) { requestPhotoUpload(taskId: $id) { uploadUrl } }",
    ):
        reply = await tasks_service.gql(query, {"id": task["id"]}, as_=leaver)
        assert reply.codes == ["NOT_FOUND"], (query, reply.body)
    assert await _snapshot(tasks_service, owner, task["id"]) == after_removal
