"""The notifications engine: event consumer, due-soon scheduler and mailer loops, live fan-out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from notifications_subgraph.mailer import EmailSender, send_pending_emails
from notifications_subgraph.models import Notification
from notifications_subgraph.reminders import remind_due_soon
from notifications_subgraph.rules import apply_event
from notifications_subgraph.service import notification_message
from notifications_subgraph.settings import NotificationSettings
from subgraph_kit.db import Database, utcnow
from subgraph_kit.events import Event, idempotent_handler
from subgraph_kit.live import LiveChannel

__all__ = ["CONSUMER", "Notifier", "PeriodicWorker", "live_topic"]

log = logging.getLogger(__name__)

CONSUMER = "notifications.rules"


def live_topic(user_id: str) -> str:
    return f"notifications:{user_id}"


class PeriodicWorker:
    """Runs `step` every `interval` seconds or at once when kicked; a failing step is logged."""

    def __init__(self, name: str, step: Callable[[], Awaitable[object]], interval: float) -> None:
        self.name = name
        self.step = step
        self.interval = interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def kick(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.step()
            except Exception:
                log.exception("%s failed; retrying at the next interval", self.name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)


@dataclass
class Notifier:
    """Creates notifications (from events and from the clock), then pushes and mails them."""

    database: Database
    live: LiveChannel
    settings: NotificationSettings
    sender: EmailSender | None

    def __post_init__(self) -> None:
        # One scan and one mail round at a time per process; replicas are kept apart by row locks.
        self._scanning = asyncio.Lock()
        self._mailing = asyncio.Lock()
        self.scheduler = PeriodicWorker(
            "notifications-due-soon", self.remind_due_soon, self.settings.due_scan_seconds
        )
        self.mailer = PeriodicWorker(
            "notifications-mailer", self.send_pending_emails, self.settings.email_poll_seconds
        )

    @property
    def email_enabled(self) -> bool:
        return self.sender is not None

    async def handle_event(self, received: Event) -> None:
        """The bus handler: applied at most once per event, pushed after the commit."""
        created: list[Notification] = []

        async def apply(event: Event, session: AsyncSession) -> None:
            created.extend(await apply_event(event, session, email=self.email_enabled))

        await idempotent_handler(self.database, CONSUMER, apply)(received)
        if received.type.startswith("task."):
            self.scheduler.kick()
        await self._announce(created)

    async def remind_due_soon(self, now: datetime | None = None) -> list[Notification]:
        """One scan of the due-soon rule; tests pass a fake `now`."""
        window = timedelta(hours=self.settings.due_soon_hours)
        async with self._scanning, self.database.session() as session:
            created = await remind_due_soon(
                session, now=now or utcnow(), window=window, email=self.email_enabled
            )
        await self._announce(created)
        return created

    async def send_pending_emails(self, now: datetime | None = None) -> int:
        if self.sender is None:
            return 0
        async with self._mailing:
            return await send_pending_emails(
                self.database, self.sender, self.settings, now=now or utcnow()
            )

    async def _announce(self, created: Sequence[Notification]) -> None:
        for notification in created:
            try:
                await self.live.publish(
                    live_topic(notification.recipient_id), notification_message(notification)
                )
            except Exception:
                log.warning("live push of notification %s failed", notification.id, exc_info=True)
        if created and self.email_enabled:
            self.mailer.kick()

    def start(self) -> None:
        self.scheduler.start()
        if self.email_enabled:
            self.mailer.start()

    async def stop(self) -> None:
        await self.scheduler.stop()
        await self.mailer.stop()
