"""The due-soon rule with a controllable clock: once per due time and assignee, across restarts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from notifications_subgraph.settings import NotificationSettings
from subgraph_kit.db import utcnow
from tests.notifications_subgraph.conftest import (
    Notifications,
    User,
    eventually,
    new_task_id,
    started,
)
from tests.support.backends import Backend, fresh_database_url

# Due times far from the real clock, so the background scan (real time) never reminds by itself.
DUE = utcnow().replace(microsecond=0) + timedelta(days=30)


async def _assigned_task(notifications: Notifications) -> tuple[User, User, str]:
    boss, worker = await notifications.user("Boss"), await notifications.user("Worker")
    task_id = new_task_id()
    await notifications.task_event(
        "assigned",
        task_id,
        actor=boss,
        created_by=boss,
        assignee=worker,
        due_at=DUE,
        status="IN_PROGRESS",
    )
    return boss, worker, task_id


async def test_the_assignee_is_reminded_once_within_24_hours(notifications: Notifications) -> None:
    _boss, worker, task_id = await _assigned_task(notifications)
    notifier = notifications.notifier

    assert await notifier.remind_due_soon(DUE - timedelta(hours=25)) == []
    (reminder,) = await notifier.remind_due_soon(DUE - timedelta(hours=23))
    assert reminder.recipient_id == worker.id
    assert await notifier.remind_due_soon(DUE - timedelta(hours=22)) == []
    assert await notifier.remind_due_soon(DUE - timedelta(minutes=5)) == []

    inbox = await notifications.inbox(worker)
    node = inbox["notifications"]["edges"][0]["node"]
    assert node["kind"] == "TASK_DUE_SOON"
    assert node["message"].startswith("“Water the plants” is due in about 23 hours")
    assert node["task"] == {"id": task_id}
    assert node["actor"] is None


async def test_finished_unassigned_and_overdue_tasks_are_not_reminded(
    notifications: Notifications,
) -> None:
    boss, worker = await notifications.user("Boss"), await notifications.user("Worker")
    await notifications.task_event(
        "finished",
        new_task_id(),
        actor=worker,
        created_by=boss,
        assignee=worker,
        due_at=DUE,
        status="DONE",
    )
    await notifications.task_event(
        "created", new_task_id(), actor=boss, created_by=boss, due_at=DUE
    )
    notifier = notifications.notifier
    assert await notifier.remind_due_soon(DUE - timedelta(hours=1)) == []
    assert await notifier.remind_due_soon(DUE + timedelta(minutes=1)) == []


async def test_a_new_due_time_or_assignee_rearms_the_reminder(
    notifications: Notifications,
) -> None:
    boss, worker, task_id = await _assigned_task(notifications)
    notifier = notifications.notifier
    assert len(await notifier.remind_due_soon(DUE - timedelta(hours=2))) == 1

    # An unrelated change (same due time and assignee) does not re-arm.
    await notifications.task_event(
        "updated",
        task_id,
        actor=boss,
        created_by=boss,
        assignee=worker,
        due_at=DUE,
        status="IN_PROGRESS",
        title="Water the plants well",
    )
    assert await notifier.remind_due_soon(DUE - timedelta(hours=1)) == []

    later = DUE + timedelta(hours=5)
    await notifications.task_event(
        "updated",
        task_id,
        actor=boss,
        created_by=boss,
        assignee=worker,
        due_at=later,
        status="IN_PROGRESS",
    )
    assert await notifier.remind_due_soon(later - timedelta(hours=25)) == []
    (again,) = await notifier.remind_due_soon(later - timedelta(hours=3))
    assert again.recipient_id == worker.id

    other = await notifications.user("Other")
    await notifications.task_event(
        "reassigned",
        task_id,
        actor=boss,
        created_by=boss,
        assignee=other,
        previous=worker,
        due_at=later,
        status="IN_PROGRESS",
    )
    (handed_over,) = await notifier.remind_due_soon(later - timedelta(hours=2))
    assert handed_over.recipient_id == other.id
    assert await notifications.kinds(worker) == [
        "TASK_REASSIGNED",
        "TASK_DUE_SOON",
        "TASK_DUE_SOON",
        "TASK_ASSIGNED",
    ]


async def test_a_stale_event_does_not_roll_the_task_back(notifications: Notifications) -> None:
    boss, worker, task_id = await _assigned_task(notifications)
    await notifications.task_event(
        "updated",
        task_id,
        actor=boss,
        created_by=boss,
        assignee=worker,
        due_at=None,
        status="IN_PROGRESS",
        at=utcnow() - timedelta(minutes=5),
    )
    assert len(await notifications.notifier.remind_due_soon(DUE - timedelta(hours=1))) == 1


async def test_reminders_survive_a_restart(
    backend: Backend, redis_prefix: str, data_dir: Path
) -> None:
    async with fresh_database_url(backend, data_dir, "notifications") as url:
        async with started(backend, redis_prefix, data_dir, database_url=url) as before:
            await _assigned_task(before)
            assert len(await before.notifier.remind_due_soon(DUE - timedelta(hours=3))) == 1
        async with started(backend, redis_prefix, data_dir, database_url=url) as after:
            assert await after.notifier.remind_due_soon(DUE - timedelta(hours=2)) == []
            assert await after.notifier.remind_due_soon(DUE - timedelta(minutes=1)) == []


async def test_the_scheduler_runs_by_itself(
    backend: Backend, redis_prefix: str, data_dir: Path
) -> None:
    quick = NotificationSettings(due_scan_seconds=0.05)
    async with started(backend, redis_prefix, data_dir, notification_settings=quick) as service:
        boss, worker = await service.user("Boss"), await service.user("Worker")
        await service.task_event(
            "assigned",
            new_task_id(),
            actor=boss,
            created_by=boss,
            assignee=worker,
            due_at=utcnow() + timedelta(hours=2),
            status="IN_PROGRESS",
        )

        async def reminded() -> bool:
            return "TASK_DUE_SOON" in await service.kinds(worker)

        await eventually(reminded, "the scheduler did not remind")
