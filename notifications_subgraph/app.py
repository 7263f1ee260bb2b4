"""The notifications subgraph service: its runtime (consumer, scheduler, mailer, live) and app."""

from __future__ import annotations

from starlette.types import ASGIApp

from notifications_subgraph.mailer import EmailSender, smtp_sender
from notifications_subgraph.notifier import CONSUMER, Notifier
from notifications_subgraph.rules import EVENT_TYPES
from notifications_subgraph.schema import schema
from notifications_subgraph.settings import NotificationSettings
from subgraph_kit.app import create_subgraph_app
from subgraph_kit.live import create_live_channel
from subgraph_kit.runtime import ServiceRuntime

__all__ = ["NotificationsRuntime", "create_app", "create_runtime"]


class NotificationsRuntime(ServiceRuntime):
    """A runtime that also runs the notifier's background loops while started."""

    @property
    def notifier(self) -> Notifier:
        notifier: Notifier = self.extras["notifier"]
        return notifier

    async def start(self) -> None:
        await super().start()
        self.notifier.start()

    async def stop(self) -> None:
        await self.notifier.stop()
        await super().stop()


def create_runtime(
    *,
    notification_settings: NotificationSettings | None = None,
    email_sender: EmailSender | None = None,
    **overrides: object,
) -> NotificationsRuntime:
    """`notification_settings` replaces TASKFORGE_NOTIFICATIONS_*; `email_sender` replaces SMTP."""
    runtime = NotificationsRuntime.create(
        "notifications",
        "notifications_subgraph",
        **overrides,  # type: ignore[arg-type]
    )
    assert isinstance(runtime, NotificationsRuntime)
    settings = notification_settings or NotificationSettings()
    if email_sender is None and settings.email_enabled:
        email_sender = smtp_sender(settings)
    live = create_live_channel(runtime.redis, f"{runtime.common.redis_key_prefix}live:")
    notifier = Notifier(runtime.database, live, settings, email_sender)
    runtime.extras["notifier"] = notifier
    runtime.bus.subscribe(CONSUMER, notifier.handle_event, types=EVENT_TYPES)
    return runtime


def create_app(runtime: ServiceRuntime | None = None, *, manage_runtime: bool = True) -> ASGIApp:
    return create_subgraph_app(runtime or create_runtime(), schema, manage_runtime=manage_runtime)
