"""Event rules: who gets which notification, never for their own action, once per event."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from notifications_subgraph.models import Notification
from subgraph_kit.events import emit
from tests.notifications_subgraph.conftest import Notifications, new_task_id


async def _count(notifications: Notifications) -> int:
    async with notifications.runtime.database.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Notification)) or 0)


async def test_assignment_notifies_the_new_assignee(notifications: Notifications) -> None:
    boss, worker = await notifications.user("Boss"), await notifications.user("Worker")
    task_id = new_task_id()
    await notifications.task_event("created", task_id, actor=boss, created_by=boss)
    await notifications.task_event(
        "assigned", task_id, actor=boss, created_by=boss, assignee=worker, status="IN_PROGRESS"
    )

    inbox = await notifications.inbox(worker)
    assert inbox["unreadNotificationCount"] == 1
    (edge,) = inbox["notifications"]["edges"]
    node = edge["node"]
    assert node["kind"] == "TASK_ASSIGNED"
    assert node["message"] == "Boss assigned you “Water the plants”"
    assert node["recipient"] == {"id": worker.id}
    assert node["actor"] == {"id": boss.id}
    assert node["task"] == {"id": task_id}
    assert node["group"] == {"id": "g" * 32}
    assert node["readAt"] is None
    assert await notifications.kinds(boss) == []


async def test_reassignment_notifies_both_assignees(notifications: Notifications) -> None:
    boss = await notifications.user("Boss")
    first, second = await notifications.user("First"), await notifications.user("Second")
    task_id = new_task_id()
    await notifications.task_event("assigned", task_id, actor=boss, created_by=boss, assignee=first)
    await notifications.task_event(
        "reassigned", task_id, actor=boss, created_by=boss, assignee=second, previous=first
    )

    assert await notifications.kinds(first) == ["TASK_REASSIGNED", "TASK_ASSIGNED"]
    assert await notifications.kinds(second) == ["TASK_ASSIGNED"]
    latest = (await notifications.inbox(first))["notifications"]["edges"][0]["node"]
    assert latest["message"] == "Boss reassigned “Water the plants” to someone else"


async def test_own_actions_notify_nobody(notifications: Notifications) -> None:
    worker = await notifications.user("Worker")
    task_id = new_task_id()
    await notifications.task_event(
        "taken", task_id, actor=worker, created_by=worker, assignee=worker
    )
    await notifications.task_event(
        "assigned", new_task_id(), actor=worker, created_by=worker, assignee=worker
    )
    await notifications.task_event(
        "finished", task_id, actor=worker, created_by=worker, assignee=worker, status="DONE"
    )
    await notifications.publish(
        "group.member_added",
        group_id="g" * 32,
        user_id=worker.id,
        role="MEMBER",
        actor_id=worker.id,
    )
    assert await notifications.kinds(worker) == []


async def test_finishing_notifies_the_creator(notifications: Notifications) -> None:
    creator, worker = await notifications.user("Creator"), await notifications.user("Worker")
    task_id = new_task_id()
    await notifications.task_event(
        "finished", task_id, actor=worker, created_by=creator, assignee=worker, status="DONE"
    )
    assert await notifications.kinds(creator) == ["TASK_FINISHED"]
    node = (await notifications.inbox(creator))["notifications"]["edges"][0]["node"]
    assert node["message"] == "Worker finished “Water the plants”"
    assert await notifications.kinds(worker) == []


async def test_membership_changes_notify_the_member(notifications: Notifications) -> None:
    owner, member = await notifications.user("Owner"), await notifications.user("Member")
    group_id = new_task_id()
    await notifications.publish("group.created", group_id=group_id, owner_id=owner.id, name="Ops")
    await notifications.publish(
        "group.member_added",
        group_id=group_id,
        user_id=member.id,
        role="MEMBER",
        actor_id=owner.id,
    )
    await notifications.publish(
        "group.member_removed",
        group_id=group_id,
        user_id=member.id,
        actor_id=owner.id,
        reason="removed",
    )

    inbox = await notifications.inbox(member)
    messages = [(e["node"]["kind"], e["node"]["message"]) for e in inbox["notifications"]["edges"]]
    assert messages == [
        ("REMOVED_FROM_GROUP", "You were removed from the group “Ops”"),
        ("ADDED_TO_GROUP", "Owner added you to the group “Ops”"),
    ]
    assert await notifications.kinds(owner) == []


async def test_an_event_delivered_twice_notifies_once(notifications: Notifications) -> None:
    boss, worker = await notifications.user("Boss"), await notifications.user("Worker")
    event = await notifications.task_event(
        "assigned", new_task_id(), actor=boss, created_by=boss, assignee=worker
    )
    await notifications.deliver(event)
    await notifications.deliver(replace(event))
    # Events are handled in order, so once this one is done the duplicates were too.
    await notifications.publish("group.updated", group_id="g" * 32, name="After")

    assert await notifications.kinds(worker) == ["TASK_ASSIGNED"]
    assert await _count(notifications) == 1


async def test_events_emitted_through_an_outbox_arrive(notifications: Notifications) -> None:
    """The path other subgraphs use: emit in a transaction, the relay publishes after commit."""
    boss, worker = await notifications.user("Boss"), await notifications.user("Worker")
    payload = {
        "task_id": new_task_id(),
        "group_id": "g" * 32,
        "actor_id": boss.id,
        "assignee_id": worker.id,
        "previous_assignee_id": None,
        "created_by": boss.id,
        "title": "Ship it",
        "status": "IN_PROGRESS",
        "priority": "HIGH",
        "due_at": None,
    }
    async with notifications.runtime.database.session() as session:
        emitted = await emit(session, "task.assigned", payload, source="tasks")
    await notifications.wait_processed(emitted.id)
    assert await notifications.kinds(worker) == ["TASK_ASSIGNED"]
