"""Optional email per kind: sent to a local SMTP server, retried with backoff, never blocking."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from notifications_subgraph.models import PendingEmail
from notifications_subgraph.settings import NotificationSettings
from subgraph_kit.db import utcnow
from tests.notifications_subgraph.conftest import (
    Notifications,
    User,
    eventually,
    new_task_id,
    started,
)
from tests.support.backends import Backend

SET_PREFERENCES = """mutation($p: [NotificationPreferenceInput!]!) {
  setNotificationPreferences(preferences: $p) { kind email } }"""


class SmtpInbox:
    """An aiosmtpd handler keeping what it received; the first `failures` messages get a 451."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        if self.failures:
            self.failures -= 1
            return "451 4.3.0 try again later"
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[SmtpInbox, int]]:
    inbox, port = SmtpInbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _settings(port: int, **overrides: Any) -> NotificationSettings:
    return NotificationSettings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from="Taskforge <noreply@taskforge.test>",
        smtp_timeout_seconds=5,
        **overrides,
    )


async def _emails(notifications: Notifications) -> list[PendingEmail]:
    async with notifications.runtime.database.session() as session:
        return list(await session.scalars(select(PendingEmail)))


async def _wants_email(notifications: Notifications, user: User, kind: str) -> None:
    reply = await notifications.gql(
        SET_PREFERENCES, {"p": [{"kind": kind, "email": True}]}, as_=user
    )
    assert reply.errors == []


async def test_an_email_goes_out_for_the_kinds_the_user_chose(
    backend: Backend, redis_prefix: str, data_dir: Path, smtp: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp
    async with started(
        backend, redis_prefix, data_dir, notification_settings=_settings(port)
    ) as service:
        boss, worker = await service.user("Boss"), await service.user("Worker")
        await _wants_email(service, worker, "TASK_ASSIGNED")
        task_id = new_task_id()
        await service.task_event(
            "assigned", task_id, actor=boss, created_by=worker, assignee=worker
        )
        await service.task_event(
            "finished", task_id, actor=boss, created_by=worker, assignee=worker, status="DONE"
        )

        async def delivered() -> bool:
            return [email.sent_at is not None for email in await _emails(service)] == [True]

        await eventually(delivered, "no email was sent")
        (email,) = await _emails(service)
        assert email.attempts == 1
        assert await service.kinds(worker) == ["TASK_FINISHED", "TASK_ASSIGNED"]

    (received,) = inbox.received
    assert received["To"] == email.to_address
    assert email.to_address.startswith("worker-") and email.to_address.endswith("@example.com")
    assert received["From"] == "Taskforge <noreply@taskforge.test>"
    assert received["Subject"] == "Taskforge: Boss assigned you “Water the plants”"
    assert "Hello Worker" in received.get_content()


async def test_a_failed_send_is_retried_with_backoff(
    backend: Backend, redis_prefix: str, data_dir: Path, smtp: tuple[SmtpInbox, int]
) -> None:
    inbox, port = smtp
    inbox.failures = 1
    settings = _settings(port, email_retry_base_seconds=600, email_poll_seconds=600)
    async with started(backend, redis_prefix, data_dir, notification_settings=settings) as service:
        boss, worker = await service.user("Boss"), await service.user("Worker")
        await _wants_email(service, worker, "TASK_ASSIGNED")
        await service.task_event(
            "assigned", new_task_id(), actor=boss, created_by=boss, assignee=worker
        )

        async def attempted() -> bool:
            return [email.attempts for email in await _emails(service)] == [1]

        await eventually(attempted, "the mailer did not try")
        (failed,) = await _emails(service)
        assert failed.sent_at is None and "451" in (failed.last_error or "")
        assert failed.next_attempt_at - utcnow() > timedelta(minutes=9)
        assert await service.kinds(worker) == ["TASK_ASSIGNED"]  # the notification did not wait

        assert await service.notifier.send_pending_emails(utcnow()) == 0  # not due yet
        assert await service.notifier.send_pending_emails(failed.next_attempt_at) == 1
        (sent,) = await _emails(service)
        assert sent.attempts == 2 and sent.sent_at is not None
    assert len(inbox.received) == 1


async def test_an_unreachable_server_gives_up_but_keeps_the_notification(
    backend: Backend, redis_prefix: str, data_dir: Path
) -> None:
    settings = _settings(_free_port(), email_max_attempts=2, email_poll_seconds=600)
    async with started(backend, redis_prefix, data_dir, notification_settings=settings) as service:
        boss, worker = await service.user("Boss"), await service.user("Worker")
        await _wants_email(service, worker, "TASK_ASSIGNED")
        await service.task_event(
            "assigned", new_task_id(), actor=boss, created_by=boss, assignee=worker
        )
        assert await service.kinds(worker) == ["TASK_ASSIGNED"]

        async def attempted() -> bool:
            return [email.attempts for email in await _emails(service)] == [1]

        await eventually(attempted, "the mailer did not try")
        later = utcnow() + timedelta(days=1)
        for _ in range(3):
            await service.notifier.send_pending_emails(later)
        (email,) = await _emails(service)
        assert email.attempts == 2
        assert email.failed_at is not None and email.sent_at is None
