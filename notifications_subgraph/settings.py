"""Notifications settings (TASKFORGE_NOTIFICATIONS_*): reminder scan, due-soon window, SMTP."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["NotificationSettings"]


class NotificationSettings(BaseSettings):
    """Email is off until `smtp_host` is set; preferences are kept either way."""

    model_config = SettingsConfigDict(env_prefix="TASKFORGE_NOTIFICATIONS_", extra="ignore")

    due_scan_seconds: float = 60.0
    due_soon_hours: float = 24.0
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "Taskforge <taskforge@localhost>"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10.0
    email_poll_seconds: float = 5.0
    email_max_attempts: int = 8
    email_retry_base_seconds: float = 2.0

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host)
