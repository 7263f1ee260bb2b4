"""Notification emails: an SMTP sender and the retrying delivery of the `pending_emails` table.

A notification only queues its email (in its own transaction); sending happens later, so a slow
or broken mail server never blocks or loses a notification. A failed attempt is retried with
exponential backoff up to `email_max_attempts`, then marked failed.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select

from notifications_subgraph.models import PendingEmail
from notifications_subgraph.settings import NotificationSettings
from subgraph_kit.db import Database

__all__ = ["EmailSender", "send_pending_emails", "smtp_sender"]

log = logging.getLogger(__name__)

EmailSender = Callable[[EmailMessage], Awaitable[None]]

_BATCH = 20
_MAX_BACKOFF_SECONDS = 3600.0


def smtp_sender(settings: NotificationSettings) -> EmailSender:
    """Send with the standard library's SMTP client in a worker thread."""

    def send_now(message: EmailMessage) -> None:
        assert settings.smtp_host is not None
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(message)

    async def send(message: EmailMessage) -> None:
        await asyncio.to_thread(send_now, message)

    return send


def _message(email: PendingEmail, sender_address: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender_address
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message.set_content(email.body)
    return message


def _backoff(settings: NotificationSettings, attempts: int) -> timedelta:
    seconds = settings.email_retry_base_seconds * 2 ** (attempts - 1)
    return timedelta(seconds=min(seconds, _MAX_BACKOFF_SECONDS))


async def send_pending_emails(
    database: Database, sender: EmailSender, settings: NotificationSettings, *, now: datetime
) -> int:
    """Try every email due by `now` once; returns how many were sent."""
    sent = 0
    async with database.session() as session:
        due = await session.scalars(
            select(PendingEmail)
            .where(
                PendingEmail.sent_at.is_(None),
                PendingEmail.failed_at.is_(None),
                PendingEmail.next_attempt_at <= now,
            )
            .order_by(PendingEmail.next_attempt_at)
            .limit(_BATCH)
            .with_for_update(skip_locked=True)
        )
        for email in list(due):
            email.attempts += 1
            try:
                await sender(_message(email, settings.smtp_from))
            except Exception as error:
                _record_failure(email, error, settings, now)
                continue
            email.sent_at = now
            sent += 1
    return sent


def _record_failure(
    email: PendingEmail, error: Exception, settings: NotificationSettings, now: datetime
) -> None:
    email.last_error = f"{type(error).__name__}: {error}"[:500]
    if email.attempts >= settings.email_max_attempts:
        email.failed_at = now
        log.error("giving up on email %s after %d attempts", email.id, email.attempts)
        return
    email.next_attempt_at = now + _backoff(settings, email.attempts)
    log.warning("email %s failed (%s); retrying later", email.id, email.last_error)
