"""Notifications, preferences, pending emails, read models and the kit's event tables.

Revision ID: 0001_notifications
Revises:
"""

import sqlalchemy as sa
from alembic import op

from subgraph_kit.events import create_event_tables, drop_event_tables

revision = "0001_notifications"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, *, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    create_event_tables(op)
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("recipient_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("actor_id", sa.String(32), nullable=True),
        sa.Column("task_id", sa.String(32), nullable=True),
        sa.Column("group_id", sa.String(32), nullable=True),
        _when("created_at", nullable=False),
        _when("read_at"),
    )
    op.create_index(
        "ix_notifications_recipient", "notifications", ["recipient_id", "created_at", "id"]
    )
    op.create_index("ix_notifications_unread", "notifications", ["recipient_id", "read_at"])
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("email", sa.Boolean, nullable=False),
    )
    op.create_table(
        "pending_emails",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("notification_id", sa.String(32), nullable=False),
        sa.Column("to_address", sa.String(254), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        _when("next_attempt_at", nullable=False),
        _when("sent_at"),
        _when("failed_at"),
        sa.Column("last_error", sa.String(500), nullable=True),
    )
    op.create_index("ix_pending_emails_due", "pending_emails", ["sent_at", "next_attempt_at"])
    op.create_table(
        "tracked_tasks",
        sa.Column("task_id", sa.String(32), primary_key=True),
        sa.Column("group_id", sa.String(32), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("assignee_id", sa.String(32), nullable=True),
        _when("due_at"),
        _when("last_event_at", nullable=False),
        _when("reminded_due_at"),
        sa.Column("reminded_assignee_id", sa.String(32), nullable=True),
    )
    op.create_index("ix_tracked_tasks_due", "tracked_tasks", ["due_at"])
    op.create_table(
        "known_users",
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
    )
    op.create_table(
        "known_groups",
        sa.Column("group_id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "known_groups",
        "known_users",
        "tracked_tasks",
        "pending_emails",
        "notification_preferences",
        "notifications",
    ):
        op.drop_table(table)
    drop_event_tables(op)
